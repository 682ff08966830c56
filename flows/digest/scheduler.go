package digest

import (
	"context"
	"time"

	"hocvuso/bot"
)

// Builder is what the scheduler calls to write what it sends
// (scheduler.DigestBuilder): the officials' digests and the citizens'
// learning nudges. The scheduler decides when and to whom, in the
// recipient's language. A scheduler that reads the nudges from Nudges
// itself (Due, Nudge, then Claim before sending) needs only Weekly and
// Escalation from here.
type Builder struct {
	Digests *Digests
	Nudges  *Nudges
}

// Weekly is the weekly digest as of now. It is the same for every official:
// userID only says who it is for.
func (b Builder) Weekly(ctx context.Context, userID int64, lang string, now time.Time) ([]bot.Reply, error) {
	return b.Digests.Weekly(ctx, now, lang)
}

// Escalation lists the units late for the period after its due date due
// (the kinds of unit due that day).
func (b Builder) Escalation(ctx context.Context, userID int64, lang, periodID string, due, now time.Time) ([]bot.Reply, error) {
	return b.Digests.Escalation(ctx, periodID, due, now, lang)
}

// Nudge is the user's learning nudge of the occurrence at, recorded as
// sent (Nudges.Send): nothing when none is due any more.
func (b Builder) Nudge(ctx context.Context, userID int64, lang string, at time.Time) ([]bot.Reply, error) {
	return b.Nudges.Send(ctx, userID, at, lang)
}

// NudgeDue lists the users due a nudge at the occurrence at, page by page.
func (b Builder) NudgeDue(ctx context.Context, at time.Time, after int64, limit int) ([]int64, error) {
	due, err := b.Nudges.Due(ctx, at, after, limit)
	ids := make([]int64, len(due))
	for i, r := range due {
		ids[i] = r.UserID
	}
	return ids, err
}
