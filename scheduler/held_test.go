package scheduler

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// A replica that stops while a delivery waits for its slot of the rate
// limit, on the delivery's last attempt, leaves the delivery to another
// replica: the wait was no failed attempt, and the delivery is neither left
// planned with its job discarded nor recorded failed.
func TestADeliveryInterruptedOnItsLastAttemptIsTakenOver(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindArmed, 1, 9300, "vi")
	now := at("2025-11-10 08:00")
	oneAttempt := func(c *Config) { c.MaxAttempts = 1 }
	a := w.scheduler(true, fixed(now), oneAttempt)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	// The channel is busy for 3 s: the delivery waits that long for a slot.
	if err := a.limiter.Pause(ctx, bot.Telegram, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	// Stopped the hard way: cancelling its context cancels the wait at once.
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Plan(ctx, now, "test"); err != nil {
		t.Fatal(err)
	}
	// The delivery holds a slot of its chat once it waits for it.
	slot := w.redis.Prefix + "{rl:" + string(bot.Telegram) + "}:" + strconv.FormatInt(units[0].chatID, 10)
	w.waitFor(10*time.Second, "the delivery waiting for its slot", func() bool {
		n, err := w.redis.Client.Exists(context.Background(), slot).Result()
		return err == nil && n == 1
	})
	stop()
	w.waitFor(10*time.Second, "the stopped replica to let the job go", func() bool { return countJobs(t, w, "running") == 0 })
	if n := countJobs(t, w, "discarded"); n != 0 {
		t.Fatalf("the job of the interrupted delivery was discarded; deliveries: %v", w.states())
	}
	if st := w.states(); st[store.DeliveryPlanned] != 1 {
		t.Fatalf("deliveries %v after the stop, want it planned", st)
	}

	b := w.scheduler(true, fixed(now), oneAttempt)
	w.start(b)
	w.waitFor(15*time.Second, "the other replica to send it", func() bool { return w.states()[store.DeliverySent] == 1 })
	ds, err := w.db.Deliveries(context.Background(), "", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Attempts != 1 || ds[0].Uncertain {
		t.Errorf("deliveries %+v, want one sent at the first claim", ds)
	}
	if msgs := w.fake.MessagesTo(units[0].chatID); len(msgs) != 1 {
		t.Errorf("%d messages, want 1", len(msgs))
	}
}

// When PostgreSQL fails to record a delivery sent on its last attempt, the
// job is not discarded with the delivery left sending for ever: it comes
// back, sends again (marked uncertain: the message may have gone twice)
// and records the end.
func TestADeliveryWhoseEndCannotBeRecordedOnItsLastAttemptIsTriedAgain(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindArmed, 1, 9310, "vi")
	ctx := context.Background()
	// The first write of a sent delivery fails, as with a full disk. A
	// sequence, because a failed statement rolls back any table it wrote.
	if _, err := w.db.Pool.Exec(ctx, `
		CREATE SEQUENCE test_sent_writes;
		CREATE FUNCTION test_fail_first_sent() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.state = 'sent' AND nextval('test_sent_writes') = 1 THEN
				RAISE EXCEPTION 'could not extend file (a test)';
			END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER test_fail_first_sent BEFORE UPDATE ON deliveries
			FOR EACH ROW EXECUTE FUNCTION test_fail_first_sent();`); err != nil {
		t.Fatal(err)
	}
	now := at("2025-11-10 08:00")
	s := w.scheduler(true, fixed(now), func(c *Config) { c.MaxAttempts = 1 })
	w.start(s)
	if _, err := s.Plan(ctx, now, "test"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(15*time.Second, "the delivery recorded sent", func() bool { return w.states()[store.DeliverySent] == 1 })
	ds, err := w.db.Deliveries(ctx, "", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || !ds[0].Uncertain || ds[0].Attempts != 2 {
		t.Errorf("deliveries %+v, want one sent at a second claim, uncertain", ds)
	}
	if msgs := w.fake.MessagesTo(units[0].chatID); len(msgs) != 2 || !strings.Contains(msgs[1].Text, "Đơn vị") {
		t.Errorf("messages %+v, want the reminder twice", msgs)
	}
	w.waitFor(10*time.Second, "the job completed", func() bool { return countJobs(t, w, "completed") == 1 })
	if n := countJobs(t, w, "discarded"); n != 0 {
		t.Errorf("%d jobs discarded", n)
	}
}
