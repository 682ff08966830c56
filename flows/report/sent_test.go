package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"hocvuso/bot"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/report"
	"hocvuso/flows/report/config"
	"hocvuso/flows/report/reporttest"
	"hocvuso/store"
)

// seeSent opens the unit's plan from /status and taps "See what was sent".
func seeSent(t *testing.T, f *fixture, u *flowtest.User, lang string) flowtest.Result {
	t.Helper()
	u.Send("/status")
	u.Tap(map[string]string{"vi": "1. Kế hoạch năm", "en": "1. 2025 plan"}[lang])
	return u.Tap(f.T(lang, "report.button.sent"))
}

// hasButtons fails unless m offers exactly the labels, in order.
func hasButtons(t *testing.T, what string, m flowtest.Message, labels ...string) {
	t.Helper()
	if got := m.Labels(); strings.Join(got, "|") != strings.Join(labels, "|") {
		t.Errorf("%s: buttons %q; want %q", what, got, labels)
	}
}

// A submitted report shows what was sent: every answer of the version, as
// the review listed them (sections, numbers, values, skipped), read only,
// headed by the version, its receipt and time; then the submitted report's
// buttons, and Amend works from there.
func TestReport_WhatWasSentShowsTheAnswers(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	submitPlan(t, f, u)

	u.Send("/status")
	r := u.Tap("1. Kế hoạch năm")
	hasButtons(t, "the submitted report", r.Last(), f.T("vi", "report.button.sent"), f.T("vi", "report.button.amend"),
		f.T("vi", "report.button.list"), f.T("vi", "menu.back"))

	r = u.Tap(f.T("vi", "report.button.sent"))
	if len(r.Sent) != 1 {
		t.Fatalf("what was sent is %d messages:\n%s", len(r.Sent), r)
	}
	mustContain(t, "what was sent", r.Text(),
		f.T("vi", "report.sent.title", "Period", "Kế hoạch năm 2025", "Unit", "Sở Nội vụ"),
		"Phiên bản 1 · biên nhận plan-0001.1 · 09:00 25/06/2025\nĐúng hạn.",
		"▸ Thông tin chung\n\n1. Loại văn bản\nKế hoạch\n\n2. Số lớp đã mở\n10 lớp\n\n3. Tỉ lệ cán bộ đạt kỹ năng số\n20%",
		"4. Đã phát động chưa?\nCó\n\n5. Ngày phát động\n02/06/2025\n\n6. Số văn bản\n1/KH",
		"▸ a) Nhận thức\n\n7. Kết quả nổi bật\n(bỏ qua)\n\n8. Tài liệu kèm theo\n(bỏ qua)",
		f.T("vi", "report.sent.end"))
	for _, not := range []string{"Số thôn, bản", "Ghi chú của xã", "Xem lại báo cáo", "Gửi báo cáo"} {
		if strings.Contains(r.Text(), not) {
			t.Errorf("what was sent says %q:\n%s", not, r.Text())
		}
	}
	hasButtons(t, "what was sent", r.Last(), f.T("vi", "report.button.amend"), f.T("vi", "report.button.list"), f.T("vi", "menu.back"))

	// Read only: typed text changes nothing.
	mustContain(t, "text typed at it", u.Send("14").Text(), f.T("vi", "report.use_buttons_above"))
	if _, ok := f.draft("SNV", "plan"); ok {
		t.Error("text typed at what was sent began a draft")
	}
	r = u.Tap("Sửa đổi báo cáo")
	mustContain(t, "Amend after it", r.Text(), f.T("vi", "report.reason.ask"))
	u.Tap(f.T("vi", "report.button.cancel"))
	r = u.Tap(f.T("vi", "report.button.list"))
	mustContain(t, "the periods after it", r.Text(), f.T("vi", "report.choose_period"))

	// English, a commune: its own questions, numbered as its review was.
	en := f.focal("Anna", "en", "03670")
	en.Send("/report")
	en.Tap("1. 2025 plan")
	for _, in := range []string{"2", "7", "50", "no", "3/6/2025", "12", "2/QĐ"} {
		en.Send(in)
	}
	en.Tap("Skip")
	en.Tap("Skip")
	en.Send("Ba bản chưa có sóng.")
	en.Tap(f.T("en", "report.button.submit"))
	r = seeSent(t, f, en, "en")
	mustContain(t, "what was sent, in English", r.Text(),
		f.T("en", "report.sent.title", "Period", "2025 plan", "Unit", "Phường Chiềng Cơi"), "Version 1 · receipt plan-0002.1",
		"1. Kind of document\nDecision", "4. Launched?\nNo", "6. Villages\n12", "7. Document number\n2/QĐ",
		"8. Main results\n(skipped)", "10. Notes of the commune\nBa bản chưa có sóng.", f.T("en", "report.sent.end"))
}

// After an amendment, what was sent is version 2's answers, with its
// reason, not version 1's.
func TestReport_WhatWasSentIsTheLatestVersion(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	submitPlan(t, f, u)
	amend(t, u, "Sửa số lớp đã mở")
	u.Tap("✏️ 2")
	u.Send("14")
	f.clock.Set(ict(2025, 7, 2, 15, 30))
	mustContain(t, "the amendment's receipt", u.Tap("Gửi báo cáo").Text(), "plan-0001.2")

	u.Send("/status")
	r := u.Tap("1. Kế hoạch năm")
	mustContain(t, "the submitted report", r.Text(), "Phiên bản 1 · biên nhận plan-0001.1 · 09:00 25/06/2025\nĐúng hạn.",
		"Phiên bản 2 · biên nhận plan-0001.2 · 15:30 02/07/2025\nLần gửi đầu: đúng hạn.")
	if strings.Contains(r.Text(), "Trễ") {
		t.Errorf("the submitted report calls a report first sent on time late:\n%s", r.Text())
	}

	r = seeSent(t, f, u, "vi")
	// Amended two days after the due date, the report was first sent on
	// time: so it says, as the amendment's receipt did.
	mustContain(t, "what was sent", r.Text(), "Phiên bản 2 · biên nhận plan-0001.2 · 15:30 02/07/2025\nLần gửi đầu: đúng hạn.",
		"Lý do sửa đổi: Sửa số lớp đã mở", "2. Số lớp đã mở\n14 lớp")
	for _, not := range []string{"10 lớp", "plan-0001.1", "Trễ"} {
		if strings.Contains(r.Text(), not) {
			t.Errorf("what was sent shows version 1 (%q):\n%s", not, r.Text())
		}
	}
}

// A file answer shows its files by name.
func TestReport_WhatWasSentNamesTheFiles(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	toFiles(t, f, u)
	f.sendFile(u, "Kế hoạch 25.pdf", "application/pdf", pdfFile, int64(len(pdfFile)))
	f.sendFile(u, "Số liệu lớp học.xls", "application/vnd.ms-excel", xlsFile, int64(len(xlsFile)))
	u.Tap("Gửi báo cáo")

	r := seeSent(t, f, u, "vi")
	mustContain(t, "what was sent", r.Text(), "8. Tài liệu kèm theo\nKế hoạch 25.pdf, Số liệu lớp học.xls")
}

// The buttons of an earlier screen are stale: the "See what was sent" of a
// submitted report shown before, and the buttons under what was sent once
// the user has gone elsewhere.
func TestReport_WhatWasSentStaleButtons(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	submitPlan(t, f, u)
	u.Send("/status")
	u.Tap("1. Kế hoạch năm")
	submitted := u.Screen()
	u.Tap(f.T("vi", "report.button.sent"))
	sent := u.Screen()

	r := u.TapOn(submitted, f.T("vi", "report.button.sent"))
	if len(r.Sent) != 0 || r.Notice() != f.T("vi", "stale.button") {
		t.Errorf("an old See what was sent: %s", r)
	}
	u.Send("/status")
	r = u.TapOn(sent, f.T("vi", "report.button.amend"))
	if len(r.Sent) != 0 || r.Notice() != f.T("vi", "stale.button") {
		t.Errorf("the old Amend under what was sent: %s", r)
	}
	if _, ok := f.draft("SNV", "plan"); ok {
		t.Error("a stale tap began an amendment")
	}
}

// A version keeps the form it was sent with: what was sent of a report on
// form v1 shows v1's questions when the period has moved on to v2.
func TestReport_WhatWasSentUsesItsOwnFormVersion(t *testing.T) {
	v2 := strings.Replace(testForm, "version: 1", "version: 2", 1)
	v2 = strings.Replace(v2, `label: {vi: "Số lớp đã mở", en: "Classes held"}`, `label: {vi: "Số lớp bồi dưỡng kỹ năng số", en: "Digital skills classes"}`, 1)
	v2 = strings.Replace(v2, "  - key: a\n", `      - key: trainers
        type: number
        label: {vi: "Số giảng viên", en: "Trainers"}
  - key: a
`, 1)
	cfg, err := config.Load(
		config.File{Name: "periods.yaml", Data: []byte(strings.ReplaceAll(testPeriods, "form_version: 1", "form_version: 2"))},
		config.File{Name: "forms/t.v1.yaml", Data: []byte(testForm)},
		config.File{Name: "forms/t.v2.yaml", Data: []byte(v2)},
	)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg)
	p, _ := cfg.Period("plan")
	if fm := cfg.PeriodForm(p); fm.Version != 2 {
		t.Fatalf("the plan's form is v%d", fm.Version)
	}
	on1 := *p
	on1.FormVersion = 1
	v1, _ := cfg.Form("t", 1)
	if err := f.h.DB.RecordForm(context.Background(), store.StoredForm{ID: v1.ID, Version: v1.Version, Hash: v1.Hash, Content: v1.Content,
		RecordedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	reporttest.Submit(t, f.h.DB, reporttest.Report{Period: &on1, Unit: "SNV", By: u.UserID(), At: f.clock.Now(), Answers: []reporttest.Answer{
		{Key: "doc_kind", Value: `{"type":"choice","choice":"letter"}`},
		{Key: "classes", Value: `{"type":"number","number":"10"}`},
	}})

	r := seeSent(t, f, u, "vi")
	mustContain(t, "what was sent on v1", r.Text(), "1. Loại văn bản\nCông văn", "2. Số lớp đã mở\n10 lớp",
		"3. Tỉ lệ cán bộ đạt kỹ năng số\n"+f.T("vi", "report.value.none"), "7. Kết quả nổi bật")
	for _, not := range []string{"Số lớp bồi dưỡng", "Số giảng viên"} {
		if strings.Contains(r.Text(), not) {
			t.Errorf("what was sent on v1 has v2's %q:\n%s", not, r.Text())
		}
	}
}

// A long report as sent is split as its review was: every message within
// MaxMessage, the buttons under the last. On Zalo, through the real client,
// every message within Zalo's 2,000 characters, the last with the buttons.
func TestReport_WhatWasSentIsSplitWhenLong(t *testing.T) {
	f := newFixture(t, nil)
	fake := onZalo(t, f)
	long := strings.Repeat("Đã mở lớp học kỹ năng số cho cán bộ và người dân. ", 58) // about 2,900 characters
	for _, ch := range []bot.Channel{bot.Telegram, bot.Zalo} {
		u := f.h.AgreedOn(ch, "Lò Văn "+string(ch), "vi")
		unit := map[bot.Channel]string{bot.Telegram: "03670", bot.Zalo: "SNV"}[ch]
		if _, err := f.h.DB.GrantRole(context.Background(), u.UserID(), store.RoleFocal, unit, "admin", f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		u.Send("/report")
		u.Tap("1. Kế hoạch")
		in := []string{"1", "10", "20", "có", "2/6/2025", "1/KH", long}
		if unit == "03670" {
			in = []string{"1", "10", "20", "có", "2/6/2025", "7", "1/KH", long}
		}
		for _, s := range in {
			u.Send(s)
		}
		u.Tap("Bỏ qua")
		if unit == "03670" {
			u.Send(long + "Hết.")
		}
		u.Tap("Gửi báo cáo")
		before := len(fake.MessagesTo(u.ID))
		u.Send("/status")
		u.Tap("1. Kế hoạch năm")
		r := u.Tap(f.T("vi", "report.button.sent"))

		if ch == bot.Telegram && len(r.Sent) < 2 {
			t.Fatalf("%s: what was sent is %d message(s):\n%s", ch, len(r.Sent), r)
		}
		for i, m := range r.Sent {
			if n := len(utf16.Encode([]rune(m.Text))); n > report.MaxMessage {
				t.Errorf("%s: message %d is %d long", ch, i, n)
			}
			if len(m.Buttons) > 0 != (i == len(r.Sent)-1) {
				t.Errorf("%s: message %d of %d has %d buttons", ch, i, len(r.Sent), len(m.Buttons))
			}
		}
		mustContain(t, string(ch)+": the first part", r.Sent[0].Text, "Phiên bản 1", "1. Loại văn bản")
		mustContain(t, string(ch)+": the last part", r.Last().Text, f.T("vi", "report.sent.end"))
		hasButtons(t, string(ch)+": the last part", r.Last(), f.T("vi", "report.button.amend"), f.T("vi", "report.button.list"), f.T("vi", "menu.back"))
		if ch != bot.Zalo {
			continue
		}
		got := fake.MessagesTo(u.ID)
		if len(got) <= before {
			t.Fatalf("nothing sent to Zalo")
		}
		got = got[before:]
		var all strings.Builder
		for i, m := range got {
			all.WriteString(m.Text)
			if n := len(utf16.Encode([]rune(m.Text))); n > 2000 {
				t.Errorf("Zalo message %d is %d long", i, n)
			}
		}
		last := got[len(got)-1]
		if len(last.Buttons) != 3 || !strings.Contains(last.Text, f.T("vi", "report.sent.end")) {
			t.Errorf("Zalo's last message: %d buttons\n%s", len(last.Buttons), last.Text)
		}
		// Zalo's parts are cut at a space, which they drop.
		squeezed := strings.Join(strings.Fields(all.String()), "")
		if n := strings.Count(squeezed, "Đãmởlớphọckỹnăngsố"); n != 58 {
			t.Errorf("Zalo got the long answer's sentence %d times; want 58", n)
		}
	}
}

// Every shipped form version, for every kind of unit it is asked of, shows
// as sent: each question the kind is asked, numbered, with its answer (a
// file by name), within MaxMessage. A version is pinned to the form it was
// sent with, so a version on an older form than its period's today (annual
// v1 in annual-2027, review v1) shows that form.
func TestReport_WhatWasSentOnEveryShippedForm(t *testing.T) {
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg)
	f.clock.Set(ict(2031, 1, 5, 9, 0)) // every period open
	ctx := context.Background()
	n := 0
	for _, fm := range cfg.Forms {
		if err := f.h.DB.RecordForm(ctx, store.StoredForm{ID: fm.ID, Version: fm.Version, Hash: fm.Hash, Content: fm.Content, RecordedAt: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		// The latest period on this form's id: for an older version, one
		// whose form today is newer.
		var p *config.Period
		for _, q := range cfg.Periods {
			if q.FormID == fm.ID {
				p = q
			}
		}
		if p == nil {
			t.Fatalf("no period on form %s", fm.ID)
		}
		pinned := *p
		pinned.FormVersion = fm.Version
		for _, kind := range p.Kinds {
			fields := fm.FieldsFor(kind)
			if len(fields) == 0 {
				continue
			}
			n++
			code := fmt.Sprintf("U%02d", n)
			if _, _, err := f.h.DB.UpsertUnits(ctx, []store.Unit{{Code: code, Name: "Đơn vị " + code, Kind: string(kind)}}, "admin", f.clock.Now()); err != nil {
				t.Fatal(err)
			}
			u := f.focal("Đầu mối "+code, "vi", code)
			var answers []reporttest.Answer
			want := []string{}
			for i, fl := range fields {
				v := sample(t, fl)
				raw, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				answers = append(answers, reporttest.Answer{Key: fl.Key, Value: string(raw)})
				shown := fl.Format(v, "vi")
				if fl.Type == config.TypeYesNo {
					shown = f.T("vi", "report.yes")
				}
				want = append(want, fmt.Sprintf("%d. %s\n%s", i+1, fl.Label.In("vi"), shown))
			}
			reporttest.Submit(t, f.h.DB, reporttest.Report{Period: &pinned, Unit: code, By: u.UserID(), At: f.clock.Now(), Answers: answers})

			u.Send("/report")
			open := u.Screen()
			var tap string
			for _, row := range open.Buttons {
				for _, b := range row {
					if strings.HasSuffix(b.Data, ":"+p.ID) {
						tap = b.Label
					}
				}
			}
			if tap == "" {
				t.Fatalf("%s v%d, %s: no button for %s: %q", fm.ID, fm.Version, kind, p.ID, open.Labels())
			}
			u.Tap(tap)
			r := u.Tap(f.T("vi", "report.button.sent"))
			what := fmt.Sprintf("%s v%d as sent by a unit of kind %s in %s", fm.ID, fm.Version, kind, p.ID)
			mustContain(t, what, r.Text(), want...)
			for i, m := range r.Sent {
				if l := len(utf16.Encode([]rune(m.Text))); l > report.MaxMessage {
					t.Errorf("%s: message %d is %d long", what, i, l)
				}
			}
			if !strings.Contains(r.Text(), strconv.Itoa(len(fields))+". ") || strings.Contains(r.Text(), "\n"+strconv.Itoa(len(fields)+1)+". ") {
				t.Errorf("%s: not %d questions:\n%s", what, len(fields), r.Text())
			}
			if t.Failed() {
				return
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d forms and kinds shown", n)
	}
}

// sample is a valid answer to a field, as the form's parser leaves it.
func sample(t *testing.T, fl *config.Field) config.Value {
	t.Helper()
	var typed string
	switch fl.Type {
	case config.TypeChoice:
		return config.Value{Type: config.TypeChoice, Choice: fl.Options[len(fl.Options)-1].Key}
	case config.TypeFile:
		return config.Value{Type: config.TypeFile, Files: []config.FileRef{
			{SHA256: strings.Repeat("a", 64), Name: "Tệp " + fl.Key + ".pdf", MIME: "application/pdf", Size: 1000, Kind: config.FilePDF},
		}}
	case config.TypeNumber, config.TypePercent:
		typed, _ = fl.Bounds("vi")
	case config.TypeYesNo:
		typed = "có"
	case config.TypeDate:
		typed = "30/6/2025"
		if fl.MinDate != "" {
			d, _ := time.Parse(time.DateOnly, fl.MinDate)
			typed = d.Format("2/1/2006")
		}
	default:
		typed = "Trả lời " + fl.Key
	}
	v, err := fl.Parse(typed, "vi")
	if err != nil {
		t.Fatalf("%s: %q: %v", fl.Key, typed, err)
	}
	return v
}
