-- Publishes a message that needs acknowledgements and returns who must acknowledge it.
-- KEYS[1]  node registry (sorted set: instance id -> last heartbeat, Redis time in ms)
-- ARGV[1]  bus channel
-- ARGV[2]  message
-- ARGV[3]  live window in ms
-- Returns the instance ids heard from within the live window, read after the message was published.
-- Atomic so that the snapshot is taken strictly after the publish: a node missing from it registers
-- later and, having lapsed, flushes its cache first.
redis.call('PUBLISH', ARGV[1], ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[3]), '+inf')
