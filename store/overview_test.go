package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"hocvuso/store"
	"hocvuso/store/storetest"
)

// overviewDB holds the units of reportDB and more: four departments, three
// communes and an enterprise, with reports for plan-2025 in every state
// (departments due 30/6, communes due 30/7), seen on 15/7/2025:
//
//	SNV    department  on time 28/6, amended 2/7          amended, 0 days late
//	SKHCN  department  nothing                            overdue, 15 days
//	STC    department  a draft of 1/7                     overdue, 15 days, drafting
//	SYT    department  submitted 3/7                      late, 3 days
//	03670  commune     submitted 10/7                     on time
//	03664  commune     a draft of 12/7                    draft
//	03673  commune     nothing                            not started
//	DN1    enterprise  submitted: not of the kinds asked  left out
func overviewDB(t *testing.T) (*store.DB, int64) {
	t.Helper()
	db := reportDB(t)
	ctx := context.Background()
	if _, _, err := db.UpsertUnits(ctx, []store.Unit{
		{Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: "department"},
		{Code: "STC", Name: "Sở Tài chính", Kind: "department"},
		{Code: "SYT", Name: "Sở Y tế", Kind: "department"},
		{Code: "03673", Name: "Phường Tô Hiệu", Kind: "commune"},
		{Code: "DN1", Name: "Công ty Cổ phần Một", Kind: "enterprise"},
	}, "admin", ict(2025, 6, 1, 8, 0, 0)); err != nil {
		t.Fatal(err)
	}
	u := reportUser(t, db, "focal")
	deptDue, communeDue := ict(2025, 6, 30, 0, 0, 0), ict(2025, 7, 30, 0, 0, 0)
	draft := func(unit string, at time.Time, text string) {
		t.Helper()
		d, _, err := db.Draft(ctx, unit, "plan-2025")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveDraftAnswer(ctx, answer(unit, "doc_number", fmt.Sprintf(`{"type":"text","text":%q}`, text), d.Version, u, at)); err != nil {
			t.Fatal(err)
		}
	}
	draft("DN1", ict(2025, 6, 20, 8, 0, 0), "1/DN")
	submit(t, db, "DN1", deptDue, ict(2025, 6, 20, 9, 0, 0), u, "")
	draft("SNV", ict(2025, 6, 27, 9, 0, 0), "1/KH-SNV")
	submit(t, db, "SNV", deptDue, ict(2025, 6, 28, 10, 0, 0), u, "")
	draft("SNV", ict(2025, 7, 2, 8, 0, 0), "2/KH-SNV")
	submit(t, db, "SNV", deptDue, ict(2025, 7, 2, 9, 0, 0), u, "Sửa số văn bản")
	draft("STC", ict(2025, 7, 1, 14, 0, 0), "5/KH-STC")
	draft("SYT", ict(2025, 7, 3, 8, 0, 0), "9/KH-SYT")
	submit(t, db, "SYT", deptDue, ict(2025, 7, 3, 16, 0, 0), u, "")
	draft("03670", ict(2025, 7, 10, 8, 0, 0), "3/KH-UBND")
	submit(t, db, "03670", communeDue, ict(2025, 7, 10, 9, 0, 0), u, "")
	draft("03664", ict(2025, 7, 12, 8, 0, 0), "7/KH-UBND")
	return db, u
}

func TestPeriodOverview_EveryUnitItsStateAndTheCountsByKind(t *testing.T) {
	db, _ := overviewDB(t)
	ctx := context.Background()
	now := ict(2025, 7, 15, 10, 0, 0)
	kinds := []store.KindDue{
		{Kind: "department", Due: ict(2025, 6, 30, 0, 0, 0)},
		{Kind: "commune", Due: ict(2025, 7, 30, 0, 0, 0)},
		{Kind: "party", Due: ict(2025, 6, 30, 0, 0, 0)},
	}
	ov, err := db.PeriodOverview(ctx, "plan-2025", kinds, now)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		code     string
		state    store.ReportState
		version  int
		receipt  string
		daysLate int
		draft    bool
	}
	want := []row{ // in the order of the kinds given, then by code
		{"SKHCN", store.StateOverdue, 0, "", 15, false},
		{"SNV", store.StateAmended, 2, "plan-2025-0002.2", 0, false},
		{"STC", store.StateOverdue, 0, "", 15, true},
		{"SYT", store.StateSubmittedLate, 1, "plan-2025-0003.1", 3, false},
		{"03664", store.StateDraft, 0, "", 0, true},
		{"03670", store.StateSubmitted, 1, "plan-2025-0004.1", 0, false},
		{"03673", store.StateNotStarted, 0, "", 0, false},
	}
	var got []row
	for _, u := range ov.Units {
		got = append(got, row{u.Code, u.State, u.Version, u.Receipt, u.DaysLate, u.HasDraft})
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("units:\n got %v\nwant %v", got, want)
	}

	byCode := map[string]store.UnitOverview{}
	for _, u := range ov.Units {
		byCode[u.Code] = u
	}
	snv := byCode["SNV"]
	if snv.Name != "Sở Nội vụ" || snv.Kind != "department" || !snv.FirstSubmittedAt.Equal(ict(2025, 6, 28, 10, 0, 0)) ||
		!snv.LastSubmittedAt.Equal(ict(2025, 7, 2, 9, 0, 0)) || snv.Reason != "Sửa số văn bản" || !snv.Submitted() || snv.Late() {
		t.Errorf("SNV = %+v", snv)
	}
	if c := byCode["03670"]; !c.Due.Equal(ict(2025, 7, 30, 0, 0, 0)) || c.Reason != "" || !c.FirstSubmittedAt.Equal(c.LastSubmittedAt) {
		t.Errorf("03670 = %+v", c)
	}
	if d := byCode["03664"]; !d.DraftUpdatedAt.Equal(ict(2025, 7, 12, 8, 0, 0)) || d.DraftAnswers != 1 || d.Submitted() || d.Late() {
		t.Errorf("03664 = %+v", d)
	}
	if d := byCode["STC"]; !d.Late() || d.Submitted() || d.DraftAnswers != 1 {
		t.Errorf("STC = %+v", d)
	}

	wantCounts := []store.KindCount{
		{Kind: "department", Total: 4, Submitted: 2, OnTime: 1, SubmittedLate: 1, Amended: 1, Overdue: 2, Drafting: 1},
		{Kind: "commune", Total: 3, Submitted: 1, OnTime: 1, Drafting: 1},
		{Kind: "party"},
	}
	if fmt.Sprint(ov.ByKind) != fmt.Sprint(wantCounts) {
		t.Errorf("by kind:\n got %+v\nwant %+v", ov.ByKind, wantCounts)
	}
	if tot := ov.Total; tot.Total != 7 || tot.Submitted != 3 || tot.SubmittedLate != 1 || tot.Overdue != 2 || tot.Amended != 1 || tot.Drafting != 2 {
		t.Errorf("total = %+v", tot)
	}
}

// An official reads the late units by kind of unit, in the order the
// kinds were given: in each kind the units still missing first, then those
// that submitted late, the most days late first (UBDT before SYT although
// its code comes after).
func TestPeriodOverview_LateUnitsByKind(t *testing.T) {
	db, u := overviewDB(t)
	ctx := context.Background()
	if _, _, err := db.UpsertUnits(ctx, []store.Unit{{Code: "UBDT", Name: "Ban Dân tộc", Kind: "department"}}, "admin", ict(2025, 6, 1, 8, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveDraftAnswer(ctx, answer("UBDT", "doc_number", `{"type":"text","text":"1/KH-BDT"}`, 0, u, ict(2025, 7, 9, 8, 0, 0))); err != nil {
		t.Fatal(err)
	}
	submit(t, db, "UBDT", ict(2025, 6, 30, 0, 0, 0), ict(2025, 7, 9, 9, 0, 0), u, "")
	kinds := []store.KindDue{
		{Kind: "commune", Due: ict(2025, 7, 30, 0, 0, 0)},
		{Kind: "party", Due: ict(2025, 6, 30, 0, 0, 0)},
		{Kind: "department", Due: ict(2025, 6, 30, 0, 0, 0)},
	}
	ov, err := db.PeriodOverview(ctx, "plan-2025", kinds, ict(2025, 8, 5, 9, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range ov.LateByKind() {
		line := g.Kind + ":"
		for _, u := range g.Units {
			line += fmt.Sprintf(" %s/%d", u.Code, u.DaysLate)
		}
		got = append(got, line)
	}
	want := []string{
		"commune: 03664/6 03673/6",
		"department: SKHCN/36 STC/36 UBDT/9 SYT/3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("late by kind:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestGroupByKind_OrderGivenThenOthers(t *testing.T) {
	units := []store.UnitOverview{{Code: "A", Kind: "enterprise"}, {Code: "B", Kind: "department"}, {Code: "C", Kind: "village"}, {Code: "D", Kind: "department"}}
	var got []string
	for _, g := range store.GroupByKind(units, []string{"department", "commune", "enterprise"}) {
		line := g.Kind + ":"
		for _, u := range g.Units {
			line += " " + u.Code
		}
		got = append(got, line)
	}
	if want := "department: B D|enterprise: A|village: C"; strings.Join(got, "|") != want {
		t.Errorf("groups %q; want %q", strings.Join(got, "|"), want)
	}
}

func TestKindUnits_CutNeverLeavesOutOne(t *testing.T) {
	g := store.KindUnits{Kind: "commune"}
	for i := range 13 {
		g.Units = append(g.Units, store.UnitOverview{Code: fmt.Sprint(i)})
	}
	for _, c := range []struct{ limit, shown, more int }{
		{10, 10, 3}, {11, 11, 2}, {12, 13, 0}, {13, 13, 0}, {20, 13, 0}, {0, 13, 0}, {1, 1, 12},
	} {
		shown, more := g.Cut(c.limit)
		if len(shown) != c.shown || more != c.more || len(shown) > 0 && shown[0].Code != "0" {
			t.Errorf("Cut(%d) of 13: %d shown, %d more; want %d and %d", c.limit, len(shown), more, c.shown, c.more)
		}
	}
}

// On the due day a report not in is not yet late; from 00:00 the next day
// in Sơn La it is, one day.
func TestPeriodOverview_OverdueFromTheDayAfterTheDueDate(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	kinds := []store.KindDue{{Kind: "department", Due: ict(2025, 6, 30, 0, 0, 0)}}
	for _, c := range []struct {
		now   time.Time
		state store.ReportState
		late  int
	}{
		{ict(2025, 6, 30, 23, 59, 59), store.StateNotStarted, 0},
		{ict(2025, 7, 1, 0, 0, 0), store.StateOverdue, 1},
		{ict(2025, 7, 11, 7, 0, 0), store.StateOverdue, 11},
	} {
		ov, err := db.PeriodOverview(ctx, "plan-2025", kinds, c.now)
		if err != nil {
			t.Fatal(err)
		}
		if len(ov.Units) != 1 || ov.Units[0].State != c.state || ov.Units[0].DaysLate != c.late {
			t.Errorf("at %v: %+v; want %s, %d days late", c.now, ov.Units, c.state, c.late)
		}
	}
}

func TestPeriodOverview_AnotherPeriodAndNoKinds(t *testing.T) {
	db, _ := overviewDB(t)
	ctx := context.Background()
	kinds := []store.KindDue{{Kind: "department", Due: ict(2025, 11, 10, 0, 0, 0)}}
	ov, err := db.PeriodOverview(ctx, "annual-2025", kinds, ict(2025, 10, 5, 8, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ov.Units {
		if u.State != store.StateNotStarted || u.HasDraft || u.Version != 0 {
			t.Errorf("plan-2025's records leak into annual-2025: %+v", u)
		}
	}
	if len(ov.Units) != 4 || ov.Total.Total != 4 || ov.Total.Submitted != 0 {
		t.Errorf("annual-2025: %d units, total %+v", len(ov.Units), ov.Total)
	}
	ov, err = db.PeriodOverview(ctx, "plan-2025", nil, ict(2025, 7, 15, 8, 0, 0))
	if err != nil || len(ov.Units) != 0 || len(ov.ByKind) != 0 {
		t.Errorf("no kinds: %+v, %v", ov, err)
	}
}

func TestPeriodReportVersions_EveryVersionByUnitThenVersion(t *testing.T) {
	db, u := overviewDB(t)
	vs, err := db.PeriodReportVersions(context.Background(), "plan-2025")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, fmt.Sprintf("%s v%d %s late=%d %q", v.UnitCode, v.Version, v.Receipt, v.DaysLate, v.Reason))
		if v.SubmittedBy != u || v.FormID != "plan-2025" || v.FormVersion != 1 || !strings.Contains(string(v.Answers), "doc_number") {
			t.Errorf("version %+v", v)
		}
	}
	want := []string{
		`03670 v1 plan-2025-0004.1 late=0 ""`,
		`DN1 v1 plan-2025-0001.1 late=0 ""`,
		`SNV v1 plan-2025-0002.1 late=0 ""`,
		`SNV v2 plan-2025-0002.2 late=2 "Sửa số văn bản"`,
		`SYT v1 plan-2025-0003.1 late=3 ""`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("versions:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(string(vs[3].Answers), "2/KH-SNV") || !strings.Contains(string(vs[2].Answers), "1/KH-SNV") {
		t.Errorf("SNV's versions keep their own answers: %s / %s", vs[2].Answers, vs[3].Answers)
	}
}

// The province's scale: 300 units of every kind, two thirds submitted (a
// tenth of them amended), a tenth drafting.
func BenchmarkPeriodOverview(b *testing.B) {
	db := storetest.NewDB(b)
	ctx := context.Background()
	kinds := []string{"party", "department", "armed", "front", "public_service", "commune", "enterprise"}
	var units []store.Unit
	for i := range 300 {
		units = append(units, store.Unit{Code: fmt.Sprintf("U%03d", i), Name: fmt.Sprintf("Đơn vị số %d", i), Kind: kinds[i%len(kinds)]})
	}
	at := ict(2025, 6, 1, 8, 0, 0)
	if _, _, err := db.UpsertUnits(ctx, units, "admin", at); err != nil {
		b.Fatal(err)
	}
	if err := db.RecordForm(ctx, store.StoredForm{ID: "plan-2025", Version: 1, Hash: "h1", Content: []byte("id: plan-2025"), RecordedAt: at}); err != nil {
		b.Fatal(err)
	}
	due := ict(2025, 6, 30, 0, 0, 0)
	for i, u := range units {
		if i%10 == 9 {
			continue
		}
		d, err := db.SaveDraftAnswer(ctx, answer(u.Code, "doc_number", `{"type":"text","text":"1/KH"}`, 0, 0, at))
		if err != nil {
			b.Fatal(err)
		}
		if i%3 == 2 {
			continue // drafting
		}
		if _, err := db.SubmitReport(ctx, store.Submission{UnitCode: u.Code, PeriodID: "plan-2025", Seen: d.Version, Due: due, At: ict(2025, 6, 20+i%20, 9, 0, 0)}); err != nil {
			b.Fatal(err)
		}
		if i%10 == 0 {
			d, err := db.SaveDraftAnswer(ctx, answer(u.Code, "doc_number", `{"type":"text","text":"2/KH"}`, 0, 0, at))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.SubmitReport(ctx, store.Submission{UnitCode: u.Code, PeriodID: "plan-2025", Seen: d.Version, Due: due, At: ict(2025, 7, 20, 9, 0, 0), Reason: "sửa"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	var kd []store.KindDue
	for _, k := range kinds {
		kd = append(kd, store.KindDue{Kind: k, Due: due})
	}
	now := ict(2025, 7, 25, 9, 0, 0)
	b.ResetTimer()
	for b.Loop() {
		ov, err := db.PeriodOverview(ctx, "plan-2025", kd, now)
		if err != nil || len(ov.Units) != 300 {
			b.Fatalf("%d units, %v", len(ov.Units), err)
		}
	}
}
