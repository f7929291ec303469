-- Moves one dead job back into the stream with a fresh attempt count.
-- KEYS[1]  stream    KEYS[2]  dead-letter stream
-- ARGV[1]  dead-letter entry id    ARGV[2]  approximate stream length cap
-- Returns 1 when re-queued, 0 when there is no such dead job.
-- Atomic so that a dead job is re-queued once even if two operators click at the same time.
local entries = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1])
if #entries == 0 then
  return 0
end
local fields = entries[1][2]
local job = {}
for i = 1, #fields, 2 do
  job[fields[i]] = fields[i + 1]
end
redis.call('XDEL', KEYS[2], ARGV[1])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'id', job.id, 'payload', job.payload, 'attempt', 1,
  'enqueuedAt', job.enqueuedAt)
return 1
