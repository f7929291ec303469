-- Like (ARGV[2] = "1") or unlike ("0"), idempotent per user; the count moves only when the set changed.
-- KEYS[1] post hash, KEYS[2] likers set, KEYS[3] dirty set; ARGV user, like, post id
-- Reply: {likeCount, changed} or {-1, 0} when the post is gone
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {-1, 0}
end
local changed
if ARGV[2] == '1' then
  changed = redis.call('SADD', KEYS[2], ARGV[1])
  if changed == 1 then
    redis.call('HINCRBY', KEYS[1], 'l', 1)
  end
else
  changed = redis.call('SREM', KEYS[2], ARGV[1])
  if changed == 1 then
    redis.call('HINCRBY', KEYS[1], 'l', -1)
  end
end
if changed == 1 then
  redis.call('SADD', KEYS[3], ARGV[3])
end
return {tonumber(redis.call('HGET', KEYS[1], 'l')), changed}
