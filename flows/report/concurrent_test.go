package report_test

import (
	"strconv"
	"testing"
)

// Two focal points of one unit fill in the same draft at once: answers to
// different fields merge; an answer to a field the other changed since it
// was shown is never saved silently: the user sees the other answer and
// keeps it or replaces it.
func TestReport_TwoFocalPointsOfOneUnit(t *testing.T) {
	f := newFixture(t, nil)
	a := f.focal("Lò Văn Sơn", "vi", "03670")
	b := f.focal("Cầm Thị Hoa", "vi", "03670")

	a.Send("/report")
	a.Tap("1. Kế hoạch")
	// B's /report finds the unit's one draft and joins it.
	r := b.Send("/report")
	mustContain(t, "B joins the same draft", r.Text(), f.T("vi", "report.resuming", "Period", "Kế hoạch năm 2025", "Unit", "Phường Chiềng Cơi"), "Câu 1/10")

	// Both are asked the first question; A answers first.
	a.Tap("Kế hoạch")
	r = b.Tap("Quyết định")
	mustContain(t, "B's conflict", r.Text(), "Lò Văn Sơn vừa trả lời câu này trước bạn", "Loại văn bản",
		"Câu trả lời đã lưu: Kế hoạch", "Câu trả lời của bạn: Quyết định")
	if d, _ := f.draft("03670", "plan"); string(d.Answers["doc_kind"]) != `{"type": "choice", "choice": "plan"}` {
		t.Fatalf("doc_kind = %s; want A's answer kept until B chooses", d.Answers["doc_kind"])
	}
	// B keeps A's answer and goes on.
	r = b.Tap("Giữ câu trả lời đã lưu")
	mustContain(t, "B goes on", r.Text(), "Câu 2/10")

	// The same field again: A answers the number B is looking at; B puts
	// theirs this time.
	a.Send("30")
	r = b.Send("31")
	mustContain(t, "B's second conflict", r.Text(), "Câu trả lời đã lưu: 30 lớp", "Câu trả lời của bạn: 31 lớp")
	r = b.Tap("Thay bằng câu trả lời của tôi")
	mustContain(t, "B replaced it", r.Text(), "Câu 3/10")
	// Different fields merge: A, on the percentage, had not seen B's
	// number, which is another field.
	r = a.Send("50")
	mustContain(t, "A goes on", r.Text(), "Câu 4/10")
	d, _ := f.draft("03670", "plan")
	if string(d.Answers["classes"]) != `{"type": "number", "number": "31"}` || string(d.Answers["share"]) != `{"type": "percent", "number": "50"}` {
		t.Errorf("merged answers: classes %s share %s", d.Answers["classes"], d.Answers["share"])
	}

	// A reviews; B changes an answer; A's submit is refused and A reviews
	// again, with B's change.
	for _, in := range []string{"có", "3/6/2025", "12", "1/KH"} {
		a.Send(in)
	}
	a.Tap("Bỏ qua")
	a.Tap("Bỏ qua")
	r = a.Tap("Bỏ qua")
	mustContain(t, "A's review", r.Text(), "Xem lại báo cáo")
	r = b.Send("/report")
	mustContain(t, "B's review", r.Text(), "Xem lại báo cáo")
	b.Tap("✏️ 4")
	b.Send("không")
	r = a.Tap("Gửi báo cáo")
	mustContain(t, "A's submit after B's change", r.Text(), f.T("vi", "report.review.changed"), "4. Đã phát động chưa?\nKhông")
	if v := f.versions("03670", "plan"); len(v) != 0 {
		t.Fatalf("submitted %d versions over a changed draft", len(v))
	}
	b.Tap("✏️ 5")
	r = a.Tap("Gửi báo cáo")
	mustContain(t, "A's second submit", r.Text(), "plan-0001.1")
	// B's answer lands after the report was sent: B is told, and the
	// answer waits in an amendment, which needs a reason.
	r = b.Send("5/6/2025")
	mustContain(t, "B after the submission", r.Text(), f.T("vi", "report.submitted_meanwhile"), f.T("vi", "report.reason.ask"))
	if d, ok := f.draft("03670", "plan"); !ok || d.BaseVersion != 1 {
		t.Errorf("B's answer: draft %+v %v; want an amendment of version 1", d, ok)
	}
	// B changes their mind: the amendment is dropped, the report stays.
	r = b.Tap("Hủy")
	mustContain(t, "B cancels", r.Text(), f.T("vi", "report.discard.done"), "Phiên bản 1 · biên nhận plan-0001.1")
	if _, ok := f.draft("03670", "plan"); ok {
		t.Error("the amendment B cancelled is still there")
	}
}

// A focal point's review names the one draft it showed: when another focal
// point submits that draft and starts an amendment whose draft reaches the
// same version number, the first one's Send must not submit the amendment
// they never reviewed. They are told the draft changed and see it again.
func TestReport_SendAfterTheReviewedDraftWasSubmittedAndReplaced(t *testing.T) {
	f := newFixture(t, nil)
	a := f.focal("Lò Văn Sơn", "vi", "SNV")
	b := f.focal("Cầm Thị Hoa", "vi", "SNV")

	fillPlan(a)
	reviewed, _ := f.draft("SNV", "plan")

	// B sends the same draft, then amends the report.
	r := b.Send("/report")
	mustContain(t, "B's review", r.Text(), "Xem lại báo cáo")
	mustContain(t, "B's receipt", b.Tap("Gửi báo cáo").Text(), "plan-0001.1")
	b.Send("/status")
	b.Tap("1. Kế hoạch năm")
	b.Tap("Sửa đổi báo cáo")
	r = b.Send("Sửa số lớp")
	mustContain(t, "B's amendment", r.Text(), "Sửa đổi phiên bản 1. Lý do: Sửa số lớp")
	// B changes the classes until the amendment's draft is at least at the
	// version A reviewed: the number alone cannot tell the drafts apart.
	for i := 0; ; i++ {
		d, ok := f.draft("SNV", "plan")
		if !ok || d.BaseVersion != 1 {
			t.Fatalf("B's amendment: %+v %v", d, ok)
		}
		if d.Version >= reviewed.Version {
			break
		}
		if i == 20 {
			t.Fatalf("the amendment's draft stays at version %d under %d", d.Version, reviewed.Version)
		}
		b.Tap("✏️ 2")
		b.Send(strconv.Itoa(11 + i))
	}

	// A, still on the review of the draft B sent, taps Send.
	r = a.Tap("Gửi báo cáo")
	mustContain(t, "A's send over B's amendment", r.Text(), f.T("vi", "report.review.changed"), "Xem lại báo cáo",
		"Sửa đổi phiên bản 1. Lý do: Sửa số lớp")
	versions := f.versions("SNV", "plan")
	if len(versions) != 1 {
		t.Fatalf("%d versions; want only the one B sent, not B's amendment sent by A", len(versions))
	}
	// What A answered is in the version B sent, and B's amendment waits.
	if v := values(t, answerOf(t, versions[0].Answers, "doc_number")); v.Text != "1/KH" {
		t.Errorf("version 1's document number = %q; want A's 1/KH", v.Text)
	}
	if d, ok := f.draft("SNV", "plan"); !ok || d.BaseVersion != 1 || d.Reason != "Sửa số lớp" {
		t.Errorf("B's amendment after A's send: %+v %v", d, ok)
	}
}
