package redisrate

import "github.com/redis/go-redis/v9"

// pauseScript moves the pause gate KEYS[1] to now+ARGV[1] milliseconds, by the
// server's clock, unless it already stands later. The key holds the end of the
// pause in Unix milliseconds and expires then, so PTTL reads the time left.
// It returns the milliseconds left on the gate.
//
// When it moves the gate by d (from its end, or from now if it was open), it
// pushes back by d every slot taken and not yet due (see reserveScript), so
// that they keep their order and spacing behind the gate instead of going at
// once when it opens: it adds d, in ms, to the shift KEYS[2], which the
// callers holding those slots read once their slot comes, and moves the GCRA
// state KEYS[3] on by d if a slot is outstanding (the TAT is past
// now+ARGV[2], the burst offset b*T in seconds: a slot due at s left it at
// s+b*T). Pushing back every slot from some point on never puts more of
// them in any window, so the budget's bound holds.
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
local d = deadline - math.max(cur, now)
redis.call("INCRBY", KEYS[2], d)
local tat = tonumber(redis.call("GET", KEYS[3]) or "")
local now_s = (tonumber(t[1]) - ` + epochLua + `) + tonumber(t[2]) / 1000000
if tat and tat > now_s + tonumber(ARGV[2]) then
  local moved = tat + d / 1000
  redis.call("SET", KEYS[3], string.format("%.17g", moved), "EX", math.max(1, math.ceil(moved - now_s)))
end
return ttl
`)
