package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"hocvuso/bot"
)

// One person, several chat accounts (flows/link). A user asks for a one-time
// code on one channel and types it on another: the second account joins the
// same user. When the second account has a user of its own, the two users
// are merged into the older one, in one transaction, and nothing recorded
// for either is lost.

// NewLinkCode is a code a user asked for, by its hash.
type NewLinkCode struct {
	Hash    []byte
	UserID  int64
	Channel bot.Channel // the account that asked, told when the code is used
	// ExternalID and ChatID are the asking account's.
	ExternalID, ChatID string
	At, ExpiresAt      time.Time
}

// liveLinkCodes is how many unused codes a user may hold at once: asking
// again on the other chat must not withdraw the code just written down.
const liveLinkCodes = 3

// CreateLinkCode stores a code. The user's oldest unused codes beyond the
// last few, and their expired ones, are withdrawn.
func (db *DB) CreateLinkCode(ctx context.Context, c NewLinkCode) error {
	if len(c.Hash) == 0 || !c.ExpiresAt.After(c.At) {
		return errors.New("store: a link code needs a hash and a lifetime")
	}
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO link_codes (code_hash, user_id, channel, external_id, chat_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.Hash, c.UserID, c.Channel, c.ExternalID, c.ChatID, c.At, c.ExpiresAt)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM link_codes WHERE user_id = $1 AND used_at IS NULL
			AND (expires_at <= $2 OR code_hash NOT IN (
				SELECT code_hash FROM link_codes WHERE user_id = $1 AND used_at IS NULL
				ORDER BY created_at DESC, code_hash LIMIT $3))`, c.UserID, c.At, liveLinkCodes)
		return err
	})
}

// LinkRequest is a code typed in a chat.
type LinkRequest struct {
	CodeHash   []byte
	Channel    bot.Channel
	ExternalID string
	ChatID     string
	At         time.Time
}

// LinkOutcome says what a code did.
type LinkOutcome uint8

const (
	// LinkAttached: the account had no user (no consent yet on that
	// channel); it joined the code's user.
	LinkAttached LinkOutcome = iota + 1
	// LinkMerged: both accounts had users; they are one now, the older.
	LinkMerged
	// LinkAlready: the account was the code's user's already.
	LinkAlready
)

// LinkResult is what Link did.
type LinkResult struct {
	Outcome LinkOutcome
	// Repeated is set when this account had used this code before (a
	// redelivered update): nothing changed now, the result is the first's.
	Repeated bool
	// UserID is the user the account belongs to now.
	UserID int64
	// MergedUserID is, for LinkMerged, the user merged into UserID and gone.
	MergedUserID int64
	// Lang is the user's language.
	Lang string
	// Asker is the account that asked for the code, to be told.
	Asker Account
	// Accounts are every account of the user now, oldest first.
	Accounts []Account
	// Moved counts, for LinkMerged, the rows moved to UserID by
	// "table.column".
	Moved map[string]int64
}

// Errors of Link. A wrong code is counted by the caller (LinkTries); a
// spent one is a user's honest mistake.
var (
	ErrLinkCodeUnknown = errors.New("store: no such link code")
	ErrLinkCodeSpent   = errors.New("store: link code used or expired")
	ErrLinkOwnCode     = errors.New("store: link code typed in the chat that asked for it")
)

// MergeConflictError means two users could not be merged because a table
// holds, for both, rows that may exist only once per user (a unique key
// the merge has no rule for). Nothing was changed.
type MergeConflictError struct {
	Column string // "table.column"
	Err    error
}

func (e *MergeConflictError) Error() string {
	return fmt.Sprintf("store: merge users: %s holds rows of both that may exist only once: %v", e.Column, e.Err)
}

func (e *MergeConflictError) Unwrap() error { return e.Err }

// errRetryLink means a concurrent link changed the users while this one
// read them; it is tried again.
var errRetryLink = errors.New("store: users changed during the link")

// Link applies a typed code: it links the account to the code's user,
// merging two users when the account had its own (see merge), marks the
// code used, and writes an audit line, all in one transaction.
func (db *DB) Link(ctx context.Context, r LinkRequest) (LinkResult, error) {
	for attempt := 0; ; attempt++ {
		var res LinkResult
		err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
			var err error
			res, err = link(ctx, tx, r)
			return err
		})
		var pgErr *pgconn.PgError
		if attempt < 3 && (errors.Is(err, errRetryLink) || errors.As(err, &pgErr) && pgErr.Code == "40P01") { // deadlock_detected
			continue
		}
		return res, err
	}
}

func link(ctx context.Context, tx pgx.Tx, r LinkRequest) (LinkResult, error) {
	res := LinkResult{}
	// Read the code's user and the account's user, lock both users (in id
	// order), then the code and the account, checking they did not change:
	// two links crossing each other (each account typing the other's code)
	// then wait for each other instead of deadlocking.
	var codeUser, accountUser int64
	err := tx.QueryRow(ctx, `SELECT user_id FROM link_codes WHERE code_hash = $1`, r.CodeHash).Scan(&codeUser)
	if errors.Is(err, pgx.ErrNoRows) {
		return res, ErrLinkCodeUnknown
	}
	if err != nil {
		return res, err
	}
	err = tx.QueryRow(ctx, `SELECT user_id FROM accounts WHERE channel = $1 AND external_id = $2`,
		r.Channel, r.ExternalID).Scan(&accountUser)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return res, err
	}
	users := []int64{codeUser}
	if accountUser != 0 && accountUser != codeUser {
		users = append(users, accountUser)
	}
	rows, err := tx.Query(ctx, `SELECT id, created_at FROM users WHERE id = ANY($1) ORDER BY id FOR UPDATE`, users)
	if err != nil {
		return res, err
	}
	created := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return res, err
		}
		created[id] = at
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	if len(created) != len(users) {
		return res, errRetryLink // merged or erased meanwhile
	}

	var (
		lockedUser               int64
		asker                    Account
		expires                  time.Time
		usedAt                   *time.Time
		usedByChannel, usedByExt *string
		mergedUser               *int64
	)
	err = tx.QueryRow(ctx, `SELECT user_id, channel, external_id, chat_id, expires_at, used_at,
			used_by_channel, used_by_external_id, merged_user_id
		FROM link_codes WHERE code_hash = $1 FOR UPDATE`, r.CodeHash).
		Scan(&lockedUser, &asker.Channel, &asker.ExternalID, &asker.ChatID, &expires, &usedAt, &usedByChannel, &usedByExt, &mergedUser)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return res, errRetryLink
		}
		return res, err
	}
	var lockedAccountUser int64
	err = tx.QueryRow(ctx, `SELECT user_id FROM accounts WHERE channel = $1 AND external_id = $2 FOR UPDATE`,
		r.Channel, r.ExternalID).Scan(&lockedAccountUser)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return res, err
	}
	if lockedUser != codeUser || lockedAccountUser != accountUser {
		return res, errRetryLink
	}
	res.Asker = asker
	if usedAt != nil {
		if *usedByChannel != string(r.Channel) || *usedByExt != r.ExternalID || accountUser == 0 {
			return res, ErrLinkCodeSpent
		}
		// This account used it: a redelivered update. Report the first result.
		res.Repeated, res.Outcome, res.UserID = true, LinkAttached, accountUser
		if mergedUser != nil {
			res.Outcome, res.MergedUserID = LinkMerged, *mergedUser
		}
		return res, fillLinkResult(ctx, tx, &res)
	}
	if !r.At.Before(expires) {
		return res, ErrLinkCodeSpent
	}
	if asker.Channel == r.Channel && asker.ExternalID == r.ExternalID {
		return res, ErrLinkOwnCode
	}

	detail := map[string]any{}
	switch {
	case accountUser == 0:
		res.Outcome, res.UserID = LinkAttached, codeUser
		if _, err := tx.Exec(ctx, `INSERT INTO accounts (channel, external_id, user_id, chat_id, last_seen_at)
			VALUES ($1, $2, $3, $4, $5)`, r.Channel, r.ExternalID, codeUser, r.ChatID, r.At); err != nil {
			return res, err
		}
		if err := linkAudit(ctx, tx, r.At, "attach", codeUser, 0, r.Channel, r.ExternalID, detail); err != nil {
			return res, err
		}
	case accountUser == codeUser:
		res.Outcome, res.UserID = LinkAlready, codeUser
	default:
		keep, gone := codeUser, accountUser
		if older(created[gone], gone, created[keep], keep) {
			keep, gone = gone, keep
		}
		moved, err := merge(ctx, tx, keep, gone, r.At)
		if err != nil {
			return res, err
		}
		res.Outcome, res.UserID, res.MergedUserID, res.Moved = LinkMerged, keep, gone, moved
		detail["moved"] = moved
		detail["code_user"] = codeUser
		if err := linkAudit(ctx, tx, r.At, "merge", keep, gone, r.Channel, r.ExternalID, detail); err != nil {
			return res, err
		}
	}
	var merged *int64
	if res.MergedUserID != 0 {
		merged = &res.MergedUserID
	}
	if _, err := tx.Exec(ctx, `UPDATE link_codes SET used_at = $2, used_by_channel = $3, used_by_external_id = $4,
		merged_user_id = $5 WHERE code_hash = $1`, r.CodeHash, r.At, r.Channel, r.ExternalID, merged); err != nil {
		return res, err
	}
	return res, fillLinkResult(ctx, tx, &res)
}

// older reports whether user a (created at ca) is older than b.
func older(ca time.Time, a int64, cb time.Time, b int64) bool {
	if !ca.Equal(cb) {
		return ca.Before(cb)
	}
	return a < b
}

func fillLinkResult(ctx context.Context, tx pgx.Tx, res *LinkResult) error {
	if err := tx.QueryRow(ctx, `SELECT language FROM users WHERE id = $1`, res.UserID).Scan(&res.Lang); err != nil {
		return err
	}
	var err error
	res.Accounts, err = accountsOf(ctx, tx, res.UserID, "created_at")
	return err
}

// merge makes user gone one with user keep (the older) and deletes gone.
//
// The rule: keep's record wins where both have a value, gone's fills what
// keep lacks (name, profile, and any column added to users later); the
// consent kept is the later one. Everything that names gone (accounts,
// quiz attempts, certificates, roles, reports' authors, audit lines, and
// any table added later with a key to users) is moved to keep, so no record
// is lost. Where only one row per user may exist: of two active identical
// roles, gone's is revoked (by "merge"), not deleted; of two quiz attempts
// in progress, the one started earlier is abandoned, its answers kept; of
// two learning-nudge choices, the later one holds, with the later nudge. A
// unique key without such a rule makes the whole merge fail
// (*MergeConflictError), changing nothing.
func merge(ctx context.Context, tx pgx.Tx, keep, gone int64, at time.Time) (map[string]int64, error) {
	if err := mergeUserRow(ctx, tx, keep, gone, at); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE report_roles g SET revoked_at = $3, revoked_by = 'merge'
		WHERE g.user_id = $2 AND g.revoked_at IS NULL AND EXISTS (
			SELECT 1 FROM report_roles k WHERE k.user_id = $1 AND k.revoked_at IS NULL
			AND k.role = g.role AND coalesce(k.unit_code, '') = coalesce(g.unit_code, ''))`, keep, gone, at); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE quiz_attempts SET abandoned_at = $3 WHERE id IN (
			SELECT id FROM quiz_attempts WHERE user_id IN ($1, $2) AND finished_at IS NULL AND abandoned_at IS NULL
			ORDER BY started_at DESC, id DESC OFFSET 1)`, keep, gone, at); err != nil {
		return nil, err
	}
	// One learning-nudge choice per user: the later choice, the later nudge.
	if _, err := tx.Exec(ctx, `WITH g AS (
			DELETE FROM nudge_prefs WHERE user_id = $2 AND EXISTS (SELECT 1 FROM nudge_prefs WHERE user_id = $1)
			RETURNING opted_in, chosen_at, last_sent_at)
		UPDATE nudge_prefs k SET
			opted_in = CASE WHEN g.chosen_at > k.chosen_at THEN g.opted_in ELSE k.opted_in END,
			chosen_at = greatest(k.chosen_at, g.chosen_at),
			last_sent_at = greatest(k.last_sent_at, g.last_sent_at)
		FROM g WHERE k.user_id = $1`, keep, gone); err != nil {
		return nil, err
	}
	// Every single-column foreign key to users, as the schema has it now.
	rows, err := tx.Query(ctx, `SELECT c.conrelid::regclass::text || '.' || a.attname,
			format('UPDATE %s SET %I = $1 WHERE %I = $2', c.conrelid::regclass, a.attname, a.attname)
		FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass AND cardinality(c.conkey) = 1
		ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	type column struct{ name, update string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		err := r.Scan(&c.name, &c.update)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	moved := map[string]int64{}
	for _, c := range cols {
		tag, err := tx.Exec(ctx, c.update, keep, gone)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation
			return nil, &MergeConflictError{Column: c.name, Err: err}
		}
		if err != nil {
			return nil, fmt.Errorf("store: merge users: move %s: %w", c.name, err)
		}
		if n := tag.RowsAffected(); n > 0 {
			moved[c.name] = n
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, gone); err != nil {
		return nil, err
	}
	return moved, nil
}

// mergeUserRow keeps the best of both users' own fields in keep's row.
func mergeUserRow(ctx context.Context, tx pgx.Tx, keep, gone int64, at time.Time) error {
	// Columns added to users by later migrations: keep's value, else gone's.
	rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'users' ORDER BY ordinal_position`)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	// Whether the language was chosen goes with the language: keep's.
	known := map[string]bool{"id": true, "display_name": true, "language": true, "language_chosen": true, "consent_at": true,
		"consent_version": true, "created_at": true, "updated_at": true}
	var extra strings.Builder
	for _, n := range names {
		if known[n] {
			continue
		}
		col := pgx.Identifier{n}.Sanitize()
		fmt.Fprintf(&extra, ", %s = coalesce(k.%s, g.%s)", col, col, col)
	}
	_, err = tx.Exec(ctx, `UPDATE users k SET
			display_name = CASE WHEN k.display_name = '' THEN g.display_name ELSE k.display_name END,
			consent_version = CASE WHEN g.consent_at > k.consent_at THEN g.consent_version ELSE k.consent_version END,
			consent_at = greatest(k.consent_at, g.consent_at),
			updated_at = $3`+extra.String()+`
		FROM users g WHERE k.id = $1 AND g.id = $2`, keep, gone, at)
	return err
}

func linkAudit(ctx context.Context, tx pgx.Tx, at time.Time, action string, user, merged int64, ch bot.Channel, external string, detail map[string]any) error {
	d, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	var m *int64
	if merged != 0 {
		m = &merged
	}
	_, err = tx.Exec(ctx, `INSERT INTO account_link_audit (at, action, user_id, merged_user_id, channel, external_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, at, action, user, m, ch, external, d)
	return err
}

// LinkAudit is one line of the link audit.
type LinkAudit struct {
	At           time.Time
	Action       string // attach, merge, unlink
	UserID       int64
	MergedUserID int64
	Channel      bot.Channel
	ExternalID   string
	Detail       map[string]any
}

// LinkAuditOf returns the audit lines of a user, oldest first.
func (db *DB) LinkAuditOf(ctx context.Context, userID int64) ([]LinkAudit, error) {
	rows, err := db.Pool.Query(ctx, `SELECT at, action, user_id, coalesce(merged_user_id, 0), channel, external_id, detail
		FROM account_link_audit WHERE user_id = $1 ORDER BY at, id`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (LinkAudit, error) {
		var a LinkAudit
		err := r.Scan(&a.At, &a.Action, &a.UserID, &a.MergedUserID, &a.Channel, &a.ExternalID, &a.Detail)
		return a, err
	})
}

type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// accountsOf lists a user's accounts in an order ("created_at" or
// "last_seen_at DESC, created_at").
func accountsOf(ctx context.Context, q rowsQuerier, userID int64, order string) ([]Account, error) {
	rows, err := q.Query(ctx, `SELECT channel, external_id, chat_id, blocked_at, last_seen_at
		FROM accounts WHERE user_id = $1 ORDER BY `+order+`, channel, external_id`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) {
		var a Account
		err := r.Scan(&a.Channel, &a.ExternalID, &a.ChatID, &a.BlockedAt, &a.LastSeenAt)
		return a, err
	})
}

// AccountsOf lists a user's chat accounts, oldest first.
func (db *DB) AccountsOf(ctx context.Context, userID int64) ([]Account, error) {
	return accountsOf(ctx, db.Pool, userID, "created_at")
}

// Errors of Unlink.
var (
	ErrNotLinked   = errors.New("store: the account is not the user's")
	ErrLastAccount = errors.New("store: a user's only account cannot be unlinked")
)

// Unlink takes one of a user's accounts away from them: the account is
// forgotten (its chat is a stranger's again), everything recorded stays
// with the user and their other accounts, but the link codes it asked for
// and did not use are withdrawn. A user's last account cannot be unlinked
// (/deleteme erases a user). An audit line is written.
func (db *DB) Unlink(ctx context.Context, userID int64, ch bot.Channel, externalID string, at time.Time) (Account, error) {
	var gone Account
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&one); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotLinked
			}
			return err
		}
		accounts, err := accountsOf(ctx, tx, userID, "created_at")
		if err != nil {
			return err
		}
		found := false
		for _, a := range accounts {
			if a.Channel == ch && a.ExternalID == externalID {
				gone, found = a, true
			}
		}
		switch {
		case !found:
			return ErrNotLinked
		case len(accounts) < 2:
			return ErrLastAccount
		}
		if _, err := tx.Exec(ctx, `DELETE FROM accounts WHERE channel = $1 AND external_id = $2 AND user_id = $3`,
			ch, externalID, userID); err != nil {
			return err
		}
		// The codes that chat asked for and did not use are written in it:
		// whoever reads it now must not link themselves to the user with one.
		if _, err := tx.Exec(ctx, `DELETE FROM link_codes WHERE user_id = $1 AND channel = $2 AND external_id = $3
			AND used_at IS NULL`, userID, ch, externalID); err != nil {
			return err
		}
		return linkAudit(ctx, tx, at, "unlink", userID, 0, ch, externalID, map[string]any{})
	})
	return gone, err
}

// moveSessionScript replaces a conversation record if its version is still
// the one read: keys 1 conversation; argv version, data, TTL in ms.
var moveSessionScript = redis.NewScript(`
if (redis.call('HGET', KEYS[1], 'v') or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tonumber(ARGV[1]) + 1, 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`)

// MoveSession points the conversation of a chat that belonged to user from
// at user to (two users merged), or, with to 0, forgets the user (the
// chat's account was unlinked or erased): the chat starts again as a
// stranger's, in its language. A conversation of someone else, or none, is
// left alone. The version is bumped like a commit's, so an update of that
// chat running meanwhile conflicts and runs again on the new record.
func (s *State) MoveSession(ctx context.Context, chat bot.ChatKey, from, to int64) error {
	_, _, _, _, conv, _, _ := s.keys(chat, "")
	for range 5 {
		vals, err := s.rdb.HMGet(ctx, conv, "v", "d").Result()
		if err != nil {
			return err
		}
		v, ok := vals[0].(string)
		if !ok {
			return nil // none: the engine rebuilds it from PostgreSQL
		}
		d, _ := vals[1].(string)
		var sess bot.Session
		if json.Unmarshal([]byte(d), &sess) != nil || sess.UserID != from {
			return nil // unreadable ones are rebuilt from PostgreSQL too
		}
		if to == 0 {
			sess = bot.Session{Lang: sess.Lang, Screen: sess.Screen + 1}
		} else {
			sess.UserID = to
		}
		data, err := json.Marshal(&sess)
		if err != nil {
			return err
		}
		n, err := moveSessionScript.Run(ctx, s.rdb, []string{conv}, v, data, s.SessionTTL.Milliseconds()).Int()
		if err != nil || n == 1 {
			return err
		}
	}
	return fmt.Errorf("store: the conversation of %s:%s kept changing", chat.Channel, chat.ChatID)
}

// LinkTries counts the wrong link codes typed, per account and over all
// accounts, in fixed windows kept in Redis: guessing a code is slow for
// anyone, and slow for a crowd of accounts too.
type LinkTries struct {
	s *State
	// PerAccount and Overall are the wrong codes allowed in a Window.
	PerAccount, Overall int
	Window              time.Duration
}

// LinkTries returns the counter with its defaults: 5 wrong codes an hour
// per account, 500 an hour over all.
func (s *State) LinkTries() *LinkTries {
	return &LinkTries{s: s, PerAccount: 5, Overall: 500, Window: time.Hour}
}

func (t *LinkTries) keys(ch bot.Channel, externalID string) (account, overall string) {
	return t.s.prefix + "linktry:{" + string(ch) + ":" + externalID + "}", t.s.prefix + "linktry:all"
}

// Wait reports how long the account must wait before a code is taken
// from it again; 0 when it may try now.
func (t *LinkTries) Wait(ctx context.Context, ch bot.Channel, externalID string) (time.Duration, error) {
	account, overall := t.keys(ch, externalID)
	var wait time.Duration
	for _, k := range []struct {
		key   string
		limit int
	}{{account, t.PerAccount}, {overall, t.Overall}} {
		n, err := t.s.rdb.Get(ctx, k.key).Int()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n < k.limit {
			continue
		}
		ttl, err := t.s.rdb.PTTL(ctx, k.key).Result()
		if err != nil {
			return 0, err
		}
		if ttl <= 0 { // about to expire, or lost its expiry: wait a window
			ttl = t.Window
		}
		wait = max(wait, ttl)
	}
	return wait, nil
}

var countTryScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)

// Wrong counts a wrong code typed from the account.
func (t *LinkTries) Wrong(ctx context.Context, ch bot.Channel, externalID string) error {
	account, overall := t.keys(ch, externalID)
	for _, k := range []string{account, overall} {
		if err := countTryScript.Run(ctx, t.s.rdb, []string{k}, t.Window.Milliseconds()).Err(); err != nil {
			return err
		}
	}
	return nil
}
