-- One page of a feed in one round trip: the user's timeline merged with the post lists of the big families the
-- user belongs to (pulled at read time), newest first, strictly below the cursor; deleted posts (their counter
-- hash is gone) are skipped and dropped from the timeline. Each post comes with its counters and likedByMe.
-- KEYS[1] timeline, KEYS[2] rebuild flag, KEYS[3..] big families' post zsets
-- ARGV before ("" = from the top), limit, user id, ttl ms, key prefix of post hashes and like sets, rebuild lease ms
-- Reply: {"ok", more, id, family, author, likes, comments, liked, ...} | {"rebuild"} | {"building"}
local tl = KEYS[1]
if not redis.call('ZSCORE', tl, '0') then
  if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[6]) then
    return {'rebuild'}
  end
  return {'building'}
end
redis.call('PEXPIRE', tl, ARGV[4])
local limit = tonumber(ARGV[2])
local user = ARGV[3]
local prefix = ARGV[5]
local max = '+inf'
if ARGV[1] ~= '' then
  max = '(' .. ARGV[1]
end
local out = {'ok', 0}
local found = 0
for round = 1, 8 do
  local candidates = {}
  local seen = {}
  local floor = 0 -- below the lowest id fetched from a source that has more, that source's order is unknown
  for k = 1, #KEYS do
    if k ~= 2 then
      local ids = redis.call('ZRANGE', KEYS[k], max, '(0', 'BYSCORE', 'REV', 'LIMIT', 0, limit + 1)
      if #ids > limit then
        local lowest = tonumber(ids[#ids])
        if lowest > floor then
          floor = lowest
        end
      end
      for _, id in ipairs(ids) do
        if not seen[id] then
          seen[id] = true
          candidates[#candidates + 1] = tonumber(id)
        end
      end
    end
  end
  table.sort(candidates, function(a, b) return a > b end)
  local last = nil
  for _, n in ipairs(candidates) do
    if n < floor then
      break
    end
    local id = string.format('%d', n)
    if found == limit then
      out[2] = 1
      return out
    end
    last = id
    local p = redis.call('HMGET', prefix .. 'p:' .. id, 'f', 'a', 'l', 'c')
    if p[1] then
      found = found + 1
      out[#out + 1] = id
      out[#out + 1] = p[1]
      out[#out + 1] = p[2]
      out[#out + 1] = p[3]
      out[#out + 1] = p[4]
      out[#out + 1] = redis.call('SISMEMBER', prefix .. 'pl:' .. id, user)
    else
      redis.call('ZREM', tl, id)
    end
  end
  if floor == 0 or last == nil then
    return out
  end
  max = '(' .. last
end
out[2] = 1
return out
