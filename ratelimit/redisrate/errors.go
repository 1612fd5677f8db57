package redisrate

import "errors"

// ErrUnavailable is matched with errors.Is by the error that [Limiter.Acquire]
// returns when Redis did not answer and no fallback is set. The full error
// reads "redisrate: redis unavailable: " followed by the Redis client's error.
var ErrUnavailable = errors.New("redisrate: redis unavailable")
