package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// The officials' notices of reports (migration 00014): when a unit's report
// is submitted or amended, every active official but the one who submitted
// is told. Each version submitted is an occurrence of one of two rules, its
// subject the receipt, with one delivery of kind KindReport per official,
// planned in the submission's transaction: the scheduler sends them as it
// sends reminders.
const (
	KindReport          = "report"
	RuleReportSubmitted = "report-submitted"
	RuleReportAmended   = "report-amended"
)

// NoticeRule is the rule of the notices of a version: submitted (the
// first) or amended.
func NoticeRule(version int) string {
	if version > 1 {
		return RuleReportAmended
	}
	return RuleReportSubmitted
}

// Enqueuer queues the jobs that send new deliveries of a rule, in the
// transaction that planned them (*scheduler.Notices): they are sent if
// and only if it commits.
type Enqueuer interface {
	Enqueue(ctx context.Context, tx pgx.Tx, rule string, deliveryIDs []int64) error
}

// planNotices plans, in tx, the officials' notices of version v submitted
// by by at at, and queues their jobs with q. A version is announced once:
// planning it again plans nothing.
func planNotices(ctx context.Context, tx pgx.Tx, q Enqueuer, v ReportVersion, by int64, at time.Time) error {
	rule := NoticeRule(v.Version)
	if _, err := tx.Exec(ctx, `INSERT INTO reminder_occurrences (rule, occurs_at, subject, send_at, planned_at, planned_by)
		VALUES ($1, $2, $3, $2, $2, 'report') ON CONFLICT DO NOTHING`, rule, at, v.Receipt); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `INSERT INTO deliveries (rule, kind, occurs_at, send_at, user_id, subject, unit_code, period_id, due_on,
			report_version, planned_at, updated_at)
		SELECT $1, 'report', $2, $2, r.user_id, $3, $4, $5, $6, $7, $2, $2
		FROM (SELECT DISTINCT user_id FROM report_roles WHERE role = 'official' AND revoked_at IS NULL AND user_id <> $8) r
		ORDER BY r.user_id
		ON CONFLICT DO NOTHING RETURNING id`, rule, at, v.Receipt, v.UnitCode, v.PeriodID, v.DueOn, v.Version, by)
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE reminder_occurrences SET deliveries = deliveries + $4 WHERE rule = $1 AND occurs_at = $2 AND subject = $3`,
		rule, at, v.Receipt, len(ids)); err != nil {
		return err
	}
	return q.Enqueue(ctx, tx, rule, ids)
}

// FindReportVersion reads one version of a unit's report for a period; ok
// is false when there is none.
func (db *DB) FindReportVersion(ctx context.Context, unitCode, periodID string, version int) (v ReportVersion, ok bool, err error) {
	err = db.Pool.QueryRow(ctx, `SELECT r.id, r.unit_code, r.period_id, r.seq, v.version, v.receipt, v.form_id, v.form_version,
			v.answers, v.submitted_at, coalesce(v.submitted_by, 0), v.due_on, v.days_late, coalesce(v.reason, ''), `+firstDaysLate+`
		FROM reports r JOIN report_versions v ON v.report_id = r.id
		WHERE r.unit_code = $1 AND r.period_id = $2 AND v.version = $3`, unitCode, periodID, version).
		Scan(&v.ReportID, &v.UnitCode, &v.PeriodID, &v.Seq, &v.Version, &v.Receipt, &v.FormID, &v.FormVersion,
			&v.Answers, &v.SubmittedAt, &v.SubmittedBy, &v.DueOn, &v.DaysLate, &v.Reason, &v.FirstDaysLate)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, false, nil
	}
	return v, err == nil, err
}
