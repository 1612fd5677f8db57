package redisrate

import "github.com/redis/go-redis/v9"

// pauseScript moves the pause gate KEYS[1] to now+ARGV[1] milliseconds, by the
// server's clock, unless it already stands later. The key holds the end of the
// pause in Unix milliseconds and expires then, so PTTL reads the time left.
// It returns the milliseconds left on the gate.
var pauseScript = redis.NewScript(`
redis.replicate_commands()
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
local deadline = now + ttl
local cur = tonumber(redis.call("GET", KEYS[1]) or "0") or 0
if cur >= deadline then
  return cur - now
end
redis.call("SET", KEYS[1], string.format("%.0f", deadline), "PX", ttl)
return ttl
`)
