-- One rate-limit decision over several token buckets, all or nothing (GCRA form of the token bucket).
-- Each bucket i stores one number: its theoretical arrival time (TAT, microseconds on Redis' clock); the
-- bucket is full when TAT <= now. Capacity C and emission interval T (microseconds per token) define it:
-- a request of n tokens fits when  max(TAT, now) + n*T - C*T <= now.
-- KEYS[i]        bucket keys (one hash tag for all, so the script runs on one Redis Cluster slot)
-- ARGV[1]        tokens requested (n >= 1)
-- ARGV[2+2(i-1)] capacity of bucket i     ARGV[3+2(i-1)] emission interval of bucket i in microseconds
-- Returns {allowed (1/0), retry after in microseconds (0 when allowed, -1 when n exceeds a capacity), then per
--          bucket: remaining tokens,
--          microseconds until it is full again}.
-- Atomic because the decision reads every bucket and charges all of them or none; time comes from Redis
-- so callers' clocks do not matter.
-- Kept cheap because it runs on every limited request: three redis.call in the one-bucket case (TIME, GET, SET),
-- no string.format (redis.call formats a number argument with %.17g itself, which round-trips a double), no
-- nested tables, no table.insert.
local call = redis.call
local t = call('TIME')
local now = t[1] * 1000000 + t[2]
local n = tonumber(ARGV[1])
local count = #KEYS
local tats = {}
local refused = false
local retry = 0
for i = 1, count do
  local capacity, interval = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat = call('GET', KEYS[i])
  tat = tat and tonumber(tat) or 0
  if tat < now then
    tat = now
  end
  tats[i] = tat
  local allowAt = tat + n * interval - capacity * interval
  if n > capacity then
    refused = true
    retry = -1 -- can never fit
  elseif allowAt > now then
    refused = true
    if retry >= 0 and allowAt - now > retry then
      retry = allowAt - now
    end
  end
end
local result = {refused and 0 or 1, retry}
local floor = math.floor
for i = 1, count do
  local capacity, interval = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat = tats[i]
  if not refused then
    tat = tat + n * interval
    -- the key disappears when the bucket would be full again
    call('SET', KEYS[i], tat, 'PXAT', math.ceil(tat / 1000))
  end
  local remaining = floor((now + capacity * interval - tat) / interval)
  result[2 * i + 1] = remaining > 0 and remaining or 0
  result[2 * i + 2] = tat - now
end
return result
