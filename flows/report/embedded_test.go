package report_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"hocvuso/flows/officials"
	"hocvuso/flows/report/config"
	"hocvuso/flows/report/reporttest"
	"hocvuso/store"
)

// The built-in periods that had not opened when annual v2 and review v2
// were made use them; the others keep v1, the version their drafts and
// reports were made with.
func TestEmbedded_PeriodsNotOpenedBeforeV2UseIt(t *testing.T) {
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"plan-2025": 1, "annual-2025": 1, "annual-2026": 1,
		"annual-2027": 2, "annual-2028": 2, "annual-2029": 2, "annual-2030": 2, "review-2027": 2, "review-2030": 2,
	}
	for _, p := range cfg.Periods {
		if v, ok := want[p.ID]; !ok || p.FormVersion != v || cfg.PeriodForm(p) == nil {
			t.Errorf("period %s: form %s v%d; want v%d", p.ID, p.FormID, p.FormVersion, v)
		}
	}
}

// An enterprise fills in annual-2027, on annual v2, with the built-in
// configuration: every question asked as the enterprise is, submitted, a
// receipt; the report names v2, and the officials' export has v2's columns
// (the spending's unit in its header once, though v2's label no longer
// says it) with the answers.
func TestReport_APeriodOnAnnualV2IsFilledSubmittedAndExported(t *testing.T) {
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, cfg)
	f.clock.Set(ict(2027, 10, 5, 9, 0))
	ctx := context.Background()
	if _, _, err := f.h.DB.UpsertUnits(ctx, []store.Unit{{Code: "DN01", Name: "Công ty Chè Mộc Châu", Kind: "enterprise"}}, "admin", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	p, _ := cfg.Period("annual-2027")
	form := cfg.PeriodForm(p)
	if form.ID != "annual" || form.Version != 2 {
		t.Fatalf("annual-2027 uses %s v%d", form.ID, form.Version)
	}
	fields := form.FieldsFor(config.KindEnterprise)

	u := f.focal("Hà Văn Chè", "vi", "DN01")
	u.Send("/report")
	r := u.Tap("thi đua năm 2027")
	mustContain(t, "the first question", r.Text(), "Có "+strconv.Itoa(len(fields))+" câu hỏi", "Câu 1/"+strconv.Itoa(len(fields)))
	asked := 0
	for range 2 * len(fields) {
		first, _, _ := strings.Cut(r.Last().Text, "\n")
		m := positionRE.FindStringSubmatch(first)
		if m == nil {
			break // the review
		}
		n, _ := strconv.Atoi(m[1])
		fl := fields[n-1]
		asked++
		if fl.Key == "f_investment_million_vnd" {
			mustContain(t, "the spending", r.Last().Text, "(triệu đồng)")
			if strings.Count(r.Last().Text, "triệu đồng") != 2 { // the hint's unit, the help's example
				t.Errorf("the spending says \"triệu đồng\" %d times; want the hint's and the example's:\n%s", strings.Count(r.Last().Text, "triệu đồng"), r.Last().Text)
			}
			r = u.Send("250")
			continue
		}
		r = answerValid(t, f, u, fl, "vi")
	}
	if asked != len(fields) {
		t.Fatalf("%d questions asked of %d; last:\n%s", asked, len(fields), r)
	}
	r = u.Tap("Gửi báo cáo")
	versions := f.versions("DN01", "annual-2027")
	if len(versions) != 1 || versions[0].FormID != "annual" || versions[0].FormVersion != 2 {
		t.Fatalf("submitted %+v; want one report on annual v2", versions)
	}
	mustContain(t, "the receipt", r.Text(), "Đã nhận báo cáo", versions[0].Receipt)

	wb, err := officials.Export(ctx, f.h.DB, cfg, f.h.Catalog, hcm, p, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	units, history := reporttest.Workbook(t, wb.Bytes)
	row := -1
	for i, cells := range units {
		if len(cells) > 0 && cells[0] == "DN01" {
			row = i
		}
	}
	if row < 0 {
		t.Fatalf("no row of DN01 in %q", units)
	}
	spending := "Kinh phí doanh nghiệp đầu tư cho chuyển đổi số trong năm (triệu đồng) (f_investment_million_vnd)"
	for _, c := range []struct{ header, want string }{
		{"Biểu mẫu", "annual v2"},
		{"Số biên nhận", versions[0].Receipt},
		{spending, "250"},
		{"Họ và tên người lập báo cáo (preparer_name)", "x"},
		{"Đơn vị tự đánh giá mức độ thực hiện Phong trào thi đua (self_assessment)", "Hoàn thành xuất sắc"},
	} {
		if got := reporttest.Cell(t, units, row, c.header); got != c.want {
			t.Errorf("export, %s = %q; want %q", c.header, got, c.want)
		}
	}
	if got := reporttest.Cell(t, history, 1, "Biểu mẫu"); got != "annual v2" {
		t.Errorf("history, form = %q; want annual v2", got)
	}
	// A column for every field of v2, the period's only form.
	for _, fl := range form.Fields() {
		n := 0
		for _, h := range units[0] {
			if strings.HasSuffix(h, " ("+fl.Key+")") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d columns of %s; want 1", n, fl.Key)
		}
	}
}
