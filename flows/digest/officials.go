package digest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// DigestName is the name of the officials' digest flow.
const DigestName = "digest"

// DigestMenuItem is the main menu's button that gives the digest now,
// shown to the officials.
var DigestMenuItem = flows.MenuItem{Label: "digest.menu", Flow: DigestName, Action: actDigestNow, For: flows.Officials}

// actDigestNow is the action of the menu's button.
const actDigestNow = "now"

// DigestStore is what the officials' digests need of the records.
type DigestStore interface {
	PeriodOverview(ctx context.Context, periodID string, kinds []store.KindDue, now time.Time) (store.PeriodOverview, error)
	FocalContacts(ctx context.Context, unitCodes []string) ([]store.FocalContact, error)
	UserRoles(ctx context.Context, userID int64) ([]store.Role, error)
}

// Reach tells which accounts cannot be sent a message although they did
// not block the bot: on Zalo, a follower who has not written for 7 days is
// outside the window for free messages. It returns one answer per account,
// true for the unreachable. A nil Reach finds every account that did not
// block the bot reachable.
type Reach interface {
	Unreachable(ctx context.Context, accounts []store.Account, now time.Time) ([]bool, error)
}

// DigestConfig sets the officials' digests up.
type DigestConfig struct {
	// Text renders the catalogue's messages (locales/digest.*.yaml).
	Text bot.Translator
	// Reports is the reporting configuration: the periods and due dates.
	Reports *config.Config
	// Location is BOT_TIMEZONE, where the digest's date is read. Due dates
	// are dates in Asia/Ho_Chi_Minh whatever it is.
	Location *time.Location
	// Reach, when set, finds the focal points out of reach on Zalo.
	Reach Reach
	// ShowAfterDue is how long after its last due date a period still
	// shows in the weekly digest; DefaultShowAfterDue when zero.
	ShowAfterDue time.Duration
	// MaxMessage bounds a message, in UTF-16 code units as Telegram and
	// Zalo count them; DefaultMaxMessage when zero. A longer digest is
	// split over several messages, between lines.
	MaxMessage int
}

// Defaults of DigestConfig. DefaultMaxMessage is Zalo's limit (Telegram's
// is 4,096): a digest is built before the channel it goes by is known, and
// Zalo would cut a longer message itself, after any line, leaving a kind's
// name at the end of one message and its units in the next.
const (
	DefaultShowAfterDue = 60 * 24 * time.Hour
	DefaultMaxMessage   = 2000
)

// Digests writes the officials' weekly and escalation digests, and answers
// /digest.
type Digests struct {
	st  DigestStore
	cfg DigestConfig
}

// NewDigests returns the officials' digests.
func NewDigests(st DigestStore, cfg DigestConfig) *Digests {
	if cfg.Text == nil || cfg.Reports == nil {
		panic("digest: DigestConfig.Text and DigestConfig.Reports are required")
	}
	if cfg.Location == nil {
		cfg.Location = config.Location
	}
	if cfg.ShowAfterDue <= 0 {
		cfg.ShowAfterDue = DefaultShowAfterDue
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = DefaultMaxMessage
	}
	return &Digests{st: st, cfg: cfg}
}

func (*Digests) Name() string       { return DigestName }
func (*Digests) Commands() []string { return []string{"digest"} }

// CommandsFor implements flows.ForSome: the digest is the officials'.
func (*Digests) CommandsFor() flows.Audience { return flows.Officials }

// Handle implements flows.Flow: /digest, or the menu's button, gives an
// official the weekly digest now; anyone else is told politely what it is
// for.
func (d *Digests) Handle(c *bot.Conversation, in flows.Input) error {
	if cb := in.Callback; cb != nil && (in.Stale || cb.Action != actDigestNow) {
		c.Notice(c.T("stale.button"))
		return nil
	}
	official, err := d.isOfficial(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	c.NextScreen()
	if !official {
		c.Reply(bot.Reply{Text: c.T("digest.refused"), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
		return nil
	}
	msgs, err := d.Weekly(c.Ctx, c.Now, c.Lang())
	if err != nil {
		return err
	}
	last := &msgs[len(msgs)-1]
	last.Buttons = append(last.Buttons, flows.BackToMenu(c))
	for _, m := range msgs {
		c.Reply(m)
	}
	return nil
}

func (d *Digests) isOfficial(ctx context.Context, userID int64) (bool, error) {
	if userID == 0 {
		return false, nil
	}
	roles, err := d.st.UserRoles(ctx, userID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(roles, func(r store.Role) bool { return r.Role == store.RoleOfficial }), nil
}

func (d *Digests) lang(code string) lang {
	if code != "en" {
		code = "vi"
	}
	return lang{tr: d.cfg.Text, code: code}
}

// shown lists the periods the weekly digest covers at now: open, and not
// past their last due date by more than ShowAfterDue.
func (d *Digests) shown(now time.Time) []*config.Period {
	var out []*config.Period
	for _, p := range d.cfg.Reports.Periods {
		last := p.Due
		for _, k := range p.Kinds {
			if due := p.DueFor(k); due.After(last) {
				last = due
			}
		}
		if p.IsOpen(now) && now.Before(last.AddDate(0, 0, 1).Add(d.cfg.ShowAfterDue)) {
			out = append(out, p)
		}
	}
	return out
}

// kindDues lists kinds with their due dates in p, in the decision's order
// (config.Kinds) whatever order they come in: the order the lists show.
func kindDues(p *config.Period, kinds []config.Kind) []store.KindDue {
	var out []store.KindDue
	for _, k := range config.Kinds {
		if slices.Contains(kinds, k) {
			out = append(out, store.KindDue{Kind: string(k), Due: p.DueFor(k)})
		}
	}
	return out
}

// kindOrder is config.Kinds as store.GroupByKind takes them.
var kindOrder = func() []string {
	out := make([]string, len(config.Kinds))
	for i, k := range config.Kinds {
		out[i] = string(k)
	}
	return out
}()

// LatePerKind is how many late units of one kind a digest lists; the
// others are counted ("and 12 more"), and the workbook has them all.
const LatePerKind = 10

// groupLines writes units grouped by kind of unit, in the decision's
// order: each kind's name with its count of lines, then its lines: those
// of at most limit units (every unit's when limit is 0 or less), the others
// counted, one line each. A kind's name and its first
// line are one element, so that a split never leaves the name alone at the
// end of a message. It reports whether units were left out.
func groupLines(l lang, units []store.UnitOverview, limit int, line func(store.UnitOverview) []string) (lines []string, cut bool) {
	for _, g := range store.GroupByKind(units, kindOrder) {
		shown, more := g.Cut(limit)
		var items []string
		for _, u := range shown {
			items = append(items, line(u)...)
		}
		if len(items) == 0 {
			continue
		}
		n := len(items) + more // the lines the kind has, written or not
		if more > 0 {
			cut = true
			items = append(items, l.T("digest.kind.more", "N", more))
		}
		items[0] = l.T("digest.kind.group", "Kind", l.T(config.Kind(g.Kind).NameID()), "N", n) + "\n" + items[0]
		lines = append(lines, items...)
	}
	return lines, cut
}

// date writes a due date (a day in Asia/Ho_Chi_Minh) as 10/11/2026.
func date(t time.Time) string { return t.In(config.Location).Format("02/01/2006") }

// Weekly is the weekly digest at now, in lang: per period shown, the units
// that submitted out of all by kind of unit, and the late units with their
// days late; then the focal points who cannot be reached among the units
// yet to submit. The same for every official. Long lists are split over
// several messages.
func (d *Digests) Weekly(ctx context.Context, now time.Time, lang string) ([]bot.Reply, error) {
	l := d.lang(lang)
	lines := []string{l.T("digest.weekly.title", "Date", now.In(d.cfg.Location).Format("02/01/2006"))}
	periods := d.shown(now)
	if len(periods) == 0 {
		return d.pack(l, append(lines, "", l.T("digest.weekly.none"))), nil
	}
	var pending []store.UnitOverview // yet to submit in some period shown
	seen := map[string]bool{}
	for _, p := range periods {
		ov, err := d.st.PeriodOverview(ctx, p.ID, kindDues(p, p.Kinds), now)
		if err != nil {
			return nil, fmt.Errorf("digest: overview of %s: %w", p.ID, err)
		}
		lines = append(lines, "", l.T("digest.period", "Period", p.Name.In(l.code)), d.dueLine(l, p, p.Due, now),
			l.T("digest.submitted", "Submitted", ov.Total.Submitted, "Total", ov.Total.Total))
		for _, kc := range ov.ByKind {
			if kc.Total == 0 {
				continue
			}
			line := l.T("digest.kind", "Kind", l.T(config.Kind(kc.Kind).NameID()), "Submitted", kc.Submitted, "Total", kc.Total)
			if due := p.DueFor(config.Kind(kc.Kind)); config.DaysBetween(due, p.Due) != 0 {
				line += " " + l.T("digest.kind.due", "Due", date(due))
			}
			lines = append(lines, line)
		}
		if late := overdue(ov.Units); len(late) > 0 {
			lines = append(lines, lateLines(l, l.T("digest.late", "N", len(late)), late)...)
		}
		for _, u := range ov.Units {
			if !u.Submitted() && !seen[u.Code] {
				seen[u.Code] = true
				pending = append(pending, u)
			}
		}
	}
	reach, err := d.reachLines(ctx, l, pending, now)
	if err != nil {
		return nil, err
	}
	return d.pack(l, append(lines, reach...)), nil
}

// dueLine says when a period is due: days left, today, or days past.
func (d *Digests) dueLine(l lang, p *config.Period, due, now time.Time) string {
	var s string
	switch left := config.DaysBetween(now, due); {
	case left > 0:
		s = l.T("digest.due.left", "Due", date(due), "Days", left)
	case left == 0:
		s = l.T("digest.due.today", "Due", date(due))
	default:
		s = l.T("digest.due.past", "Due", date(due), "Days", -left)
	}
	if p.Provisional {
		s += " " + l.T("digest.due.provisional")
	}
	return s
}

// overdue lists the units past their due date that have not submitted.
func overdue(units []store.UnitOverview) []store.UnitOverview {
	var out []store.UnitOverview
	for _, u := range units {
		if u.State == store.StateOverdue {
			out = append(out, u)
		}
	}
	return out
}

// lateLines lists late units under heading, by kind of unit, with their
// days late; a long kind is cut, and then the last line says where the
// whole list is.
func lateLines(l lang, heading string, late []store.UnitOverview) []string {
	lines, cut := groupLines(l, late, LatePerKind, func(u store.UnitOverview) []string {
		return []string{l.T("digest.late.unit", "Unit", u.Name, "Code", u.Code, "Days", u.DaysLate)}
	})
	lines = append([]string{heading}, lines...)
	if cut {
		lines = append(lines, l.T("digest.late.all", "Button", l.T("officials.menu")))
	}
	return lines
}

// reachLines lists, among units, those nobody can be reminded at: no
// focal point registered, or a focal point who blocked the bot or is out
// of reach on Zalo (each such focal point is listed, even when a colleague
// can be reached), by kind of unit. The list is never cut: nothing else
// shows an official who cannot be reminded.
func (d *Digests) reachLines(ctx context.Context, l lang, units []store.UnitOverview, now time.Time) ([]string, error) {
	if len(units) == 0 {
		return nil, nil
	}
	codes := make([]string, len(units))
	for i, u := range units {
		codes[i] = u.Code
	}
	contacts, err := d.st.FocalContacts(ctx, codes)
	if err != nil {
		return nil, fmt.Errorf("digest: focal points: %w", err)
	}
	// One question to Reach for every account that did not block the bot.
	var open []store.Account
	for _, c := range contacts {
		for _, a := range c.Accounts {
			if a.BlockedAt == nil {
				open = append(open, a)
			}
		}
	}
	out := make([]bool, len(open))
	if d.cfg.Reach != nil && len(open) > 0 {
		if out, err = d.cfg.Reach.Unreachable(ctx, open, now); err != nil {
			return nil, fmt.Errorf("digest: reach: %w", err)
		}
		if len(out) != len(open) {
			return nil, fmt.Errorf("digest: reach answered %d times for %d accounts", len(out), len(open))
		}
	}
	// Per unit, its focal points and how each can be reached.
	type focal struct {
		name  string
		reach reach
	}
	byUnit := map[string][]focal{}
	i := 0 // the next answer of out, in the order of open
	for _, c := range contacts {
		r := reachBlocked // every account blocked the bot, or none is left
		for _, a := range c.Accounts {
			if a.BlockedAt != nil {
				continue
			}
			if !out[i] {
				r = reachable
			} else if r != reachable {
				r = reachZalo
			}
			i++
		}
		byUnit[c.UnitCode] = append(byUnit[c.UnitCode], focal{c.Name, r})
	}
	n := 0
	lines, _ := groupLines(l, units, 0, func(u store.UnitOverview) []string {
		var out []string
		focals, ok := byUnit[u.Code]
		if !ok {
			out = append(out, l.T("digest.reach.nobody", "Unit", u.Name, "Code", u.Code))
		}
		for _, f := range focals {
			switch f.reach {
			case reachBlocked:
				out = append(out, l.T("digest.reach.blocked", "Unit", u.Name, "Code", u.Code, "Name", f.name))
			case reachZalo:
				out = append(out, l.T("digest.reach.zalo", "Unit", u.Name, "Code", u.Code, "Name", f.name))
			}
		}
		n += len(out)
		return out
	})
	if len(lines) == 0 {
		return []string{"", l.T("digest.reach.all")}, nil
	}
	return append([]string{"", l.T("digest.reach.title", "N", n)}, lines...), nil
}

// reach is whether a focal point can be sent a reminder.
type reach int

const (
	reachable    reach = iota // some account can be written to
	reachBlocked              // every account blocked the bot
	reachZalo                 // the accounts left are out of Zalo's window
)

// Escalation lists the units late for a period once its due date due has
// passed, at now, in lang: the units of the kinds due that day (every kind
// already past its due date when due is zero) that have not submitted,
// with their days late, and those of them nobody can be reminded at.
func (d *Digests) Escalation(ctx context.Context, periodID string, due, now time.Time, lang string) ([]bot.Reply, error) {
	p, ok := d.cfg.Reports.Period(periodID)
	if !ok {
		return nil, fmt.Errorf("digest: no period %q in the report configuration", periodID)
	}
	var kinds []config.Kind
	for _, k := range p.Kinds {
		if due.IsZero() && config.DaysBetween(p.DueFor(k), now) > 0 || !due.IsZero() && config.DaysBetween(due, p.DueFor(k)) == 0 {
			kinds = append(kinds, k)
		}
	}
	if due.IsZero() {
		due = p.Due
	}
	l := d.lang(lang)
	ov, err := d.st.PeriodOverview(ctx, p.ID, kindDues(p, kinds), now)
	if err != nil {
		return nil, fmt.Errorf("digest: overview of %s: %w", p.ID, err)
	}
	lines := []string{l.T("digest.escalation.title", "Period", p.Name.In(l.code)), d.dueLine(l, p, due, now)}
	late := overdue(ov.Units)
	if len(late) == 0 {
		if ov.Total.Submitted < ov.Total.Total {
			// Not past the due date yet (a rule with days_after: 0): none
			// is late, but not every unit has submitted either.
			return d.pack(l, append(lines, l.T("digest.escalation.none_yet", "Submitted", ov.Total.Submitted, "Total", ov.Total.Total))), nil
		}
		return d.pack(l, append(lines, l.T("digest.escalation.none", "Total", ov.Total.Total))), nil
	}
	lines = append(lines, lateLines(l, l.T("digest.escalation.count", "Late", len(late), "Total", ov.Total.Total), late)...)
	reach, err := d.reachLines(ctx, l, late, now)
	if err != nil {
		return nil, err
	}
	return d.pack(l, append(lines, reach...)), nil
}

// pack puts lines into as few messages as fit MaxMessage, breaking only
// between lines (a line too long alone is cut), and never starting a
// message with an empty line. The last message carries the button to the
// officials' overview and export: a digest is read to act on it, often
// weeks after the conversation was forgotten (the button is standalone),
// and Zalo has no command menu to type /overview from.
func (d *Digests) pack(l lang, lines []string) []bot.Reply {
	out := d.split(lines)
	if len(out) > 0 {
		out[len(out)-1].Buttons = [][]bot.Button{{{Label: l.T("officials.menu"),
			Data: bot.Callback{Flow: officialsFlow, Action: officialsStart}.String()}}}
	}
	return out
}

func (d *Digests) split(lines []string) []bot.Reply {
	limit := d.cfg.MaxMessage
	var out []bot.Reply
	var cur strings.Builder
	size := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, bot.Reply{Text: strings.TrimRight(cur.String(), "\n")})
		}
		cur.Reset()
		size = 0
	}
	for _, line := range lines {
		for _, part := range cut(line, limit) {
			n := utf16Len(part)
			if size > 0 && size+1+n > limit {
				flush()
			}
			if size == 0 && part == "" {
				continue
			}
			if size > 0 {
				cur.WriteByte('\n')
				size++
			}
			cur.WriteString(part)
			size += n
		}
	}
	flush()
	return out
}

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// cut splits a line longer than limit UTF-16 units into pieces that fit.
func cut(line string, limit int) []string {
	if utf16Len(line) <= limit {
		return []string{line}
	}
	var out []string
	start, n := 0, 0
	for i, r := range line {
		if n+utf16.RuneLen(r) > limit {
			out = append(out, line[start:i])
			start, n = i, 0
		}
		n += utf16.RuneLen(r)
	}
	return append(out, line[start:])
}
