package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
)

// The scheduler's records (migration 00010): the occurrences of its rules,
// each planned once, and one delivery per recipient of an occurrence, with
// its state. The rules themselves, and when they fire, are the scheduler's.

// Audience is who an occurrence is for.
type Audience int

// The audiences of occurrences.
const (
	// AudienceLateUnits is the active focal points of the units of some
	// kinds that have no report for a period: one delivery per focal point
	// and unit.
	AudienceLateUnits Audience = iota + 1
	// AudienceOfficials is the active officials.
	AudienceOfficials
	// AudienceUsers is a list of users given by id.
	AudienceUsers
)

// Occurrence is one firing of a rule, as the store plans it.
type Occurrence struct {
	Rule     string
	Kind     string // the rule's kind: "deadline", "overdue", "digest", "escalation", "nudge"
	OccursAt time.Time
	SendAt   time.Time
	Subject  string

	Audience  Audience
	PeriodID  string    // AudienceLateUnits, and escalations
	Due       time.Time // the due date, its day in Asia/Ho_Chi_Minh
	UnitKinds []string  // AudienceLateUnits
	UserIDs   []int64   // AudienceUsers
}

// Delivery states.
const (
	DeliveryPlanned   = "planned"
	DeliverySending   = "sending"
	DeliverySent      = "sent"
	DeliveryCancelled = "cancelled"
	DeliveryBlocked   = "blocked"
	// DeliveryUnreachable: on Zalo only, silent for 7 days, and no
	// template could carry the message.
	DeliveryUnreachable = "unreachable"
	DeliveryFailed      = "failed"
)

// DeliveryStates lists every state of a delivery: planned and sending on
// the way, the others final.
var DeliveryStates = []string{DeliveryPlanned, DeliverySending, DeliverySent, DeliveryCancelled, DeliveryBlocked, DeliveryUnreachable, DeliveryFailed}

// recipients is the SELECT of an occurrence's recipients, with the columns
// of a delivery. Its parameters: $1 rule, $2 kind, $3 occurs_at, $4 send_at,
// $5 subject, $6 period, $7 due, $8 unit kinds, $9 user ids, $10 now.
func recipients(a Audience) (string, error) {
	const cols = `SELECT $1::text AS rule, $2::text AS kind, $3::timestamptz AS occurs_at, $4::timestamptz AS send_at`
	switch a {
	case AudienceLateUnits:
		return cols + `, r.user_id, $5::text AS subject, u.code AS unit_code, $6::text AS period_id, $7::date AS due_on
			FROM report_roles r JOIN units u ON u.code = r.unit_code
			WHERE r.role = 'focal' AND r.revoked_at IS NULL AND u.kind = ANY($8::text[])
			  AND NOT EXISTS (SELECT 1 FROM reports rp WHERE rp.unit_code = u.code AND rp.period_id = $6::text)
			  AND cardinality($9::bigint[]) >= 0`, nil
	case AudienceOfficials:
		return cols + `, r.user_id, $5::text AS subject, NULL::text AS unit_code, nullif($6::text, '') AS period_id, $7::date AS due_on
			FROM (SELECT DISTINCT user_id FROM report_roles WHERE role = 'official' AND revoked_at IS NULL) r
			WHERE cardinality($8::text[]) >= 0 AND cardinality($9::bigint[]) >= 0`, nil
	case AudienceUsers:
		return cols + `, r.id AS user_id, $5::text AS subject, NULL::text AS unit_code, nullif($6::text, '') AS period_id, $7::date AS due_on
			FROM users r WHERE r.id = ANY($9::bigint[]) AND cardinality($8::text[]) >= 0`, nil
	}
	return "", fmt.Errorf("store: no audience %d", a)
}

func (o Occurrence) args(now time.Time) []any {
	var due *time.Time
	if !o.Due.IsZero() {
		d := dateOnly(o.Due)
		due = &d
	}
	kinds := o.UnitKinds
	if kinds == nil {
		kinds = []string{}
	}
	ids := o.UserIDs
	if ids == nil {
		ids = []int64{}
	}
	return []any{o.Rule, o.Kind, o.OccursAt, o.SendAt, o.Subject, o.PeriodID, due, kinds, ids, now}
}

// PlanOccurrence plans an occurrence once: the first call records it and
// one delivery per recipient, and hands the new deliveries' ids to enqueue
// in the same transaction (the scheduler inserts their jobs there). Any
// later call, from this replica or another, finds the occurrence recorded
// and does nothing: fresh is false. by says who planned it, for the record.
func (db *DB) PlanOccurrence(ctx context.Context, o Occurrence, by string, now time.Time,
	enqueue func(ctx context.Context, tx pgx.Tx, ids []int64) error) (planned int, fresh bool, err error) {
	sel, err := recipients(o.Audience)
	if err != nil {
		return 0, false, err
	}
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		// A replica planning the same occurrence waits here for this one
		// to commit, then finds it done.
		tag, err := tx.Exec(ctx, `INSERT INTO reminder_occurrences (rule, occurs_at, subject, send_at, planned_at, planned_by)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, o.Rule, o.OccursAt, o.Subject, o.SendAt, now, by)
		if err != nil {
			return err
		}
		if fresh = tag.RowsAffected() == 1; !fresh {
			return nil
		}
		rows, err := tx.Query(ctx, `INSERT INTO deliveries (rule, kind, occurs_at, send_at, user_id, subject, unit_code, period_id, due_on, planned_at, updated_at)
			SELECT rule, kind, occurs_at, send_at, user_id, subject, unit_code, period_id, due_on, $10, $10 FROM (`+sel+`) s
			ON CONFLICT DO NOTHING RETURNING id`, o.args(now)...)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		planned = len(ids)
		if _, err := tx.Exec(ctx, `UPDATE reminder_occurrences SET deliveries = $4 WHERE rule = $1 AND occurs_at = $2 AND subject = $3`,
			o.Rule, o.OccursAt, o.Subject, planned); err != nil {
			return err
		}
		if planned == 0 {
			return nil
		}
		return enqueue(ctx, tx, ids)
	})
	if err != nil {
		return 0, false, err
	}
	return planned, fresh, nil
}

// OccurrencePlanned reports whether an occurrence was planned.
func (db *DB) OccurrencePlanned(ctx context.Context, rule string, occursAt time.Time, subject string) (bool, error) {
	var planned bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reminder_occurrences WHERE rule = $1 AND occurs_at = $2 AND subject = $3)`,
		rule, occursAt, subject).Scan(&planned)
	return planned, err
}

// PreviewRecipient is one delivery an occurrence would plan.
type PreviewRecipient struct {
	UserID   int64
	Lang     string
	UnitCode string
	UnitName string
	// The account it would go to, "" when the user has none; Blocked when
	// every account blocked the bot.
	Channel bot.Channel
	ChatID  string
	Blocked bool
}

// PreviewOccurrence lists who an occurrence is for, without planning it,
// and whether it was planned already.
func (db *DB) PreviewOccurrence(ctx context.Context, o Occurrence) (rs []PreviewRecipient, planned bool, err error) {
	sel, err := recipients(o.Audience)
	if err != nil {
		return nil, false, err
	}
	if planned, err = db.OccurrencePlanned(ctx, o.Rule, o.OccursAt, o.Subject); err != nil {
		return nil, false, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT s.user_id, u.language, coalesce(s.unit_code, ''), coalesce(un.name, ''),
			coalesce(a.channel, ''), coalesce(a.chat_id, ''), coalesce(a.blocked_at IS NOT NULL, false)
		FROM (`+sel+`) s
		JOIN users u ON u.id = s.user_id
		LEFT JOIN units un ON un.code = s.unit_code
		LEFT JOIN LATERAL (SELECT channel, chat_id, blocked_at FROM accounts WHERE user_id = s.user_id
			ORDER BY blocked_at IS NULL DESC, last_seen_at DESC LIMIT 1) a ON true
		WHERE $10::timestamptz IS NOT NULL
		ORDER BY s.unit_code NULLS FIRST, s.user_id`, o.args(time.Now())...)
	if err != nil {
		return nil, false, err
	}
	rs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PreviewRecipient, error) {
		var p PreviewRecipient
		err := r.Scan(&p.UserID, &p.Lang, &p.UnitCode, &p.UnitName, &p.Channel, &p.ChatID, &p.Blocked)
		return p, err
	})
	return rs, planned, err
}

// Delivery is a planned message and what became of it.
type Delivery struct {
	ID        int64
	Rule      string
	Kind      string
	OccursAt  time.Time
	SendAt    time.Time
	UserID    int64
	Subject   string
	UnitCode  string
	PeriodID  string
	Due       time.Time // zero when none
	State     string
	Reason    string
	Attempts  int
	PartsSent int
	Uncertain bool
	Channel   bot.Channel
	ChatID    string
	Lang      string
	PlannedAt time.Time
	UpdatedAt time.Time
	SentAt    time.Time // zero until sent
	// ReportVersion is the version of the unit's report a notice (kind
	// report) announces; 0 for the others.
	ReportVersion int
}

const deliveryColumns = `d.id, d.rule, d.kind, d.occurs_at, d.send_at, d.user_id, d.subject, coalesce(d.unit_code, ''), coalesce(d.period_id, ''),
	d.due_on, d.state, d.reason, d.attempts, d.parts_sent, d.uncertain, coalesce(d.channel, ''), coalesce(d.chat_id, ''), coalesce(d.lang, ''),
	d.planned_at, d.updated_at, d.sent_at, coalesce(d.report_version, 0)`

func (d *Delivery) scan(r pgx.Row, extra ...any) error {
	var due, sent *time.Time
	err := r.Scan(append([]any{&d.ID, &d.Rule, &d.Kind, &d.OccursAt, &d.SendAt, &d.UserID, &d.Subject, &d.UnitCode, &d.PeriodID,
		&due, &d.State, &d.Reason, &d.Attempts, &d.PartsSent, &d.Uncertain, &d.Channel, &d.ChatID, &d.Lang,
		&d.PlannedAt, &d.UpdatedAt, &sent, &d.ReportVersion}, extra...)...)
	if due != nil {
		y, m, dd := due.Date()
		d.Due = time.Date(y, m, dd, 0, 0, 0, 0, ReportZone)
	}
	if sent != nil {
		d.SentAt = *sent
	}
	return err
}

// DeliveryCheck is a delivery with what its sending depends on, read at
// send time. Where it goes is reach's to say.
type DeliveryCheck struct {
	Delivery
	// Submitted: the unit has a report for the period (unit reminders;
	// false for notices of reports).
	Submitted bool
	// RoleActive: the recipient still holds the role the delivery is for
	// (focal point of the unit, or official for digests and notices);
	// true for nudges.
	RoleActive bool
	UnitName   string
	UnitKind   string
}

// CheckDelivery reads a delivery and what its sending depends on; ok is
// false when there is no such delivery (its user erased their data).
func (db *DB) CheckDelivery(ctx context.Context, id int64) (c DeliveryCheck, ok bool, err error) {
	err = c.scan(db.Pool.QueryRow(ctx, `SELECT `+deliveryColumns+`,
			CASE WHEN d.unit_code IS NULL OR d.kind = 'report' THEN false
			     ELSE EXISTS (SELECT 1 FROM reports rp WHERE rp.unit_code = d.unit_code AND rp.period_id = d.period_id) END,
			CASE WHEN d.kind IN ('digest', 'escalation', 'report') THEN EXISTS (SELECT 1 FROM report_roles r WHERE r.user_id = d.user_id
			         AND r.role = 'official' AND r.revoked_at IS NULL)
			     WHEN d.unit_code IS NOT NULL THEN EXISTS (SELECT 1 FROM report_roles r WHERE r.user_id = d.user_id
			         AND r.role = 'focal' AND r.unit_code = d.unit_code AND r.revoked_at IS NULL)
			     ELSE true END,
			coalesce(un.name, ''), coalesce(un.kind, '')
		FROM deliveries d
		LEFT JOIN units un ON un.code = d.unit_code
		WHERE d.id = $1`, id), &c.Submitted, &c.RoleActive, &c.UnitName, &c.UnitKind)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// ClaimDelivery marks a delivery as being sent to an account, for one more
// attempt, unless it is finished already (ok false). A delivery found
// "sending" was interrupted mid-attempt (a replica died): its message may
// have gone, and it is marked uncertain.
func (db *DB) ClaimDelivery(ctx context.Context, id int64, to bot.Target, now time.Time) (d Delivery, ok bool, err error) {
	err = d.scan(db.Pool.QueryRow(ctx, `UPDATE deliveries d SET state = 'sending', attempts = d.attempts + 1,
			uncertain = d.uncertain OR d.state = 'sending', channel = $2, chat_id = $3, lang = $4, updated_at = $5
		WHERE d.id = $1 AND d.state IN ('planned', 'sending')
		RETURNING `+deliveryColumns, id, to.Channel, to.ChatID, to.Lang, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, false, nil
	}
	return d, err == nil, err
}

// DeliveryProgress records that the first parts messages of a delivery
// went out: an attempt after a failure starts after them.
func (db *DB) DeliveryProgress(ctx context.Context, id int64, parts int, now time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE deliveries SET parts_sent = $2, updated_at = $3 WHERE id = $1`, id, parts, now)
	return err
}

// FinishDelivery records what became of a delivery: sent, cancelled,
// blocked or failed with a reason, or planned again (to be tried later,
// the reason of the failure kept). A finished delivery is not changed.
func (db *DB) FinishDelivery(ctx context.Context, id int64, state, reason string, now time.Time) error {
	var sent *time.Time
	if state == DeliverySent {
		sent = &now
	}
	_, err := db.Pool.Exec(ctx, `UPDATE deliveries SET state = $2, reason = $3, updated_at = $4, sent_at = coalesce($5, sent_at)
		WHERE id = $1 AND state IN ('planned', 'sending')`, id, state, reason, now, sent)
	return err
}

// InterruptDelivery plans a delivery being sent again after its attempt
// was cut short mid-send (the process stopping): its message may have
// gone, so it is marked uncertain, as a claim finding it sending would.
func (db *DB) InterruptDelivery(ctx context.Context, id int64, reason string, now time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE deliveries SET state = 'planned', uncertain = true, reason = $2, updated_at = $3
		WHERE id = $1 AND state = 'sending'`, id, reason, now)
	return err
}

// Orphan is a delivery on its way (planned, or sending when an attempt was
// under way) that no job will send: a replica died on its job's last
// attempt and river's rescuer discarded the job, or an operator cancelled
// or deleted it.
type Orphan struct {
	Delivery
	// Was is its state when found: planned or sending. Delivery.State and
	// Reason are what SweepOrphans made of it.
	Was string
	// Job is the state of its last job (discarded, cancelled, completed),
	// "" when it has none left.
	Job string
}

// liveJobStates are the states of a river job that will still run.
const liveJobStates = `('available', 'scheduled', 'running', 'retryable', 'pending')`

// jobArgs is the args of the jobs of the deliveries $2, for the GIN index
// on river_job.args.
const jobArgs = `ARRAY(SELECT jsonb_build_object('delivery_id', id) FROM unnest($2::bigint[]) AS id)`

// SweepOrphans settles, in one transaction, at most limit deliveries on
// their way, untouched since before idle, with no job that will run: the
// jobs are river's of kind jobKind, their args {"delivery_id": id}. fate
// says what becomes of each: planned again (DeliveryPlanned), or finished
// (failed, cancelled) with a reason. Either way one found sending is marked
// uncertain: its message may have gone. The finished jobs of those planned
// again are deleted, for river's uniqueness by delivery, and enqueue
// inserts their new ones in the same transaction. It returns the orphans
// settled, with their new state and reason. A sweep skips the deliveries
// another is settling and touches those it settles: two at once settle
// each once.
func (db *DB) SweepOrphans(ctx context.Context, jobKind string, idle time.Time, limit int, now time.Time,
	fate func(Orphan) (state, reason string), enqueue func(ctx context.Context, tx pgx.Tx, orphans []Orphan) error) ([]Orphan, error) {
	var out []Orphan
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		// The jobs that will run, read once and hashed: during a campaign
		// most deliveries waiting their turn are old and have one.
		rows, err := tx.Query(ctx, `WITH live AS MATERIALIZED (
				SELECT (args->>'delivery_id')::bigint AS id FROM river_job
				WHERE kind = $1 AND state IN `+liveJobStates+`)
			SELECT `+deliveryColumns+`
			FROM deliveries d
			WHERE d.state IN ('planned', 'sending') AND d.updated_at < $2
			  AND NOT EXISTS (SELECT 1 FROM live WHERE live.id = d.id)
			LIMIT $3
			FOR UPDATE OF d SKIP LOCKED`, jobKind, idle, limit)
		if err != nil {
			return err
		}
		found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Orphan, error) {
			var o Orphan
			err := o.scan(r)
			o.Was = o.State
			return o, err
		})
		if err != nil || len(found) == 0 {
			return err
		}
		ids := make([]int64, len(found))
		for i, o := range found {
			ids[i] = o.ID
		}
		// What became of their jobs, the last of each: by the args' index.
		rows, err = tx.Query(ctx, `SELECT (args->>'delivery_id')::bigint, state::text FROM river_job
			WHERE kind = $1 AND args @> ANY (`+jobArgs+`) ORDER BY id`, jobKind, ids)
		if err != nil {
			return err
		}
		last := map[int64]string{}
		var id int64
		var state string
		if _, err := pgx.ForEachRow(rows, []any{&id, &state}, func() error {
			last[id] = state
			return nil
		}); err != nil {
			return err
		}
		states := make([]string, len(found))
		reasons := make([]string, len(found))
		var again []Orphan
		var againIDs []int64
		for i := range found {
			o := &found[i]
			o.Job = last[o.ID]
			o.State, o.Reason = fate(*o)
			o.Uncertain = o.Uncertain || o.Was == DeliverySending
			o.UpdatedAt = now
			states[i], reasons[i] = o.State, o.Reason
			if o.State == DeliveryPlanned {
				again = append(again, *o)
				againIDs = append(againIDs, o.ID)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE deliveries d SET state = f.state, reason = f.reason,
				uncertain = d.uncertain OR d.state = 'sending', updated_at = $4
			FROM unnest($1::bigint[], $2::text[], $3::text[]) AS f (id, state, reason)
			WHERE d.id = f.id`, ids, states, reasons, now); err != nil {
			return err
		}
		out = found
		if len(again) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM river_job WHERE kind = $1 AND args @> ANY (`+jobArgs+`)
			AND state NOT IN `+liveJobStates, jobKind, againIDs); err != nil {
			return err
		}
		return enqueue(ctx, tx, again)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Deliveries lists deliveries, newest first, at most limit: of a rule
// ("" for all), in a state ("" for all).
func (db *DB) Deliveries(ctx context.Context, rule, state string, limit int) ([]Delivery, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries d
		WHERE ($1 = '' OR d.rule = $1) AND ($2 = '' OR d.state = $2)
		ORDER BY d.occurs_at DESC, d.id DESC LIMIT $3`, rule, state, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
		var d Delivery
		err := d.scan(r)
		return d, err
	})
}

// DeliveryCount is how many deliveries of an occurrence are in a state.
type DeliveryCount struct {
	Rule     string
	OccursAt time.Time
	Subject  string
	State    string
	Count    int
}

// DeliveryCounts counts the deliveries of the occurrences planned since
// since, by rule, occurrence and state.
func (db *DB) DeliveryCounts(ctx context.Context, since time.Time) ([]DeliveryCount, error) {
	rows, err := db.Pool.Query(ctx, `SELECT d.rule, d.occurs_at, o.subject, d.state, count(*)
		FROM deliveries d JOIN reminder_occurrences o
		  ON o.rule = d.rule AND o.occurs_at = d.occurs_at AND o.subject = d.subject
		WHERE o.planned_at >= $1
		GROUP BY d.rule, d.occurs_at, o.subject, d.state
		ORDER BY d.occurs_at, d.rule, o.subject, d.state`, since)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeliveryCount, error) {
		var c DeliveryCount
		err := r.Scan(&c.Rule, &c.OccursAt, &c.Subject, &c.State, &c.Count)
		return c, err
	})
}
