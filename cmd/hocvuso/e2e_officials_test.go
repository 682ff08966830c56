package main

// End-to-end specs of the officials' commands (issue 4) through the binary's
// real wiring: /overview and /export by an official through `serve` and the
// fake Bot API, the workbook read back from what the fake received, a
// refusal for anyone else, and `hocvuso export` writing the same workbook.
// The flow's details are specified in flows/officials, the workbook's in
// flows/report/export.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/flows/report/reporttest"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// planName is the 2025 implementation plan's name; by serve's clock (now),
// every due date of it is past.
const planName = "Văn bản triển khai Phong trào thi đua năm 2025"

// seedReports records units and their plan-2025 reports through the store,
// as the report conversation would have:
//
//	SNV    department  on time 28/6/2025, amended 2/7 ("Sửa số văn bản")
//	SYT    department  submitted 3/7/2025: 3 days late
//	SKHCN  department  nothing
//	03670  commune     submitted 10/7/2025: on time (due 30/7)
func seedReports(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	at := func(m time.Month, d, h int) time.Time { return time.Date(2025, m, d, h, 0, 0, 0, config.Location) }
	if _, _, err := db.UpsertUnits(ctx, []store.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},
		{Code: "SYT", Name: "Sở Y tế", Kind: "department"},
		{Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: "department"},
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
	}, "admin", at(6, 1, 8)); err != nil {
		t.Fatal(err)
	}
	p, _ := cfg.Period("plan-2025")
	form := cfg.PeriodForm(p)
	if err := db.RecordForm(ctx, store.StoredForm{ID: form.ID, Version: form.Version, Hash: form.Hash, Content: form.Content, RecordedAt: at(6, 1, 8)}); err != nil {
		t.Fatal(err)
	}
	focal, err := db.CreateUser(ctx, store.NewUser{Channel: bot.Telegram, ExternalID: "9901", ChatID: "9901", DisplayName: "Lò Văn A",
		Language: "vi", ConsentVersion: "test", At: at(6, 1, 8)})
	if err != nil {
		t.Fatal(err)
	}
	submit := func(unit, docNumber string, when time.Time, reason string) {
		t.Helper()
		reporttest.Submit(t, db, reporttest.Report{Period: p, Unit: unit, By: focal, At: when, Reason: reason, Answers: []reporttest.Answer{
			{Key: "doc_number", Value: fmt.Sprintf(`{"type":"text","text":%q}`, docNumber)},
			{Key: "doc_date", Value: `{"type":"date","date":"2025-06-27"}`},
			{Key: "registrations", Value: `{"type":"number","number":"4"}`},
		}})
	}
	submit("SNV", "12/KH-SNV", at(6, 28, 10), "")
	submit("SNV", "13/KH-SNV", at(7, 2, 9), "Sửa số văn bản")
	submit("SYT", "7/KH-SYT", at(7, 3, 16), "")
	submit("03670", "3/KH-UBND", at(7, 10, 9), "")
}

func TestServeOfficials_OverviewAndExport(t *testing.T) {
	t.Parallel()
	s := startServe(t, true, nil)
	const official, citizen = 7301, 7302
	id := s.join(official)
	s.join(citizen)
	if _, err := s.db.GrantRole(context.Background(), id, store.RoleOfficial, "", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	seedReports(t, s.db)
	overdue := store.DaysLate(time.Date(2025, 6, 30, 0, 0, 0, 0, config.Location), time.Now())

	// Someone else: a polite refusal, and the way back to the menu.
	for _, cmd := range []string{"/overview", "/export"} {
		before := len(s.fake.MessagesTo(citizen))
		s.say(citizen, cmd)
		msgs := s.fake.MessagesTo(citizen)[before:]
		if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "chỉ dành cho cán bộ Sở Nội vụ") || len(msgs[0].Buttons) != 1 ||
			!strings.Contains(fmt.Sprint(msgs[0].Buttons), "Về menu") {
			t.Errorf("%s by a citizen: %+v", cmd, msgs)
		}
	}

	// The official: /overview, the period, the counts.
	s.say(official, "/overview")
	pick := s.lastWithButtons(official)
	if !strings.Contains(pick.Text, "Bạn muốn xem kỳ báo cáo nào?") {
		t.Fatalf("/overview asks %q", pick.Text)
	}
	before := len(s.fake.MessagesTo(official))
	s.press(official, pick, planName)
	texts := s.texts(official)
	mustContain(t, texts, "• Sở, ban, ngành (hạn 30/06/2025): đã gửi 2/3. Gửi trễ: 1. Quá hạn, chưa gửi: 1.")
	mustContain(t, texts, "• UBND xã, phường (hạn 30/07/2025): đã gửi 1/1. Gửi trễ: 0. Quá hạn, chưa gửi: 0.")
	mustContain(t, texts, "Tổng cộng: 3/4 đơn vị đã gửi.")
	mustContain(t, texts, "⏰ Đơn vị trễ hạn (2):\nSở, ban, ngành (2):\n• Sở Khoa học và Công nghệ: chưa gửi, quá hạn "+fmt.Sprint(overdue)+" ngày\n• Sở Y tế: gửi trễ 3 ngày")
	mustContain(t, texts, "• Sở Nội vụ: phiên bản 2, lúc 09:00 02/07/2025. Lý do: Sửa số văn bản")
	if got := s.fake.MessagesTo(official); len(got) < before+2 {
		// The first message edits the list in place; the lists follow.
		t.Errorf("the overview came in %d new messages", len(got)-before)
	}

	// Its "Download Excel" button: the workbook as a document.
	s.press(official, s.lastWithButtons(official), "Tải bảng Excel")
	docs := s.fake.Calls("sendDocument")
	if len(docs) != 1 || docs[0].ChatID() != official {
		t.Fatalf("%d sendDocument calls; want 1 to the official; log:\n%s", len(docs), s.stderr.String())
	}
	file := docs[0].Files["document"]
	if !strings.HasPrefix(file.Name, "bao-cao-plan-2025-") || !strings.HasSuffix(file.Name, ".xlsx") {
		t.Errorf("document name %q", file.Name)
	}
	if caption := docs[0].Params["caption"]; !strings.Contains(caption, planName+": 3/4 đơn vị đã gửi.") {
		t.Errorf("caption %q", caption)
	}
	units, history := reporttest.Workbook(t, file.Bytes)
	if len(units) != 5 || len(history) != 5 {
		t.Fatalf("%d unit rows and %d history rows; want 1+4 and 1+4", len(units), len(history))
	}
	var codes []string
	for _, r := range units[1:] {
		codes = append(codes, r[0])
	}
	if got := strings.Join(codes, " "); got != "SKHCN SNV SYT 03670" {
		t.Errorf("unit rows %s", got)
	}
	for _, c := range []struct {
		row          int
		header, want string
	}{
		{1, "Trạng thái", "Quá hạn, chưa gửi"},
		{1, "Số ngày trễ", fmt.Sprint(overdue)},
		{1, "Số, ký hiệu văn bản (doc_number)", ""},
		{2, "Trạng thái", "Đã gửi đúng hạn, đã sửa đổi"},
		{2, "Phiên bản", "2"},
		{2, "Số biên nhận", "plan-2025-0001.2"},
		{2, "Gửi lần đầu", "28/06/2025 10:00"},
		{2, "Gửi lần cuối", "02/07/2025 09:00"},
		{2, "Lý do sửa đổi", "Sửa số văn bản"},
		{2, "Số, ký hiệu văn bản (doc_number)", "13/KH-SNV"},
		{2, "Ngày ban hành văn bản (doc_date)", "27/06/2025"},
		{3, "Trạng thái", "Đã gửi trễ hạn"},
		{3, "Số ngày trễ", "3"},
		{4, "Loại đơn vị", "UBND xã, phường"},
		{4, "Hạn gửi", "30/07/2025"},
	} {
		if got := reporttest.Cell(t, units, c.row, c.header); got != c.want {
			t.Errorf("units row %d %s = %q; want %q", c.row, c.header, got, c.want)
		}
	}
	if got := reporttest.Cell(t, history, 1, "Số, ký hiệu văn bản (doc_number)"); got != "3/KH-UBND" {
		t.Errorf("history row 1 (03670 v1) doc_number = %q", got)
	}
	if got := reporttest.Cell(t, history, 2, "Số, ký hiệu văn bản (doc_number)"); got != "12/KH-SNV" {
		t.Errorf("history row 2 (SNV v1) doc_number = %q; the first version keeps its answers", got)
	}

	// /export: the same file by the command.
	s.say(official, "/export")
	pick = s.lastWithButtons(official)
	if !strings.Contains(pick.Text, "Bạn muốn tải bảng tổng hợp của kỳ nào?") {
		t.Fatalf("/export asks %q", pick.Text)
	}
	s.press(official, pick, planName)
	docs = s.fake.Calls("sendDocument")
	if len(docs) != 2 {
		t.Fatalf("%d documents after /export; want 2", len(docs))
	}
	units2, history2 := reporttest.Workbook(t, docs[1].Files["document"].Bytes)
	if fmt.Sprint(units2, history2) != fmt.Sprint(units, history) {
		t.Errorf("/export and the overview's button gave different workbooks")
	}
	for _, m := range s.fake.MessagesTo(citizen) {
		if m.Document != nil {
			t.Errorf("a document reached the citizen")
		}
	}

	// hocvuso export writes the same workbook.
	out := filepath.Join(t.TempDir(), "plan.xlsx")
	code, stdout, stderr := runCmd(t, s.db.Pool.Config().ConnString(), "export", "--period", "plan-2025", "--out", out)
	if code != 0 {
		t.Fatalf("hocvuso export: %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "plan-2025: 4 units, 3 submitted (1 late)") || !strings.Contains(stdout, out) {
		t.Errorf("hocvuso export says %q", stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	units3, history3 := reporttest.Workbook(t, data)
	if fmt.Sprint(units3, history3) != fmt.Sprint(units, history) {
		t.Errorf("hocvuso export wrote another workbook than /export sent:\n%q\n%q", units3, units)
	}
}

func TestExportCommand_BadArguments(t *testing.T) {
	t.Parallel()
	dbURL := storetest.NewDatabaseURL(t)
	out := filepath.Join(t.TempDir(), "x.xlsx")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--period", "annual-2099", "--out", out}, `no period "annual-2099"; periods: plan-2025, annual-2025,`},
		{[]string{"export", "--out", out}, "both --period and --out are needed; periods: plan-2025"},
		{[]string{"export", "--period", "plan-2025"}, "both --period and --out are needed"},
		{[]string{"export", "--period", "plan-2025", "--out", out, "extra"}, `unexpected argument "extra"`},
		{[]string{"export", "--period", "plan-2025", "--out", filepath.Join(t.TempDir(), "missing", "x.xlsx")}, "no such file or directory"},
	} {
		code, _, stderr := runCmd(t, dbURL, c.args...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, %q; want 1 and %q", c.args, code, stderr, c.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a file was written on bad arguments: %v", err)
	}
}

// Many late units through serve: the overview lists them by kind of unit,
// cuts a long kind with "and N more", says the workbook has them all, and
// its button sends that workbook with every unit.
func TestServeOfficials_LongLateListCutToTheWorkbook(t *testing.T) {
	t.Parallel()
	s := startServe(t, true, nil)
	const official = 7311
	id := s.join(official)
	if _, err := s.db.GrantRole(context.Background(), id, store.RoleOfficial, "", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	var units []store.Unit
	for i := range 12 {
		units = append(units, store.Unit{Code: fmt.Sprintf("S%02d", i), Name: fmt.Sprintf("Sở số %02d", i), Kind: "department"})
	}
	units = append(units, store.Unit{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"})
	if _, _, err := s.db.UpsertUnits(context.Background(), units, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	deptLate := store.DaysLate(time.Date(2025, 6, 30, 0, 0, 0, 0, config.Location), time.Now())
	communeLate := store.DaysLate(time.Date(2025, 7, 30, 0, 0, 0, 0, config.Location), time.Now())

	s.say(official, "/overview")
	s.press(official, s.lastWithButtons(official), planName)
	want := []string{"⏰ Đơn vị trễ hạn (13):", "Sở, ban, ngành (12):"}
	for i := range 10 {
		want = append(want, fmt.Sprintf("• Sở số %02d: chưa gửi, quá hạn %d ngày", i, deptLate))
	}
	want = append(want, "… và 2 đơn vị khác", "", "UBND xã, phường (1):",
		fmt.Sprintf("• Phường Chiềng Cơi: chưa gửi, quá hạn %d ngày", communeLate), "",
		"Danh sách đầy đủ có trong bảng Excel: bấm “📥 Tải bảng Excel” bên dưới hoặc gõ /export.")
	mustContain(t, s.texts(official), strings.Join(want, "\n"))
	mustNotContain(t, s.texts(official), "Sở số 10")

	s.press(official, s.lastWithButtons(official), "Tải bảng Excel")
	docs := s.fake.Calls("sendDocument")
	if len(docs) != 1 {
		t.Fatalf("%d sendDocument calls; want 1", len(docs))
	}
	rows, _ := reporttest.Workbook(t, docs[0].Files["document"].Bytes)
	var names []string
	for i := 1; i < len(rows); i++ {
		if reporttest.Cell(t, rows, i, "Trạng thái") == "Quá hạn, chưa gửi" {
			names = append(names, reporttest.Cell(t, rows, i, "Tên đơn vị"))
		}
	}
	if len(names) != 13 || !strings.Contains(strings.Join(names, "|"), "Sở số 11") {
		t.Errorf("the workbook's units past due: %q; want all 13", names)
	}
}
