-- Reserves one request of a tenant, atomically, on Redis's clock.
-- KEYS[1] log: sorted set, reservation id -> admission time (ms)
-- KEYS[2] tokens: hash, reservation id -> tokens counted
-- KEYS[3] sums: hash, 'tok' -> tokens counted over the log
-- KEYS[4] budget: the period's committed USD (spent plus outstanding), a float string
-- ARGV: rpm (0: none), tpm (0: none), tokens, usd, budget USD (negative: none), id, window ms,
--       budget key TTL s, the period's spend before this store (from the ledger)
-- Returns {admitted 0/1, denied limit or '', retry ms, requests in window, tokens in window,
--          ms until the oldest admission leaves the window}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rpm, tpm, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local usd, budget, id, window = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])

-- What left the window.
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
if #old > 0 then
  local freed = 0
  for _, e in ipairs(old) do
    local a = redis.call('HGET', KEYS[2], e)
    if a then freed = freed + tonumber(a) end
    redis.call('HDEL', KEYS[2], e)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  redis.call('HINCRBY', KEYS[3], 'tok', -freed)
end
local count = redis.call('ZCARD', KEYS[1])
local tok = tonumber(redis.call('HGET', KEYS[3], 'tok') or '0')

local function oldest()
  local e = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #e == 0 then return 0 end
  return tonumber(e[2]) + window - now
end

if rpm > 0 and count + 1 > rpm then
  local e = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
  return {0, 'requests', tonumber(e[2]) + window - now, count, tok, oldest()}
end
if tpm > 0 and tok + want > tpm then
  local retry = window
  if want <= tpm then
    local excess = tok + want - tpm
    local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
    for i = 1, #all, 2 do
      excess = excess - tonumber(redis.call('HGET', KEYS[2], all[i]) or '0')
      if excess <= 0 then
        retry = tonumber(all[i + 1]) + window - now
        break
      end
    end
  end
  return {0, 'tokens', retry, count, tok, oldest()}
end
if budget >= 0 then
  redis.call('SET', KEYS[4], ARGV[9], 'NX', 'EX', tonumber(ARGV[8]))
  local committed = tonumber(redis.call('GET', KEYS[4]))
  if committed + usd > budget then
    return {0, 'budget', 0, count, tok, oldest()}
  end
  redis.call('INCRBYFLOAT', KEYS[4], ARGV[4])
end

redis.call('ZADD', KEYS[1], now, id)
redis.call('HSET', KEYS[2], id, want)
redis.call('HINCRBY', KEYS[3], 'tok', want)
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], window * 2) end
return {1, '', 0, count + 1, tok + want, oldest()}
