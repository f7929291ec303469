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
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local count = #KEYS
local tats = {}
local refused = false
local retry = 0
for i = 1, count do
  local capacity = tonumber(ARGV[2 * i])
  local interval = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then
    tat = now
  end
  local newTat = tat + n * interval
  local allowAt = newTat - capacity * interval
  if n > capacity then
    refused = true
    retry = -1 -- can never fit
  elseif allowAt > now then
    refused = true
    if retry >= 0 and allowAt - now > retry then
      retry = allowAt - now
    end
  end
  tats[i] = {tat, newTat, capacity, interval}
end
local result = {0, 0}
if refused then
  result[2] = retry
  for i = 1, count do
    local tat, capacity, interval = tats[i][1], tats[i][3], tats[i][4]
    table.insert(result, math.max(0, math.floor((now + capacity * interval - tat) / interval)))
    table.insert(result, tat - now)
  end
  return result
end
result[1] = 1
for i = 1, count do
  local newTat, capacity, interval = tats[i][2], tats[i][3], tats[i][4]
  -- the key disappears when the bucket would be full again
  redis.call('SET', KEYS[i], string.format('%.17g', newTat), 'PXAT', math.ceil(newTat / 1000))
  table.insert(result, math.max(0, math.floor((now + capacity * interval - newTat) / interval)))
  table.insert(result, newTat - now)
end
return result
