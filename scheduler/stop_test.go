package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"hocvuso/flows/report/config"
	"hocvuso/reach"
	"hocvuso/store"
)

// stuckReacher routes as the real one but its sends hang until their
// context ends, as a send to a channel that stopped answering.
type stuckReacher struct {
	*reach.Reacher
	sending chan struct{} // a send began
	ended   chan error    // what a send's context said when it ended
}

func (r *stuckReacher) Send(ctx context.Context, route reach.Route, m reach.Message) (reach.Route, error) {
	select {
	case r.sending <- struct{}{}:
	default:
	}
	<-ctx.Done()
	select {
	case r.ended <- ctx.Err():
	default:
	}
	return route, fmt.Errorf("sendMessage: %w", ctx.Err())
}

// A replica stopping while a send hangs waits its soft time, then cancels
// the send: the delivery is planned again, marked uncertain (the message
// may have gone), and its job snoozed without counting an attempt, so
// another replica sends it at once.
func TestStopCancelsASendStillRunningAfterTheSoftTime(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindArmed, 1, 9400, "vi")
	now := at("2025-11-10 08:00")
	stuck := &stuckReacher{sending: make(chan struct{}, 1), ended: make(chan error, 1)}
	s := w.scheduler(true, fixed(now), func(c *Config) {
		stuck.Reacher = c.Reach.(*reach.Reacher)
		c.Reach = stuck
	})
	// Started as serve starts it: a context never cancelled, Stop stops it.
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background(), 0) }) // when failing before the Stop below
	if _, err := s.Plan(context.Background(), now, "test"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stuck.sending:
	case <-time.After(15 * time.Second):
		t.Fatalf("no send began; deliveries: %v", w.states())
	}

	const soft = 500 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	begin := time.Now()
	err := s.Stop(ctx, soft)
	took := time.Since(begin)
	if err != nil {
		t.Fatalf("Stop = %v after %s", err, took)
	}
	if took < soft || took > soft+2*time.Second {
		t.Errorf("Stop returned after %s, want the soft %s and then little more", took, soft)
	}
	select {
	case err := <-stuck.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the send's context ended with %v, want cancelled", err)
		}
	default:
		t.Fatal("Stop returned with the send still running")
	}

	// Recorded by the time Stop returns.
	ds, err := w.db.Deliveries(context.Background(), "", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].State != store.DeliveryPlanned || !ds[0].Uncertain || ds[0].Attempts != 1 ||
		!strings.Contains(ds[0].Reason, "context canceled") {
		t.Fatalf("deliveries %+v, want one planned again, uncertain, after one claim", ds)
	}
	var state, snoozes string
	var attempt, errs int
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT state::text, attempt, coalesce(metadata->>'snoozes', ''), coalesce(array_length(errors, 1), 0)
		FROM river_job WHERE kind = 'hocvuso_deliver'`).Scan(&state, &attempt, &snoozes, &errs); err != nil {
		t.Fatal(err)
	}
	if state != "available" || attempt != 0 || snoozes != "1" || errs != 0 {
		t.Fatalf("job %s, attempt %d, snoozes %q, %d errors; want available at once, snoozed once, no attempt counted", state, attempt, snoozes, errs)
	}

	b := w.scheduler(true, fixed(now))
	w.start(b)
	w.waitFor(15*time.Second, "another replica to send it", func() bool { return w.states()[store.DeliverySent] == 1 })
	if ds, err = w.db.Deliveries(context.Background(), "", "", 10); err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || !ds[0].Uncertain || ds[0].Attempts != 2 {
		t.Errorf("deliveries %+v, want one sent at a second claim, uncertain", ds)
	}
	if msgs := w.fake.MessagesTo(units[0].chatID); len(msgs) != 1 {
		t.Errorf("%d messages, want 1", len(msgs))
	}
}

// With nothing under way, Stop returns at once, whatever its soft time.
func TestStopWithNothingRunningReturnsAtOnce(t *testing.T) {
	w := newWorld(t)
	s := w.scheduler(true, fixed(at("2025-11-10 08:00")))
	if err := s.Stop(context.Background(), time.Minute); err != nil {
		t.Fatalf("Stop before Start = %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	begin := time.Now()
	if err := s.Stop(ctx, time.Minute); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if took := time.Since(begin); took > time.Second {
		t.Errorf("Stop took %s with nothing running", took)
	}
	if err := s.Stop(ctx, time.Minute); err != nil {
		t.Errorf("a second Stop = %v", err)
	}
}
