-- Follow ("1") or unfollow ("0"), keeping both sides' sets (each with the sentinel member "0" once loaded).
-- A set not loaded yet is left alone: it is rebuilt from PostgreSQL on its next read.
-- KEYS[1] followers of the followee, KEYS[2] followees of the follower; ARGV follower, followee, follow
for i = 1, 2 do
  if redis.call('SISMEMBER', KEYS[i], '0') == 1 then
    local member
    if i == 2 then member = ARGV[2] else member = ARGV[1] end
    if ARGV[3] == '1' then
      redis.call('SADD', KEYS[i], member)
    else
      redis.call('SREM', KEYS[i], member)
    end
  end
end
return 1
