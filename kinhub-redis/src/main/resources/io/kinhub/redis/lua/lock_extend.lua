-- Resets the lock's time to live only if the caller still owns it.
-- KEYS[1]  lock    ARGV[1]  owner token    ARGV[2]  new time to live in milliseconds
-- Returns 1 when extended, 0 when the lock had expired or belongs to someone else.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
