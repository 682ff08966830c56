package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// QuizBank is a question bank as stored: the embedded one, recorded so that
// attempts can name it, or one an administrator imported.
type QuizBank struct {
	Version    string
	Source     string // "embedded" or the imported file's name
	Content    []byte // the bank's canonical YAML
	ImportedAt time.Time
	Active     bool
}

// ErrNoQuizBank is returned for a bank version that was never stored.
var ErrNoQuizBank = errors.New("store: no such quiz bank")

// RecordQuizBank stores a bank without activating it; a version already
// stored is left as it is. The embedded bank is recorded so at start.
func (db *DB) RecordQuizBank(ctx context.Context, version, source string, content []byte) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO quiz_banks (version, source, content) VALUES ($1, $2, $3)
		ON CONFLICT (version) DO NOTHING`, version, source, content)
	return err
}

// ImportQuizBank stores a bank and makes it the active one, deactivating the
// previous; importing a version again reactivates it. It reports whether the
// version was new.
func (db *DB) ImportQuizBank(ctx context.Context, version, source string, content []byte, at time.Time) (created bool, err error) {
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE quiz_banks SET active = false WHERE active AND version <> $1`, version); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO quiz_banks (version, source, content, imported_at, active)
			VALUES ($1, $2, $3, $4, true)
			ON CONFLICT (version) DO UPDATE SET active = true
			RETURNING xmax = 0`, version, source, content, at).Scan(&created)
	})
	return created, err
}

// DeactivateQuizBanks makes no imported bank active: the bots use the bank
// built into their binary again.
func (db *DB) DeactivateQuizBanks(ctx context.Context) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE quiz_banks SET active = false WHERE active`)
	return tag.RowsAffected(), err
}

// ActiveQuizBank returns the imported bank in force, if there is one.
func (db *DB) ActiveQuizBank(ctx context.Context) (QuizBank, bool, error) {
	var b QuizBank
	err := db.Pool.QueryRow(ctx, `SELECT version, source, content, imported_at, active FROM quiz_banks WHERE active`).
		Scan(&b.Version, &b.Source, &b.Content, &b.ImportedAt, &b.Active)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, false, nil
	}
	return b, err == nil, err
}

// QuizBank returns a stored bank by version, or ErrNoQuizBank.
func (db *DB) QuizBank(ctx context.Context, version string) (QuizBank, error) {
	var b QuizBank
	err := db.Pool.QueryRow(ctx, `SELECT version, source, content, imported_at, active FROM quiz_banks WHERE version = $1`, version).
		Scan(&b.Version, &b.Source, &b.Content, &b.ImportedAt, &b.Active)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, ErrNoQuizBank
	}
	return b, err
}

// NewQuizAttempt is an attempt as it starts.
type NewQuizAttempt struct {
	UserID      int64
	BankVersion string
	Area        string // "" for the quick test
	QuestionIDs []string
	// OptionOrders holds, per question, the bank's option indices in the
	// order they are shown.
	OptionOrders [][]int
	StartedAt    time.Time
}

// CreateAttempt records a new attempt and returns its id. Any attempt the
// user left unfinished is abandoned in the same statement, so a user has at
// most one attempt in progress.
func (db *DB) CreateAttempt(ctx context.Context, a NewQuizAttempt) (int64, error) {
	args, err := createAttemptArgs(a)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.Pool.QueryRow(ctx, createAttemptSQL, args...).Scan(&id)
	return id, err
}

const createAttemptSQL = `WITH left_over AS (
		UPDATE quiz_attempts SET abandoned_at = $6
		WHERE user_id = $1 AND finished_at IS NULL AND abandoned_at IS NULL)
	INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, started_at)
	VALUES ($1, $2, $3, $4, $5, $7, $6) RETURNING id`

func createAttemptArgs(a NewQuizAttempt) ([]any, error) {
	orders, err := json.Marshal(a.OptionOrders)
	if err != nil {
		return nil, err
	}
	return []any{a.UserID, a.BankVersion, a.Area, a.QuestionIDs, orders, a.StartedAt, len(a.QuestionIDs)}, nil
}

// QuizAnswer is one answer of an attempt.
type QuizAnswer struct {
	AttemptID  int64
	Position   int // 0-based, in the order asked
	QuestionID string
	Chosen     int // the option's index in the bank
	Correct    bool
	At         time.Time
}

// RecordAnswer records an answer once: a second answer at the same position
// (a redelivered update, a double tap) changes nothing. It returns the
// answer as stored, which is the earlier one in that case. One statement,
// one round trip.
func (db *DB) RecordAnswer(ctx context.Context, a QuizAnswer) (QuizAnswer, error) {
	stored := a
	err := db.Pool.QueryRow(ctx, recordAnswerSQL, a.AttemptID, a.Position, a.QuestionID, a.Chosen, a.Correct, a.At).
		Scan(&stored.QuestionID, &stored.Chosen, &stored.Correct, &stored.At)
	if errors.Is(err, pgx.ErrNoRows) {
		// The same position was being written by another transaction: the
		// insert waited for it, but the statement's snapshot predates it.
		err = db.Pool.QueryRow(ctx, `SELECT question_id, chosen, correct, answered_at FROM quiz_answers
			WHERE attempt_id = $1 AND position = $2`, a.AttemptID, a.Position).
			Scan(&stored.QuestionID, &stored.Chosen, &stored.Correct, &stored.At)
	}
	return stored, err
}

const recordAnswerSQL = `WITH ins AS (
		INSERT INTO quiz_answers (attempt_id, position, question_id, chosen, correct, answered_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (attempt_id, position) DO NOTHING
		RETURNING question_id, chosen, correct, answered_at)
	SELECT question_id, chosen, correct, answered_at FROM ins
	UNION ALL
	SELECT question_id, chosen, correct, answered_at FROM quiz_answers WHERE attempt_id = $1 AND position = $2
	LIMIT 1`

// FinishedAttempt is the outcome of an attempt.
type FinishedAttempt struct {
	Score, Total int
	Passed       bool
	FinishedAt   time.Time
	// Bests are the user's AreaBests, this attempt counted: what the
	// result screen shows next, read in the same round trip.
	Bests []AreaBest
}

// FinishAttempt closes an attempt: the score is counted from the recorded
// answers, and it is passed when the score reaches passPercent of the
// total. Finishing again returns the outcome recorded the first time.
func (db *DB) FinishAttempt(ctx context.Context, attemptID int64, passPercent int, at time.Time) (FinishedAttempt, error) {
	var f FinishedAttempt
	var b pgx.Batch
	queueFinish(&b, &f, attemptID, passPercent, at)
	return f, db.Pool.SendBatch(ctx, &b).Close()
}

// AnswerAndFinish records the last answer of an attempt, as RecordAnswer,
// then finishes the attempt as of the answer's time, as FinishAttempt.
func (db *DB) AnswerAndFinish(ctx context.Context, a QuizAnswer, passPercent int) (QuizAnswer, FinishedAttempt, error) {
	stored, err := db.RecordAnswer(ctx, a)
	if err != nil {
		return stored, FinishedAttempt{}, err
	}
	f, err := db.FinishAttempt(ctx, a.AttemptID, passPercent, a.At)
	return stored, f, err
}

// queueFinish queues the finish of an attempt and the reading of its
// user's bests after it, into f. In one batch they are one implicit
// transaction: the bests see the finish.
func queueFinish(b *pgx.Batch, f *FinishedAttempt, attemptID int64, passPercent int, at time.Time) {
	b.Queue(finishAttemptSQL, attemptID, passPercent, at).QueryRow(func(row pgx.Row) error {
		return row.Scan(&f.Score, &f.Total, &f.Passed, &f.FinishedAt)
	})
	b.Queue(attemptUserBestsSQL, attemptID).Query(func(rows pgx.Rows) (err error) {
		f.Bests, err = collectAreaBests(rows)
		return err
	})
}

const finishAttemptSQL = `WITH s AS (
		SELECT count(*) FILTER (WHERE correct)::int AS score FROM quiz_answers WHERE attempt_id = $1),
	upd AS (
		UPDATE quiz_attempts a SET score = s.score, passed = s.score * 100 >= $2 * a.total, finished_at = $3
		FROM s WHERE a.id = $1 AND a.finished_at IS NULL
		RETURNING a.score, a.total, a.passed, a.finished_at)
	SELECT score, total, passed, finished_at FROM upd
	UNION ALL
	SELECT score, total, passed, finished_at FROM quiz_attempts WHERE id = $1 AND finished_at IS NOT NULL
	LIMIT 1`

// AbandonAttempt marks the user's attempt in progress, if any, as abandoned
// (/stop). Its answers stay recorded. It reports whether there was one.
func (db *DB) AbandonAttempt(ctx context.Context, userID int64, at time.Time) (bool, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE quiz_attempts SET abandoned_at = $2
		WHERE user_id = $1 AND finished_at IS NULL AND abandoned_at IS NULL`, userID, at)
	return tag.RowsAffected() > 0, err
}

// QuizAttempt is an attempt as recorded, with its answers.
type QuizAttempt struct {
	ID           int64
	UserID       int64
	BankVersion  string
	Area         string
	QuestionIDs  []string
	OptionOrders [][]int
	Total        int
	StartedAt    time.Time
	Answers      []QuizAnswer // by position
}

// UnfinishedAttempt returns the user's attempt in progress, if any: one
// neither finished nor abandoned, with the answers given so far.
func (db *DB) UnfinishedAttempt(ctx context.Context, userID int64) (QuizAttempt, bool, error) {
	a := QuizAttempt{UserID: userID}
	var orders []byte
	err := db.Pool.QueryRow(ctx, `SELECT id, bank_version, area, question_ids, option_orders, total, started_at
		FROM quiz_attempts WHERE user_id = $1 AND finished_at IS NULL AND abandoned_at IS NULL
		ORDER BY started_at DESC, id DESC LIMIT 1`, userID).
		Scan(&a.ID, &a.BankVersion, &a.Area, &a.QuestionIDs, &orders, &a.Total, &a.StartedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, err
	}
	if err := json.Unmarshal(orders, &a.OptionOrders); err != nil {
		return a, false, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT position, question_id, chosen, correct, answered_at
		FROM quiz_answers WHERE attempt_id = $1 ORDER BY position`, a.ID)
	if err != nil {
		return a, false, err
	}
	a.Answers, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (QuizAnswer, error) {
		x := QuizAnswer{AttemptID: a.ID}
		err := r.Scan(&x.Position, &x.QuestionID, &x.Chosen, &x.Correct, &x.At)
		return x, err
	})
	return a, err == nil, err
}

// AreaBest is a user's best finished attempt in one area ("" is the quick
// test).
type AreaBest struct {
	Area         string
	Score, Total int
	Passed       bool      // some attempt in the area was passed
	At           time.Time // when the best attempt finished
	PassedAt     time.Time // when the area was first passed; zero if never
	Attempts     int       // finished attempts in the area
}

// PassedAreas returns the areas ("" is the quick test) in which the user
// passed an attempt, by area: what the quiz's menu marks, read from a
// small index (quiz_attempts_passed_area) instead of every attempt.
func (db *DB) PassedAreas(ctx context.Context, userID int64) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT area FROM quiz_attempts WHERE user_id = $1 AND passed ORDER BY area`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// AreaBests returns the user's best finished attempt per area, by area.
func (db *DB) AreaBests(ctx context.Context, userID int64) ([]AreaBest, error) {
	rows, err := db.Pool.Query(ctx, userBestsSQL, userID)
	if err != nil {
		return nil, err
	}
	return collectAreaBests(rows)
}

// areaBestsSQL reads a user's best finished attempt per area; user is the
// SQL expression of the user's id.
func areaBestsSQL(user string) string {
	return `SELECT DISTINCT ON (area) area, score, total, finished_at,
			bool_or(passed) OVER w, min(finished_at) FILTER (WHERE passed) OVER w, count(*) OVER w
		FROM quiz_attempts
		WHERE user_id = ` + user + ` AND finished_at IS NOT NULL
		WINDOW w AS (PARTITION BY area)
		ORDER BY area, score::float8 / greatest(total, 1) DESC, finished_at`
}

var (
	userBestsSQL        = areaBestsSQL("$1")
	attemptUserBestsSQL = areaBestsSQL("(SELECT user_id FROM quiz_attempts WHERE id = $1)")
)

func collectAreaBests(rows pgx.Rows) ([]AreaBest, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AreaBest, error) {
		var b AreaBest
		var passedAt *time.Time
		err := r.Scan(&b.Area, &b.Score, &b.Total, &b.At, &b.Passed, &passedAt, &b.Attempts)
		if passedAt != nil {
			b.PassedAt = *passedAt
		}
		return b, err
	})
}

// batchAnswersSQL writes a batch of answers. Rows already there are read
// from the statement's snapshot, rows just inserted from RETURNING:
// together, each answer as stored.
//
// The rows already there are looked up one by one by the primary key (the
// LATERAL subquery with LIMIT 1 cannot be flattened into a join). As a
// plain join, the plan pgx's prepared statement settles on while
// quiz_answers is small (a fresh or never-analysed table, autovacuum off)
// is a hash join over a sequential scan, kept as the table grows: every
// batch then read the whole table.
const batchAnswersSQL = `WITH input AS (
		SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::int[], $5::bool[], $6::timestamptz[])
			AS t (attempt_id, position, question_id, chosen, correct, answered_at)),
	ins AS (
		INSERT INTO quiz_answers (attempt_id, position, question_id, chosen, correct, answered_at)
		SELECT attempt_id, position, question_id, chosen, correct, answered_at FROM input
		ON CONFLICT (attempt_id, position) DO NOTHING
		RETURNING attempt_id, position, question_id, chosen, correct, answered_at)
	SELECT * FROM ins
	UNION ALL
	SELECT q.attempt_id, q.position, q.question_id, q.chosen, q.correct, q.answered_at
	FROM input i, LATERAL (
		SELECT a.attempt_id, a.position, a.question_id, a.chosen, a.correct, a.answered_at FROM quiz_answers a
		WHERE a.attempt_id = i.attempt_id AND a.position = i.position LIMIT 1) q`
