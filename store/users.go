package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
)

// User is a person who agreed to the privacy notice.
type User struct {
	ID             int64
	DisplayName    string
	Language       string
	ConsentAt      time.Time
	ConsentVersion string
	CreatedAt      time.Time
	Accounts       []Account
	// The optional profile; "" when not given.
	CommuneCode string
	UserGroup   string
	// What the quizzes hold of them.
	QuizAttempts, QuizAnswers int
	// The certificates issued, oldest first: one, or two after two users
	// who each had one were merged (/link), both still verifiable.
	Certificates []CertificateName
}

// CertificateName is a certificate's code and the name printed on it.
type CertificateName struct{ Code, Name string }

// Account is a user's identity on one channel.
type Account struct {
	Channel    bot.Channel
	ExternalID string
	ChatID     string
	BlockedAt  *time.Time
	LastSeenAt time.Time
}

// NewUser is what the onboarding records at consent.
type NewUser struct {
	Channel        bot.Channel
	ExternalID     string
	ChatID         string
	DisplayName    string
	Language       string
	ConsentVersion string
	At             time.Time
	// LanguageChosen is set when the user chose Language in the bot before
	// agreeing, rather than having their app's.
	LanguageChosen bool
}

// CreateUser records a consenting user and their channel account. If the
// account exists already (a redelivered consent), its user is returned.
func (db *DB) CreateUser(ctx context.Context, n NewUser) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT user_id FROM accounts WHERE channel = $1 AND external_id = $2`,
			n.Channel, n.ExternalID).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO users (display_name, language, language_chosen, consent_at, consent_version)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, n.DisplayName, n.Language, n.LanguageChosen, n.At, n.ConsentVersion).Scan(&id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO accounts (channel, external_id, user_id, chat_id, last_seen_at)
			VALUES ($1, $2, $3, $4, $5)`, n.Channel, n.ExternalID, id, n.ChatID, n.At)
		return err
	})
	return id, err
}

// User loads a user with their accounts.
func (db *DB) User(ctx context.Context, id int64) (User, error) {
	u := User{ID: id}
	err := db.Pool.QueryRow(ctx, `SELECT display_name, language, consent_at, consent_version, created_at,
		coalesce(commune_code, ''), coalesce(user_group, '')
		FROM users WHERE id = $1`, id).Scan(&u.DisplayName, &u.Language, &u.ConsentAt, &u.ConsentVersion, &u.CreatedAt,
		&u.CommuneCode, &u.UserGroup)
	if err != nil {
		return u, err
	}
	err = db.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM quiz_attempts WHERE user_id = $1),
		(SELECT count(*) FROM quiz_answers q JOIN quiz_attempts a ON a.id = q.attempt_id WHERE a.user_id = $1)`, id).
		Scan(&u.QuizAttempts, &u.QuizAnswers)
	if err != nil {
		return u, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT code, name FROM certificates WHERE user_id = $1 ORDER BY issued_at, code`, id)
	if err != nil {
		return u, err
	}
	if u.Certificates, err = pgx.CollectRows(rows, pgx.RowToStructByPos[CertificateName]); err != nil {
		return u, err
	}
	rows, err = db.Pool.Query(ctx, `SELECT channel, external_id, chat_id, blocked_at, last_seen_at
		FROM accounts WHERE user_id = $1 ORDER BY created_at`, id)
	if err != nil {
		return u, err
	}
	u.Accounts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) {
		var a Account
		err := r.Scan(&a.Channel, &a.ExternalID, &a.ChatID, &a.BlockedAt, &a.LastSeenAt)
		return a, err
	})
	return u, err
}

// SetLanguage records the language the user chose in the bot (/language):
// theirs from now on, whatever their app's (LanguageChosen).
func (db *DB) SetLanguage(ctx context.Context, userID int64, lang string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE users SET language = $2, language_chosen = true, updated_at = now() WHERE id = $1`, userID, lang)
	return err
}

// LanguageChosen reports whether the user chose their language in the bot
// (SetLanguage, NewUser.LanguageChosen), rather than having their app's:
// false for a user unknown.
func (db *DB) LanguageChosen(ctx context.Context, userID int64) (bool, error) {
	var chosen bool
	err := db.Pool.QueryRow(ctx, `SELECT language_chosen FROM users WHERE id = $1`, userID).Scan(&chosen)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return chosen, err
}

// DeleteUser erases a user and everything that hangs off them (store/mydata.go):
// their accounts, quiz attempts, certificates, roles, nudge choice, link
// codes and history, reminders and download files go; the reports, drafts
// and files they gave their units stay with the units, and the units' audit
// log keeps its lines, all without them (ON DELETE SET NULL, and the
// revocation lines' copy of the user id removed).
func (db *DB) DeleteUser(ctx context.Context, userID int64) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE report_audit SET detail = detail - 'user'
			WHERE action = 'role.revoke' AND detail->>'user' = ($1::bigint)::text`, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, userID)
		return err
	})
}

// FindAccount implements bot.Accounts.
func (db *DB) FindAccount(ctx context.Context, ch bot.Channel, externalID string) (bot.Account, bool, error) {
	var a bot.Account
	err := db.Pool.QueryRow(ctx, `SELECT u.id, u.language FROM accounts a JOIN users u ON u.id = a.user_id
		WHERE a.channel = $1 AND a.external_id = $2`, ch, externalID).Scan(&a.UserID, &a.Lang)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, err
}

// SetBlocked implements bot.Accounts: a blocked account gets no more messages.
func (db *DB) SetBlocked(ctx context.Context, ch bot.Channel, externalID string, blocked bool) error {
	var err error
	if blocked {
		_, err = db.Pool.Exec(ctx, `UPDATE accounts SET blocked_at = now()
			WHERE channel = $1 AND external_id = $2 AND blocked_at IS NULL`, ch, externalID)
	} else {
		_, err = db.Pool.Exec(ctx, `UPDATE accounts SET blocked_at = NULL
			WHERE channel = $1 AND external_id = $2 AND blocked_at IS NOT NULL`, ch, externalID)
	}
	return err
}

// IsBlocked reports whether the account blocked the bot.
func (db *DB) IsBlocked(ctx context.Context, ch bot.Channel, externalID string) (bool, error) {
	var blocked bool
	err := db.Pool.QueryRow(ctx, `SELECT blocked_at IS NOT NULL FROM accounts WHERE channel = $1 AND external_id = $2`,
		ch, externalID).Scan(&blocked)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return blocked, err
}

// Touch implements bot.Accounts: the last visit, which the Zalo 7-day window needs.
func (db *DB) Touch(ctx context.Context, ch bot.Channel, externalID string, at time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE accounts SET last_seen_at = $3 WHERE channel = $1 AND external_id = $2`,
		ch, externalID, at)
	return err
}
