-- Counters and likedByMe of posts, absent ones as "-". ARGV user id, key prefix, id, id, ...
-- KEYS[1] is any key of the {feed} slot: unused here, it routes the call to that slot's node on a Redis Cluster.
local out = {}
for i = 3, #ARGV do
  local p = redis.call('HMGET', ARGV[2] .. 'p:' .. ARGV[i], 'l', 'c')
  if p[1] then
    out[#out + 1] = p[1]
    out[#out + 1] = p[2]
    out[#out + 1] = redis.call('SISMEMBER', ARGV[2] .. 'pl:' .. ARGV[i], ARGV[1])
  else
    out[#out + 1] = '-'
    out[#out + 1] = '-'
    out[#out + 1] = 0
  end
end
return out
