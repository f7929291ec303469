-- Takes a lock if it is free and, in the same step, issues the holder's fencing token.
-- KEYS[1]  lock (value: the owner's token)    KEYS[2]  the lock's fence counter (never expires)
-- ARGV[1]  owner token    ARGV[2]  time to live in milliseconds
-- Returns {fence, 0} when taken, {0, remaining ms of the current holder} when not.
--
-- The fence is max(last fence + 1, Redis TIME in microseconds): strictly increasing while the counter key
-- lives, and still larger than every earlier fence if the counter was lost (a Redis restarted without
-- persistence, a failover that dropped the last writes), as long as Redis's clock did not step backwards.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local fence = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
  if now > fence then
    fence = now
  end
  local text = string.format('%.0f', fence)
  redis.call('SET', KEYS[2], text)
  return {text, 0}
end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  left = 0
end
return {'0', left}
