package scheduler

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// jobOf is the id of delivery id's job, and its state.
func (w *world) jobOf(id int64) (int64, string) {
	w.t.Helper()
	var job int64
	var state string
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT id, state::text FROM river_job
		WHERE kind = 'hocvuso_deliver' AND args @> jsonb_build_object('delivery_id', $1::bigint)`, id).Scan(&job, &state); err != nil {
		w.t.Fatalf("the job of delivery %d: %v", id, err)
	}
	return job, state
}

// delivery reads one delivery.
func (w *world) delivery(id int64) store.Delivery {
	w.t.Helper()
	ds, err := w.db.Deliveries(context.Background(), "", "", 1000)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, d := range ds {
		if d.ID == id {
			return d
		}
	}
	w.t.Fatalf("no delivery %d", id)
	return store.Delivery{}
}

// deliveryOf is the id of the delivery of the occurrence at to f's focal
// point.
func (w *world) deliveryOf(f focal, occurs time.Time) int64 {
	w.t.Helper()
	var id int64
	if err := w.db.Pool.QueryRow(context.Background(), `SELECT id FROM deliveries WHERE user_id = $1 AND occurs_at = $2`,
		f.user, occurs).Scan(&id); err != nil {
		w.t.Fatalf("the delivery to %d at %s: %v", f.user, occurs, err)
	}
	return id
}

// killedOnLastAttempt leaves delivery id and its job as a replica killed
// (SIGKILL, OOM) mid-send on the job's last attempt leaves them, once
// river's rescuer has seen the job. A process cannot be killed mid-send
// inside a test, so river's part is done in SQL, as river does it: its
// producer fetching the job (running, its attempt the last, by the replica)
// and, RescueAfter later, its rescuer discarding it rather than retrying it
// (JobRescueMany: discarded, finalized, the rescue recorded among its
// errors). The delivery's part is the scheduler's own: claims attempts
// made, each but the last failing as a failed attempt records it; the last
// left sending.
func (w *world) killedOnLastAttempt(id int64, chat int64, claims int, at time.Time) {
	w.t.Helper()
	ctx := context.Background()
	job, _ := w.jobOf(id)
	if _, err := w.db.Pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = max_attempts,
			attempted_at = now() - interval '1 hour', attempted_by = array_append(attempted_by, 'killed-replica')
		WHERE id = $1`, job); err != nil {
		w.t.Fatal(err)
	}
	to := bot.Target{Channel: bot.Telegram, ChatID: strconv.FormatInt(chat, 10), Lang: "vi"}
	for i := range claims {
		if _, ok, err := w.db.ClaimDelivery(ctx, id, to, at); err != nil || !ok {
			w.t.Fatalf("claim delivery %d: %v, %v", id, ok, err)
		}
		if i < claims-1 {
			if err := w.db.FinishDelivery(ctx, id, store.DeliveryPlanned, "sendMessage: 500 Internal Server Error", at); err != nil {
				w.t.Fatal(err)
			}
		}
	}
	if _, err := w.db.Pool.Exec(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = now(),
			errors = array_append(errors, jsonb_build_object('at', now(), 'attempt', attempt, 'error', 'Stuck job rescued by JobRescuer', 'trace', '')),
			metadata = metadata || jsonb_build_object('river:rescue_count', 1)
		WHERE id = $1`, job); err != nil {
		w.t.Fatal(err)
	}
}

// A replica killed mid-send on the job's last attempt leaves its delivery
// sending, the job discarded by river's rescuer: nothing would ever send it
// or say it failed. The leader's planning sweeps it up: a new job, and it
// is sent, marked uncertain (the first message may have gone), within the
// attempts it had left.
func TestADeliveryWhoseJobWasDiscardedMidAttemptIsSentAgainByTheLeader(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindArmed, 1, 9500, "vi")
	ctx := context.Background()
	now := at("2025-11-10 08:00")
	three := func(c *Config) { c.MaxAttempts = 3 }
	if _, err := w.scheduler(false, fixed(now), three).Plan(ctx, now, "test"); err != nil {
		t.Fatal(err)
	}
	id := w.deliveryOf(units[0], now)
	// Its job's first two attempts ended before a claim (reach could not
	// look the account up, say): one claim, on the third and last.
	w.killedOnLastAttempt(id, units[0].chatID, 1, now)
	if d := w.delivery(id); d.State != store.DeliverySending || d.Attempts != 1 {
		t.Fatalf("delivery %+v, want sending after one claim", d)
	}
	if _, state := w.jobOf(id); state != "discarded" {
		t.Fatalf("job %s, want discarded", state)
	}
	before := testutil.ToFloat64(deliveredTotal.WithLabelValues("deadline", "requeued"))

	// The leader plans on start (and every PlanEvery), ten minutes on.
	leader := w.scheduler(true, fixed(now.Add(10*time.Minute)), three, func(c *Config) {
		c.Plan, c.PlanEvery = true, time.Hour
	})
	w.start(leader)
	w.waitFor(30*time.Second, "the delivery sent", func() bool { return w.states()[store.DeliverySent] == 1 })
	if d := w.delivery(id); !d.Uncertain || d.Attempts != 2 {
		t.Errorf("delivery %+v, want sent at a second claim, uncertain", d)
	}
	if msgs := w.fake.MessagesTo(units[0].chatID); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Hôm nay là hạn cuối") {
		t.Errorf("messages %+v, want the reminder once (the killed replica's never reached the fake)", msgs)
	}
	// The discarded job gave way to one with the attempts left.
	var jobs, maxAttempts int
	if err := w.db.Pool.QueryRow(ctx, `SELECT count(*), max(max_attempts) FROM river_job WHERE kind = 'hocvuso_deliver'`).Scan(&jobs, &maxAttempts); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 || maxAttempts != 2 {
		t.Errorf("%d jobs, max attempts %d; want one, with the 2 attempts left", jobs, maxAttempts)
	}
	if d := testutil.ToFloat64(deliveredTotal.WithLabelValues("deadline", "requeued")) - before; d != 1 {
		t.Errorf("requeued counted %v, want 1", d)
	}
}

// An orphan out of attempts, or planned too long ago, fails with a reason
// that says it was interrupted; one whose job an operator cancelled is
// cancelled; one still worth sending is queued again, and so is an
// officials' notice however old (notices do not expire). Those with a job
// that will run are left to it, however old.
func TestOrphansFailWhenOutOfAttemptsOrStaleAndAreCancelledWithTheirJob(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindCommune, 3, 9600, "vi")
	reporting := w.addUnits(config.KindDepartment, 1, 9700, "vi")[0]
	w.addOfficial(9800, "vi")
	ctx := context.Background()
	weekBefore, due := at("2025-11-03 08:00"), at("2025-11-10 08:00")
	planner := w.scheduler(false, fixed(due))
	// The department's report is submitted (and so not reminded) before
	// the first reminders; its notice to the official is planned then.
	notices, err := NewNotices(w.db, 3)
	if err != nil {
		t.Fatal(err)
	}
	sub := w.draft(reporting.unit, "annual-2025", reporting.user, at("2025-11-01 10:00"))
	sub.Notify = notices
	if _, err := w.db.SubmitReport(ctx, sub); err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{weekBefore, due} {
		if _, err := w.scheduler(false, fixed(now)).Plan(ctx, now, "test"); err != nil {
			t.Fatal(err)
		}
	}
	var notice int64
	if err := w.db.Pool.QueryRow(ctx, `SELECT id FROM deliveries WHERE kind = 'report'`).Scan(&notice); err != nil {
		t.Fatal(err)
	}
	stale := w.deliveryOf(units[0], weekBefore)
	exhausted := w.deliveryOf(units[0], due)
	cancelled := w.deliveryOf(units[1], due)
	fresh := w.deliveryOf(units[2], due)
	alive := []int64{w.deliveryOf(units[1], weekBefore), w.deliveryOf(units[2], weekBefore)} // jobs available, untouched

	// Three claims, the last cut by the replica's death: no attempt left.
	w.killedOnLastAttempt(exhausted, units[0].chatID, 3, due)
	// Cancelled, or deleted, by an operator, through river's API.
	for _, id := range []int64{stale, fresh, notice} {
		job, _ := w.jobOf(id)
		if _, err := planner.river.JobDelete(ctx, job); err != nil {
			t.Fatal(err)
		}
	}
	job, _ := w.jobOf(cancelled)
	if _, err := planner.river.JobCancel(ctx, job); err != nil {
		t.Fatal(err)
	}
	before := map[string]float64{}
	for _, o := range []string{"failed", "cancelled", "requeued"} {
		before[o] = testutil.ToFloat64(deliveredTotal.WithLabelValues("deadline", o))
	}

	sweeper := w.scheduler(false, fixed(due.Add(10*time.Minute)), func(c *Config) { c.MaxAttempts = 3 })
	n, err := sweeper.SweepOrphans(ctx)
	if err != nil || n != 5 {
		t.Fatalf("swept %d, %v; want 5", n, err)
	}
	for _, c := range []struct {
		id        int64
		state     string
		reason    string
		uncertain bool
	}{
		{exhausted, store.DeliveryFailed, "interrupted: its job was discarded mid-attempt, after 3 attempts", true},
		{stale, store.DeliveryFailed, "interrupted: no job was left to send it, and expired: planned at 2025-11-03T08:00:00+07:00", false},
		{cancelled, store.DeliveryCancelled, "its job was cancelled", false},
		{fresh, store.DeliveryPlanned, "interrupted: no job was left to send it; queued again", false},
		{notice, store.DeliveryPlanned, "interrupted: no job was left to send it; queued again", false},
	} {
		d := w.delivery(c.id)
		if d.State != c.state || d.Reason != c.reason || d.Uncertain != c.uncertain {
			t.Errorf("delivery %d: %s %q uncertain=%v; want %s %q uncertain=%v", c.id, d.State, d.Reason, d.Uncertain, c.state, c.reason, c.uncertain)
		}
	}
	for _, id := range append(alive, fresh, notice) {
		if _, state := w.jobOf(id); state != "available" {
			t.Errorf("the job of delivery %d is %s, want available", id, state)
		}
	}
	for _, id := range alive {
		if d := w.delivery(id); d.State != store.DeliveryPlanned || d.Reason != "" {
			t.Errorf("delivery %d with a job was swept: %+v", id, d)
		}
	}
	for o, want := range map[string]float64{"failed": 2, "cancelled": 1, "requeued": 1} {
		if d := testutil.ToFloat64(deliveredTotal.WithLabelValues("deadline", o)) - before[o]; d != want {
			t.Errorf("%s counted %v, want %v", o, d, want)
		}
	}
	// Nothing is left for a second sweep, and nothing was sent.
	if n, err := sweeper.SweepOrphans(ctx); err != nil || n != 0 {
		t.Errorf("a second sweep settled %d, %v; want none", n, err)
	}
	if calls := w.fake.Calls("sendMessage"); len(calls) != 0 {
		t.Errorf("%d messages sent by the sweep itself", len(calls))
	}

	// Their new jobs lost in turn before any attempt (a replica dying on
	// each try), the two queued again fail: the notice, which never
	// expires, would otherwise go round for ever.
	for _, id := range []int64{fresh, notice} {
		job, _ := w.jobOf(id)
		if _, err := planner.river.JobDelete(ctx, job); err != nil {
			t.Fatal(err)
		}
	}
	failedBefore := testutil.ToFloat64(deliveredTotal.WithLabelValues("deadline", "failed"))
	later := w.scheduler(false, fixed(due.Add(30*time.Minute)), func(c *Config) { c.MaxAttempts = 3 })
	if n, err := later.SweepOrphans(ctx); err != nil || n != 2 {
		t.Fatalf("the later sweep settled %d, %v; want 2", n, err)
	}
	for _, id := range []int64{fresh, notice} {
		want := "interrupted: no job was left to send it, again before any attempt since it was queued again"
		if d := w.delivery(id); d.State != store.DeliveryFailed || d.Reason != want {
			t.Errorf("delivery %d lost twice before any attempt: %s %q; want failed %q", id, d.State, d.Reason, want)
		}
	}
	if d := testutil.ToFloat64(deliveredTotal.WithLabelValues("deadline", "failed")) - failedBefore; d != 1 {
		t.Errorf("failed counted %v for the deadline rule, want 1 (the notice counts under its own)", d)
	}
}

// A delivery whose job will still run (snoozed, waiting its backoff, or
// running on a live replica) is left alone however long untouched, and an
// orphan touched lately is not taken until RescueAfter and half as long
// again have passed: an attempt is cut at RescueAfter/2.
func TestDeliveriesWithALiveJobOrTouchedLatelyAreLeftAlone(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindArmed, 4, 9900, "vi")
	ctx := context.Background()
	now := at("2025-11-10 08:00")
	planner := w.scheduler(false, fixed(now))
	if _, err := planner.Plan(ctx, now, "test"); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(units))
	for i, u := range units {
		ids[i] = w.deliveryOf(u, now)
	}
	// river's states, set as river sets them: snoozed (quiet hours),
	// retryable after a failed attempt, running on a live replica.
	for i, set := range []string{
		`state = 'scheduled', scheduled_at = now() + interval '10 hours'`,
		`state = 'retryable', attempt = 1, scheduled_at = now() + interval '1 hour'`,
		`state = 'running', attempt = 1, attempted_at = now()`,
	} {
		job, _ := w.jobOf(ids[i])
		if _, err := w.db.Pool.Exec(ctx, `UPDATE river_job SET `+set+` WHERE id = $1`, job); err != nil {
			t.Fatal(err)
		}
	}
	to := bot.Target{Channel: bot.Telegram, ChatID: units[2].chatIDString()}
	if _, _, err := w.db.ClaimDelivery(ctx, ids[2], to, now); err != nil {
		t.Fatal(err)
	}
	// The last orphaned a minute before the sweep.
	w.killedOnLastAttempt(ids[3], units[3].chatID, 1, now.Add(9*time.Minute))

	sweep := func(at time.Time) int {
		t.Helper()
		n, err := w.scheduler(false, fixed(at)).SweepOrphans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := sweep(now.Add(10 * time.Minute)); n != 0 {
		t.Fatalf("swept %d, want none", n)
	}
	for i, want := range []string{"scheduled", "retryable", "running", "discarded"} {
		if _, state := w.jobOf(ids[i]); state != want {
			t.Errorf("job of delivery %d %s, want %s", ids[i], state, want)
		}
	}
	if st := w.states(); st[store.DeliveryPlanned] != 2 || st[store.DeliverySending] != 2 {
		t.Errorf("deliveries %v, want them as they were", st)
	}
	// 7.5 minutes after its claim (RescueAfter is 5): taken.
	if n := sweep(now.Add(9*time.Minute + 7*time.Minute + 31*time.Second)); n != 1 {
		t.Errorf("swept %d, want the orphan", n)
	}
	if d := w.delivery(ids[3]); d.State != store.DeliveryPlanned || !d.Uncertain {
		t.Errorf("orphan %+v, want planned again, uncertain", d)
	}
}

// Two replicas sweeping at once, then again, send each orphan once: a
// sweep skips the deliveries another is settling, and those settled were
// touched.
func TestSweepsAtOnceSendEachOrphanOnce(t *testing.T) {
	w := newWorld(t)
	units := w.addUnits(config.KindDepartment, 30, 10000, "vi")
	ctx := context.Background()
	now := at("2025-11-10 08:00")
	if _, err := w.scheduler(false, fixed(now)).Plan(ctx, now, "test"); err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		w.killedOnLastAttempt(w.deliveryOf(u, now), u.chatID, 1, now)
	}
	later := fixed(now.Add(10 * time.Minute))
	a, b := w.scheduler(false, later), w.scheduler(false, later)

	// a's transaction held open over the first ten: b, sweeping meanwhile,
	// takes the other twenty only.
	held, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var first []store.Orphan
	var firstErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		first, firstErr = w.db.SweepOrphans(ctx, deliverArgs{}.Kind(), now.Add(time.Minute), 10, now.Add(10*time.Minute),
			func(o store.Orphan) (string, string) { return a.orphanFate(o, now.Add(10*time.Minute)) },
			func(ctx context.Context, tx pgx.Tx, os []store.Orphan) error {
				close(held)
				<-release
				return a.requeue(ctx, tx, os)
			})
	}()
	<-held
	// Bounded: a sweep waiting for a's rows would wait for ever here.
	bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if n, err := b.SweepOrphans(bctx); err != nil || n != 20 {
		t.Errorf("b swept %d, %v, while a held ten; want the twenty others", n, err)
	}
	cancel()
	close(release)
	wg.Wait()
	if firstErr != nil || len(first) != 10 {
		t.Fatalf("a swept %d, %v; want 10", len(first), firstErr)
	}
	// Both at once, then: nothing left.
	var again [2]int
	for i, s := range []*Scheduler{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if again[i], err = s.SweepOrphans(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if again != [2]int{} {
		t.Errorf("later sweeps settled %v, want none", again)
	}
	if n := countJobs(t, w, ""); n != 30 {
		t.Errorf("%d jobs, want one per delivery", n)
	}

	w.start(w.scheduler(true, later))
	w.waitFor(30*time.Second, "every orphan sent", func() bool { return w.states()[store.DeliverySent] == 30 })
	time.Sleep(200 * time.Millisecond)
	for chat, ms := range w.messages(units) {
		if len(ms) != 1 {
			t.Errorf("chat %d got %d messages, want 1", chat, len(ms))
		}
	}
}
