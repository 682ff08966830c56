package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// MaxMessage bounds the text of one message of answers (the review, a
// report as sent), in UTF-16 code units: Telegram takes 4,096 per message
// (Zalo, 2,000, splits longer text itself). The margin keeps a message
// whole when a channel adds a line.
const MaxMessage = 3800

// MaxReason is the longest reason of an amendment, in characters.
const MaxReason = 500

// editsPerRow is how many "change" buttons a row of the review holds.
const editsPerRow = 5

// utf16Len counts UTF-16 code units, what Telegram's limits count.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// review shows every answer, split over several messages when long, each
// with buttons to change its fields; then submit (or, when a required field
// is missing, a button to answer it; for an amendment that does not differ
// yet from the version it amends, no submit but how to change it).
func (f *Flow) review(c *bot.Conversation, st *state, d store.Draft, fm *config.Form) error {
	lang := c.Lang()
	kind := st.kind()
	answers := values(d)
	p, _ := f.cfg.Period(st.Period)
	unchanged, err := f.sameAsBase(c, d)
	if err != nil {
		return err
	}

	missing := map[string]bool{}
	for _, fl := range fm.Missing(kind, answers) {
		missing[fl.Key] = true
	}

	c.NextScreen()
	st.Form, st.FormV, st.Base, st.Seen = d.FormID, d.FormVersion, d.BaseVersion, d.Version
	st.Key, st.Review, st.Mine = "", false, nil
	st.NoSend, st.Missing = unchanged, len(missing) > 0
	if err := save(c, stepReview, st); err != nil {
		return err
	}

	head := c.T("report.review.title", "Period", periodName(p, lang), "Unit", st.UnitName)
	if d.BaseVersion > 0 {
		head += "\n" + c.T("report.review.amending", "Version", d.BaseVersion, "Reason", d.Reason)
	}

	var end string
	var actions [][]bot.Button
	switch {
	case len(missing) > 0:
		end = c.T("report.review.missing", "N", len(missing))
		actions = append(actions, []bot.Button{c.Button(c.T("report.button.answer_missing"), Name, "cont", "")})
	case unchanged:
		// Send would only be refused: say how to make a change instead.
		end = c.T("report.review.no_change_yet", "Version", d.BaseVersion)
	default:
		end = c.T("report.review.ready")
		actions = append(actions, []bot.Button{c.Button(c.T("report.button.submit"), Name, "submit", "")})
	}
	if d.BaseVersion > 0 {
		actions = append(actions, []bot.Button{
			c.Button(c.T("report.button.reason"), Name, "reason", ""),
			c.Button(c.T("report.button.discard"), Name, "discard", ""),
		})
	}
	actions = append(actions, []bot.Button{c.Button(c.T("report.button.pause"), Name, "pause", "")})
	edit := func(n int, fl *config.Field) bot.Button {
		return c.Button(c.T("report.button.edit", "N", n), Name, "edit", fl.Key)
	}
	sendPages(c, f.answerPages(c, head, fm, kind, answers, missing, edit, end), actions)
	return nil
}

// page is one message of a list of answers: its text, and the buttons of
// the fields it shows.
type page struct {
	text    strings.Builder
	buttons []bot.Button
}

// answerPages writes head, then the answer to every field of fm that
// applies to kind, section by section, numbered, then end (when not ""),
// over as many messages as MaxMessage needs. A field in missing is shown
// as a required field not answered, one without an answer as not
// answered. button, when not nil, makes the button of field number n, on
// the message that shows it: the review's ✏️. The review and a report as
// sent (showSent) are the same list.
func (f *Flow) answerPages(c *bot.Conversation, head string, fm *config.Form, kind config.Kind, answers map[string]config.Value,
	missing map[string]bool, button func(n int, fl *config.Field) bot.Button, end string) []*page {
	lang := c.Lang()
	var pages []*page
	cur := &page{}
	cur.text.WriteString(head)
	add := func(s string) {
		if cur.text.Len() > 0 && utf16Len(cur.text.String())+utf16Len(s) > MaxMessage {
			pages = append(pages, cur)
			cur = &page{}
			s = strings.TrimLeft(s, "\n")
		}
		cur.text.WriteString(s)
	}
	n := 0
	for _, sec := range fm.Sections {
		var fields []*config.Field
		for _, fl := range sec.Fields {
			if fl.AppliesTo(kind) {
				fields = append(fields, fl)
			}
		}
		if len(fields) == 0 {
			continue
		}
		title := "\n\n" + c.T("report.review.section", "Title", sec.Title.In(lang))
		for i, fl := range fields {
			n++
			value := c.T("report.value.none")
			if v, ok := answers[fl.Key]; ok {
				value = f.show(c, fl, v)
			}
			if missing[fl.Key] {
				value = c.T("report.value.missing")
			}
			entry := fmt.Sprintf("\n\n%d. %s\n%s", n, fl.Label.In(lang), value)
			if i == 0 {
				entry = title + entry
			}
			add(entry)
			if button != nil {
				cur.buttons = append(cur.buttons, button(n, fl))
			}
		}
	}
	if end != "" {
		add("\n\n" + end)
	}
	return append(pages, cur)
}

// sendPages sends pages, each with its fields' buttons, editsPerRow to a
// row, the last with the rows of actions too.
func sendPages(c *bot.Conversation, pages []*page, actions [][]bot.Button) {
	for i, m := range pages {
		var rows [][]bot.Button
		for j := 0; j < len(m.buttons); j += editsPerRow {
			rows = append(rows, m.buttons[j:min(j+editsPerRow, len(m.buttons))])
		}
		if i == len(pages)-1 {
			rows = append(rows, actions...)
		}
		c.Reply(bot.Reply{Text: m.text.String(), Buttons: rows})
	}
}

func periodName(p *config.Period, lang string) string {
	if p == nil {
		return ""
	}
	return p.Name.In(lang)
}

// submit turns the reviewed draft into a version of the unit's report: a
// receipt for the user; the officials' notices are planned in the same
// transaction, and the scheduler sends them (the user does not wait).
func (f *Flow) submit(c *bot.Conversation, st *state) error {
	if c.Session.Step != stepReview {
		c.Notice(c.T("stale.button"))
		return nil
	}
	p, ok := f.period(c, st.Period, st.kind())
	if !ok {
		c.Notice(c.T("stale.button"))
		return nil
	}
	if st.Base > 0 {
		// An amendment that changes nothing would be a version, a receipt
		// and notices for nothing: the draft and its reason stay, to change
		// an answer or drop the amendment.
		d, unchanged, err := f.unchangedAmendment(c, st)
		if err != nil {
			return err
		}
		if unchanged {
			fm, err := f.form(c.Ctx, d.FormID, d.FormVersion)
			if err != nil {
				return err
			}
			c.Reply(bot.Reply{Text: c.T("report.review.unchanged", "Version", d.BaseVersion)})
			return f.review(c, st, d, fm)
		}
	}
	v, err := f.store.SubmitReport(c.Ctx, store.Submission{
		UnitCode: st.Unit, PeriodID: st.Period, Seen: st.Seen, Due: p.DueFor(st.kind()), By: c.Session.UserID, At: c.Now,
		Notify: f.notices,
	})
	var conflict *store.DraftConflict
	switch {
	case errors.As(err, &conflict):
		// Someone changed the draft since this review: review it again.
		c.Say("report.review.changed")
		return f.resume(c, st, true)
	case errors.Is(err, store.ErrNoDraft):
		c.Say("report.submitted_meanwhile")
		return f.open(c, st.Unit, st.Period)
	case errors.Is(err, store.ErrReasonRequired):
		return f.askReason(c, st)
	case err != nil:
		return err
	}

	lang := c.Lang()
	text := c.T("report.receipt", "Period", p.Name.In(lang), "Unit", st.UnitName, "Receipt", v.Receipt,
		"Time", showTime(v.SubmittedAt, f.loc)) + "\n" + versionLatenessText(c, v)
	if v.Version > 1 {
		text += "\n" + c.T("report.receipt.amended", "Version", v.Version, "Reason", v.Reason)
	}
	c.Session.Reset()
	c.NextScreen()
	c.Reply(bot.Reply{Text: text, Buttons: [][]bot.Button{
		{c.Button(c.T("report.button.list"), Name, "list", "")},
		flows.BackToMenu(c),
	}})
	return nil
}

// ---- amendments ----

// unchangedAmendment reports whether the draft under review amends a
// version and holds exactly its answers, and returns the draft. Only the
// draft the user reviewed (st.Seen) is judged: one changed since is left to
// SubmitReport, which refuses it. A change changed back is no change.
func (f *Flow) unchangedAmendment(c *bot.Conversation, st *state) (store.Draft, bool, error) {
	d, ok, err := f.draft(c, st)
	if err != nil || !ok || d.Version != st.Seen {
		return d, false, err
	}
	same, err := f.sameAsBase(c, d)
	return d, same, err
}

// sameAsBase reports whether d amends a version and holds exactly that
// version's form and answers (sameAnswers): the one comparison behind both
// the review, which then offers no submit, and the refusal at submit.
func (f *Flow) sameAsBase(c *bot.Conversation, d store.Draft) (bool, error) {
	if d.BaseVersion == 0 {
		return false, nil
	}
	v, ok, err := f.store.FindReportVersion(c.Ctx, d.UnitCode, d.PeriodID, d.BaseVersion)
	if err != nil || !ok {
		return false, err
	}
	return v.FormID == d.FormID && v.FormVersion == d.FormVersion && sameAnswers(d.Answers, v.Answers), nil
}

// sameAnswers reports whether a draft's answers are a version's, as both
// store them (JSON of config.Value by field key): the same fields, each the
// same answer by config.Value.Equal, so a file is the same only with the
// same SHA-256, name, type and size. Values are compared as the form's
// parsers left them, nothing more is normalised. An answer that cannot be
// read counts as a change: an amendment is never refused on a guess.
func sameAnswers(draft map[string]json.RawMessage, version json.RawMessage) bool {
	submitted, err := config.DecodeAnswers(version)
	if err != nil || len(submitted) != len(draft) {
		return false
	}
	for key, raw := range draft {
		was, ok := submitted[key]
		if !ok {
			return false
		}
		var now config.Value
		if json.Unmarshal(raw, &now) != nil || !now.Equal(was) {
			return false
		}
	}
	return true
}

// askReason asks why the report is amended: before the amendment starts,
// or to change the reason from the review.
func (f *Flow) askReason(c *bot.Conversation, st *state) error {
	c.NextScreen()
	st.Key, st.Mine = "", nil
	if err := save(c, stepReason, st); err != nil {
		return err
	}
	c.Reply(bot.Reply{Text: c.T("report.reason.ask"), Buttons: [][]bot.Button{
		{c.Button(c.T("report.button.cancel"), Name, "noreason", "")},
	}})
	return nil
}

// reasonCancelled leaves the reason's question: back to the submitted
// report when the amendment had not started, to the review when it has a
// reason already. An amendment begun without one (an answer that came
// after someone else submitted) is dropped: the report stays as sent, and
// the answer is in the audit log.
func (f *Flow) reasonCancelled(c *bot.Conversation, st *state) error {
	d, ok, err := f.draft(c, st)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		return f.open(c, st.Unit, st.Period)
	case d.Reason != "" || d.BaseVersion == 0:
		return f.continueDraft(c, st, d)
	}
	err = f.store.DiscardAmendment(c.Ctx, st.Unit, st.Period, d.Version, c.Session.UserID, c.Now)
	var conflict *store.DraftConflict
	if err != nil && !errors.As(err, &conflict) && !errors.Is(err, store.ErrNoDraft) {
		return err
	}
	if err == nil {
		c.Say("report.discard.done")
	}
	return f.open(c, st.Unit, st.Period)
}

func (f *Flow) reasonTyped(c *bot.Conversation, st *state, text string) error {
	// "Hủy" typed (Zalo, the console, a habit) is the Cancel button of the
	// question, never a reason the officials would read.
	if typedButton(c, text, "report.button.cancel") {
		return f.reasonCancelled(c, st)
	}
	reason, n := cleanReason(text)
	switch {
	case n == 0 || !config.HasWords(reason):
		// ".", "-" or an emoji is no reason the officials could read.
		c.Say("report.reason.required")
		return nil
	case n > MaxReason:
		c.Reply(bot.Reply{Text: c.T("report.reason.too_long", "Length", config.FormatCount(n, c.Lang()), "Max", config.FormatCount(MaxReason, c.Lang()))})
		return nil
	}
	p, ok := f.period(c, st.Period, st.kind())
	if !ok {
		return f.list(c)
	}
	fm := f.cfg.PeriodForm(p)
	d, err := f.store.OpenAmendment(c.Ctx, store.DraftStart{UnitCode: st.Unit, PeriodID: st.Period, FormID: fm.ID, FormVersion: fm.Version,
		By: c.Session.UserID, At: c.Now}, reason)
	if errors.Is(err, store.ErrNotAmendment) {
		return f.open(c, st.Unit, st.Period)
	}
	if err != nil {
		return err
	}
	c.Say("report.reason.saved")
	st.Form, st.FormV, st.Base = d.FormID, d.FormVersion, d.BaseVersion
	dfm, err := f.form(c.Ctx, d.FormID, d.FormVersion)
	if err != nil {
		return err
	}
	return f.review(c, st, d, dfm)
}

// discard asks to confirm throwing the amendment away.
func (f *Flow) discard(c *bot.Conversation, st *state) error {
	if c.Session.Step != stepReview || st.Base == 0 {
		c.Notice(c.T("stale.button"))
		return nil
	}
	c.NextScreen()
	if err := save(c, stepReview, st); err != nil {
		return err
	}
	c.Reply(bot.Reply{Text: c.T("report.discard.confirm", "Version", st.Base), Buttons: [][]bot.Button{
		{c.Button(c.T("report.button.discard_yes"), Name, "discardok", strconv.FormatInt(st.Seen, 10))},
		{c.Button(c.T("report.button.discard_no"), Name, "review", "")},
	}})
	return nil
}

func (f *Flow) discardConfirmed(c *bot.Conversation, st *state) error {
	if c.Session.Step != stepReview || st.Base == 0 {
		c.Notice(c.T("stale.button"))
		return nil
	}
	err := f.store.DiscardAmendment(c.Ctx, st.Unit, st.Period, st.Seen, c.Session.UserID, c.Now)
	var conflict *store.DraftConflict
	switch {
	case errors.As(err, &conflict):
		c.Say("report.review.changed")
		return f.resume(c, st, true)
	case errors.Is(err, store.ErrNoDraft), errors.Is(err, store.ErrNotAmendment):
		return f.open(c, st.Unit, st.Period)
	case err != nil:
		return err
	}
	c.Say("report.discard.done")
	return f.open(c, st.Unit, st.Period)
}
