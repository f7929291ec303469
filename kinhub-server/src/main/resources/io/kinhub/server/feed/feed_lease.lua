-- A lease held by one node at a time: take it when free, renew it when ours. KEYS[1] lease; ARGV holder, ms
local holder = redis.call('GET', KEYS[1])
if not holder or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
