package report_test

import (
	"slices"
	"testing"

	"hocvuso/flows/flowtest"
)

// Text typed at the menu while a draft of the user's unit waits (left with
// /menu, /language, /stop or ⏸) is no answer and is not met with the
// generic "I did not understand": the user is told which report waits and
// at which question, with a button that goes on where the draft stands.
// Several drafts are listed, the button leads to the choice; a draft with
// every field answered is said to wait to be sent. Without a draft, or
// for a citizen, typed text still gets the hint and the menu.
func TestReport_TextTypedAtTheMenuSaysWhichDraftWaits(t *testing.T) {
	f := newFixture(t, nil)
	hint := func(lang, what string, r flowtest.Result) {
		t.Helper()
		if got := r.Texts(); len(got) != 2 || got[0] != f.T(lang, "unknown.hint") || got[1] != f.T(lang, "menu.title") {
			t.Errorf("%s: want the hint and the menu, got:\n%s", what, r)
		}
	}
	// waits checks that typed text got one message: want, the button that
	// goes on, and the menu's.
	waits := func(lang, what string, r flowtest.Result, want string) {
		t.Helper()
		if got := r.Texts(); len(got) != 1 || got[0] != want {
			t.Errorf("%s: want only\n%s\ngot:\n%s", what, want, r)
			return
		}
		if got, labels := r.Last().Labels(), []string{f.T(lang, "report.button.resume"), f.T(lang, "menu.back")}; !slices.Equal(got, labels) {
			t.Errorf("%s: buttons %q, want %q", what, got, labels)
		}
	}
	answers := func() int {
		d, _ := f.draft("SNV", "plan")
		return len(d.Answers)
	}

	citizen := f.h.Agreed("Quàng Thị Hoa", "vi")
	hint("vi", "a citizen", citizen.Send("12"))
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	hint("vi", "no draft", u.Send("12"))

	u.Send("/report")
	u.Tap("1. Kế hoạch")
	u.Tap("Quyết định")
	u.Send("45")
	u.Send("/menu")
	at3 := f.T("vi", "report.stray.at", "N", 3, "Total", 8, "Period", "Kế hoạch năm 2025", "Unit", "Sở Nội vụ")
	for _, typed := range []string{"85", "xin chào", "B"} {
		r := u.Send(typed)
		waits("vi", typed+" after /menu", r, at3)
		mustContain(t, typed+" after /menu", r.Text(), "câu 3/8", "Kế hoạch năm 2025", "Sở Nội vụ", "Làm tiếp báo cáo")
	}
	if n := answers(); n != 2 {
		t.Errorf("the draft holds %d answers; want 2: text typed at the menu is no answer", n)
	}
	r := u.Tap("Làm tiếp báo cáo")
	mustContain(t, "going on", r.Text(), f.T("vi", "report.resuming", "Period", "Kế hoạch năm 2025", "Unit", "Sở Nội vụ"), "Câu 3/8", "Tỉ lệ cán bộ")

	// Left with /stop, then back at the menu by its button.
	u.Tap("Bỏ qua")
	u.Send("/stop")
	u.Tap(f.T("vi", "menu.back"))
	waits("vi", "after /stop", u.Send("có"), f.T("vi", "report.stray.at", "N", 4, "Total", 8, "Period", "Kế hoạch năm 2025", "Unit", "Sở Nội vụ"))
	// Left with ⏸, the same; and after /language.
	u.Tap("Làm tiếp báo cáo")
	u.Tap("Có")
	u.Tap("Tạm dừng")
	u.Tap(f.T("vi", "menu.back"))
	at5 := f.T("vi", "report.stray.at", "N", 5, "Total", 8, "Period", "Kế hoạch năm 2025", "Unit", "Sở Nội vụ")
	waits("vi", "after ⏸", u.Send("1/6/2025"), at5)
	u.Tap("Làm tiếp báo cáo")
	u.Send("/language")
	u.Tap("Tiếng Việt")
	waits("vi", "after /language", u.Send("1/6/2025"), at5)
	if n := answers(); n != 4 {
		t.Errorf("the draft holds %d answers; want 4", n)
	}

	// Every field answered: it waits to be sent.
	u.Tap("Làm tiếp báo cáo")
	u.Send("1/6/2025")
	u.Send("12/KH")
	u.Tap("Bỏ qua")
	mustContain(t, "the review", u.Tap("Bỏ qua").Text(), "Xem lại báo cáo")
	u.Send("/menu")
	waits("vi", "at the review", u.Send("gửi"), f.T("vi", "report.stray.ready", "Period", "Kế hoạch năm 2025", "Unit", "Sở Nội vụ"))

	// Two drafts: both listed; the button leads to the choice.
	u.Send("/status")
	u.Tap("2. Báo cáo năm")
	u.Send("/menu")
	want := f.T("vi", "report.stray.several", "N", 2, "List",
		f.T("vi", "report.stray.line.ready", "Period", "Kế hoạch năm 2025", "Unit", "Sở Nội vụ")+"\n"+
			f.T("vi", "report.stray.line.at", "N", 1, "Total", 8, "Period", "Báo cáo năm 2025", "Unit", "Sở Nội vụ"))
	waits("vi", "two drafts", u.Send("xin chào"), want)
	mustContain(t, "two drafts", want, "Có 2 bản nháp", "• Kế hoạch năm 2025 – Sở Nội vụ: đủ câu trả lời, chưa gửi", "• Báo cáo năm 2025 – Sở Nội vụ: câu 1/8")
	r = u.Tap("Làm tiếp báo cáo")
	mustContain(t, "the choice", r.Text(), f.T("vi", "report.choose_period"))

	// Once sent, the plan no longer waits; then neither does the annual report.
	u.Tap("1. Kế hoạch năm")
	u.Tap("Gửi báo cáo")
	u.Send("/menu")
	waits("vi", "one draft left", u.Send("xin chào"), f.T("vi", "report.stray.at", "N", 1, "Total", 8, "Period", "Báo cáo năm 2025", "Unit", "Sở Nội vụ"))

	// In English, after the session was lost.
	en := f.focal("Mai", "en", "03670")
	en.Send("/report")
	en.Tap("1. 2025 plan")
	en.Tap("Plan")
	f.h.FlushRedis()
	r = en.Send("20")
	mustContain(t, "in English", r.Text(), "Your unit's report draft is waiting at question 2/10:", "2025 plan", "Unit: Phường Chiềng Cơi", "Continue the report")
	mustContain(t, "going on in English", en.Tap("Continue the report").Text(), "Question 2/10")
}
