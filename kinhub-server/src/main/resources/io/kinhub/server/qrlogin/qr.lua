-- QR-login tickets: every state transition in one call, checked against the current state, the actor and
-- the deadline, all on Redis' clock.
--   pending --scan--> scanned --confirm--> confirmed --complete--> completed
--   scanned --cancel--> cancelled;  any open state past its deadline reads as expired
-- KEYS[1]  the ticket (hash: st state, sh SHA-256 of the browser secret, dev device, c created, sd scan deadline,
--          cd confirm deadline, xd completion deadline, su scanner's user id, sn scanner's display name,
--          ip the address the browser asked from)
-- ARGV[1]  op:
--   create   ARGV[2] secret hash, ARGV[3] device, ARGV[4] scan ms, ARGV[5] confirm ms, ARGV[6] keep ms, ARGV[7] ip
--   read     ARGV[2] secret hash
--   complete ARGV[2] secret hash, ARGV[3] idempotency key hash or ''   (confirmed -> completed, once: the browser
--            redeems its session; the key hash is kept so that the same browser may replay a lost answer)
--   remember ARGV[2] secret hash, ARGV[3] idempotency key hash, ARGV[4] sealed answer (kept only when completed
--            with that key; sealed by the caller with a key derived from the secret, which Redis never sees)
--   replay   ARGV[2] secret hash, ARGV[3] idempotency key hash   (the sealed answer, if completed with that key)
--   reopen   ARGV[2] secret hash                                   (completed -> confirmed: session creation failed)
--   scan     ARGV[2] user id, ARGV[3] display name
--   confirm  ARGV[2] user id, ARGV[3] completion window ms
--   cancel   ARGV[2] user id
-- Returns {outcome, state, device, created, deadline, scanner id, scanner name, changed (1/0), ip}; replay appends
-- the sealed answer ('' when there is none).
-- outcome is ok | not_found | forbidden | conflict | expired.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op = ARGV[1]
local key = KEYS[1]

if op == 'create' then
  redis.call('HSET', key, 'st', 'pending', 'sh', ARGV[2], 'dev', ARGV[3], 'c', now, 'sd', now + tonumber(ARGV[4]),
    'cm', ARGV[5], 'ip', ARGV[7])
  redis.call('PEXPIRE', key, tonumber(ARGV[6]))
  return {'ok', 'pending', ARGV[3], now, now + tonumber(ARGV[4]), '', '', 1, ARGV[7]}
end

local f = redis.call('HMGET', key, 'st', 'sh', 'dev', 'c', 'sd', 'cd', 'xd', 'su', 'sn', 'cm', 'ip')
local state = f[1]
if not state then
  return {'not_found', '', '', 0, 0, '', '', 0, ''}
end
if op ~= 'scan' and op ~= 'confirm' and op ~= 'cancel' and f[2] ~= ARGV[2] then
  return {'not_found', '', '', 0, 0, '', '', 0, ''}
end

local deadlines = {pending = tonumber(f[5]), scanned = tonumber(f[6] or '0'), confirmed = tonumber(f[7] or '0')}
local changed = 0
if deadlines[state] and now > deadlines[state] then
  state = 'expired'
  redis.call('HSET', key, 'st', state)
  changed = 1
end
local scanner = f[8] or ''
local scannerName = f[9] or ''

local function reply(outcome, st)
  local d = deadlines[st] or 0
  return {outcome, st, f[3], tonumber(f[4]), d, scanner, scannerName, changed, f[11] or ''}
end

if op == 'read' then
  return reply('ok', state)
end
if op == 'replay' then
  local r = reply('ok', state)
  local fields = redis.call('HMGET', key, 'ik', 'rb')
  if state == 'completed' and ARGV[3] ~= '' and fields[1] == ARGV[3] and fields[2] then
    r[10] = fields[2]
  else
    r[10] = ''
  end
  return r
end
if op == 'remember' then
  if state == 'completed' and ARGV[3] ~= '' and redis.call('HGET', key, 'ik') == ARGV[3] then
    redis.call('HSET', key, 'rb', ARGV[4])
    return reply('ok', state)
  end
  return reply('conflict', state)
end
if state == 'expired' then
  return reply('expired', state)
end

if op == 'scan' then
  if state == 'pending' then
    scanner = ARGV[2]
    scannerName = ARGV[3]
    deadlines.scanned = now + tonumber(f[10])
    redis.call('HSET', key, 'st', 'scanned', 'su', scanner, 'sn', scannerName, 'cd', deadlines.scanned)
    changed = 1
    return reply('ok', 'scanned')
  end
  if state == 'scanned' and scanner == ARGV[2] then
    return reply('ok', state)
  end
  return reply('conflict', state)
end

if op == 'confirm' or op == 'cancel' then
  if state == 'pending' then
    return reply('conflict', state)
  end
  if scanner ~= ARGV[2] then
    return reply('forbidden', state)
  end
  if state ~= 'scanned' then
    return reply('conflict', state)
  end
  if op == 'confirm' then
    deadlines.confirmed = now + tonumber(ARGV[3])
    redis.call('HSET', key, 'st', 'confirmed', 'xd', deadlines.confirmed)
    changed = 1
    return reply('ok', 'confirmed')
  end
  redis.call('HSET', key, 'st', 'cancelled')
  changed = 1
  return reply('ok', 'cancelled')
end

if op == 'complete' then
  if state == 'completed' and ARGV[3] ~= '' and redis.call('HGET', key, 'ik') == ARGV[3]
      and redis.call('HEXISTS', key, 'rb') == 0 then
    -- the same browser (same key) again, after an attempt that failed before it had an answer to keep (Redis went away
    -- mid-redemption, a failover): that attempt handed out nothing, so this one may
    return reply('ok', 'completed')
  end
  if state ~= 'confirmed' then
    return reply('conflict', state)
  end
  redis.call('HSET', key, 'st', 'completed', 'ik', ARGV[3] or '')
  changed = 1
  return reply('ok', 'completed')
end

if op == 'reopen' then
  if state == 'completed' then
    redis.call('HSET', key, 'st', 'confirmed', 'ik', '')
    redis.call('HDEL', key, 'rb')
    return reply('ok', 'confirmed')
  end
  return reply('conflict', state)
end

return redis.error_reply('unknown op ' .. op)
