// Package config is the configuration of the units' reporting: the kinds of
// unit, the reporting periods with their due dates, and the forms the focal
// points fill in, read from YAML files embedded in the binary and checked
// strictly. It also holds what every answer needs before it is saved:
// Field.Parse turns what a user typed into a Value, or into an InputError
// naming a catalogue message (locales/report.*.yaml).
//
// Forms are versioned. A form file is forms/<id>.v<N>.yaml and is never
// edited once shipped: a change is a new file with the next version. Drafts
// and submitted reports name the form version they were made with, and every
// version stays loadable (the loader refuses a gap: deleting annual.v1.yaml
// while annual.v2.yaml exists does not load), so changing a form never
// breaks a draft or a report made with an older one. Periods name the form
// version new drafts use.
//
// Deadlines are dates in Asia/Ho_Chi_Minh: a report is on time when it is
// submitted on or before its due date, local time; the period is late from
// 00:00 the next day.
package config

import (
	"embed"
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // deadlines are in Asia/Ho_Chi_Minh wherever the bot runs

	"hocvuso/internal/yamlcheck"
)

// Location is Asia/Ho_Chi_Minh, where every date of the configuration and
// every deadline is read.
var Location = mustLocation("Asia/Ho_Chi_Minh")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is linked in: cannot happen
	}
	return loc
}

// Text is a text in both languages.
type Text struct {
	VI string `json:"vi"`
	EN string `json:"en"`
}

// In returns the text in lang: English for "en", Vietnamese otherwise.
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.EN
	}
	return t.VI
}

// Period is one reporting period: what units of some kinds must send, from
// when, and by when.
type Period struct {
	ID   string
	Name Text
	// OpensAt is 00:00 in Asia/Ho_Chi_Minh of the first day reports can be
	// drafted and submitted.
	OpensAt time.Time
	// Due is the last day a report is on time, as 00:00 of that day in
	// Asia/Ho_Chi_Minh; DueByKind overrides it for some kinds of unit.
	Due       time.Time
	DueByKind map[Kind]time.Time
	Kinds     []Kind
	// FormID and FormVersion name the form new drafts of the period use.
	FormID      string
	FormVersion int
	// Provisional marks a due date the decision does not give: it is to be
	// confirmed with Sở Nội vụ, and shown as provisional.
	Provisional bool
	// Note says where the dates come from, or what is to be confirmed.
	Note Text
}

// AppliesTo reports whether units of kind report in the period.
func (p *Period) AppliesTo(kind Kind) bool { return slices.Contains(p.Kinds, kind) }

// DueFor is the due date for units of kind, as 00:00 of that day in
// Asia/Ho_Chi_Minh.
func (p *Period) DueFor(kind Kind) time.Time {
	if d, ok := p.DueByKind[kind]; ok {
		return d
	}
	return p.Due
}

// DeadlineFor is the first instant at which a report of a unit of kind is
// late: 00:00 in Asia/Ho_Chi_Minh the day after the due date.
func (p *Period) DeadlineFor(kind Kind) time.Time { return p.DueFor(kind).AddDate(0, 0, 1) }

// IsOpen reports whether reports can be drafted and submitted at now.
// Periods do not close: a late report is still taken, and counted late.
func (p *Period) IsOpen(now time.Time) bool { return !now.Before(p.OpensAt) }

// DaysLate is how many days after the due date for kind a report submitted
// at is, counted in calendar days in Asia/Ho_Chi_Minh: 0 when on time, 1 for
// a report sent on the day after the due date.
func (p *Period) DaysLate(kind Kind, at time.Time) int {
	return max(0, DaysBetween(p.DueFor(kind), at))
}

// DaysLeft is how many calendar days remain, in Asia/Ho_Chi_Minh, from now
// to the due date for kind: 0 on the due date itself, negative once late.
func (p *Period) DaysLeft(kind Kind, now time.Time) int {
	return DaysBetween(now, p.DueFor(kind))
}

// DaysBetween counts the calendar days, in Asia/Ho_Chi_Minh, from the day of
// a to the day of b (negative when b's day is earlier).
func DaysBetween(a, b time.Time) int {
	ay, am, ad := a.In(Location).Date()
	by, bm, bd := b.In(Location).Date()
	// Whole days between two UTC midnights: no daylight saving to trip on.
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// Config is the loaded, checked configuration. It is read-only once loaded
// and safe to share between goroutines.
type Config struct {
	// Periods in the order of the file.
	Periods []*Period
	// Forms holds every version of every form, by id then version.
	Forms []*Form

	periodByID map[string]*Period
	forms      map[formKey]*Form
	latest     map[string]*Form
}

type formKey struct {
	id      string
	version int
}

// Period returns a period by id.
func (c *Config) Period(id string) (*Period, bool) {
	p, ok := c.periodByID[id]
	return p, ok
}

// Form returns one version of a form.
func (c *Config) Form(id string, version int) (*Form, bool) {
	f, ok := c.forms[formKey{id, version}]
	return f, ok
}

// LatestForm returns the highest version of a form.
func (c *Config) LatestForm(id string) (*Form, bool) {
	f, ok := c.latest[id]
	return f, ok
}

// PeriodForm returns the form new drafts of a period use.
func (c *Config) PeriodForm(p *Period) *Form { return c.forms[formKey{p.FormID, p.FormVersion}] }

// PeriodsFor lists the periods units of kind report in, open at now, in the
// order of the file.
func (c *Config) PeriodsFor(kind Kind, now time.Time) []*Period {
	var out []*Period
	for _, p := range c.Periods {
		if p.AppliesTo(kind) && p.IsOpen(now) {
			out = append(out, p)
		}
	}
	return out
}

// File is one configuration file: a name for messages and its content.
type File = yamlcheck.File

//go:embed periods.yaml forms/*.yaml
var embedded embed.FS

// PeriodsFile is the name of the periods file among the embedded files.
const PeriodsFile = "periods.yaml"

// EmbeddedFiles returns the files built into the binary: periods.yaml, then
// forms/*.yaml in name order.
func EmbeddedFiles() ([]File, error) {
	return yamlcheck.ReadFiles(embedded, PeriodsFile, "forms/*.yaml")
}

// Embedded loads the configuration built into the binary.
func Embedded() (*Config, error) {
	files, err := EmbeddedFiles()
	if err != nil {
		return nil, err
	}
	return Load(files...)
}

// Load reads and checks a configuration: exactly one periods file (named
// PeriodsFile, or any file holding "periods:") and form files named
// forms/<id>.v<version>.yaml. Any problem makes it fail with an *Error that
// lists every problem found, each with its file, line and field.
func Load(files ...File) (cfg *Config, err error) {
	defer func() {
		// The YAML parser is not ours; whatever it does, bad input is an
		// error, never a crash.
		if r := recover(); r != nil {
			cfg, err = nil, &Error{Problems: []Problem{{File: yamlcheck.FileNames(files), Msg: fmt.Sprintf("cannot read the file: %v", r)}}}
		}
	}()
	p := &parser{}
	var periodFiles int
	for _, f := range files {
		if p.file(f, true) == filePeriods {
			periodFiles++
		}
	}
	if periodFiles == 0 && len(p.errs.Problems) == 0 {
		p.errs.Add("(config)", 0, "", "", "no periods file: one file must hold \"periods:\"")
	}
	if periodFiles > 1 {
		p.errs.Add("(config)", 0, "", "", "%d files hold \"periods:\"; there must be exactly one", periodFiles)
	}
	p.crossCheck()
	if len(p.errs.Problems) > 0 {
		return nil, &Error{Problems: p.errs.Problems}
	}
	return p.build(), nil
}

// ParseForm reads and checks one form file alone, whatever its name: a form
// version stored with a report, for instance.
func ParseForm(f File) (form *Form, err error) {
	defer func() {
		if r := recover(); r != nil {
			form, err = nil, &Error{Problems: []Problem{{File: f.Name, Msg: fmt.Sprintf("cannot read the file: %v", r)}}}
		}
	}()
	p := &parser{}
	if kind := p.file(f, false); kind != fileForm && len(p.errs.Problems) == 0 {
		p.errs.Add(f.Name, 0, "", "", "this is not a form file (it needs \"id:\", \"version:\" and \"sections:\")")
	}
	if len(p.errs.Problems) > 0 {
		return nil, &Error{Problems: p.errs.Problems}
	}
	p.forms[0].index()
	return p.forms[0], nil
}
