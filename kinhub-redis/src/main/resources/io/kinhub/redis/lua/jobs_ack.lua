-- Acknowledges and deletes a batch of successfully handled jobs.
-- KEYS[1]  stream
-- ARGV[1]  group    ARGV[2..n]  stream entry ids
-- Returns how many were still pending (and are now acknowledged).
-- One script so that acknowledging and deleting a batch is one round trip and never half done.
local ids = {}
for i = 2, #ARGV do
  ids[#ids + 1] = ARGV[i]
end
local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
redis.call('XDEL', KEYS[1], unpack(ids))
return acked
