// Package scheduler sends what the bot sends unasked: deadline and overdue
// reminders to the units' focal points, digests and escalations to the
// officials, learning nudges to the citizens who asked for them.
//
// Rules (rules.yaml, or the file REMINDER_RULES names) say when. A planner
// evaluates them for "now" and records one delivery per (rule, recipient,
// occurrence): the deliveries table's unique key and the occurrence's
// record make planning happen once, whatever the number of replicas,
// restarts or clock skew. Each delivery is a river job (github.com/riverqueue/river
// on PostgreSQL), inserted in the same transaction; river's leader
// election makes one replica run the periodic planner, its jobs survive
// restarts and are retried with backoff.
//
// A delivery is checked again when it is sent (a unit that submitted
// since gets nothing), rendered in the recipient's language, and sent
// through the same channel senders as replies, under a rate limit shared
// by every replica in Redis. A 429 waits for retry_after; a 403 marks the
// recipient blocked and stops; other failures are retried a bounded number
// of times, and the reason of the last one is kept.
package scheduler

import (
	"context"
	"time"

	"hocvuso/bot"
)

// DigestBuilder writes the content of digests and nudges (package
// flows/digest implements it). The scheduler decides when and to whom, and
// delivers the replies.
type DigestBuilder interface {
	// Weekly is an official's weekly digest as of now.
	Weekly(ctx context.Context, userID int64, lang string, now time.Time) ([]bot.Reply, error)
	// Escalation is an official's list of the units late for the period
	// whose due date (for some kinds of unit) was due.
	Escalation(ctx context.Context, userID int64, lang, periodID string, due, now time.Time) ([]bot.Reply, error)
	// Nudge is a citizen's learning nudge of the occurrence at. No replies
	// means none is due any more (the user opted out, finished every area,
	// or had one this week): nothing is sent.
	Nudge(ctx context.Context, userID int64, lang string, at time.Time) ([]bot.Reply, error)
	// NudgeDue lists the users due a nudge at the occurrence at, by user
	// id after after, at most limit of them: the planner pages through.
	NudgeDue(ctx context.Context, at time.Time, after int64, limit int) ([]int64, error)
}
