package report_test

import (
	"strings"
	"testing"
	"time"

	"hocvuso/flows/flowtest"
	"hocvuso/store"
)

// fillPlan fills in the unit's plan report, up to its review.
func fillPlan(u *flowtest.User) {
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	for _, in := range []string{"1", "10", "20", "có", "2/6/2025", "1/KH"} {
		u.Send(in)
	}
	u.Tap("Bỏ qua")
	u.Tap("Bỏ qua")
}

// submitPlan fills in and submits the unit's plan report.
func submitPlan(t *testing.T, f *fixture, u *flowtest.User) flowtest.Result {
	t.Helper()
	fillPlan(u)
	return u.Tap("Gửi báo cáo")
}

// A submitted report is amended from /status: a reason is required, the
// amendment starts from the submitted answers, submitting makes version 2,
// every version is kept and the officials are told with the reason.
func TestReport_AmendKeepsEveryVersion(t *testing.T) {
	f := newFixture(t, nil)
	official := f.official("Quàng Văn Minh", "vi")
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	f.sendNotices()
	submitPlan(t, f, u)
	f.settled()
	told := f.told(official)
	if len(told) != 1 {
		t.Fatalf("the official got %d messages; want 1", len(told))
	}
	mustContain(t, "the official's first message", told[0].Text, "Báo cáo mới", "plan-0001.1", "Đúng hạn.")

	r := u.Send("/status")
	mustContain(t, "/status after submitting", r.Text(), "1. Kế hoạch năm 2025", "đã gửi đúng hạn, biên nhận plan-0001.1", "gửi ngày 25/6/2025")
	r = u.Tap("1. Kế hoạch năm")
	mustContain(t, "the submitted report", r.Text(), "Báo cáo đã được gửi", "Phiên bản 1 · biên nhận plan-0001.1 · 09:00 25/6/2025", "Đúng hạn.")
	r = u.Tap("Sửa đổi báo cáo")
	mustContain(t, "the reason's question", r.Text(), f.T("vi", "report.reason.ask"))
	mustContain(t, "a blank reason", u.Send("   ").Text(), f.T("vi", "report.reason.required"))
	mustContain(t, "too long a reason", u.Send(strings.Repeat("dài ", 130)).Text(), f.T("vi", "report.reason.too_long", "Length", 519, "Max", 500))
	r = u.Send("Sửa số lớp đã mở")
	mustContain(t, "the amendment's review", r.Text(), f.T("vi", "report.reason.saved"), "Sửa đổi phiên bản 1. Lý do: Sửa số lớp đã mở",
		"2. Số lớp đã mở\n10 lớp")
	for _, b := range []string{"Gửi báo cáo", "Sửa lý do", "Hủy sửa đổi"} {
		if _, ok := r.Last().Button(b); !ok {
			t.Errorf("the amendment's review has no %q button: %q", b, r.Last().Labels())
		}
	}

	f.clock.Set(ict(2025, 7, 2, 15, 30)) // two days after the due date
	u.Tap("✏️ 2")
	u.Send("14")
	r = u.Tap("Gửi báo cáo")
	mustContain(t, "the amendment's receipt", r.Text(), "Số biên nhận: plan-0001.2", "15:30 2/7/2025", "Trễ 2 ngày so với hạn.",
		"Đây là bản sửa đổi, phiên bản 2. Lý do: Sửa số lớp đã mở")
	if n := f.settled(); n[store.DeliverySent] != 2 || len(n) != 1 {
		t.Errorf("notices %v; want 2 sent", n)
	}
	told = f.told(official)
	if len(told) != 2 {
		t.Fatalf("the official got %d messages; want 2", len(told))
	}
	mustContain(t, "the official's message", told[1].Text, "Báo cáo được sửa đổi (phiên bản 2)", "Sở Nội vụ",
		"Lý do: Sửa số lớp đã mở", "plan-0001.2", "Trễ 2 ngày")

	versions := f.versions("SNV", "plan")
	if len(versions) != 2 || versions[0].Version != 1 || versions[1].Version != 2 || versions[1].Reason != "Sửa số lớp đã mở" {
		t.Fatalf("versions = %+v", versions)
	}
	if v1, v2 := values(t, answerOf(t, versions[0].Answers, "classes")), values(t, answerOf(t, versions[1].Answers, "classes")); v1.Number != "10" || v2.Number != "14" {
		t.Errorf("classes: v1 %s, v2 %s", v1.Number, v2.Number)
	}
	r = u.Send("/status")
	mustContain(t, "/status after the amendment", r.Text(), "đã sửa đổi (phiên bản 2), biên nhận plan-0001.2")

	// A third version is started, its reason changed, then dropped.
	u.Tap("1. Kế hoạch năm")
	u.Tap("Sửa đổi báo cáo")
	u.Send("Thử")
	u.Tap("Sửa lý do")
	r = u.Send("Bổ sung tệp")
	mustContain(t, "the changed reason", r.Text(), "Lý do: Bổ sung tệp")
	r = u.Tap("Hủy sửa đổi")
	mustContain(t, "the confirmation", r.Text(), f.T("vi", "report.discard.confirm", "Version", 2))
	r = u.Tap("Có, hủy sửa đổi")
	mustContain(t, "dropped", r.Text(), f.T("vi", "report.discard.done"), "Phiên bản 2 · biên nhận plan-0001.2")
	if len(f.versions("SNV", "plan")) != 2 {
		t.Error("a dropped amendment changed the versions")
	}
	if _, ok := f.draft("SNV", "plan"); ok {
		t.Error("the dropped amendment is still a draft")
	}
}

// /status: every state and the days left or overdue, per unit.
func TestReport_StatusOfEveryPeriod(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV", "03670")
	r := u.Send("/status")
	mustContain(t, "/status", r.Text(), "🏢 Phường Chiềng Cơi", "Hạn: 30/7/2025 · chưa làm · còn 35 ngày", "🏢 Sở Nội vụ",
		"Hạn: 30/6/2025 · chưa làm · còn 5 ngày", "Hạn: 10/11/2025 · chưa làm · còn 138 ngày")

	// The department's plan: a draft, then overdue, then submitted late.
	u.Send("/report")
	u.Tap("Sở Nội vụ")
	u.Tap("1. Kế hoạch")
	u.Tap("Kế hoạch")
	mustContain(t, "a draft", u.Send("/status").Text(), "Hạn: 30/6/2025 · đang soạn (1 câu đã trả lời) · còn 5 ngày")
	f.clock.Set(ict(2025, 6, 30, 23, 59))
	mustContain(t, "the due date", u.Send("/status").Text(), "hạn là hôm nay")
	f.clock.Set(ict(2025, 7, 1, 0, 0))
	mustContain(t, "a day late", u.Send("/status").Text(), "chưa gửi, đang soạn (1 câu đã trả lời) · quá hạn 1 ngày")
	f.clock.Set(ict(2025, 7, 3, 8, 0))
	r = u.Send("/report")
	mustContain(t, "resumed", r.Text(), "Câu 2/8")
	for _, in := range []string{"10", "20", "có", "2/6/2025", "1/KH"} {
		u.Send(in)
	}
	u.Tap("Bỏ qua")
	u.Tap("Bỏ qua")
	r = u.Tap("Gửi báo cáo")
	mustContain(t, "a late receipt", r.Text(), "Trễ 3 ngày so với hạn.")
	mustContain(t, "late", u.Send("/status").Text(), "đã gửi trễ 3 ngày, biên nhận plan-0001.1", "gửi ngày 3/7/2025")

	// English.
	f.clock.Set(ict(2025, 7, 3, 8, 0).Add(time.Hour))
	en := f.focal("Anna", "en", "03670")
	mustContain(t, "/status in English", en.Send("/status").Text(), "Due: 30/7/2025 · not started · 27 days left")
}

// A long report's review is split over several messages, none over the
// limit, each with the buttons of its own fields.
func TestReport_LongReviewIsSplit(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "03670")
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	long := strings.Repeat("Đã mở lớp học kỹ năng số cho cán bộ và người dân. ", 58) // about 2,900 characters
	for _, in := range []string{"1", "10", "20", "có", "2/6/2025", "7", "1/KH", long} {
		u.Send(in)
	}
	u.Tap("Bỏ qua")
	r := u.Send(long + "Hết.")
	if len(r.Sent) < 2 {
		t.Fatalf("the review is %d message(s):\n%s", len(r.Sent), r)
	}
	for i, m := range r.Sent {
		if n := len([]rune(m.Text)); n > 3800 {
			t.Errorf("message %d of the review is %d characters long", i, n)
		}
		if len(m.Buttons) == 0 {
			t.Errorf("message %d of the review has no buttons", i)
		}
	}
	mustContain(t, "the last part", r.Last().Text, "Hết.")
	if _, ok := r.Last().Button("Gửi báo cáo"); !ok {
		t.Errorf("no submit button on the last part: %q", r.Last().Labels())
	}
	if _, ok := r.Sent[0].Button("✏️ 1"); !ok {
		t.Errorf("the first part has no button for field 1: %q", r.Sent[0].Labels())
	}
}
