-- Acknowledges a batch of successfully handled jobs and removes what is no longer needed from the stream.
-- KEYS[1]  stream    KEYS[2]  count of acknowledged entries still in the stream
-- ARGV[1]  group     ARGV[2]  most acknowledged entries to leave in the stream
-- ARGV[3]  the newest of the ids (the caller compares them: cheaper than here)    ARGV[4..n]  stream entry ids
-- Returns how many were still pending (and are now acknowledged).
--
-- Deleting entries one by one (XDEL) costs Redis a scan of the entry's listpack node each: most of the
-- queue's time inside Redis. Instead the stream is trimmed: every entry older than both the oldest entry
-- still pending and the newest one acknowledged here was delivered (delivery follows the stream's order)
-- and is pending no more, so XTRIM MINID ~ frees whole nodes of them at once (exactly when nothing is in
-- flight). Entries acknowledged behind
-- a job that is still running stay until it settles; when more than ARGV[2] such entries wait, this
-- batch's are deleted one by one after all, so the stream stays bounded even behind a job that runs for hours.
-- One script so that acknowledging and trimming is one round trip and never half done.
local function older(a, b)
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  ams, bms = tonumber(ams), tonumber(bms)
  if ams ~= bms then
    return ams < bms
  end
  return tonumber(aseq) < tonumber(bseq)
end

local call = redis.call
local stream = KEYS[1]
local newest = ARGV[3]
local listed = false
for i = 4, #ARGV do
  if ARGV[i] == newest then
    listed = true
  end
end
if not listed then
  -- trimming up to an id nobody acknowledged could remove jobs not yet delivered
  return redis.error_reply('ERR the newest id is not among the acknowledged ones')
end
local acked = call('XACK', stream, ARGV[1], unpack(ARGV, 4))

local trimAt = newest
local trimmed
local pending = call('XPENDING', stream, ARGV[1])
if pending[1] == 0 then
  -- nothing in flight (a quiet queue): every delivered entry goes, exactly
  trimmed = call('XTRIM', stream, 'MINID', trimAt) + call('XDEL', stream, trimAt)
else
  if older(pending[2], trimAt) then
    trimAt = pending[2]
  end
  trimmed = call('XTRIM', stream, 'MINID', '~', trimAt)
end

local left = tonumber(call('GET', KEYS[2]) or '0') + acked - trimmed
if left > tonumber(ARGV[2]) then
  local behind = {}
  for i = 4, #ARGV do
    local id = ARGV[i]
    if not older(id, trimAt) then
      behind[#behind + 1] = id
    end
  end
  left = left - call('XDEL', stream, unpack(behind))
end
local length = call('XLEN', stream)
if left > length then
  left = length
end
if left < 0 then
  left = 0
end
call('SET', KEYS[2], left)
return acked
