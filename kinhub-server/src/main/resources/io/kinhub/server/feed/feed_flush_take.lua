-- Takes up to ARGV[2] dirty post ids with their counters (the ids stay dirty until the flush confirms).
-- KEYS[1] dirty set; ARGV key prefix, count. Reply: id, likes, comments, views, ...
local ids = redis.call('SRANDMEMBER', KEYS[1], tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local p = redis.call('HMGET', ARGV[1] .. 'p:' .. id, 'l', 'c', 'v')
  if p[1] then
    out[#out + 1] = id
    out[#out + 1] = p[1]
    out[#out + 1] = p[2]
    out[#out + 1] = p[3]
  else
    redis.call('SREM', KEYS[1], id)
  end
end
return out
