package zalo_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/zalo"
	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// replica is one serve process's Zalo client, with its own pool to the
// shared database.
func replica(t *testing.T, fake *fakezalo.Server, dbURL string, now func() time.Time) *zalo.Client {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	cfg := fake.Config()
	c, err := zalo.New(zalo.Config{AppID: cfg.AppID, AppSecret: cfg.AppSecret, APIURL: fake.URL, OAuthURL: fake.URL,
		Tokens: db.ZaloTokens(cfg.AppID), Now: now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func migrated(t *testing.T) string {
	t.Helper()
	url := storetest.NewDatabaseURL(t)
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	return url
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Two replicas find the access token due at the same moment: one refresh
// reaches Zalo (the other replica waits on the row, then finds the pair
// renewed), and both keep sending.
func TestTwoReplicasRefreshOnce(t *testing.T) {
	fake := fakezalo.Start(fakezalo.Config{})
	defer fake.Close()
	url := migrated(t)
	clk := &clock{t: time.Now()}
	a, b := replica(t, fake, url, clk.now), replica(t, fake, url, clk.now)
	ctx := context.Background()
	if seeded, err := a.Seed(ctx, fake.Grant()); err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	// A second replica starting with the same ZALO_REFRESH_TOKEN does not seed.
	if seeded, err := b.Seed(ctx, "RT-stale"); err != nil || seeded {
		t.Fatalf("second seed: %v %v", seeded, err)
	}
	fake.SetRefreshDelay(100 * time.Millisecond) // both are inside at once
	send := func(c *zalo.Client, text string) error {
		return c.Send(ctx, bot.Target{Channel: bot.Zalo, ChatID: user}, bot.Reply{Text: text})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, c := range []*zalo.Client{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- send(c, "cùng lúc") }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.RefreshCalls(); n != 1 {
		t.Fatalf("%d refreshes reached Zalo, want 1", n)
	}

	// 24 h 10 min later the token is within the hour before its expiry:
	// both replicas again, still one refresh.
	clk.add(24*time.Hour + 10*time.Minute)
	wg = sync.WaitGroup{}
	errs = make(chan error, 2)
	for _, c := range []*zalo.Client{b, a} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- send(c, "ngày hôm sau") }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.RefreshCalls(); n != 2 {
		t.Fatalf("%d refreshes after a day, want 2", n)
	}
	if texts := fake.Texts(user); len(texts) != 4 {
		t.Fatalf("texts %v", texts)
	}
	// Every refresh used the refresh token the one before issued: none was
	// refused.
	for _, c := range fake.Calls("oauth") {
		if c.Error != 0 {
			t.Errorf("a refresh was refused (%d): a refresh token was used twice", c.Error)
		}
	}
}

// A token rejected mid-conversation (-216) on one replica: it renews the
// pair, retries once and succeeds; the other replica, whose token was
// rejected too, picks up the renewed pair without refreshing again.
func TestTokenRejectedMidConversation(t *testing.T) {
	fake := fakezalo.Start(fakezalo.Config{})
	defer fake.Close()
	url := migrated(t)
	a, b := replica(t, fake, url, nil), replica(t, fake, url, nil)
	ctx := context.Background()
	if _, err := a.Seed(ctx, fake.Grant()); err != nil {
		t.Fatal(err)
	}
	target := bot.Target{Channel: bot.Zalo, ChatID: user}
	for _, c := range []*zalo.Client{a, b} {
		if err := c.Send(ctx, target, bot.Reply{Text: "trước"}); err != nil {
			t.Fatal(err)
		}
	}
	fake.ExpireAccessTokens()
	if err := a.Send(ctx, target, bot.Reply{Text: "giữa chừng"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(ctx, target, bot.Reply{Text: "bên kia"}); err != nil {
		t.Fatal(err)
	}
	if n := fake.RefreshCalls(); n != 2 {
		t.Fatalf("%d refreshes, want 2 (the first token, one renewal)", n)
	}
	calls := fake.Calls("message/cs")
	rejected := 0
	for _, c := range calls {
		if c.Error == fakezalo.TokenInvalid {
			rejected++
		}
	}
	if rejected != 2 || len(fake.Texts(user)) != 4 {
		t.Fatalf("%d rejected calls, texts %v", rejected, fake.Texts(user))
	}
}
