package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Download is a file kept for a download link (package downloads), found
// by the SHA-256 of the link's token.
type Download struct {
	TokenHash []byte
	// UserID is who the file was made for; 0 when nobody in particular.
	UserID    int64
	Name      string
	MIME      string
	Content   []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PutDownload stores a file for a link and deletes the files whose links
// have expired, so the table holds about a day's worth.
func (db *DB) PutDownload(ctx context.Context, d Download) error {
	if len(d.TokenHash) != 32 || d.Name == "" || d.MIME == "" || !d.ExpiresAt.After(d.CreatedAt) {
		return errors.New("store: a download needs a token hash, a name, a type and a lifetime")
	}
	var user *int64
	if d.UserID != 0 {
		user = &d.UserID
	}
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO downloads (token_hash, user_id, name, mime, content, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.TokenHash, user, d.Name, d.MIME, d.Content, d.CreatedAt, d.ExpiresAt); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM downloads WHERE expires_at <= $1`, d.CreatedAt)
		return err
	})
}

// Download returns the file of a token's hash while its link lasts: not
// found when unknown or expired at now.
func (db *DB) Download(ctx context.Context, tokenHash []byte, now time.Time) (Download, bool, error) {
	d := Download{TokenHash: tokenHash}
	var user *int64
	err := db.Pool.QueryRow(ctx, `SELECT user_id, name, mime, content, created_at, expires_at
		FROM downloads WHERE token_hash = $1 AND expires_at > $2`, tokenHash, now).
		Scan(&user, &d.Name, &d.MIME, &d.Content, &d.CreatedAt, &d.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Download{}, false, nil
	}
	if err != nil {
		return Download{}, false, err
	}
	if user != nil {
		d.UserID = *user
	}
	return d, true, nil
}
