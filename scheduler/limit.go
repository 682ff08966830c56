package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"hocvuso/bot"
)

// Limiter spaces the messages of every replica out in Redis: at most Rate
// messages a second per channel (one bot), and one per ChatInterval per
// chat. Each message takes a slot, the first one free for both its channel
// and its chat, and waits for it; slots are given by Redis's clock, so the
// replicas' clocks do not matter.
type Limiter struct {
	rdb    *redis.Client
	prefix string
	// Rate is messages per second per channel.
	Rate float64
	// ChatInterval is the least time between two messages to one chat.
	ChatInterval time.Duration
	// MaxWait is the longest wait for a slot: a message whose slot is
	// later takes none, and is tried again later.
	MaxWait time.Duration
}

// NewLimiter returns a limiter over rdb, its keys under prefix.
func NewLimiter(rdb *redis.Client, prefix string, rate float64, chatInterval time.Duration) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix, Rate: rate, ChatInterval: chatInterval, MaxWait: 10 * time.Second}
}

// Keys share the channel's hash tag, so the script is valid on a cluster.
func (l *Limiter) keys(ch bot.Channel, chatID string) []string {
	tag := l.prefix + "{rl:" + string(ch) + "}"
	return []string{tag, tag + ":" + chatID}
}

// reserve takes the first slot at or after now free for both keys, unless
// it is more than max away: then it takes none and returns minus the wait.
// Times are microseconds of Redis's clock; a key holds the first free
// time, and expires once that time is past.
var reserve = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local every, chatEvery, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or 0), tonumber(redis.call('GET', KEYS[2]) or 0))
local wait = slot - now
if wait > max then
  return -wait
end
redis.call('SET', KEYS[1], string.format('%d', slot + every), 'PX', math.floor((wait + every) / 1000) + 1000)
redis.call('SET', KEYS[2], string.format('%d', slot + chatEvery), 'PX', math.floor((wait + chatEvery) / 1000) + 1000)
return wait
`)

// pause moves the channel's first free time to now + ARGV[1] microseconds,
// if it is earlier.
var pause = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_ = now + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or 0) then
  redis.call('SET', KEYS[1], string.format('%d', until_), 'PX', math.floor(tonumber(ARGV[1]) / 1000) + 1000)
end
return 0
`)

// Reserve takes a slot for one message to chatID on ch and returns how long
// to wait for it. ok is false when the first slot is more than MaxWait
// away: no slot is taken, and wait says how long until then.
func (l *Limiter) Reserve(ctx context.Context, ch bot.Channel, chatID string) (wait time.Duration, ok bool, err error) {
	every := int64(float64(time.Second/time.Microsecond) / l.Rate)
	us, err := reserve.Run(ctx, l.rdb, l.keys(ch, chatID), every, l.ChatInterval.Microseconds(), l.MaxWait.Microseconds()).Int64()
	if err != nil {
		return 0, false, fmt.Errorf("rate limit: %w", err)
	}
	if us < 0 {
		return time.Duration(-us) * time.Microsecond, false, nil
	}
	return time.Duration(us) * time.Microsecond, true, nil
}

// Pause holds every message of ch, on every replica, for d: the channel
// asked us to wait (a 429).
func (l *Limiter) Pause(ctx context.Context, ch bot.Channel, d time.Duration) error {
	if err := pause.Run(ctx, l.rdb, l.keys(ch, "")[:1], d.Microseconds()).Err(); err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	return nil
}
