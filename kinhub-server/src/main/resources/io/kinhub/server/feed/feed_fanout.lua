-- Adds one post to a batch of timelines. Idempotent (ZADD of the same member), so a batch run twice after a
-- crash adds nothing twice. Only timelines that exist (marked by the sentinel member "0", score 0) or are being
-- rebuilt get it: an inactive user's timeline has expired and is rebuilt from PostgreSQL when they return.
-- KEYS: timeline, rebuild flag, timeline, rebuild flag, ...; ARGV id, cap
local id = ARGV[1]
local cap = tonumber(ARGV[2])
local added = 0
for i = 1, #KEYS, 2 do
  local tl = KEYS[i]
  if redis.call('ZSCORE', tl, '0') or redis.call('EXISTS', KEYS[i + 1]) == 1 then
    added = added + redis.call('ZADD', tl, id, id)
    redis.call('ZREMRANGEBYRANK', tl, 1, -(cap + 1))
  end
end
return added
