-- A time-ordered id unique across nodes: (Redis ms since 2026-01-01) * 4096 + a sequence within the millisecond.
-- KEYS[1] last issued "ms:seq". Strictly increasing even if the Redis clock steps back (the last ms is kept).
local epoch = 1767225600000
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - epoch
local seq = 0
local last = redis.call('GET', KEYS[1])
if last then
  local sep = string.find(last, ':', 1, true)
  local lastMs = tonumber(string.sub(last, 1, sep - 1))
  local lastSeq = tonumber(string.sub(last, sep + 1))
  if ms <= lastMs then
    ms = lastMs
    seq = lastSeq + 1
    if seq > 4095 then
      ms = lastMs + 1
      seq = 0
    end
  end
end
redis.call('SET', KEYS[1], string.format('%d:%d', ms, seq))
return ms * 4096 + seq
