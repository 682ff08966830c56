package store

import (
	"context"
	"time"

	"hocvuso/bot"
)

// ZaloWindow is how long after a user's last interaction Zalo takes free
// consultation messages to them (-230 afterwards; channel-zalo.md §5).
const ZaloWindow = 7 * 24 * time.Hour

// InZaloWindow reports whether a consultation message sent at now falls in
// the window opened by an interaction at lastSeen: strictly less than 7
// days after it. Accounts.last_seen_at is written at most once an hour
// (bot.Engine), so it may lag the true last interaction by up to an hour:
// the answer errs on the side of "outside", never "inside".
func InZaloWindow(lastSeen, now time.Time) bool {
	return !lastSeen.IsZero() && now.Sub(lastSeen) < ZaloWindow
}

// Contact is what a push to a user needs: their language and their chat
// accounts, the most recently active first (blocked ones included, marked).
type Contact struct {
	UserID   int64
	Lang     string
	Accounts []Account
}

// Contact loads a user's language and accounts by last activity; a user
// who does not exist (erased) is pgx.ErrNoRows.
func (db *DB) Contact(ctx context.Context, userID int64) (Contact, error) {
	c := Contact{UserID: userID}
	if err := db.Pool.QueryRow(ctx, `SELECT language FROM users WHERE id = $1`, userID).Scan(&c.Lang); err != nil {
		return c, err
	}
	var err error
	c.Accounts, err = accountsOf(ctx, db.Pool, userID, "last_seen_at DESC, created_at")
	return c, err
}

// Reachable reports whether the account can be written to at all: not
// blocked (a blocked Telegram bot, an unfollowed Zalo OA).
func (a Account) Reachable() bool { return a.BlockedAt == nil }

// InWindow reports, for a Zalo account, whether a free message reaches it
// at now (InZaloWindow); accounts of other channels have no window.
func (a Account) InWindow(now time.Time) bool {
	return a.Channel != bot.Zalo || InZaloWindow(a.LastSeenAt, now)
}
