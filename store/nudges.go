package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
)

// The weekly learning nudge's records (migration 00012): each user's choice
// and when the last nudge went out.

// NudgeEvery is the least time between two nudges to a user.
const NudgeEvery = 7 * 24 * time.Hour

// NudgePref is a user's choice about the weekly learning nudge.
type NudgePref struct {
	OptedIn    bool
	ChosenAt   time.Time // zero when the user never chose
	LastSentAt time.Time // the occurrence of the last nudge sent; zero when none
}

// Chosen reports whether the user ever turned the nudge on or off.
func (p NudgePref) Chosen() bool { return !p.ChosenAt.IsZero() }

// DueAt reports whether a nudge may go out for the occurrence at: the user
// opted in and the last nudge is a week old or more, or was this very
// occurrence (a delivery tried again builds the same message).
func (p NudgePref) DueAt(at time.Time) bool {
	return p.OptedIn && (p.LastSentAt.IsZero() || !p.LastSentAt.After(at.Add(-NudgeEvery)) || p.LastSentAt.Equal(at))
}

// NudgePref returns the user's choice; the zero NudgePref when none.
func (db *DB) NudgePref(ctx context.Context, userID int64) (NudgePref, error) {
	var p NudgePref
	var sent *time.Time
	err := db.Pool.QueryRow(ctx, `SELECT opted_in, chosen_at, last_sent_at FROM nudge_prefs WHERE user_id = $1`, userID).
		Scan(&p.OptedIn, &p.ChosenAt, &sent)
	if errors.Is(err, pgx.ErrNoRows) {
		return NudgePref{}, nil
	}
	if sent != nil {
		p.LastSentAt = *sent
	}
	return p, err
}

// SetNudge records the user's choice. The time of the last nudge is kept:
// turning the nudge off and on again does not bring the next one forward.
func (db *DB) SetNudge(ctx context.Context, userID int64, optedIn bool, at time.Time) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO nudge_prefs (user_id, opted_in, chosen_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET opted_in = excluded.opted_in, chosen_at = excluded.chosen_at
		WHERE nudge_prefs.opted_in <> excluded.opted_in`, userID, optedIn, at)
	return err
}

// ClaimNudge records that the nudge of the occurrence at goes out to the
// user, if it is due (NudgePref.DueAt), in one conditional statement: of
// two replicas claiming the same week, one gets true. Claiming the same
// occurrence again is true again, so a delivery tried again still goes out.
func (db *DB) ClaimNudge(ctx context.Context, userID int64, at time.Time) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE nudge_prefs SET last_sent_at = $2
		WHERE user_id = $1 AND opted_in
		  AND (last_sent_at IS NULL OR last_sent_at <= $3 OR last_sent_at = $2)`, userID, at, at.Add(-NudgeEvery))
	return tag.RowsAffected() == 1, err
}

// Recipient is where a message for a user goes: the channel account they
// used last among those that did not block the bot.
type Recipient struct {
	UserID  int64
	Lang    string
	Channel bot.Channel
	ChatID  string
}

// DueNudges lists, by user id after after, at most limit users due a nudge
// at the occurrence at: opted in, not nudged within a week (or nudged at
// this very occurrence: a retry), with an area of areas (the bank's) not
// yet passed, and an account that did not block the bot. One query per
// page, whatever the number of users: call it again with the last user id
// until it returns fewer than limit.
func (db *DB) DueNudges(ctx context.Context, at time.Time, areas []string, after int64, limit int) ([]Recipient, error) {
	rows, err := db.Pool.Query(ctx, `SELECT n.user_id, u.language, acc.channel, acc.chat_id
		FROM nudge_prefs n
		JOIN users u ON u.id = n.user_id
		CROSS JOIN LATERAL (
			SELECT a.channel, a.chat_id FROM accounts a
			WHERE a.user_id = n.user_id AND a.blocked_at IS NULL
			ORDER BY a.last_seen_at DESC LIMIT 1) acc
		WHERE n.opted_in AND n.user_id > $4
		  AND (n.last_sent_at IS NULL OR n.last_sent_at <= $2 OR n.last_sent_at = $1)
		  AND (SELECT count(DISTINCT q.area) FROM quiz_attempts q
		       WHERE q.user_id = n.user_id AND q.passed AND q.area = ANY($3)) < cardinality($3::text[])
		ORDER BY n.user_id
		LIMIT $5`, at, at.Add(-NudgeEvery), areas, after, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Recipient, error) {
		var x Recipient
		err := r.Scan(&x.UserID, &x.Lang, &x.Channel, &x.ChatID)
		return x, err
	})
}
