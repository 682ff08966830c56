package report

import (
	"strings"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// Stray implements flows.Stray: text typed at the menu by a focal point
// while a draft of one of their units waits, in an open period (left with
// ⏸, /stop, /menu or /language, or the session lost), is no answer: nothing
// is saved. Instead of the generic hint the user is told which report
// waits and at which question, with the button that goes on as /report
// does. Anyone else, and a focal point without a draft, are left to the
// router.
func (f *Flow) Stray(c *bot.Conversation) (*flows.Paused, error) {
	if c.Session.UserID == 0 || c.Update.Kind != bot.KindText {
		return nil, nil
	}
	units, err := f.units(c)
	if err != nil || len(units) == 0 {
		return nil, err
	}
	var waiting []waitingDraft
	for _, code := range units {
		u, ok, err := f.store.Unit(c.Ctx, code)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		kind := config.Kind(u.Kind)
		statuses, err := f.store.UnitStatus(c.Ctx, code, f.dues(c, kind), c.Now)
		if err != nil {
			return nil, err
		}
		for _, s := range statuses {
			if !s.HasDraft {
				continue
			}
			d, ok, err := f.store.Draft(c.Ctx, code, s.PeriodID)
			if err != nil {
				return nil, err
			}
			p, known := f.cfg.Period(s.PeriodID)
			if !ok || !known {
				continue
			}
			w := waitingDraft{period: p.Name.In(c.Lang()), unit: u.Name}
			if w.n, w.total, err = f.position(c, d, kind); err != nil {
				return nil, err
			}
			waiting = append(waiting, w)
		}
	}
	var text string
	switch len(waiting) {
	case 0:
		return nil, nil
	case 1:
		w := waiting[0]
		id := "report.stray.at"
		if w.n == 0 {
			id = "report.stray.ready"
		}
		text = c.T(id, "Period", w.period, "Unit", w.unit, "N", w.n, "Total", w.total)
	default:
		lines := make([]string, len(waiting))
		for i, w := range waiting {
			id := "report.stray.line.at"
			if w.n == 0 {
				id = "report.stray.line.ready"
			}
			lines[i] = c.T(id, "Period", w.period, "Unit", w.unit, "N", w.n, "Total", w.total)
		}
		text = c.T("report.stray.several", "N", len(waiting), "List", strings.Join(lines, "\n"))
	}
	// /report's way: the one draft where it stands, or the list to choose.
	return &flows.Paused{Text: text, Label: c.T("report.button.resume"), Action: "start"}, nil
}

// waitingDraft is a draft Stray names: its period and unit, and the
// question it goes on at (n of total; n 0 once every field is answered).
type waitingDraft struct {
	period, unit string
	n, total     int
}

// position is where a draft goes on, as continueDraft finds it: the first
// unanswered field, n of total, or n 0 once every field is answered.
func (f *Flow) position(c *bot.Conversation, d store.Draft, kind config.Kind) (n, total int, err error) {
	fm, err := f.form(c.Ctx, d.FormID, d.FormVersion)
	if err != nil {
		return 0, 0, err
	}
	fields := fm.FieldsFor(kind)
	answers := values(d)
	for i, fl := range fields {
		if _, ok := answers[fl.Key]; !ok {
			return i + 1, len(fields), nil
		}
	}
	return 0, len(fields), nil
}
