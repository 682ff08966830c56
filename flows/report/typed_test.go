package report_test

import (
	"context"
	"strings"
	"testing"

	"hocvuso/flows/flowtest"
	"hocvuso/flows/report/config"
	"hocvuso/store"
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

// A long text's limit and an answer's length are written as every other
// number: "3.000" in Vietnamese, "3,000" in English, in the hint and in the
// refusal; so is the length of too long a reason.
func TestReport_TextLimitsAreWrittenAsNumbers(t *testing.T) {
	f := newFixture(t, nil)
	for _, c := range []struct{ unit, lang, name, period, skip, yes, max, long string }{
		{"03670", "vi", "Cầm Văn Hùng", "1. Kế hoạch năm 2025", "Bỏ qua", "có", "3.000", "3.001"},
		{"SNV", "en", "Anna Lò", "1. 2025 plan", "Skip", "yes", "3,000", "3,001"},
	} {
		u := f.focal(c.name, c.lang, c.unit)
		u.Send("/report")
		u.Tap(c.period)
		u.Send("1")
		u.Send("120")
		u.Tap(c.skip)
		u.Send(c.yes)
		u.Send("20/6/2025")
		if c.unit == "03670" {
			u.Tap(c.skip) // the communes' number of villages
		}
		r := u.Send("25/KH-UBND")
		mustContain(t, c.lang+" long text hint", r.Text(), f.T(c.lang, "report.hint.longtext", "Max", c.max))
		r = u.Send(strings.Repeat("a", config.DefaultLongTextMax+1))
		mustContain(t, c.lang+" too long", r.Text(), f.T(c.lang, "report.input.text.too_long", "Length", c.long, "Max", c.max))
	}
}

// A number or a percentage is asked as such (bot.Reply.Number): the console
// then reads a typed "1" as the answer, not as its first button.
func TestReport_NumberQuestionsAskForTypedNumbers(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Cầm Văn Hùng", "vi", "SNV")
	u.Send("/report")
	r := u.Tap("1. Kế hoạch năm 2025")
	if r.Last().Number {
		t.Error("the choice question asks for a typed number")
	}
	r = u.Tap("Công văn")
	mustContain(t, "the number question", r.Text(), "Số lớp đã mở")
	if !r.Last().Number {
		t.Error("the number question does not ask for a typed number")
	}
	r = u.Send("1")
	mustContain(t, "the percentage question", r.Text(), "Tỉ lệ cán bộ")
	if !r.Last().Number {
		t.Error("the percentage question does not ask for a typed number")
	}
	r = u.Tap("Bỏ qua")
	mustContain(t, "the yes/no question", r.Text(), "Đã phát động chưa?")
	if r.Last().Number {
		t.Error("the yes/no question asks for a typed number")
	}
	if d, _ := f.draft("SNV", "plan"); values(t, d.Answers["classes"]).Number != "1" {
		t.Errorf("classes = %s; want 1", d.Answers["classes"])
	}
}

// "Xong" typed at a file question that has files goes on, as the Done
// button does; before any file it is still told a file is asked.
func TestReport_TypedDoneAfterFiles(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Cầm Văn Hùng", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch năm 2025")
	for _, in := range []string{"1", "10", "20", "có", "2/6/2025", "1/KH"} {
		u.Send(in)
	}
	r := u.Tap("Bỏ qua")
	mustContain(t, "the file question", r.Text(), "Câu 8/8", "Tài liệu kèm theo")
	kinds := "PDF, Word, Excel, JPG, PNG"
	mustContain(t, "Xong before any file", u.Send("Xong").Text(), f.T("vi", "report.input.file.expected", "Kinds", kinds), "Câu 8/8")
	f.sendFile(u, "Kế hoạch.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	r = u.Send("xong")
	mustContain(t, "Xong after a file", r.Text(), "Xem lại báo cáo", "8. Tài liệu kèm theo\nKế hoạch.pdf", f.T("vi", "report.review.ready"))
	if strings.Contains(r.Text(), f.T("vi", "report.input.file.expected", "Kinds", kinds)) {
		t.Errorf("told a file is needed after sending one:\n%s", r)
	}
}

// "Quay lại" and "Tạm dừng" typed rather than tapped (on Zalo, where a
// focal point types as often as taps, in either language, with or without
// diacritics, in any case) are the Back and Pause buttons, never saved as
// the answer of a text question. Only where the screen has the button: the
// first question has no Back, and a longer text is an answer.
func TestReport_TypedBackAndPauseAreTheButtons(t *testing.T) {
	f, _, focals := zaloFocals(t)
	for _, c := range []struct {
		lang, unit, period, level string
		backs, pauses             []string
	}{
		{"vi", "SNV", "Kỳ Zalo", "Tốt", []string{"quay lai", "  BACK  ", "⬅️ Quay lại"}, []string{" Tạm dừng ", "⏸ tam dung", "Pause"}},
		{"en", "03670", "Zalo period", "Good", []string{"Back", "Quay lại", "back."}, []string{"pause", "Tạm Dừng"}},
	} {
		u := focals[c.lang]
		notSaved := func(what, key string) {
			t.Helper()
			if d, _ := f.draft(c.unit, "z"); d.Answers[key] != nil {
				t.Fatalf("%s, %s: %s saved as %s", c.lang, what, key, d.Answers[key])
			}
		}
		paused, shared := f.T(c.lang, "report.paused"), f.T(c.lang, "report.hint.yesno")
		u.Send("/report")
		r := u.Tap(c.period)
		mustContain(t, c.lang+" the first question", r.Text(), f.T(c.lang, "report.hint.text", "Max", "200"))
		for _, typed := range c.pauses {
			r = u.Send(typed)
			mustContain(t, c.lang+" "+typed+" typed at the first question", r.Text(), paused)
			notSaved(typed, "name")
			u.Tap(f.T(c.lang, "report.button.continue"))
		}
		// No Back on the first question: what is typed is the answer.
		u.Send(c.backs[0])
		if v := values(t, mustDraft(t, f, c.unit).Answers["name"]); v.Text != strings.TrimSpace(c.backs[0]) {
			t.Errorf("%s: name = %+v; want %q, typed where no Back is shown", c.lang, v, c.backs[0])
		}
		u.Tap(c.level)
		u.Tap(f.T(c.lang, "report.yes"))
		for _, typed := range c.backs {
			r = u.Send(typed)
			mustContain(t, c.lang+" "+typed+" typed at the text question", r.Text(), shared)
			notSaved(typed, "note")
			u.Tap(f.T(c.lang, "report.button.keep"))
		}
		for _, typed := range c.pauses {
			r = u.Send(typed)
			mustContain(t, c.lang+" "+typed+" typed at the text question", r.Text(), paused)
			notSaved(typed, "note")
			u.Tap(f.T(c.lang, "report.button.continue"))
		}
		// Longer than a label, it is an answer.
		u.Send(c.backs[1] + " sau")
		if v := values(t, mustDraft(t, f, c.unit).Answers["note"]); v.Text != strings.TrimSpace(c.backs[1])+" sau" {
			t.Errorf("%s: note = %+v", c.lang, v)
		}
	}
}

func mustDraft(t *testing.T, f *fixture, unit string) store.Draft {
	t.Helper()
	d, ok := f.draft(unit, "z")
	if !ok {
		t.Fatalf("no draft of %s", unit)
	}
	return d
}

// A required choice or yes/no question left unanswered ("Bỏ qua" typed),
// or sent a file, asks to choose an answer, not to type one; in Vietnamese
// and English.
func TestReport_ARequiredChoiceAsksToChoose(t *testing.T) {
	f := newFixture(t, nil)
	for _, c := range []struct{ lang, unit, period, skip, letter, number, typeWord string }{
		{"vi", "SNV", "1. Kế hoạch năm 2025", "Bỏ qua", "Công văn", "120", "nhập"},
		{"en", "03670", "1. 2025 plan", "Skip", "Letter", "120", "type"},
	} {
		u := f.focal("Lò Thị "+c.lang, c.lang, c.unit)
		u.Send("/report")
		u.Tap(c.period)
		choose := f.T(c.lang, "report.input.required.choice")
		r := u.Send(c.skip)
		mustContain(t, c.lang+" skip typed at a required choice", r.Text(), choose, f.T(c.lang, "report.hint.choice"))
		r = f.sendFile(u, "Kế hoạch.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
		mustContain(t, c.lang+" a file at a choice", r.Text(), f.T(c.lang, "report.file.not_here.choice"), f.T(c.lang, "report.hint.choice"))
		u.Tap(c.letter)
		u.Send(c.number)
		u.Tap(c.skip)
		r = u.Send(c.skip)
		mustContain(t, c.lang+" skip typed at a required yes/no", r.Text(), choose, f.T(c.lang, "report.hint.yesno"))
		for _, id := range []string{"report.input.required.choice", "report.file.not_here.choice"} {
			if s := strings.ToLower(f.T(c.lang, id)); strings.Contains(s, c.typeWord) {
				t.Errorf("%s/%s says %q on a question answered by choosing: %s", c.lang, id, c.typeWord, s)
			}
		}
		if d, _ := f.draft(c.unit, "plan"); d.Answers["launched"] != nil {
			t.Errorf("%s: launched = %s; want none", c.lang, d.Answers["launched"])
		}
	}
}

// "Giữ nguyên" typed rather than tapped (on Zalo, where a focal point types
// as often as taps, in either language, with or without diacritics, in any
// case) is the Keep button of an amended question: the answer stays as it
// was, never replaced by the words "Giữ nguyên", which the officials would
// read. Only where the screen has the button (a question not answered yet
// has none), and a longer text is an answer.
func TestReport_TypedKeepIsTheButton(t *testing.T) {
	f, _, focals := zaloFocals(t)
	for _, c := range []struct {
		lang, unit, period, level, name, note, reason string
		keeps                                         []string
	}{
		{"vi", "SNV", "Kỳ Zalo", "Tốt", "Lò Văn Sơn", "Đã họp", "Bổ sung", []string{"Giữ nguyên", "giu nguyen", " ✔️ GIỮ NGUYÊN. ", "Keep"}},
		{"en", "03670", "Zalo period", "Good", "Anna Lò", "Met", "More", []string{"Keep", "keep.", "✔️ KEEP", "giữ nguyên"}},
	} {
		u := focals[c.lang]
		answer := func(key string) string {
			t.Helper()
			return values(t, mustDraft(t, f, c.unit).Answers[key]).Text
		}
		u.Send("/report")
		r := u.Tap(c.period)
		if _, ok := r.Last().Button(f.T(c.lang, "report.button.keep")); ok {
			t.Fatalf("%s: the unanswered first question has a Keep button", c.lang)
		}
		// No Keep on a question not answered: what is typed is the answer.
		u.Send(c.keeps[0])
		if got := answer("name"); got != c.keeps[0] {
			t.Errorf("%s: name = %q; want %q, typed where no Keep is shown", c.lang, got, c.keeps[0])
		}
		u.Tap(f.T(c.lang, "report.button.back"))
		u.Send(c.name)
		u.Tap(c.level)
		u.Tap(f.T(c.lang, "report.yes"))
		u.Send(c.note)
		u.Tap(f.T(c.lang, "report.button.submit"))

		// The amendment: each text question, opened from the review,
		// kept by typing.
		u.Send("/report")
		u.Tap(c.period)
		u.Tap(f.T(c.lang, "report.button.amend"))
		u.Send(c.reason)
		review := f.T(c.lang, "report.review.amending", "Version", 1, "Reason", c.reason)
		for _, q := range []struct{ edit, key, was string }{{"✏️ 1", "name", c.name}, {"✏️ 4", "note", c.note}} {
			for _, typed := range c.keeps {
				r = u.Tap(q.edit)
				if _, ok := r.Last().Button(f.T(c.lang, "report.button.keep")); !ok {
					t.Fatalf("%s: %s has no Keep button: %q", c.lang, q.key, r.Last().Labels())
				}
				r = u.Send(typed)
				mustContain(t, c.lang+" "+typed+" typed at "+q.key, r.Text(), review)
				if got := answer(q.key); got != q.was {
					t.Errorf("%s: %q typed at %s saved %q; want %q kept", c.lang, typed, q.key, got, q.was)
				}
			}
		}
		// Longer than a label, it is an answer.
		u.Tap("✏️ 4")
		u.Send(c.keeps[0] + " " + c.note)
		if got, want := answer("note"), c.keeps[0]+" "+c.note; got != want {
			t.Errorf("%s: note = %q; want %q", c.lang, got, want)
		}
	}
}

// "Hủy" typed at the reason of an amendment (on Zalo, where a focal point
// types as often as taps, in either language, with or without diacritics,
// in any case) is the question's Cancel button, never a reason the
// officials would read: before the amendment starts it starts none, and
// when the reason is changed the reason stays. A longer text is a reason.
func TestReport_TypedCancelAtTheReasonIsTheButton(t *testing.T) {
	f, _, focals := zaloFocals(t)
	for _, c := range []struct {
		lang, unit, period, level, reason, receipt string
		cancels                                    []string
	}{
		{"vi", "SNV", "Kỳ Zalo", "Tốt", "Bổ sung ghi chú", "z-0001.1", []string{"Hủy", "huỷ", " ↩️ HUY. ", "Cancel"}},
		{"en", "03670", "Zalo period", "Good", "Add a note", "z-0002.1", []string{"Cancel", "cancel.", "↩️ CANCEL", "hủy"}},
	} {
		u := focals[c.lang]
		u.Send("/report")
		u.Tap(c.period)
		u.Send("Lò Văn Sơn")
		u.Tap(c.level)
		u.Tap(f.T(c.lang, "report.yes"))
		u.Send("Đã họp")
		u.Tap(f.T(c.lang, "report.button.submit"))
		submitted := f.T(c.lang, "report.submitted.version", "Version", 1, "Receipt", c.receipt, "Time", "09:00 25/06/2025")

		// Before the amendment starts: none is started.
		u.Send("/report")
		u.Tap(c.period)
		for _, typed := range c.cancels {
			r := u.Tap(f.T(c.lang, "report.button.amend"))
			mustContain(t, c.lang+" the reason's question", r.Text(), f.T(c.lang, "report.reason.ask"))
			r = u.Send(typed)
			mustContain(t, c.lang+" "+typed+" typed at the reason", r.Text(), submitted)
			if d, ok := f.draft(c.unit, "z"); ok {
				t.Fatalf("%s: %q typed at the reason started an amendment, reason %q", c.lang, typed, d.Reason)
			}
		}
		// The reason changed from the review: it stays.
		u.Tap(f.T(c.lang, "report.button.amend"))
		u.Send(c.reason)
		review := f.T(c.lang, "report.review.amending", "Version", 1, "Reason", c.reason)
		for _, typed := range c.cancels {
			u.Tap(f.T(c.lang, "report.button.reason"))
			r := u.Send(typed)
			mustContain(t, c.lang+" "+typed+" typed at the changed reason", r.Text(), review)
			if d := mustDraft(t, f, c.unit); d.Reason != c.reason {
				t.Errorf("%s: %q typed at the reason made it %q; want %q", c.lang, typed, d.Reason, c.reason)
			}
		}
		// Longer than a label, it is a reason.
		u.Tap(f.T(c.lang, "report.button.reason"))
		u.Send(c.cancels[0] + " " + c.reason)
		if d, want := mustDraft(t, f, c.unit), c.cancels[0]+" "+c.reason; d.Reason != want {
			t.Errorf("%s: reason %q; want %q", c.lang, d.Reason, want)
		}
	}
}

// An answer corrected by editing the message is not read, and the user is
// not told to send it again, which would answer the question asked now:
// they are told the first answer is kept and how to change it, and the
// question asked now is asked again, its draft intact.
func TestReport_AnEditedAnswerIsNotTakenForTheNextQuestion(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Cầm Văn Hùng", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch năm 2025")
	u.Tap("Công văn")
	mustContain(t, "the percent question", u.Send("120").Text(), "Câu 3/8")
	r := u.Edit("150")
	mustContain(t, "an edit", r.Text(), f.T("vi", "report.edited"), "Câu 3/8")
	if strings.Contains(r.Text(), f.T("vi", "edited.ignored")) {
		t.Errorf("told to send the edit again, which would answer question 3:\n%s", r)
	}
	d, ok := f.draft("SNV", "plan")
	if !ok {
		t.Fatal("the draft is gone")
	}
	if v := values(t, d.Answers["classes"]); v.Number != "120" {
		t.Errorf("classes = %q after the edit, want the answer sent, 120", v.Number)
	}
	if _, ok := d.Answers["share"]; ok {
		t.Errorf("question 3 answered by the edit: %s", d.Answers["share"])
	}
}

// breakAnswer saves, behind the user's back, an answer the field no longer
// accepts to a required field of the unit's draft of period p (form id,
// version 1): the review then lacks it, and offers "Answer what is
// missing" instead of Send.
func breakAnswer(t *testing.T, f *fixture, u *flowtest.User, unit, period, form, key, value string) {
	t.Helper()
	d, ok := f.draft(unit, period)
	if !ok {
		t.Fatalf("no draft of %s for %s", unit, period)
	}
	if _, err := f.h.DB.SaveDraftAnswer(context.Background(), store.DraftAnswer{
		DraftStart: store.DraftStart{UnitCode: unit, PeriodID: period, FormID: form, FormVersion: 1, By: u.UserID(), At: f.clock.Now()},
		Key:        key, Value: []byte(value), Seen: d.Version,
	}); err != nil {
		t.Fatal(err)
	}
}

// reviewLackingAnswer answers SNV's 2025 plan in lang up to its review,
// then stores value as the answer to the required "classes" (breakAnswer),
// and returns what /report shows then: the review, one answer missing.
func reviewLackingAnswer(t *testing.T, lang, value string) (*fixture, *flowtest.User, flowtest.Result) {
	t.Helper()
	f := newFixture(t, nil)
	unit := "SNV"
	u := f.focal("Lò Văn Sơn", lang, unit)
	u.Send("/report")
	u.Tap(map[string]string{"vi": "1. Kế hoạch", "en": "1. 2025 plan"}[lang])
	for _, in := range []string{"1", "10", "20", map[string]string{"vi": "có", "en": "yes"}[lang], "2/6/2025", "1/KH"} {
		u.Send(in)
	}
	u.Tap(f.T(lang, "report.button.skip"))
	mustContain(t, lang+": the review", u.Tap(f.T(lang, "report.button.skip")).Text(), f.T(lang, "report.review.ready"))
	breakAnswer(t, f, u, unit, "plan", "t", "classes", value)
	r := u.Send("/report")
	mustContain(t, lang+": the review lacking an answer", r.Text(), f.T(lang, "report.review.missing", "N", 1))
	return f, u, r
}

// Text typed at a review that still lacks a required answer is told to
// choose "Answer what is missing", the button shown, not Send, which is
// not.
func TestReport_TypedAtAReviewWithMissingAnswers(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		f, u, r := reviewLackingAnswer(t, lang, `{"type":"number","number":"5000"}`)
		if _, ok := r.Last().Button(f.T(lang, "report.button.answer_missing")); !ok {
			t.Fatalf("%s: no %q at the review: %q", lang, f.T(lang, "report.button.answer_missing"), r.Last().Labels())
		}
		r = u.Send(map[string]string{"vi": "câu 2 là 10", "en": "send"}[lang])
		if got, want := r.Text(), f.T(lang, "report.review.typed_missing"); got != want {
			t.Errorf("%s: text typed at the review lacking an answer:\n%s\nwant:\n%s", lang, got, want)
		}
	}
}

// "Answer what is missing" at a review whose required answer is there but
// does not count (marked skipped, as no button can save it) asks that
// question, and its answer leads to a review that can be sent: not back to
// the same review, with no way forward.
func TestReport_AnswerMissingAsksARequiredAnswerMarkedSkipped(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		f, u, _ := reviewLackingAnswer(t, lang, `{"type":"number","skipped":true}`)
		r := u.Tap(f.T(lang, "report.button.answer_missing"))
		mustContain(t, lang+": after "+f.T(lang, "report.button.answer_missing"), r.Text(), map[string]string{"vi": "Số lớp đã mở", "en": "Classes held"}[lang])
		if strings.Contains(r.Text(), f.T(lang, "report.review.missing", "N", 1)) {
			t.Fatalf("%s: %q shows the review again:\n%s", lang, f.T(lang, "report.button.answer_missing"), r.Text())
		}
		r = u.Send("12")
		mustContain(t, lang+": the review after the answer", r.Text(), f.T(lang, "report.review.ready"))
		if _, ok := r.Last().Button(f.T(lang, "report.button.submit")); !ok {
			t.Fatalf("%s: no %q at the review: %q", lang, f.T(lang, "report.button.submit"), r.Last().Labels())
		}
		if d, _ := f.draft("SNV", "plan"); values(t, d.Answers["classes"]).Number != "12" {
			t.Errorf("%s: classes = %s, want 12", lang, d.Answers["classes"])
		}
	}
}
