package rpcserver

import (
	"sync"
	"time"
)

// limiter is a token bucket per organization: each holds up to burst
// tokens, refilled at rate per second; a request takes one.
type limiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}, lastSweep: now()}
}

// sweepEvery is how often buckets that have refilled are forgotten, so
// that the map holds only recently active organizations.
const sweepEvery = time.Minute

// allow takes a token of org's bucket, or reports how long until one is
// available.
func (l *limiter) allow(org string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= sweepEvery {
		for k, b := range l.buckets {
			if b.refill(now, l.rate, l.burst) >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b := l.buckets[org]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[org] = b
	}
	if b.refill(now, l.rate, l.burst) >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (b *bucket) refill(now time.Time, rate, burst float64) float64 {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed.Seconds()*rate)
		b.last = now
	}
	return b.tokens
}
