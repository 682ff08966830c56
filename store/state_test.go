package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

var stateChat = bot.ChatKey{Channel: bot.Telegram, ChatID: "42"}

func newTestState(t *testing.T) (*store.State, storetest.Redis) {
	t.Helper()
	r := storetest.NewRedis(t)
	return store.NewState(r.Client, r.Prefix), r
}

func acquireChat(t *testing.T, s *store.State, updateID string, seq int64) bot.Lease {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := s.Acquire(ctx, stateChat, updateID, seq, false)
	if err != nil {
		t.Fatalf("Acquire(%s): %v", updateID, err)
	}
	return l
}

func outgoing(text string) bot.Outgoing {
	return bot.Outgoing{Target: bot.Target{Channel: bot.Telegram, ChatID: stateChat.ChatID}, Reply: bot.Reply{Text: text}}
}

// Key names, for the tests that play a dead replica by writing Redis directly.
func queueKeyOf(r storetest.Redis) string {
	return r.Prefix + "q:{" + string(stateChat.Channel) + ":" + stateChat.ChatID + "}"
}

func heartbeatKeyOf(r storetest.Redis, updateID string) string {
	return r.Prefix + "w:{" + string(stateChat.Channel) + ":" + stateChat.ChatID + "}:" + updateID
}

// convKeyOf finds the conversation record of the chat among the test's keys.
func convKeyOf(t *testing.T, r storetest.Redis) string {
	t.Helper()
	for _, k := range r.Keys(t) {
		if strings.Contains(k, "conv:") {
			return k
		}
	}
	t.Fatal("no conversation record in Redis")
	return ""
}

func TestState_FreshChatIsNewWithoutSession(t *testing.T) {
	s, _ := newTestState(t)
	l := acquireChat(t, s, "u1", 1)
	defer l.Release(context.Background())
	if l.Status() != bot.StatusNew {
		t.Errorf("Status = %v; want StatusNew", l.Status())
	}
	if l.Session() != nil {
		t.Errorf("Session = %+v; want nil", l.Session())
	}
	if l.Outbox() != nil {
		t.Errorf("Outbox = %+v; want none", l.Outbox())
	}
}

func TestState_CommittedSessionIsLoadedWithItsVersion(t *testing.T) {
	s, _ := newTestState(t)
	ctx := context.Background()
	l := acquireChat(t, s, "u1", 1)
	sess := &bot.Session{UserID: 7, Lang: "en", Flow: "quiz", Step: "q2", Screen: 3, Data: []byte(`{"score":2}`)}
	if err := l.Commit(ctx, sess, nil); err != nil {
		t.Fatal(err)
	}
	if sess.Version != 1 {
		t.Errorf("Version after Commit = %d; want 1", sess.Version)
	}
	if err := l.Done(ctx); err != nil {
		t.Fatal(err)
	}

	l = acquireChat(t, s, "u2", 2)
	defer l.Release(ctx)
	if l.Status() != bot.StatusNew {
		t.Errorf("Status of another update = %v; want StatusNew", l.Status())
	}
	got := l.Session()
	if got == nil {
		t.Fatal("Session = nil after a commit")
	}
	if got.Version != 1 || got.UserID != 7 || got.Lang != "en" || got.Flow != "quiz" || got.Step != "q2" ||
		got.Screen != 3 || string(got.Data) != `{"score":2}` || got.Lost {
		t.Errorf("Session = %+v; want what was committed, at version 1", got)
	}
}

func TestState_DeliveredUpdateIsDone(t *testing.T) {
	s, _ := newTestState(t)
	ctx := context.Background()
	l := acquireChat(t, s, "u1", 1)
	if err := l.Commit(ctx, &bot.Session{}, []bot.Outgoing{outgoing("hi")}); err != nil {
		t.Fatal(err)
	}
	if err := l.Done(ctx); err != nil {
		t.Fatal(err)
	}
	l = acquireChat(t, s, "u1", 1)
	defer l.Release(ctx)
	if l.Status() != bot.StatusDone {
		t.Errorf("Status of a redelivered, delivered update = %v; want StatusDone", l.Status())
	}
}

func TestState_UndeliveredUpdateIsPendingWithItsOutbox(t *testing.T) {
	s, _ := newTestState(t)
	ctx := context.Background()
	l := acquireChat(t, s, "u1", 1)
	outbox := []bot.Outgoing{outgoing("một"), outgoing("hai"), outgoing("ba")}
	if err := l.Commit(ctx, &bot.Session{}, outbox); err != nil {
		t.Fatal(err)
	}
	l.Release(ctx) // the replica died before delivering

	l = acquireChat(t, s, "u1", 1)
	if l.Status() != bot.StatusPending {
		t.Fatalf("Status = %v; want StatusPending", l.Status())
	}
	if !slices.EqualFunc(l.Outbox(), outbox, func(a, b bot.Outgoing) bool { return a.Target == b.Target && a.Reply.Text == b.Reply.Text }) {
		t.Errorf("Outbox = %+v; want %+v", l.Outbox(), outbox)
	}
	// "một" went out, then sending failed: only the rest is left.
	if err := l.Progress(ctx, outbox[1:]); err != nil {
		t.Fatal(err)
	}
	l.Release(ctx)

	l = acquireChat(t, s, "u1", 1)
	if l.Status() != bot.StatusPending || len(l.Outbox()) != 2 || l.Outbox()[0].Reply.Text != "hai" {
		t.Fatalf("after Progress: Status = %v, Outbox = %+v; want pending [hai ba]", l.Status(), l.Outbox())
	}
	if err := l.Done(ctx); err != nil {
		t.Fatal(err)
	}
	l = acquireChat(t, s, "u1", 1)
	defer l.Release(ctx)
	if l.Status() != bot.StatusDone {
		t.Errorf("after Done: Status = %v; want StatusDone", l.Status())
	}
}

func TestState_CommitWithStaleVersionConflicts(t *testing.T) {
	s, _ := newTestState(t)
	ctx := context.Background()
	l := acquireChat(t, s, "u1", 1)
	if err := l.Commit(ctx, &bot.Session{Flow: "a"}, nil); err != nil {
		t.Fatal(err)
	}
	_ = l.Done(ctx)

	l = acquireChat(t, s, "u2", 2)
	defer l.Release(ctx)
	stale := &bot.Session{Flow: "b"} // version 0: written before u1's commit
	if err := l.Commit(ctx, stale, nil); !errors.Is(err, bot.ErrConflict) {
		t.Fatalf("Commit at a stale version: err = %v; want ErrConflict", err)
	}
	cur := l.Session()
	cur.Flow = "c"
	if err := l.Commit(ctx, cur, nil); err != nil {
		t.Fatalf("Commit at the current version: %v", err)
	}
}

func TestState_CrashedHolderLockExpiresAfterLockTTL(t *testing.T) {
	s, _ := newTestState(t)
	s.LockTTL = 150 * time.Millisecond
	ctx := context.Background()
	start := time.Now()
	crashed := acquireChat(t, s, "u1", 1) // never released: its replica crashed

	l := acquireChat(t, s, "u2", 2)
	defer l.Release(ctx)
	if waited := time.Since(start); waited < s.LockTTL {
		t.Errorf("chat was free after %v, before the crashed holder's LockTTL %v", waited, s.LockTTL)
	}
	// The crashed holder, should it wake up, can no longer write.
	if err := crashed.Commit(ctx, &bot.Session{}, nil); !errors.Is(err, bot.ErrConflict) {
		t.Errorf("Commit by a holder whose lock expired: err = %v; want ErrConflict", err)
	}
}

func TestState_ChatIsNeverHeldTwice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		window  time.Duration
		inOrder bool
	}{{0, false}, {2 * time.Millisecond, false}, {2 * time.Millisecond, true}} {
		t.Run(fmt.Sprintf("OrderWindow=%v,inOrder=%v", tc.window, tc.inOrder), func(t *testing.T) {
			s, _ := newTestState(t)
			s.OrderWindow = tc.window
			const workers, rounds = 4, 15
			var holders, maxHolders, seq atomic.Int64
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := range rounds {
						n := seq.Add(1)
						l, err := s.Acquire(context.Background(), stateChat, fmt.Sprintf("w%d-%d", w, i), n, tc.inOrder)
						if err != nil {
							t.Error(err)
							return
						}
						h := holders.Add(1)
						for {
							m := maxHolders.Load()
							if h <= m || maxHolders.CompareAndSwap(m, h) {
								break
							}
						}
						time.Sleep(100 * time.Microsecond)
						holders.Add(-1)
						if err := l.Done(context.Background()); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			if m := maxHolders.Load(); m != 1 {
				t.Errorf("at most %d holders at once; want 1", m)
			}
		})
	}
}

// A channel that delivers a chat's updates in order (Telegram) has no
// earlier update on its way: its update does not wait out the order window,
// but it still waits for the holder of the chat and for the earlier
// updates queued before it.
func TestState_InOrderUpdateSkipsTheWindowButNotTheQueue(t *testing.T) {
	s, r := newTestState(t)
	s.OrderWindow = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first, err := s.Acquire(ctx, stateChat, "u1", 1, true)
	if err != nil {
		t.Fatalf("an in-order update waited for the window: %v", err)
	}
	// An earlier update (a redelivery) waits in the queue, its heartbeat alive.
	if err := r.Client.ZAdd(ctx, queueKeyOf(r), redis.Z{Score: 2, Member: "u2"}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := r.Client.Set(ctx, heartbeatKeyOf(r, "u2"), "1", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := s.Acquire(ctx, stateChat, "u3", 3, true)
		if err == nil {
			err = l.Done(ctx)
		}
		got <- err
	}()
	if err := first.Done(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		t.Fatalf("u3 got the chat before u2, queued earlier (err %v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	// u2's replica died: its heartbeat lapses, and u3 goes.
	if err := r.Client.Del(ctx, heartbeatKeyOf(r, "u2")).Err(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// grantOrder starts one Acquire per seq at the same moment and returns the
// order in which they got the chat; each holds it for hold.
func grantOrder(t *testing.T, s *store.State, seqs []int64, hold time.Duration) []int64 {
	t.Helper()
	var (
		mu    sync.Mutex
		order []int64
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for _, seq := range seqs {
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			l, err := s.Acquire(ctx, stateChat, fmt.Sprintf("u%d", seq), seq, false)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, seq)
			mu.Unlock()
			time.Sleep(hold)
			if err := l.Done(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	return order
}

func TestState_UpdatesQueuedTogetherAreGrantedInSeqOrder(t *testing.T) {
	s, _ := newTestState(t)
	// Wide enough for every goroutine to queue, even under the race detector.
	s.OrderWindow = 50 * time.Millisecond
	for round := range 4 {
		base := int64(round * 10)
		seqs := []int64{base + 1, base + 2, base + 3, base + 4, base + 5}
		rand.Shuffle(len(seqs), func(i, j int) { seqs[i], seqs[j] = seqs[j], seqs[i] })
		if got := grantOrder(t, s, seqs, 5*time.Millisecond); !slices.IsSorted(got) || len(got) != len(seqs) {
			t.Errorf("started %v, granted in order %v; want ascending", seqs, got)
		}
	}
}

// The queue must last as long as someone waits in it, not merely LockTTL
// from the moment it was formed: holders that each keep well within LockTTL
// may together take longer.
func TestState_QueueOrderHoldsLongerThanLockTTL(t *testing.T) {
	s, _ := newTestState(t)
	s.OrderWindow = 50 * time.Millisecond
	s.LockTTL = 150 * time.Millisecond
	seqs := []int64{6, 2, 5, 1, 4, 3}
	if got := grantOrder(t, s, seqs, 50*time.Millisecond); !slices.IsSorted(got) || len(got) != len(seqs) {
		t.Errorf("granted in order %v; want ascending", got)
	}
}

func TestState_EarlierLiveWaiterGoesFirstButDeadWaiterDoesNotBlock(t *testing.T) {
	s, r := newTestState(t)
	ctx := context.Background()
	holder := acquireChat(t, s, "u10", 10)

	// Another replica queued update u1 (an earlier seq) and then died: its
	// entry stays in the queue while its heartbeat lasts.
	if err := r.Client.ZAdd(ctx, queueKeyOf(r), redisZ(1, "u1")).Err(); err != nil {
		t.Fatal(err)
	}
	if err := r.Client.Set(ctx, heartbeatKeyOf(r, "u1"), "1", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}

	got := make(chan bot.Lease, 1)
	go func() {
		l, err := s.Acquire(ctx, stateChat, "u20", 20, false)
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	time.Sleep(20 * time.Millisecond)
	_ = holder.Done(ctx)
	select {
	case <-got:
		t.Fatal("u20 went before u1, an earlier update whose replica is alive")
	case <-time.After(150 * time.Millisecond):
	}

	// The heartbeat lapses: the dead waiter no longer holds anyone up.
	if err := r.Client.Del(ctx, heartbeatKeyOf(r, "u1")).Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case l := <-got:
		if l != nil {
			l.Release(ctx)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("chat still blocked by a waiter whose heartbeat is gone")
	}
}

func TestState_WaiterThatGivesUpDoesNotHoldUpOthers(t *testing.T) {
	s, _ := newTestState(t)
	ctx := context.Background()
	holder := acquireChat(t, s, "u10", 10)

	// An earlier update waits, then its request is cancelled.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.Acquire(short, stateChat, "u1", 1, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire with an expiring context: err = %v; want DeadlineExceeded", err)
	}
	_ = holder.Done(ctx)

	start := time.Now()
	l := acquireChat(t, s, "u20", 20)
	defer l.Release(ctx)
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("next update waited %v for a waiter that had given up", waited)
	}
}

func TestState_OtherChatsAreNotHeldUp(t *testing.T) {
	s, _ := newTestState(t)
	ctx := context.Background()
	l := acquireChat(t, s, "u1", 1)
	defer l.Release(ctx)

	ctx2, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	other, err := s.Acquire(ctx2, bot.ChatKey{Channel: bot.Telegram, ChatID: "43"}, "u2", 2, false)
	if err != nil {
		t.Fatalf("Acquire of another chat while one is held: %v", err)
	}
	other.Release(ctx)
	zalo, err := s.Acquire(ctx2, bot.ChatKey{Channel: bot.Zalo, ChatID: stateChat.ChatID}, "u1", 1, false)
	if err != nil {
		t.Fatalf("Acquire of the same chat id on another channel: %v", err)
	}
	if zalo.Status() != bot.StatusNew {
		t.Errorf("same update id on another channel: Status = %v; want StatusNew", zalo.Status())
	}
	zalo.Release(ctx)
}

func TestState_ThirdFailureIsPoison(t *testing.T) {
	s, _ := newTestState(t)
	ctx := context.Background()
	for attempt := 1; attempt <= store.MaxAttempts; attempt++ {
		l := acquireChat(t, s, "u1", 1)
		if l.Status() != bot.StatusNew {
			t.Fatalf("attempt %d: Status = %v; want StatusNew", attempt, l.Status())
		}
		n, poison, err := l.Fail(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != attempt || poison != (attempt == store.MaxAttempts) {
			t.Errorf("Fail #%d = %d, poison %v; want %d, poison %v", attempt, n, poison, attempt, attempt == store.MaxAttempts)
		}
	}
	l := acquireChat(t, s, "u1", 1)
	defer l.Release(ctx)
	if l.Status() != bot.StatusDone {
		t.Errorf("Status of a poison update = %v; want StatusDone", l.Status())
	}
}

func TestState_FailFreesTheChat(t *testing.T) {
	s, _ := newTestState(t)
	s.LockTTL = 10 * time.Second
	ctx := context.Background()
	l := acquireChat(t, s, "u1", 1)
	if _, _, err := l.Fail(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Fail(ctx); err == nil {
		t.Error("second Fail on one lease: want an error")
	}
	ctx2, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	l, err := s.Acquire(ctx2, stateChat, "u2", 2, false)
	if err != nil {
		t.Fatalf("chat not freed by Fail: %v", err)
	}
	l.Release(ctx)
}

func TestState_KeysExpire(t *testing.T) {
	s, r := newTestState(t)
	s.SessionTTL = time.Hour
	s.UpdateTTL = 10 * time.Minute
	ctx := context.Background()
	l := acquireChat(t, s, "u1", 1)
	if err := l.Commit(ctx, &bot.Session{Flow: "home"}, []bot.Outgoing{outgoing("hi")}); err != nil {
		t.Fatal(err)
	}
	if err := l.Done(ctx); err != nil {
		t.Fatal(err)
	}
	l = acquireChat(t, s, "u2", 2)
	if _, _, err := l.Fail(ctx); err != nil {
		t.Fatal(err)
	}

	ttl, err := r.Client.PTTL(ctx, convKeyOf(t, r)).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > s.SessionTTL {
		t.Errorf("session PTTL = %v; want within (0, %v]", ttl, s.SessionTTL)
	}
	// Nothing is left to live forever.
	for _, k := range r.Keys(t) {
		ttl, err := r.Client.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 {
			t.Errorf("key %s has PTTL %v; want an expiry", k, ttl)
		}
	}
}

func TestState_UnreadableSessionIsLostNotAnError(t *testing.T) {
	s, r := newTestState(t)
	ctx := context.Background()
	l := acquireChat(t, s, "u1", 1)
	if err := l.Commit(ctx, &bot.Session{UserID: 7, Flow: "quiz"}, nil); err != nil {
		t.Fatal(err)
	}
	_ = l.Done(ctx)
	if err := r.Client.HSet(ctx, convKeyOf(t, r), "d", `{"u":"not a number",`).Err(); err != nil {
		t.Fatal(err)
	}

	l = acquireChat(t, s, "u2", 2)
	sess := l.Session()
	if sess == nil || !sess.Lost || sess.UserID != 0 || sess.Flow != "" || sess.Version != 1 {
		t.Fatalf("Session = %+v; want an empty lost session at version 1", sess)
	}
	// It can be overwritten: the conversation goes on.
	sess.Flow = "home"
	if err := l.Commit(ctx, sess, nil); err != nil {
		t.Fatalf("Commit over an unreadable record: %v", err)
	}
	_ = l.Done(ctx)
	l = acquireChat(t, s, "u3", 3)
	defer l.Release(ctx)
	if got := l.Session(); got == nil || got.Lost || got.Flow != "home" {
		t.Errorf("Session after repair = %+v; want flow home, not lost", got)
	}
}

// Done marks the update done and leaves the lock: the chat is free all the
// same, for the next update at once, while an update applied but not yet
// delivered still holds it. A lease is not used after Done.
func TestState_DoneFreesTheChat(t *testing.T) {
	s, _ := newTestState(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := acquireChat(t, s, "u1", 1)
	if err := l.Commit(ctx, &bot.Session{Flow: "home"}, []bot.Outgoing{outgoing("hello")}); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	if _, err := s.Acquire(short, stateChat, "u2", 2, true); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire while u1's replies are undelivered: err = %v; want to wait", err)
	}
	if err := l.Done(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(ctx, &bot.Session{Version: 1}, nil); err == nil {
		t.Error("Commit after Done: want an error")
	}
	next, err := s.Acquire(ctx, stateChat, "u2", 2, true)
	if err != nil {
		t.Fatalf("Acquire after Done: %v", err)
	}
	if next.Session() == nil || next.Session().Flow != "home" {
		t.Errorf("session after Done = %+v", next.Session())
	}
	// u1 came back (a redelivery): done, and the chat is u2's meanwhile.
	short2, cancelShort2 := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort2()
	if _, err := s.Acquire(short2, stateChat, "u1", 1, true); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire of a done update while u2 holds the chat: err = %v; want to wait", err)
	}
	if err := next.Done(ctx); err != nil {
		t.Fatal(err)
	}
	again := acquireChat(t, s, "u1", 1)
	defer again.Release(ctx)
	if again.Status() != bot.StatusDone {
		t.Errorf("redelivered u1: status %v; want done", again.Status())
	}
}

func TestState_CorruptRecordDoesNotKeepTheChatLocked(t *testing.T) {
	s, r := newTestState(t)
	ctx := context.Background()
	l := acquireChat(t, s, "u1", 1)
	if err := l.Commit(ctx, &bot.Session{}, nil); err != nil {
		t.Fatal(err)
	}
	_ = l.Done(ctx)
	if err := r.Client.HSet(ctx, convKeyOf(t, r), "v", "garbage").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire(ctx, stateChat, "u2", 2, false); err == nil {
		t.Fatal("Acquire over a record with an unreadable version: want an error")
	}
	locked, err := r.Client.Exists(ctx, r.Prefix+"lock:{"+string(stateChat.Channel)+":"+stateChat.ChatID+"}").Result()
	if err != nil {
		t.Fatal(err)
	}
	if locked != 0 {
		t.Error("the chat stays locked after Acquire failed")
	}
}

func redisZ(score float64, member string) redis.Z { return redis.Z{Score: score, Member: member} }
