package scheduler

import (
	"context"
	"testing"
	"time"

	"hocvuso/store"
)

// seedBulk makes users users on Telegram (chat ids from 10,000,000), each
// the focal point of one of units commune units, in a few statements.
func (w *world) seedBulk(users, units int) {
	w.t.Helper()
	ctx := context.Background()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (display_name, language, consent_at, consent_version)
			SELECT 'Người ' || g, CASE WHEN g % 5 = 0 THEN 'en' ELSE 'vi' END, now(), 'bench' FROM generate_series(1, $1::int) g`, []any{users}},
		{`INSERT INTO accounts (channel, external_id, user_id, chat_id)
			SELECT 'telegram', (10000000 + id)::text, id, (10000000 + id)::text FROM users`, nil},
		{`INSERT INTO units (code, name, kind, created_at, updated_at)
			SELECT 'X' || g, 'Xã số ' || g, 'commune', now(), now() FROM generate_series(1, $1::int) g`, []any{units}},
		{`INSERT INTO report_roles (user_id, role, unit_code, granted_by, granted_at)
			SELECT id, 'focal', 'X' || (1 + (id - 1) % $1::int), 'bench', now() FROM users`, []any{units}},
		{`ANALYZE`, nil},
	} {
		if _, err := w.db.Pool.Exec(ctx, q.sql, q.args...); err != nil {
			w.t.Fatal(err)
		}
	}
}

// BenchmarkPlan100000Recipients plans the 7-days-before reminder of a
// period for 100,000 focal points of 20,000 communes: one occurrence, its
// deliveries and their river jobs, in one transaction.
func BenchmarkPlan100000Recipients(b *testing.B) {
	const recipients = 100_000
	w := newWorld(b)
	w.seedBulk(recipients, 20_000)
	now := at("2025-11-03 08:00")
	s := w.scheduler(false, fixed(now))
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if _, err := w.db.Pool.Exec(ctx, `TRUNCATE deliveries, reminder_occurrences, river_job`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		planned, err := s.Plan(ctx, now, "bench")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, p := range planned {
			n += p.Deliveries
		}
		if n != recipients {
			b.Fatalf("planned %d, want %d", n, recipients)
		}
	}
	b.StopTimer()
	var jobs int
	if err := w.db.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'hocvuso_deliver'`).Scan(&jobs); err != nil || jobs != recipients {
		b.Fatalf("%d jobs (%v), want %d", jobs, err, recipients)
	}
	b.ReportMetric(float64(recipients)*float64(b.N)/b.Elapsed().Seconds(), "recipients/s")
}

// BenchmarkDeliverAtTheConfiguredRate sends a campaign of 500 reminders
// from two replicas sharing the rate limit (25 messages a second) to a
// fake Bot API that refuses, as Telegram does, more than 30 messages in
// any second or two to one chat within a second. It reports the rate
// reached, as a share of the configured one; a 429 or a duplicate fails.
// Run it with -benchtime=1x: one campaign takes 20 s.
func BenchmarkDeliverAtTheConfiguredRate(b *testing.B) {
	const campaign, rate = 500, 25.0
	for range b.N {
		w := newWorld(b)
		w.limitCheck = &telegramLimits{perSecond: 30, chatEvery: time.Second, lastToChat: map[string]time.Time{}}
		w.seedBulk(campaign, campaign)
		now := at("2025-11-03 08:00")
		set := func(c *Config) { c.Rate, c.ChatInterval = rate, time.Second }
		planner := w.scheduler(false, fixed(now), set)
		if _, err := planner.Plan(context.Background(), now, "bench"); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range 2 {
			w.start(w.scheduler(true, fixed(now), set))
		}
		w.waitFor(3*time.Minute, "the campaign sent", func() bool { return w.states()[store.DeliverySent] == campaign })
		b.StopTimer()
		l := w.limitCheck
		l.mu.Lock()
		accepted, refused, span := l.accepted, l.refused, l.last.Sub(l.first)
		l.mu.Unlock()
		if refused > 0 {
			b.Fatalf("%d messages refused with a 429", refused)
		}
		if accepted != campaign || len(w.fake.Calls("sendMessage")) != campaign {
			b.Fatalf("%d messages accepted, %d calls, want %d (duplicates?)", accepted, len(w.fake.Calls("sendMessage")), campaign)
		}
		got := float64(accepted-1) / span.Seconds()
		b.ReportMetric(got, "msg/s")
		b.ReportMetric(100*got/rate, "%_of_rate")
	}
}
