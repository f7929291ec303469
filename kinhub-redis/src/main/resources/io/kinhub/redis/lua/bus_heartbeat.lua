-- Node heartbeat: registers this process in the node registry and publishes its heartbeat on the bus.
-- KEYS[1]  node registry (sorted set: instance id -> last heartbeat, Redis time in ms)
-- ARGV[1]  instance id
-- ARGV[2]  bus channel
-- ARGV[3]  heartbeat message (the sender recognises its own echo)
-- ARGV[4]  live window in ms: a node heard from within it counts as live
-- ARGV[5]  forget window in ms: entries older than this are removed
-- Returns 1 when this instance was still live before this call, 0 when it was absent or had lapsed.
-- Atomic because "was I live?" and "I am live now" must be one decision, taken on Redis' clock, and the
-- echo must be ordered with every other message on the bus.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local live = tonumber(ARGV[4])
local forget = tonumber(ARGV[5])
local previous = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - forget)
redis.call('PEXPIRE', KEYS[1], forget)
redis.call('PUBLISH', ARGV[2], ARGV[3])
if previous and tonumber(previous) >= now - live then
  return 1
end
return 0
