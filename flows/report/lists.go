package report

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// list shows the user's units to choose from, or the periods of the only one.
func (f *Flow) list(c *bot.Conversation) error {
	units, err := f.units(c)
	if err != nil {
		return err
	}
	switch len(units) {
	case 0:
		return f.notFocal(c)
	case 1:
		return f.periods(c, units, 0)
	}
	c.NextScreen()
	rows := make([][]bot.Button, 0, len(units)+1)
	for _, code := range units {
		u, ok, err := f.store.Unit(c.Ctx, code)
		if err != nil {
			return err
		}
		if ok {
			rows = append(rows, []bot.Button{c.Button(u.Name, Name, "unit", code)})
		}
	}
	rows = append(rows, flows.BackToMenu(c))
	c.Session.Reset()
	c.Reply(bot.Reply{Text: c.T("report.choose_unit"), Buttons: rows})
	return nil
}

func (f *Flow) chooseUnit(c *bot.Conversation, code string) error {
	units, err := f.units(c)
	if err != nil {
		return err
	}
	for i, u := range units {
		if u == code {
			return f.periods(c, units, i)
		}
	}
	if len(units) == 0 {
		return f.notFocal(c)
	}
	c.Notice(c.T("stale.button"))
	return nil
}

// periods shows the open periods of one of the user's units, with their
// state, to choose one.
func (f *Flow) periods(c *bot.Conversation, units []string, i int) error {
	c.NextScreen()
	text, rows, list, err := f.unitStatus(c, units, i)
	if err != nil {
		return err
	}
	rows = append(rows, flows.BackToMenu(c))
	if err := save(c, stepChoose, &state{List: list}); err != nil {
		return err
	}
	c.Reply(bot.Reply{Text: text + "\n\n" + c.T("report.choose_period"), Buttons: rows})
	return nil
}

// status shows, for each of the user's units, its periods with due date,
// state and days left.
func (f *Flow) status(c *bot.Conversation) error {
	units, err := f.units(c)
	if err != nil {
		return err
	}
	if len(units) == 0 {
		return f.notFocal(c)
	}
	c.NextScreen()
	// The list is on screen now, not the question or the reason asked
	// before: what is typed next must not answer it unseen. /report goes
	// on where the draft stands.
	st, _ := load(c)
	st.Key, st.Review, st.Mine, st.Again, st.List = "", false, nil, "", nil
	for i := range units {
		text, rows, list, err := f.unitStatus(c, units, i)
		if err != nil {
			return err
		}
		if len(units) == 1 {
			// Several units' lists each count from 1: a number typed
			// would not say which.
			st.List = list
		}
		if i == len(units)-1 {
			rows = append(rows, flows.BackToMenu(c))
		}
		c.Reply(bot.Reply{Text: text, Buttons: rows})
	}
	return save(c, stepChoose, &st)
}

// unitStatus writes where unit i of units stands in each open period, with
// a button to open each, numbered; list is the buttons' "open" arguments.
func (f *Flow) unitStatus(c *bot.Conversation, units []string, i int) (string, [][]bot.Button, []string, error) {
	u, ok, err := f.store.Unit(c.Ctx, units[i])
	if err != nil || !ok {
		return "", nil, nil, fmt.Errorf("report: unit %s of a focal point: %v", units[i], err)
	}
	kind := config.Kind(u.Kind)
	statuses, err := f.store.UnitStatus(c.Ctx, u.Code, f.dues(c, kind), c.Now)
	if err != nil {
		return "", nil, nil, err
	}
	var b strings.Builder
	b.WriteString(c.T("report.status.unit", "Unit", u.Name))
	if len(statuses) == 0 {
		b.WriteString("\n\n" + c.T("report.status.none"))
	}
	var rows [][]bot.Button
	var list []string
	for n, s := range statuses {
		p, _ := f.cfg.Period(s.PeriodID)
		due := showDate(s.Due)
		if p.Provisional {
			due = c.T("report.due.provisional", "Date", due)
		}
		fmt.Fprintf(&b, "\n\n%d. %s\n%s", n+1, p.Name.In(c.Lang()), c.T("report.status.line",
			"Due", due, "State", stateText(c, s), "Days", daysText(c, s)))
		arg := strconv.Itoa(i) + ":" + p.ID
		rows = append(rows, []bot.Button{c.Button(strconv.Itoa(n+1)+". "+p.Name.In(c.Lang()), Name, "open", arg)})
		list = append(list, arg)
	}
	return b.String(), rows, list, nil
}

// stateText names a unit's state in a period.
func stateText(c *bot.Conversation, s store.PeriodStatus) string {
	switch s.State {
	case store.StateDraft:
		// Opened but nothing answered yet is still a draft, as the
		// officials' overview counts it; "0 answered" is not said.
		if s.DraftAnswers == 0 {
			return c.T("report.state.draft_empty")
		}
		return c.T("report.state.draft", "N", s.DraftAnswers)
	case store.StateOverdue:
		if s.HasDraft && s.DraftAnswers == 0 {
			return c.T("report.state.overdue_draft_empty")
		}
		if s.HasDraft {
			return c.T("report.state.overdue_draft", "N", s.DraftAnswers)
		}
		return c.T("report.state.overdue")
	case store.StateSubmitted:
		return c.T("report.state.submitted", "Receipt", s.Receipt)
	case store.StateSubmittedLate:
		return c.T("report.state.submitted_late", "Receipt", s.Receipt, "Days", s.DaysLate)
	case store.StateAmended:
		// Late or not is the first submission's, as /overview and the
		// workbook count it: amending does not make a report late.
		if s.DaysLate > 0 {
			return c.T("report.state.amended_late", "Receipt", s.Receipt, "Version", s.Version, "Days", s.DaysLate)
		}
		return c.T("report.state.amended", "Receipt", s.Receipt, "Version", s.Version)
	}
	return c.T("report.state.not_started")
}

// daysText says how long is left before the due date, or how long ago it
// was; nothing once the report is in.
func daysText(c *bot.Conversation, s store.PeriodStatus) string {
	switch {
	case s.Version > 0:
		return c.T("report.days.done", "Date", showDate(s.FirstSubmittedAt))
	case s.DaysLeft > 1:
		return c.T("report.days.left", "N", s.DaysLeft)
	case s.DaysLeft == 1:
		return c.T("report.days.left_one")
	case s.DaysLeft == 0:
		return c.T("report.days.today")
	case s.DaysLeft == -1:
		return c.T("report.days.overdue_one")
	}
	return c.T("report.days.overdue", "N", -s.DaysLeft)
}

// showDate writes a date in Asia/Ho_Chi_Minh as every date the bot
// writes: 30/06/2025.
func showDate(t time.Time) string { return t.In(config.Location).Format(config.DateLayout) }

// showTime writes an instant in loc: 09:15 25/06/2025.
func showTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("15:04 " + config.DateLayout)
}

// openTapped opens a period from a list: "unit index:period".
func (f *Flow) openTapped(c *bot.Conversation, arg string) error {
	units, err := f.units(c)
	if err != nil {
		return err
	}
	if len(units) == 0 {
		return f.notFocal(c)
	}
	i, period, ok := parseOpenArg(arg)
	if !ok || i >= len(units) {
		c.Notice(c.T("stale.button"))
		return nil
	}
	return f.open(c, units[i], period)
}

// open goes to a unit's period: its draft where it stands, the submitted
// report, or a new draft.
func (f *Flow) open(c *bot.Conversation, code, periodID string) error {
	return f.openDraft(c, code, periodID, false)
}

// openDraft is open; resuming says first which report goes on, for a user
// back after days, or on a draft another focal point began.
func (f *Flow) openDraft(c *bot.Conversation, code, periodID string, resuming bool) error {
	u, ok, err := f.store.Unit(c.Ctx, code)
	if err != nil {
		return err
	}
	kind := config.Kind(u.Kind)
	p, open := f.period(c, periodID, kind)
	if !ok || !open {
		c.Notice(c.T("stale.button"))
		return f.list(c)
	}
	st := state{Unit: code, UnitName: u.Name, Kind: u.Kind, Period: p.ID}
	d, has, err := f.store.Draft(c.Ctx, code, p.ID)
	if err != nil {
		return err
	}
	if has {
		if resuming {
			c.Reply(bot.Reply{Text: c.T("report.resuming", "Period", p.Name.In(c.Lang()), "Unit", u.Name)})
		}
		return f.reopen(c, &st, d)
	}
	versions, err := f.store.ReportVersions(c.Ctx, code, p.ID)
	if err != nil {
		return err
	}
	if len(versions) > 0 {
		return f.showReport(c, &st, versions)
	}
	fm := f.cfg.PeriodForm(p)
	if err := f.record(c, fm); err != nil {
		return err
	}
	d, _, err = f.store.OpenDraft(c.Ctx, store.DraftStart{UnitCode: code, PeriodID: p.ID, FormID: fm.ID, FormVersion: fm.Version, By: c.Session.UserID, At: c.Now})
	if err != nil {
		return err
	}
	if d.BaseVersion == 0 {
		due := showDate(p.DueFor(kind))
		if p.Provisional {
			due = c.T("report.due.provisional", "Date", due)
		}
		c.Reply(bot.Reply{Text: c.T("report.intro", "Period", p.Name.In(c.Lang()), "Unit", u.Name, "Due", due,
			"N", len(fm.FieldsFor(kind)))})
	}
	return f.continueDraft(c, &st, d)
}

// showReport shows a submitted report: every version, and the amend button.
func (f *Flow) showReport(c *bot.Conversation, st *state, versions []store.ReportVersion) error {
	p, _ := f.cfg.Period(st.Period)
	var b strings.Builder
	b.WriteString(c.T("report.submitted.title", "Period", p.Name.In(c.Lang()), "Unit", st.UnitName))
	for _, v := range versions {
		b.WriteString("\n\n")
		b.WriteString(c.T("report.submitted.version", "Version", v.Version, "Receipt", v.Receipt, "Time", showTime(v.SubmittedAt, f.loc)))
		b.WriteString("\n" + versionLatenessText(c, v))
		if v.Reason != "" {
			b.WriteString("\n" + c.T("report.submitted.reason", "Reason", v.Reason))
		}
	}
	c.NextScreen()
	st.Key, st.Review, st.Mine = "", false, nil
	if err := save(c, stepChoose, st); err != nil {
		return err
	}
	c.Reply(bot.Reply{Text: b.String(), Buttons: append([][]bot.Button{
		{c.Button(c.T("report.button.sent"), Name, "sent", "")},
	}, submittedActions(c)...)})
	return nil
}

// submittedActions are the buttons under a submitted report: amend it,
// the periods, the menu.
func submittedActions(c *bot.Conversation) [][]bot.Button {
	return [][]bot.Button{
		{c.Button(c.T("report.button.amend"), Name, "amend", "")},
		{c.Button(c.T("report.button.list"), Name, "list", "")},
		flows.BackToMenu(c),
	}
}

// showSent shows the answers of the latest version of the unit's report,
// read only, as the review shows a draft's (answerPages), in the form
// version it was sent with; then the buttons of the submitted report.
func (f *Flow) showSent(c *bot.Conversation, st *state) error {
	p, ok := f.period(c, st.Period, st.kind())
	if !ok {
		c.Notice(c.T("stale.button"))
		return f.list(c)
	}
	versions, err := f.store.ReportVersions(c.Ctx, st.Unit, st.Period)
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return f.open(c, st.Unit, st.Period)
	}
	v := versions[len(versions)-1]
	fm, err := f.form(c.Ctx, v.FormID, v.FormVersion)
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(v.Answers, &raw); err != nil {
		return fmt.Errorf("report: answers of %s: %w", v.Receipt, err)
	}
	head := c.T("report.sent.title", "Period", p.Name.In(c.Lang()), "Unit", st.UnitName) + "\n" +
		c.T("report.submitted.version", "Version", v.Version, "Receipt", v.Receipt, "Time", showTime(v.SubmittedAt, f.loc)) +
		"\n" + versionLatenessText(c, v)
	if v.Reason != "" {
		head += "\n" + c.T("report.submitted.reason", "Reason", v.Reason)
	}
	c.NextScreen()
	st.Key, st.Review, st.Mine = "", false, nil
	if err := save(c, stepChoose, st); err != nil {
		return err
	}
	pages := f.answerPages(c, head, fm, st.kind(), readValues(raw), nil, nil, c.T("report.sent.end"))
	sendPages(c, pages, submittedActions(c))
	return nil
}

// versionLatenessText says how late version v of a report counts, as its
// receipt said: a first version, its own lateness; an amendment, the first
// submission's (an amendment does not make a report late).
func versionLatenessText(c *bot.Conversation, v store.ReportVersion) string {
	id, days := versionLateness(v)
	return c.T(id, "Days", days)
}

// latenessID is the message saying a report came on time or daysLate days
// late; its template takes Days.
func latenessID(daysLate int) string {
	switch daysLate {
	case 0:
		return "report.on_time"
	case 1:
		return "report.late_one"
	}
	return "report.late"
}
