-- Clears dirty marks of posts whose flushed values are still current (a change since keeps the mark).
-- KEYS[1] dirty set; ARGV key prefix, id, likes, comments, views, ...
local cleared = 0
for i = 2, #ARGV, 4 do
  local p = redis.call('HMGET', ARGV[1] .. 'p:' .. ARGV[i], 'l', 'c', 'v')
  if not p[1] or (p[1] == ARGV[i + 1] and p[2] == ARGV[i + 2] and p[3] == ARGV[i + 3]) then
    cleared = cleared + redis.call('SREM', KEYS[1], ARGV[i])
  end
end
return cleared
