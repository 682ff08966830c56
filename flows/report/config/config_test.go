package config_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"hocvuso/flows/report/config"
)

func embedded(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Embedded()
	if err != nil {
		t.Fatalf("the embedded configuration does not load:\n%v", err)
	}
	return c
}

func ict(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, config.Location)
}

func TestEmbedded_Loads(t *testing.T) {
	c := embedded(t)
	if len(c.Periods) == 0 || len(c.Forms) == 0 {
		t.Fatalf("%d periods, %d forms", len(c.Periods), len(c.Forms))
	}
}

func TestEmbedded_EveryPeriodsFormExists(t *testing.T) {
	c := embedded(t)
	for _, p := range c.Periods {
		f, ok := c.Form(p.FormID, p.FormVersion)
		if !ok || c.PeriodForm(p) != f {
			t.Errorf("period %s: form %s v%d missing", p.ID, p.FormID, p.FormVersion)
			continue
		}
		// Every kind the period applies to has fields to fill in.
		for _, k := range p.Kinds {
			if len(f.FieldsFor(k)) == 0 {
				t.Errorf("period %s: form %s asks nothing of %s", p.ID, f.ID, k)
			}
		}
	}
}

// The deadlines of sections V and VI.1 of Decision 1470/QĐ-UBND.
func TestEmbedded_DeadlinesOfTheDecision(t *testing.T) {
	c := embedded(t)
	day := func(y int, m time.Month, d int) time.Time { return ict(y, m, d, 0, 0, 0) }
	plan, ok := c.Period("plan-2025")
	if !ok {
		t.Fatal("no plan-2025 period")
	}
	for _, k := range config.Kinds {
		if !plan.AppliesTo(k) {
			t.Errorf("plan-2025 does not apply to %s", k)
		}
		want := day(2025, 6, 30)
		if k == config.KindCommune {
			want = day(2025, 7, 30)
		}
		if got := plan.DueFor(k); !got.Equal(want) {
			t.Errorf("plan-2025 due for %s = %v; want %v", k, got, want)
		}
	}
	if plan.Provisional {
		t.Error("plan-2025's dates are the decision's: not provisional")
	}
	for y := 2025; y <= 2030; y++ {
		id := "annual-" + strconv.Itoa(y)
		p, ok := c.Period(id)
		if !ok {
			t.Errorf("no %s period", id)
			continue
		}
		if !p.Due.Equal(day(y, 11, 10)) || len(p.DueByKind) != 0 || len(p.Kinds) != len(config.Kinds) || p.Provisional {
			t.Errorf("%s: due %v by kind %v kinds %v provisional %v; want 10/11/%d for every kind", id, p.Due, p.DueByKind, p.Kinds, p.Provisional, y)
		}
		if p.FormID != "annual" {
			t.Errorf("%s uses form %s", id, p.FormID)
		}
	}
	for _, r := range []struct {
		id   string
		year int
	}{{"review-2027", 2027}, {"review-2030", 2030}} {
		p, ok := c.Period(r.id)
		if !ok {
			t.Errorf("no %s period", r.id)
			continue
		}
		if p.Due.Year() != r.year || !p.Provisional || p.Note.VI == "" || p.FormID != "review" {
			t.Errorf("%s: due %v provisional %v note %q form %s; want a provisional date in %d with a note", r.id, p.Due, p.Provisional, p.Note.VI, p.FormID, r.year)
		}
	}
}

// The forms cover "general", the content areas of section III.2 (đ is "dd")
// and the annexes, in that order.
func TestEmbedded_FormsCoverTheContentAreas(t *testing.T) {
	c := embedded(t)
	want := []string{"general", "a", "b", "c", "d", "dd", "e", "f", "g"}
	for _, f := range c.Forms {
		var keys []string
		for _, s := range f.Sections {
			keys = append(keys, s.Key)
		}
		if !slices.Equal(keys[:len(want)], want) || keys[len(keys)-1] != "annex" {
			t.Errorf("form %s v%d sections %v; want %v first and annex last", f.ID, f.Version, keys, want)
		}
		hasFile := false
		for _, fl := range f.Fields() {
			if fl.Type == config.TypeFile && fl.Required {
				hasFile = true
			}
		}
		if !hasFile {
			t.Errorf("form %s v%d does not ask for the signed document", f.ID, f.Version)
		}
	}
}

// The annual form holds the metrics of domain-research §4 and the usual
// narrative sections, with every field type among the forms.
func TestEmbedded_AnnualFormHoldsTheMetrics(t *testing.T) {
	c := embedded(t)
	f, ok := c.LatestForm("annual")
	if !ok {
		t.Fatal("no annual form")
	}
	for key, typ := range map[string]config.Type{
		"b_staff_skills_pct":              config.TypePercent,
		"b_adults_vneid":                  config.TypeNumber,
		"b_classes":                       config.TypeNumber,
		"b_participants":                  config.TypeNumber,
		"b_community_teams":               config.TypeNumber,
		"b_community_members":             config.TypeNumber,
		"dd_full_online_procedures_pct":   config.TypePercent,
		"dd_records_processed_online_pct": config.TypePercent,
		"dd_signed_documents_pct":         config.TypePercent,
		"results":                         config.TypeLongText,
		"limitations":                     config.TypeLongText,
		"causes":                          config.TypeLongText,
		"proposals":                       config.TypeLongText,
		"initiatives":                     config.TypeLongText,
		"reward_proposals":                config.TypeLongText,
		"signed_report":                   config.TypeFile,
	} {
		fl, ok := f.Field(key)
		if !ok || fl.Type != typ {
			t.Errorf("annual: field %s missing or not a %s", key, typ)
		}
	}
	types := map[config.Type]bool{}
	for _, form := range c.Forms {
		for _, fl := range form.Fields() {
			types[fl.Type] = true
		}
	}
	for _, typ := range config.Types {
		if !types[typ] {
			t.Errorf("no shipped form uses the %s type", typ)
		}
	}
	// Communes are asked about residents, enterprises are not.
	commune, enterprise := f.FieldsFor(config.KindCommune), f.FieldsFor(config.KindEnterprise)
	has := func(fs []*config.Field, key string) bool {
		return slices.ContainsFunc(fs, func(f *config.Field) bool { return f.Key == key })
	}
	if !has(commune, "b_adults_vneid") || has(enterprise, "b_adults_vneid") || has(enterprise, "dd_signed_documents_pct") {
		t.Error("field kinds: communes must be asked about VNeID, enterprises not, nor about signed documents")
	}
}

// A shipped form version never changes: drafts and reports were made with
// it. Changing one is a new file with the next version; add its hash here.
// (Comments and layout may change: the hash is of the content.)
var shipped = map[string]string{
	"annual v1":    "2221002667ce6ffd",
	"plan-2025 v1": "4702001e87ceb647",
	"review v1":    "85502b12f5679fd6",
	"annual v2":    "0cb965638647984a",
	"review v2":    "2359d2e66d68e105",
}

func TestEmbedded_ShippedFormsNeverChange(t *testing.T) {
	c := embedded(t)
	seen := map[string]bool{}
	for _, f := range c.Forms {
		name := f.ID + " v" + strconv.Itoa(f.Version)
		seen[name] = true
		want, ok := shipped[name]
		if !ok {
			t.Errorf("form %s (%s) is new: add \"%s\": %q to shipped", name, f.File, name, f.Hash)
			continue
		}
		if f.Hash != want {
			t.Errorf("form %s (%s) changed (hash %s, shipped %s): put the change in a new version instead, forms/%s.v%d.yaml",
				name, f.File, f.Hash, want, f.ID, f.Version+1)
		}
	}
	for name := range shipped {
		if !seen[name] {
			t.Errorf("shipped form %s is gone: drafts and reports made with it cannot load", name)
		}
	}
}

// The stored content of a form loads back to the same form.
func TestEmbedded_FormContentLoadsBack(t *testing.T) {
	c := embedded(t)
	for _, f := range c.Forms {
		back, err := config.ParseForm(config.File{Name: "stored", Data: f.Content})
		if err != nil {
			t.Fatalf("%s: %v", f.File, err)
		}
		if back.Hash != f.Hash || back.ID != f.ID || back.Version != f.Version {
			t.Errorf("%s loads back as %s v%d %s", f.File, back.ID, back.Version, back.Hash)
		}
	}
}

// Deadlines are dates in Asia/Ho_Chi_Minh: 23:59:59 on the due date is on
// time, 00:00 the next day is one day late, whatever the zone of the clock.
func TestPeriod_LatenessAtTheDayBoundaryInHoChiMinh(t *testing.T) {
	c := embedded(t)
	p, _ := c.Period("plan-2025")
	cases := []struct {
		kind config.Kind
		at   time.Time
		late int
		left int
	}{
		{config.KindDepartment, ict(2025, 6, 30, 23, 59, 59), 0, 0},
		{config.KindDepartment, ict(2025, 7, 1, 0, 0, 0), 1, -1},
		{config.KindDepartment, ict(2025, 6, 29, 12, 0, 0), 0, 1},
		// 17:30 UTC on 30 June is 00:30 on 1 July in Sơn La: late.
		{config.KindDepartment, time.Date(2025, 6, 30, 17, 30, 0, 0, time.UTC), 1, -1},
		// 16:59 UTC on 30 June is 23:59 in Sơn La: on time.
		{config.KindDepartment, time.Date(2025, 6, 30, 16, 59, 0, 0, time.UTC), 0, 0},
		// Communes have until 30 July.
		{config.KindCommune, ict(2025, 7, 1, 0, 0, 0), 0, 29},
		{config.KindCommune, ict(2025, 7, 31, 8, 0, 0), 1, -1},
		{config.KindCommune, ict(2025, 8, 30, 8, 0, 0), 31, -31},
	}
	for _, tc := range cases {
		if got := p.DaysLate(tc.kind, tc.at); got != tc.late {
			t.Errorf("DaysLate(%s, %v) = %d; want %d", tc.kind, tc.at, got, tc.late)
		}
		if got := p.DaysLeft(tc.kind, tc.at); got != tc.left {
			t.Errorf("DaysLeft(%s, %v) = %d; want %d", tc.kind, tc.at, got, tc.left)
		}
	}
	if got, want := p.DeadlineFor(config.KindCommune), ict(2025, 7, 31, 0, 0, 0); !got.Equal(want) {
		t.Errorf("DeadlineFor(commune) = %v; want %v", got, want)
	}
}

func TestConfig_PeriodsForAKindOpenAtATime(t *testing.T) {
	c := embedded(t)
	ids := func(ps []*config.Period) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	if got := ids(c.PeriodsFor(config.KindCommune, ict(2025, 6, 20, 23, 59, 59))); len(got) != 0 {
		t.Errorf("before the decision: %v open", got)
	}
	if got := ids(c.PeriodsFor(config.KindCommune, ict(2025, 6, 21, 0, 0, 0))); !slices.Equal(got, []string{"plan-2025"}) {
		t.Errorf("on 21/6/2025: %v; want [plan-2025]", got)
	}
	if got := ids(c.PeriodsFor(config.KindEnterprise, ict(2025, 10, 1, 0, 0, 0))); !slices.Equal(got, []string{"plan-2025", "annual-2025"}) {
		t.Errorf("on 1/10/2025: %v; want [plan-2025 annual-2025]", got)
	}
	if got := c.PeriodsFor(config.KindDepartment, ict(2031, 1, 1, 0, 0, 0)); len(got) != len(c.Periods) {
		t.Errorf("in 2031 %d of %d periods are open", len(got), len(c.Periods))
	}
}

func TestKinds(t *testing.T) {
	if len(config.Kinds) != 7 {
		t.Errorf("%d kinds; section II.1.a lists 7 collectives", len(config.Kinds))
	}
	for _, k := range config.Kinds {
		if !k.Valid() || k.NameID() != "report.kind."+string(k) {
			t.Errorf("kind %q", k)
		}
	}
	if config.Kind("village").Valid() || config.Kind("").Valid() {
		t.Error("unknown kinds are valid")
	}
}
