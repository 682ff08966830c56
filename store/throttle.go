package store

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Throttle counts failures of one kind per key (a chat account) in Redis, in
// fixed windows: the first failure opens a window of Window; once Limit
// failures fall in it, the key is refused until the window ends. Every
// replica shares the count. Losing Redis forgets the counts, nothing more.
//
// Key: <prefix>throttle:<name>:{<key>}, a counter that expires with its window.
type Throttle struct {
	rdb    redis.UniversalClient
	prefix string
	Limit  int
	Window time.Duration
}

// NewThrottle returns a throttle named name (a part of its keys), refusing
// after limit failures within window.
func NewThrottle(rdb redis.UniversalClient, prefix, name string, limit int, window time.Duration) *Throttle {
	return &Throttle{rdb: rdb, prefix: prefix + "throttle:" + name + ":", Limit: limit, Window: window}
}

func (t *Throttle) key(k string) string { return t.prefix + "{" + k + "}" }

// Wait tells how long key is still refused: zero when it may try.
func (t *Throttle) Wait(ctx context.Context, key string) (time.Duration, error) {
	n, ttl, err := t.read(ctx, key)
	if err != nil || n < t.Limit {
		return 0, err
	}
	return ttl, nil
}

func (t *Throttle) read(ctx context.Context, key string) (int, time.Duration, error) {
	pipe := t.rdb.Pipeline()
	get := pipe.Get(ctx, t.key(key))
	ttl := pipe.PTTL(ctx, t.key(key))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, 0, err
	}
	n, err := get.Int()
	if errors.Is(err, redis.Nil) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	return n, max(ttl.Val(), 0), nil
}

// throttleScript counts a failure, opening the window on the first one (or
// repairing a counter left without expiry).
var throttleScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {n, redis.call('PTTL', KEYS[1])}`)

// Fail counts a failure of key. It returns how many tries are left in the
// window, and how long key is now refused (zero while tries are left).
func (t *Throttle) Fail(ctx context.Context, key string) (left int, wait time.Duration, err error) {
	res, err := throttleScript.Run(ctx, t.rdb, []string{t.key(key)}, t.Window.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	n, ttl := int(res[0]), time.Duration(res[1])*time.Millisecond
	if n >= t.Limit {
		return 0, max(ttl, 0), nil
	}
	return t.Limit - n, 0, nil
}

// Clear forgets the failures of key, after a success.
func (t *Throttle) Clear(ctx context.Context, key string) error {
	return t.rdb.Del(ctx, t.key(key)).Err()
}
