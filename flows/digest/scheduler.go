package digest

import (
	"context"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
)

// NudgeSource is what the scheduler calls to plan and send the weekly
// learning nudges; *Nudges implements it. For an occurrence at (the time
// the rule planned, not the time of sending: a retried delivery must see
// the same occurrence):
//
//  1. Due, page by page (after = the last user id of the previous page),
//     lists the users due a nudge and the chat to send it to;
//  2. for each, Nudge builds the message in the user's language (nothing
//     when it is no longer due: the user opted out or passed everything
//     meanwhile);
//  3. Claim, just before sending, records it: false means do not send
//     (another delivery of the week won). Claiming the same occurrence
//     again is true, so a retry after a failed send still sends.
type NudgeSource interface {
	Due(ctx context.Context, at time.Time, after int64, limit int) ([]store.Recipient, error)
	Nudge(ctx context.Context, userID int64, at time.Time, lang string) ([]bot.Reply, error)
	Claim(ctx context.Context, userID int64, at time.Time) (bool, error)
}

var _ NudgeSource = (*Nudges)(nil)
