package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// What a person can see of their records (/mydata) and what erasing them
// (/deleteme, DeleteUser) removes. The user row is the root: everything
// personal hangs off it with ON DELETE CASCADE, and what belongs to a unit
// (its reports, drafts, files, audit log) points at it with ON DELETE SET
// NULL, so it stays, no longer linked to the person.

// PersonalData is everything kept about a user besides User.
type PersonalData struct {
	// Roles are every role the user holds or held, the ended ones too,
	// oldest first.
	Roles []RoleRecord
	// Nudge is the weekly learning nudge choice; zero when never chosen.
	Nudge NudgePref
	// LinkCodes are the expiry times of the user's /link codes not used
	// yet and still valid, soonest first.
	LinkCodes []time.Time
	// LinkHistory counts the lines of the account link history and the
	// used or expired link codes kept with them.
	LinkHistory int
	// Reminders counts the messages planned or sent to the user unasked:
	// reminders, digests, nudges, officials' notices (deliveries).
	Reminders int
	// Downloads counts the files kept for download links made for the user.
	Downloads int
	// Reports counts the report versions the user submitted for a unit;
	// ReportUnits names those units. They belong to the unit and stay
	// after an erasure, without the user.
	Reports     int
	ReportUnits []string
	// ReportLog counts the lines of the units' report log that name the
	// user: roles given and taken, drafts opened, every answer, files,
	// reports sent. ReportFiles counts the files they sent with reports.
	// Both are the units' and stay after an erasure, without the user.
	ReportLog, ReportFiles int
}

// RoleRecord is a role with the name of its unit.
type RoleRecord struct {
	Role
	UnitName string // "" for RoleOfficial
}

// Active reports whether the role has not been revoked.
func (r RoleRecord) Active() bool { return r.RevokedAt.IsZero() }

// PersonalData reads what is kept about a user besides User; at is now,
// which tells the live link codes from the expired ones.
func (db *DB) PersonalData(ctx context.Context, userID int64, at time.Time) (PersonalData, error) {
	var p PersonalData
	rows, err := db.Pool.Query(ctx, `SELECT r.id, r.user_id, r.role, coalesce(r.unit_code, ''), r.granted_by, r.granted_at,
			r.revoked_at, coalesce(u.name, '')
		FROM report_roles r LEFT JOIN units u ON u.code = r.unit_code
		WHERE r.user_id = $1 ORDER BY r.granted_at, r.id`, userID)
	if err != nil {
		return p, err
	}
	p.Roles, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (RoleRecord, error) {
		var r RoleRecord
		var revoked *time.Time
		err := row.Scan(&r.ID, &r.UserID, &r.Role.Role, &r.UnitCode, &r.GrantedBy, &r.GrantedAt, &revoked, &r.UnitName)
		if revoked != nil {
			r.RevokedAt = *revoked
		}
		return r, err
	})
	if err != nil {
		return p, err
	}
	if p.Nudge, err = db.NudgePref(ctx, userID); err != nil {
		return p, err
	}
	rows, err = db.Pool.Query(ctx, `SELECT expires_at FROM link_codes
		WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2 ORDER BY expires_at`, userID, at)
	if err != nil {
		return p, err
	}
	if p.LinkCodes, err = pgx.CollectRows(rows, pgx.RowTo[time.Time]); err != nil {
		return p, err
	}
	err = db.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM account_link_audit WHERE user_id = $1)
		  + (SELECT count(*) FROM link_codes WHERE user_id = $1 AND (used_at IS NOT NULL OR expires_at <= $2)),
		(SELECT count(*) FROM deliveries WHERE user_id = $1),
		(SELECT count(*) FROM downloads WHERE user_id = $1),
		(SELECT count(*) FROM report_versions WHERE submitted_by = $1),
		coalesce((SELECT array_agg(name ORDER BY name) FROM units WHERE code IN (
			SELECT r.unit_code FROM report_versions v JOIN reports r ON r.id = v.report_id WHERE v.submitted_by = $1)), '{}'),
		(SELECT count(*) FROM report_audit WHERE user_id = $1
			OR action = 'role.revoke' AND detail->>'user' = ($1::bigint)::text),
		(SELECT count(*) FROM report_attachments WHERE uploaded_by = $1)`,
		userID, at).Scan(&p.LinkHistory, &p.Reminders, &p.Downloads, &p.Reports, &p.ReportUnits, &p.ReportLog, &p.ReportFiles)
	return p, err
}
