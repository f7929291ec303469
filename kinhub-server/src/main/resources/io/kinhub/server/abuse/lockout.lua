-- Brute-force lockout of one login (known or not): consecutive failures, counted atomically across nodes.
-- KEYS[1]  the login's state (hash: f = consecutive failures, l = last failure ms, u = locked until ms)
-- ARGV[1]  'check' | 'fail' | 'success'
-- ARGV[2]  failures before the lock    ARGV[3]  wait increment ms   ARGV[4]  maximum wait ms
-- ARGV[5]  quiet time after which failures are forgotten, ms
-- Returns {locked (1/0), ms until unlocked, failures, newly locked (1/0)}.
-- Atomic so that failures arriving on different nodes at once are all counted and the lock decision is
-- taken on the count it produced, on Redis' clock.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'f', 'l', 'u')
local failures = tonumber(s[1] or '0')
local last = tonumber(s[2] or '0')
local lockedUntil = tonumber(s[3] or '0')
local reset = tonumber(ARGV[5])
if failures > 0 and now - last > reset then
  failures = 0
  lockedUntil = 0
end
local mode = ARGV[1]
if mode == 'check' then
  if lockedUntil > now then
    return {1, lockedUntil - now, failures, 0}
  end
  return {0, 0, failures, 0}
end
if mode == 'success' then
  if lockedUntil > now then
    return {1, lockedUntil - now, failures, 0}
  end
  redis.call('DEL', KEYS[1])
  return {0, 0, 0, 0}
end
-- 'fail'
failures = failures + 1
local threshold = tonumber(ARGV[2])
local newlyLocked = 0
if failures >= threshold then
  local wait = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * (failures - threshold + 1))
  lockedUntil = now + wait
  newlyLocked = 1
end
redis.call('HSET', KEYS[1], 'f', failures, 'l', now, 'u', lockedUntil)
redis.call('PEXPIRE', KEYS[1], math.max(reset, lockedUntil - now))
if lockedUntil > now then
  return {1, lockedUntil - now, failures, newlyLocked}
end
return {0, 0, failures, newlyLocked}
