package report_test

import (
	"strings"
	"testing"
)

// /status in the middle of a report shows the periods, not the question:
// what is typed next answers no question the user cannot see. A "5" meant
// for the list is not saved as the number of classes asked before; nor is
// text typed after /status at an amendment's reason taken as the reason.
func TestReport_StatusLeavesTheQuestion(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Cầm Văn Hùng", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch năm 2025")
	r := u.Tap("Công văn")
	mustContain(t, "the number question", r.Text(), "Câu 2/8", "Số lớp đã mở")
	mustContain(t, "/status", u.Send("/status").Text(), "1. Kế hoạch năm 2025", "2. Báo cáo năm 2025")
	r = u.Send("5")
	if d, _ := f.draft("SNV", "plan"); d.Answers["classes"] != nil {
		t.Fatalf("5 typed at /status was saved as the classes asked before it: %s\n%s", d.Answers["classes"], r.Text())
	}
	if strings.Contains(r.Text(), "Câu 3/8") {
		t.Errorf("5 typed at /status went on to the next question:\n%s", r.Text())
	}
	// /report goes on where the draft stands.
	mustContain(t, "/report after /status", u.Send("/report").Text(), "Câu 2/8", "Số lớp đã mở")

	for _, in := range []string{"12", "20", "có", "20/6/2025", "25/KH-SNV"} {
		u.Send(in)
	}
	u.Tap("Bỏ qua")
	u.Tap("Bỏ qua")
	mustContain(t, "the receipt", u.Tap("Gửi báo cáo").Text(), "plan-0001.1")
	u.Send("/status")
	u.Tap("1. Kế hoạch năm")
	mustContain(t, "the reason asked", u.Tap("Sửa đổi báo cáo").Text(), f.T("vi", "report.reason.ask"))
	u.Send("/status")
	u.Send("xin chào")
	if d, ok := f.draft("SNV", "plan"); ok && d.Reason != "" {
		t.Errorf("text typed at /status was taken as the amendment's reason: %q", d.Reason)
	}
}

// The periods of /report and /status are numbered, in the text and on
// their buttons: the number typed (on Zalo, people type) opens that
// period as its button does; a number that is not on the list, or other
// text, is told to choose from the list and opens nothing.
func TestReport_APeriodsNumberTypedOpensIt(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Cầm Văn Hùng", "vi", "SNV")
	mustContain(t, "/report", u.Send("/report").Text(), "1. Kế hoạch năm 2025", "2. Báo cáo năm 2025")
	r := u.Send("2")
	mustContain(t, "2 typed at /report", r.Text(), "Báo cáo năm 2025", "Câu 1/8", "Loại văn bản")
	if _, ok := f.draft("SNV", "annual"); !ok {
		t.Fatalf("2 typed at /report began no draft of the annual report:\n%s", r.Text())
	}

	u.Send("/status")
	for _, in := range []string{"3", "xin chào"} {
		r = u.Send(in)
		if got, want := r.Text(), f.T("vi", "report.use_buttons_above"); got != want {
			t.Errorf("%q typed at /status: %q, want %q", in, got, want)
		}
	}
	if _, ok := f.draft("SNV", "plan"); ok {
		t.Fatalf("text typed at /status began the plan")
	}
	r = u.Send("kỳ 1.")
	mustContain(t, "kỳ 1 typed at /status", r.Text(), "Kế hoạch năm 2025", "Câu 1/8", "Loại văn bản")
	if _, ok := f.draft("SNV", "plan"); !ok {
		t.Fatalf("kỳ 1 typed at /status began no draft of the plan:\n%s", r.Text())
	}
}
