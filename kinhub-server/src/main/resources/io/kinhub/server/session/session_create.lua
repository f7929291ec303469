-- Creates a session and indexes it under its user, pruning and capping the index in the same step.
-- KEYS[1]  the user's session index (sorted set: session id -> expiry, Redis time in ms)
-- KEYS[2]  the new session's record (hash)
-- KEYS[3]  the user's minimum credential version (string; absent = 0)
-- ARGV[1]  session id            ARGV[2]  SHA-256 of the token (hex)   ARGV[3]  device label
-- ARGV[4]  user id               ARGV[5]  login                        ARGV[6]  display name
-- ARGV[7]  idle timeout ms       ARGV[8]  absolute lifetime ms         ARGV[9]  most sessions per user
-- ARGV[10] key prefix of session records (prefix .. session id)       ARGV[11] credential version the login verified
-- Returns {-1} when the credentials changed after the login verified them; else {now, idle expiry,
-- absolute expiry, token hashes of sessions evicted by the cap...}.
-- Atomic so that the index never holds a session that has no record, or the reverse, and so that a
-- password change cannot be overtaken by a login that checked the old password.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minVersion = tonumber(redis.call('GET', KEYS[3]) or '0')
if tonumber(ARGV[11]) < minVersion then
  return {-1}
end
local idleExpiry = now + tonumber(ARGV[7])
local absoluteExpiry = now + tonumber(ARGV[8])
local expiry = math.min(idleExpiry, absoluteExpiry)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('HSET', KEYS[2], 'uid', ARGV[4], 'sid', ARGV[1], 'th', ARGV[2], 'dev', ARGV[3], 'login', ARGV[5],
  'name', ARGV[6], 'c', now, 'ls', now, 'ie', idleExpiry, 'ae', absoluteExpiry)
redis.call('PEXPIREAT', KEYS[2], expiry)
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
local result = {now, idleExpiry, absoluteExpiry}
local cap = tonumber(ARGV[9])
local count = redis.call('ZCARD', KEYS[1])
if count > cap then
  for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, count - cap - 1)) do
    if sid ~= ARGV[1] then
      local record = ARGV[10] .. sid
      local tokenHash = redis.call('HGET', record, 'th')
      if tokenHash then
        table.insert(result, tokenHash)
      end
      redis.call('DEL', record)
      redis.call('ZREM', KEYS[1], sid)
    end
  end
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], tonumber(last[2]))
return result
