package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"hocvuso/bot"
	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/reach"
	"hocvuso/store"
)

// A reminder Zalo refuses at night (-234) waits for 06:00 in Vietnam,
// saying so, without counting an attempt: with one attempt allowed it is
// still planned, its job snoozed, then sent in the morning. So it goes
// for a message within Zalo's window and for the template outside it.
func TestAReminderZaloRefusesAtNightWaitsFor6(t *testing.T) {
	for _, c := range []struct {
		name, path string
		ago        time.Duration
	}{
		{"message", "message/cs", 24 * time.Hour},
		{"template", "message/template", 10 * 24 * time.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			fz, client := w.zalo()
			f := w.zaloFocal("9101", c.ago)
			fz.Fail(fakezalo.Fault{Code: fakezalo.NightTime})
			r := &reach.Reacher{Accounts: w.db, Senders: reach.SenderMap{bot.Zalo: client}, Zalo: client, TemplateID: "tpl-remind"}
			night := at("2025-11-07 23:00") // the 08:00 reminder, planned late (remind --at)
			s := w.scheduler(true, fixed(night), func(cfg *Config) { cfg.Reach = r; cfg.MaxAttempts = 1 })
			before := time.Now()
			w.start(s)
			if _, err := s.Plan(context.Background(), at("2025-11-07 08:00"), "test"); err != nil {
				t.Fatal(err)
			}
			var d store.Delivery
			w.waitFor(30*time.Second, "the delivery tried and snoozed", func() bool {
				ds, err := w.db.Deliveries(context.Background(), "deadline", "", 10)
				if err != nil || len(ds) != 1 {
					t.Fatalf("deliveries %+v, %v", ds, err)
				}
				d = ds[0]
				return (d.State == store.DeliveryPlanned && d.Reason != "" || d.State != store.DeliveryPlanned && d.State != store.DeliverySending) &&
					countJobs(t, w, "running") == 0
			})
			after := time.Now()
			if d.State != store.DeliveryPlanned || !strings.HasPrefix(d.Reason, "held until 06:00 08/11/2025: ") || !strings.Contains(d.Reason, "-234") {
				t.Fatalf("delivery refused at night: %s, %q", d.State, d.Reason)
			}
			if n := len(fz.Calls(c.path)); n != 1 {
				t.Errorf("%d calls to %s, want 1", n, c.path)
			}
			var state string
			var attempt int
			var scheduled time.Time
			if err := w.db.Pool.QueryRow(context.Background(), `SELECT state::text, attempt, scheduled_at FROM river_job
				WHERE kind = 'hocvuso_deliver'`).Scan(&state, &attempt, &scheduled); err != nil {
				t.Fatal(err)
			}
			// 7 hours from 23:00, plus up to a minute.
			if state != "scheduled" || attempt != 0 || scheduled.Before(before.Add(7*time.Hour)) || scheduled.After(after.Add(7*time.Hour+nightJitter)) {
				t.Errorf("job %s, attempt %d, at %s from now; want scheduled 7h (+ up to %s) on, no attempt counted",
					state, attempt, scheduled.Sub(after).Round(time.Second), nightJitter)
			}

			// In the morning Zalo takes it.
			fz.ClearFaults()
			if err := w.scheduler(false, fixed(at("2025-11-08 06:00")), func(cfg *Config) { cfg.Reach = r }).deliver(context.Background(), d.ID, true); err != nil {
				t.Fatal(err)
			}
			if n := len(fz.MessagesTo("9101")); n != 1 {
				t.Errorf("%d messages in the morning, want 1", n)
			}
			ds, err := w.db.Deliveries(context.Background(), "deadline", store.DeliverySent, 10)
			if err != nil || len(ds) != 1 || ds[0].UserID != f.user {
				t.Errorf("sent deliveries %+v, %v", ds, err)
			}
		})
	}
}

// Zalo's night is in Vietnam whatever BOT_TIMEZONE; a -234 outside it by
// this clock is an ordinary failed attempt, not a wait of a day.
func TestZaloNightIsVietnamsAndOnlyItIsWaitedOut(t *testing.T) {
	for _, c := range []struct {
		zone  string
		clock string // in zone
		want  time.Duration
	}{
		{"Asia/Ho_Chi_Minh", "2025-11-07 22:00", 8 * time.Hour},
		{"Asia/Ho_Chi_Minh", "2025-11-08 05:30", 30 * time.Minute},
		{"UTC", "2025-11-07 16:00", 7 * time.Hour}, // 23:00 in Vietnam
		{"Asia/Ho_Chi_Minh", "2025-11-07 21:59", 0},
		{"Asia/Ho_Chi_Minh", "2025-11-08 06:00", 0},
		{"UTC", "2025-11-07 23:30", 0}, // 06:30 in Vietnam
	} {
		t.Run(fmt.Sprintf("%s %s", c.zone, c.clock), func(t *testing.T) {
			w := newWorld(t)
			loc, err := time.LoadLocation(c.zone)
			if err != nil {
				t.Fatal(err)
			}
			w.rules.Location = loc
			now, err := time.ParseInLocation("2006-01-02 15:04", c.clock, loc)
			if err != nil {
				t.Fatal(err)
			}
			fz, client := w.zalo()
			w.zaloFocal("9102", time.Hour)
			fz.Fail(fakezalo.Fault{Code: fakezalo.NightTime})
			r := &reach.Reacher{Accounts: w.db, Senders: reach.SenderMap{bot.Zalo: client}, Zalo: client}
			s := w.scheduler(false, fixed(now), func(cfg *Config) { cfg.Reach = r })
			if _, err := s.Plan(context.Background(), time.Date(2025, 11, 7, 8, 0, 0, 0, loc), "test"); err != nil {
				t.Fatal(err)
			}
			ds, err := w.db.Deliveries(context.Background(), "deadline", "", 10)
			if err != nil || len(ds) != 1 {
				t.Fatalf("deliveries %+v, %v", ds, err)
			}
			err = s.deliver(context.Background(), ds[0].ID, false)
			var snooze *river.JobSnoozeError
			snoozed := errors.As(err, &snooze)
			switch {
			case c.want == 0 && (snoozed || err == nil):
				t.Errorf("deliver = %v, want a failed attempt", err)
			case c.want > 0 && (!snoozed || snooze.Duration < c.want || snooze.Duration >= c.want+nightJitter):
				t.Errorf("deliver = %v, want a snooze of %s (+ up to %s)", err, c.want, nightJitter)
			}
			ds, err = w.db.Deliveries(context.Background(), "deadline", "", 10)
			if err != nil || len(ds) != 1 || ds[0].State != store.DeliveryPlanned || !strings.Contains(ds[0].Reason, "-234") ||
				strings.HasPrefix(ds[0].Reason, "held until") != (c.want > 0) {
				t.Errorf("deliveries %+v, %v", ds, err)
			}
		})
	}
}
