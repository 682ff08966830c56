package report_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/store"
)

// riverJobs counts the river jobs that send deliveries, by state.
func (f *fixture) riverJobs(state string) int {
	f.t.Helper()
	var n int
	if err := f.h.DB.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM river_job WHERE kind = 'hocvuso_deliver' AND state = $1`, state).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// A report submitted: the focal point gets the receipt at once, while the
// officials' notices are only recorded, with their jobs, in the
// submission's transaction. The same update delivered again, whether
// marked done or replayed after a crash before it was marked, plans no
// more. Once a scheduler runs, each official gets exactly one message, in
// their language; the official who submitted gets none.
func TestReport_EachOfficialIsToldOnceInTheirLanguage(t *testing.T) {
	f := newFixture(t, nil)
	vi := f.official("Quàng Văn Minh", "vi")
	en := f.official("Cầm Thị Lan", "en")
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	// The focal point is an official too: they know what they sent.
	if _, err := f.h.DB.GrantRole(context.Background(), u.UserID(), store.RoleOfficial, "", "admin", f.clock.Now()); err != nil {
		t.Fatal(err)
	}

	fillPlan(u)
	submit := u.TapUpdate(u.Screen(), "Gửi báo cáo")
	// What Redis holds of the chat before the tap, to replay it as after
	// a crash between the flow's commit in PostgreSQL and the update's
	// mark in Redis.
	ctx := context.Background()
	rdb := f.h.Redis.Client
	tag := "{" + string(bot.Telegram) + ":" + u.ID + "}"
	convKey, markKey := f.h.Redis.Prefix+"conv:"+tag, f.h.Redis.Prefix+"upd:"+tag+":"+submit.ID
	session, err := rdb.Dump(ctx, convKey).Result()
	if err != nil {
		t.Fatal(err)
	}

	r := u.Do(submit)
	mustContain(t, "the receipt", r.Text(), "Số biên nhận: plan-0001.1", "Đúng hạn.")
	if n := f.notices(); n[store.DeliveryPlanned] != 2 || len(n) != 1 {
		t.Errorf("notices after the submission %v; want 2 planned", n)
	}
	if n := f.riverJobs("available"); n != 2 {
		t.Errorf("%d jobs queued; want 2", n)
	}
	if got := len(f.told(vi)) + len(f.told(en)); got != 0 {
		t.Errorf("the officials were sent %d messages within the submitter's update", got)
	}

	// Delivered again: the engine knows it.
	if r := u.Do(submit); len(r.Sent) != 0 {
		t.Errorf("a redelivered update answered %s", r)
	}
	// Replayed as if its mark had never been written: the flow runs again
	// and finds the report submitted.
	if err := rdb.RestoreReplace(ctx, convKey, 0, session).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Del(ctx, markKey).Err(); err != nil {
		t.Fatal(err)
	}
	r = u.Do(submit)
	mustContain(t, "the replayed submission", r.Text(), f.T("vi", "report.submitted_meanwhile"))
	if n := f.notices(); n[store.DeliveryPlanned] != 2 || len(n) != 1 {
		t.Errorf("notices after the replays %v; want 2 planned", n)
	}
	if n := f.riverJobs("available"); n != 2 {
		t.Errorf("%d jobs after the replays; want 2", n)
	}

	f.sendNotices()
	if n := f.settled(); n[store.DeliverySent] != 2 || len(n) != 1 {
		t.Errorf("notices %v; want 2 sent", n)
	}
	toVI, toEN := f.told(vi), f.told(en)
	if len(toVI) != 1 || len(toEN) != 1 {
		t.Fatalf("the officials got %d and %d messages; want 1 each", len(toVI), len(toEN))
	}
	mustContain(t, "the notice in Vietnamese", toVI[0].Text, "📥 Báo cáo mới", "Đơn vị: Sở Nội vụ", "Kỳ: Kế hoạch năm 2025",
		"Số biên nhận: plan-0001.1", "09:00 25/06/2025", "Đúng hạn.")
	mustContain(t, "the notice in English", toEN[0].Text, "📥 New report", "Unit: Sở Nội vụ", "Period: 2025 plan",
		"Receipt number: plan-0001.1", "09:00 25/06/2025", "On time.")
	if got := f.told(u); len(got) != 0 {
		t.Errorf("the official who submitted was told: %+v", got)
	}
}

// An official whose chat fails (a 500) is told on the next attempt; one who
// blocked the bot is recorded blocked, and the others are told all the
// same.
func TestReport_AFailingChatIsRetriedABlockedOneRecorded(t *testing.T) {
	f := newFixture(t, nil)
	flaky := f.official("Quàng Văn Minh", "vi")
	gone := f.official("Cầm Thị Lan", "vi")
	fine := f.official("Lường Văn Hùng", "en")
	id := func(s string) int64 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.fake.Fail(fakeapi.Fault{Method: "sendMessage", ChatID: id(flaky.ID), Code: 500, Times: 1})
	f.fake.Fail(fakeapi.Fault{Method: "sendMessage", ChatID: id(gone.ID), Code: 403})
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	mustContain(t, "the receipt", submitPlan(t, f, u).Text(), "Số biên nhận: plan-0001.1")

	f.sendNotices()
	if n := f.settled(); n[store.DeliverySent] != 2 || n[store.DeliveryBlocked] != 1 || len(n) != 2 {
		t.Errorf("notices %v; want 2 sent, 1 blocked", n)
	}
	if got := f.told(flaky); len(got) != 1 || !strings.Contains(got[0].Text, "Báo cáo mới") {
		t.Errorf("the official whose chat failed once got %+v; want the notice once", got)
	}
	if got := f.told(fine); len(got) != 1 || !strings.Contains(got[0].Text, "New report") {
		t.Errorf("the other official got %+v; want the notice once", got)
	}
	if got := f.told(gone); len(got) != 0 {
		t.Errorf("the official who blocked the bot got %+v", got)
	}
	if blocked, err := f.h.DB.IsBlocked(context.Background(), bot.Telegram, gone.ID); err != nil || !blocked {
		t.Errorf("the account that blocked the bot is not marked so (%v)", err)
	}
	ds, err := f.h.DB.Deliveries(context.Background(), store.RuleReportSubmitted, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		switch d.ChatID {
		case flaky.ID:
			if d.State != store.DeliverySent || d.Attempts != 2 {
				t.Errorf("the retried notice: %s after %d attempts; want sent after 2", d.State, d.Attempts)
			}
		case gone.ID:
			if d.State != store.DeliveryBlocked || !strings.Contains(d.Reason, "blocked") {
				t.Errorf("the blocked notice: %s, %q", d.State, d.Reason)
			}
		}
	}
}
