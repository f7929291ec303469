-- Ends one session, or all sessions, of a user.
-- KEYS[1]  the user's session index      KEYS[2]  the user's minimum credential version
-- ARGV[1]  key prefix of session records
-- ARGV[2]  session id to end, or '' for all
-- ARGV[3]  new minimum credential version, or '' to leave it (only a password change sets it)
-- Returns the token hashes of the ended sessions (empty when the one session was not found).
-- Atomic so that record and index never disagree, and so that a password change's version bump and the
-- end of every session happen at one instant.
local ended = {}
local function finish(sid)
  local record = ARGV[1] .. sid
  local tokenHash = redis.call('HGET', record, 'th')
  if tokenHash then
    table.insert(ended, tokenHash)
  end
  redis.call('DEL', record)
  redis.call('ZREM', KEYS[1], sid)
end
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[2], ARGV[3], 'PX', 86400000)
end
if ARGV[2] ~= '' then
  if redis.call('ZSCORE', KEYS[1], ARGV[2]) or redis.call('EXISTS', ARGV[1] .. ARGV[2]) == 1 then
    finish(ARGV[2])
  end
else
  for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    finish(sid)
  end
  redis.call('DEL', KEYS[1])
end
return ended
