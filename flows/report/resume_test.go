package report_test

import (
	"context"
	"strings"
	"testing"

	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// Redis is flushed in the middle of a report: nothing typed is lost, and
// /report goes on at the first unanswered field; once every field is
// answered, at the review.
func TestReport_ResumesWhereTheDraftIsAfterRedisIsFlushed(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	u.Tap("Quyết định")
	u.Send("45")
	old := u.Screen() // the percentage question

	f.h.FlushRedis()
	// A tap on the lost screen, and typed text, reach the menu politely.
	r := u.TapOn(old, "Bỏ qua")
	mustContain(t, "a tap after the flush", r.Text(), f.T("vi", "lost.track"))
	if d, _ := f.draft("SNV", "plan"); len(d.Answers) != 2 {
		t.Fatalf("the draft holds %d answers after the flush; want 2", len(d.Answers))
	}
	r = u.Send("/report")
	mustContain(t, "/report after the flush", r.Text(), f.T("vi", "report.resuming", "Period", "Kế hoạch năm 2025", "Unit", "Sở Nội vụ"), "Câu 3/8", "Tỉ lệ cán bộ")
	u.Send("85,5")
	u.Tap("Không")
	u.Send("1/6/2025")
	u.Send("12/KH")
	u.Tap("Bỏ qua")
	r = u.Tap("Bỏ qua")
	mustContain(t, "the review", r.Text(), "Xem lại báo cáo", "85,5%", "Không", "01/06/2025")

	// Again, on "another device": the session is gone, the draft is whole.
	f.h.FlushRedis()
	r = u.Send("/report")
	mustContain(t, "/report with every field answered", r.Text(), "Xem lại báo cáo", "2. Số lớp đã mở\n45 lớp", "Gửi báo cáo")
	r = u.Tap("Gửi báo cáo")
	mustContain(t, "the receipt", r.Text(), "plan-0001.1")

	// The same person on a second device, with its own session.
	other := f.h.Agreed("Lò Văn Sơn (máy tính bảng)", "vi")
	if _, err := f.h.DB.GrantRole(context.Background(), other.UserID(), store.RoleFocal, "SNV", "admin", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "the other device", other.Send("/status").Text(), "đã gửi đúng hạn, biên nhận plan-0001.1")
}

// The session holds where the user is: /report while answering continues
// at that field, even with several drafts under way.
func TestReport_SessionKeepsThePlaceAmongSeveralDrafts(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	u.Send("/report")
	u.Tap("2. Báo cáo năm")
	u.Tap("Kế hoạch")
	u.Tap("Tạm dừng")
	u.Tap("Các kỳ báo cáo")
	u.Tap("1. Kế hoạch năm")
	u.Tap("Công văn")
	u.Send("7")
	r := u.Send("/report")
	mustContain(t, "/report in the plan", r.Text(), "Câu 3/8")
	// Without the session, two drafts: the list, each with its state.
	f.h.FlushRedis()
	r = u.Send("/report")
	mustContain(t, "the list", r.Text(), "đang soạn (2 câu đã trả lời)", "đang soạn (1 câu đã trả lời)")
	r = u.Tap("2. Báo cáo năm")
	mustContain(t, "the annual draft", r.Text(), "Câu 2/8")
}

// A draft made with an older version of the form goes on with that
// version, after the period moved to a new one.
func TestReport_ADraftKeepsItsFormVersion(t *testing.T) {
	v2 := strings.NewReplacer("version: 1", "version: 2",
		"      - key: doc_number\n", "      - key: signer\n        type: text\n        required: true\n        label: {vi: \"Người ký\", en: \"Signed by\"}\n        help: {vi: \"Họ tên.\", en: \"Full name.\"}\n      - key: doc_number\n",
	).Replace(testForm)
	cfg, err := config.Load(
		config.File{Name: "periods.yaml", Data: []byte(strings.ReplaceAll(testPeriods, "form_version: 1", "form_version: 2"))},
		config.File{Name: "forms/t.v1.yaml", Data: []byte(testForm)},
		config.File{Name: "forms/t.v2.yaml", Data: []byte(v2)},
	)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	ctx := context.Background()
	// A draft begun before the change, with version 1.
	v1, _ := cfg.Form("t", 1)
	if err := f.h.DB.RecordForm(ctx, store.StoredForm{ID: "t", Version: 1, Hash: v1.Hash, Content: v1.Content, RecordedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.h.DB.SaveDraftAnswer(ctx, store.DraftAnswer{
		DraftStart: store.DraftStart{UnitCode: "SNV", PeriodID: "plan", FormID: "t", FormVersion: 1, By: u.UserID(), At: f.clock.Now()},
		Key:        "doc_kind", Value: []byte(`{"type":"choice","choice":"plan"}`),
	}); err != nil {
		t.Fatal(err)
	}
	r := u.Send("/report")
	mustContain(t, "the old draft", r.Text(), "Câu 2/8")
	for _, in := range []string{"3", "50", "có", "2/6/2025", "1/KH", "tóm tắt"} {
		u.Send(in)
	}
	r = u.Tap("Bỏ qua")
	if strings.Contains(r.Text(), "Người ký") {
		t.Errorf("a version 1 draft was asked version 2's field:\n%s", r.Text())
	}
	u.Tap("Gửi báo cáo")
	if v := f.versions("SNV", "plan"); len(v) != 1 || v[0].FormVersion != 1 {
		t.Fatalf("submitted %+v; want form version 1", v)
	}
	// A new draft (another period) uses version 2.
	u.Send("/report")
	r = u.Tap("2. Báo cáo năm")
	mustContain(t, "a new draft", r.Text(), "Có 9 câu hỏi")
	if d, _ := f.draft("SNV", "annual"); d.FormVersion != 2 {
		t.Errorf("the new draft uses form version %d; want 2", d.FormVersion)
	}
}

// /stop, the quiz's command, typed in the middle of a report stops the
// report: at a question or the review it pauses as ⏸ does, at the reason
// of an amendment it cancels as ↩️ does. What is typed next is not an
// answer. Once the report is paused, /stop is the quiz's again (this bot
// has no quiz: an unknown command).
func TestReport_StopPausesTheReport(t *testing.T) {
	f := newFixture(t, nil)
	u := f.focal("Lò Văn Sơn", "vi", "SNV")
	u.Send("/report")
	u.Tap("1. Kế hoạch")
	u.Tap("Quyết định")
	r := u.Send("/stop")
	mustContain(t, "/stop at a question", r.Text(), f.T("vi", "report.paused"))
	r = u.Send("12")
	mustContain(t, "typed after /stop", r.Text(), f.T("vi", "report.use_buttons_above"))
	if d, _ := f.draft("SNV", "plan"); len(d.Answers) != 1 {
		t.Errorf("the draft holds %d answers after /stop and typed text; want 1", len(d.Answers))
	}
	// The unknown command's answer offers the menu; the paused report's
	// button, above it, still goes on.
	paused := u.Screen()
	mustContain(t, "/stop once paused", u.Send("/stop").Text(), f.T("vi", "unknown.command"))
	r = u.TapOn(paused, "Làm tiếp")
	mustContain(t, "going on", r.Text(), "Câu 2/8", "Số lớp đã mở")

	for _, in := range []string{"10", "20", "có", "2/6/2025", "1/KH"} {
		u.Send(in)
	}
	u.Tap("Bỏ qua")
	u.Tap("Bỏ qua")
	r = u.Send("/stop")
	mustContain(t, "/stop at the review", r.Text(), f.T("vi", "report.paused"))
	u.Tap("Làm tiếp")
	mustContain(t, "the receipt", u.Tap("Gửi báo cáo").Text(), "plan-0001.1")
	u.Send("/status")
	u.Tap("1. Kế hoạch năm")
	u.Tap("Sửa đổi báo cáo")
	r = u.Send("/stop")
	mustContain(t, "/stop at the reason", r.Text(), "Báo cáo đã được gửi", "Phiên bản 1 · biên nhận plan-0001.1")
	if d, ok := f.draft("SNV", "plan"); ok {
		t.Errorf("/stop at the reason began an amendment: %+v", d)
	}
	u.Tap("Sửa đổi báo cáo")
	u.Send("Sửa số lớp")
	r = u.Send("/stop")
	mustContain(t, "/stop at the amendment's review", r.Text(), f.T("vi", "report.paused"))
}
