package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/reach"
	"hocvuso/store"
)

// enqueueFunc adapts a function to store.Enqueuer.
type enqueueFunc func(ctx context.Context, tx pgx.Tx, rule string, ids []int64) error

func (f enqueueFunc) Enqueue(ctx context.Context, tx pgx.Tx, rule string, ids []int64) error {
	return f(ctx, tx, rule, ids)
}

// addOfficial makes an official on Telegram in chat, reading lang.
func (w *world) addOfficial(chat int64, lang string) int64 {
	w.t.Helper()
	ctx := context.Background()
	id := fmt.Sprint(chat)
	u, err := w.db.CreateUser(ctx, store.NewUser{Channel: bot.Telegram, ExternalID: id, ChatID: id,
		DisplayName: "Cầm Văn " + id, Language: lang, ConsentVersion: "test", At: time.Now()})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.db.GrantRole(ctx, u, store.RoleOfficial, "", "test", time.Now()); err != nil {
		w.t.Fatal(err)
	}
	return u
}

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// The notices and their jobs are written in the submission's transaction:
// when it fails after their jobs were inserted, neither the report nor a
// notice nor a job is left; when it commits, one notice and one job per
// official, and a second submission of the same draft plans nothing.
func TestNoticesAreQueuedInTheSubmissionsTransactionOrNotAtAll(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	unit := w.addUnits(config.KindDepartment, 1, 7000, "vi")[0]
	w.addOfficial(7100, "vi")
	w.addOfficial(7101, "en")
	notices, err := NewNotices(w.db, 3)
	if err != nil {
		t.Fatal(err)
	}
	sub := w.draft(unit.unit, "annual-2025", unit.user, at("2025-11-03 10:00"))

	// The jobs are inserted, then the transaction fails.
	var queued int
	sub.Notify = enqueueFunc(func(ctx context.Context, tx pgx.Tx, rule string, ids []int64) error {
		if err := notices.Enqueue(ctx, tx, rule, ids); err != nil {
			return err
		}
		queued = countJobsTx(t, tx)
		return errors.New("the disk is full")
	})
	if _, err := w.db.SubmitReport(ctx, sub); err == nil || !strings.Contains(err.Error(), "the disk is full") {
		t.Fatalf("SubmitReport = %v; want the failure", err)
	}
	if queued != 2 {
		t.Errorf("%d jobs inside the transaction; want 2", queued)
	}
	for _, table := range []string{"reports", "report_versions", "reminder_occurrences", "deliveries", "river_job"} {
		if n := w.count(`SELECT count(*) FROM ` + table); n != 0 {
			t.Errorf("%d rows in %s after the failed submission", n, table)
		}
	}
	if n := w.count(`SELECT count(*) FROM report_drafts`); n != 1 {
		t.Errorf("the draft is gone after the failed submission")
	}

	planned := testutil.ToFloat64(plannedTotal.WithLabelValues(store.RuleReportSubmitted))
	sub.Notify = notices
	v, err := w.db.SubmitReport(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM deliveries WHERE kind = 'report' AND rule = $1 AND subject = $2 AND report_version = 1 AND state = 'planned'`,
		store.RuleReportSubmitted, v.Receipt); n != 2 {
		t.Errorf("%d notices planned; want 2", n)
	}
	if n := w.count(`SELECT count(*) FROM river_job WHERE kind = 'hocvuso_deliver' AND queue = $1 AND max_attempts = 3
		AND (args->>'delivery_id')::bigint IN (SELECT id FROM deliveries)`, queueDeliver); n != 2 {
		t.Errorf("%d jobs of the notices; want 2", n)
	}
	if d := testutil.ToFloat64(plannedTotal.WithLabelValues(store.RuleReportSubmitted)) - planned; d != 2 {
		t.Errorf("planned counted %v; want 2", d)
	}
	if _, err := w.db.SubmitReport(ctx, sub); !errors.Is(err, store.ErrNoDraft) {
		t.Errorf("the same submission again: %v; want ErrNoDraft", err)
	}
	if n := countJobs(t, w, ""); n != 2 {
		t.Errorf("%d jobs after the second submission; want 2", n)
	}
}

func countJobsTx(t *testing.T, tx pgx.Tx) int {
	t.Helper()
	var n int
	if err := tx.QueryRow(context.Background(), `SELECT count(*) FROM river_job`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Notices go like reminders: an official told of a report and of its
// amendment, each in their language at send time; one no longer an
// official by then gets nothing (cancelled, with the reason); what became
// of each is counted by rule. A notice is not stale however late it is
// sent.
func TestNoticesOfAReportAndItsAmendment(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	unit := w.addUnits(config.KindDepartment, 1, 7000, "vi")[0]
	official := w.addOfficial(7100, "vi")
	leaving := w.addOfficial(7101, "en")
	notices, err := NewNotices(w.db, 0)
	if err != nil {
		t.Fatal(err)
	}
	sub := w.draft(unit.unit, "annual-2025", unit.user, at("2025-11-03 10:00"))
	sub.Notify = notices
	if _, err := w.db.SubmitReport(ctx, sub); err != nil {
		t.Fatal(err)
	}
	p, _ := w.reports.Period("annual-2025")
	form := w.reports.PeriodForm(p)
	d, err := w.db.OpenAmendment(ctx, store.DraftStart{UnitCode: unit.unit, PeriodID: "annual-2025", FormID: form.ID, FormVersion: form.Version,
		By: unit.user, At: at("2025-11-12 16:20")}, "Sửa số lớp")
	if err != nil {
		t.Fatal(err)
	}
	sub.Seen, sub.At = d.Version, at("2025-11-12 16:20")
	if _, err := w.db.SubmitReport(ctx, sub); err != nil {
		t.Fatal(err)
	}
	// The official leaves before anything is sent.
	roles, err := w.db.UserRoles(ctx, leaving)
	if err != nil || len(roles) != 1 {
		t.Fatalf("roles %+v, %v", roles, err)
	}
	if err := w.db.RevokeRole(ctx, roles[0].ID, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	// Sending the language the official reads then.
	if err := w.db.SetLanguage(ctx, official, "en"); err != nil {
		t.Fatal(err)
	}

	before := map[string]float64{}
	for _, rule := range []string{store.RuleReportSubmitted, store.RuleReportAmended} {
		for _, o := range []string{"sent", "cancelled"} {
			before[rule+o] = testutil.ToFloat64(deliveredTotal.WithLabelValues(rule, o))
		}
	}
	// A week after planning: reminders would be stale by then, notices are not.
	s := w.scheduler(true, fixed(time.Now().Add(7*24*time.Hour)))
	w.start(s)
	w.waitFor(30*time.Second, "every notice finished", func() bool {
		st := w.states()
		return st[store.DeliverySent] == 2 && st[store.DeliveryCancelled] == 2
	})
	texts := []string{}
	for _, m := range w.fake.MessagesTo(7100) {
		texts = append(texts, m.Text)
	}
	slices.Sort(texts) // sent at once: in either order
	if len(texts) != 2 {
		t.Fatalf("the official got %q; want 2 messages", texts)
	}
	for _, want := range [][]string{
		{"📝 Report amended (version 2)", "Unit: Đơn vị department-7000", "Period: 2025 annual results report",
			"Reason: Sửa số lớp", "Receipt number: annual-2025-0001.2", "16:20 12/11/2025", "First sent on time."},
		{"📥 New report", "Unit: Đơn vị department-7000", "Receipt number: annual-2025-0001.1", "10:00 03/11/2025", "On time."},
	} {
		text := texts[0]
		if strings.HasPrefix(want[0], "📥") {
			text = texts[1]
		}
		for _, part := range want {
			if !strings.Contains(text, part) {
				t.Errorf("notice lacks %q:\n%s", part, text)
			}
		}
		// The amendment came 2 days after the due date, the report on time:
		// the notice must not say the report was late.
		if strings.Contains(text, "days after") {
			t.Errorf("a notice of a report first sent on time says it was late:\n%s", text)
		}
	}
	if got := w.fake.MessagesTo(7101); len(got) != 0 {
		t.Errorf("the official who left got %+v", got)
	}
	ds, err := w.db.Deliveries(ctx, "", store.DeliveryCancelled, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.UserID != leaving || d.Reason != "the recipient no longer holds the role" {
			t.Errorf("cancelled notice %+v", d)
		}
	}
	for _, rule := range []string{store.RuleReportSubmitted, store.RuleReportAmended} {
		for o, want := range map[string]float64{"sent": 1, "cancelled": 1} {
			if d := testutil.ToFloat64(deliveredTotal.WithLabelValues(rule, o)) - before[rule+o]; d != want {
				t.Errorf("%s %s counted %v; want %v", rule, o, d, want)
			}
		}
	}
}

// A notice cannot be the reminders' Zalo template: an official on Zalo
// silent for 10 days is told on Telegram when linked there, though a
// template is configured, and is recorded unreachable when on Zalo only.
func TestANoticeToAnOfficialSilentOnZalo(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	fz, client := w.zalo()
	silent := func(zaloID string) int64 {
		id, err := w.db.CreateUser(ctx, store.NewUser{Channel: bot.Zalo, ExternalID: zaloID, ChatID: zaloID, Language: "vi", ConsentVersion: "test", At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.db.Touch(ctx, bot.Zalo, zaloID, time.Now().Add(-10*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.GrantRole(ctx, id, store.RoleOfficial, "", "test", time.Now()); err != nil {
			t.Fatal(err)
		}
		return id
	}
	linked, alone := silent("9101"), silent("9102")
	// The first official is on Telegram too, silent there for longer.
	if _, err := w.db.Pool.Exec(ctx, `INSERT INTO accounts (channel, external_id, user_id, chat_id, last_seen_at)
		VALUES ('telegram', '7200', $1, '7200', now() - interval '20 days')`, linked); err != nil {
		t.Fatal(err)
	}
	unit := w.addUnits(config.KindDepartment, 1, 7000, "vi")[0]
	notices, err := NewNotices(w.db, 0)
	if err != nil {
		t.Fatal(err)
	}
	sub := w.draft(unit.unit, "annual-2025", unit.user, at("2025-11-03 10:00"))
	sub.Notify = notices
	if _, err := w.db.SubmitReport(ctx, sub); err != nil {
		t.Fatal(err)
	}
	r := &reach.Reacher{Accounts: w.db, Senders: reach.SenderMap{bot.Telegram: w.client, bot.Zalo: client}, Zalo: client, TemplateID: "tpl-remind"}
	w.start(w.scheduler(true, time.Now, func(c *Config) { c.Reach = r }))
	w.waitFor(30*time.Second, "both notices finished", func() bool {
		st := w.states()
		return st[store.DeliverySent] == 1 && st[store.DeliveryUnreachable] == 1
	})
	if got := w.fake.MessagesTo(7200); len(got) != 1 || !strings.Contains(got[0].Text, "Báo cáo mới") {
		t.Errorf("the linked official got %+v on Telegram", got)
	}
	for _, z := range []string{"9101", "9102"} {
		if n := len(fz.TemplatesTo(z)) + len(fz.Texts(z)); n != 0 {
			t.Errorf("%d messages or templates went to %s on Zalo", n, z)
		}
	}
	ds, err := w.db.Deliveries(ctx, store.RuleReportSubmitted, store.DeliveryUnreachable, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].UserID != alone || !strings.Contains(ds[0].Reason, "unreachable on Zalo") {
		t.Errorf("unreachable notices %+v", ds)
	}
}

// BenchmarkSubmitWithNotices measures a submission (here an amendment)
// that plans the notices of n officials and queues their jobs, in its one
// transaction: what the focal point's update now waits for, instead of a
// message to every official. officials=0 is a submission without notices.
//
//	go test -run '^$' -bench SubmitWithNotices -benchtime 200x ./scheduler
func BenchmarkSubmitWithNotices(b *testing.B) {
	for _, n := range []int{0, 1, 10, 100} {
		b.Run(fmt.Sprintf("officials=%d", n), func(b *testing.B) {
			w := newWorld(b)
			ctx := context.Background()
			unit := w.addUnits(config.KindDepartment, 1, 7000, "vi")[0]
			for i := range n {
				w.addOfficial(int64(7100+i), "vi")
			}
			notices, err := NewNotices(w.db, 0)
			if err != nil {
				b.Fatal(err)
			}
			sub := w.draft(unit.unit, "annual-2025", unit.user, time.Now())
			if n > 0 {
				sub.Notify = notices
			}
			if _, err := w.db.SubmitReport(ctx, sub); err != nil {
				b.Fatal(err)
			}
			p, _ := w.reports.Period("annual-2025")
			form := w.reports.PeriodForm(p)
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				at := time.Now()
				d, err := w.db.OpenAmendment(ctx, store.DraftStart{UnitCode: unit.unit, PeriodID: "annual-2025", FormID: form.ID,
					FormVersion: form.Version, By: unit.user, At: at}, fmt.Sprintf("sửa lần %d", i+1))
				if err != nil {
					b.Fatal(err)
				}
				sub.Seen, sub.At = d.Version, at
				b.StartTimer()
				if _, err := w.db.SubmitReport(ctx, sub); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if got, want := w.count(`SELECT count(*) FROM river_job`), n*(b.N+1); got != want {
				b.Errorf("%d jobs; want %d", got, want)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/submission")
		})
	}
}
