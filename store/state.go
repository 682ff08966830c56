package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"hocvuso/bot"
)

// State keeps conversation records, update bookkeeping and per-chat locks in
// Redis. All keys of one chat share a hash tag, so the scripts stay valid on a
// Redis Cluster.
type State struct {
	rdb    redis.UniversalClient
	prefix string
	// SessionTTL is how long an idle conversation is remembered.
	SessionTTL time.Duration
	// UpdateTTL is how long an update id is remembered: Telegram keeps
	// undelivered updates for 24 hours.
	UpdateTTL time.Duration
	// LockTTL bounds how long a crashed replica can hold a chat.
	LockTTL time.Duration
	// OrderWindow is how long an update waits, once queued, for earlier
	// updates of the same chat that arrived at the same moment. Updates of
	// channels that deliver in order (Acquire's inOrder) do not wait.
	OrderWindow time.Duration
}

// NewState returns the Redis state store; prefix namespaces every key.
//
// On a plain *redis.Client the commands of updates handled at the same time
// are pipelined together (go-redis's AutoPipeline): each caller still waits
// for its own reply, but many updates' calls share one write and one read,
// which under load saves most of the system calls of the bot and of Redis.
func NewState(rdb redis.UniversalClient, prefix string) *State {
	if c, ok := rdb.(*redis.Client); ok {
		if ap, err := c.AutoPipeline(); err == nil {
			rdb = ap
		}
	}
	return &State{
		rdb:         rdb,
		prefix:      prefix,
		SessionTTL:  30 * 24 * time.Hour,
		UpdateTTL:   24 * time.Hour,
		LockTTL:     30 * time.Second,
		OrderWindow: 2 * time.Millisecond,
	}
}

// Acquire scripts. Keys: 1 lock, 2 queue, 3 my heartbeat, 4 update, 5 conversation.
// A waiter is queued by seq and keeps a heartbeat key alive while it waits;
// a queued waiter whose heartbeat lapsed (its replica died) is dropped.
var enqueueScript = redis.NewScript(`
redis.call('ZADD', KEYS[2], 'NX', ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
return 1`)

// The lock holds "<token>:<update id>". Done marks the update done and
// leaves the lock (one plain SET instead of a script): a lock whose update
// is marked done is free, and taken over here.
//
// When no one holds the chat or waits for it, the lock is taken at once.
// Otherwise every poll (re)takes the waiter's place and keeps the queue
// alive, so the queue outlives LockTTL while anyone waits in it.
var acquireScript = redis.NewScript(`
local function take()
  local holder = redis.call('GET', KEYS[1])
  if holder then
    local at = string.find(holder, ':', 1, true)
    if not (at and redis.call('GET', ARGV[7] .. string.sub(holder, at + 1)) == 'd') then
      return false
    end
  end
  redis.call('SET', KEYS[1], ARGV[5], 'PX', ARGV[4])
  return true
end
if redis.call('EXISTS', KEYS[2]) == 0 and take() then
  local conv = redis.call('HMGET', KEYS[5], 'v', 'd')
  return {1, redis.call('GET', KEYS[4]), conv[1], conv[2]}
end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], 'NX', ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
while true do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)
  if head[1] == ARGV[2] then
    break
  elseif redis.call('EXISTS', ARGV[6] .. head[1]) == 0 then
    redis.call('ZREM', KEYS[2], head[1])
  else
    return {0}
  end
end
if not take() then
  return {0}
end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[3])
local conv = redis.call('HMGET', KEYS[5], 'v', 'd')
return {1, redis.call('GET', KEYS[4]), conv[1], conv[2]}`)

// Commit: keys 1 conversation, 2 update, 3 lock. Compare-and-set on the version.
var commitScript = redis.NewScript(`
if redis.call('GET', KEYS[3]) ~= ARGV[6] then return -1 end
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tonumber(ARGV[1]) + 1, 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[5])
return 1`)

// Release: key 1 lock. Frees the lock if it is still ours.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`)

const (
	markDone    = "d"
	markPending = "p"
)

func (s *State) keys(chat bot.ChatKey, updateID string) (lock, queue, hb, upd, conv, hbPrefix, updPrefix string) {
	tag := "{" + string(chat.Channel) + ":" + chat.ChatID + "}"
	hbPrefix = s.prefix + "w:" + tag + ":"
	updPrefix = s.prefix + "upd:" + tag + ":"
	return s.prefix + "lock:" + tag, s.prefix + "q:" + tag, hbPrefix + updateID,
		updPrefix + updateID, s.prefix + "conv:" + tag, hbPrefix, updPrefix
}

// Acquire implements bot.StateStore.
func (s *State) Acquire(ctx context.Context, chat bot.ChatKey, updateID string, seq int64, inOrder bool) (bot.Lease, error) {
	lock, queue, hb, upd, conv, hbPrefix, updPrefix := s.keys(chat, updateID)
	token := newToken() + ":" + updateID
	hbTTL := strconv.FormatInt(int64(5*time.Second/time.Millisecond), 10)
	lockTTL := strconv.FormatInt(s.LockTTL.Milliseconds(), 10)
	seqArg := strconv.FormatInt(seq, 10)
	if s.OrderWindow > 0 && !inOrder {
		if err := enqueueScript.Run(ctx, s.rdb, []string{lock, queue, hb}, seqArg, updateID, hbTTL, lockTTL).Err(); err != nil {
			return nil, err
		}
		if err := sleep(ctx, s.OrderWindow); err != nil {
			s.leave(ctx, queue, hb, updateID)
			return nil, err
		}
	}
	wait := time.Millisecond
	for {
		res, err := acquireScript.Run(ctx, s.rdb, []string{lock, queue, hb, upd, conv},
			seqArg, updateID, hbTTL, lockTTL, token, hbPrefix, updPrefix).Slice()
		if err != nil {
			return nil, err
		}
		if n, _ := res[0].(int64); n == 1 {
			l := &lease{s: s, lock: lock, upd: upd, conv: conv, token: token, chat: chat, updateID: updateID}
			if err := l.load(res[1:]); err != nil {
				l.Release(ctx)
				return nil, err
			}
			return l, nil
		}
		if err := sleep(ctx, wait); err != nil {
			s.leave(ctx, queue, hb, updateID)
			return nil, fmt.Errorf("waiting for chat %s:%s: %w", chat.Channel, chat.ChatID, err)
		}
		wait = min(wait*2, 25*time.Millisecond)
	}
}

// leave takes a waiter that gives up out of the queue, so that it holds up
// no one until its heartbeat lapses. A concurrent redelivery of the same
// update retakes its place at its next poll.
func (s *State) leave(ctx context.Context, queue, hb, updateID string) {
	ctx = context.WithoutCancel(ctx)
	_, _ = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, queue, updateID)
		p.Del(ctx, hb)
		return nil
	})
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type lease struct {
	s               *State
	lock, upd, conv string
	token           string
	chat            bot.ChatKey
	updateID        string
	status          bot.UpdateStatus
	outbox          []bot.Outgoing
	session         *bot.Session
	released        bool
}

func (l *lease) load(vals []any) error {
	if mark, ok := vals[0].(string); ok && mark != "" {
		switch mark[0] {
		case markDone[0]:
			l.status = bot.StatusDone
		case markPending[0]:
			l.status = bot.StatusPending
			if err := json.Unmarshal([]byte(mark[1:]), &l.outbox); err != nil {
				l.status = bot.StatusDone // an unreadable outbox cannot be resent
			}
		}
	}
	if v, ok := vals[1].(string); ok {
		sess := &bot.Session{}
		ver, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("session version %q: %w", v, err)
		}
		if d, ok := vals[2].(string); ok && d != "" {
			if err := decodeSession([]byte(d), sess); err != nil {
				// A record we cannot read is treated as lost, never as a crash.
				sess = &bot.Session{Lost: true}
			}
		}
		sess.Version = ver
		l.session = sess
	}
	return nil
}

func (l *lease) Status() bot.UpdateStatus { return l.status }
func (l *lease) Outbox() []bot.Outgoing   { return l.outbox }
func (l *lease) Session() *bot.Session    { return l.session }

// errReleased is the use of a lease after Done, Release or Fail.
var errReleased = errors.New("store: lease already released")

// commitBufs recycles the buffers a commit's session and outbox are written
// into: once the script has answered, Redis has read them.
var commitBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

func (l *lease) Commit(ctx context.Context, sess *bot.Session, outbox []bot.Outgoing) error {
	if l.released {
		return errReleased
	}
	bp := commitBufs.Get().(*[]byte)
	buf, err := appendSession((*bp)[:0], sess)
	if err != nil {
		return err
	}
	end := len(buf)
	var mark any = markDone
	if len(outbox) > 0 {
		if buf, err = appendOutboxMark(buf, markPending, outbox); err != nil {
			return err
		}
		mark = buf[end:]
	}
	n, err := commitScript.Run(ctx, l.s.rdb, []string{l.conv, l.upd, l.lock},
		sess.Version, buf[:end], l.s.SessionTTL.Milliseconds(), mark, l.s.UpdateTTL.Milliseconds(), l.token).Int()
	if err != nil {
		// The command may still be queued to be written (a cancelled
		// wait): the buffer is left to the GC, never reused.
		return err
	}
	if cap(buf) <= 64<<10 {
		*bp = buf[:0]
		commitBufs.Put(bp)
	}
	if n != 1 {
		return bot.ErrConflict
	}
	sess.Version++
	return nil
}

func (l *lease) Progress(ctx context.Context, remaining []bot.Outgoing) error {
	if l.released {
		return errReleased
	}
	b, err := encodeOutbox(markPending, remaining)
	if err != nil {
		return err
	}
	return l.s.rdb.Set(ctx, l.upd, b, l.s.UpdateTTL).Err()
}

// Done marks the update done, which frees the chat: the next update takes
// over a lock whose update is done (see acquireScript), and the lock expires
// anyway. One plain SET, not a script: it ends every update.
func (l *lease) Done(ctx context.Context) error {
	if l.released {
		return nil
	}
	l.released = true
	return l.s.rdb.Set(ctx, l.upd, markDone, l.s.UpdateTTL).Err()
}

func (l *lease) Release(ctx context.Context) {
	if l.released {
		return
	}
	l.released = true
	_ = releaseScript.Run(context.WithoutCancel(ctx), l.s.rdb, []string{l.lock}, l.token).Err()
}

var failScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
if n >= tonumber(ARGV[3]) then redis.call('SET', KEYS[2], 'd', 'PX', ARGV[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return n`)

// MaxAttempts is how many failures make an update poison: at that count it
// is marked done, so it is never applied again.
const MaxAttempts = 3

func (l *lease) Fail(ctx context.Context) (int, bool, error) {
	if l.released {
		return 0, false, errReleased
	}
	l.released = true
	n, err := failScript.Run(context.WithoutCancel(ctx), l.s.rdb, []string{l.lock, l.upd, l.upd + ":fail"},
		l.token, l.s.UpdateTTL.Milliseconds(), MaxAttempts).Int()
	return n, n >= MaxAttempts, err
}

// Ping checks that Redis answers.
func (s *State) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }
