package config_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"hocvuso/flows/report/config"
	"hocvuso/locales"
)

// Every message an answer can be refused with exists in every language and
// shows every parameter the code gives it, and only those.
func TestMessages_EveryInputErrorRendersInEveryLanguage(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat.OnMissing = func(lang, id string) { t.Errorf("%s/%s is missing from locales/report.%s.yaml", lang, id, lang) }
	const mb = 1 << 20
	errorOf := func(_ any, err error) error { return err }
	produce := map[string]func(lang string) error{
		config.MsgRequired:       func(l string) error { return errorOf(testField(t, "count").Parse("", l)) },
		config.MsgRequiredChoice: func(l string) error { return errorOf(testField(t, "level").Skip()) },
		config.MsgRequiredFile:   func(l string) error { return errorOf(testField(t, "doc").Skip()) },
		config.MsgEmpty:          func(l string) error { return errorOf(testField(t, "score").Parse("", l)) },
		config.MsgNumber:         func(l string) error { return errorOf(testField(t, "count").Parse("abc", l)) },
		config.MsgNumberOnly:     func(l string) error { return errorOf(testField(t, "count").Parse("120 người", l)) },
		config.MsgNumberNone:     func(l string) error { return errorOf(testField(t, "count").Parse("không", l)) },
		config.MsgNumberNoneSkip: func(l string) error { return errorOf(testField(t, "score").Parse("không có", l)) },
		config.MsgNumberInteger:  func(l string) error { return errorOf(testField(t, "count").Parse("1,5", l)) },
		config.MsgNumberDecimals: func(l string) error { return errorOf(testField(t, "score").Parse("0,125", l)) },
		config.MsgNumberMin:      func(l string) error { return errorOf(testField(t, "open").Parse("-1", l)) },
		config.MsgNumberRange:    func(l string) error { return errorOf(testField(t, "count").Parse("-1", l)) },
		config.MsgPercent:        func(l string) error { return errorOf(testField(t, "pct").Parse("101", l)) },
		config.MsgYesNo:          func(l string) error { return errorOf(testField(t, "yn").Parse("?", l)) },
		config.MsgChoice:         func(l string) error { return errorOf(testField(t, "level").Parse("9", l)) },
		config.MsgDate:           func(l string) error { return errorOf(testField(t, "day").Parse("hôm nay", l)) },
		config.MsgDateUnreal:     func(l string) error { return errorOf(testField(t, "day").Parse("31/2/2025", l)) },
		config.MsgDateMin: func(l string) error {
			f := *testField(t, "day_2025")
			f.MaxDate = ""
			return errorOf(f.Parse("1/1/2000", l))
		},
		config.MsgDateMax: func(l string) error {
			f := *testField(t, "day_2025")
			f.MinDate = ""
			return errorOf(f.Parse("1/1/2030", l))
		},
		config.MsgDateRange:    func(l string) error { return errorOf(testField(t, "day_2025").Parse("1/1/2030", l)) },
		config.MsgTextTooLong:  func(l string) error { return errorOf(testField(t, "name").Parse(strings.Repeat("a", 20), l)) },
		config.MsgTextNoWords:  func(l string) error { return errorOf(testField(t, "name").Parse("📄", l)) },
		config.MsgFileExpected: func(l string) error { return errorOf(testField(t, "doc").Parse("văn bản", l)) },
		config.MsgFileType:     func(l string) error { return errorOf(testField(t, "doc").CheckFile("a.exe", "", 10, l)) },
		config.MsgFileTooLarge: func(l string) error { return errorOf(testField(t, "doc").CheckFile("a.pdf", "", 30*mb, l)) },
		config.MsgFileEmpty:    func(l string) error { return errorOf(testField(t, "doc").CheckFile("a.pdf", "", 0, l)) },
		config.MsgFileTooMany: func(l string) error {
			f := testField(t, "doc")
			v := config.Value{}
			var err error
			for i := range 3 {
				v, err = f.AddFile(v, config.FileRef{SHA256: fmt.Sprint(i), Kind: config.FilePDF})
			}
			return err
		},
	}
	for _, id := range config.Messages {
		if produce[id] == nil {
			t.Errorf("%s: no test produces it", id)
		}
	}
	for id, fn := range produce {
		if !slices.Contains(config.Messages, id) {
			t.Errorf("%s is not in config.Messages", id)
		}
		for _, lang := range locales.Languages {
			var ie *config.InputError
			if err := fn(lang); !errors.As(err, &ie) || ie.ID != id {
				t.Errorf("%s/%s: produced %v", lang, id, err)
				continue
			}
			got := cat.Text(lang, id, ie.Params)
			if got == id || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
				t.Errorf("%s/%s renders as %q with %v", lang, id, got, ie.Params)
			}
			for k, v := range ie.Params {
				if !strings.Contains(got, fmt.Sprint(v)) {
					t.Errorf("%s/%s does not show %s=%v: %q", lang, id, k, v, got)
				}
			}
		}
	}
}

func TestMessages_EveryKindHasANameInEveryLanguage(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat.OnMissing = func(lang, id string) { t.Errorf("%s/%s is missing", lang, id) }
	for _, k := range config.Kinds {
		for _, lang := range locales.Languages {
			if got := cat.Text(lang, k.NameID(), nil); got == k.NameID() || got == "" {
				t.Errorf("%s/%s = %q", lang, k.NameID(), got)
			}
		}
	}
	// The percentage message says what the client asked for, word for word.
	if got := cat.Text("vi", config.MsgPercent, map[string]any{"Min": "0", "Max": "100"}); !strings.HasPrefix(got, "Vui lòng nhập một tỉ lệ phần trăm từ 0 đến 100") {
		t.Errorf("vi percent message = %q", got)
	}
}

// Too many decimals is refused with an example, written as the flow writes
// a decimal in the user's language (12,5 in Vietnamese, 12.5 in English),
// that the field takes when typed in that language.
func TestMessages_TooManyDecimalsGivesAnExample(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	example := regexp.MustCompile(`: ([0-9]+[.,][0-9]+)\.?$`)
	fl := testField(t, "score")
	for _, lang := range locales.Languages {
		_, err := fl.Parse("0,125", lang)
		var ie *config.InputError
		if !errors.As(err, &ie) || ie.ID != config.MsgNumberDecimals {
			t.Fatalf("%s: 0,125 gave %v", lang, err)
		}
		got := cat.Text(lang, ie.ID, ie.Params)
		m := example.FindStringSubmatch(got)
		if m == nil {
			t.Errorf("%s: %q gives no example", lang, got)
			continue
		}
		v, err := fl.Parse(m[1], lang)
		if err != nil {
			t.Errorf("%s: the example %s is refused: %v", lang, m[1], err)
			continue
		}
		if shown := fl.Format(v, lang); shown != m[1] {
			t.Errorf("%s: the example %s is shown %s by the flow", lang, m[1], shown)
		}
	}
}
