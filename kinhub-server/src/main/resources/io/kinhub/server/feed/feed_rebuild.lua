-- Writes a timeline rebuilt from PostgreSQL (merged with whatever fan-out added meanwhile) and clears the flag.
-- KEYS[1] timeline, KEYS[2] rebuild flag; ARGV cap, ttl ms, id, id, ...
local cap = tonumber(ARGV[1])
redis.call('ZADD', KEYS[1], 0, '0')
for i = 3, #ARGV do
  redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i])
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(cap + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
