package config_test

import (
	"slices"
	"strings"
	"testing"

	"hocvuso/flows/report/config"
)

// Version 2 of okForm: "n" becomes a text, "pick" loses option b, a field
// "extra" is added, "pct" is kept.
var okFormV2 = strings.NewReplacer(
	"version: 1", "version: 2",
	"        type: number\n", "        type: text\n",
	"          - key: b\n            label: {vi: \"Hai\", en: \"Two\"}\n", "          - key: c\n            label: {vi: \"Ba\", en: \"Three\"}\n",
).Replace(okForm) + `      - key: extra
        type: yesno
        required: true
        label: {vi: "Thêm", en: "Extra"}
        help: {vi: "Có hoặc không.", en: "Yes or no."}
`

func twoVersions(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Load(
		config.File{Name: "periods.yaml", Data: []byte(strings.Replace(okPeriods, "form_version: 1", "form_version: 2", 1))},
		config.File{Name: "forms/f.v1.yaml", Data: []byte(okForm)},
		config.File{Name: "forms/f.v2.yaml", Data: []byte(okFormV2)},
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A period moves to a new form version; the old one stays loadable for the
// drafts and reports made with it.
func TestVersions_OldVersionsStayLoadable(t *testing.T) {
	c := twoVersions(t)
	v1, ok1 := c.Form("f", 1)
	v2, ok2 := c.Form("f", 2)
	latest, _ := c.LatestForm("f")
	p, _ := c.Period("p1")
	if !ok1 || !ok2 || latest != v2 || c.PeriodForm(p) != v2 || v1.Hash == v2.Hash {
		t.Fatalf("v1 %v v2 %v latest v%d period form v%d", ok1, ok2, latest.Version, c.PeriodForm(p).Version)
	}
	if fl, _ := v1.Field("n"); fl.Type != config.TypeNumber {
		t.Errorf("v1's n is a %s", fl.Type)
	}
}

// Answers made with v1 move to v2 when the field still takes them; the
// others are named, never silently lost.
func TestVersions_CarryKeepsWhatTheNewVersionAccepts(t *testing.T) {
	c := twoVersions(t)
	v1, _ := c.Form("f", 1)
	v2, _ := c.Form("f", 2)
	parse := func(key, in string) config.Value {
		fl, _ := v1.Field(key)
		v, err := fl.Parse(in, "vi")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	answers := map[string]config.Value{
		"n":    parse("n", "12"),     // now a text: dropped
		"pct":  parse("pct", "85"),   // same: kept
		"pick": parse("pick", "Hai"), // option b is gone: dropped
		"gone": {Type: config.TypeText, Text: "x"},
	}
	kept, dropped := v2.Carry(answers)
	if !slices.Equal(dropped, []string{"gone", "n", "pick"}) {
		t.Errorf("dropped = %v", dropped)
	}
	if len(kept) != 1 || !kept["pct"].Equal(answers["pct"]) {
		t.Errorf("kept = %+v", kept)
	}
	// A choice that still exists is kept.
	answers["pick"] = parse("pick", "Một")
	if kept, _ := v2.Carry(answers); !kept["pick"].Equal(answers["pick"]) {
		t.Errorf("pick a was not kept: %+v", kept)
	}
}

func TestForm_MissingListsRequiredFieldsUnanswered(t *testing.T) {
	c := twoVersions(t)
	v2, _ := c.Form("f", 2)
	keys := func(fs []*config.Field) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Key)
		}
		return out
	}
	if got := keys(v2.Missing(config.KindDepartment, nil)); !slices.Equal(got, []string{"pct", "extra"}) {
		t.Errorf("Missing(nothing) = %v", got)
	}
	pct, _ := v2.Field("pct")
	v, _ := pct.Parse("50%", "vi")
	yes := true
	answers := map[string]config.Value{"pct": v, "extra": {Type: config.TypeYesNo, Yes: &yes}}
	if got := v2.Missing(config.KindDepartment, answers); len(got) != 0 {
		t.Errorf("Missing(all) = %v", keys(got))
	}
	// An answer the field no longer takes counts as missing.
	answers["pct"] = config.Value{Type: config.TypePercent, Number: "150"}
	if got := keys(v2.Missing(config.KindDepartment, answers)); !slices.Equal(got, []string{"pct"}) {
		t.Errorf("Missing(out of range) = %v", got)
	}
}

func TestAnswers_RoundTripAsStored(t *testing.T) {
	yes := true
	in := map[string]config.Value{
		"n":   {Type: config.TypeNumber, Number: "1234.5"},
		"y":   {Type: config.TypeYesNo, Yes: &yes},
		"d":   {Type: config.TypeDate, Date: "2025-06-30"},
		"s":   {Type: config.TypeText, Skipped: true},
		"doc": {Type: config.TypeFile, Files: []config.FileRef{{SHA256: "ab", Name: "a.pdf", Size: 3, Kind: config.FilePDF}}},
	}
	data, err := config.EncodeAnswers(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := config.DecodeAnswers(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d answers back of %d", len(out), len(in))
	}
	for k, v := range in {
		if !out[k].Equal(v) {
			t.Errorf("%s: %+v back as %+v", k, v, out[k])
		}
	}
	if f, ok := out["n"].Float(); !ok || f != 1234.5 {
		t.Errorf("Float = %v %v", f, ok)
	}
	for _, s := range []string{"", "null", "{}"} {
		if got, err := config.DecodeAnswers([]byte(s)); err != nil || got == nil || len(got) != 0 {
			t.Errorf("DecodeAnswers(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := config.DecodeAnswers([]byte("[1]")); err == nil {
		t.Error("a list decoded as answers")
	}
}
