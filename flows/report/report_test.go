package report_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// A focal point fills in the whole form: every type of field, a wrong value
// of each type explained and asked again, an optional field skipped, back,
// attachments, the review, a change from the review, submit, the receipt;
// the official is told, in their language.
func TestReport_AFocalPointFillsReviewsAndSubmits(t *testing.T) {
	f := newFixture(t, nil)
	official := f.official("Cầm Thị Lan", "en")
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	vi := func(id string, kv ...any) string { return f.T("vi", id, kv...) }

	r := u.Send("/report")
	mustContain(t, "the periods", r.Text(), "Sở Nội vụ", "Kế hoạch năm 2025", "Hạn: 30/06/2025", "chưa làm", "còn 5 ngày", "Báo cáo năm 2025")
	r = u.Tap("1. Kế hoạch năm 2025")
	mustContain(t, "the first question", r.Text(), "Có 8 câu hỏi", "Thông tin chung · Câu 1/8", "Loại văn bản", "Chọn một loại.")
	if got := r.Last().Labels(); !strings.Contains(strings.Join(got, "|"), "Kế hoạch|Quyết định|Công văn") {
		t.Fatalf("choice buttons = %q", got)
	}

	// choice: a number out of range, then a tap.
	r = u.Send("5")
	mustContain(t, "a wrong choice", r.Text(), vi("report.input.choice", "N", 3), "Câu 1/8")
	r = u.Tap("Công văn")
	mustContain(t, "the number question", r.Text(), "Câu 2/8", "Số lớp đã mở", "từ 0 đến 1.000 (lớp)")

	// number: not a number, decimals, out of range, then right with its unit.
	mustContain(t, "not a number", u.Send("nhiều lắm").Text(), vi("report.input.number", "Example", "120"))
	mustContain(t, "decimals", u.Send("1,5").Text(), vi("report.input.number.integer", "Example", "120"))
	// "Không" at a required number: type 0; there is no Skip to offer.
	r = u.Send("không")
	mustContain(t, "none at a required number", r.Text(), vi("report.input.none"), "Câu 2/8")
	mustContain(t, "out of range", u.Send("2000").Text(), vi("report.input.number.range", "Min", "0", "Max", "1.000"))
	r = u.Send("120 lớp")
	mustContain(t, "the percent question", r.Text(), "Câu 3/8", "(không bắt buộc)")

	// percent: over 100, then skipped.
	mustContain(t, "a wrong percentage", u.Send("150%").Text(), vi("report.input.percent", "Min", "0", "Max", "100", "Example", "85", "Fraction", "85,5"))
	r = u.Tap("Bỏ qua")
	mustContain(t, "the yes/no question", r.Text(), "Câu 4/8", "Đã phát động chưa?")

	// yes/no: neither, then a tap.
	mustContain(t, "neither yes nor no", u.Send("có lẽ").Text(), vi("report.input.yesno"))
	r = u.Tap("Có")
	mustContain(t, "the date question", r.Text(), "Câu 5/8", "Ngày phát động")

	// date: no such day, not a date, out of bounds, then right.
	mustContain(t, "31 February", u.Send("31/2/2025").Text(), vi("report.input.date.unreal"))
	mustContain(t, "not a date", u.Send("hôm qua").Text(), vi("report.input.date"))
	mustContain(t, "out of bounds", u.Send("1/1/2031").Text(), vi("report.input.date.range", "Min", "01/01/2025", "Max", "31/12/2030"))
	r = u.Send("20/6/2025")
	// The communes' field is not asked of a department.
	mustContain(t, "the text question", r.Text(), "Câu 6/8", "Số văn bản")

	// text: too long, then back to the date (kept), then right.
	mustContain(t, "too long a text", u.Send("25/KH-SNV ngày 20 tháng 6 năm 2025").Text(), vi("report.input.text.too_long", "Length", 34, "Max", 20))
	r = u.Tap("Quay lại")
	mustContain(t, "back to the date", r.Text(), "Câu 5/8", "Câu trả lời đã lưu: 20/06/2025")
	r = u.Tap("Giữ nguyên")
	mustContain(t, "forward again", r.Text(), "Câu 6/8")
	r = u.Send("25/KH-SNV")
	mustContain(t, "the long text question", r.Text(), "a) Nhận thức · Câu 7/8")

	r = u.Send("Mở 120 lớp.\n\nPhát động toàn cơ quan.")
	mustContain(t, "the file question", r.Text(), "Câu 8/8", "PDF, Word, Excel, JPG, PNG", "20 MB", "tối đa 2 tệp")

	// file: text where a file is asked, then a PDF and a photo.
	mustContain(t, "text for a file", u.Send("đã gửi rồi").Text(), vi("report.input.file.expected", "Kinds", "PDF, Word, Excel, JPG, PNG"))
	r = f.sendFile(u, "Kế hoạch 25.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	mustContain(t, "the first file", r.Text(), "Đã nhận tệp Kế hoạch 25.pdf", "Câu 8/8", "Kế hoạch 25.pdf")
	if _, ok := r.Last().Button("Xong"); !ok {
		t.Fatalf("no Done button after the first of two files: %q", r.Last().Labels())
	}
	r = f.sendFile(u, "", "image/jpeg", jpegFile, int64(len(jpegFile)))

	// The review: every answer, then submit.
	review := r.Text()
	mustContain(t, "the review", review, "Xem lại báo cáo", "1. Loại văn bản\nCông văn", "2. Số lớp đã mở\n120 lớp",
		"3. Tỉ lệ cán bộ đạt kỹ năng số\n(bỏ qua)", "4. Đã phát động chưa?\nCó", "5. Ngày phát động\n20/06/2025",
		"6. Số văn bản\n25/KH-SNV", "Mở 120 lớp.\n\nPhát động toàn cơ quan.", "Kế hoạch 25.pdf, anh-1.jpg", vi("report.review.ready"))
	if strings.Contains(review, "Số thôn") {
		t.Error("the review shows the communes' field to a department")
	}

	// Typing at the review, most likely a correction, is told how to make
	// one; nothing changes.
	r = u.Send("câu 2 là 130 lớp")
	if r.Text() != vi("report.review.typed") {
		t.Errorf("text typed at the review:\n%s", r)
	}

	// A change from the review goes back to the review.
	r = u.Tap("✏️ 2")
	mustContain(t, "changing a field", r.Text(), "Câu 2/8", "Câu trả lời đã lưu: 120 lớp")
	r = u.Send("130")
	mustContain(t, "back to the review", r.Text(), "2. Số lớp đã mở\n130 lớp", vi("report.review.ready"))

	r = u.Tap("Gửi báo cáo")
	mustContain(t, "the receipt", r.Text(), "Đã nhận báo cáo", "Số biên nhận: plan-0001.1", "Thời gian: 09:00 25/06/2025", "Đúng hạn.")
	if _, ok := f.draft("SNV", "plan"); ok {
		t.Error("the draft is still there after submitting")
	}
	versions := f.versions("SNV", "plan")
	if len(versions) != 1 || versions[0].Receipt != "plan-0001.1" || versions[0].FormID != "t" || versions[0].FormVersion != 1 {
		t.Fatalf("versions = %+v", versions)
	}
	answers, err := config.DecodeAnswers(versions[0].Answers)
	if err != nil {
		t.Fatal(err)
	}
	if a := answers["classes"]; a.Number != "130" {
		t.Errorf("classes stored as %+v", a)
	}
	if a := answers["share"]; !a.Skipped {
		t.Errorf("share stored as %+v; want skipped", a)
	}
	if a := answers["evidence"]; len(a.Files) != 2 || a.Files[0].Kind != config.FilePDF || a.Files[1].Kind != config.FileImage {
		t.Errorf("evidence stored as %+v", a)
	}
	for _, ref := range answers["evidence"].Files {
		att, ok, err := f.h.DB.Attachment(context.Background(), ref.SHA256)
		if err != nil || !ok || att.Size != ref.Size {
			t.Errorf("attachment %s: %+v %v %v", ref.Name, att.Size, ok, err)
		}
	}

	// The official is told once, in English, on their own chat, by the
	// scheduler.
	f.sendNotices()
	if n := f.settled(); n[store.DeliverySent] != 1 || len(n) != 1 {
		t.Errorf("notices %v; want 1 sent", n)
	}
	told := f.told(official)
	if len(told) != 1 {
		t.Fatalf("the official got %d messages; want 1", len(told))
	}
	mustContain(t, "the official's message", told[0].Text, "New report", "Sở Nội vụ", "2025 plan", "plan-0001.1", "09:00 25/06/2025", "On time.")
	raw, _ := json.Marshal(answers["launched"])
	if !strings.Contains(string(raw), `"yes":true`) {
		t.Errorf("launched stored as %s", raw)
	}
}

// Someone who is no focal point is told how to become one.
func TestReport_NotAFocalPoint(t *testing.T) {
	f := newFixture(t, nil)
	u := f.h.Agreed("Hà Văn Tú", "vi")
	r := u.Send("/report")
	mustContain(t, "/report", r.Text(), f.T("vi", "report.not_focal"))
	r = u.Send("/status")
	mustContain(t, "/status", r.Text(), f.T("vi", "report.not_focal"))
	en := f.h.Agreed("Anna", "en")
	mustContain(t, "/report in English", en.Send("/report").Text(), "invite code")
}

// An official who is no focal point is shown their own commands.
func TestReport_AnOfficialIsShownTheirCommands(t *testing.T) {
	f := newFixture(t, nil)
	o := f.official("Quàng Văn Minh", "vi")
	mustContain(t, "/report by an official", o.Send("/report").Text(), "/overview", "/export")
}

// A tap on an older question, and a double tap on submit, change nothing:
// one answer, one version, one receipt.
func TestReport_StaleAndDoubleTaps(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	first := u.Screen()
	u.Tap("Quyết định")
	r := u.TapOn(first, "Công văn")
	if r.Notice() != f.T("vi", "stale.button") || len(r.Sent) != 0 {
		t.Errorf("a tap on the answered question: notice %q, sent %s", r.Notice(), r)
	}
	if d, _ := f.draft("SNV", "plan"); string(d.Answers["doc_kind"]) != `{"type": "choice", "choice": "decision"}` {
		t.Errorf("doc_kind = %s after a stale tap", d.Answers["doc_kind"])
	}
	for _, in := range []string{"10", "20", "có", "2/6/2025", "1/KH"} {
		u.Send(in)
	}
	u.Tap("Bỏ qua")
	review := u.Tap("Bỏ qua").Last()
	r = u.Do(u.TapUpdate(review, "Gửi báo cáo"), u.TapUpdate(review, "Gửi báo cáo"))
	if r.Answered != 2 {
		t.Errorf("%d taps answered; want both", r.Answered)
	}
	if n := strings.Count(r.Text(), "Đã nhận báo cáo"); n != 1 {
		t.Errorf("%d receipts for a double tap:\n%s", n, r)
	}
	if v := f.versions("SNV", "plan"); len(v) != 1 {
		t.Errorf("%d versions for a double tap", len(v))
	}
}

// "Không" at an optional number question is not read as 0: the refusal
// says to type 0 or to skip, and the question is asked again.
func TestReport_NoneAtAnOptionalNumberSaysTypeZeroOrSkip(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Thị Mai", "vi", "03670")
	en := f.focal("Anna", "en", "03670")
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	for _, in := range []string{"1", "10", "20", "có"} {
		u.Send(in)
	}
	mustContain(t, "the optional number", u.Send("2/6/2025").Text(), "Số thôn, bản")
	for _, typed := range []string{"không", "Không có"} {
		r := u.Send(typed)
		mustContain(t, typed, r.Text(), f.T("vi", "report.input.none.skip"), "Số thôn, bản")
		if _, ok := r.Last().Button(f.T("vi", "report.button.skip")); !ok {
			t.Errorf("%s: no Skip button to choose: %q", typed, r.Last().Labels())
		}
	}
	if d, ok := f.draft("03670", "plan"); !ok || d.Answers["wards"] != nil {
		t.Errorf("\"không\" was taken as an answer: %+v", d.Answers)
	}
	en.Send("/report")
	mustContain(t, "in English", en.Send("none").Text(), "Please type a number. Type 0 if there are none, or choose Skip.")
}
