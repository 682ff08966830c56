package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// The officials' view of a period: where every unit stands, counted by kind
// of unit (PeriodOverview), and every submitted version of every report
// (PeriodReportVersions), for /overview, /export and the digests. Like the
// rest of the store it knows nothing of the configuration: callers pass the
// kinds of unit the period applies to and their due dates
// (config.Period.Kinds and DueFor).

// KindDue is a kind of unit a period applies to and its due date for that
// kind; only the date in Asia/Ho_Chi_Minh counts.
type KindDue struct {
	Kind string
	Due  time.Time
}

// UnitOverview is where one unit stands in a period.
type UnitOverview struct {
	Code string
	Name string
	Kind string
	Due  time.Time // the due date for the unit's kind, as given
	// State is one of StateNotStarted, StateDraft, StateOverdue (not
	// submitted, past the due date), StateSubmitted (on time),
	// StateSubmittedLate or StateAmended (whether the first submission was
	// late or not: see DaysLate).
	State ReportState

	// The report, once submitted; zero values before.
	Version          int    // the current version; 0 before the first submission
	Receipt          string // of the current version
	FirstSubmittedAt time.Time
	LastSubmittedAt  time.Time // of the current version
	Reason           string    // why the current version amends the previous one; "" for version 1

	// DaysLate is, for a submitted report, how many calendar days late its
	// first submission was (0: on time; amendments do not count); for a
	// report not yet submitted, how many days past the due date it is at
	// now (0 before and on the due date).
	DaysLate int

	// The draft, if any: one being written, or an amendment under way.
	HasDraft       bool
	DraftAnswers   int // answers in the draft
	DraftUpdatedAt time.Time
}

// Submitted reports whether the unit has submitted a report for the period.
func (u UnitOverview) Submitted() bool { return u.Version > 0 }

// Late reports whether the unit is late: it submitted late (even if it
// amended since), or has not submitted and the due date is past.
func (u UnitOverview) Late() bool { return u.DaysLate > 0 }

// KindCount counts the units of one kind in a period. Submitted =
// OnTime + SubmittedLate; Amended counts the submitted ones with more than
// one version, whether on time or not.
type KindCount struct {
	Kind          string
	Total         int // units of the kind
	Submitted     int // units that submitted, on time or late
	OnTime        int // first submission on or before the due date
	SubmittedLate int // first submission after the due date
	Amended       int // submitted, then amended at least once
	Overdue       int // not submitted, due date past
	Drafting      int // not submitted, a draft started
}

func (c *KindCount) add(u UnitOverview) {
	c.Total++
	switch {
	case u.Submitted():
		c.Submitted++
		if u.DaysLate > 0 {
			c.SubmittedLate++
		} else {
			c.OnTime++
		}
		if u.Version > 1 {
			c.Amended++
		}
	case u.State == StateOverdue:
		c.Overdue++
	}
	if !u.Submitted() && u.HasDraft {
		c.Drafting++
	}
}

// PeriodOverview is where every unit stands in one period.
type PeriodOverview struct {
	PeriodID string
	At       time.Time // the "now" states and overdue days were computed at
	// Units lists every unit of the kinds given, in the order of the kinds
	// given, then by code.
	Units []UnitOverview
	// ByKind counts the units of each kind given, in the order given
	// (kinds without units included, with zero counts); Total sums them.
	ByKind []KindCount
	Total  KindCount
}

// PeriodOverview tells where every unit of the given kinds stands in a
// period at now: its state, current version and receipt, submission times,
// days late and draft; and the counts by kind. One query, whatever the
// number of units.
func (db *DB) PeriodOverview(ctx context.Context, periodID string, kinds []KindDue, now time.Time) (PeriodOverview, error) {
	ov := PeriodOverview{PeriodID: periodID, At: now, ByKind: make([]KindCount, len(kinds))}
	names := make([]string, len(kinds))
	due := make(map[string]time.Time, len(kinds))
	index := make(map[string]int, len(kinds))
	for i, k := range kinds {
		names[i] = k.Kind
		due[k.Kind] = k.Due
		index[k.Kind] = i
		ov.ByKind[i].Kind = k.Kind
	}
	rows, err := db.Pool.Query(ctx, overviewSQL, periodID, names)
	if err != nil {
		return ov, err
	}
	var (
		u                               UnitOverview
		firstAt, lastAt, draftUpdatedAt *time.Time
		draftAnswers                    int
	)
	_, err = pgx.ForEachRow(rows, []any{&u.Code, &u.Name, &u.Kind, &u.Version, &u.Receipt, &firstAt, &lastAt, &u.DaysLate, &u.Reason,
		&draftUpdatedAt, &draftAnswers}, func() error {
		x := u
		x.Due = due[x.Kind]
		x.FirstSubmittedAt, x.LastSubmittedAt, x.DraftUpdatedAt = deref(firstAt), deref(lastAt), deref(draftUpdatedAt)
		x.HasDraft = draftUpdatedAt != nil
		x.DraftAnswers = draftAnswers
		overdue := DaysLate(x.Due, now)
		x.State = reportState(x.Version, x.DaysLate, overdue > 0, x.HasDraft)
		if x.State == StateOverdue {
			x.DaysLate = overdue
		}
		ov.Units = append(ov.Units, x)
		ov.ByKind[index[x.Kind]].add(x)
		ov.Total.add(x)
		return nil
	})
	return ov, err
}

// KindUnits is some units of one kind, as a list shows them under the
// kind's name.
type KindUnits struct {
	Kind  string
	Units []UnitOverview
}

// Cut shows at most limit of the units, the rest counted in more. It never
// leaves out a single unit: the line "and 1 more" would take is the unit's
// own, so up to limit+1 units are shown whole. A limit of 0 or less shows
// every unit.
func (g KindUnits) Cut(limit int) (shown []UnitOverview, more int) {
	if limit <= 0 || len(g.Units) <= limit+1 {
		return g.Units, 0
	}
	return g.Units[:limit], len(g.Units) - limit
}

// GroupByKind groups units by kind: the kinds in the order given (kinds
// without units left out), then any other kind in the order it first comes;
// the units of a kind in the order they come.
func GroupByKind(units []UnitOverview, kinds []string) []KindUnits {
	index := make(map[string]int, len(kinds))
	groups := make([]KindUnits, 0, len(kinds))
	for _, k := range kinds {
		if _, dup := index[k]; !dup {
			index[k] = len(groups)
			groups = append(groups, KindUnits{Kind: k})
		}
	}
	for _, u := range units {
		i, ok := index[u.Kind]
		if !ok {
			i = len(groups)
			index[u.Kind] = i
			groups = append(groups, KindUnits{Kind: u.Kind})
		}
		groups[i].Units = append(groups[i].Units, u)
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Units) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// LateByKind lists the late units (Late) by kind, in the order of ByKind:
// in each kind first those that have not submitted, then those that
// submitted late, the most days late first, then by code.
func (ov PeriodOverview) LateByKind() []KindUnits {
	var late []UnitOverview
	for _, u := range ov.Units {
		if u.Late() {
			late = append(late, u)
		}
	}
	slices.SortStableFunc(late, func(a, b UnitOverview) int {
		if a.Submitted() != b.Submitted() {
			if a.Submitted() {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.DaysLate, a.DaysLate)
	})
	kinds := make([]string, len(ov.ByKind))
	for i, k := range ov.ByKind {
		kinds[i] = k.Kind
	}
	return GroupByKind(late, kinds)
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// overviewSQL: the units of the kinds ($2, in that order) with their report
// and draft for the period ($1). reports and report_drafts are found by
// their unique (unit_code, period_id) keys, versions by their primary key.
const overviewSQL = `SELECT u.code, u.name, u.kind,
		coalesce(r.current_version, 0), coalesce(cur.receipt, ''), r.first_submitted_at, cur.submitted_at,
		coalesce(first.days_late, 0), coalesce(cur.reason, ''),
		d.updated_at, (SELECT count(*)::int FROM jsonb_object_keys(d.answers))
	FROM unnest($2::text[]) WITH ORDINALITY AS k(kind, ord)
	JOIN units u ON u.kind = k.kind
	LEFT JOIN reports r ON r.unit_code = u.code AND r.period_id = $1
	LEFT JOIN report_versions cur ON cur.report_id = r.id AND cur.version = r.current_version
	LEFT JOIN report_versions first ON first.report_id = r.id AND first.version = 1
	LEFT JOIN report_drafts d ON d.unit_code = u.code AND d.period_id = $1
	ORDER BY k.ord, u.code`

// PeriodReportVersions lists every submitted version of every report of a
// period, by unit code then version: the history an export shows. Answers
// are as stored (JSON of config.Value by field key).
func (db *DB) PeriodReportVersions(ctx context.Context, periodID string) ([]ReportVersion, error) {
	return db.reportVersions(ctx, `r.period_id = $1 ORDER BY r.unit_code, v.version`, periodID)
}
