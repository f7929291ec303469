-- Settles one delivered job: success (ack and delete), retry later, or dead letter.
-- KEYS[1]  stream    KEYS[2]  delayed set    KEYS[3]  dead-letter stream
-- ARGV[1]  group     ARGV[2]  stream entry id    ARGV[3]  'ok' | 'retry' | 'dead' | 'release'
-- ARGV[4]  job id    ARGV[5]  payload    ARGV[6]  next attempt number    ARGV[7]  enqueued at ms
-- ARGV[8]  retry delay ms    ARGV[9]  last error    ARGV[10] dead-letter length cap
-- Returns 1 when this call settled the entry, 0 when it was no longer pending here (reclaimed and settled
-- elsewhere), in which case nothing is written.
-- Atomic so that a job is never both acknowledged and lost, nor retried twice.
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('XDEL', KEYS[1], ARGV[2])
local mode = ARGV[3]
if mode == 'ok' then
  return 1
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if mode == 'retry' then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[8]), cjson.encode({id = ARGV[4], payload = ARGV[5],
    attempt = tonumber(ARGV[6]), enqueuedAt = tonumber(ARGV[7]), error = ARGV[9]}))
elseif mode == 'release' then
  redis.call('XADD', KEYS[1], '*', 'id', ARGV[4], 'payload', ARGV[5], 'attempt', ARGV[6], 'enqueuedAt', ARGV[7])
else
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[10], '*', 'id', ARGV[4], 'payload', ARGV[5], 'attempts',
    tonumber(ARGV[6]) - 1, 'enqueuedAt', ARGV[7], 'failedAt', now, 'error', ARGV[9])
end
return 1
