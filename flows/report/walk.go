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

// values decodes a draft's answers; an answer that cannot be read counts
// as not given (it stays in the draft and the audit log).
func values(d store.Draft) map[string]config.Value { return readValues(d.Answers) }

// readValues decodes answers as a draft or a version stores them, by field
// key; an answer that cannot be read counts as not given.
func readValues(answers map[string]json.RawMessage) map[string]config.Value {
	out := make(map[string]config.Value, len(answers))
	for k, raw := range answers {
		var v config.Value
		if json.Unmarshal(raw, &v) == nil && v.Type != "" {
			out[k] = v
		}
	}
	return out
}

// field returns the form of the draft being filled in and the field asked.
func (f *Flow) field(c *bot.Conversation, st *state) (*config.Form, *config.Field, error) {
	fm, err := f.form(c.Ctx, st.Form, st.FormV)
	if err != nil {
		return nil, nil, err
	}
	fl, ok := fm.Field(st.Key)
	if !ok {
		return fm, nil, fmt.Errorf("report: field %q is not in form %s v%d", st.Key, st.Form, st.FormV)
	}
	return fm, fl, nil
}

// draft reads the draft being filled in; ok is false when it is gone
// (submitted, or thrown away, by someone else).
func (f *Flow) draft(c *bot.Conversation, st *state) (store.Draft, bool, error) {
	return f.store.Draft(c.Ctx, st.Unit, st.Period)
}

// toAsk lists the keys of the fields of fm, asked of units of kind, still
// to ask: those with no answer at all, and the required ones whose answer
// does not count (fm.Missing: marked skipped, or refused by the field now).
// Without the latter, "Answer what is missing" would land on the review
// again and again.
func toAsk(fm *config.Form, kind config.Kind, answers map[string]config.Value) map[string]bool {
	out := map[string]bool{}
	for _, fl := range fm.FieldsFor(kind) {
		if _, ok := answers[fl.Key]; !ok {
			out[fl.Key] = true
		}
	}
	for _, fl := range fm.Missing(kind, answers) {
		out[fl.Key] = true
	}
	return out
}

// continueDraft goes where the draft stands: the reason of an amendment
// when it has none yet, else the first field still to ask (toAsk), else
// the review.
func (f *Flow) continueDraft(c *bot.Conversation, st *state, d store.Draft) error {
	st.Form, st.FormV, st.Base, st.Seen = d.FormID, d.FormVersion, d.BaseVersion, d.Version
	st.Key, st.Review, st.Mine = "", false, nil
	if d.BaseVersion > 0 && d.Reason == "" {
		return f.askReason(c, st)
	}
	fm, err := f.form(c.Ctx, d.FormID, d.FormVersion)
	if err != nil {
		return err
	}
	pending := toAsk(fm, st.kind(), values(d))
	for _, fl := range fm.FieldsFor(st.kind()) {
		if pending[fl.Key] {
			return f.ask(c, st, d, fm, fl)
		}
	}
	return f.review(c, st, d, fm)
}

// reopen goes where a draft opened again stands: as continueDraft, except
// that a draft with an answer to every field shows the review, which says
// what is still missing (an answer that does not count, see toAsk) and
// offers to answer it. This is where Stray says the draft goes on
// (position).
func (f *Flow) reopen(c *bot.Conversation, st *state, d store.Draft) error {
	if d.BaseVersion > 0 && d.Reason == "" {
		return f.continueDraft(c, st, d)
	}
	fm, err := f.form(c.Ctx, d.FormID, d.FormVersion)
	if err != nil {
		return err
	}
	answers := values(d)
	for _, fl := range fm.FieldsFor(st.kind()) {
		if _, ok := answers[fl.Key]; !ok {
			return f.continueDraft(c, st, d)
		}
	}
	st.Form, st.FormV, st.Base, st.Seen = d.FormID, d.FormVersion, d.BaseVersion, d.Version
	st.Key, st.Review, st.Mine = "", false, nil
	return f.review(c, st, d, fm)
}

// resume reads the draft again and goes to the review, or where it stands.
func (f *Flow) resume(c *bot.Conversation, st *state, toReview bool) error {
	d, ok, err := f.draft(c, st)
	if err != nil {
		return err
	}
	if !ok {
		return f.open(c, st.Unit, st.Period)
	}
	if toReview && !(d.BaseVersion > 0 && d.Reason == "") {
		st.Form, st.FormV, st.Base, st.Seen = d.FormID, d.FormVersion, d.BaseVersion, d.Version
		st.Key, st.Review, st.Mine = "", false, nil
		fm, err := f.form(c.Ctx, d.FormID, d.FormVersion)
		if err != nil {
			return err
		}
		return f.review(c, st, d, fm)
	}
	return f.continueDraft(c, st, d)
}

// next goes on after an answer: back to the review when the field was
// opened from it, else to the next field still to ask (toAsk), else the
// review.
func (f *Flow) next(c *bot.Conversation, st *state, d store.Draft, fm *config.Form) error {
	fields := fm.FieldsFor(st.kind())
	pending := toAsk(fm, st.kind(), values(d))
	if !st.Review {
		i := indexOf(fields, st.Key)
		for _, j := range append(seq(i+1, len(fields)), seq(0, i+1)...) {
			if pending[fields[j].Key] {
				return f.ask(c, st, d, fm, fields[j])
			}
		}
	}
	st.Review = false
	return f.review(c, st, d, fm)
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func indexOf(fields []*config.Field, key string) int {
	for i, fl := range fields {
		if fl.Key == key {
			return i
		}
	}
	return -1
}

// ask shows a field: where it is in the form, the question, its help, how
// to answer, the answer so far, and the buttons its type takes.
func (f *Flow) ask(c *bot.Conversation, st *state, d store.Draft, fm *config.Form, fl *config.Field) error {
	lang := c.Lang()
	fields := fm.FieldsFor(st.kind())
	i := indexOf(fields, fl.Key)
	cur, answered := values(d)[fl.Key]

	var b strings.Builder
	if sec, ok := fm.SectionOf(fl.Key); ok {
		b.WriteString(c.T("report.ask.position", "Section", sec.Title.In(lang), "N", i+1, "Total", len(fields)))
		b.WriteString("\n\n")
	}
	b.WriteString(fl.Label.In(lang))
	if !fl.Required {
		b.WriteString(" " + c.T("report.ask.optional"))
	}
	if h := fl.Help.In(lang); h != "" {
		b.WriteString("\n" + h)
	}
	b.WriteString("\n\n" + hint(c, fl))
	if answered {
		b.WriteString("\n\n" + c.T("report.ask.current", "Value", f.show(c, fl, cur)))
	}
	if !(c.Session.Step == stepAsk && st.Key == fl.Key) {
		// Another field, or this one asked anew: files sent add to
		// those saved, unless the field takes one.
		st.Again = ""
	}
	files := fl.Type == config.TypeFile && answered && !cur.Skipped && len(cur.Files) > 0
	switch {
	case files && st.Again == fl.Key:
		b.WriteString("\n" + c.T("report.ask.files_again"))
	case files && fl.FileLimit() == 1:
		b.WriteString("\n" + c.T("report.ask.file_replace"))
	}

	c.NextScreen()
	var rows [][]bot.Button
	switch fl.Type {
	case config.TypeYesNo:
		rows = append(rows, []bot.Button{
			c.Button(c.T("report.yes"), Name, "yn", "1"),
			c.Button(c.T("report.no"), Name, "yn", "0"),
		})
	case config.TypeChoice:
		for n, o := range fl.Options {
			rows = append(rows, []bot.Button{c.Button(o.Label.In(lang), Name, "opt", strconv.Itoa(n))})
		}
	}
	done := doneShown(fl, cur, answered)
	if done {
		// More files may follow; this one goes on with those received.
		rows = append(rows, []bot.Button{c.Button(c.T("report.button.files_done"), Name, "done", "")})
	}
	var row []bot.Button
	if !fl.Required {
		row = append(row, c.Button(c.T("report.button.skip"), Name, "skip", ""))
	}
	if keepShown(fl, cur, answered) {
		row = append(row, c.Button(c.T("report.button.keep"), Name, "keep", ""))
	}
	if done && st.Again != fl.Key {
		row = append(row, c.Button(c.T("report.button.files_again"), Name, "again", ""))
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	row = nil
	if backShown(st, fm, fl) {
		row = append(row, c.Button(c.T("report.button.back"), Name, "back", ""))
	}
	row = append(row, c.Button(c.T("report.button.pause"), Name, "pause", ""))
	rows = append(rows, row)

	st.Key, st.Seen, st.Mine = fl.Key, d.Version, nil
	if err := save(c, stepAsk, st); err != nil {
		return err
	}
	number := fl.Type == config.TypeNumber || fl.Type == config.TypePercent
	c.Reply(bot.Reply{Text: b.String(), Buttons: rows, Number: number})
	return nil
}

// doneShown reports whether a field's screen has the Done button: a file
// field taking more files, with some received.
func doneShown(fl *config.Field, cur config.Value, answered bool) bool {
	return fl.Type == config.TypeFile && answered && !cur.Skipped && len(cur.Files) > 0 && fl.FileLimit() > 1
}

// keepShown reports whether a field's screen has the Keep button: it has
// an answer, and no Done button in its place.
func keepShown(fl *config.Field, cur config.Value, answered bool) bool {
	return answered && !doneShown(fl, cur, answered)
}

// hint says how to answer a field of its type.
func hint(c *bot.Conversation, fl *config.Field) string {
	lang := c.Lang()
	switch fl.Type {
	case config.TypeNumber:
		lo, hi := fl.Bounds(lang)
		unit := fl.Unit.In(lang)
		switch {
		case hi != "" && unit != "":
			return c.T("report.hint.number_range_unit", "Min", lo, "Max", hi, "Unit", unit)
		case hi != "":
			return c.T("report.hint.number_range", "Min", lo, "Max", hi)
		case unit != "":
			return c.T("report.hint.number_unit", "Unit", unit)
		}
		return c.T("report.hint.number")
	case config.TypePercent:
		lo, hi := fl.Bounds(lang)
		return c.T("report.hint.percent", "Min", lo, "Max", hi)
	case config.TypeYesNo:
		return c.T("report.hint.yesno")
	case config.TypeChoice:
		return c.T("report.hint.choice")
	case config.TypeDate:
		return c.T("report.hint.date")
	case config.TypeText:
		return c.T("report.hint.text", "Max", config.FormatCount(fl.TextLimit(), lang))
	case config.TypeLongText:
		return c.T("report.hint.longtext", "Max", config.FormatCount(fl.TextLimit(), lang))
	case config.TypeFile:
		if n := fl.FileLimit(); n > 1 {
			return c.T("report.hint.files", "Kinds", fl.AcceptedKinds(), "Max", fl.SizeLimitMB(), "N", n)
		}
		return c.T("report.hint.file", "Kinds", fl.AcceptedKinds(), "Max", fl.SizeLimitMB())
	}
	return ""
}

// show writes an answer for the user's language.
func (f *Flow) show(c *bot.Conversation, fl *config.Field, v config.Value) string {
	switch {
	case v.Skipped:
		return c.T("report.value.skipped")
	case v.Type == config.TypeYesNo && v.Yes != nil && *v.Yes:
		return c.T("report.yes")
	case v.Type == config.TypeYesNo && v.Yes != nil:
		return c.T("report.no")
	}
	return fl.Format(v, c.Lang())
}

// explain shows why an answer was not taken, in the user's language.
func explain(c *bot.Conversation, e *config.InputError) string {
	kv := make([]any, 0, 2*len(e.Params))
	for k, v := range e.Params {
		kv = append(kv, k, v)
	}
	return c.T(e.ID, kv...)
}

// reask shows the field asked again, with its answer as saved now.
func (f *Flow) reask(c *bot.Conversation, st *state) error {
	fm, fl, err := f.field(c, st)
	if err != nil {
		return err
	}
	d, ok, err := f.draft(c, st)
	if err != nil {
		return err
	}
	if !ok {
		return f.open(c, st.Unit, st.Period)
	}
	return f.ask(c, st, d, fm, fl)
}

// refuse explains a refused answer and asks again; other errors are errors.
func (f *Flow) refuse(c *bot.Conversation, st *state, err error) error {
	var ie *config.InputError
	if !errors.As(err, &ie) {
		return err
	}
	c.Reply(bot.Reply{Text: explain(c, ie)})
	return f.reask(c, st)
}

func (f *Flow) typedAnswer(c *bot.Conversation, st *state, text string) error {
	fm, fl, err := f.field(c, st)
	if err != nil {
		return err
	}
	// "Tạm dừng" and "Quay lại" typed (Zalo, the console, a habit) are the
	// buttons of the screen, never an answer; not where no such button is.
	if typedButton(c, text, "report.button.pause") {
		return f.pause(c, st)
	}
	if backShown(st, fm, fl) && typedButton(c, text, "report.button.back") {
		return f.back(c, st, fm, fl)
	}
	if typedSkip(c, text) {
		// "Bỏ qua" typed (Zalo, the console, a habit) is the button, never
		// an answer: a required field stays unanswered and says so.
		v, err := fl.Skip()
		if err != nil {
			return f.refuse(c, st, err)
		}
		return f.saveAnswer(c, st, fm, fl, v, false)
	}
	if typedButton(c, text, "report.button.keep") {
		// "Giữ nguyên" typed where the Keep button is shown (an answer is
		// saved) keeps it, as the button does: never the new answer.
		d, ok, err := f.draft(c, st)
		if err != nil {
			return err
		}
		if cur, answered := values(d)[fl.Key]; ok && keepShown(fl, cur, answered) {
			st.Seen = d.Version
			return f.next(c, st, d, fm)
		}
	}
	if fl.Type == config.TypeFile && typedDone(c, text) {
		// "Xong" typed after some files is the Done button: else the
		// focal point who sent them is told a file is needed.
		d, ok, err := f.draft(c, st)
		if err != nil {
			return err
		}
		if cur := values(d)[fl.Key]; ok && len(cur.Files) > 0 {
			st.Seen = d.Version
			return f.next(c, st, d, fm)
		}
	}
	v, err := fl.Parse(text, c.Lang())
	if err != nil {
		return f.refuse(c, st, err)
	}
	return f.saveAnswer(c, st, fm, fl, v, false)
}

// saveAnswer saves an answer into the draft at once and goes on (or stays
// on the field, for a file field taking more files). An answer to a field
// another focal point changed since it was shown is not saved: the user
// chooses (showConflict).
func (f *Flow) saveAnswer(c *bot.Conversation, st *state, fm *config.Form, fl *config.Field, v config.Value, stay bool) error {
	d, moved, err := f.put(c, st, fl, v)
	if moved || err != nil {
		return err
	}
	if stay {
		return f.ask(c, st, d, fm, fl)
	}
	return f.next(c, st, d, fm)
}

// saveQuietly saves an answer and stays on the field without showing it
// again: the next file of an album, below the question that took the
// first.
func (f *Flow) saveQuietly(c *bot.Conversation, st *state, fl *config.Field, v config.Value) error {
	_, moved, err := f.put(c, st, fl, v)
	if moved || err != nil {
		return err
	}
	return save(c, stepAsk, st)
}

// put saves an answer into the draft. moved is set when it was not saved
// as it is and the conversation went elsewhere: the other focal point's
// answer shown, the draft gone on to another form or into an amendment.
func (f *Flow) put(c *bot.Conversation, st *state, fl *config.Field, v config.Value) (d store.Draft, moved bool, err error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return d, false, err
	}
	d, err = f.store.SaveDraftAnswer(c.Ctx, store.DraftAnswer{
		DraftStart: store.DraftStart{UnitCode: st.Unit, PeriodID: st.Period, FormID: st.Form, FormVersion: st.FormV, By: c.Session.UserID, At: c.Now},
		Key:        fl.Key, Value: raw, Seen: st.Seen,
	})
	var conflict *store.DraftConflict
	if errors.As(err, &conflict) {
		if conflict.Key != "" {
			return d, true, f.showConflict(c, st, conflict.Current, fl, v)
		}
		// The draft moved on as a whole (another form version).
		c.Say("report.changed")
		return d, true, f.continueDraft(c, st, conflict.Current)
	}
	if err != nil {
		return d, false, err
	}
	if d.BaseVersion != st.Base {
		// The report was submitted by someone else meanwhile: the answer
		// went into an amendment of it.
		c.Say("report.submitted_meanwhile")
		return d, true, f.continueDraft(c, st, d)
	}
	st.Seen = d.Version
	return d, false, nil
}

// askTapped answers the buttons of a field.
func (f *Flow) askTapped(c *bot.Conversation, st *state, cb *bot.Callback) error {
	switch cb.Action {
	case "pause":
		return f.pause(c, st)
	case "cont":
		return f.resume(c, st, false)
	}
	if c.Session.Step != stepAsk || st.Key == "" {
		c.Notice(c.T("stale.button"))
		return nil
	}
	fm, fl, err := f.field(c, st)
	if err != nil {
		return err
	}
	switch cb.Action {
	case "yn":
		if fl.Type != config.TypeYesNo {
			break
		}
		yes := cb.Arg == "1"
		return f.saveAnswer(c, st, fm, fl, config.Value{Type: config.TypeYesNo, Yes: &yes}, false)
	case "opt":
		n, ok := parseOption(cb.Arg, len(fl.Options))
		if fl.Type != config.TypeChoice || !ok {
			break
		}
		return f.saveAnswer(c, st, fm, fl, config.Value{Type: config.TypeChoice, Choice: fl.Options[n].Key}, false)
	case "skip":
		v, err := fl.Skip()
		if err != nil {
			return f.refuse(c, st, err)
		}
		return f.saveAnswer(c, st, fm, fl, v, false)
	case "back":
		return f.back(c, st, fm, fl)
	case "again":
		// The files sent next replace those saved (fileAnswer).
		if fl.Type != config.TypeFile {
			break
		}
		st.Again = fl.Key
		return f.reask(c, st)
	case "keep", "done":
		d, ok, err := f.draft(c, st)
		if err != nil {
			return err
		}
		if !ok {
			return f.open(c, st.Unit, st.Period)
		}
		st.Seen = d.Version
		return f.next(c, st, d, fm)
	}
	c.Notice(c.T("stale.button"))
	return nil
}

// backShown reports whether the field's screen has the Back button: past
// the first field, or opened from the review.
func backShown(st *state, fm *config.Form, fl *config.Field) bool {
	return st.Review || indexOf(fm.FieldsFor(st.kind()), fl.Key) > 0
}

// back goes back from a field: to the review it was opened from, else to
// the field before it.
func (f *Flow) back(c *bot.Conversation, st *state, fm *config.Form, fl *config.Field) error {
	d, ok, err := f.draft(c, st)
	if err != nil {
		return err
	}
	if !ok {
		return f.open(c, st.Unit, st.Period)
	}
	st.Seen = d.Version
	if st.Review {
		st.Review = false
		return f.review(c, st, d, fm)
	}
	fields := fm.FieldsFor(st.kind())
	if i := indexOf(fields, fl.Key); i > 0 {
		return f.ask(c, st, d, fm, fields[i-1])
	}
	return f.ask(c, st, d, fm, fl)
}

// pause leaves the report; every answer is saved already.
func (f *Flow) pause(c *bot.Conversation, st *state) error {
	c.NextScreen()
	if err := save(c, stepChoose, st); err != nil {
		return err
	}
	c.Reply(bot.Reply{Text: c.T("report.paused"), Buttons: [][]bot.Button{
		{c.Button(c.T("report.button.continue"), Name, "cont", "")},
		{c.Button(c.T("report.button.list"), Name, "list", "")},
		flows.BackToMenu(c),
	}})
	return nil
}

// editField opens a field from the review; the answer goes back to it.
func (f *Flow) editField(c *bot.Conversation, st *state, key string) error {
	d, ok, err := f.draft(c, st)
	if err != nil {
		return err
	}
	if !ok {
		return f.open(c, st.Unit, st.Period)
	}
	fm, err := f.form(c.Ctx, d.FormID, d.FormVersion)
	if err != nil {
		return err
	}
	fl, ok := fm.Field(key)
	if !ok || !fl.AppliesTo(st.kind()) {
		c.Notice(c.T("stale.button"))
		return nil
	}
	st.Form, st.FormV, st.Base = d.FormID, d.FormVersion, d.BaseVersion
	st.Review = true
	return f.ask(c, st, d, fm, fl)
}

// showConflict tells the user that another focal point answered the field
// since it was shown, with both answers, to keep theirs or put the user's.
func (f *Flow) showConflict(c *bot.Conversation, st *state, cur store.Draft, fl *config.Field, mine config.Value) error {
	theirs, ok := values(cur)[fl.Key]
	theirsText := c.T("report.value.none")
	if ok {
		theirsText = f.show(c, fl, theirs)
	}
	who := c.T("report.conflict.someone")
	if cur.Answered[fl.Key] == cur.Version && cur.UpdatedBy != 0 && cur.UpdatedBy != c.Session.UserID {
		if u, err := f.store.User(c.Ctx, cur.UpdatedBy); err == nil && u.DisplayName != "" {
			who = u.DisplayName
		}
	}
	raw, err := json.Marshal(mine)
	if err != nil {
		return err
	}
	st.Mine, st.Seen = raw, cur.Version
	st.Form, st.FormV = cur.FormID, cur.FormVersion
	c.NextScreen()
	if err := save(c, stepConflict, st); err != nil {
		return err
	}
	c.Reply(bot.Reply{
		Text: c.T("report.conflict", "Who", who, "Field", fl.Label.In(c.Lang()), "Theirs", theirsText, "Mine", f.show(c, fl, mine)),
		Buttons: [][]bot.Button{
			{c.Button(c.T("report.button.theirs"), Name, "theirs", "")},
			{c.Button(c.T("report.button.mine"), Name, "mine", "")},
		},
	})
	return nil
}

func (f *Flow) conflictTapped(c *bot.Conversation, st *state, mine bool) error {
	if c.Session.Step != stepConflict || len(st.Mine) == 0 {
		c.Notice(c.T("stale.button"))
		return nil
	}
	fm, fl, err := f.field(c, st)
	if err != nil {
		return err
	}
	if mine {
		var v config.Value
		if err := json.Unmarshal(st.Mine, &v); err != nil {
			return err
		}
		// Seen is the version that showed the other answer: saved now.
		return f.saveAnswer(c, st, fm, fl, v, false)
	}
	d, ok, err := f.draft(c, st)
	if err != nil {
		return err
	}
	if !ok {
		return f.open(c, st.Unit, st.Period)
	}
	st.Seen, st.Mine = d.Version, nil
	return f.next(c, st, d, fm)
}
