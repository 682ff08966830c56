package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// What the report conversation (flows/report) needs beyond reports.go:
// amendments with their reason, and throwing an amendment away. The
// officials are told of reports by the scheduler (notices.go).

// ErrNotAmendment is returned for an amendment's operation on a unit whose
// report for the period was never submitted.
var ErrNotAmendment = errors.New("store: the report was not submitted: there is nothing to amend")

// OpenAmendment starts amending the unit's submitted report for the period,
// or joins the amendment another focal point started, and sets why: the
// draft holds the last submitted version's answers with its form, and
// reason is what SubmitReport records. Changing the reason is a change of
// the draft (its version moves on). Without a submitted report it is
// ErrNotAmendment; without a reason ErrReasonRequired.
func (db *DB) OpenAmendment(ctx context.Context, s DraftStart, reason string) (Draft, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Draft{}, ErrReasonRequired
	}
	var d Draft
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var err error
		d, _, err = lockDraft(ctx, tx, s)
		if err != nil {
			return err
		}
		if d.BaseVersion == 0 {
			// lockDraft made a first draft (or found one): nothing was
			// submitted, so this is no amendment. A draft made here is
			// rolled back with the transaction.
			return ErrNotAmendment
		}
		old := d.Reason
		d.Version++
		d.Reason, d.UpdatedAt, d.UpdatedBy = reason, s.At, s.By
		if _, err := tx.Exec(ctx, `UPDATE report_drafts SET reason = $3, version = $4, updated_at = $5, updated_by = nullif($6, 0)
			WHERE unit_code = $1 AND period_id = $2`, s.UnitCode, s.PeriodID, reason, d.Version, s.At, s.By); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{At: s.At, UserID: s.By, Action: "draft.reason", UnitCode: s.UnitCode, PeriodID: s.PeriodID},
			map[string]any{"old": old, "new": reason, "amends": d.BaseVersion, "draft_version": d.Version})
	})
	if err != nil {
		return Draft{}, err
	}
	return d, nil
}

// DiscardAmendment throws away an amendment under way: the submitted report
// stays as it was. Only an amendment can be thrown away (a first draft is
// never lost: ErrNotAmendment), and only as the user saw it (seen): a draft
// changed since, or another draft, is a *DraftConflict. Its answers stay in
// the audit log.
func (db *DB) DiscardAmendment(ctx context.Context, unitCode, periodID string, seen, by int64, at time.Time) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		d, err := scanDraft(tx.QueryRow(ctx, `SELECT `+draftColumns+` FROM report_drafts WHERE unit_code = $1 AND period_id = $2 FOR UPDATE`, unitCode, periodID))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoDraft
		}
		if err != nil {
			return err
		}
		if d.BaseVersion == 0 {
			return ErrNotAmendment
		}
		if d.Version != seen {
			return &DraftConflict{Current: d}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM report_drafts WHERE unit_code = $1 AND period_id = $2`, unitCode, periodID); err != nil {
			return err
		}
		// The next amendment goes on from this draft's version (lockDraft).
		if _, err := tx.Exec(ctx, `UPDATE reports SET last_draft_version = greatest(last_draft_version, $3) WHERE unit_code = $1 AND period_id = $2`,
			unitCode, periodID, d.Version); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{At: at, UserID: by, Action: "draft.discard", UnitCode: unitCode, PeriodID: periodID},
			map[string]any{"amends": d.BaseVersion, "reason": d.Reason, "answers": d.Answers, "draft_version": d.Version})
	})
}
