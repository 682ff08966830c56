package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Profile is the optional profile: commune or ward of residence and group.
// Empty strings mean "not given".
type Profile struct {
	CommuneCode string
	Group       string
	AskedAt     *time.Time
}

// Profile loads a user's profile.
func (db *DB) Profile(ctx context.Context, userID int64) (Profile, error) {
	var p Profile
	err := db.Pool.QueryRow(ctx, `SELECT coalesce(commune_code, ''), coalesce(user_group, ''), profile_asked_at
		FROM users WHERE id = $1`, userID).Scan(&p.CommuneCode, &p.Group, &p.AskedAt)
	return p, err
}

// MarkProfileAsked records that the profile is being asked now. It reports
// false when it was asked before: the question is asked once per user,
// whatever the number of replicas or finished attempts.
func (db *DB) MarkProfileAsked(ctx context.Context, userID int64, at time.Time) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE users SET profile_asked_at = $2
		WHERE id = $1 AND profile_asked_at IS NULL`, userID, at)
	return tag.RowsAffected() == 1, err
}

// SetCommune records the user's commune or ward; "" clears it. It counts as
// having been asked.
func (db *DB) SetCommune(ctx context.Context, userID int64, code string, at time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE users SET commune_code = nullif($2, ''),
		profile_asked_at = coalesce(profile_asked_at, $3), updated_at = $3 WHERE id = $1`, userID, code, at)
	return err
}

// SetGroup records the user's group; "" clears it.
func (db *DB) SetGroup(ctx context.Context, userID int64, group string, at time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE users SET user_group = nullif($2, ''),
		profile_asked_at = coalesce(profile_asked_at, $3), updated_at = $3 WHERE id = $1`, userID, group, at)
	return err
}

// CommuneCount is one commune's participation in the quizzes.
type CommuneCount struct {
	Code string
	// Participants are the users of the commune with a finished attempt.
	Participants int
	// Passed are those of them who passed an area's test, as /progress
	// counts: a quick test (area "") passes no area.
	Passed int
}

// CommuneParticipation counts, per commune, the users with at least one
// attempt finished in [from, to) and those with at least one area's test
// passed then; zero times leave that end open. Communes without
// participants are absent.
//
// One aggregate query: the attempts are reduced to one row per user first
// (an index-only scan of quiz_attempts_participation_*, which include the
// area since migration 00017), then joined to users.
func (db *DB) CommuneParticipation(ctx context.Context, from, to time.Time) ([]CommuneCount, error) {
	query, args := participationSQL(from, to)
	rows, err := db.Pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CommuneCount, error) {
		var c CommuneCount
		err := r.Scan(&c.Code, &c.Participants, &c.Passed)
		return c, err
	})
}

// participationSQL is CommuneParticipation's query and its arguments.
func participationSQL(from, to time.Time) (string, []any) {
	// Two texts rather than "$1 IS NULL OR ...": a generic plan of the
	// prepared statement could not use the index range then.
	where, args := "finished_at IS NOT NULL", []any{}
	if !from.IsZero() {
		args = append(args, from)
		where += fmt.Sprintf(" AND finished_at >= $%d", len(args))
	}
	if !to.IsZero() {
		args = append(args, to)
		where += fmt.Sprintf(" AND finished_at < $%d", len(args))
	}
	return `
		SELECT u.commune_code, count(*), count(*) FILTER (WHERE p.passed)
		FROM (
			SELECT user_id, bool_or(coalesce(passed, false) AND area <> '') AS passed
			FROM quiz_attempts
			WHERE ` + where + `
			GROUP BY user_id
		) p
		JOIN users u ON u.id = p.user_id
		WHERE u.commune_code IS NOT NULL
		GROUP BY u.commune_code`, args
}
