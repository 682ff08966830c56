package report_test

import (
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
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

// A draft opened but not answered yet is a draft (as the officials'
// overview counts it) with nothing answered, not "0 answered".
func TestReport_StatusOfADraftNotAnsweredYet(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	en := f.focal("Anna", "en", "SNV")
	u.Send("/report")
	mustContain(t, "the first question", u.Tap("1. Kế hoạch").Text(), "Câu 1/8")
	for _, c := range []struct {
		u    *flowtest.User
		lang string
		want string
	}{
		{u, "vi", "Hạn: 30/06/2025 · đang soạn, chưa trả lời câu nào · còn 5 ngày"},
		{en, "en", "Due: 30/06/2025 · draft, nothing answered yet · 5 days left"},
	} {
		r := c.u.Send("/status")
		mustContain(t, c.lang+": /status", r.Text(), c.want)
		if strings.Contains(r.Text(), "(0 ") || strings.Contains(r.Text(), ": 0)") {
			t.Errorf("%s: /status counts 0 answers:\n%s", c.lang, r.Text())
		}
	}
	f.clock.Set(ict(2025, 7, 1, 8, 0))
	mustContain(t, "overdue", u.Send("/status").Text(), "chưa gửi, đang soạn, chưa trả lời câu nào · quá hạn 1 ngày")
	mustContain(t, "overdue, in English", en.Send("/status").Text(), "not sent, draft, nothing answered yet · 1 day overdue")
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
	mustContain(t, "/status after submitting", r.Text(), "1. Kế hoạch năm 2025", "đã gửi đúng hạn, biên nhận plan-0001.1", "gửi ngày 25/06/2025")
	r = u.Tap("1. Kế hoạch năm")
	mustContain(t, "the submitted report", r.Text(), "Báo cáo đã được gửi", "Phiên bản 1 · biên nhận plan-0001.1 · 09:00 25/06/2025", "Đúng hạn.")
	r = u.Tap("Sửa đổi báo cáo")
	mustContain(t, "the reason's question", r.Text(), f.T("vi", "report.reason.ask"))
	mustContain(t, "a blank reason", u.Send("   ").Text(), f.T("vi", "report.reason.required"))
	for _, typed := range []string{".", "-", "😀", "👍 !"} {
		mustContain(t, "a reason without words", u.Send(typed).Text(), f.T("vi", "report.reason.required"))
	}
	mustContain(t, "too long a reason", u.Send(strings.Repeat("dài ", 130)).Text(), f.T("vi", "report.reason.too_long", "Length", 519, "Max", 500))
	mustContain(t, "a pasted reason", u.Send(strings.Repeat("dài ", 300)).Text(), f.T("vi", "report.reason.too_long", "Length", "1.199", "Max", "500"))
	r = u.Send("Sửa số lớp đã mở")
	mustContain(t, "the amendment's review", r.Text(), f.T("vi", "report.reason.saved"), "Sửa đổi phiên bản 1. Lý do: Sửa số lớp đã mở",
		"2. Số lớp đã mở\n10 lớp")
	for _, b := range []string{"Sửa lý do", "Hủy sửa đổi"} {
		if _, ok := r.Last().Button(b); !ok {
			t.Errorf("the amendment's review has no %q button: %q", b, r.Last().Labels())
		}
	}

	f.clock.Set(ict(2025, 7, 2, 15, 30)) // two days after the due date
	u.Tap("✏️ 2")
	u.Send("14")
	r = u.Tap("Gửi báo cáo")
	mustContain(t, "the amendment's receipt", r.Text(), "Số biên nhận: plan-0001.2", "15:30 02/07/2025", "Lần gửi đầu: đúng hạn.",
		"Đây là bản sửa đổi, phiên bản 2. Lý do: Sửa số lớp đã mở")
	// Amended two days after the due date, the report was still on time
	// (as /status and /overview say): neither the receipt nor the notice
	// calls it late.
	if strings.Contains(r.Text(), "Trễ") {
		t.Errorf("the amendment's receipt says the report was late:\n%s", r.Text())
	}
	if n := f.settled(); n[store.DeliverySent] != 2 || len(n) != 1 {
		t.Errorf("notices %v; want 2 sent", n)
	}
	told = f.told(official)
	if len(told) != 2 {
		t.Fatalf("the official got %d messages; want 2", len(told))
	}
	mustContain(t, "the official's message", told[1].Text, "Báo cáo được sửa đổi (phiên bản 2)", "Sở Nội vụ",
		"Lý do: Sửa số lớp đã mở", "plan-0001.2", "Lần gửi đầu: đúng hạn.")
	if strings.Contains(told[1].Text, "Trễ") {
		t.Errorf("the official is told a report sent on time was late:\n%s", told[1].Text)
	}

	versions := f.versions("SNV", "plan")
	if len(versions) != 2 || versions[0].Version != 1 || versions[1].Version != 2 || versions[1].Reason != "Sửa số lớp đã mở" {
		t.Fatalf("versions = %+v", versions)
	}
	if v1, v2 := values(t, answerOf(t, versions[0].Answers, "classes")), values(t, answerOf(t, versions[1].Answers, "classes")); v1.Number != "10" || v2.Number != "14" {
		t.Errorf("classes: v1 %s, v2 %s", v1.Number, v2.Number)
	}
	r = u.Send("/status")
	// Version 1 was on time: the amendment, two days late, does not make
	// the report late (as in /overview and the workbook).
	mustContain(t, "/status after the amendment", r.Text(), "đã sửa đổi (phiên bản 2), lần gửi đầu đúng hạn, biên nhận plan-0001.2")

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
	mustContain(t, "/status", r.Text(), "🏢 Phường Chiềng Cơi", "Hạn: 30/07/2025 · chưa làm · còn 35 ngày", "🏢 Sở Nội vụ",
		"Hạn: 30/06/2025 · chưa làm · còn 5 ngày", "Hạn: 10/11/2025 · chưa làm · còn 138 ngày")

	// The department's plan: a draft, then overdue, then submitted late.
	u.Send("/report")
	u.Tap("Sở Nội vụ")
	u.Tap("1. Kế hoạch")
	u.Tap("Kế hoạch")
	mustContain(t, "a draft", u.Send("/status").Text(), "Hạn: 30/06/2025 · đang soạn (1 câu đã trả lời) · còn 5 ngày")
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
	mustContain(t, "late", u.Send("/status").Text(), "đã gửi trễ 3 ngày, biên nhận plan-0001.1", "gửi ngày 03/07/2025")

	// English.
	f.clock.Set(ict(2025, 7, 3, 8, 0).Add(time.Hour))
	en := f.focal("Anna", "en", "03670")
	mustContain(t, "/status in English", en.Send("/status").Text(), "Due: 30/07/2025 · not started · 27 days left")
}

// /status of an amended report says how late the first submission was,
// not the amendment: what /overview and the workbook count.
func TestReport_StatusOfAnAmendmentSaysHowLateTheFirstWas(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	en := f.focal("Anna", "en", "SNV")
	official := f.official("Quàng Văn Minh", "en")
	f.sendNotices()
	f.clock.Set(ict(2025, 7, 3, 8, 0)) // three days after the due date
	submitPlan(t, f, u)
	f.settled() // the first notice is sent before the amendment's
	f.clock.Set(ict(2025, 7, 10, 8, 0))
	amend(t, u, "Sửa số lớp đã mở")
	u.Tap("✏️ 2")
	u.Send("14")
	r := u.Tap("Gửi báo cáo")
	mustContain(t, "the amendment's receipt", r.Text(), "Số biên nhận: plan-0001.2", "Lần gửi đầu trễ 3 ngày so với hạn.")
	if strings.Contains(r.Text(), "10 ngày") {
		t.Errorf("the amendment's receipt counts the amendment's lateness:\n%s", r.Text())
	}
	f.settled()
	told := f.told(official)
	if len(told) != 2 {
		t.Fatalf("the official got %d messages; want 2", len(told))
	}
	mustContain(t, "the official's notice of the amendment", told[1].Text, "Report amended (version 2)", "First sent 3 days after the due date.")
	if strings.Contains(told[1].Text, "10 days") {
		t.Errorf("the official's notice counts the amendment's lateness:\n%s", told[1].Text)
	}
	mustContain(t, "/status", u.Send("/status").Text(), "đã sửa đổi (phiên bản 2), lần gửi đầu trễ 3 ngày, biên nhận plan-0001.2")
	mustContain(t, "/status in English", en.Send("/status").Text(), "amended (version 2), first sent late (days late: 3), receipt plan-0001.2")
	// The submitted report, and what was sent, say the same.
	r = en.Tap("1. 2025 plan")
	mustContain(t, "the submitted report", r.Text(), "Version 1 · receipt plan-0001.1 · 08:00 03/07/2025\n3 days after the due date.",
		"Version 2 · receipt plan-0001.2 · 08:00 10/07/2025\nFirst sent 3 days after the due date.")
	r = en.Tap(f.T("en", "report.button.sent"))
	mustContain(t, "what was sent", r.Text(), "Version 2 · receipt plan-0001.2 · 08:00 10/07/2025\nFirst sent 3 days after the due date.")
	for _, m := range []string{"10 days", "\n3 days"} {
		if strings.Contains(r.Text(), m) {
			t.Errorf("what was sent says %q:\n%s", m, r.Text())
		}
	}
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

// amend starts an amendment of the unit's submitted plan with a reason, up
// to its review.
func amend(t *testing.T, u *flowtest.User, reason string) flowtest.Result {
	t.Helper()
	u.Send("/status")
	u.Tap("1. Kế hoạch năm")
	u.Tap("Sửa đổi báo cáo")
	return u.Send(reason)
}

// tapOldSend taps Send on the review on screen, which shows none: the
// button as this same screen offered it before an unchanged amendment's
// review held it back (a review sent by an earlier build of the bot, or
// the numbered list a Zalo chat remembers). The flow must still refuse it.
func tapOldSend(t *testing.T, u *flowtest.User) flowtest.Result {
	t.Helper()
	m := u.Screen()
	edit, ok := m.Button("✏️ 1")
	if !ok {
		t.Fatalf("the review on screen has no ✏️ 1 button: %q", m.Labels())
	}
	cb, err := bot.ParseCallback(edit.Data)
	if err != nil {
		t.Fatal(err)
	}
	cb.Action, cb.Arg = "submit", ""
	return u.Do(u.Callback(cb.String(), m.ID))
}

// refusedUnchanged checks that a tap on submit made no version and no
// notice, said so in lang, kept the draft (answers, reason, version) and
// showed the amendment's review again with its buttons, Send aside.
func refusedUnchanged(t *testing.T, f *fixture, r flowtest.Result, lang string, before store.Draft, deliveries int, submit, reason, discard string) {
	t.Helper()
	mustContain(t, "the refused submission", r.Text(), f.T(lang, "report.review.unchanged", "Version", 1),
		f.T(lang, "report.review.amending", "Version", 1, "Reason", before.Reason), f.T(lang, "report.review.no_change_yet", "Version", 1))
	if strings.Contains(r.Text(), "plan-0001.2") {
		t.Errorf("an unchanged amendment got a receipt:\n%s", r.Text())
	}
	for _, b := range []string{"✏️ 2", "✏️ 8", reason, discard} {
		if _, ok := r.Last().Button(b); !ok {
			t.Errorf("no %q button after the refusal: %q", b, r.Last().Labels())
		}
	}
	if _, ok := r.Last().Button(submit); ok {
		t.Errorf("the review after the refusal offers %q again: %q", submit, r.Last().Labels())
	}
	if v := f.versions("SNV", "plan"); len(v) != 1 {
		t.Errorf("%d versions after an unchanged amendment; want 1", len(v))
	}
	if n := f.h.Count("deliveries"); n != deliveries {
		t.Errorf("%d notices planned after an unchanged amendment; want %d", n, deliveries)
	}
	d, ok := f.draft("SNV", "plan")
	if !ok || d.Version != before.Version || d.Reason != before.Reason || d.BaseVersion != 1 || len(d.Answers) != len(before.Answers) {
		t.Fatalf("the amendment after the refusal (there: %v): version %d, amends %d, reason %q, %d answers; before: version %d, reason %q, %d answers",
			ok, d.Version, d.BaseVersion, d.Reason, len(d.Answers), before.Version, before.Reason, len(before.Answers))
	}
	for k, v := range before.Answers {
		if string(d.Answers[k]) != string(v) {
			t.Errorf("answer %s changed by the refusal: %s, was %s", k, d.Answers[k], v)
		}
	}
}

// An amendment whose answers are those of the version it amends is not
// submitted: no version, no receipt, no notice; the user is told, in their
// language, and the draft with its reason stays, for any focal point of the
// unit, until a real change is submitted as the next version.
func TestReport_UnchangedAmendmentIsNotSubmitted(t *testing.T) {
	f := newFixture(t, nil)
	f.official("Quàng Văn Minh", "vi")
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	en := f.focal("Anna", "en", "SNV")
	submitPlan(t, f, u)
	deliveries := f.h.Count("deliveries")
	if deliveries != 1 {
		t.Fatalf("%d notices of the first version; want 1", deliveries)
	}

	amend(t, u, "Sửa số lớp đã mở")
	d, _ := f.draft("SNV", "plan")
	r := tapOldSend(t, u)
	refusedUnchanged(t, f, r, "vi", d, deliveries, "Gửi báo cáo", "Sửa lý do", "Hủy sửa đổi")

	// The other focal point, in English, finds the same amendment.
	r = en.Send("/report")
	mustContain(t, "the amendment in English", r.Text(), "Amending version 1. Reason: Sửa số lớp đã mở")
	r = tapOldSend(t, en)
	refusedUnchanged(t, f, r, "en", d, deliveries, "Send the report", "Change the reason", "Drop the amendment")

	// A real change is the next version, with the reason given first.
	u.Tap("✏️ 2")
	u.Send("14")
	r = u.Tap("Gửi báo cáo")
	mustContain(t, "the amendment's receipt", r.Text(), "Số biên nhận: plan-0001.2", "Đây là bản sửa đổi, phiên bản 2. Lý do: Sửa số lớp đã mở")
	versions := f.versions("SNV", "plan")
	if len(versions) != 2 || versions[1].Reason != "Sửa số lớp đã mở" {
		t.Fatalf("versions = %+v", versions)
	}
	if v := values(t, answerOf(t, versions[1].Answers, "classes")); v.Number != "14" {
		t.Errorf("classes of version 2: %s", v.Number)
	}
	if n := f.h.Count("deliveries"); n != deliveries+1 {
		t.Errorf("%d notices after the amendment; want %d", n, deliveries+1)
	}
}

// The review of an amendment offers Send only while the amendment differs
// from the version it amends: a fresh amendment, or one changed back, says
// instead that nothing differs yet and how to change an answer or drop the
// amendment, and keeps every other button. A Send still tapped (an older
// message's, or one of this screen an earlier build showed) sends nothing
// and keeps the draft.
func TestReport_ReviewOffersSendOnlyOnceTheAmendmentDiffers(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := newFixture(t, nil)
			submitPlan(t, f, f.focal("Lò Văn Sơn", "vi", "SNV"))
			deliveries := f.h.Count("deliveries")
			u := f.focal("Anna", lang, "SNV")
			send, reason, discard := f.T(lang, "report.button.submit"), f.T(lang, "report.button.reason"), f.T(lang, "report.button.discard")
			noChange, ready := f.T(lang, "report.review.no_change_yet", "Version", 1), f.T(lang, "report.review.ready")
			classes := map[string]string{"vi": "2. Số lớp đã mở\n", "en": "2. Classes held\n"}[lang]

			// reviewed checks the review just shown: Send and the ready line
			// for a change, else the no-change line; the other buttons always.
			reviewed := func(what string, r flowtest.Result, changed bool) {
				t.Helper()
				_, hasSend := r.Last().Button(send)
				switch {
				case changed && !hasSend:
					t.Errorf("%s: no %q button: %q", what, send, r.Last().Labels())
				case !changed && hasSend:
					t.Errorf("%s: a %q button although nothing differs from version 1: %q", what, send, r.Last().Labels())
				}
				line, notLine := noChange, ready
				if changed {
					line, notLine = ready, noChange
				}
				mustContain(t, what, r.Text(), line)
				if strings.Contains(r.Text(), notLine) {
					t.Errorf("%s says %q:\n%s", what, notLine, r.Text())
				}
				for _, b := range []string{"✏️ 1", "✏️ 2", "✏️ 8", reason, discard} {
					if _, ok := r.Last().Button(b); !ok {
						t.Errorf("%s: no %q button: %q", what, b, r.Last().Labels())
					}
				}
			}

			u.Send("/status")
			u.Tap(map[string]string{"vi": "1. Kế hoạch năm", "en": "1. 2025 plan"}[lang])
			u.Tap(f.T(lang, "report.button.amend"))
			r := u.Send("Sửa số lớp")
			reviewed("the fresh amendment's review", r, false)
			// Text typed at it is told how to change an answer, and not
			// to tap a Send that is not there.
			if got, want := u.Send("câu 2 là 14").Text(), f.T(lang, "report.review.typed_no_change", "Version", 1); got != want {
				t.Errorf("text typed at the unchanged review: %q, want %q", got, want)
			}

			u.Tap("✏️ 2")
			changed := u.Send("14")
			mustContain(t, "the changed review", changed.Text(), classes+"14")
			reviewed("the review after a change", changed, true)
			if got, want := u.Send("câu 2 là 15").Text(), f.T(lang, "report.review.typed"); got != want {
				t.Errorf("text typed at the changed review: %q, want %q", got, want)
			}

			u.Tap("✏️ 2")
			r = u.Send("10")
			mustContain(t, "the review changed back", r.Text(), classes+"10")
			reviewed("the review changed back", r, false)

			before, _ := f.draft("SNV", "plan")
			r = u.TapOn(changed.Last(), send)
			if r.Notice() != f.T(lang, "stale.button") {
				t.Errorf("the Send of an older review: notice %q, want %q", r.Notice(), f.T(lang, "stale.button"))
			}
			if n := len(f.versions("SNV", "plan")); n != 1 {
				t.Errorf("%d versions after the Send of an older review; want 1", n)
			}
			refusedUnchanged(t, f, tapOldSend(t, u), lang, before, deliveries, send, reason, discard)
		})
	}
}

// A change changed back is no change: an answer typed anew as it was, a
// file added then taken out again. The amendment can still be dropped.
func TestReport_AmendmentChangedBackIsNotSubmitted(t *testing.T) {
	f := newFixture(t, nil)
	f.official("Quàng Văn Minh", "vi")
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	submitPlan(t, f, u)
	deliveries := f.h.Count("deliveries")

	amend(t, u, "Sửa số lớp")
	opened, _ := f.draft("SNV", "plan")
	u.Tap("✏️ 2")
	mustContain(t, "changed", u.Send("14").Text(), "2. Số lớp đã mở\n14 lớp")
	u.Tap("✏️ 2")
	mustContain(t, "changed back", u.Send("10").Text(), "2. Số lớp đã mở\n10 lớp")
	u.Tap("✏️ 8")
	f.sendFile(u, "Kế hoạch.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	mustContain(t, "a file added", u.Tap("Xong").Text(), "Kế hoạch.pdf")
	u.Tap("✏️ 8")
	mustContain(t, "the file taken out", u.Tap("Bỏ qua").Text(), "8. Tài liệu kèm theo\n(bỏ qua)")
	d, _ := f.draft("SNV", "plan")
	if d.Version <= opened.Version {
		t.Fatalf("the draft is at version %d after four answers; it opened at %d", d.Version, opened.Version)
	}
	r := tapOldSend(t, u)
	refusedUnchanged(t, f, r, "vi", d, deliveries, "Gửi báo cáo", "Sửa lý do", "Hủy sửa đổi")

	u.Tap("Hủy sửa đổi")
	r = u.Tap("Có, hủy sửa đổi")
	mustContain(t, "dropped", r.Text(), f.T("vi", "report.discard.done"))
	if _, ok := f.draft("SNV", "plan"); ok {
		t.Error("the dropped amendment is still a draft")
	}
	if n := len(f.versions("SNV", "plan")); n != 1 {
		t.Errorf("%d versions; want 1", n)
	}
}

// Files are compared by what is stored: the same file sent again is no
// change; another file under the same name is one.
func TestReport_AmendmentComparesFilesByContent(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	toFiles(t, f, u)
	f.sendFile(u, "Kế hoạch.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	u.Tap("Xong")
	mustContain(t, "the first receipt", u.Tap("Gửi báo cáo").Text(), "plan-0001.1")

	amend(t, u, "Thay tệp kế hoạch")
	u.Tap("✏️ 8")
	u.Tap("Bỏ qua")
	u.Tap("✏️ 8")
	f.sendFile(u, "Kế hoạch.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	u.Tap("Xong")
	d, _ := f.draft("SNV", "plan")
	r := tapOldSend(t, u)
	refusedUnchanged(t, f, r, "vi", d, 0, "Gửi báo cáo", "Sửa lý do", "Hủy sửa đổi")

	other := append([]byte("%PDF-1.7\n"), make([]byte, 2100)...)
	u.Tap("✏️ 8")
	u.Tap("Bỏ qua")
	u.Tap("✏️ 8")
	f.sendFile(u, "Kế hoạch.pdf", "application/pdf", other, int64(len(other)))
	u.Tap("Xong")
	mustContain(t, "the amendment's receipt", u.Tap("Gửi báo cáo").Text(), "plan-0001.2")
	versions := f.versions("SNV", "plan")
	if len(versions) != 2 {
		t.Fatalf("%d versions; want 2", len(versions))
	}
	v1, v2 := values(t, answerOf(t, versions[0].Answers, "evidence")), values(t, answerOf(t, versions[1].Answers, "evidence"))
	if len(v1.Files) != 1 || len(v2.Files) != 1 || v1.Files[0].Name != v2.Files[0].Name || v1.Files[0].SHA256 == v2.Files[0].SHA256 {
		t.Errorf("evidence: v1 %+v, v2 %+v", v1.Files, v2.Files)
	}
}
