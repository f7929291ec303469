-- Lists a user's live sessions, pruning expired index entries and entries whose record is gone.
-- KEYS[1]  the user's session index
-- ARGV[1]  key prefix of session records
-- Returns a list of {session id, device, created ms, last seen ms}, soonest expiry first.
-- A script because it prunes the index while reading it.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local out = {}
for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local f = redis.call('HMGET', ARGV[1] .. sid, 'dev', 'c', 'ls')
  if f[2] then
    table.insert(out, {sid, f[1] or '', f[2], f[3]})
  else
    redis.call('ZREM', KEYS[1], sid)
  end
end
return out
