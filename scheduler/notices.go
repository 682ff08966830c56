package scheduler

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"hocvuso/store"
)

// Notices queues the jobs that send the officials' notices of reports
// submitted or amended. The report flow plans the notices in the
// submission's own transaction (store.Submission.Notify) and Notices
// inserts their jobs there too: a submission that commits has its notices
// queued, one that fails has neither. Any process may queue them (serve,
// console); the schedulers of the serve processes send them, as they send
// reminders. Until one runs, they wait in PostgreSQL.
type Notices struct {
	river       *river.Client[pgx.Tx]
	maxAttempts int
}

// NewNotices returns the queue of notices over db's pool; maxAttempts bounds
// the attempts at each, as REMINDER_MAX_ATTEMPTS does for reminders (8 when
// 0).
func NewNotices(db *store.DB, maxAttempts int) (*Notices, error) {
	if maxAttempts <= 0 {
		maxAttempts = 8
	}
	// A client without queues only inserts.
	c, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("notices: %w", err)
	}
	return &Notices{river: c, maxAttempts: maxAttempts}, nil
}

// Enqueue implements store.Enqueuer: one job per delivery, in tx. They are
// counted as planned here; only the submission's commit follows.
func (n *Notices) Enqueue(ctx context.Context, tx pgx.Tx, rule string, ids []int64) error {
	if err := insertJobs(ctx, n.river, tx, ids, n.maxAttempts); err != nil {
		return err
	}
	plannedTotal.WithLabelValues(rule).Add(float64(len(ids)))
	return nil
}

// insertJobs inserts the jobs sending deliveries ids, in tx: with COPY, so
// that a campaign of 100,000 takes seconds. A delivery has one job at a
// time (see deliverArgs).
func insertJobs(ctx context.Context, c *river.Client[pgx.Tx], tx pgx.Tx, ids []int64, maxAttempts int) error {
	opts := &river.InsertOpts{Queue: queueDeliver, MaxAttempts: maxAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: everyState}}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: deliverArgs{DeliveryID: id}, InsertOpts: opts}
	}
	_, err := c.InsertManyFastTx(ctx, tx, params)
	return err
}
