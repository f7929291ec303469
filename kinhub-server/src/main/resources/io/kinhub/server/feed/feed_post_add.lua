-- A new post's counters and its place in the family's list.
-- KEYS[1] post hash, KEYS[2] family posts zset; ARGV id, family, author, family cap
redis.call('HSET', KEYS[1], 'f', ARGV[2], 'a', ARGV[3], 'l', 0, 'c', 0, 'v', 0)
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
return 1
