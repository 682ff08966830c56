package scheduler

import (
	"strings"
	"testing"
	"time"

	"hocvuso/flows/report/config"
	"hocvuso/locales"
)

// A focal point reminded of review-2027, whose due date the decision does
// not give (the date is provisional), is told it is provisional, as /status
// tells; a firm date is written alone. The Zalo template's due stays a
// plain date, the format its approval names.
func TestRemindersSayAProvisionalDueDateIsProvisional(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg := embeddedConfig(t)
	review, _ := cfg.Period("review-2027")
	annual, _ := cfg.Period("annual-2025")
	for _, c := range []struct {
		lang, provisional string
	}{{"vi", "Hạn cuối: 10/11/2027 (dự kiến)\n"}, {"en", "Due: 10/11/2027 (provisional)\n"}} {
		for _, days := range []int{14, 1, 0, -1, -3} {
			r := unitReminder{Lang: c.lang, UnitCode: "03646", UnitName: "Phường Tô Hiệu", Period: review, Due: review.Due, DaysLeft: days}.render(cat)
			if !strings.Contains(r.Text, c.provisional) {
				t.Errorf("%s, %d days left: %q does not say %q", c.lang, days, r.Text, c.provisional)
			}
			r = unitReminder{Lang: c.lang, UnitCode: "03646", UnitName: "Phường Tô Hiệu", Period: annual, Due: annual.Due, DaysLeft: days}.render(cat)
			if !strings.Contains(r.Text, ": 10/11/2025\n") {
				t.Errorf("%s, %d days left: %q does not give the firm date alone", c.lang, days, r.Text)
			}
		}
	}
	tpl := unitReminder{Lang: "vi", UnitName: "Phường Tô Hiệu", Period: review, Due: review.Due, DaysLeft: 3}.template()
	if tpl["due"] != "10/11/2027" {
		t.Errorf("template due %q, want 10/11/2027", tpl["due"])
	}
}

// A due date is written dd/mm/yyyy, as every date the bot writes (the
// officials' screens, the digest, /status): 03/07/2025, never 3/7/2025; in
// the reminder and the Zalo template alike.
func TestRemindersWriteDatesWithTwoDigits(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	annual, _ := embeddedConfig(t).Period("annual-2025")
	due := time.Date(2025, 7, 3, 23, 59, 0, 0, config.Location)
	for _, lang := range locales.Languages {
		r := unitReminder{Lang: lang, UnitCode: "03646", UnitName: "Phường Tô Hiệu", Period: annual, Due: due, DaysLeft: 2}.render(cat)
		if !strings.Contains(r.Text, ": 03/07/2025\n") {
			t.Errorf("%s: %q does not write the due date 03/07/2025", lang, r.Text)
		}
	}
	if tpl := (unitReminder{Lang: "vi", UnitName: "Phường Tô Hiệu", Period: annual, Due: due, DaysLeft: 2}).template(); tpl["due"] != "03/07/2025" {
		t.Errorf("template due %q, want 03/07/2025", tpl["due"])
	}
}
