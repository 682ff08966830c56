package config_test

import (
	"errors"
	"strings"
	"testing"

	"hocvuso/flows/report/config"
)

// A small valid configuration; the tests below break one thing at a time.
const okPeriods = `periods:
  - id: p1
    name: {vi: "Kỳ một", en: "Period one"}
    opens_at: 2025-06-21
    due: 2025-06-30
    due_by_kind:
      commune: 2025-07-30
    kinds: [department, commune]
    form: f
    form_version: 1
`

const okForm = `id: f
version: 1
title: {vi: "Biểu mẫu", en: "Form"}
sections:
  - key: general
    title: {vi: "Thông tin chung", en: "General"}
    fields:
      - key: n
        type: number
        label: {vi: "Số lớp", en: "Classes"}
        help: {vi: "Nhập một số.", en: "Type a number."}
      - key: pct
        type: percent
        required: true
        label: {vi: "Tỉ lệ", en: "Share"}
        help: {vi: "Từ 0 đến 100.", en: "0 to 100."}
      - key: pick
        type: choice
        label: {vi: "Chọn", en: "Pick"}
        help: {vi: "Chọn một.", en: "Pick one."}
        options:
          - key: a
            label: {vi: "Một", en: "One"}
          - key: b
            label: {vi: "Hai", en: "Two"}
`

func load(t *testing.T, files ...config.File) (*config.Config, error) {
	t.Helper()
	return config.Load(files...)
}

func TestLoad_TheSmallConfigurationLoads(t *testing.T) {
	c, err := load(t, config.File{Name: "periods.yaml", Data: []byte(okPeriods)}, config.File{Name: "forms/f.v1.yaml", Data: []byte(okForm)})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := c.Form("f", 1)
	if !ok {
		t.Fatal("form f v1 missing")
	}
	n, _ := f.Field("n")
	if n.Min != "0" || n.Max != "" || n.Decimals != 0 {
		t.Errorf("number defaults: min %q max %q decimals %d; want 0, none, 0", n.Min, n.Max, n.Decimals)
	}
	pct, _ := f.Field("pct")
	if pct.Min != "0" || pct.Max != "100" || pct.Decimals != config.DefaultPercentDec {
		t.Errorf("percent defaults: min %q max %q decimals %d; want 0, 100, %d", pct.Min, pct.Max, pct.Decimals, config.DefaultPercentDec)
	}
}

// Each broken file is refused with the file, the line and the field at fault.
func TestLoad_BrokenFilesAreRejectedWithTheirLine(t *testing.T) {
	type file struct{ name, data string }
	periods := func(s string) file { return file{"periods.yaml", s} }
	form := func(s string) file { return file{"forms/f.v1.yaml", s} }
	cases := []struct {
		name  string
		files []file
		want  string // "file:line: ..." substring
	}{
		{"unknown field in a field", []file{periods(okPeriods), form(strings.Replace(okForm, "      - key: n\n", "      - key: n\n        colour: red\n", 1))},
			`forms/f.v1.yaml:9: form "f" v1: field "n": field colour: unknown field`},
		{"misspelt key of the form", []file{periods(okPeriods), form(strings.Replace(okForm, "title:", "titel:", 1))},
			`forms/f.v1.yaml:3: form "f" v1: field titel: unknown field`},
		{"unknown type", []file{periods(okPeriods), form(strings.Replace(okForm, "type: number", "type: integer", 1))},
			`forms/f.v1.yaml:9: form "f" v1: field "n": field type: "integer" is not a field type`},
		{"a key given twice", []file{periods(okPeriods), form(strings.Replace(okForm, "key: pct", "key: n", 1))},
			`forms/f.v1.yaml:12: form "f" v1: field "n": field key: field "n" is already defined at line 8`},
		{"text not NFC", []file{periods(okPeriods), form(strings.Replace(okForm, "Số lớp", "So\u0302\u0301 lớp", 1))},
			`forms/f.v1.yaml:10: form "f" v1: field "n": field label.vi: is not in Unicode NFC`},
		{"label missing its English", []file{periods(okPeriods), form(strings.Replace(okForm, `label: {vi: "Tỉ lệ", en: "Share"}`, `label: {vi: "Tỉ lệ"}`, 1))},
			`forms/f.v1.yaml:15: form "f" v1: field "pct": field label.en: is missing`},
		{"min above max", []file{periods(okPeriods), form(strings.Replace(okForm, "        type: number\n", "        type: number\n        min: 10\n        max: 5\n", 1))},
			`forms/f.v1.yaml:11: form "f" v1: field "n": field max: max 5 must be above min 10`},
		{"a percentage above 100", []file{periods(okPeriods), form(strings.Replace(okForm, "        type: percent\n", "        type: percent\n        max: 120\n", 1))},
			`forms/f.v1.yaml:14: form "f" v1: field "pct": field max: a percentage cannot be above 100`},
		{"a bound written as text", []file{periods(okPeriods), form(strings.Replace(okForm, "        type: number\n", "        type: number\n        max: 1e6\n", 1))},
			`forms/f.v1.yaml:10: form "f" v1: field "n": field max: "1e6" is not a number written plainly`},
		{"a bound on a choice", []file{periods(okPeriods), form(strings.Replace(okForm, "        type: choice\n", "        type: choice\n        max: 3\n", 1))},
			`forms/f.v1.yaml:19: form "f" v1: field "pick": field max: is not allowed for a choice field`},
		{"text too long allowed", []file{periods(okPeriods), form(strings.Replace(okForm, "        type: number\n", "        type: text\n        max_length: 9000\n", 1))},
			`forms/f.v1.yaml:10: form "f" v1: field "n": field max_length: 9000 is out of range: give 1 to 500`},
		{"two options reading the same", []file{periods(okPeriods), form(strings.Replace(okForm, `{vi: "Hai", en: "Two"}`, `{vi: "MỘT", en: "Two"}`, 1))},
			`forms/f.v1.yaml:24: form "f" v1: field "pick": field options[1].label: reads the same as option 0`},
		{"an option labelled with a bare number", []file{periods(okPeriods), form(strings.Replace(okForm, `{vi: "Hai", en: "Two"}`, `{vi: "2", en: "Two"}`, 1))},
			`forms/f.v1.yaml:24: form "f" v1: field "pick": field options[1].label.vi: a label cannot be a bare number`},
		{"a choice with one option", []file{periods(okPeriods), form(strings.Split(okForm, "          - key: b")[0])},
			`forms/f.v1.yaml:22: form "f" v1: field "pick": field options: has 1 options; a choice needs 2 to 12`},
		{"a file field without accept", []file{periods(okPeriods), form(strings.Replace(okForm, "        type: number\n", "        type: file\n", 1))},
			`forms/f.v1.yaml:8: form "f" v1: field "n": field accept: is missing`},
		{"a field kind that does not exist", []file{periods(okPeriods), form(strings.Replace(okForm, "        type: number\n", "        type: number\n        kinds: [ministry]\n", 1))},
			`forms/f.v1.yaml:10: form "f" v1: field "n": field kinds[0]: "ministry" is not a kind of unit`},
		{"an alias", []file{periods(okPeriods), form(strings.Replace(strings.Replace(okForm, `label: {vi: "Số lớp", en: "Classes"}`, `label: &l {vi: "Số lớp", en: "Classes"}`, 1), `label: {vi: "Tỉ lệ", en: "Share"}`, `label: *l`, 1))},
			`forms/f.v1.yaml:15: form "f" v1: field "pct": field label: anchors and aliases`},
		{"not YAML", []file{periods(okPeriods), form(okForm + "  - key: [\n")},
			`forms/f.v1.yaml:26: not valid YAML`},
		{"two documents", []file{periods(okPeriods), form(okForm + "---\nid: g\n")},
			`forms/f.v1.yaml:26: only one YAML document`},
		{"a file named after another version", []file{periods(okPeriods), {"forms/f.v2.yaml", okForm}},
			`forms/f.v2.yaml:1: form "f" v1: the file must be named f.v1.yaml`},
		{"a version missing", []file{periods(okPeriods), form(okForm), {"forms/f.v3.yaml", strings.Replace(okForm, "version: 1", "version: 3", 1)}},
			`forms/f.v3.yaml:1: form "f" v3: field version: version 2 is missing`},
		{"a period's form does not exist", []file{periods(strings.Replace(okPeriods, "form_version: 1", "form_version: 2", 1)), form(okForm)},
			`periods.yaml:9: period "p1": field form: form "f" version 2 does not exist`},
		{"a due date before the opening", []file{periods(strings.Replace(okPeriods, "due: 2025-06-30", "due: 2025-06-01", 1)), form(okForm)},
			`periods.yaml:5: period "p1": field due: 2025-06-01 is before opens_at 2025-06-21`},
		{"a date that is not one", []file{periods(strings.Replace(okPeriods, "due: 2025-06-30", "due: 30/6/2025", 1)), form(okForm)},
			`periods.yaml:5: period "p1": field due: "30/6/2025" is not a date written like 2025-06-30`},
		{"a day that does not exist", []file{periods(strings.Replace(okPeriods, "due: 2025-06-30", "due: 2025-06-31", 1)), form(okForm)},
			`periods.yaml:5: period "p1": field due: "2025-06-31" is not a date`},
		{"a kind that does not exist", []file{periods(strings.Replace(okPeriods, "kinds: [department, commune]", "kinds: [department, village]", 1)), form(okForm)},
			`periods.yaml:8: period "p1": field kinds[1]: "village" is not a kind of unit`},
		{"a due date for a kind outside the period", []file{periods(strings.Replace(okPeriods, "kinds: [department, commune]", "kinds: [department]", 1)), form(okForm)},
			`periods.yaml:7: period "p1": field due_by_kind.commune: "commune" is not one of the period's kinds`},
		{"a provisional period without a note", []file{periods(strings.Replace(okPeriods, "    form_version: 1\n", "    form_version: 1\n    provisional: true\n", 1)), form(okForm)},
			`periods.yaml:2: period "p1": field note: a provisional period needs a note`},
		{"a period id twice", []file{periods(okPeriods + strings.TrimPrefix(okPeriods, "periods:\n")), form(okForm)},
			`periods.yaml:11: period "p1": field id: already used at periods.yaml:2`},
		{"a required field missing", []file{periods(strings.Replace(okPeriods, "    form: f\n", "", 1)), form(okForm)},
			`periods.yaml:2: period "p1": field form: is missing`},
		{"no periods file", []file{form(okForm)},
			`(config): no periods file`},
		{"not UTF-8", []file{periods(okPeriods), form(strings.Replace(okForm, "Hai", "H\xffi", 1))},
			`forms/f.v1.yaml:25: the file is not UTF-8 text`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := make([]config.File, len(tc.files))
			for i, f := range tc.files {
				files[i] = config.File{Name: f.name, Data: []byte(f.data)}
			}
			c, err := config.Load(files...)
			if err == nil {
				t.Fatalf("loaded; want an error containing %q", tc.want)
			}
			if c != nil {
				t.Error("a configuration was returned with the error")
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is a %T, not a *config.Error: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

// A field may go without help (the flow says how to answer its type and
// that it is optional); a help given is still whole: both languages, not
// empty.
func TestLoad_HelpIsOptionalButWholeWhenGiven(t *testing.T) {
	noHelp := strings.Replace(okForm, "        help: {vi: \"Nhập một số.\", en: \"Type a number.\"}\n", "", 1)
	c, err := config.Load(config.File{Name: "periods.yaml", Data: []byte(okPeriods)}, config.File{Name: "forms/f.v1.yaml", Data: []byte(noHelp)})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := c.Form("f", 1)
	if n, _ := f.Field("n"); n.Help != (config.Text{}) {
		t.Errorf("help of n = %+v; want none", n.Help)
	}
	if pct, _ := f.Field("pct"); pct.Help.VI != "Từ 0 đến 100." {
		t.Errorf("help of pct = %+v", pct.Help)
	}
	for _, tc := range []struct{ name, help, want string }{
		{"half a help", `help: {vi: "Nhập một số."}`, `forms/f.v1.yaml:11: form "f" v1: field "n": field help.en: is missing`},
		{"an empty help", `help: {vi: "", en: ""}`, `field "n": field help.vi: is empty`},
	} {
		broken := strings.Replace(okForm, `help: {vi: "Nhập một số.", en: "Type a number."}`, tc.help, 1)
		_, err := config.Load(config.File{Name: "periods.yaml", Data: []byte(okPeriods)}, config.File{Name: "forms/f.v1.yaml", Data: []byte(broken)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// Every problem is reported at once, not only the first.
func TestLoad_ReportsEveryProblem(t *testing.T) {
	broken := strings.NewReplacer("type: number", "type: integer", `en: "Share"`, `en: ""`).Replace(okForm)
	_, err := config.Load(config.File{Name: "periods.yaml", Data: []byte(okPeriods)}, config.File{Name: "forms/f.v1.yaml", Data: []byte(broken)})
	var ce *config.Error
	if !errors.As(err, &ce) || len(ce.Problems) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
	if ce.Problems[0].Line != 9 || ce.Problems[1].Line != 15 || ce.Problems[1].Field != "label.en" {
		t.Errorf("problems = %+v", ce.Problems)
	}
}

// ParseForm reads a form alone whatever its name, as stored with a report.
func TestParseForm_ReadsAStoredForm(t *testing.T) {
	f, err := config.ParseForm(config.File{Name: "stored f v1", Data: []byte(okForm)})
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != "f" || f.Version != 1 || len(f.Fields()) != 3 || f.Hash == "" {
		t.Errorf("ParseForm = %s v%d, %d fields, hash %q", f.ID, f.Version, len(f.Fields()), f.Hash)
	}
	if _, err := config.ParseForm(config.File{Name: "periods", Data: []byte(okPeriods)}); err == nil {
		t.Error("a periods file was taken as a form")
	}
	// Comments and layout do not change the hash; content does.
	again, err := config.ParseForm(config.File{Name: "x", Data: []byte("# a comment\n" + okForm)})
	if err != nil || again.Hash != f.Hash {
		t.Errorf("hash with a comment = %q (%v); want %q", again.Hash, err, f.Hash)
	}
	changed, err := config.ParseForm(config.File{Name: "x", Data: []byte(strings.Replace(okForm, "Số lớp", "Số lớp học", 1))})
	if err != nil || changed.Hash == f.Hash {
		t.Errorf("a changed label kept the hash %q (%v)", f.Hash, err)
	}
}
