package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"hocvuso/store"
)

// planWorker runs the leader's periodic planning.
type planWorker struct {
	river.WorkerDefaults[planArgs]
	s *Scheduler
}

// Work plans, then settles the deliveries whose jobs were lost (see
// SweepOrphans), each whether or not the other failed.
func (w *planWorker) Work(ctx context.Context, _ *river.Job[planArgs]) error {
	_, err := w.s.Plan(ctx, w.s.cfg.Now(), "planner")
	_, serr := w.s.SweepOrphans(ctx)
	return errors.Join(err, serr)
}

// Timeout lets a planning of a big campaign finish (seconds for 100,000
// recipients) before another replica may take the job over.
func (w *planWorker) Timeout(*river.Job[planArgs]) time.Duration { return w.s.cfg.RescueAfter / 2 }

// Planned is what one occurrence's planning did.
type Planned struct {
	Occurrence Occurrence
	// Deliveries is how many were planned; 0 when Fresh is false.
	Deliveries int
	// Fresh is false when the occurrence was planned before.
	Fresh bool
	// Skipped says why the occurrence was not planned ("" when it was).
	Skipped string
}

// Plan evaluates the rules as if it were now and plans the deliveries of
// every occurrence due within the catch-up window (now - CatchUp, now]:
// once each, whoever calls it, however often. by says who planned, for
// the record ("planner", or the operator's command).
func (s *Scheduler) Plan(ctx context.Context, now time.Time, by string) ([]Planned, error) {
	start := time.Now()
	defer func() { planSeconds.Observe(time.Since(start).Seconds()) }()
	var out []Planned
	for _, o := range s.cfg.Rules.Between(s.periods, now.Add(-s.cfg.Rules.CatchUp), now) {
		p := Planned{Occurrence: o}
		so, skip, err := s.storeOccurrence(ctx, o, true)
		if err != nil {
			return out, err
		}
		if skip != "" {
			p.Skipped = skip
			s.log.Info("reminder occurrence skipped", "rule", o.Rule.ID, "at", o.At, "why", skip)
			out = append(out, p)
			continue
		}
		p.Deliveries, p.Fresh, err = s.cfg.DB.PlanOccurrence(ctx, so, by, s.cfg.Now(), s.enqueue)
		if err != nil {
			return out, fmt.Errorf("plan %s at %s: %w", o.Rule.ID, o.At.Format(time.RFC3339), err)
		}
		if p.Fresh {
			plannedTotal.WithLabelValues(o.Rule.ID).Add(float64(p.Deliveries))
			s.log.Info("reminders planned", "rule", o.Rule.ID, "at", o.At, "subject", so.Subject, "deliveries", p.Deliveries, "by", by)
		}
		out = append(out, p)
	}
	return out, nil
}

// nudgePage is how many users due a nudge are asked for at once.
const nudgePage = 5000

// storeOccurrence says who an occurrence is for. When planning, an
// occurrence planned already is not worked out again (the nudges' users
// are a paged query).
func (s *Scheduler) storeOccurrence(ctx context.Context, o Occurrence, planning bool) (store.Occurrence, string, error) {
	so := store.Occurrence{Rule: o.Rule.ID, Kind: string(o.Rule.Kind), OccursAt: o.At, SendAt: o.SendAt, Subject: o.Subject()}
	if o.Period != nil {
		so.PeriodID, so.Due = o.Period.ID, o.Due
	}
	switch o.Rule.Kind {
	case KindDeadline, KindOverdue:
		so.Audience = store.AudienceLateUnits
		for _, k := range o.UnitKinds {
			so.UnitKinds = append(so.UnitKinds, string(k))
		}
		return so, "", nil
	case KindDigest, KindEscalation:
		if s.cfg.Digests == nil {
			return so, "no digest builder (flows/digest) is wired", nil
		}
		so.Audience = store.AudienceOfficials
		return so, "", nil
	}
	// Nudges.
	if s.cfg.Digests == nil {
		return so, "no digest builder (flows/digest) is wired", nil
	}
	so.Audience = store.AudienceUsers
	if planning {
		done, err := s.cfg.DB.OccurrencePlanned(ctx, so.Rule, so.OccursAt, so.Subject)
		if err != nil || done {
			return so, "", err
		}
	}
	var after int64
	for {
		ids, err := s.cfg.Digests.NudgeDue(ctx, o.At, after, nudgePage)
		if err != nil {
			return so, "", fmt.Errorf("users due a nudge: %w", err)
		}
		so.UserIDs = append(so.UserIDs, ids...)
		if len(ids) < nudgePage {
			return so, "", nil
		}
		after = ids[len(ids)-1]
	}
}

// Preview is who one occurrence is for, as a dry run shows it.
type Preview struct {
	Occurrence Occurrence
	Recipients []store.PreviewRecipient
	// Planned is true when the occurrence was planned already.
	Planned bool
	Skipped string
}

// Preview evaluates the rules as if it were now, like Plan, and lists who
// would get what, without planning anything.
func (s *Scheduler) Preview(ctx context.Context, now time.Time) ([]Preview, error) {
	var out []Preview
	for _, o := range s.cfg.Rules.Between(s.periods, now.Add(-s.cfg.Rules.CatchUp), now) {
		p := Preview{Occurrence: o}
		so, skip, err := s.storeOccurrence(ctx, o, false)
		if err != nil {
			return out, err
		}
		if p.Skipped = skip; skip == "" {
			if p.Recipients, p.Planned, err = s.cfg.DB.PreviewOccurrence(ctx, so); err != nil {
				return out, err
			}
		}
		out = append(out, p)
	}
	return out, nil
}
