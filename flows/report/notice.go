package report

import (
	"time"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// NoticeText is what an official is told, in lang, of a version of a unit's
// report: a new report (version 1) or an amendment with its reason, its
// receipt, when it came (shown in loc) and whether it was on time. The
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
	return tr.Text(lang, id, data) + "\n" + tr.Text(lang, latenessID(v.DaysLate), map[string]any{"Days": v.DaysLate})
}
