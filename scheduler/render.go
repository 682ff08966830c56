package scheduler

import (
	"strconv"
	"time"

	"hocvuso/bot"
	"hocvuso/flows/report"
	"hocvuso/flows/report/config"
)

// unitReminder is what a deadline or overdue reminder says.
type unitReminder struct {
	Lang     string
	UnitCode string
	UnitName string
	Period   *config.Period
	Due      time.Time
	// DaysLeft is counted from the day the reminder is sent: 0 on the due
	// date, negative once late.
	DaysLeft int
}

// render writes the reminder in its language, with a button that opens the
// report form. A provisional due date (the decision gives only the year)
// says so, as /status does.
func (u unitReminder) render(tr bot.Translator) bot.Reply {
	due := formatDate(u.Due)
	if u.Period.Provisional {
		due = tr.Text(u.Lang, "remind.due.provisional", map[string]any{"Date": due})
	}
	data := map[string]any{
		"Unit":   u.UnitName,
		"Period": u.Period.Name.In(u.Lang),
		"Due":    due,
		"Days":   abs(u.DaysLeft),
	}
	var text string
	switch {
	case u.DaysLeft > 1:
		text = tr.Text(u.Lang, "remind.deadline.days", data)
	case u.DaysLeft == 1:
		text = tr.Text(u.Lang, "remind.deadline.tomorrow", data)
	case u.DaysLeft == 0:
		text = tr.Text(u.Lang, "remind.deadline.today", data)
	case u.DaysLeft == -1:
		text = tr.Text(u.Lang, "remind.overdue.one", data)
	default:
		text = tr.Text(u.Lang, "remind.overdue.days", data)
	}
	r := bot.Reply{Text: text}
	if data, ok := report.RemindButton(u.Period.ID, u.UnitCode); ok {
		r.Buttons = [][]bot.Button{{{Label: tr.Text(u.Lang, "remind.button.report", nil), Data: data}}}
	}
	return r
}

// template is the reminder as the parameters of the approved Zalo
// template (ZALO_REMINDER_TEMPLATE_ID), always in Vietnamese: unit,
// period, due (10/11/2025) and days_left (negative once late).
func (u unitReminder) template() map[string]string {
	return map[string]string{
		"unit":      u.UnitName,
		"period":    u.Period.Name.VI,
		"due":       formatDate(u.Due),
		"days_left": strconv.Itoa(u.DaysLeft),
	}
}

// formatDate writes a due date as the bot writes every date: 05/11/2025.
func formatDate(t time.Time) string { return t.In(config.Location).Format(config.DateLayout) }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
