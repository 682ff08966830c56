package store

import (
	"context"
	"time"

	"hocvuso/bot"
)

// FocalContact is an active focal point of a unit, with every channel
// account of theirs: whether a reminder can reach them.
type FocalContact struct {
	UnitCode string
	UserID   int64
	Name     string
	Accounts []Account // Channel, ExternalID, ChatID, BlockedAt, LastSeenAt
}

// FocalContacts lists the active focal points of the units given, by unit
// code then user id, each with their accounts. One query, whatever the
// number of units.
func (db *DB) FocalContacts(ctx context.Context, unitCodes []string) ([]FocalContact, error) {
	rows, err := db.Pool.Query(ctx, `SELECT r.unit_code, u.id, u.display_name,
			a.channel, a.external_id, a.chat_id, a.blocked_at, a.last_seen_at
		FROM report_roles r
		JOIN users u ON u.id = r.user_id
		LEFT JOIN accounts a ON a.user_id = u.id
		WHERE r.role = 'focal' AND r.revoked_at IS NULL AND r.unit_code = ANY($1)
		ORDER BY r.unit_code, u.id, a.created_at, a.channel, a.external_id`, unitCodes)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FocalContact
	for rows.Next() {
		var unit, name string
		var user int64
		var channel, external, chat *string
		var blocked, seen *time.Time
		if err := rows.Scan(&unit, &user, &name, &channel, &external, &chat, &blocked, &seen); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].UnitCode != unit || out[n-1].UserID != user {
			out = append(out, FocalContact{UnitCode: unit, UserID: user, Name: name})
		}
		if channel == nil {
			continue // no account left: nothing to reach them on
		}
		a := Account{Channel: bot.Channel(*channel), ExternalID: *external, ChatID: *chat, BlockedAt: blocked}
		if seen != nil {
			a.LastSeenAt = *seen
		}
		c := &out[len(out)-1]
		c.Accounts = append(c.Accounts, a)
	}
	return out, rows.Err()
}
