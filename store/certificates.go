package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CertificateArea is one competence area as a certificate records it: the
// best passed attempt, and when that score was first reached.
type CertificateArea struct {
	Area     string    `json:"area"`
	Score    int       `json:"score"`
	Total    int       `json:"total"`
	PassedAt time.Time `json:"passed_at"`
}

// Certificate is an issued certificate. Its areas are a copy taken at issue,
// so later attempts never change what was certified.
type Certificate struct {
	Code     string // canonical, without prefix or dashes
	UserID   int64
	Name     string
	Areas    []CertificateArea
	IssuedAt time.Time
}

// NewCertificate is what IssueCertificate records.
type NewCertificate struct {
	UserID int64
	Name   string
	Areas  []CertificateArea
	At     time.Time
	// NewCode draws a fresh verification code; it is called again in the
	// (astronomically unlikely) case the code is taken.
	NewCode func() string
}

// ErrCertificateUserGone means the user record is gone (erased meanwhile).
var ErrCertificateUserGone = errors.New("store: no such user")

// CertificateAreas returns, per competence area (the quick test aside), the best
// passed attempt of the user: the highest share of correct answers, and of
// those the earliest. Areas never passed are absent.
func (db *DB) CertificateAreas(ctx context.Context, userID int64) ([]CertificateArea, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT ON (area) area, score, total, finished_at
		FROM quiz_attempts
		WHERE user_id = $1 AND passed AND area <> '' AND finished_at IS NOT NULL
		  AND score IS NOT NULL AND total > 0
		ORDER BY area, score::float8 / total DESC, finished_at, id`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CertificateArea, error) {
		var a CertificateArea
		err := r.Scan(&a.Area, &a.Score, &a.Total, &a.PassedAt)
		return a, err
	})
}

// IssueCertificate records the user's certificate, once: when the user has
// one already (a redelivered update, a tap from another channel) that one is
// returned with created false and nothing is written. The user's row is
// locked for the check, so two replicas cannot both issue.
func (db *DB) IssueCertificate(ctx context.Context, n NewCertificate) (c Certificate, created bool, err error) {
	if n.NewCode == nil || len(n.Areas) == 0 {
		return c, false, errors.New("store: a certificate needs areas and a code generator")
	}
	areas, err := json.Marshal(n.Areas)
	if err != nil {
		return c, false, err
	}
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, n.UserID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrCertificateUserGone
		}
		if err != nil {
			return err
		}
		var found bool
		if c, found, err = certificateWhere(ctx, tx, `user_id = $1 ORDER BY issued_at, code LIMIT 1`, n.UserID); err != nil || found {
			return err
		}
		for range 5 {
			code := n.NewCode()
			tag, err := tx.Exec(ctx, `INSERT INTO certificates (code, user_id, name, areas, issued_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING`, code, n.UserID, n.Name, areas, n.At)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				c = Certificate{Code: code, UserID: n.UserID, Name: n.Name, Areas: n.Areas, IssuedAt: n.At}
				created = true
				return nil
			}
		}
		return errors.New("store: no free certificate code after 5 draws")
	})
	return c, created, err
}

// CertificateOf returns the user's certificate, if they have one.
func (db *DB) CertificateOf(ctx context.Context, userID int64) (Certificate, bool, error) {
	return certificateWhere(ctx, db.Pool, `user_id = $1 ORDER BY issued_at, code LIMIT 1`, userID)
}

// CertificateByCode finds a certificate by its canonical code.
func (db *DB) CertificateByCode(ctx context.Context, code string) (Certificate, bool, error) {
	return certificateWhere(ctx, db.Pool, `code = $1`, code)
}

type certQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func certificateWhere(ctx context.Context, q certQuerier, where string, arg any) (Certificate, bool, error) {
	var c Certificate
	var areas []byte
	err := q.QueryRow(ctx, `SELECT code, user_id, name, areas, issued_at FROM certificates WHERE `+where, arg).
		Scan(&c.Code, &c.UserID, &c.Name, &areas, &c.IssuedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if err := json.Unmarshal(areas, &c.Areas); err != nil {
		return c, false, fmt.Errorf("certificate %s: areas: %w", c.Code, err)
	}
	return c, true, nil
}
