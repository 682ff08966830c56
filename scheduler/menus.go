package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"hocvuso/store"
)

// Command menus changed outside a conversation: a role revoked by an admin
// (hocvuso revoke), or the chats' own menus after a release that changed
// the menus (every role holder's, and those of the users who chose their
// language in the bot). A conversation that changes roles or the language
// sets its menus itself, with its replies (bot.Conversation.SetMenu);
// these go out as jobs, retried, through the same senders.

// MenuSyncer sets the command menus of a user's chats to what their roles
// and language give now: their role's commands, every user's in the
// language they chose in the bot, or the channel's default menu
// (cmd/hocvuso: flows.CommandMenus through the channels' senders).
type MenuSyncer interface {
	SyncMenus(ctx context.Context, userID int64) error
}

// queueMenus is the queue of the menu jobs: one at a time per replica,
// gentle on the channels.
const queueMenus = "menus"

// menuAttempts bounds the attempts at one user's menus; river waits
// longer after each (seconds, then minutes).
const menuAttempts = 5

// menuArgs is the job setting the command menus of one user's chats
// (UserID), or, with Version, queuing one such job per user whose chats
// have a menu of their own (store.MenuHolderIDs): once per version of the
// menus (their commands and descriptions).
type menuArgs struct {
	UserID  int64  `json:"user_id,omitempty"`
	Version string `json:"version,omitempty"`
}

func (menuArgs) Kind() string { return "hocvuso_menus" }

type menuWorker struct {
	river.WorkerDefaults[menuArgs]
	s *Scheduler
}

func (w *menuWorker) Timeout(*river.Job[menuArgs]) time.Duration { return w.s.cfg.RescueAfter / 2 }

func (w *menuWorker) Work(ctx context.Context, job *river.Job[menuArgs]) error {
	if job.Args.Version == "" {
		if w.s.cfg.Menus == nil {
			return nil // no channel with command menus here
		}
		return w.s.cfg.Menus.SyncMenus(ctx, job.Args.UserID)
	}
	ids, err := w.s.cfg.DB.MenuHolderIDs(ctx)
	if err != nil {
		return err
	}
	w.s.log.Info("command menus of the chats with one of their own queued", "version", job.Args.Version, "users", len(ids))
	return insertMenuJobs(ctx, w.s.river, ids)
}

func insertMenuJobs(ctx context.Context, c *river.Client[pgx.Tx], ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: menuArgs{UserID: id}, InsertOpts: &river.InsertOpts{Queue: queueMenus, MaxAttempts: menuAttempts}}
	}
	_, err := c.InsertManyFast(ctx, params)
	return err
}

// MenuQueue queues the jobs that set command menus. Any process may (the
// revoke command); the schedulers of the serve processes run them, as
// they send reminders. Until one runs, they wait in PostgreSQL.
type MenuQueue struct {
	river *river.Client[pgx.Tx]
}

// NewMenuQueue returns the queue of menu jobs over db's pool.
func NewMenuQueue(db *store.DB) (*MenuQueue, error) {
	// A client without queues only inserts.
	c, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("menus: %w", err)
	}
	return &MenuQueue{river: c}, nil
}

// User queues the setting of a user's chats' menus: their roles changed
// outside a conversation.
func (q *MenuQueue) User(ctx context.Context, userID int64) error {
	return insertMenuJobs(ctx, q.river, []int64{userID})
}

// All queues the setting of the menus of every chat with a menu of its own
// (a role holder's, or a user's who chose their language in the bot), once
// per version of the menus (a fingerprint of their commands and
// descriptions) while river keeps its job (CompletedJobRetentionPeriod):
// at the start of a serve, so that a release that changes the menus, or
// the first to have them, reaches them without a role or language
// changing.
func (q *MenuQueue) All(ctx context.Context, version string) error {
	_, err := q.river.Insert(ctx, menuArgs{Version: version}, &river.InsertOpts{Queue: queueMenus, MaxAttempts: menuAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: everyState}})
	return err
}
