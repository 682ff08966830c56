package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/reach"
	"hocvuso/store"
)

// Reacher routes a message to a user's chat and sends it (*reach.Reacher:
// the account last active, Zalo's 7-day window and template).
type Reacher interface {
	Route(ctx context.Context, userID int64) (reach.Route, error)
	// RouteMessage routes a message that cannot be a Zalo template.
	RouteMessage(ctx context.Context, userID int64) (reach.Route, error)
	Send(ctx context.Context, route reach.Route, m reach.Message) (reach.Route, error)
}

// Config sets a Scheduler up. Zero values take the defaults given.
type Config struct {
	DB          *store.DB
	Redis       *redis.Client
	RedisPrefix string
	Rules       *Rules
	// Reports is the report configuration: the periods and their due dates.
	Reports *config.Config
	Text    bot.Translator
	// Reach sends, through the same channel senders as replies.
	Reach Reacher
	// Digests writes digests and nudges; nil skips those rules (logged).
	Digests DigestBuilder
	// Menus sets the command menus of the chats of a user whose roles
	// changed outside a conversation (MenuQueue); nil leaves them.
	Menus MenuSyncer
	Log   *slog.Logger

	// Rate is messages per second per channel, every replica together
	// (25); ChatInterval the least time between two messages to a chat
	// (1 s).
	Rate         float64
	ChatInterval time.Duration
	// Workers is how many deliveries one replica sends at once (20).
	Workers int
	// MaxAttempts bounds the attempts at one delivery (8). A 429 does not
	// count.
	MaxAttempts int
	// RetryBackoff is the wait after a first failed attempt (30 s),
	// doubled after each, at most an hour.
	RetryBackoff time.Duration
	// RescueAfter is how long a delivery a dead replica was sending stays
	// untouched before another tries it (5 min). An attempt is cut off
	// after half of it. One whose job was lost is swept up after half as
	// long again (SweepOrphans).
	RescueAfter time.Duration
	// PlanEvery is how often the leader plans (1 min); Plan false leaves
	// planning to others (this replica still sends).
	PlanEvery time.Duration
	Plan      bool
	// StaleAfter is how long after planning a delivery is still sent (72 h).
	StaleAfter time.Duration
	// Now is the clock of the quiet hours and of staleness; nil is time.Now.
	Now func() time.Time
}

// Queues of the scheduler's jobs.
const (
	queueDeliver = "remind_deliver"
	queuePlan    = "remind_plan"
)

// deliverArgs is the job sending one delivery. Unique by its delivery, in
// every state: a delivery has one job at a time, the sweep deleting a lost
// one before it queues another (SweepOrphans).
type deliverArgs struct {
	DeliveryID int64 `json:"delivery_id" river:"unique"`
}

func (deliverArgs) Kind() string { return "hocvuso_deliver" }

// planArgs is the leader's periodic job evaluating the rules for now.
type planArgs struct{}

func (planArgs) Kind() string { return "hocvuso_plan" }

// Scheduler plans and sends.
type Scheduler struct {
	cfg     Config
	log     *slog.Logger
	river   *river.Client[pgx.Tx]
	limiter *Limiter
	periods []*config.Period
}

// migrationLock is the advisory lock under which river's schema is
// migrated: replicas starting together migrate once.
const migrationLock = 0x686f6376 // "hocv"

// Migrate applies river's migrations (its job tables), beside the
// project's own (store.DB.Migrate). A session advisory lock makes replicas
// starting together migrate once; river's migrations cannot share one
// transaction (one adds an enum value the next uses).
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: log})
	if err != nil {
		return err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return err
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx)) // closing the session frees the lock
		}
	}()
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("river migration applied", "version", v.Version, "name", v.Name)
	}
	return nil
}

// New sets a scheduler up. With work false it only plans (the remind
// command): no delivery is sent from this process.
func New(cfg Config, work bool) (*Scheduler, error) {
	if cfg.DB == nil || cfg.Rules == nil || cfg.Reports == nil || cfg.Text == nil {
		return nil, errors.New("scheduler: DB, Rules, Reports and Text are required")
	}
	if work && (cfg.Redis == nil || cfg.Reach == nil) {
		return nil, errors.New("scheduler: Redis and Reach are required to send")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 25
	}
	if cfg.ChatInterval <= 0 {
		cfg.ChatInterval = time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 20
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = 30 * time.Second
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 5 * time.Minute
	}
	if cfg.PlanEvery <= 0 {
		cfg.PlanEvery = time.Minute
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = 72 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Scheduler{cfg: cfg, log: cfg.Log, periods: cfg.Reports.Periods}
	if cfg.Redis != nil {
		s.limiter = NewLimiter(cfg.Redis, cfg.RedisPrefix, cfg.Rate, cfg.ChatInterval)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &deliverWorker{s: s})
	river.AddWorker(workers, &planWorker{s: s})
	river.AddWorker(workers, &menuWorker{s: s})
	rc := &river.Config{
		Logger:  cfg.Log,
		Workers: workers,
		// A delivery's record keeps what became of it; river's rows of
		// finished jobs go after a week.
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
		// A cancelled job tells the sweep its delivery is not to be sent
		// (see SweepOrphans); gone, it would look lost.
		CancelledJobRetentionPeriod: 7 * 24 * time.Hour,
		RescueStuckJobsAfter:        cfg.RescueAfter,
		JobTimeout:                  cfg.RescueAfter / 2,
	}
	if work {
		rc.Queues = map[string]river.QueueConfig{
			queueDeliver: {MaxWorkers: cfg.Workers},
			queuePlan:    {MaxWorkers: 1},
			queueMenus:   {MaxWorkers: 1},
		}
		if cfg.Plan {
			rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.PlanEvery),
				func() (river.JobArgs, *river.InsertOpts) {
					return planArgs{}, &river.InsertOpts{Queue: queuePlan, MaxAttempts: 1,
						UniqueOpts: river.UniqueOpts{ByPeriod: cfg.PlanEvery}}
				}, &river.PeriodicJobOpts{ID: "plan", RunOnStart: true})}
		}
	}
	var err error
	if s.river, err = river.NewClient(riverpgxv5.New(cfg.DB.Pool), rc); err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	return s, nil
}

// Rules are the rules in force.
func (s *Scheduler) Rules() *Rules { return s.cfg.Rules }

// Start starts working: sending deliveries, and planning when elected.
// Cancelling ctx cancels the deliveries under way at once; a process that
// means to let them finish passes a context it does not cancel and calls
// Stop.
func (s *Scheduler) Start(ctx context.Context) error { return s.river.Start(ctx) }

// Stop stops taking jobs and gives those under way soft to finish (0 or
// less: no time). Then it cancels them: a delivery cut short is held back,
// planned again with its job snoozed for no time and no attempt counted,
// for another replica to take it now. It returns once every job has
// returned and its end is recorded, or with ctx's error when ctx ends
// first, the jobs cancelled all the same. A scheduler never started stops
// at once.
func (s *Scheduler) Stop(ctx context.Context, soft time.Duration) error {
	if soft > 0 {
		softCtx, cancel := context.WithTimeout(ctx, soft)
		err := s.river.Stop(softCtx) // nil, or softCtx's error: jobs still running
		cancel()
		if err == nil {
			return nil
		}
		s.log.Warn("scheduler: jobs still running after the soft stop; cancelling them", "soft", soft)
	}
	// Cancels the jobs even when ctx has ended, rather than leave them
	// running while the process exits.
	return s.river.StopAndCancel(ctx)
}

// everyState makes a delivery's job unique whatever became of it: while
// its row is there, another is refused.
var everyState = rivertype.JobStates()

// enqueue inserts one job per new delivery, in the planning transaction.
func (s *Scheduler) enqueue(ctx context.Context, tx pgx.Tx, ids []int64) error {
	return insertJobs(ctx, s.river, tx, ids, s.cfg.MaxAttempts)
}
