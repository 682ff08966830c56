package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"hocvuso/bot"
	"hocvuso/bot/zalo"
	"hocvuso/flows/report"
	"hocvuso/flows/report/config"
	"hocvuso/reach"
	"hocvuso/store"
)

// deliverWorker sends one delivery.
type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	s *Scheduler
}

// NextRetry doubles the wait after each failed attempt, from RetryBackoff,
// up to an hour.
func (w *deliverWorker) NextRetry(job *river.Job[deliverArgs]) time.Time {
	d := w.s.cfg.RetryBackoff
	for i := 1; i < job.Attempt && d < time.Hour; i++ {
		d *= 2
	}
	return time.Now().Add(min(d, time.Hour))
}

// Timeout cuts an attempt off well before another replica may take the
// job over (RescueAfter).
func (w *deliverWorker) Timeout(*river.Job[deliverArgs]) time.Duration {
	return w.s.cfg.RescueAfter / 2
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	err := w.s.deliver(ctx, job.Args.DeliveryID, job.Attempt >= job.MaxAttempts)
	var held *heldError
	if errors.As(err, &held) {
		observe(held.rule, "snoozed")
		w.s.log.Warn("delivery held back, no attempt counted", "delivery", job.Args.DeliveryID, "rule", held.rule, "after", held.after, "err", held.err)
		return river.JobSnooze(held.after)
	}
	return err
}

// heldError is an attempt cut short by what says nothing of the delivery
// itself: PostgreSQL or Redis failing, or this process stopping. Its job is
// snoozed, which counts no attempt, rather than retried: the attempts are
// for the delivery's own failures, each recorded with its reason. Were it
// retried, on the last attempt river would discard the job while the
// delivery stayed planned (or sending) until the leader's sweep found it
// (SweepOrphans), and with PostgreSQL failing there would be no recording
// it failed either. A delivery's other errors are returned only once
// recorded (see failed).
type heldError struct {
	rule  string
	after time.Duration
	err   error
}

func (e *heldError) Error() string { return "held back: " + e.err.Error() }
func (e *heldError) Unwrap() error { return e.err }

// hold holds a delivery of rule back after err: for RetryBackoff, or, when
// this process is stopping, for no time, for another replica to take it
// over now (or this one at its next start).
func (s *Scheduler) hold(ctx context.Context, rule string, err error) error {
	after := s.cfg.RetryBackoff
	if stopping(ctx) {
		after = 0
	}
	return &heldError{rule: rule, after: after, err: err}
}

// stopping says whether the attempt's context was cancelled, which river
// does when the process stops; its timeout is a deadline, a failed attempt.
func stopping(ctx context.Context) bool { return errors.Is(ctx.Err(), context.Canceled) }

// deliver sends delivery id, checking first that it is still due. last says
// this is the last attempt: a failure then is final.
func (s *Scheduler) deliver(ctx context.Context, id int64, last bool) error {
	c, ok, err := s.cfg.DB.CheckDelivery(ctx, id)
	if err != nil {
		return s.hold(ctx, "", err)
	}
	if !ok {
		return nil // not found: the user erased their data
	}
	if c.State != store.DeliveryPlanned && c.State != store.DeliverySending {
		return nil // finished already: this job ran before
	}
	// Bookkeeping outlives a shutdown's cancellation.
	bg := context.WithoutCancel(ctx)
	finish := func(state, reason, outcome string) error {
		if err := s.cfg.DB.FinishDelivery(bg, id, state, reason, s.cfg.Now()); err != nil {
			return s.hold(ctx, c.Rule, err)
		}
		observe(c.Rule, outcome)
		s.log.Debug("delivery finished", "delivery", id, "rule", c.Rule, "state", state, "reason", reason)
		return nil
	}
	now := s.cfg.Now()
	if reason := s.noLongerDue(c, now); reason != "" {
		return finish(store.DeliveryCancelled, reason, "cancelled")
	}
	if s.cfg.Rules.Quiet.Contains(now.In(s.cfg.Rules.Location)) {
		observe(c.Rule, "snoozed")
		return river.JobSnooze(s.cfg.Rules.Quiet.Shift(now.In(s.cfg.Rules.Location)).Sub(now))
	}
	// A recipient who blocked the bot on one app may be reached on another:
	// each account found blocked is marked, and the next one tried.
	var blocked error
	for tries := 0; ; tries++ {
		route, err := s.route(ctx, c)
		switch {
		case errors.Is(err, reach.ErrNoAccount):
			if blocked != nil {
				err = blocked // the account that just refused says why
			}
			return finish(store.DeliveryBlocked, err.Error(), "blocked")
		case errors.Is(err, reach.ErrUnreachableOnZalo):
			return finish(store.DeliveryUnreachable, err.Error(), "unreachable")
		case err != nil:
			return s.failed(ctx, c, err, last)
		}
		err = s.send(ctx, c, route, now, last)
		if !errors.Is(err, bot.ErrBlocked) {
			return err
		}
		if tries == 2 {
			// Planned again by send; the next attempt tries the next account.
			return s.failed(ctx, c, fmt.Errorf("three accounts refused in one attempt: %w", err), last)
		}
		blocked = err
	}
}

// route picks how to reach a delivery's recipient: only unit reminders can
// go as the Zalo template; the rest go where ordinary messages are taken.
func (s *Scheduler) route(ctx context.Context, c store.DeliveryCheck) (reach.Route, error) {
	if k := Kind(c.Kind); k == KindDeadline || k == KindOverdue {
		return s.cfg.Reach.Route(ctx, c.UserID)
	}
	return s.cfg.Reach.RouteMessage(ctx, c.UserID)
}

// send sends a delivery along a route, part after part, each when the
// rate limit gives it a slot. It returns bot.ErrBlocked (the account is
// marked blocked) for the caller to try another route.
func (s *Scheduler) send(ctx context.Context, c store.DeliveryCheck, route reach.Route, now time.Time, last bool) error {
	bg := context.WithoutCancel(ctx)
	id := c.ID
	finish := func(state, reason, outcome string) error {
		if err := s.cfg.DB.FinishDelivery(bg, id, state, reason, s.cfg.Now()); err != nil {
			return s.hold(ctx, c.Rule, err)
		}
		observe(c.Rule, outcome)
		return nil
	}
	claimed := false
	// release holds the delivery back before a part is sent: planned
	// again when claimed, as the parts sent so far are recorded.
	release := func(err error) error {
		if claimed {
			if ferr := s.cfg.DB.FinishDelivery(bg, id, store.DeliveryPlanned, err.Error(), s.cfg.Now()); ferr != nil {
				err = errors.Join(err, ferr) // still sending: the next claim marks it uncertain
			}
		}
		return s.hold(ctx, c.Rule, err)
	}
	replies, template, err := s.build(ctx, c, route.Lang, now)
	if err != nil {
		return s.failed(ctx, c, err, last)
	}
	if len(replies) == 0 {
		return finish(store.DeliveryCancelled, "nothing to send", "cancelled")
	}
	to := route.Target()
	for part := c.PartsSent; part < len(replies); part++ {
		wait, ok, err := s.limiter.Reserve(ctx, to.Channel, to.ChatID)
		if err != nil {
			return release(err)
		}
		if !ok {
			// The channel is busy for a while: come back then, without
			// counting an attempt.
			if claimed {
				if err := s.cfg.DB.FinishDelivery(bg, id, store.DeliveryPlanned, "", s.cfg.Now()); err != nil {
					return s.hold(ctx, c.Rule, err)
				}
			}
			observe(c.Rule, "snoozed")
			return river.JobSnooze(wait)
		}
		if err := sleep(ctx, wait); err != nil {
			return release(fmt.Errorf("waiting %s for a slot of the rate limit: %w", wait.Round(time.Millisecond), err))
		}
		if !claimed {
			d, ok, err := s.cfg.DB.ClaimDelivery(bg, id, to, s.cfg.Now())
			if err != nil {
				return s.hold(ctx, c.Rule, err)
			}
			if !ok {
				return nil // finished meanwhile, elsewhere
			}
			if d.Uncertain && !c.Uncertain {
				s.log.Warn("delivery interrupted mid-attempt earlier: its message may have gone; sending again", "delivery", id, "rule", c.Rule)
			}
			claimed = true
		}
		sent, err := s.cfg.Reach.Send(ctx, route, reach.Message{Replies: replies[part : part+1], Template: template, TrackingID: strconv.FormatInt(id, 10)})
		var later *bot.RetryAfterError
		switch {
		case err == nil && sent.Via == reach.ViaTemplate:
			// Zalo outside its window: the template carries it all.
			return finish(store.DeliverySent, "sent as the Zalo template", "sent")
		case err == nil:
			if len(replies) > 1 {
				if err := s.cfg.DB.DeliveryProgress(bg, id, part+1, s.cfg.Now()); err != nil {
					// Still sending: the next claim marks it uncertain, as
					// this part may go again.
					return s.hold(ctx, c.Rule, err)
				}
			}
			continue
		case errors.Is(err, bot.ErrBlocked):
			a := route.Account
			if merr := s.cfg.DB.SetBlocked(bg, a.Channel, a.ExternalID, true); merr != nil {
				return release(errors.Join(err, merr))
			}
			// Planned again, for the next route if there is one.
			if ferr := s.cfg.DB.FinishDelivery(bg, id, store.DeliveryPlanned, err.Error(), s.cfg.Now()); ferr != nil {
				return s.hold(ctx, c.Rule, errors.Join(err, ferr))
			}
			return err
		case errors.Is(err, reach.ErrUnreachableOnZalo):
			return finish(store.DeliveryUnreachable, err.Error(), "unreachable")
		case errors.As(err, &later):
			// Every replica holds the channel's messages for as long.
			if perr := s.limiter.Pause(bg, to.Channel, later.After); perr != nil {
				s.log.Warn("pause sending", "err", perr)
			}
			return s.snooze(ctx, c, later.After, err, err.Error())
		case errors.Is(err, zalo.ErrNight):
			t := s.cfg.Now().In(config.Location)
			if !zaloNight.Contains(t) {
				return s.failed(ctx, c, err, last)
			}
			// Zalo takes it from 06:00: it waits for then, without
			// counting an attempt. Only this delivery: the night may be
			// of this type of message alone.
			until := zaloNight.Shift(t)
			return s.snooze(ctx, c, until.Sub(t)+rand.N(nightJitter), err,
				fmt.Sprintf("held until %s: %v", until.Format("15:04 02/01/2006"), err))
		case stopping(ctx):
			// Cut short mid-send by this process stopping: planned again
			// (uncertain: the message may have gone) for another replica,
			// rather than left sending as if this one had died.
			if ierr := s.cfg.DB.InterruptDelivery(bg, id, err.Error(), s.cfg.Now()); ierr != nil {
				err = errors.Join(err, ierr) // still sending: the next claim marks it uncertain
			}
			return s.hold(ctx, c.Rule, err)
		default:
			return s.failed(ctx, c, err, last)
		}
	}
	return finish(store.DeliverySent, "", "sent")
}

// zaloNight is when Zalo refuses messages (-234): 22:00 to 06:00 in
// Vietnam (config.Location), whatever BOT_TIMEZONE. A -234 outside it (by
// this clock) is an ordinary failure, so that clocks a little apart do not
// snooze a delivery for nothing, again and again.
var zaloNight = &QuietHours{From: Clock{22, 0}, Until: Clock{6, 0}}

// nightJitter spreads the deliveries held for Zalo's night over the first
// minute after it.
const nightJitter = time.Minute

// snooze plans a delivery again, with the reason of err, and snoozes its
// job for after, without counting an attempt: the channel refused it for
// now.
func (s *Scheduler) snooze(ctx context.Context, c store.DeliveryCheck, after time.Duration, err error, reason string) error {
	if ferr := s.cfg.DB.FinishDelivery(context.WithoutCancel(ctx), c.ID, store.DeliveryPlanned, reason, s.cfg.Now()); ferr != nil {
		return s.hold(ctx, c.Rule, errors.Join(err, ferr))
	}
	observe(c.Rule, "snoozed")
	return river.JobSnooze(after)
}

// failed records a failed attempt: the delivery is planned again and its
// job retried with backoff, or, on the last attempt, failed for good. The
// reason is kept either way. An attempt cut short by the process stopping
// did not fail, and one whose failure cannot be recorded is not counted:
// both are held back (see heldError).
func (s *Scheduler) failed(ctx context.Context, c store.DeliveryCheck, err error, last bool) error {
	if stopping(ctx) {
		return s.hold(ctx, c.Rule, err)
	}
	state, outcome := store.DeliveryPlanned, "retried"
	if last {
		state, outcome = store.DeliveryFailed, "failed"
	}
	if ferr := s.cfg.DB.FinishDelivery(context.WithoutCancel(ctx), c.ID, state, err.Error(), s.cfg.Now()); ferr != nil {
		return s.hold(ctx, c.Rule, errors.Join(err, ferr))
	}
	observe(c.Rule, outcome)
	if last {
		s.log.Warn("delivery failed for good", "delivery", c.ID, "rule", c.Rule, "err", err)
	}
	return err
}

// noLongerDue says why a delivery is not to be sent any more, or "".
func (s *Scheduler) noLongerDue(c store.DeliveryCheck, now time.Time) string {
	if c.Kind == store.KindReport {
		// A report's notice is news whenever it comes: it waits for a
		// serve however long, and goes to whoever is an official still.
		if !c.RoleActive {
			return "the recipient no longer holds the role"
		}
		return ""
	}
	switch {
	case now.Sub(c.PlannedAt) > s.cfg.StaleAfter:
		return "expired: planned at " + c.PlannedAt.Format(time.RFC3339)
	case c.UnitCode != "" && c.Submitted:
		return "the unit submitted its report"
	case !c.RoleActive:
		return "the recipient no longer holds the role"
	}
	if _, ok := s.cfg.Rules.Rule(c.Rule); !ok {
		return "the rule is no longer in the rules file"
	}
	if c.PeriodID != "" {
		if _, ok := s.cfg.Reports.Period(c.PeriodID); !ok {
			return "the period is no longer in the report configuration"
		}
	}
	return ""
}

// build writes what a delivery says, in lang, and for a unit reminder the
// parameters of the Zalo template that carries it outside Zalo's window
// (digests have none).
func (s *Scheduler) build(ctx context.Context, c store.DeliveryCheck, lang string, now time.Time) ([]bot.Reply, map[string]string, error) {
	if c.Kind == store.KindReport {
		replies, err := s.notice(ctx, c, lang)
		return replies, nil, err
	}
	switch Kind(c.Kind) {
	case KindDeadline, KindOverdue:
		// Days counted from the day it goes out: one held back past
		// midnight (quiet hours, retries, an operator's remind --at) must
		// not say "tomorrow" on the due date.
		p, _ := s.cfg.Reports.Period(c.PeriodID)
		r := unitReminder{Lang: lang, UnitCode: c.UnitCode, UnitName: c.UnitName, Period: p, Due: c.Due,
			DaysLeft: config.DaysBetween(now, c.Due)}
		return []bot.Reply{r.render(s.cfg.Text)}, r.template(), nil
	}
	if s.cfg.Digests == nil {
		return nil, nil, nil
	}
	var replies []bot.Reply
	var err error
	switch Kind(c.Kind) {
	case KindDigest:
		replies, err = s.cfg.Digests.Weekly(ctx, c.UserID, lang, now)
	case KindEscalation:
		replies, err = s.cfg.Digests.Escalation(ctx, c.UserID, lang, c.PeriodID, c.Due, now)
	case KindNudge:
		// The builder records the week's nudge as sent: a second one the
		// same week builds nothing.
		replies, err = s.cfg.Digests.Nudge(ctx, c.UserID, lang, c.OccursAt)
	default:
		err = fmt.Errorf("no such kind of rule %q", c.Kind)
	}
	return replies, nil, err
}

// notice writes an official's notice of a report submitted or amended, in
// lang, from the version it announces; none when the version is gone. It
// has no Zalo template (the approved one is a reminder's): an official on
// Zalo only and silent for 7 days is unreachable there.
func (s *Scheduler) notice(ctx context.Context, c store.DeliveryCheck, lang string) ([]bot.Reply, error) {
	v, ok, err := s.cfg.DB.FindReportVersion(ctx, c.UnitCode, c.PeriodID, c.ReportVersion)
	if err != nil || !ok {
		return nil, err
	}
	p, _ := s.cfg.Reports.Period(c.PeriodID)
	unit := c.UnitName
	if unit == "" {
		unit = c.UnitCode
	}
	return []bot.Reply{{Text: report.NoticeText(s.cfg.Text, lang, unit, p, v, s.cfg.Rules.Location)}}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
