package report_test

import (
	"testing"

	"hocvuso/flows/report"
)

// A deadline reminder's button opens the unit's report for the period,
// whatever screen the chat is on: the reminder came from no screen.
func TestReport_AReminderButtonOpensTheReport(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	data, ok := report.RemindButton("plan", "SNV")
	if !ok {
		t.Fatal("the button does not fit")
	}
	u.Send("/status") // the chat is on another screen
	r := u.Do(u.Callback(data, "reminder-1"))
	mustContain(t, "the form from a reminder", r.Text(), "Có 8 câu hỏi", "Câu 1/8", "Loại văn bản")
	if _, ok := f.draft("SNV", "plan"); !ok {
		t.Error("no draft opened from the reminder")
	}

	// Weeks later the conversation is forgotten (its session expired, or
	// Redis lost it): the button still opens the report.
	f.h.FlushRedis()
	r = u.Do(u.Callback(data, "reminder-1"))
	mustContain(t, "the form from a reminder, the session lost", r.Text(), "Câu 1/8", "Loại văn bản")

	// Someone who is not a focal point of the unit is told how to become one.
	other := f.focal("Cầm Văn Ánh", "vi", "03670")
	r = other.Do(other.Callback(data, "reminder-2"))
	mustContain(t, "a reminder of another unit", r.Text(), f.T("vi", "report.not_focal"))

	// A malformed button changes nothing.
	r = u.Do(u.Callback("report|remind|0|plan", "reminder-3"))
	if len(r.Sent) != 0 {
		t.Errorf("a malformed reminder button sent %q", r.Text())
	}
}
