package store_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// TestZaloTokens runs the specifications of the token store on one
// database; each uses an app id of its own.
func TestZaloTokens(t *testing.T) {
	db := storetest.NewDB(t)
	for _, spec := range []struct {
		name string
		run  func(t *testing.T, db *store.DB, z *store.ZaloTokens, app string)
	}{
		{"SeedOnlyWhenEmpty", testZaloSeedOnlyWhenEmpty},
		{"RotateStoresWhatFnReturns", testZaloRotateStoresWhatFnReturns},
		{"RotateWithoutPairIsNoGrant", testZaloRotateWithoutPair},
		{"RotateIsExclusive", testZaloRotateIsExclusive},
		{"NewPairSavedThoughTheCallerGaveUp", testZaloNewPairSavedThoughTheCallerGaveUp},
	} {
		t.Run(spec.name, func(t *testing.T) {
			app := storetest.Name("app")
			spec.run(t, db, db.ZaloTokens(app), app)
		})
	}
}

var tokenTime = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func testZaloSeedOnlyWhenEmpty(t *testing.T, _ *store.DB, z *store.ZaloTokens, _ string) {
	ctx := context.Background()
	if _, ok, err := z.Load(ctx); ok || err != nil {
		t.Fatalf("empty store: ok %v, %v", ok, err)
	}
	seed := bot.TokenPair{Refresh: "RT-1", RefreshExpires: tokenTime, SeedHash: "hash-of-RT-1"}
	if seeded, err := z.Seed(ctx, seed); err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	if seeded, err := z.Seed(ctx, bot.TokenPair{Refresh: "RT-2"}); err != nil || seeded {
		t.Fatalf("second seed: %v %v", seeded, err)
	}
	got, ok, err := z.Load(ctx)
	if err != nil || !ok || got.Refresh != "RT-1" || !got.RefreshExpires.Equal(tokenTime) || got.Access != "" ||
		!got.AccessExpires.Equal(time.Unix(0, 0)) || got.SeedHash != seed.SeedHash {
		t.Fatalf("loaded %+v, %v %v", got, ok, err)
	}
}

func testZaloRotateStoresWhatFnReturns(t *testing.T, _ *store.DB, z *store.ZaloTokens, _ string) {
	ctx := context.Background()
	if _, err := z.Seed(ctx, bot.TokenPair{Refresh: "RT-1", SeedHash: "h"}); err != nil {
		t.Fatal(err)
	}
	next := bot.TokenPair{Access: "AT-2", AccessExpires: tokenTime.Add(25 * time.Hour), Refresh: "RT-2", RefreshExpires: tokenTime.AddDate(0, 3, 0)}
	got, err := z.Rotate(ctx, func(cur bot.TokenPair) (*bot.TokenPair, error) {
		if cur.Refresh != "RT-1" {
			t.Errorf("fn saw %+v", cur)
		}
		return &next, nil
	})
	if err != nil || got.Access != "AT-2" {
		t.Fatalf("rotate: %+v %v", got, err)
	}
	stored, _, _ := z.Load(ctx)
	if stored.Access != "AT-2" || stored.Refresh != "RT-2" || !stored.AccessExpires.Equal(next.AccessExpires) || stored.SeedHash != "h" {
		t.Fatalf("stored %+v", stored)
	}
	// nil keeps the pair; an error changes nothing.
	if got, err := z.Rotate(ctx, func(bot.TokenPair) (*bot.TokenPair, error) { return nil, nil }); err != nil || got.Refresh != "RT-2" {
		t.Fatalf("keep: %+v %v", got, err)
	}
	boom := errors.New("oauth down")
	if _, err := z.Rotate(ctx, func(bot.TokenPair) (*bot.TokenPair, error) { return &bot.TokenPair{Refresh: "RT-x"}, boom }); !errors.Is(err, boom) {
		t.Fatalf("error: %v", err)
	}
	if stored, _, _ := z.Load(ctx); stored.Refresh != "RT-2" {
		t.Fatalf("changed on error: %+v", stored)
	}
}

func testZaloRotateWithoutPair(t *testing.T, _ *store.DB, z *store.ZaloTokens, _ string) {
	called := false
	_, err := z.Rotate(context.Background(), func(bot.TokenPair) (*bot.TokenPair, error) { called = true; return nil, nil })
	if !errors.Is(err, bot.ErrNoTokenPair) || called {
		t.Fatalf("err %v, fn called %v", err, called)
	}
}

// Two replicas (two pools) rotating at once: the second waits for the
// first's commit and sees its pair.
func testZaloRotateIsExclusive(t *testing.T, db *store.DB, z *store.ZaloTokens, app string) {
	ctx := context.Background()
	if _, err := z.Seed(ctx, bot.TokenPair{Refresh: "RT-0"}); err != nil {
		t.Fatal(err)
	}
	other, err := store.Open(ctx, db.Pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	replicas := []*store.ZaloTokens{z, other.ZaloTokens(app)}
	var inside, refreshes atomic.Int32
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := replicas[i%2].Rotate(ctx, func(cur bot.TokenPair) (*bot.TokenPair, error) {
				if inside.Add(1) != 1 {
					t.Error("two rotations at once")
				}
				defer inside.Add(-1)
				if cur.Access != "" {
					return nil, nil // renewed by another
				}
				time.Sleep(50 * time.Millisecond)
				refreshes.Add(1)
				return &bot.TokenPair{Access: "AT-1", Refresh: "RT-1"}, nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := refreshes.Load(); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
}

// The caller's context ends while Zalo answers: the pair Zalo issued is
// saved all the same, or the only valid refresh token would be lost.
func testZaloNewPairSavedThoughTheCallerGaveUp(t *testing.T, _ *store.DB, z *store.ZaloTokens, _ string) {
	if _, err := z.Seed(context.Background(), bot.TokenPair{Refresh: "RT-1"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	got, err := z.Rotate(ctx, func(bot.TokenPair) (*bot.TokenPair, error) {
		cancel() // the request was dropped while the token endpoint answered
		return &bot.TokenPair{Access: "AT-2", Refresh: "RT-2"}, nil
	})
	if err != nil || got.Refresh != "RT-2" {
		t.Fatalf("rotate: %+v %v", got, err)
	}
	if stored, _, _ := z.Load(context.Background()); stored.Refresh != "RT-2" {
		t.Fatalf("stored %+v: the new pair was lost", stored)
	}
}

func TestChoiceLists(t *testing.T) {
	r := storetest.NewRedis(t)
	s := store.NewState(r.Client, r.Prefix)
	lists := s.ChoiceLists()
	ctx := context.Background()
	chat := bot.ChatKey{Channel: bot.Zalo, ChatID: "42"}
	if l, err := lists.Choices(ctx, chat); err != nil || l.Data != nil {
		t.Fatalf("empty: %v %v", l, err)
	}
	want := bot.ChoiceList{Data: []string{"home|a|1|", "home|b|1|"}, Screen: 3, UpdateID: "u7"}
	if err := lists.PutChoices(ctx, chat, want); err != nil {
		t.Fatal(err)
	}
	l, err := lists.Choices(ctx, chat)
	if err != nil || !reflect.DeepEqual(l, want) {
		t.Fatalf("list %+v %v, want %+v", l, err, want)
	}
	if other, _ := lists.Choices(ctx, bot.ChatKey{Channel: bot.Telegram, ChatID: "42"}); other.Data != nil {
		t.Fatalf("another channel's chat sees %v", other)
	}
	keys := r.Keys(t)
	if len(keys) != 1 {
		t.Fatalf("keys %v", keys)
	}
	if ttl := r.Client.TTL(ctx, keys[0]).Val(); ttl < 6*24*time.Hour || ttl > 7*24*time.Hour {
		t.Errorf("TTL %v, want 7 days", ttl)
	}
	if err := lists.PutChoices(ctx, chat, bot.ChoiceList{Screen: 3}); err != nil {
		t.Fatal(err)
	}
	if l, _ := lists.Choices(ctx, chat); l.Data != nil {
		t.Fatalf("after clearing: %v", l)
	}
	if n := len(r.Keys(t)); n != 0 {
		t.Fatalf("%d keys after clearing", n)
	}
	// A list written before lists kept their screen: its data.
	if err := r.Client.Set(ctx, keys[0], `["home|a|1|","home|b|1|"]`, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if l, err := lists.Choices(ctx, chat); err != nil || !reflect.DeepEqual(l, bot.ChoiceList{Data: want.Data}) {
		t.Fatalf("old list: %+v %v", l, err)
	}
	// Unreadable: no list.
	if err := r.Client.Set(ctx, keys[0], "{", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if l, err := lists.Choices(ctx, chat); l.Data != nil || err != nil {
		t.Fatalf("unreadable: %v %v", l, err)
	}
}
