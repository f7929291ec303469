-- Enqueues a job: now (XADD to the stream) or later (ZADD to the delayed set), at most once per idempotency key.
-- KEYS[1]  stream    KEYS[2]  delayed set (score = due time ms)    KEYS[3]  idempotency key ('' slot unused if none)
-- ARGV[1]  job id    ARGV[2]  payload    ARGV[3]  delay ms (0 = now)    ARGV[4]  idempotency TTL ms (0 = no key)
-- ARGV[5]  approximate stream length cap
-- Returns {job id, 1 if enqueued now or scheduled, 0 if a duplicate of an earlier job (whose id is returned)}.
-- Atomic so that "seen this key?" and "enqueue" cannot interleave with a duplicate on another node.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  local earlier = redis.call('GET', KEYS[3])
  if earlier then
    return {earlier, 0}
  end
  redis.call('SET', KEYS[3], ARGV[1], 'PX', ttl)
end
local delay = tonumber(ARGV[3])
if delay > 0 then
  redis.call('ZADD', KEYS[2], now + delay, cjson.encode({id = ARGV[1], payload = ARGV[2], attempt = 1, enqueuedAt = now}))
else
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[1], 'payload', ARGV[2], 'attempt', 1, 'enqueuedAt', now)
end
return {ARGV[1], 1}
