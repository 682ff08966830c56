package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

func TestNudgePref_ChoiceIsKeptAndTheLastNudgeSurvivesIt(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	u := newQuizUser(t, db, "n1")
	p, err := db.NudgePref(ctx, u)
	if err != nil || p.Chosen() || p.OptedIn || p.DueAt(time.Now()) {
		t.Fatalf("before any choice: %+v %v; want the zero choice, never due", p, err)
	}
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	if err := db.SetNudge(ctx, u, true, t0); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.ClaimNudge(ctx, u, t0); err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	// Off then on again the next day: the nudge of the week was sent, the
	// next one still waits for its week.
	if err := db.SetNudge(ctx, u, false, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.NudgePref(ctx, u); p.OptedIn || !p.Chosen() || !p.ChosenAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after turning it off: %+v", p)
	}
	if ok, _ := db.ClaimNudge(ctx, u, t0.Add(8*24*time.Hour)); ok {
		t.Fatal("a nudge was claimed for a user who turned it off")
	}
	if err := db.SetNudge(ctx, u, true, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	p, _ = db.NudgePref(ctx, u)
	if !p.OptedIn || !p.LastSentAt.Equal(t0) {
		t.Fatalf("after turning it on again: %+v; want on, last sent %v", p, t0)
	}
	if p.DueAt(t0.Add(6 * 24 * time.Hour)) {
		t.Error("due six days after the last nudge")
	}
	if !p.DueAt(t0.Add(store.NudgeEvery)) {
		t.Error("not due seven days after the last nudge")
	}
}

func TestClaimNudge_OncePerWeekWhateverTheReplicas(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	u := newQuizUser(t, db, "n2")
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	if err := db.SetNudge(ctx, u, true, t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Twenty replicas claim the week, each with its own idea of the
	// occurrence (minutes apart): one wins.
	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			ok, err := db.ClaimNudge(ctx, u, t0.Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d claims won the same week, want 1", won.Load())
	}
	p, _ := db.NudgePref(ctx, u)
	// The same occurrence again (a delivery retried) is still allowed;
	// any other within the week is not.
	if ok, _ := db.ClaimNudge(ctx, u, p.LastSentAt); !ok {
		t.Error("the winning occurrence, claimed again, was refused")
	}
	for _, later := range []time.Duration{time.Second, 24 * time.Hour, store.NudgeEvery - time.Second} {
		if ok, _ := db.ClaimNudge(ctx, u, p.LastSentAt.Add(later)); ok {
			t.Errorf("claimed again %v after the last nudge", later)
		}
	}
	if ok, _ := db.ClaimNudge(ctx, u, p.LastSentAt.Add(store.NudgeEvery)); !ok {
		t.Error("not claimed a week after the last nudge")
	}
}

func TestDueNudges_OnlyTheOptedInWithAnAreaLeftNotNudgedThisWeek(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	at := time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC)
	areas := []string{"0", "4"}
	user := func(name string, optIn bool) int64 {
		id := newQuizUser(t, db, name)
		if optIn {
			if err := db.SetNudge(ctx, id, true, at.Add(-30*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	due := user("due-new", true)
	dueFailed := user("due-failed", true)
	storetest.FinishQuiz(t, db, dueFailed, "0", 10, 10, at.Add(-48*time.Hour)) // area 0 passed, 4 left
	storetest.FinishQuiz(t, db, dueFailed, "4", 5, 10, at.Add(-47*time.Hour))
	allPassed := user("all-passed", true)
	storetest.FinishQuiz(t, db, allPassed, "0", 9, 10, at.Add(-48*time.Hour))
	storetest.FinishQuiz(t, db, allPassed, "4", 4, 10, at.Add(-48*time.Hour))
	storetest.FinishQuiz(t, db, allPassed, "4", 8, 10, at.Add(-24*time.Hour)) // passed on the second try
	never := user("never-chose", false)
	_ = never
	off := user("opted-out", true)
	if err := db.SetNudge(ctx, off, false, at.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	recent := user("nudged-6-days-ago", true)
	if ok, _ := db.ClaimNudge(ctx, recent, at.Add(-6*24*time.Hour)); !ok {
		t.Fatal("claim")
	}
	weekAgo := user("nudged-7-days-ago", true)
	if ok, _ := db.ClaimNudge(ctx, weekAgo, at.Add(-store.NudgeEvery)); !ok {
		t.Fatal("claim")
	}
	blocked := user("blocked", true)
	if err := db.SetBlocked(ctx, bot.Telegram, "blocked", true); err != nil {
		t.Fatal(err)
	}

	got, err := db.DueNudges(ctx, at, areas, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{due, dueFailed, weekAgo}
	if fmt.Sprint(userIDs(got)) != fmt.Sprint(want) {
		t.Fatalf("due: %+v; want users %v", got, want)
	}
	for _, r := range got {
		if r.Channel != bot.Telegram || r.ChatID == "" || r.Lang != "vi" {
			t.Errorf("due %+v; want a Telegram chat and vi", r)
		}
	}
	// Pages: one user at a time, after the last one seen.
	var paged []int64
	for after := int64(0); ; {
		page, err := db.DueNudges(ctx, at, areas, after, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page[0].UserID)
		after = page[0].UserID
	}
	if fmt.Sprint(paged) != fmt.Sprint(want) {
		t.Errorf("paged: %v; want %v", paged, want)
	}
	// Once claimed for this occurrence, a user is no longer due at a later
	// one of the same week, but is at the same occurrence (a retry).
	if ok, _ := db.ClaimNudge(ctx, due, at); !ok {
		t.Fatal("claim")
	}
	if got, _ := db.DueNudges(ctx, at.Add(time.Hour), areas, 0, 100); fmt.Sprint(userIDs(got)) != fmt.Sprint([]int64{dueFailed, weekAgo}) {
		t.Errorf("an hour later: %+v; want users %d and %d (user %d was nudged this week)", got, dueFailed, weekAgo, due)
	}
	if got, _ := db.DueNudges(ctx, at, areas, 0, 100); len(got) != 3 {
		t.Errorf("same occurrence again: %d due, want 3", len(got))
	}
	// A user with another account that did not block the bot is due
	// again, on that account.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO accounts (channel, external_id, user_id, chat_id) VALUES ('zalo', 'z-blocked', $1, 'z-blocked')`, blocked); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.DueNudges(ctx, at, areas, weekAgo, 100); len(got) != 1 || got[0].UserID != blocked || got[0].Channel != bot.Zalo || got[0].ChatID != "z-blocked" {
		t.Errorf("after the blocked user's Zalo account: %+v; want user %d on Zalo", got, blocked)
	}
	// Of two accounts, the one used last is written to.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO accounts (channel, external_id, user_id, chat_id, last_seen_at)
		VALUES ('zalo', 'z-due-failed', $1, 'z-due-failed', now() + interval '1 hour')`, dueFailed); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.DueNudges(ctx, at, areas, due, 1); len(got) != 1 || got[0].Channel != bot.Zalo || got[0].ChatID != "z-due-failed" {
		t.Errorf("user with a newer Zalo account: %+v; want the Zalo chat", got)
	}
}

func userIDs(rs []store.Recipient) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.UserID
	}
	return out
}

// BenchmarkDueNudges plans a week's nudges for 100,000 opted-in users with
// five attempts each, page by page (5,000 a page), as the scheduler does.
func BenchmarkDueNudges(b *testing.B) {
	ctx := context.Background()
	db := storetest.NewDB(b)
	const users = 100_000
	at := time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC)
	seed := func(q string, args ...any) {
		if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	seed(`INSERT INTO users (display_name, consent_at, consent_version) SELECT 'u' || g, now(), 'b' FROM generate_series(1, $1::int) g`, users)
	seed(`INSERT INTO accounts (channel, external_id, user_id, chat_id) SELECT 'telegram', id::text, id, id::text FROM users`)
	seed(`INSERT INTO nudge_prefs (user_id, opted_in, chosen_at, last_sent_at)
		SELECT id, true, now(), CASE WHEN id % 3 = 0 THEN $1::timestamptz - interval '3 days' END FROM users`, at)
	seed(`INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
		SELECT u.id, 'b', a::text, '{}', '[]', 10, 8, u.id % 10 = 0 OR a < 2, $1, $1
		FROM users u, generate_series(0, 6) a WHERE u.id % 10 = 0 OR a < 5`, at)
	seed(`ANALYZE`)
	areas := []string{"0", "1", "2", "3", "4", "5", "6"}
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for after := int64(0); ; {
			page, err := db.DueNudges(ctx, at, areas, after, 5000)
			if err != nil {
				b.Fatal(err)
			}
			n += len(page)
			if len(page) < 5000 {
				break
			}
			after = page[len(page)-1].UserID
		}
		// Not due: the third nudged three days ago, and the tenth who passed all.
		if want := users - users/3 - users/10 + users/30; n != want {
			b.Fatalf("%d due, want %d", n, want)
		}
	}
}
