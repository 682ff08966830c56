package report_test

import (
	"testing"

	"hocvuso/flows/report/config"
)

// "Bỏ qua" typed rather than tapped (on Zalo or the console, or out of
// habit) skips an optional field, and is refused on a required one: it is
// never saved as the answer, which the review and the officials would show
// as the unit's "Kết quả đạt được".
func TestReport_TypedSkipIsTheButtonNotAnAnswer(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Cầm Văn Hùng", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch năm 2025")
	u.Tap("Công văn")
	u.Send("120")
	r := u.Send("bỏ qua")
	mustContain(t, "an optional percentage skipped by typing", r.Text(), "Câu 4/8")
	u.Send("có")
	r = u.Send("20/6/2025")
	mustContain(t, "the required text", r.Text(), "Câu 6/8", "Số văn bản")

	for _, typed := range []string{"Bỏ qua", "bo qua.", "⏭ Bỏ qua", "Skip"} {
		r = u.Send(typed)
		mustContain(t, "skip typed at a required text", r.Text(), f.T("vi", "report.input.required"), "Câu 6/8")
		if d, _ := f.draft("SNV", "plan"); d.Answers["doc_number"] != nil {
			t.Fatalf("%q typed at a required text saved %s", typed, d.Answers["doc_number"])
		}
	}
	r = u.Send("25/KH-SNV")
	mustContain(t, "the optional long text", r.Text(), "Câu 7/8")
	r = u.Send("Bỏ qua")
	mustContain(t, "an optional long text skipped by typing", r.Text(), "Câu 8/8")

	d, _ := f.draft("SNV", "plan")
	for _, key := range []string{"share", "summary"} {
		if v := values(t, d.Answers[key]); !v.Skipped || v.Text != "" {
			t.Errorf("%s = %+v; want skipped", key, v)
		}
	}
	if v := values(t, d.Answers["doc_number"]); v.Type != config.TypeText || v.Text != "25/KH-SNV" {
		t.Errorf("doc_number = %+v", v)
	}
}
