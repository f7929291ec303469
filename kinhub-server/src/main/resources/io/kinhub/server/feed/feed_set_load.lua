-- Fills a follow set from PostgreSQL unless another reader did first. KEYS[1] set; ARGV member, member, ...
if redis.call('SISMEMBER', KEYS[1], '0') == 1 then
  return 0
end
redis.call('SADD', KEYS[1], '0')
for i = 1, #ARGV do
  redis.call('SADD', KEYS[1], ARGV[i])
end
return 1
