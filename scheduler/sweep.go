package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/store"
)

// sweepBatch is how many orphaned deliveries one transaction settles.
const sweepBatch = 1000

// SweepOrphans settles the deliveries left planned or sending with no job
// to send them: a replica died (SIGKILL, OOM) on the job's last attempt and
// river's rescuer discarded it rather than retry it, or an operator
// cancelled or deleted it. Nothing else would ever send them or record
// them failed. A delivery still worth sending gets a new job (marked
// uncertain when it was sending: its message may have gone); one out of
// attempts or stale fails, saying so; one whose job was cancelled is
// cancelled. Only deliveries untouched for RescueAfter and half as long
// again are taken: an attempt is cut at RescueAfter/2, and the rest leaves
// room for the replicas' clocks to differ. The leader runs it after
// planning; it returns how many it settled.
func (s *Scheduler) SweepOrphans(ctx context.Context) (int, error) {
	now := s.cfg.Now()
	idle := now.Add(-s.cfg.RescueAfter - s.cfg.RescueAfter/2)
	total := 0
	for {
		orphans, err := s.cfg.DB.SweepOrphans(ctx, deliverArgs{}.Kind(), idle, sweepBatch, now,
			func(o store.Orphan) (string, string) { return s.orphanFate(o, now) }, s.requeue)
		if err != nil {
			return total, fmt.Errorf("sweep orphaned deliveries: %w", err)
		}
		total += len(orphans)
		for _, o := range orphans {
			outcome := o.State
			if o.State == store.DeliveryPlanned {
				outcome = "requeued"
			}
			observe(o.Rule, outcome)
			s.log.Warn("delivery orphaned: its job will not run", "delivery", o.ID, "rule", o.Rule, "was", o.Was,
				"job", o.Job, "attempts", o.Attempts, "state", o.State, "reason", o.Reason)
		}
		if len(orphans) < sweepBatch {
			return total, nil
		}
	}
}

// queuedAgain ends the reason of a delivery the sweep gave a new job. A
// claim leaves the reason as it is and a finished attempt replaces it, so
// an orphan found planned with it still there had no attempt at all since:
// every try of its new job ended before one (a replica dying each time).
// It fails then rather than go round for ever, as an officials' notice,
// which never expires, otherwise would.
const queuedAgain = "; queued again"

// orphanFate decides what becomes of an orphaned delivery: planned again
// (a new job), or finished, with the reason.
func (s *Scheduler) orphanFate(o store.Orphan, now time.Time) (state, reason string) {
	if o.Job == "cancelled" {
		// An operator's word: it is not to be sent.
		return store.DeliveryCancelled, "its job was cancelled"
	}
	lost := "no job was left to send it"
	if o.Job != "" {
		lost = "its job was " + o.Job
	}
	if o.Was == store.DeliverySending {
		lost += " mid-attempt"
	}
	switch {
	case o.Was == store.DeliveryPlanned && strings.HasSuffix(o.Reason, queuedAgain):
		return store.DeliveryFailed, "interrupted: " + lost + ", again before any attempt since it was queued again"
	case o.Attempts >= s.cfg.MaxAttempts:
		return store.DeliveryFailed, fmt.Sprintf("interrupted: %s, after %d attempts", lost, o.Attempts)
	case o.Kind != store.KindReport && now.Sub(o.PlannedAt) > s.cfg.StaleAfter:
		// A report's notice never expires (see noLongerDue).
		return store.DeliveryFailed, "interrupted: " + lost + ", and expired: planned at " + o.PlannedAt.In(s.cfg.Rules.Location).Format(time.RFC3339)
	}
	return store.DeliveryPlanned, "interrupted: " + lost + queuedAgain
}

// requeue inserts the new jobs of orphaned deliveries, in the sweep's
// transaction: each with the attempts its delivery has left, so that
// MaxAttempts still bounds the attempts at it.
func (s *Scheduler) requeue(ctx context.Context, tx pgx.Tx, orphans []store.Orphan) error {
	byLeft := map[int][]int64{}
	for _, o := range orphans {
		left := s.cfg.MaxAttempts - o.Attempts
		byLeft[left] = append(byLeft[left], o.ID)
	}
	for left, ids := range byLeft {
		if err := insertJobs(ctx, s.river, tx, ids, left); err != nil {
			return err
		}
	}
	return nil
}
