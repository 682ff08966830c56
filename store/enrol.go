package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
)

// What the enrolment needs beyond reports.go: looking a code up without
// using it, and the admin's view of who holds which role.

// InviteByCode returns the invite a code names, used or not, without using
// it: the enrolment flow tells an expired or used code, or a role already
// held, before it spends the code. false when no invite has this code.
func (db *DB) InviteByCode(ctx context.Context, code string) (Invite, bool, error) {
	var inv Invite
	if NormalizeInviteCode(code) == "" {
		return inv, false, nil
	}
	var usedAt *time.Time
	err := db.Pool.QueryRow(ctx, `SELECT id, role, coalesce(unit_code, ''), created_by, created_at, expires_at, used_at, coalesce(used_by, 0)
		FROM report_invites WHERE code_hash = $1`, inviteHash(code)).
		Scan(&inv.ID, &inv.Role, &inv.UnitCode, &inv.CreatedBy, &inv.CreatedAt, &inv.ExpiresAt, &usedAt, &inv.UsedBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return inv, false, nil
	}
	if err != nil {
		return inv, false, err
	}
	if usedAt != nil {
		inv.UsedAt = *usedAt
	}
	return inv, true, nil
}

// RoleHolder is a role with the unit and the person holding it, as an admin
// lists them.
type RoleHolder struct {
	Role
	RevokedBy   string
	UnitName    string // "" for an official
	DisplayName string
	Accounts    []RoleAccount
}

// RoleAccount is a channel account of a role holder.
type RoleAccount struct {
	Channel    bot.Channel
	ExternalID string
}

const roleHolderSelect = `SELECT r.id, r.user_id, r.role, coalesce(r.unit_code, ''), r.granted_by, r.granted_at,
		r.revoked_at, coalesce(r.revoked_by, ''), coalesce(un.name, ''), u.display_name,
		coalesce((SELECT array_agg(a.channel || ':' || a.external_id ORDER BY a.created_at) FROM accounts a WHERE a.user_id = r.user_id), '{}')
	FROM report_roles r JOIN users u ON u.id = r.user_id LEFT JOIN units un ON un.code = r.unit_code`

func scanRoleHolder(row pgx.Row) (RoleHolder, error) {
	var h RoleHolder
	var revoked *time.Time
	var accounts []string
	err := row.Scan(&h.ID, &h.UserID, &h.Role.Role, &h.UnitCode, &h.GrantedBy, &h.GrantedAt,
		&revoked, &h.RevokedBy, &h.UnitName, &h.DisplayName, &accounts)
	if revoked != nil {
		h.RevokedAt = *revoked
	}
	for _, a := range accounts {
		for i := 0; i < len(a); i++ {
			if a[i] == ':' {
				h.Accounts = append(h.Accounts, RoleAccount{Channel: bot.Channel(a[:i]), ExternalID: a[i+1:]})
				break
			}
		}
	}
	return h, err
}

// ActiveRoles lists the roles in force with who holds them: the focal
// points of one unit, or, for unitCode "", every role (officials and every
// unit's focal points), by unit then grant.
func (db *DB) ActiveRoles(ctx context.Context, unitCode string) ([]RoleHolder, error) {
	rows, err := db.Pool.Query(ctx, roleHolderSelect+`
		WHERE r.revoked_at IS NULL AND ($1 = '' OR r.unit_code = $1)
		ORDER BY r.role DESC, coalesce(r.unit_code, ''), r.granted_at, r.id`, unitCode)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RoleHolder, error) { return scanRoleHolder(r) })
}

// RoleByID returns a role, in force or revoked, with who holds it.
func (db *DB) RoleByID(ctx context.Context, id int64) (RoleHolder, bool, error) {
	h, err := scanRoleHolder(db.Pool.QueryRow(ctx, roleHolderSelect+` WHERE r.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return h, false, nil
	}
	return h, err == nil, err
}

// MenuHolderIDs lists, by id, the users whose chats have a command menu of
// their own: those holding a role in force, and those who chose their
// language in the bot (LanguageChosen).
func (db *DB) MenuHolderIDs(ctx context.Context) ([]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT user_id FROM report_roles WHERE revoked_at IS NULL
		UNION SELECT id FROM users WHERE language_chosen ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}
