package config_test

import (
	"errors"
	"slices"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"hocvuso/flows/report/config"
)

// FuzzFieldParse feeds anything a user may type to a field of every type,
// in both languages: Parse never panics; what it takes, the field accepts
// (Check) and Format writes back to the same value; what it refuses, it
// refuses with a catalogue message.
func FuzzFieldParse(f *testing.F) {
	form, err := config.ParseForm(config.File{Name: "test form", Data: []byte(testForm)})
	if err != nil {
		f.Fatal(err)
	}
	fields := form.Fields()
	for _, s := range []string{
		"", " ", "0", "120", "1.234", "1,234", "1.234,5", "1,234.5", "1 234", "-2,5", "−2", ",5", "120.", "85%", "85,5 %",
		"85 phần trăm", "120 lớp", "1e5", "1..2", "99999999999999999999", "có", "KHÔNG", "c", "k", "co\u0301", "1", "số 3",
		"Hoàn thành", "hoan thanh xuat", "30/6/2025", "2025-06-30", "ngày 30 tháng 6 năm 2025", "31/2/2025", "Lò Văn A",
		"Dòng một\r\nDòng hai", "\u200b", "\xff\xfe", "a\x00b", "٣٤٥", "１２３", "1\u00a0234", "ngay 1 thang 1 nam 99",
	} {
		for i := range fields {
			f.Add(i, s, "vi")
			f.Add(i, s, "en")
		}
	}
	f.Fuzz(func(t *testing.T, i int, input, lang string) {
		if i < 0 {
			i = -i
		}
		fl := fields[i%len(fields)]
		v, err := fl.Parse(input, lang)
		if err != nil {
			var ie *config.InputError
			if !errors.As(err, &ie) || !slices.Contains(config.Messages, ie.ID) {
				t.Fatalf("%s: Parse(%q) = %v; want an *InputError with a catalogue message", fl.Key, input, err)
			}
			return
		}
		if v.Type != fl.Type {
			t.Fatalf("%s: Parse(%q) = %+v: type %s", fl.Key, input, v, v.Type)
		}
		if err := fl.Check(v); err != nil {
			t.Fatalf("%s: Parse(%q) = %+v, which Check refuses: %v", fl.Key, input, v, err)
		}
		if !utf8.ValidString(v.Text) || !norm.NFC.IsNormalString(v.Text) {
			t.Fatalf("%s: Parse(%q) text %q is not valid NFC", fl.Key, input, v.Text)
		}
		for _, l := range []string{"vi", "en"} {
			s := fl.Format(v, l)
			if s == "" {
				continue // yes/no: shown from the catalogue
			}
			back, err := fl.Parse(s, l)
			if err != nil || !back.Equal(v) {
				t.Fatalf("%s: Parse(%q) = %+v; Format(%s) = %q reads back as %+v, %v", fl.Key, input, v, l, s, back, err)
			}
		}
	})
}
