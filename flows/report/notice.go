package report

import (
	"time"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// NoticeText is what an official is told, in lang, of a version of a unit's
// report: a new report (version 1) or an amendment with its reason, its
// receipt, when it came (shown in loc) and whether the report was on
// time (versionLateness). The
// submission plans the notices (store.Submission.Notify) and the scheduler
// writes and sends them, each in its official's language at the time. p
// is nil when the period is no longer configured: its id names it then.
func NoticeText(tr bot.Translator, lang, unitName string, p *config.Period, v store.ReportVersion, loc *time.Location) string {
	period := v.PeriodID
	if p != nil {
		period = p.Name.In(lang)
	}
	data := map[string]any{"Unit": unitName, "Period": period, "Receipt": v.Receipt, "Time": showTime(v.SubmittedAt, loc)}
	id := "report.notify.submitted"
	if v.Version > 1 {
		id = "report.notify.amended"
		data["Version"], data["Reason"] = v.Version, v.Reason
	}
	late, days := versionLateness(v)
	return tr.Text(lang, id, data) + "\n" + tr.Text(lang, late, map[string]any{"Days": days})
}

// versionLateness is the message, and its Days, saying how late version v
// of a report counts, for its notice and its receipt: a first version's
// own lateness; an amendment's, the first version's, said as such (as
// /status, /overview and the workbook count it). An amendment sent after
// the due date does not make a report late.
func versionLateness(v store.ReportVersion) (id string, days int) {
	if v.Version <= 1 {
		return latenessID(v.DaysLate), v.DaysLate
	}
	switch v.FirstDaysLate {
	case 0:
		return "report.first_on_time", 0
	case 1:
		return "report.first_late_one", 1
	}
	return "report.first_late", v.FirstDaysLate
}
