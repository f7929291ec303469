-- SMS login codes: issue, and verify-count-burn in one step.
-- KEYS[1]  the phone's code (hash: s = salt, h = SHA-1 of salt..code, a = wrong attempts)
-- ARGV[1]  'issue' | 'verify'
-- issue:  ARGV[2] code, ARGV[3] salt, ARGV[4] TTL ms        -> {expires at ms}
-- verify: ARGV[2] candidate code, ARGV[3] most wrong tries   -> {1} accepted (and burned), {0} refused
-- Atomic so that concurrent guesses on several nodes are all counted, and a code is accepted at most once.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] == 'issue' then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 's', ARGV[3], 'h', redis.sha1hex(ARGV[3] .. ARGV[2]), 'a', 0)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
  return {now + tonumber(ARGV[4])}
end
local f = redis.call('HMGET', KEYS[1], 's', 'h', 'a')
if not f[1] then
  return {0}
end
local attempts = tonumber(f[3])
if attempts >= tonumber(ARGV[3]) then
  return {0} -- burned: only a new code helps
end
if redis.sha1hex(f[1] .. ARGV[2]) == f[2] then
  redis.call('DEL', KEYS[1])
  return {1}
end
redis.call('HSET', KEYS[1], 'a', attempts + 1)
return {0}
