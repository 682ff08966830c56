// Package officials is what the officials of Sở Nội vụ and Sở Khoa học và
// Công nghệ do in chat: /overview shows, for a reporting period, how many
// units submitted out of how many by kind of unit, which are late and which
// amended their report; /export sends the period's XLSX workbook
// (flows/report/export), or a download link to it where the channel cannot
// carry the file (Zalo). Both are for officials only (store.RoleOfficial);
// anyone else gets a polite refusal.
//
// The flow only reads: it never owns the conversation, so typed text still
// goes to whatever flow was waiting for it.
package officials

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hocvuso/bot"
	"hocvuso/downloads"
	"hocvuso/flows"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// Name is the flow's name in callback data.
const Name = "officials"

// MenuItem is the main menu's button that opens the overview, shown to
// the officials.
var MenuItem = flows.MenuItem{Label: "officials.menu", Flow: Name, Action: actStart, For: flows.Officials}

// Store is what the flow reads.
type Store interface {
	UserRoles(ctx context.Context, userID int64) ([]store.Role, error)
	PeriodOverview(ctx context.Context, periodID string, kinds []store.KindDue, now time.Time) (store.PeriodOverview, error)
	PeriodReportVersions(ctx context.Context, periodID string) ([]store.ReportVersion, error)
	Form(ctx context.Context, id string, version int) (store.StoredForm, bool, error)
}

// Links offers a file by a download link (downloads.Links), for a channel
// that cannot carry it as a file.
type Links interface {
	Offer(ctx context.Context, d bot.Document, userID int64, now time.Time) (downloads.Link, error)
}

// Flow is the officials' flow.
type Flow struct {
	st    Store
	cfg   *config.Config
	loc   *time.Location
	text  bot.Translator
	links Links
}

// New returns the flow over the records, the reporting configuration, the
// time zone of displayed times (BOT_TIMEZONE) and the catalogue (for the
// workbook).
func New(st Store, cfg *config.Config, loc *time.Location, text bot.Translator) *Flow {
	return &Flow{st: st, cfg: cfg, loc: loc, text: text}
}

// SetLinks lets the workbook go as a download link where the channel cannot
// send it as a file (Zalo takes no XLSX). Without links (no PUBLIC_URL)
// the official is told where else to get it.
func (f *Flow) SetLinks(l Links) { f.links = l }

func (*Flow) Name() string       { return Name }
func (*Flow) Commands() []string { return []string{"overview", "export"} }

// CommandsFor implements flows.ForSome: the overview and the export are
// the officials'.
func (*Flow) CommandsFor() flows.Audience { return flows.Officials }

// Standalone implements flows.Standalone: the start (the list of periods)
// needs no earlier screen, so the button under a digest sent weeks after
// the conversation was forgotten still works. It only reads.
func (*Flow) Standalone(cb bot.Callback) bool { return cb.Action == actStart }

// Actions of the buttons.
const (
	actStart    = "start" // the menu's button: the periods, for the overview
	actPick     = "pick"  // arg: actOverview or actExport; show the periods again
	actOverview = "ov"    // arg: a period
	actExport   = "ex"    // arg: a period
)

// Handle implements flows.Flow.
func (f *Flow) Handle(c *bot.Conversation, in flows.Input) error {
	ok, err := f.isOfficial(c)
	if err != nil {
		return err
	}
	if !ok {
		if in.Callback != nil {
			c.Notice(c.T("officials.refused"))
		}
		// With the way back to the menu: on Zalo, where buttons are a
		// numbered list, a refusal alone is a dead end.
		c.Reply(bot.Reply{Text: c.T("officials.refused"), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
		return nil
	}
	if cb := in.Callback; cb != nil {
		if in.Stale && cb.Action != actStart {
			c.Notice(c.T("stale.button"))
			return nil
		}
		switch cb.Action {
		case actStart:
			return f.pick(c, actOverview)
		case actPick:
			if cb.Arg == actOverview || cb.Arg == actExport {
				return f.pick(c, cb.Arg)
			}
		case actOverview, actExport:
			p, found := f.period(cb.Arg)
			if !found {
				c.Say("officials.period.unknown")
				return f.pick(c, cb.Action)
			}
			if cb.Action == actOverview {
				return f.overview(c, p)
			}
			return f.export(c, p)
		}
		c.Notice(c.T("stale.button"))
		return nil
	}
	switch in.Command {
	case "export":
		return f.pick(c, actExport)
	case "overview":
		return f.pick(c, actOverview)
	}
	// Typed input never comes here: the flow does not own the conversation.
	return f.pick(c, actOverview)
}

func (f *Flow) isOfficial(c *bot.Conversation) (bool, error) {
	if c.Session.UserID == 0 {
		return false, nil
	}
	roles, err := f.st.UserRoles(c.Ctx, c.Session.UserID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(roles, func(r store.Role) bool { return r.Role == store.RoleOfficial }), nil
}

// maxPeriodArg keeps a period id in callback data within Telegram's 64 bytes.
const maxPeriodArg = 40

// period finds a period by the argument of its button.
func (f *Flow) period(arg string) (*config.Period, bool) {
	if strings.HasPrefix(arg, "#") {
		var i int
		if _, err := fmt.Sscanf(arg, "#%d", &i); err != nil || i < 0 || i >= len(f.cfg.Periods) {
			return nil, false
		}
		return f.cfg.Periods[i], true
	}
	return f.cfg.Period(arg)
}

func (f *Flow) periodArg(p *config.Period) string {
	if len(p.ID) <= maxPeriodArg {
		return p.ID
	}
	return fmt.Sprintf("#%d", slices.Index(f.cfg.Periods, p))
}

// Ordered lists the periods as an official picks them: the open ones first,
// the latest due first, then those not open yet, the soonest first.
func Ordered(cfg *config.Config, now time.Time) []*config.Period {
	var open, later []*config.Period
	for _, p := range cfg.Periods {
		if p.IsOpen(now) {
			open = append(open, p)
		} else {
			later = append(later, p)
		}
	}
	slices.SortStableFunc(open, func(a, b *config.Period) int { return b.Due.Compare(a.Due) })
	slices.SortStableFunc(later, func(a, b *config.Period) int { return a.OpensAt.Compare(b.OpensAt) })
	return append(open, later...)
}

// pick asks which period, for the overview or the export.
func (f *Flow) pick(c *bot.Conversation, action string) error {
	periods := Ordered(f.cfg, c.Now)
	if len(periods) == 0 {
		c.Say("officials.no_periods")
		return nil
	}
	c.NextScreen()
	var rows [][]bot.Button
	for _, p := range periods {
		id := "officials.period.button"
		if !p.IsOpen(c.Now) {
			id = "officials.period.button.later"
		}
		rows = append(rows, []bot.Button{c.Button(c.T(id, "Name", p.Name.In(c.Lang())), Name, action, f.periodArg(p))})
	}
	rows = append(rows, flows.BackToMenu(c))
	question := "officials.pick.overview"
	if action == actExport {
		question = "officials.pick.export"
	}
	c.Reply(bot.Reply{Text: c.T(question), Buttons: rows, Edit: c.Update.Kind == bot.KindCallback})
	return nil
}

// KindDues lists the kinds of unit a period applies to with their due
// dates, as store.PeriodOverview takes them, in the order of config.Kinds.
func KindDues(p *config.Period) []store.KindDue {
	var out []store.KindDue
	for _, k := range config.Kinds {
		if p.AppliesTo(k) {
			out = append(out, store.KindDue{Kind: string(k), Due: p.DueFor(k)})
		}
	}
	return out
}

// maxMessage bounds the text of one message of a list, in characters, well
// under every channel's limit (Telegram 4096, Zalo 2000).
const maxMessage = 1800

// overview shows where the period stands: counts by kind, the late units,
// the amended reports; long lists go over several messages.
func (f *Flow) overview(c *bot.Conversation, p *config.Period) error {
	kinds := KindDues(p)
	ov, err := f.st.PeriodOverview(c.Ctx, p.ID, kinds, c.Now)
	if err != nil {
		return err
	}
	lang := c.Lang()
	summary := []string{c.T("officials.overview.title", "Period", p.Name.In(lang), "At", f.stamp(c.Now))}
	if !p.IsOpen(c.Now) {
		summary = append(summary, c.T("officials.overview.not_open", "Date", f.day(p.OpensAt)))
	}
	if len(ov.Units) == 0 {
		summary = append(summary, "", c.T("officials.overview.empty"))
	} else {
		summary = append(summary, "")
		for i, k := range ov.ByKind {
			if k.Total == 0 {
				continue
			}
			due := f.day(kinds[i].Due)
			if p.Provisional {
				due = c.T("officials.overview.due.provisional", "Date", due)
			}
			summary = append(summary, c.T("officials.overview.kind", "Kind", c.T(config.Kind(k.Kind).NameID()),
				"Due", due, "Submitted", k.Submitted, "Total", k.Total,
				"Late", k.SubmittedLate, "Overdue", k.Overdue))
		}
		summary = append(summary, "", c.T("officials.overview.total", "Submitted", ov.Total.Submitted, "Total", ov.Total.Total))
	}
	messages := []string{strings.Join(summary, "\n")}

	if len(ov.Units) > 0 {
		messages = append(messages, lateMessages(c, ov)...)
	}
	messages = append(messages, f.amendedMessages(c, ov)...)

	c.NextScreen()
	buttons := [][]bot.Button{
		{c.Button(c.T("officials.button.export"), Name, actExport, f.periodArg(p))},
		{c.Button(c.T("officials.button.other"), Name, actPick, actOverview)},
		flows.BackToMenu(c),
	}
	for i, text := range messages {
		r := bot.Reply{Text: text}
		if i == 0 {
			r.Edit = c.Update.Kind == bot.KindCallback // replaces the list of periods
		}
		if i == len(messages)-1 {
			r.Buttons = buttons
		}
		c.Reply(r)
	}
	return nil
}

// LatePerKind is how many late units of one kind the overview lists; the
// others are counted ("and 12 more"), and the workbook has them all.
const LatePerKind = 10

// lateMessages lists the late units by kind of unit, in the decision's
// order: each kind under its name and count, at most LatePerKind units
// each, then, when some were left out, where to find them all.
func lateMessages(c *bot.Conversation, ov store.PeriodOverview) []string {
	groups := ov.LateByKind()
	if len(groups) == 0 {
		return []string{c.T("officials.overview.late.none")}
	}
	n := 0
	for _, g := range groups {
		n += len(g.Units)
	}
	blocks, cut := kindBlocks(c, groups, "officials.overview.late", func(u store.UnitOverview) string {
		if u.Submitted() {
			return c.T("officials.overview.late.submitted", "Name", u.Name, "Days", u.DaysLate)
		}
		return c.T("officials.overview.late.missing", "Name", u.Name, "Days", u.DaysLate)
	})
	if cut {
		blocks = append(blocks, []string{c.T("officials.overview.late.all", "Button", c.T("officials.button.export"))})
	}
	return split(c.T("officials.overview.late.title", "N", n), c.T("officials.overview.continued"), blocks)
}

// kindBlocks renders units grouped by kind, one block per kind: its name
// and count (message prefix+".kind"), at most LatePerKind units, each as
// item renders it, then how many were left out (prefix+".more"). cut says
// whether any kind was cut.
func kindBlocks(c *bot.Conversation, groups []store.KindUnits, prefix string, item func(store.UnitOverview) string) (blocks [][]string, cut bool) {
	for _, g := range groups {
		block := []string{c.T(prefix+".kind", "Kind", c.T(config.Kind(g.Kind).NameID()), "N", len(g.Units))}
		shown, more := g.Cut(LatePerKind)
		for _, u := range shown {
			block = append(block, item(u))
		}
		if more > 0 {
			cut = true
			block = append(block, c.T(prefix+".more", "N", more))
		}
		blocks = append(blocks, block)
	}
	return blocks, cut
}

// amendedMessages lists the amended reports as lateMessages lists the late
// units: by kind of unit in the decision's order, each kind under its name
// and count, the latest amended first, at most LatePerKind each, then, when
// some were left out, where the workbook has them all. Nothing when no
// report was amended.
func (f *Flow) amendedMessages(c *bot.Conversation, ov store.PeriodOverview) []string {
	var amended []store.UnitOverview
	for _, u := range ov.Units {
		if u.Version > 1 {
			amended = append(amended, u)
		}
	}
	if len(amended) == 0 {
		return nil
	}
	slices.SortStableFunc(amended, func(a, b store.UnitOverview) int { return b.LastSubmittedAt.Compare(a.LastSubmittedAt) })
	kinds := make([]string, len(ov.ByKind))
	for i, k := range ov.ByKind {
		kinds[i] = k.Kind
	}
	blocks, cut := kindBlocks(c, store.GroupByKind(amended, kinds), "officials.overview.amended", func(u store.UnitOverview) string {
		return c.T("officials.overview.amended.item", "Name", u.Name, "Version", u.Version,
			"At", f.stamp(u.LastSubmittedAt), "Reason", u.Reason)
	})
	if cut {
		blocks = append(blocks, []string{c.T("officials.overview.amended.all", "Button", c.T("officials.button.export"))})
	}
	return split(c.T("officials.overview.amended.title", "N", len(amended)), c.T("officials.overview.continued"), blocks)
}

// split puts a titled list into messages of at most maxMessage characters,
// whole lines each; the messages after the first start with more. The list
// comes in blocks (a kind's name and its units), a blank line between two
// blocks of one message; a block's first line (its heading) stays with the
// line after it.
func split(title, more string, blocks [][]string) []string {
	var out []string
	cur, fresh := title, true // fresh: cur holds only the title, or more
	for _, block := range blocks {
		for i, l := range block {
			sep := "\n"
			if i == 0 && !fresh {
				sep = "\n\n"
			}
			need := len(sep) + utf8.RuneCountInString(l)
			if i == 0 && len(block) > 1 {
				need += 1 + utf8.RuneCountInString(block[1])
			}
			if utf8.RuneCountInString(cur)+need > maxMessage && !fresh {
				out = append(out, cur)
				cur, sep = more, "\n"
			}
			cur += sep + l
			fresh = false
		}
	}
	return append(out, cur)
}

// export sends the period's workbook: as a file where the channel takes
// it, else as a download link, else (no links) with the other ways to get
// it.
func (f *Flow) export(c *bot.Conversation, p *config.Period) error {
	x, err := Export(c.Ctx, f.st, f.cfg, f.text, f.loc, p, c.Now)
	if err != nil {
		return err
	}
	caption := c.T("officials.export.caption", "Period", p.Name.In(c.Lang()), "Submitted", x.Overview.Total.Submitted,
		"Total", x.Overview.Total.Total, "At", f.stamp(c.Now))
	doc := bot.Document{Name: x.Name, MIME: x.MIME, Bytes: x.Bytes, Caption: caption}
	// What the official can do next: the file is no dead end, above all
	// on Zalo, which has no command menu.
	c.NextScreen()
	buttons := [][]bot.Button{
		{c.Button(c.T("officials.button.overview"), Name, actOverview, f.periodArg(p))},
		{c.Button(c.T("officials.button.other"), Name, actPick, actExport)},
		flows.BackToMenu(c),
	}
	if c.CanSendDocument(&doc) {
		c.Reply(bot.Reply{Document: &doc, Buttons: buttons})
		return nil
	}
	channel := c.Update.Channel.Title()
	if f.links == nil {
		c.Reply(bot.Reply{Text: caption + "\n\n" + c.T("files.export.no_link", "Channel", channel, "Period", p.ID), Buttons: buttons})
		return nil
	}
	link, err := f.links.Offer(c.Ctx, doc, c.Session.UserID, c.Now)
	if err != nil {
		return err
	}
	c.Reply(bot.Reply{Text: caption + "\n\n" + c.T("files.link", "Channel", channel, "Name", doc.Name, "URL", link.URL, "Until", f.stamp(link.Expires)),
		Buttons: buttons})
	return nil
}

func (f *Flow) stamp(t time.Time) string { return t.In(f.loc).Format("15:04 02/01/2006") }

// day writes a due date: its day in Asia/Ho_Chi_Minh.
func (f *Flow) day(t time.Time) string { return t.In(config.Location).Format("02/01/2006") }
