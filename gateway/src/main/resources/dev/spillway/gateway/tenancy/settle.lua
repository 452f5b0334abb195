-- Settles or releases one reservation, atomically.
-- KEYS as reserve.lua. ARGV: id, tokens used (negative: release, the request itself included),
--   USD to add to the budget period (may be negative), whether the tenant has a budget (1/0)
local cur = redis.call('HGET', KEYS[2], ARGV[1])
local used = tonumber(ARGV[2])
if cur then
  if used < 0 then
    redis.call('HDEL', KEYS[2], ARGV[1])
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('HINCRBY', KEYS[3], 'tok', -tonumber(cur))
  else
    redis.call('HSET', KEYS[2], ARGV[1], used)
    redis.call('HINCRBY', KEYS[3], 'tok', used - tonumber(cur))
  end
end
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('INCRBYFLOAT', KEYS[4], ARGV[3])
end
return 1
