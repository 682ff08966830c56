// Package digest writes what the bot sends without being asked: the
// officials' weekly digest and escalation digest (also on demand with
// /digest), and the citizens' weekly learning nudge, which they turn on and
// off with one tap (/nudge, and a button under a quiz result and under
// /progress).
//
// It builds messages; it does not send them. The scheduler (package
// scheduler) decides when, to whom, and delivers them through the channels'
// senders: Builder is what it calls (scheduler.DigestBuilder).
package digest

import (
	"context"
	"time"

	"hocvuso/bot"
	"hocvuso/flows/quiz/bank"
	"hocvuso/store"
)

// NudgeStore is what the learning nudge needs of the records.
type NudgeStore interface {
	NudgePref(ctx context.Context, userID int64) (store.NudgePref, error)
	SetNudge(ctx context.Context, userID int64, optedIn bool, at time.Time) error
	ClaimNudge(ctx context.Context, userID int64, at time.Time) (bool, error)
	DueNudges(ctx context.Context, at time.Time, areas []string, after int64, limit int) ([]store.Recipient, error)
	AreaBests(ctx context.Context, userID int64) ([]store.AreaBest, error)
}

// Config sets the package up.
type Config struct {
	// Text renders the catalogue's messages (locales/digest.*.yaml).
	Text bot.Translator
	// Bank is the quiz's bank in force: its areas are what a user may have
	// left unfinished.
	Bank *bank.Bank
	// PassPercent is the quiz's pass mark, shown in a nudge.
	PassPercent int
}

// lang renders the catalogue's messages in one language, outside a
// conversation: what the scheduler sends is built without one.
type lang struct {
	tr   bot.Translator
	code string
}

// T renders message id; kv are key, value pairs for its template.
func (l lang) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			data[k] = kv[i+1]
		}
	}
	return l.tr.Text(l.code, id, data)
}
