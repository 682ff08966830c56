package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/riverqueue/river"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/bot/zalo"
	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/flows/report/config"
	"hocvuso/reach"
	"hocvuso/store"
)

func countJobs(t *testing.T, w *world, state string) int {
	t.Helper()
	var n int
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'hocvuso_deliver' AND ($1 = '' OR state::text = $1)`, state).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTwoReplicasPlanTogetherAndEachFocalPointIsRemindedOnce(t *testing.T) {
	w := newWorld(t)
	departments := w.addUnits(config.KindDepartment, 30, 5000, "vi")
	communes := w.addUnits(config.KindCommune, 10, 6000, "en")
	everyone := append(append([]focal{}, departments...), communes...)
	now := at("2025-11-03 08:00") // 7 days before the annual report's due date
	a, b := w.scheduler(true, fixed(now)), w.scheduler(true, fixed(now))
	w.start(a)
	w.start(b)

	// Both replicas plan at once; b's clock is three minutes ahead.
	var wg sync.WaitGroup
	results := make([][]Planned, 2)
	for i, s := range []*Scheduler{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if results[i], err = s.Plan(context.Background(), now.Add(time.Duration(i)*3*time.Minute), "replica"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	planned := 0
	for _, r := range results {
		for _, p := range r {
			if p.Fresh {
				planned += p.Deliveries
			}
		}
	}
	if planned != 40 {
		t.Errorf("the two replicas planned %d deliveries together, want 40", planned)
	}
	w.waitFor(30*time.Second, "every reminder sent", func() bool { return w.states()[store.DeliverySent] == 40 })

	for chat, ms := range w.messages(everyone) {
		if len(ms) != 1 {
			t.Fatalf("chat %d got %d messages, want 1", chat, len(ms))
		}
	}
	// In each one's language, naming the unit, the period, the due date
	// and the days left, with the button opening the report form.
	d := w.fake.MessagesTo(departments[0].chatID)[0]
	for _, want := range []string{"Đơn vị " + departments[0].unit, "Báo cáo kết quả thực hiện Phong trào thi đua năm 2025", "10/11/2025", "Còn 7 ngày"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("reminder %q does not say %q", d.Text, want)
		}
	}
	if len(d.Buttons) != 1 || d.Buttons[0][0].CallbackData != "report|remind|0|annual-2025 "+departments[0].unit || d.Buttons[0][0].Text != "📝 Làm báo cáo" {
		t.Errorf("buttons %+v", d.Buttons)
	}
	e := w.fake.MessagesTo(communes[0].chatID)[0]
	if !strings.Contains(e.Text, "7 days left") || !strings.Contains(e.Text, "2025 annual results report") {
		t.Errorf("English reminder %q", e.Text)
	}

	// Planning again, by either, at any time of the window, plans nothing.
	for _, s := range []*Scheduler{a, b} {
		again, err := s.Plan(context.Background(), now.Add(time.Hour), "again")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range again {
			if p.Fresh {
				t.Errorf("occurrence %s %s planned twice", p.Occurrence.Rule.ID, p.Occurrence.Subject())
			}
		}
	}
	if n := countJobs(t, w, ""); n != 40 {
		t.Errorf("%d delivery jobs, want 40", n)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(w.fake.Calls("sendMessage")); n != 40 {
		t.Errorf("%d sendMessage calls, want 40", n)
	}
}

func TestAUnitThatSubmitsAfterPlanningGetsNoReminder(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindCommune, 4, 7000, "vi")
	// One submitted before planning: not even planned.
	w.submit(units[0].unit, "annual-2025", units[0].user)
	now := at("2025-11-10 08:00") // the due date
	planner := w.scheduler(false, fixed(now))
	planned, err := planner.Plan(context.Background(), now, "test")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range planned {
		total += p.Deliveries
	}
	if total != 3 {
		t.Fatalf("planned %d, want 3 (one unit had submitted)", total)
	}
	// One submits after planning, before sending.
	w.submit(units[1].unit, "annual-2025", units[1].user)
	w.start(w.scheduler(true, fixed(now)))
	w.waitFor(30*time.Second, "every delivery finished", func() bool {
		s := w.states()
		return s[store.DeliverySent] == 2 && s[store.DeliveryCancelled] == 1
	})
	got := w.messages(units)
	if len(got[units[0].chatID]) != 0 || len(got[units[1].chatID]) != 0 {
		t.Errorf("units that submitted were reminded: %v %v", got[units[0].chatID], got[units[1].chatID])
	}
	for _, u := range units[2:] {
		if len(got[u.chatID]) != 1 || !strings.Contains(got[u.chatID][0].Text, "Hôm nay là hạn cuối") {
			t.Errorf("chat %d: %+v", u.chatID, got[u.chatID])
		}
	}
	ds, err := w.db.Deliveries(context.Background(), "", store.DeliveryCancelled, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].UnitCode != units[1].unit || ds[0].Reason != "the unit submitted its report" {
		t.Errorf("cancelled deliveries %+v", ds)
	}
}

func TestBlockedRateLimitedAndFailingChatsGetEveryDeliverableReminderOnce(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindDepartment, 20, 8000, "vi")
	blocked := units[:3]
	for _, u := range blocked {
		w.fake.Fail(fakeapi.Fault{Method: "sendMessage", ChatID: u.chatID, Code: 403})
	}
	// Five 429s in a row: the client waits out three, then hands it over.
	w.fake.Fail(fakeapi.Fault{Method: "sendMessage", ChatID: units[3].chatID, Code: 429, RetryAfter: 1, Times: 5})
	// A 500 for one sendMessage in five, to the others: the blocked are
	// tried once, and the 429s come in a row. The first call to units[4]
	// fails for sure, so that a retry is made in every run (random 500s
	// alone miss all 16 chats about once in 35 runs).
	w.fake.Fail(fakeapi.Fault{Method: "sendMessage", ChatID: units[4].chatID, Code: 500, Times: 1})
	w.failRate.Store(200_000)
	w.steady = map[string]bool{units[3].chatIDString(): true}
	for _, u := range blocked {
		w.steady[u.chatIDString()] = true
	}
	before := map[string]float64{}
	for _, o := range []string{"sent", "blocked", "retried", "snoozed"} {
		before[o] = testutil.ToFloat64(deliveredTotal.WithLabelValues("overdue", o))
	}
	now := at("2025-11-13 08:00") // 3 days late
	s := w.scheduler(true, fixed(now), func(c *Config) { c.MaxAttempts = 15 })
	w.start(s)
	if _, err := s.Plan(context.Background(), now, "test"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(60*time.Second, "every delivery finished", func() bool {
		st := w.states()
		return st[store.DeliverySent] == 17 && st[store.DeliveryBlocked] == 3
	})
	got := w.messages(units)
	for _, u := range units {
		want := 1
		if u.chatID < units[3].chatID {
			want = 0
		}
		if len(got[u.chatID]) != want {
			t.Errorf("chat %d got %d messages, want %d", u.chatID, len(got[u.chatID]), want)
		}
	}
	if !strings.Contains(got[units[4].chatID][0].Text, "Đã trễ 3 ngày") {
		t.Errorf("overdue reminder %q", got[units[4].chatID][0].Text)
	}
	for _, u := range blocked {
		if b, err := w.db.IsBlocked(context.Background(), bot.Telegram, u.chatIDString()); err != nil || !b {
			t.Errorf("chat %d not recorded as blocked (%v)", u.chatID, err)
		}
	}
	ds, err := w.db.Deliveries(context.Background(), "overdue", store.DeliveryBlocked, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !strings.Contains(d.Reason, "blocked by the user") || d.Attempts != 1 {
			t.Errorf("blocked delivery %+v", d)
		}
	}
	if d := testutil.ToFloat64(deliveredTotal.WithLabelValues("overdue", "sent")) - before["sent"]; d != 17 {
		t.Errorf("sent counted %v, want 17", d)
	}
	if d := testutil.ToFloat64(deliveredTotal.WithLabelValues("overdue", "blocked")) - before["blocked"]; d != 3 {
		t.Errorf("blocked counted %v, want 3", d)
	}
	if d := testutil.ToFloat64(deliveredTotal.WithLabelValues("overdue", "snoozed")) - before["snoozed"]; d < 1 {
		t.Errorf("the 429s snoozed nothing (%v)", d)
	}
	if d := testutil.ToFloat64(deliveredTotal.WithLabelValues("overdue", "retried")) - before["retried"]; d < 1 {
		t.Errorf("the 500s retried nothing (%v)", d)
	}
	// A blocked account is not tried again: the next occurrence records
	// it blocked without a call.
	calls := len(w.fake.Calls("sendMessage"))
	if _, err := s.Plan(context.Background(), at("2025-11-16 08:00"), "test"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(60*time.Second, "the next occurrence finished", func() bool {
		st := w.states()
		return st[store.DeliverySent] == 34 && st[store.DeliveryBlocked] == 6
	})
	var blockedCalls int
	for _, c := range w.fake.Calls("sendMessage")[calls:] {
		for _, u := range blocked {
			if c.ChatID() == u.chatID {
				blockedCalls++
			}
		}
	}
	if blockedCalls != 0 {
		t.Errorf("%d calls to chats that blocked the bot", blockedCalls)
	}
}

func (f focal) chatIDString() string { return strconv.FormatInt(f.chatID, 10) }

func TestADeliveryFailingEveryTimeGivesUpWithTheReason(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindArmed, 1, 9000, "vi")
	w.fake.Fail(fakeapi.Fault{Method: "sendMessage", ChatID: units[0].chatID, Code: 400, Description: "Bad Request: message text is empty"})
	now := at("2025-11-10 08:00")
	s := w.scheduler(true, fixed(now), func(c *Config) { c.MaxAttempts = 3 })
	w.start(s)
	if _, err := s.Plan(context.Background(), now, "test"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(30*time.Second, "the delivery failed", func() bool { return w.states()[store.DeliveryFailed] == 1 })
	ds, err := w.db.Deliveries(context.Background(), "deadline", store.DeliveryFailed, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Attempts != 3 || !strings.Contains(ds[0].Reason, "message text is empty") {
		t.Errorf("failed delivery %+v", ds)
	}
	w.waitFor(10*time.Second, "the job discarded", func() bool { return countJobs(t, w, "discarded") == 1 })
	if n := len(w.fake.Calls("sendMessage")); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

func TestNothingIsSentInTheQuietHoursNorLongAfterPlanning(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindFront, 1, 9100, "vi")
	w.rules.Quiet = &QuietHours{From: Clock{21, 0}, Until: Clock{7, 0}}
	night := at("2025-11-09 22:30")
	s := w.scheduler(false, fixed(night))
	// 08:00 reminders planned late at night (an operator's remind --at).
	if _, err := s.Plan(context.Background(), at("2025-11-09 08:00"), "test"); err != nil {
		t.Fatal(err)
	}
	ds, err := w.db.Deliveries(context.Background(), "", "", 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
	err = s.deliver(context.Background(), ds[0].ID, false)
	var snooze *river.JobSnoozeError
	if !errors.As(err, &snooze) || snooze.Duration != 8*time.Hour+30*time.Minute {
		t.Fatalf("deliver at 22:30 = %v, want a snooze until 07:00", err)
	}
	if len(w.fake.MessagesTo(units[0].chatID)) != 0 {
		t.Fatal("a message went out in the quiet hours")
	}
	// Four days later it is no longer worth sending.
	late := w.scheduler(false, fixed(night.Add(4*24*time.Hour)))
	if err := late.deliver(context.Background(), ds[0].ID, false); err != nil {
		t.Fatal(err)
	}
	ds, _ = w.db.Deliveries(context.Background(), "", "", 10)
	if ds[0].State != store.DeliveryCancelled || !strings.HasPrefix(ds[0].Reason, "expired") {
		t.Errorf("stale delivery %+v", ds[0])
	}
}

// recordingDigests is a DigestBuilder answering what the tests set, and
// recording what it was asked.
type recordingDigests struct {
	mu     sync.Mutex
	due    []int64
	asked  []string
	nudges map[int64]bool // users with something to nudge about
}

func (d *recordingDigests) note(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asked = append(d.asked, s)
}

func (d *recordingDigests) Weekly(_ context.Context, userID int64, lang string, _ time.Time) ([]bot.Reply, error) {
	d.note("weekly " + lang)
	return []bot.Reply{{Text: "digest part 1"}, {Text: "digest part 2"}}, nil
}

func (d *recordingDigests) Escalation(_ context.Context, _ int64, lang, periodID string, due, _ time.Time) ([]bot.Reply, error) {
	d.note("escalation " + periodID + " " + due.Format(time.DateOnly))
	return []bot.Reply{{Text: "late units of " + periodID}}, nil
}

func (d *recordingDigests) Nudge(_ context.Context, userID int64, _ string, at time.Time) ([]bot.Reply, error) {
	d.note("nudge " + at.In(hcm).Format(time.DateTime))
	if !d.nudges[userID] {
		return nil, nil
	}
	return []bot.Reply{{Text: "keep learning"}}, nil
}

func (d *recordingDigests) NudgeDue(_ context.Context, _ time.Time, after int64, limit int) ([]int64, error) {
	var out []int64
	for _, id := range d.due {
		if id > after && len(out) < limit {
			out = append(out, id)
		}
	}
	return out, nil
}

func TestDigestsEscalationsAndNudgesGoThroughTheDigestBuilder(t *testing.T) {
	w := newWorld(t)
	officials := w.addUnits(config.KindDepartment, 2, 9200, "en") // made officials below
	citizens := w.addUnits(config.KindEnterprise, 3, 9300, "vi")  // their units submit: no reminders
	ctx := context.Background()
	for _, o := range officials {
		if _, err := w.db.GrantRole(ctx, o.user, store.RoleOfficial, "", "test", time.Now()); err != nil {
			t.Fatal(err)
		}
		w.submit(o.unit, "annual-2025", o.user)
	}
	for _, c := range citizens {
		w.submit(c.unit, "annual-2025", c.user)
	}
	digests := &recordingDigests{due: []int64{citizens[0].user, citizens[1].user}, nudges: map[int64]bool{citizens[0].user: true}}

	// Without a digest builder those rules are skipped, and said so.
	monday := at("2025-11-10 08:00") // a Monday, and the due date
	noDigests := w.scheduler(false, fixed(monday))
	planned, err := noDigests.Plan(ctx, monday, "test")
	if err != nil {
		t.Fatal(err)
	}
	skipped := 0
	for _, p := range planned {
		if p.Occurrence.Rule.Kind == KindDigest && strings.Contains(p.Skipped, "no digest builder") {
			skipped++
		}
	}
	if skipped != 1 {
		t.Errorf("weekly digest without a builder: %+v", planned)
	}

	s := w.scheduler(true, fixed(monday), func(c *Config) { c.Digests = digests })
	w.start(s)
	for _, now := range []time.Time{monday, at("2025-11-11 08:00"), at("2025-11-15 09:00")} {
		if _, err := s.Plan(ctx, now, "test"); err != nil {
			t.Fatal(err)
		}
	}
	// 2 weekly digests of two messages, 2 escalations, 1 nudge sent, 1
	// cancelled (nothing to nudge about).
	w.waitFor(30*time.Second, "digests sent", func() bool {
		st := w.states()
		return st[store.DeliverySent] == 5 && st[store.DeliveryCancelled] == 1
	})
	ms := w.fake.MessagesTo(officials[0].chatID)
	var texts []string
	for _, m := range ms {
		texts = append(texts, m.Text)
	}
	// The digest's parts in order, and the escalation (sent at the same
	// time here, so in between maybe).
	all := strings.Join(texts, "|")
	if len(texts) != 3 || !strings.Contains(all, "late units of annual-2025") ||
		strings.Index(all, "digest part 1") > strings.Index(all, "digest part 2") || !strings.Contains(all, "digest part 1") {
		t.Errorf("official got %q", texts)
	}
	if n := len(w.fake.MessagesTo(citizens[0].chatID)); n != 1 {
		t.Errorf("nudged citizen got %d messages", n)
	}
	if n := len(w.fake.MessagesTo(citizens[1].chatID)) + len(w.fake.MessagesTo(citizens[2].chatID)); n != 0 {
		t.Errorf("citizens without a nudge got %d messages", n)
	}
	digests.mu.Lock()
	defer digests.mu.Unlock()
	asked := strings.Join(digests.asked, "\n")
	for _, want := range []string{"weekly en", "escalation annual-2025 2025-11-10", "nudge 2025-11-15 09:00:00"} {
		if !strings.Contains(asked, want) {
			t.Errorf("the builder was not asked %q:\n%s", want, asked)
		}
	}
}

// zalo starts a fake Zalo OA with the reminders' template "tpl-remind"
// approved, and returns it with the real client in front of it, holding
// the OA's grant.
func (w *world) zalo() (*fakezalo.Server, *zalo.Client) {
	w.t.Helper()
	fz := fakezalo.Start(fakezalo.Config{})
	w.t.Cleanup(fz.Close)
	fc := fz.Config()
	client, err := zalo.New(zalo.Config{AppID: fc.AppID, AppSecret: fc.AppSecret, APIURL: fz.URL, OAuthURL: fz.URL, Tokens: &zalo.MemoryTokens{}, Log: quiet()})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := client.Seed(context.Background(), fz.Grant()); err != nil {
		w.t.Fatal(err)
	}
	fz.ApproveTemplate("tpl-remind", "unit", "period", "due", "days_left")
	return fz, client
}

// zaloFocal makes a focal point of a new unit on Zalo, last seen ago.
func (w *world) zaloFocal(zaloID string, ago time.Duration) focal {
	w.t.Helper()
	ctx := context.Background()
	code := "zalo-" + zaloID
	if _, _, err := w.db.UpsertUnits(ctx, []store.Unit{{Code: code, Name: "Xã " + zaloID, Kind: string(config.KindCommune)}}, "test", time.Now()); err != nil {
		w.t.Fatal(err)
	}
	id, err := w.db.CreateUser(ctx, store.NewUser{Channel: bot.Zalo, ExternalID: zaloID, ChatID: zaloID, Language: "vi", ConsentVersion: "test", At: time.Now()})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.Touch(ctx, bot.Zalo, zaloID, time.Now().Add(-ago)); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.db.GrantRole(ctx, id, store.RoleFocal, code, "test", time.Now()); err != nil {
		w.t.Fatal(err)
	}
	return focal{unit: code, user: id}
}

func TestZaloFocalPointsWithinTheWindowOutsideItAndWithoutATemplate(t *testing.T) {
	for _, withTemplate := range []bool{true, false} {
		t.Run(fmt.Sprintf("template=%v", withTemplate), func(t *testing.T) {
			w := newWorld(t)
			fz, client := w.zalo()
			w.zaloFocal("9001", 24*time.Hour) // within the window
			silent := w.zaloFocal("9002", 10*24*time.Hour)
			// The window is read on the real clock (Reacher.Now), where the
			// accounts were last seen; the scheduler's is 3 days before the
			// due date, the day it plans and sends.
			r := &reach.Reacher{Accounts: w.db, Senders: reach.SenderMap{bot.Telegram: w.client, bot.Zalo: client}, Zalo: client}
			if withTemplate {
				r.TemplateID = "tpl-remind"
			}
			now := at("2025-11-07 08:00")
			s := w.scheduler(true, fixed(now), func(c *Config) { c.Reach = r })
			w.start(s)
			if _, err := s.Plan(context.Background(), now, "test"); err != nil { // 3 days before
				t.Fatal(err)
			}
			w.waitFor(30*time.Second, "both deliveries finished", func() bool {
				st := w.states()
				return st[store.DeliverySent]+st[store.DeliveryUnreachable] == 2
			})
			if texts := fz.Texts("9001"); len(texts) != 1 || !strings.Contains(texts[0], "Còn 3 ngày") {
				t.Errorf("the recent Zalo user got %q", texts)
			}
			ds, err := w.db.Deliveries(context.Background(), "deadline", "", 10)
			if err != nil {
				t.Fatal(err)
			}
			var d store.Delivery
			for _, x := range ds {
				if x.UserID == silent.user {
					d = x
				}
			}
			tpl := fz.TemplatesTo("9002")
			if !withTemplate {
				if d.State != store.DeliveryUnreachable || len(tpl) != 0 || len(fz.Texts("9002")) != 0 {
					t.Errorf("silent user without a template: %+v, templates %v", d, tpl)
				}
				return
			}
			if d.State != store.DeliverySent || len(tpl) != 1 {
				t.Fatalf("silent user with a template: %+v, templates %v", d, tpl)
			}
			want := map[string]string{"unit": "Xã 9002", "period": "Báo cáo kết quả thực hiện Phong trào thi đua năm 2025", "due": "10/11/2025", "days_left": "3"}
			if fmt.Sprint(tpl[0].Data) != fmt.Sprint(want) || tpl[0].TrackingID != strconv.FormatInt(d.ID, 10) {
				t.Errorf("template %+v, want data %v and tracking id %d", tpl[0], want, d.ID)
			}
		})
	}
}

// A reminder held back past midnight (planned late at night, then kept
// for the end of the quiet hours) counts its days from the day it is sent,
// not the day it was planned for: the "tomorrow" reminder that arrives on
// the due date says today, one that arrives after it says late.
func TestAReminderSentOnALaterDayCountsItsDaysFromThatDay(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindFront, 1, 9200, "vi")
	w.rules.Quiet = &QuietHours{From: Clock{21, 0}, Until: Clock{7, 0}}
	// The 08:00 reminder of the day before the due date, planned at 22:30
	// that night (an operator's remind --at).
	s := w.scheduler(false, fixed(at("2025-11-09 22:30")))
	if _, err := s.Plan(context.Background(), at("2025-11-09 08:00"), "test"); err != nil {
		t.Fatal(err)
	}
	ds, err := w.db.Deliveries(context.Background(), "deadline", "", 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
	// Sent at 07:00 on the due date.
	if err := w.scheduler(false, fixed(at("2025-11-10 07:00"))).deliver(context.Background(), ds[0].ID, false); err != nil {
		t.Fatal(err)
	}
	ms := w.fake.MessagesTo(units[0].chatID)
	if len(ms) != 1 {
		t.Fatalf("%d messages, want 1", len(ms))
	}
	if !strings.Contains(ms[0].Text, "Hôm nay là hạn cuối") || strings.Contains(ms[0].Text, "Ngày mai") {
		t.Errorf("the reminder sent on the due date says:\n%s", ms[0].Text)
	}

	// The due date's own reminder, sent the day after: one day late.
	s = w.scheduler(false, fixed(at("2025-11-10 23:00")))
	if _, err := s.Plan(context.Background(), at("2025-11-10 08:00"), "test"); err != nil {
		t.Fatal(err)
	}
	ds, err = w.db.Deliveries(context.Background(), "deadline", store.DeliveryPlanned, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
	if err := w.scheduler(false, fixed(at("2025-11-11 07:00"))).deliver(context.Background(), ds[0].ID, false); err != nil {
		t.Fatal(err)
	}
	ms = w.fake.MessagesTo(units[0].chatID)
	if len(ms) != 2 || !strings.Contains(ms[1].Text, "Đã trễ 1 ngày") {
		t.Errorf("the due date's reminder sent the day after: %+v", ms)
	}
}
