-- Moves due jobs from the delayed set into the stream. Any node may run it at any time: ZREM decides which
-- caller moves a job, so a job is moved exactly once even when nodes race.
-- KEYS[1]  stream    KEYS[2]  delayed set
-- ARGV[1]  most jobs to move    ARGV[2]  approximate stream length cap
-- Returns the number of jobs moved.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local moved = 0
for _, raw in ipairs(due) do
  if redis.call('ZREM', KEYS[2], raw) == 1 then
    local job = cjson.decode(raw)
    local fields = {'id', job.id, 'payload', job.payload, 'attempt', job.attempt, 'enqueuedAt', job.enqueuedAt}
    if job.error then
      table.insert(fields, 'error')
      table.insert(fields, job.error)
    end
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
    moved = moved + 1
  end
end
return moved
