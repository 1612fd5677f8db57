package redisrate

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// gcraEpoch is the epoch of the GCRA state, in Unix seconds (2017-01-01), as
// redis_rate counts it: the state stays compatible with replicas of earlier
// versions of this package, which admitted with redis_rate's own script.
const gcraEpoch = 1483228800

// reserveScript takes the next slot of a class and returns its wait, in one
// round trip, unless the class is paused or the wait would pass a limit.
//
// KEYS: the GCRA state (the theoretical arrival time, TAT, in seconds since
// gcraEpoch), the pause gate (its end in Unix ms), the shift (in ms, how far
// pauses pushed back the slots taken before them; see pauseScript).
// ARGV: burst, rate, period in seconds, the longest wait accepted in seconds
// (negative: any).
//
// It returns {taken, wait in seconds, the TAT it stored, the shift}.
// When the gate is closed it takes nothing and the wait is the gate's; when
// the wait would pass the limit it takes nothing and the wait is the slot's.
//
// Reserving is GCRA with the arrival moved to the slot: a slot is due at
// max(now, TAT+T-b*T) for T = period/rate and burst b, and the TAT always
// moves on by T. The slots are the times at which redis_rate's script would
// admit callers that come back exactly when told, so no window of the period
// holds more than b + rate of them (see gcraLimit); callers are served in the
// order they reserved, one round trip each, however many wait.
var reserveScript = redis.NewScript(`
redis.replicate_commands()
local t = redis.call("TIME")
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local shift = redis.call("GET", KEYS[3]) or "0"
local gate = tonumber(redis.call("GET", KEYS[2]) or "0") or 0
if gate > now_ms then
  return {0, tostring((gate - now_ms) / 1000), "", shift}
end
local burst = tonumber(ARGV[1])
local interval = tonumber(ARGV[3]) / tonumber(ARGV[2])
local max_wait = tonumber(ARGV[4])
local now = (tonumber(t[1]) - ` + epochLua + `) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call("GET", KEYS[1]) or "") or now
local new_tat = math.max(tat, now) + interval
local wait = math.max(new_tat - interval * burst - now, 0)
if max_wait >= 0 and wait > max_wait then
  return {0, tostring(wait), "", shift}
end
local stored = string.format("%.17g", new_tat)
redis.call("SET", KEYS[1], stored, "EX", math.max(1, math.ceil(new_tat - now)))
return {1, tostring(wait), stored, shift}
`)

// releaseScript gives a slot back when its caller gave up before using it,
// if no later slot was taken since (the TAT is still the one it stored).
// KEYS: the GCRA state. ARGV: the TAT the reservation stored, the interval T
// in seconds.
var releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) ~= ARGV[1] then
  return 0
end
local back = string.format("%.17g", tonumber(ARGV[1]) - tonumber(ARGV[2]))
local ttl = redis.call("PTTL", KEYS[1])
if ttl > 0 then
  redis.call("SET", KEYS[1], back, "PX", ttl)
else
  redis.call("SET", KEYS[1], back)
end
return 1
`)

var epochLua = strconv.Itoa(gcraEpoch)

// reservation is the answer of reserveScript.
type reservation struct {
	taken bool
	wait  time.Duration
	tat   string // the TAT stored, to give the slot back
	shift int64  // the shift when it was taken, in ms
}

// reserve runs reserveScript for class cl; maxWait < 0 means any wait.
func (l *Limiter) reserve(ctx context.Context, cl *class, maxWait time.Duration) (reservation, error) {
	limit := -1.0
	if maxWait >= 0 {
		limit = maxWait.Seconds()
	}
	v, err := reserveScript.Run(ctx, l.rdb, []string{cl.gcraKey, cl.pauseKey, cl.shiftKey},
		cl.limit.Burst, cl.limit.Rate, cl.limit.Period.Seconds(), limit).Slice()
	if err != nil {
		return reservation{}, err
	}
	if len(v) != 4 {
		return reservation{}, fmt.Errorf("reserve script answered %d values", len(v))
	}
	taken, _ := v[0].(int64)
	waitS, _ := v[1].(string)
	tat, _ := v[2].(string)
	shiftS, _ := v[3].(string)
	shift, err := strconv.ParseInt(shiftS, 10, 64)
	if err != nil {
		return reservation{}, fmt.Errorf("reserve script: shift %q: %w", shiftS, err)
	}
	secs, err := strconv.ParseFloat(waitS, 64)
	if err != nil {
		return reservation{}, fmt.Errorf("reserve script: wait %q: %w", waitS, err)
	}
	// Rounded up to the microsecond, so that the caller never goes early.
	wait := (time.Duration(secs*float64(time.Second)) + time.Microsecond - 1).Truncate(time.Microsecond)
	return reservation{taken: taken == 1, wait: wait, tat: tat, shift: shift}, nil
}

// release gives the slot of r back if it is still the last one taken. It
// outlives ctx, bounded like Pause, and a failure only costs the slot.
func (l *Limiter) release(ctx context.Context, cl *class, r reservation) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pauseTimeout)
	defer cancel()
	interval := cl.limit.Period.Seconds() / float64(cl.limit.Rate)
	_ = releaseScript.Run(ctx, l.rdb, []string{cl.gcraKey}, r.tat, interval).Err()
}

// shifted returns how much later than when it was taken the slot of r is
// due, because of the pauses set since (see pauseScript), and records the
// shift in r. An error counts as no shift: the slot was taken, and Redis is
// not asked again; so does a shift gone (Redis restarted).
func (l *Limiter) shifted(ctx context.Context, cl *class, r *reservation) time.Duration {
	now, err := l.rdb.Get(ctx, cl.shiftKey).Int64()
	if err != nil || now <= r.shift {
		return 0
	}
	d := time.Duration(now-r.shift) * time.Millisecond
	r.shift = now
	return d
}
