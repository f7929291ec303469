-- Adds to one counter of a live post and marks it for the next flush.
-- KEYS[1] post hash, KEYS[2] dirty set; ARGV field, delta, post id. Reply: {likes, comments} or {} when gone
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
local p = redis.call('HMGET', KEYS[1], 'l', 'c')
return {tonumber(p[1]), tonumber(p[2])}
