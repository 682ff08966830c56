package export_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"hocvuso/flows/report/config"
	"hocvuso/flows/report/export"
	"hocvuso/locales"
	"hocvuso/store"
)

var hcm = config.Location

// catalogue is the real catalogue, loaded once; a message missing from it
// renders as its id, which the cells' checks would show.
var catalogue = sync.OnceValues(locales.Load)

func ict(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }

// formV1 and formV2 are two versions of one form: v2 drops "old_note" and
// adds "lessons"; both ask the rest.
const formV1 = `id: t
version: 1
title: {vi: "Báo cáo thử", en: "Test report"}
sections:
  - key: general
    title: {vi: "Chung", en: "General"}
    fields:
      - key: staff
        type: number
        label: {vi: "Số cán bộ", en: "Staff"}
        help: {vi: "Một số.", en: "A number."}
      - key: share
        type: percent
        label: {vi: "Tỉ lệ đạt", en: "Share"}
        help: {vi: "Từ 0 đến 100.", en: "0 to 100."}
      - key: launched
        type: yesno
        label: {vi: "Đã phát động", en: "Launched"}
        help: {vi: "Có hoặc không.", en: "Yes or no."}
      - key: doc_kind
        type: choice
        label: {vi: "Loại văn bản", en: "Kind of document"}
        help: {vi: "Chọn một.", en: "Choose one."}
        options:
          - key: plan
            label: {vi: "Kế hoạch", en: "Plan"}
          - key: letter
            label: {vi: "Công văn", en: "Letter"}
      - key: issued
        type: date
        label: {vi: "Ngày ban hành", en: "Issued on"}
        help: {vi: "Ngày/tháng/năm.", en: "Day/month/year."}
      - key: summary
        type: text
        label: {vi: "Trích yếu", en: "Summary"}
        help: {vi: "Một dòng.", en: "One line."}
      - key: signed
        type: file
        max_files: 2
        accept: [pdf, image]
        label: {vi: "Bản đã ký", en: "Signed copy"}
        help: {vi: "Tệp PDF hoặc ảnh.", en: "A PDF or a photo."}
      - key: old_note
        type: text
        label: {vi: "Ghi chú cũ", en: "Old note"}
        help: {vi: "Một dòng.", en: "One line."}
`

var formV2 = strings.Replace(strings.Replace(formV1, "version: 1", "version: 2", 1),
	`      - key: old_note
        type: text
        label: {vi: "Ghi chú cũ", en: "Old note"}
        help: {vi: "Một dòng.", en: "One line."}
`, `      - key: lessons
        type: longtext
        label: {vi: "Bài học kinh nghiệm", en: "Lessons"}
        help: {vi: "Vài dòng.", en: "A few lines."}
`, 1)

func parseForm(t *testing.T, name, content string) *config.Form {
	t.Helper()
	f, err := config.ParseForm(config.File{Name: name, Data: []byte(content)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func answers(t *testing.T, a map[string]config.Value) json.RawMessage {
	t.Helper()
	b, err := config.EncodeAnswers(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func yes(b bool) *bool { return &b }

const sha1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
const sha2 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

// sample is a period with three units: SNV submitted with form v1 then
// amended with v2; 03670 submitted late with v1; SYT has not submitted.
func sample(t *testing.T) export.Data {
	t.Helper()
	cat, err := catalogue()
	if err != nil {
		t.Fatal(err)
	}
	v1, v2 := parseForm(t, "t.v1.yaml", formV1), parseForm(t, "t.v2.yaml", formV2)
	deptDue, communeDue := ict(2025, 6, 30, 0, 0), ict(2025, 7, 30, 0, 0)
	snv1 := answers(t, map[string]config.Value{
		"staff":    {Type: config.TypeNumber, Number: "120"},
		"share":    {Type: config.TypePercent, Number: "85.5"},
		"launched": {Type: config.TypeYesNo, Yes: yes(true)},
		"doc_kind": {Type: config.TypeChoice, Choice: "plan"},
		"issued":   {Type: config.TypeDate, Date: "2025-06-27"},
		"summary":  {Type: config.TypeText, Text: "Kế hoạch số 1"},
		"old_note": {Type: config.TypeText, Text: "chỉ có ở phiên bản 1"},
	})
	snv2 := answers(t, map[string]config.Value{
		"staff":    {Type: config.TypeNumber, Number: "125"},
		"share":    {Type: config.TypePercent, Number: "90"},
		"launched": {Type: config.TypeYesNo, Yes: yes(true)},
		"doc_kind": {Type: config.TypeChoice, Choice: "plan"},
		"issued":   {Type: config.TypeDate, Date: "2025-06-27"},
		"summary":  {Type: config.TypeText, Skipped: true},
		"signed": {Type: config.TypeFile, Files: []config.FileRef{
			{SHA256: sha1, Name: "ke-hoach.pdf", MIME: "application/pdf", Size: 1000, Kind: config.FilePDF},
			{SHA256: sha2, Name: "anh.jpg", MIME: "image/jpeg", Size: 2000, Kind: config.FileImage},
		}},
		"lessons": {Type: config.TypeLongText, Text: "Dòng một.\nDòng hai."},
	})
	commune := answers(t, map[string]config.Value{
		"staff":    {Type: config.TypeNumber, Number: "15"},
		"launched": {Type: config.TypeYesNo, Yes: yes(false)},
		"doc_kind": {Type: config.TypeChoice, Choice: "letter"},
		"old_note": {Type: config.TypeText, Text: "ghi chú của xã"},
	})
	return export.Data{
		PeriodID: "plan-2025",
		Units: []store.UnitOverview{
			{Code: "SNV", Name: "Sở Nội vụ", Kind: "department", Due: deptDue, State: store.StateAmended, Version: 2,
				Receipt: "plan-2025-0001.2", FirstSubmittedAt: ict(2025, 6, 28, 10, 5), LastSubmittedAt: ict(2025, 7, 2, 9, 30),
				Reason: "Bổ sung bản đã ký"},
			{Code: "SYT", Name: "Sở Y tế", Kind: "department", Due: deptDue, State: store.StateOverdue, DaysLate: 15},
			{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune", Due: communeDue, State: store.StateSubmittedLate, Version: 1,
				Receipt: "plan-2025-0002.1", FirstSubmittedAt: ict(2025, 8, 1, 8, 0), LastSubmittedAt: ict(2025, 8, 1, 8, 0), DaysLate: 2},
		},
		Versions: []store.ReportVersion{
			{UnitCode: "03670", PeriodID: "plan-2025", Version: 1, Receipt: "plan-2025-0002.1", FormID: "t", FormVersion: 1,
				Answers: commune, SubmittedAt: ict(2025, 8, 1, 8, 0), DueOn: time.Date(2025, 7, 30, 0, 0, 0, 0, time.UTC), DaysLate: 2},
			{UnitCode: "SNV", PeriodID: "plan-2025", Version: 1, Receipt: "plan-2025-0001.1", FormID: "t", FormVersion: 1,
				Answers: snv1, SubmittedAt: ict(2025, 6, 28, 10, 5), DueOn: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)},
			{UnitCode: "SNV", PeriodID: "plan-2025", Version: 2, Receipt: "plan-2025-0001.2", FormID: "t", FormVersion: 2,
				Answers: snv2, SubmittedAt: ict(2025, 7, 2, 9, 30), DueOn: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC), DaysLate: 2,
				Reason: "Bổ sung bản đã ký"},
		},
		Forms:    []*config.Form{v2, v1},
		Location: hcm,
		Text:     cat,
	}
}

// workbook writes d and opens the result as a spreadsheet program would.
func workbook(t *testing.T, d export.Data) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := export.Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the file does not open: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// sheet reads a sheet as a table: header → column letter, and a cell reader.
type sheet struct {
	t    *testing.T
	f    *excelize.File
	name string
	cols map[string]string
}

func open(t *testing.T, f *excelize.File, name string) sheet {
	t.Helper()
	rows, err := f.GetRows(name)
	if err != nil || len(rows) == 0 {
		t.Fatalf("sheet %q: %v (%d rows)", name, err, len(rows))
	}
	s := sheet{t: t, f: f, name: name, cols: map[string]string{}}
	for i, h := range rows[0] {
		col, _ := excelize.ColumnNumberToName(i + 1)
		s.cols[h] = col
	}
	return s
}

func (s sheet) ref(header string, row int) string {
	s.t.Helper()
	col, ok := s.cols[header]
	if !ok {
		s.t.Fatalf("sheet %q has no column %q; it has %v", s.name, header, s.cols)
	}
	return col + strconv.Itoa(row)
}

// shown is what a spreadsheet shows in the cell, formatted.
func (s sheet) shown(header string, row int) string {
	s.t.Helper()
	v, err := s.f.GetCellValue(s.name, s.ref(header, row))
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

// number is the cell's value, which must be a number (dates are numbers).
func (s sheet) number(header string, row int) float64 {
	s.t.Helper()
	ref := s.ref(header, row)
	typ, err := s.f.GetCellType(s.name, ref)
	if err != nil {
		s.t.Fatal(err)
	}
	raw, err := s.f.GetCellValue(s.name, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		s.t.Fatal(err)
	}
	n, perr := strconv.ParseFloat(raw, 64)
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber || perr != nil {
		s.t.Errorf("%s!%s (%s) = %q of type %v; want a number", s.name, ref, header, raw, typ)
	}
	return n
}

// isText checks the cell holds text.
func (s sheet) isText(header string, row int, want string) {
	s.t.Helper()
	ref := s.ref(header, row)
	typ, _ := s.f.GetCellType(s.name, ref)
	got := s.shown(header, row)
	if got != want || typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		s.t.Errorf("%s!%s (%s) = %q of type %v; want the text %q", s.name, ref, header, got, typ, want)
	}
}

func excelDate(y int, m time.Month, d, h, min int) float64 {
	return float64(time.Date(y, m, d, h, min, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC))) / float64(24*time.Hour)
}

func near(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }

func TestWrite_UnitsSheetOneRowPerUnitWithTypedAnswers(t *testing.T) {
	f := workbook(t, sample(t))
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "Đơn vị" || got[1] != "Lịch sử" {
		t.Fatalf("sheets = %q", got)
	}
	s := open(t, f, "Đơn vị")
	rows, _ := f.GetRows("Đơn vị")
	if len(rows) != 4 {
		t.Fatalf("%d rows; want a header and 3 units", len(rows))
	}
	// The columns of fields: v2's in form order, then what only v1 asked.
	header := rows[0]
	wantFields := []string{"Số cán bộ (staff)", "Tỉ lệ đạt (%) (share)", "Đã phát động (launched)", "Loại văn bản (doc_kind)",
		"Ngày ban hành (issued)", "Trích yếu (summary)", "Bản đã ký (signed)", "Bài học kinh nghiệm (lessons)", "Ghi chú cũ (old_note)"}
	if got := header[len(header)-len(wantFields):]; strings.Join(got, "|") != strings.Join(wantFields, "|") {
		t.Errorf("field headers = %q\nwant %q", got, wantFields)
	}

	// Row 2: SNV, amended; its current version is v2.
	s.isText("Mã đơn vị", 2, "SNV")
	s.isText("Tên đơn vị", 2, "Sở Nội vụ")
	s.isText("Loại đơn vị", 2, "Sở, ban, ngành")
	s.isText("Trạng thái", 2, "Đã gửi đúng hạn, đã sửa đổi")
	s.isText("Số biên nhận", 2, "plan-2025-0001.2")
	s.isText("Lý do sửa đổi", 2, "Bổ sung bản đã ký")
	s.isText("Biểu mẫu", 2, "t v2")
	if v := s.number("Phiên bản", 2); v != 2 {
		t.Errorf("version = %v", v)
	}
	if v := s.number("Gửi lần đầu", 2); !near(v, excelDate(2025, 6, 28, 10, 5)) {
		t.Errorf("first submitted = %v; want 28/6/2025 10:05 local (%v)", v, excelDate(2025, 6, 28, 10, 5))
	}
	if got := s.shown("Gửi lần cuối", 2); got != "02/07/2025 09:30" {
		t.Errorf("last submitted shows %q; want 02/07/2025 09:30 (local time)", got)
	}
	if got := s.shown("Hạn gửi", 2); got != "30/06/2025" {
		t.Errorf("due date shows %q", got)
	}
	if v := s.number("Hạn gửi", 2); v != excelDate(2025, 6, 30, 0, 0) {
		t.Errorf("due date = %v; want a date", v)
	}
	if v := s.number("Số ngày trễ", 2); v != 0 {
		t.Errorf("days late = %v", v)
	}
	if v := s.number("Số cán bộ (staff)", 2); v != 125 {
		t.Errorf("staff = %v; want 125, v2's answer", v)
	}
	if v := s.number("Tỉ lệ đạt (%) (share)", 2); v != 90 {
		t.Errorf("share = %v", v)
	}
	s.isText("Đã phát động (launched)", 2, "Có")
	s.isText("Loại văn bản (doc_kind)", 2, "Kế hoạch")
	if v := s.number("Ngày ban hành (issued)", 2); v != excelDate(2025, 6, 27, 0, 0) {
		t.Errorf("issued = %v; want a date", v)
	}
	if got := s.shown("Ngày ban hành (issued)", 2); got != "27/06/2025" {
		t.Errorf("issued shows %q", got)
	}
	if got := s.shown("Trích yếu (summary)", 2); got != "" {
		t.Errorf("a skipped answer shows %q; want an empty cell", got)
	}
	s.isText("Bản đã ký (signed)", 2, "ke-hoach.pdf (SHA-256 "+sha1+")\nanh.jpg (SHA-256 "+sha2+")")
	s.isText("Bài học kinh nghiệm (lessons)", 2, "Dòng một.\nDòng hai.")
	if got := s.shown("Ghi chú cũ (old_note)", 2); got != "" {
		t.Errorf("v1's answer shows in the current v2 row: %q", got)
	}

	// Row 3: SYT, not submitted: its state, no answers.
	s.isText("Mã đơn vị", 3, "SYT")
	s.isText("Trạng thái", 3, "Quá hạn, chưa gửi")
	if v := s.number("Số ngày trễ", 3); v != 15 {
		t.Errorf("SYT days late = %v", v)
	}
	for _, h := range []string{"Phiên bản", "Số biên nhận", "Gửi lần đầu", "Biểu mẫu", "Số cán bộ (staff)"} {
		if got := s.shown(h, 3); got != "" {
			t.Errorf("SYT's %s = %q; want empty", h, got)
		}
	}

	// Row 4: a commune submitted late with form v1: its v1-only answer shows.
	s.isText("Loại đơn vị", 4, "UBND xã, phường")
	s.isText("Trạng thái", 4, "Đã gửi trễ hạn")
	s.isText("Ghi chú cũ (old_note)", 4, "ghi chú của xã")
	s.isText("Đã phát động (launched)", 4, "Không")
	s.isText("Loại văn bản (doc_kind)", 4, "Công văn")
	if v := s.number("Số ngày trễ", 4); v != 2 {
		t.Errorf("03670 days late = %v", v)
	}
	if got := s.shown("Hạn gửi", 4); got != "30/07/2025" {
		t.Errorf("the commune's due date shows %q", got)
	}
}

// An amended report's status says whether its first submission was late,
// as the overview counts it: filtering the column for "trễ hạn" finds every
// late report, "đúng hạn" every one on time, amended or not.
func TestWrite_StatusOfAnAmendmentSaysWhetherTheFirstWasLate(t *testing.T) {
	d := sample(t)
	late := &d.Units[2] // 03670, two days late: amended since
	late.State, late.Version, late.Receipt, late.Reason = store.StateAmended, 2, "plan-2025-0002.2", "Sửa số cán bộ"
	late.LastSubmittedAt = ict(2025, 8, 5, 8, 0)
	d.Versions = append(d.Versions, store.ReportVersion{UnitCode: "03670", PeriodID: "plan-2025", Version: 2, Receipt: "plan-2025-0002.2",
		FormID: "t", FormVersion: 1, Answers: d.Versions[0].Answers, SubmittedAt: ict(2025, 8, 5, 8, 0),
		DueOn: time.Date(2025, 7, 30, 0, 0, 0, 0, time.UTC), DaysLate: 6, Reason: "Sửa số cán bộ"})
	s := open(t, workbook(t, d), "Đơn vị")
	s.isText("Trạng thái", 2, "Đã gửi đúng hạn, đã sửa đổi") // SNV, on time on 28/6
	s.isText("Trạng thái", 3, "Quá hạn, chưa gửi")
	s.isText("Trạng thái", 4, "Đã gửi trễ hạn, đã sửa đổi")
	if v := s.number("Số ngày trễ", 4); v != 2 {
		t.Errorf("03670 days late = %v; want 2, its first submission's", v)
	}
}

func TestWrite_HistorySheetEveryVersion(t *testing.T) {
	f := workbook(t, sample(t))
	s := open(t, f, "Lịch sử")
	rows, _ := f.GetRows("Lịch sử")
	if len(rows) != 4 {
		t.Fatalf("%d rows; want a header and 3 versions", len(rows))
	}
	for i, want := range []string{"plan-2025-0002.1", "plan-2025-0001.1", "plan-2025-0001.2"} {
		s.isText("Số biên nhận", i+2, want)
	}
	s.isText("Tên đơn vị", 3, "Sở Nội vụ")
	s.isText("Biểu mẫu", 3, "t v1")
	if v := s.number("Số cán bộ (staff)", 3); v != 120 {
		t.Errorf("SNV v1 staff = %v; want 120", v)
	}
	s.isText("Ghi chú cũ (old_note)", 3, "chỉ có ở phiên bản 1")
	s.isText("Trích yếu (summary)", 3, "Kế hoạch số 1")
	if v := s.number("Tỉ lệ đạt (%) (share)", 3); v != 85.5 {
		t.Errorf("SNV v1 share = %v", v)
	}
	if v := s.number("Phiên bản", 4); v != 2 {
		t.Errorf("version = %v", v)
	}
	s.isText("Lý do sửa đổi", 4, "Bổ sung bản đã ký")
	if v := s.number("Số ngày trễ", 4); v != 2 {
		t.Errorf("days late of the amendment = %v", v)
	}
	if got := s.shown("Thời gian gửi", 4); got != "02/07/2025 09:30" {
		t.Errorf("submitted at shows %q", got)
	}
	if got := s.shown("Hạn gửi", 2); got != "30/07/2025" {
		t.Errorf("the commune's due date shows %q", got)
	}
}

func TestWrite_FrozenHeaderAndWidths(t *testing.T) {
	f := workbook(t, sample(t))
	for _, name := range f.GetSheetList() {
		p, err := f.GetPanes(name)
		if err != nil || !p.Freeze || p.YSplit != 1 || p.XSplit != 2 {
			t.Errorf("%s panes = %+v, %v; want the header row and two columns frozen", name, p, err)
		}
		for col, bounds := range map[string][2]float64{"A": {8, 20}, "B": {15, 62}} {
			w, _ := f.GetColWidth(name, col)
			if w < bounds[0] || w > bounds[1] {
				t.Errorf("%s column %s width %v; want within %v", name, col, w, bounds)
			}
		}
	}
}

// A form field with no form any more (a form file lost) still shows, under
// its key: nothing submitted is left out.
func TestWrite_AnswersNoFormNamesGetAColumn(t *testing.T) {
	d := sample(t)
	d.Forms = d.Forms[:1] // v2 only: "old_note" has no form
	f := workbook(t, d)
	s := open(t, f, "Lịch sử")
	s.isText("old_note", 3, "chỉ có ở phiên bản 1")
}

// A number's header says its unit, as the question's hint did in the chat,
// once: not when the label already says it (as annual v1's spending did). A
// percentage's unit is "%": its cells hold 85.5, not 0.855.
func TestWrite_HeadersSayTheUnit(t *testing.T) {
	d := sample(t)
	form := parseForm(t, "u.v1.yaml", `id: u
version: 1
title: {vi: "Biểu mẫu", en: "Form"}
sections:
  - key: s
    title: {vi: "Chung", en: "General"}
    fields:
      - key: spending
        type: number
        unit: {vi: "triệu đồng", en: "million VND"}
        label: {vi: "Kinh phí đầu tư", en: "Spending"}
      - key: spending_old
        type: number
        unit: {vi: "triệu đồng", en: "million VND"}
        label: {vi: "Kinh phí đầu tư (triệu đồng)", en: "Spending (million VND)"}
      - key: staff
        type: number
        label: {vi: "Số cán bộ", en: "Staff"}
      - key: share
        type: percent
        label: {vi: "Tỉ lệ cán bộ đạt kỹ năng số", en: "Share of skilled staff"}
      - key: share_old
        type: percent
        label: {vi: "Tỉ lệ cán bộ đạt kỹ năng số (%)", en: "Share of skilled staff (%)"}
`)
	d.Forms = []*config.Form{form}
	d.Units, d.Versions = nil, nil
	rows, err := workbook(t, d).GetRows("Đơn vị")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Kinh phí đầu tư (triệu đồng) (spending)", "Kinh phí đầu tư (triệu đồng) (spending_old)", "Số cán bộ (staff)",
		"Tỉ lệ cán bộ đạt kỹ năng số (%) (share)", "Tỉ lệ cán bộ đạt kỹ năng số (%) (share_old)"}
	if got := rows[0][len(rows[0])-len(want):]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("field headers = %q\nwant %q", got, want)
	}
}

func TestWrite_NoUnits(t *testing.T) {
	d := sample(t)
	d.Units, d.Versions = nil, nil
	f := workbook(t, d)
	rows, err := f.GetRows("Đơn vị")
	if err != nil || len(rows) != 1 {
		t.Errorf("rows = %q, %v; want the header alone", rows, err)
	}
}

func TestFileName(t *testing.T) {
	if got := export.FileName("plan-2025", time.Date(2025, 7, 15, 3, 4, 0, 0, time.UTC), hcm); got != "bao-cao-plan-2025-20250715-1004.xlsx" {
		t.Errorf("FileName = %q", got)
	}
}

func writeData(buf *bytes.Buffer, d export.Data) error { return export.Write(buf, d) }

// The province's scale with the annual form: 300 units, each submitted
// with every field answered, a tenth amended.
func BenchmarkWrite(b *testing.B) {
	cfg, err := config.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	cat, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	form, _ := cfg.Form("annual", 1)
	full := map[string]config.Value{}
	for _, fl := range form.Fields() {
		v := config.Value{Type: fl.Type}
		switch fl.Type {
		case config.TypeNumber, config.TypePercent:
			v.Number = "42"
		case config.TypeYesNo:
			v.Yes = yes(true)
		case config.TypeChoice:
			v.Choice = fl.Options[0].Key
		case config.TypeDate:
			v.Date = "2025-10-15"
		case config.TypeFile:
			v.Files = []config.FileRef{{SHA256: sha1, Name: "bao-cao.pdf", Size: 100000, Kind: config.FilePDF}}
		default:
			v.Text = strings.Repeat("Đơn vị đã triển khai nhiều hoạt động chuyển đổi số. ", 4)
		}
		full[fl.Key] = v
	}
	enc, err := config.EncodeAnswers(full)
	if err != nil {
		b.Fatal(err)
	}
	d := export.Data{PeriodID: "annual-2025", Forms: []*config.Form{form}, Location: hcm, Text: cat}
	due := ict(2025, 11, 10, 0, 0)
	for i := range 300 {
		code := fmt.Sprintf("U%03d", i)
		version := 1 + i%10/9
		d.Units = append(d.Units, store.UnitOverview{Code: code, Name: "Đơn vị số " + code, Kind: "commune", Due: due,
			State: store.StateSubmitted, Version: version, Receipt: "r", FirstSubmittedAt: due, LastSubmittedAt: due})
		for v := 1; v <= version; v++ {
			d.Versions = append(d.Versions, store.ReportVersion{UnitCode: code, Version: v, Receipt: "r", FormID: "annual", FormVersion: 1,
				Answers: enc, SubmittedAt: due, DueOn: due})
		}
	}
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := export.Write(&buf, d); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/file")
}

func TestWrite_UnreadableAnswersAreAnErrorNamingTheReceipt(t *testing.T) {
	d := sample(t)
	d.Versions[1].Answers = json.RawMessage(`{"staff": 12}`)
	var buf bytes.Buffer
	err := export.Write(&buf, d)
	if err == nil || !strings.Contains(err.Error(), "plan-2025-0001.1") {
		t.Errorf("Write = %v; want an error naming plan-2025-0001.1", err)
	}
}
