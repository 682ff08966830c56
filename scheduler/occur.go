package scheduler

import (
	"slices"
	"strings"
	"time"

	"hocvuso/flows/report/config"
)

// Occurrence is one firing of a rule: a time, and for the rules about
// reports the period and the kinds of unit it is about. Each recipient of an
// occurrence gets one delivery, planned once.
type Occurrence struct {
	Rule *Rule
	// At is the time the rule names (08:00 seven days before the due
	// date, Monday 08:00…): with the rule and Subject, the occurrence's
	// identity, whatever the clock of the replica that plans it.
	At time.Time
	// SendAt is At moved out of the quiet hours.
	SendAt time.Time
	// Period, Due and UnitKinds are set for deadline, overdue and
	// escalation rules: the period, its due date for UnitKinds (00:00 in
	// Asia/Ho_Chi_Minh, as the report configuration gives it).
	Period    *config.Period
	Due       time.Time
	UnitKinds []config.Kind
}

// Subject tells occurrences of one rule at one time apart: the period and
// kinds of unit (deadline, overdue) or the period and due date
// (escalation); "" for digests and nudges.
func (o Occurrence) Subject() string {
	if o.Period == nil {
		return ""
	}
	switch o.Rule.Kind {
	case KindEscalation:
		return o.Period.ID + "@" + o.Due.In(config.Location).Format(time.DateOnly)
	}
	names := make([]string, len(o.UnitKinds))
	for i, k := range o.UnitKinds {
		names[i] = string(k)
	}
	return o.Period.ID + ":" + strings.Join(names, ",")
}

// DaysLeft is how many days are left from the occurrence's day to the due
// date, in calendar days: 0 on the due date, negative once late.
func (o Occurrence) DaysLeft() int { return config.DaysBetween(o.At, o.Due) }

// Shift moves t out of the quiet hours: a time within them becomes the end
// of them, 07:00 that morning or the next. Times outside are kept. The
// clock is read in t's location.
func (q *QuietHours) Shift(t time.Time) time.Time {
	if q == nil || !q.Contains(t) {
		return t
	}
	end := q.Until.On(t, t.Location())
	if !end.After(t) {
		end = q.Until.On(t.AddDate(0, 0, 1), t.Location())
	}
	return end
}

// Contains reports whether t, read on the clock of its location, is within
// the quiet hours (from included, until excluded).
func (q *QuietHours) Contains(t time.Time) bool {
	if q == nil {
		return false
	}
	// Wall-clock seconds since midnight: 20:59:59 is before 21:00 whatever
	// the zone's offset that day.
	s := t.Hour()*3600 + t.Minute()*60 + t.Second()
	from, until := q.From.minutes()*60, q.Until.minutes()*60
	if from < until {
		return s >= from && s < until
	}
	return s >= from || s < until
}

// Between lists the occurrences of every rule whose SendAt is in (from,
// to], ordered by SendAt then At, for the periods of the report configuration.
// Deadline and overdue reminders are only for periods open at their time
// (a form can be filled in).
func (rs *Rules) Between(periods []*config.Period, from, to time.Time) []Occurrence {
	var out []Occurrence
	for _, r := range rs.Rules {
		out = append(out, rs.ruleBetween(r, periods, from, to)...)
	}
	slices.SortStableFunc(out, func(a, b Occurrence) int {
		if c := a.SendAt.Compare(b.SendAt); c != 0 {
			return c
		}
		return a.At.Compare(b.At)
	})
	return out
}

func (rs *Rules) ruleBetween(r *Rule, periods []*config.Period, from, to time.Time) []Occurrence {
	var out []Occurrence
	add := func(o Occurrence) {
		o.Rule = r
		o.SendAt = rs.Quiet.Shift(o.At)
		if o.SendAt.After(from) && !o.SendAt.After(to) {
			out = append(out, o)
		}
	}
	switch r.Kind {
	case KindDigest, KindNudge:
		// Quiet hours move a time forward by less than a day: start a day
		// early so that a shifted occurrence is not missed.
		t := from.In(rs.Location).Add(-24 * time.Hour)
		for {
			t = r.schedule.Next(t)
			if t.IsZero() || t.After(to) {
				break
			}
			add(Occurrence{At: t})
		}
	case KindDeadline, KindOverdue:
		for _, p := range periods {
			for _, kind := range p.Kinds {
				if len(r.UnitKinds) > 0 && !slices.Contains(r.UnitKinds, kind) {
					continue
				}
				due := p.DueFor(kind)
				for _, at := range rs.unitTimes(r, due) {
					if p.IsOpen(at) {
						add(Occurrence{At: at, Period: p, Due: due, UnitKinds: []config.Kind{kind}})
					}
				}
			}
		}
	case KindEscalation:
		for _, p := range periods {
			// One escalation per due date: kinds sharing it go together.
			byDue := map[time.Time][]config.Kind{}
			var dues []time.Time
			for _, kind := range p.Kinds {
				due := p.DueFor(kind)
				if _, ok := byDue[due]; !ok {
					dues = append(dues, due)
				}
				byDue[due] = append(byDue[due], kind)
			}
			for _, due := range dues {
				add(Occurrence{At: rs.dayAt(due, r.DaysAfter, r.At), Period: p, Due: due, UnitKinds: byDue[due]})
			}
		}
	}
	return out
}

// unitTimes lists the times of a deadline or overdue rule for a due date.
func (rs *Rules) unitTimes(r *Rule, due time.Time) []time.Time {
	var out []time.Time
	if r.Kind == KindDeadline {
		for _, d := range r.DaysBefore {
			out = append(out, rs.dayAt(due, -d, r.At))
		}
		return out
	}
	for k := 1; k <= r.Times; k++ {
		out = append(out, rs.dayAt(due, k*r.EveryDays, r.At))
	}
	return out
}

// dayAt is clock on the day days after the due date. A due date is a day in
// Asia/Ho_Chi_Minh; the clock is read in the rules' zone.
func (rs *Rules) dayAt(due time.Time, days int, c Clock) time.Time {
	y, m, d := due.In(config.Location).Date()
	return time.Date(y, m, d+days, c.Hour, c.Minute, 0, 0, rs.Location)
}
