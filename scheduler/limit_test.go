package scheduler

import (
	"context"
	"strconv"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store/storetest"
)

// near reports whether got is within [want-slack, want]: a wait computed
// by Redis shrinks by the time between two calls, never grows.
func near(got, want time.Duration) bool {
	const slack = 50 * time.Millisecond
	return got <= want && got >= want-slack
}

func TestLimiterSpacesMessagesPerChannelAndPerChat(t *testing.T) {
	r := storetest.NewRedis(t)
	ctx := context.Background()
	l := NewLimiter(r.Client, r.Prefix, 10, time.Second) // 100 ms apart, 1 s per chat
	l.MaxWait = 350 * time.Millisecond
	for i := range 4 {
		wait, ok, err := l.Reserve(ctx, bot.Telegram, "chat"+strconv.Itoa(i))
		if err != nil || !ok || !near(wait, time.Duration(i)*100*time.Millisecond) {
			t.Fatalf("message %d: wait %s ok %v err %v, want %d ms", i, wait, ok, err, i*100)
		}
	}
	// The next slot is 400 ms away, past MaxWait: none is taken.
	wait, ok, err := l.Reserve(ctx, bot.Telegram, "chat9")
	if err != nil || ok || !near(wait, 400*time.Millisecond) {
		t.Fatalf("over MaxWait: wait %s ok %v err %v", wait, ok, err)
	}
	// Another channel has slots of its own.
	if wait, ok, err := l.Reserve(ctx, bot.Zalo, "chat0"); err != nil || !ok || wait > 5*time.Millisecond {
		t.Fatalf("zalo: wait %s ok %v err %v", wait, ok, err)
	}
	// A second message to a chat waits a second after the first.
	l.MaxWait = 2 * time.Second
	if wait, ok, err := l.Reserve(ctx, bot.Zalo, "chat0"); err != nil || !ok || !near(wait, time.Second) {
		t.Fatalf("same chat: wait %s ok %v err %v", wait, ok, err)
	}
	// A 429 holds the whole channel, on every replica (a second limiter
	// over the same keys).
	other := NewLimiter(r.Client, r.Prefix, 10, time.Second)
	other.MaxWait = 5 * time.Second
	if err := l.Pause(ctx, bot.Zalo, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if wait, ok, err := other.Reserve(ctx, bot.Zalo, "chat5"); err != nil || !ok || !near(wait, 3*time.Second) {
		t.Fatalf("after a pause: wait %s ok %v err %v", wait, ok, err)
	}
	// A pause shorter than what is booked changes nothing.
	if err := l.Pause(ctx, bot.Zalo, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if wait, _, _ := other.Reserve(ctx, bot.Zalo, "chat6"); !near(wait, 3100*time.Millisecond) {
		t.Fatalf("a short pause moved the slots: wait %s", wait)
	}
}
