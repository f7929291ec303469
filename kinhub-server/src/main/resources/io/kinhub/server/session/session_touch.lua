-- Records that a session was used: extends its idle expiry, at most once per throttle period.
-- KEYS[1]  the user's session index      KEYS[2]  the session record
-- ARGV[1]  session id   ARGV[2]  idle timeout ms   ARGV[3]  throttle ms
-- Returns {0} when the session is gone or expired, else {1, last seen, idle expiry}.
-- Atomic because it reads last-seen and the expiries and rewrites them together with the index score.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local fields = redis.call('HMGET', KEYS[2], 'ls', 'ie', 'ae')
if not fields[1] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {0}
end
local lastSeen = tonumber(fields[1])
local idleExpiry = tonumber(fields[2])
local absoluteExpiry = tonumber(fields[3])
if math.min(idleExpiry, absoluteExpiry) <= now then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {0}
end
if now - lastSeen < tonumber(ARGV[3]) then
  return {1, lastSeen, idleExpiry}
end
idleExpiry = now + tonumber(ARGV[2])
local expiry = math.min(idleExpiry, absoluteExpiry)
redis.call('HSET', KEYS[2], 'ls', now, 'ie', idleExpiry)
redis.call('PEXPIREAT', KEYS[2], expiry)
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], tonumber(last[2]))
return {1, now, idleExpiry}
