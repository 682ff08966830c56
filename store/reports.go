package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // deadlines are in Asia/Ho_Chi_Minh wherever the bot runs
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/text/unicode/norm"

	"hocvuso/internal/randcode"
)

// The units' reports: units, invites and roles, drafts, submitted reports
// and their versions, attachments and the audit log (migration 00005). The
// store knows nothing of periods and forms, which are configuration
// (flows/report/config): callers pass the due date and the form.

// ReportZone is where due dates are days: Asia/Ho_Chi_Minh.
var ReportZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err) // time/tzdata is linked in: cannot happen
	}
	return loc
}()

// DaysLate is how many calendar days, in Asia/Ho_Chi_Minh, at is after the
// due date: 0 on or before it, 1 from 00:00 the next day. Only due's date
// in Asia/Ho_Chi_Minh counts.
func DaysLate(due, at time.Time) int {
	return max(0, daysBetween(due, at))
}

func daysBetween(a, b time.Time) int {
	ay, am, ad := a.In(ReportZone).Date()
	by, bm, bd := b.In(ReportZone).Date()
	return int(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// dateOnly is due's date in Asia/Ho_Chi_Minh, as PostgreSQL's date wants it.
func dateOnly(due time.Time) time.Time {
	y, m, d := due.In(ReportZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Errors of the reports' repository.
var (
	ErrNoUnit         = errors.New("store: no such unit")
	ErrUnitKind       = errors.New("store: not a kind of unit")
	ErrInviteUnknown  = errors.New("store: no such invite code")
	ErrInviteUsed     = errors.New("store: the invite code was used already")
	ErrInviteExpired  = errors.New("store: the invite code has expired")
	ErrNoRole         = errors.New("store: no such active role")
	ErrFormChanged    = errors.New("store: a different form was recorded under this id and version")
	ErrNoDraft        = errors.New("store: no draft to submit")
	ErrReasonRequired = errors.New("store: an amendment needs a reason")
)

// pgCode returns the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// ---- audit ----

// AuditEntry is one line of the reports' audit log.
type AuditEntry struct {
	ID       int64
	At       time.Time
	UserID   int64  // 0 when done by an admin, or the user is erased
	Actor    string // the admin, when not a user of the bot
	Action   string // "unit.create", "invite.use", "draft.answer", "report.amend"…
	UnitCode string
	PeriodID string
	Detail   json.RawMessage
}

type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func audit(ctx context.Context, q querier, e AuditEntry, detail any) error {
	d, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO report_audit (at, user_id, actor, action, unit_code, period_id, detail)
		VALUES ($1, nullif($2, 0), $3, $4, nullif($5, ''), nullif($6, ''), $7)`,
		e.At, e.UserID, e.Actor, e.Action, e.UnitCode, e.PeriodID, d)
	return err
}

// AuditLog lists what was done for a unit, oldest first ("" for the entries
// of no unit: officials' invites and roles).
func (db *DB) AuditLog(ctx context.Context, unitCode string) ([]AuditEntry, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, at, coalesce(user_id, 0), actor, action, coalesce(unit_code, ''), coalesce(period_id, ''), detail
		FROM report_audit WHERE coalesce(unit_code, '') = $1 ORDER BY at, id`, unitCode)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.At, &e.UserID, &e.Actor, &e.Action, &e.UnitCode, &e.PeriodID, &e.Detail)
		return e, err
	})
}

// ---- units ----

// Unit is a participating unit.
type Unit struct {
	Code      string
	Name      string
	Kind      string // one of flows/report/config.Kinds
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UpsertUnits records units as an import gives them, in one transaction: new
// codes are added, known ones take the name and kind given, unchanged ones
// are left alone. It returns how many were added and changed; a kind the
// schema does not know fails the whole import with ErrUnitKind.
func (db *DB) UpsertUnits(ctx context.Context, units []Unit, actor string, at time.Time) (created, updated int, err error) {
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		created, updated = 0, 0
		for _, u := range units {
			var oldName, oldKind string
			err := tx.QueryRow(ctx, `SELECT name, kind FROM units WHERE code = $1 FOR UPDATE`, u.Code).Scan(&oldName, &oldKind)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				_, err = tx.Exec(ctx, `INSERT INTO units (code, name, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
					u.Code, u.Name, u.Kind, at)
				if pgCode(err) == "23514" { // check_violation
					return fmt.Errorf("unit %s: %q: %w", u.Code, u.Kind, ErrUnitKind)
				}
				if err != nil {
					return err
				}
				created++
				err = audit(ctx, tx, AuditEntry{At: at, Actor: actor, Action: "unit.create", UnitCode: u.Code},
					map[string]string{"name": u.Name, "kind": u.Kind})
			case err != nil:
				return err
			case oldName != u.Name || oldKind != u.Kind:
				_, err = tx.Exec(ctx, `UPDATE units SET name = $2, kind = $3, updated_at = $4 WHERE code = $1`, u.Code, u.Name, u.Kind, at)
				if pgCode(err) == "23514" {
					return fmt.Errorf("unit %s: %q: %w", u.Code, u.Kind, ErrUnitKind)
				}
				if err != nil {
					return err
				}
				updated++
				err = audit(ctx, tx, AuditEntry{At: at, Actor: actor, Action: "unit.update", UnitCode: u.Code},
					map[string]string{"name": u.Name, "kind": u.Kind, "old_name": oldName, "old_kind": oldKind})
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return created, updated, err
}

// Unit returns a unit by code.
func (db *DB) Unit(ctx context.Context, code string) (Unit, bool, error) {
	var u Unit
	err := db.Pool.QueryRow(ctx, `SELECT code, name, kind, created_at, updated_at FROM units WHERE code = $1`, code).
		Scan(&u.Code, &u.Name, &u.Kind, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, false, nil
	}
	return u, err == nil, err
}

// Units lists every unit by code.
func (db *DB) Units(ctx context.Context) ([]Unit, error) {
	rows, err := db.Pool.Query(ctx, `SELECT code, name, kind, created_at, updated_at FROM units ORDER BY code`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Unit, error) {
		var u Unit
		err := r.Scan(&u.Code, &u.Name, &u.Kind, &u.CreatedAt, &u.UpdatedAt)
		return u, err
	})
}

// ---- invites and roles ----

// The roles of the reports.
const (
	RoleFocal    = "focal"    // a focal point (đầu mối) of a unit
	RoleOfficial = "official" // an official of Sở Nội vụ or Sở Khoa học và Công nghệ
)

// Invite is a one-time code as recorded; the code itself is never stored.
type Invite struct {
	ID        int64
	Role      string
	UnitCode  string // for RoleFocal
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero while unused
	UsedBy    int64
}

// NewInvite is what CreateInvite records.
type NewInvite struct {
	Role      string
	UnitCode  string // required for RoleFocal, empty for RoleOfficial
	CreatedBy string
	At        time.Time
	ExpiresAt time.Time
}

// inviteAlphabet is Crockford's base 32: no I, L, O or U, so a code read
// aloud or copied by hand survives (NormalizeInviteCode maps the look-alikes).
// Codes are read in it, those made before inviteDrawn too.
const inviteAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// inviteDrawn is what new codes are drawn from: inviteAlphabet without the
// vowels A, E and Y and without D and W, which a Vietnamese keyboard turns
// into marked letters as the code is typed (Telex "AS" → "Á", "DD" → "Đ",
// "W" → "Ư"; VNI "A1" → "Á"), as /link codes do. On Zalo, with no deep
// link, a code is always typed.
const inviteDrawn = "0123456789BCFGHJKMNPQRSTVXZ"

// InviteCodeLength is the length of a code: 27^12, about 2^57 codes.
const InviteCodeLength = 12

func newInviteCode() string { return randcode.Draw(inviteDrawn, InviteCodeLength) }

// NormalizeInviteCode reads a code as typed or copied: case, spaces and
// dashes do not matter, nor O for 0 or I and L for 1. As /link codes are
// read: full-width characters count as their plain forms (NFKC), and any
// space (a no-break space) or dash (the – a phone or a word processor puts
// for -), dots and underscores are ignored. It returns "" for what cannot
// be a code.
func NormalizeInviteCode(s string) string {
	if len(s) > 200 {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(norm.NFKC.String(s)) {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Pd, r), r == '\u2212', r == '_', r == '.':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(inviteAlphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() != InviteCodeLength {
		return ""
	}
	return b.String()
}

// FormatInviteCode writes a code in groups for people: ABCD-EFGH-JKMN.
func FormatInviteCode(code string) string {
	var parts []string
	for len(code) > 4 {
		parts, code = append(parts, code[:4]), code[4:]
	}
	return strings.Join(append(parts, code), "-")
}

func inviteHash(code string) []byte {
	sum := sha256.Sum256([]byte(NormalizeInviteCode(code)))
	return sum[:]
}

// CreateInvite records a new one-time code and returns it: it is shown to
// the admin once and only its hash is kept.
func (db *DB) CreateInvite(ctx context.Context, n NewInvite) (string, Invite, error) {
	if (n.Role == RoleFocal) != (n.UnitCode != "") || n.Role != RoleFocal && n.Role != RoleOfficial {
		return "", Invite{}, fmt.Errorf("store: an invite is for a unit's focal point or an official, not %q/%q", n.Role, n.UnitCode)
	}
	if !n.ExpiresAt.After(n.At) {
		return "", Invite{}, errors.New("store: an invite must expire after it is made")
	}
	code := newInviteCode()
	inv := Invite{Role: n.Role, UnitCode: n.UnitCode, CreatedBy: n.CreatedBy, CreatedAt: n.At, ExpiresAt: n.ExpiresAt}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO report_invites (code_hash, role, unit_code, created_by, created_at, expires_at)
			VALUES ($1, $2, nullif($3, ''), $4, $5, $6) RETURNING id`,
			inviteHash(code), n.Role, n.UnitCode, n.CreatedBy, n.At, n.ExpiresAt).Scan(&inv.ID)
		if pgCode(err) == "23503" { // foreign_key_violation
			return ErrNoUnit
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{At: n.At, Actor: n.CreatedBy, Action: "invite.create", UnitCode: n.UnitCode},
			map[string]any{"invite": inv.ID, "role": n.Role, "expires_at": n.ExpiresAt})
	})
	if err != nil {
		return "", Invite{}, err
	}
	return code, inv, nil
}

// Role is a role held, or once held, by a user.
type Role struct {
	ID        int64
	UserID    int64
	Role      string
	UnitCode  string // for RoleFocal
	GrantedBy string
	GrantedAt time.Time
	RevokedAt time.Time // zero while active
}

// ConsumeInvite uses a code for a user, once, and grants its role in the
// same transaction: the user becomes a focal point of the unit, or an
// official. A wrong code is ErrInviteUnknown, a code used by someone else
// ErrInviteUsed, an expired one ErrInviteExpired (expired from ExpiresAt
// on). The same user using the same code again (a redelivered update) gets
// the same answer, and nothing is granted twice.
func (db *DB) ConsumeInvite(ctx context.Context, code string, userID int64, at time.Time) (Invite, Role, error) {
	var inv Invite
	var role Role
	if NormalizeInviteCode(code) == "" {
		return inv, role, ErrInviteUnknown
	}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE report_invites SET used_at = $2, used_by = $3
			WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
			RETURNING id, role, coalesce(unit_code, ''), created_by, created_at, expires_at, used_at, used_by`,
			inviteHash(code), at, userID).
			Scan(&inv.ID, &inv.Role, &inv.UnitCode, &inv.CreatedBy, &inv.CreatedAt, &inv.ExpiresAt, &inv.UsedAt, &inv.UsedBy)
		if errors.Is(err, pgx.ErrNoRows) {
			return inviteRefused(ctx, tx, code, userID, at, &inv, &role)
		}
		if err != nil {
			return err
		}
		if err := audit(ctx, tx, AuditEntry{At: at, UserID: userID, Action: "invite.use", UnitCode: inv.UnitCode},
			map[string]any{"invite": inv.ID, "role": inv.Role}); err != nil {
			return err
		}
		role, err = grantRole(ctx, tx, userID, inv.Role, inv.UnitCode, inv.ID, "invite", at)
		return err
	})
	return inv, role, err
}

// inviteRefused tells why a code could not be used, and answers a repeat by
// the user who used it.
func inviteRefused(ctx context.Context, tx pgx.Tx, code string, userID int64, at time.Time, inv *Invite, role *Role) error {
	var usedAt *time.Time
	var usedBy int64
	err := tx.QueryRow(ctx, `SELECT id, role, coalesce(unit_code, ''), created_by, created_at, expires_at, used_at, coalesce(used_by, 0)
		FROM report_invites WHERE code_hash = $1`, inviteHash(code)).
		Scan(&inv.ID, &inv.Role, &inv.UnitCode, &inv.CreatedBy, &inv.CreatedAt, &inv.ExpiresAt, &usedAt, &usedBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrInviteUnknown
	}
	if err != nil {
		return err
	}
	if usedAt == nil {
		return ErrInviteExpired
	}
	inv.UsedAt, inv.UsedBy = *usedAt, usedBy
	if usedBy != userID {
		return ErrInviteUsed
	}
	// The same user again: the role it granted, if still held.
	err = tx.QueryRow(ctx, `SELECT id, user_id, role, coalesce(unit_code, ''), granted_by, granted_at
		FROM report_roles WHERE invite_id = $1 AND revoked_at IS NULL`, inv.ID).
		Scan(&role.ID, &role.UserID, &role.Role, &role.UnitCode, &role.GrantedBy, &role.GrantedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrInviteUsed // used, and the role revoked since
	}
	return err
}

func grantRole(ctx context.Context, tx pgx.Tx, userID int64, role, unit string, inviteID int64, by string, at time.Time) (Role, error) {
	r := Role{UserID: userID, Role: role, UnitCode: unit}
	var invite *int64
	if inviteID != 0 {
		invite = &inviteID
	}
	_, err := tx.Exec(ctx, `INSERT INTO report_roles (user_id, role, unit_code, invite_id, granted_by, granted_at)
		VALUES ($1, $2, nullif($3, ''), $4, $5, $6)
		ON CONFLICT (user_id, role, (coalesce(unit_code, ''))) WHERE revoked_at IS NULL DO NOTHING`,
		userID, role, unit, invite, by, at)
	if pgCode(err) == "23503" {
		return r, ErrNoUnit
	}
	if err != nil {
		return r, err
	}
	err = tx.QueryRow(ctx, `SELECT id, granted_by, granted_at FROM report_roles
		WHERE user_id = $1 AND role = $2 AND coalesce(unit_code, '') = $3 AND revoked_at IS NULL`, userID, role, unit).
		Scan(&r.ID, &r.GrantedBy, &r.GrantedAt)
	if err != nil {
		return r, err
	}
	return r, audit(ctx, tx, AuditEntry{At: at, UserID: userID, Actor: by, Action: "role.grant", UnitCode: unit},
		map[string]any{"role": role, "role_id": r.ID})
}

// GrantRole makes a user a focal point of a unit (RoleFocal) or an official
// (RoleOfficial, unit ""), by an admin's hand; a role already held is
// returned as it is.
func (db *DB) GrantRole(ctx context.Context, userID int64, role, unitCode, by string, at time.Time) (Role, error) {
	if (role == RoleFocal) != (unitCode != "") || role != RoleFocal && role != RoleOfficial {
		return Role{}, fmt.Errorf("store: no role %q/%q", role, unitCode)
	}
	var r Role
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) (err error) {
		r, err = grantRole(ctx, tx, userID, role, unitCode, 0, by, at)
		return err
	})
	return r, err
}

// RevokeRole ends a role; ErrNoRole when it is not active.
func (db *DB) RevokeRole(ctx context.Context, roleID int64, by string, at time.Time) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var userID int64
		var role, unit string
		err := tx.QueryRow(ctx, `UPDATE report_roles SET revoked_at = $2, revoked_by = $3
			WHERE id = $1 AND revoked_at IS NULL RETURNING user_id, role, coalesce(unit_code, '')`, roleID, at, by).
			Scan(&userID, &role, &unit)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoRole
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{At: at, Actor: by, Action: "role.revoke", UnitCode: unit},
			map[string]any{"role": role, "role_id": roleID, "user": userID})
	})
}

func (db *DB) roles(ctx context.Context, where string, args ...any) ([]Role, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, user_id, role, coalesce(unit_code, ''), granted_by, granted_at
		FROM report_roles WHERE revoked_at IS NULL AND `+where+` ORDER BY granted_at, id`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Role, error) {
		var x Role
		err := r.Scan(&x.ID, &x.UserID, &x.Role, &x.UnitCode, &x.GrantedBy, &x.GrantedAt)
		return x, err
	})
}

// UserRoles lists a user's active roles: the units they are a focal point
// of, and whether they are an official.
func (db *DB) UserRoles(ctx context.Context, userID int64) ([]Role, error) {
	return db.roles(ctx, `user_id = $1`, userID)
}

// FocalPoints lists a unit's active focal points.
func (db *DB) FocalPoints(ctx context.Context, unitCode string) ([]Role, error) {
	return db.roles(ctx, `role = 'focal' AND unit_code = $1`, unitCode)
}

// Officials lists the active officials.
func (db *DB) Officials(ctx context.Context) ([]Role, error) {
	return db.roles(ctx, `role = 'official'`)
}

// ---- forms ----

// StoredForm is a form version as recorded with the drafts and reports made
// with it.
type StoredForm struct {
	ID         string
	Version    int
	Hash       string
	Content    []byte
	RecordedAt time.Time
}

// RecordForm records a form version before a draft uses it; recording it
// again changes nothing. A different content (another hash) under the same
// id and version is ErrFormChanged: a shipped form file was edited.
func (db *DB) RecordForm(ctx context.Context, f StoredForm) error {
	if _, err := db.Pool.Exec(ctx, `INSERT INTO report_forms (form_id, version, hash, content, recorded_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (form_id, version) DO NOTHING`, f.ID, f.Version, f.Hash, f.Content, f.RecordedAt); err != nil {
		return err
	}
	// A statement of its own: it sees a row another replica inserted meanwhile.
	var hash string
	if err := db.Pool.QueryRow(ctx, `SELECT hash FROM report_forms WHERE form_id = $1 AND version = $2`, f.ID, f.Version).Scan(&hash); err != nil {
		return err
	}
	if hash != f.Hash {
		return fmt.Errorf("form %s v%d: recorded %s, now %s: %w", f.ID, f.Version, hash, f.Hash, ErrFormChanged)
	}
	return nil
}

// Form returns a recorded form version.
func (db *DB) Form(ctx context.Context, id string, version int) (StoredForm, bool, error) {
	f := StoredForm{ID: id, Version: version}
	err := db.Pool.QueryRow(ctx, `SELECT hash, content, recorded_at FROM report_forms WHERE form_id = $1 AND version = $2`, id, version).
		Scan(&f.Hash, &f.Content, &f.RecordedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, false, nil
	}
	return f, err == nil, err
}

// ---- drafts ----

// Draft is the report a unit is writing for a period.
type Draft struct {
	UnitCode    string
	PeriodID    string
	FormID      string
	FormVersion int
	// Answers holds each answer (JSON of config.Value) by field key;
	// Answered the draft version that last set it.
	Answers     map[string]json.RawMessage
	Answered    map[string]int64
	BaseVersion int    // the report version this amends; 0 for a first report
	Reason      string // why it amends the report (OpenAmendment); "" for a first report
	// Version is bumped by every change, and a new draft goes on from the
	// last version of the unit's previous draft for the period: a version
	// names one draft, so a user's view of it (Seen) never matches another.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy int64
}

// DraftConflict is a change refused because the draft changed since the
// user saw it (Seen): Key is the field another focal point answered
// meanwhile; "" when the draft as a whole moved on (it uses another form
// version, or is being submitted after a change). Current is the draft as
// it is now, for the flow to show.
type DraftConflict struct {
	Key     string
	Current Draft
}

func (e *DraftConflict) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("store: the draft of %s for %s changed (now version %d)", e.Current.UnitCode, e.Current.PeriodID, e.Current.Version)
	}
	return fmt.Sprintf("store: field %s of the draft of %s for %s was changed by someone else (version %d)", e.Key, e.Current.UnitCode, e.Current.PeriodID, e.Current.Answered[e.Key])
}

// DraftStart names the draft to open and the form new drafts use.
type DraftStart struct {
	UnitCode    string
	PeriodID    string
	FormID      string
	FormVersion int
	By          int64
	At          time.Time
}

// DraftAnswer is one answer to save into a draft.
type DraftAnswer struct {
	DraftStart
	Key   string
	Value json.RawMessage // JSON of a config.Value
	// Seen is the draft version the user's view was based on (0 when they
	// saw no draft).
	Seen int64
}

const draftColumns = `unit_code, period_id, form_id, form_version, answers, answered, base_version, reason, version, created_at, updated_at, coalesce(updated_by, 0)`

func scanDraft(row pgx.Row) (Draft, error) {
	var d Draft
	var answers, answered []byte
	err := row.Scan(&d.UnitCode, &d.PeriodID, &d.FormID, &d.FormVersion, &answers, &answered, &d.BaseVersion, &d.Reason, &d.Version, &d.CreatedAt, &d.UpdatedAt, &d.UpdatedBy)
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(answers, &d.Answers); err != nil {
		return d, fmt.Errorf("draft %s/%s: answers: %w", d.UnitCode, d.PeriodID, err)
	}
	if err := json.Unmarshal(answered, &d.Answered); err != nil {
		return d, fmt.Errorf("draft %s/%s: answered: %w", d.UnitCode, d.PeriodID, err)
	}
	return d, nil
}

// Draft returns a unit's draft for a period, if there is one.
func (db *DB) Draft(ctx context.Context, unitCode, periodID string) (Draft, bool, error) {
	d, err := scanDraft(db.Pool.QueryRow(ctx, `SELECT `+draftColumns+` FROM report_drafts WHERE unit_code = $1 AND period_id = $2`, unitCode, periodID))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, false, nil
	}
	return d, err == nil, err
}

// OpenDraft returns the unit's draft for the period, creating it when there
// is none: empty before the first submission, or holding the answers of the
// last submitted version (with its form) to amend it.
func (db *DB) OpenDraft(ctx context.Context, s DraftStart) (d Draft, created bool, err error) {
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		d, created, err = lockDraft(ctx, tx, s)
		return err
	})
	return d, created, err
}

// lockDraft locks the unit's draft for the period, creating it first when
// there is none, numbered after the unit's last draft for the period.
func lockDraft(ctx context.Context, tx pgx.Tx, s DraftStart) (Draft, bool, error) {
	// The draft is locked first when there is one: a submission or a discard
	// deleting it meanwhile is waited for, and the draft made after it reads
	// the report and the last version it left (the INSERT's snapshot, taken
	// before such a wait, would read them as they were).
	d, err := scanDraft(tx.QueryRow(ctx, `SELECT `+draftColumns+` FROM report_drafts WHERE unit_code = $1 AND period_id = $2 FOR UPDATE`, s.UnitCode, s.PeriodID))
	if !errors.Is(err, pgx.ErrNoRows) {
		return d, false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO report_drafts (unit_code, period_id, form_id, form_version, answers, base_version, version, created_at, updated_at, updated_by)
		SELECT $1, $2, coalesce(v.form_id, $3), coalesce(v.form_version, $4), coalesce(v.answers, '{}'), coalesce(r.current_version, 0),
			coalesce(r.last_draft_version, 0) + 1, $5, $5, nullif($6, 0)
		FROM (SELECT 1) one
		LEFT JOIN reports r ON r.unit_code = $1 AND r.period_id = $2
		LEFT JOIN report_versions v ON v.report_id = r.id AND v.version = r.current_version
		ON CONFLICT (unit_code, period_id) DO NOTHING`,
		s.UnitCode, s.PeriodID, s.FormID, s.FormVersion, s.At, s.By)
	switch pgCode(err) {
	case "23503": // foreign_key_violation: the unit, or the form not recorded
		return Draft{}, false, fmt.Errorf("draft %s/%s with form %s v%d: %w (is the unit imported and the form recorded?)", s.UnitCode, s.PeriodID, s.FormID, s.FormVersion, err)
	case "":
	default:
		return Draft{}, false, err
	}
	created := tag.RowsAffected() == 1
	d, err = scanDraft(tx.QueryRow(ctx, `SELECT `+draftColumns+` FROM report_drafts WHERE unit_code = $1 AND period_id = $2 FOR UPDATE`, s.UnitCode, s.PeriodID))
	if err != nil {
		return d, false, err
	}
	if created {
		err = audit(ctx, tx, AuditEntry{At: s.At, UserID: s.By, Action: "draft.open", UnitCode: s.UnitCode, PeriodID: s.PeriodID},
			map[string]any{"form": d.FormID, "form_version": d.FormVersion, "amends": d.BaseVersion})
	}
	return d, created, err
}

// SaveDraftAnswer saves one answer at once, creating the draft if need be
// (OpenDraft). Two focal points may fill in different fields of the same
// draft; an answer to a field someone else changed after Seen is refused
// with a *DraftConflict naming it, and so is an answer made with another
// form version than the draft's. Every change is in the audit log with the
// value it replaced. It returns the draft as saved.
func (db *DB) SaveDraftAnswer(ctx context.Context, a DraftAnswer) (Draft, error) {
	if a.Key == "" || !json.Valid(a.Value) {
		return Draft{}, fmt.Errorf("store: a draft answer needs a key and a JSON value (%q)", a.Key)
	}
	var d Draft
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var err error
		d, _, err = lockDraft(ctx, tx, a.DraftStart)
		if err != nil {
			return err
		}
		if d.FormID != a.FormID || d.FormVersion != a.FormVersion {
			return &DraftConflict{Current: d}
		}
		if d.Version != a.Seen && d.Answered[a.Key] > a.Seen {
			return &DraftConflict{Key: a.Key, Current: d}
		}
		old := d.Answers[a.Key]
		d.Version++
		d.Answers[a.Key] = a.Value
		d.Answered[a.Key] = d.Version
		d.UpdatedAt, d.UpdatedBy = a.At, a.By
		answers, err := json.Marshal(d.Answers)
		if err != nil {
			return err
		}
		answered, err := json.Marshal(d.Answered)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE report_drafts SET answers = $3, answered = $4, version = $5, updated_at = $6, updated_by = nullif($7, 0)
			WHERE unit_code = $1 AND period_id = $2`, a.UnitCode, a.PeriodID, answers, answered, d.Version, a.At, a.By); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{At: a.At, UserID: a.By, Action: "draft.answer", UnitCode: a.UnitCode, PeriodID: a.PeriodID},
			map[string]any{"key": a.Key, "old": old, "new": a.Value, "draft_version": d.Version})
	})
	if err != nil {
		return Draft{}, err
	}
	// Read back as stored: jsonb normalises the JSON.
	d, _, err = db.Draft(ctx, a.UnitCode, a.PeriodID)
	return d, err
}

// ---- reports ----

// Submission submits a unit's draft for a period.
type Submission struct {
	UnitCode string
	PeriodID string
	// Seen is the draft version the user reviewed: a draft changed since,
	// or another draft (versions never repeat), is not submitted
	// (*DraftConflict).
	Seen int64
	// Due is the period's due date for the unit's kind; its date in
	// Asia/Ho_Chi_Minh is what counts.
	Due time.Time
	By  int64
	At  time.Time
	// Reason says why a submitted report is amended; required then. When
	// empty, the draft's reason (OpenAmendment) is used.
	Reason string
	// Notify, when set, plans the officials' notices of the version (one
	// delivery per active official but By) and queues their jobs, in the
	// submission's transaction: the report and its notices are recorded
	// together or not at all. Nil plans none.
	Notify Enqueuer
}

// ReportVersion is one submitted version of a report.
type ReportVersion struct {
	ReportID    int64
	UnitCode    string
	PeriodID    string
	Seq         int // the report's number in the period, in order of first submission
	Version     int // 1, then one more per amendment
	Receipt     string
	FormID      string
	FormVersion int
	Answers     json.RawMessage
	SubmittedAt time.Time
	SubmittedBy int64
	DueOn       time.Time // the due date, as a date (UTC midnight)
	DaysLate    int       // calendar days after DueOn in Asia/Ho_Chi_Minh; 0 when on time
	Reason      string
	// FirstDaysLate is the DaysLate of the report's first version: how
	// late the report counts in /status, /overview and the workbook (an
	// amendment does not make a report late).
	FirstDaysLate int
}

// Receipt is the receipt number of a version: "annual-2025-0007.2".
func Receipt(periodID string, seq, version int) string {
	return fmt.Sprintf("%s-%04d.%d", periodID, seq, version)
}

// SubmitReport turns the draft into a new version of the unit's report for
// the period, in one transaction: the first submission numbers the report
// in the period (its seq), later ones are amendments and need a reason.
// Lateness is counted in calendar days in Asia/Ho_Chi_Minh against Due. The
// draft is deleted; the version is never changed afterwards.
func (db *DB) SubmitReport(ctx context.Context, s Submission) (ReportVersion, error) {
	v := ReportVersion{UnitCode: s.UnitCode, PeriodID: s.PeriodID, SubmittedAt: s.At, SubmittedBy: s.By,
		DueOn: dateOnly(s.Due), DaysLate: DaysLate(s.Due, s.At)}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		d, err := scanDraft(tx.QueryRow(ctx, `SELECT `+draftColumns+` FROM report_drafts WHERE unit_code = $1 AND period_id = $2 FOR UPDATE`, s.UnitCode, s.PeriodID))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoDraft
		}
		if err != nil {
			return err
		}
		if d.Version != s.Seen {
			return &DraftConflict{Current: d}
		}
		v.FormID, v.FormVersion = d.FormID, d.FormVersion
		var current int
		err = tx.QueryRow(ctx, `SELECT id, seq, current_version FROM reports WHERE unit_code = $1 AND period_id = $2 FOR UPDATE`, s.UnitCode, s.PeriodID).
			Scan(&v.ReportID, &v.Seq, &current)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if d.BaseVersion != 0 {
				return &DraftConflict{Current: d}
			}
			if err := tx.QueryRow(ctx, `INSERT INTO report_counters (period_id, last_seq) VALUES ($1, 1)
				ON CONFLICT (period_id) DO UPDATE SET last_seq = report_counters.last_seq + 1 RETURNING last_seq`, s.PeriodID).Scan(&v.Seq); err != nil {
				return err
			}
			v.Version, v.FirstDaysLate = 1, v.DaysLate
			if err := tx.QueryRow(ctx, `INSERT INTO reports (unit_code, period_id, seq, current_version, first_submitted_at, last_draft_version)
				VALUES ($1, $2, $3, 1, $4, $5) RETURNING id`, s.UnitCode, s.PeriodID, v.Seq, s.At, d.Version).Scan(&v.ReportID); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if d.BaseVersion != current {
				return &DraftConflict{Current: d}
			}
			v.Reason = strings.TrimSpace(s.Reason)
			if v.Reason == "" {
				v.Reason = strings.TrimSpace(d.Reason)
			}
			if v.Reason == "" {
				return ErrReasonRequired
			}
			v.Version = current + 1
			if err := tx.QueryRow(ctx, `SELECT days_late FROM report_versions WHERE report_id = $1 AND version = 1`, v.ReportID).
				Scan(&v.FirstDaysLate); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE reports SET current_version = $2, last_draft_version = greatest(last_draft_version, $3) WHERE id = $1`,
				v.ReportID, v.Version, d.Version); err != nil {
				return err
			}
		}
		v.Receipt = Receipt(s.PeriodID, v.Seq, v.Version)
		answers, err := json.Marshal(d.Answers)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO report_versions
				(report_id, version, receipt, form_id, form_version, answers, submitted_at, submitted_by, due_on, days_late, reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, 0), $9, $10, nullif($11, '')) RETURNING answers`,
			v.ReportID, v.Version, v.Receipt, v.FormID, v.FormVersion, answers, v.SubmittedAt, v.SubmittedBy, v.DueOn, v.DaysLate, v.Reason).
			Scan(&v.Answers); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM report_drafts WHERE unit_code = $1 AND period_id = $2`, s.UnitCode, s.PeriodID); err != nil {
			return err
		}
		action := "report.submit"
		if v.Version > 1 {
			action = "report.amend"
		}
		if err := audit(ctx, tx, AuditEntry{At: s.At, UserID: s.By, Action: action, UnitCode: s.UnitCode, PeriodID: s.PeriodID},
			map[string]any{"receipt": v.Receipt, "version": v.Version, "days_late": v.DaysLate, "reason": v.Reason}); err != nil {
			return err
		}
		if s.Notify == nil {
			return nil
		}
		// Last: only the commit follows the jobs' insertion.
		return planNotices(ctx, tx, s.Notify, v, s.By, s.At)
	})
	if err != nil {
		return ReportVersion{}, err
	}
	return v, nil
}

// ReportVersions lists every version of a unit's report for a period,
// first to last.
func (db *DB) ReportVersions(ctx context.Context, unitCode, periodID string) ([]ReportVersion, error) {
	return db.reportVersions(ctx, `r.unit_code = $1 AND r.period_id = $2 ORDER BY v.version`, unitCode, periodID)
}

// reportVersions lists the submitted versions (v) of reports (r) that
// whereOrder, a condition and an ORDER BY, selects.
func (db *DB) reportVersions(ctx context.Context, whereOrder string, args ...any) ([]ReportVersion, error) {
	rows, err := db.Pool.Query(ctx, `SELECT r.id, r.unit_code, r.period_id, r.seq, v.version, v.receipt, v.form_id, v.form_version,
			v.answers, v.submitted_at, coalesce(v.submitted_by, 0), v.due_on, v.days_late, coalesce(v.reason, ''), `+firstDaysLate+`
		FROM reports r JOIN report_versions v ON v.report_id = r.id
		WHERE `+whereOrder, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReportVersion, error) {
		var v ReportVersion
		err := r.Scan(&v.ReportID, &v.UnitCode, &v.PeriodID, &v.Seq, &v.Version, &v.Receipt, &v.FormID, &v.FormVersion,
			&v.Answers, &v.SubmittedAt, &v.SubmittedBy, &v.DueOn, &v.DaysLate, &v.Reason, &v.FirstDaysLate)
		return v, err
	})
}

// firstDaysLate selects, beside a version (v) of a report (r), the
// lateness of the report's first version.
const firstDaysLate = `(SELECT f.days_late FROM report_versions f WHERE f.report_id = r.id AND f.version = 1)`

// ---- status ----

// ReportState is where a unit stands in a period.
type ReportState string

// The states of a unit's report for a period.
const (
	StateNotStarted    ReportState = "not_started"    // nothing yet, not yet due
	StateDraft         ReportState = "draft"          // a draft, not yet due
	StateOverdue       ReportState = "overdue"        // not submitted, past the due date (a draft maybe)
	StateSubmitted     ReportState = "submitted"      // submitted on time
	StateSubmittedLate ReportState = "submitted_late" // first submitted after the due date
	StateAmended       ReportState = "amended"        // submitted, then amended
)

// reportState is where a report stands: version is its current version (0
// before the first submission), firstDaysLate how late its first submission
// was, overdue whether the due date is past, hasDraft whether a draft is
// under way. /status (UnitStatus) and /overview (PeriodOverview) share it.
func reportState(version, firstDaysLate int, overdue, hasDraft bool) ReportState {
	switch {
	case version > 1:
		return StateAmended
	case version == 1 && firstDaysLate > 0:
		return StateSubmittedLate
	case version == 1:
		return StateSubmitted
	case overdue:
		return StateOverdue
	case hasDraft:
		return StateDraft
	}
	return StateNotStarted
}

// PeriodDue is a period and its due date for a unit's kind.
type PeriodDue struct {
	PeriodID string
	Due      time.Time
}

// PeriodStatus is a unit's state in one period.
type PeriodStatus struct {
	PeriodID string
	Due      time.Time
	State    ReportState
	DaysLeft int // calendar days from now to the due date; negative once past

	// The draft, if any: one being written, or an amendment under way.
	HasDraft       bool
	DraftVersion   int64
	DraftAnswers   int
	DraftUpdatedAt time.Time
	DraftUpdatedBy int64

	// The report, once submitted.
	Version          int    // the current version; 0 before the first submission
	Receipt          string // of the current version
	FirstSubmittedAt time.Time
	LastSubmittedAt  time.Time
	DaysLate         int // of the first submission
}

// UnitStatus tells, for each period given, where the unit stands at now.
func (db *DB) UnitStatus(ctx context.Context, unitCode string, periods []PeriodDue, now time.Time) ([]PeriodStatus, error) {
	ids := make([]string, len(periods))
	for i, p := range periods {
		ids[i] = p.PeriodID
	}
	out := make([]PeriodStatus, len(periods))
	byID := map[string]*PeriodStatus{}
	for i, p := range periods {
		out[i] = PeriodStatus{PeriodID: p.PeriodID, Due: p.Due, DaysLeft: daysBetween(now, p.Due)}
		byID[p.PeriodID] = &out[i]
	}
	rows, err := db.Pool.Query(ctx, `SELECT period_id, version, (SELECT count(*) FROM jsonb_object_keys(answers)), updated_at, coalesce(updated_by, 0)
		FROM report_drafts WHERE unit_code = $1 AND period_id = ANY($2)`, unitCode, ids)
	if err != nil {
		return nil, err
	}
	var period string
	var ps PeriodStatus
	_, err = pgx.ForEachRow(rows, []any{&period, &ps.DraftVersion, &ps.DraftAnswers, &ps.DraftUpdatedAt, &ps.DraftUpdatedBy}, func() error {
		s := byID[period]
		s.HasDraft, s.DraftVersion, s.DraftAnswers, s.DraftUpdatedAt, s.DraftUpdatedBy = true, ps.DraftVersion, ps.DraftAnswers, ps.DraftUpdatedAt, ps.DraftUpdatedBy
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, err = db.Pool.Query(ctx, `SELECT r.period_id, r.current_version, r.first_submitted_at, cur.receipt, cur.submitted_at, first.days_late
		FROM reports r
		JOIN report_versions cur ON cur.report_id = r.id AND cur.version = r.current_version
		JOIN report_versions first ON first.report_id = r.id AND first.version = 1
		WHERE r.unit_code = $1 AND r.period_id = ANY($2)`, unitCode, ids)
	if err != nil {
		return nil, err
	}
	_, err = pgx.ForEachRow(rows, []any{&period, &ps.Version, &ps.FirstSubmittedAt, &ps.Receipt, &ps.LastSubmittedAt, &ps.DaysLate}, func() error {
		s := byID[period]
		s.Version, s.FirstSubmittedAt, s.Receipt, s.LastSubmittedAt, s.DaysLate = ps.Version, ps.FirstSubmittedAt, ps.Receipt, ps.LastSubmittedAt, ps.DaysLate
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		s := &out[i]
		s.State = reportState(s.Version, s.DaysLate, s.DaysLeft < 0, s.HasDraft)
	}
	return out, nil
}

// ---- attachments ----

// Attachment is a received file.
type Attachment struct {
	SHA256     string // hex
	Size       int64
	MIME       string
	Name       string
	Content    []byte
	UploadedBy int64
	UploadedAt time.Time
}

// PutAttachment stores a file once by its content and returns its SHA-256
// (hex); the same content again stores nothing and reports created false.
func (db *DB) PutAttachment(ctx context.Context, a Attachment) (sha string, created bool, err error) {
	sum := sha256.Sum256(a.Content)
	sha = hex.EncodeToString(sum[:])
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO report_attachments (sha256, size, mime, name, content, uploaded_by, uploaded_at)
			VALUES ($1, $2, $3, $4, $5, nullif($6, 0), $7) ON CONFLICT (sha256) DO NOTHING`,
			sha, len(a.Content), a.MIME, a.Name, a.Content, a.UploadedBy, a.UploadedAt)
		if err != nil {
			return err
		}
		created = tag.RowsAffected() == 1
		return audit(ctx, tx, AuditEntry{At: a.UploadedAt, UserID: a.UploadedBy, Action: "attachment.put"},
			map[string]any{"sha256": sha, "size": len(a.Content), "mime": a.MIME, "name": a.Name, "new": created})
	})
	return sha, created, err
}

// Attachment returns a stored file by its SHA-256 (hex).
func (db *DB) Attachment(ctx context.Context, sha string) (Attachment, bool, error) {
	a := Attachment{SHA256: sha}
	err := db.Pool.QueryRow(ctx, `SELECT size, mime, name, content, coalesce(uploaded_by, 0), uploaded_at FROM report_attachments WHERE sha256 = $1`, sha).
		Scan(&a.Size, &a.MIME, &a.Name, &a.Content, &a.UploadedBy, &a.UploadedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, err
}
