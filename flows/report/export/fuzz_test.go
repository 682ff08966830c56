package export_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"hocvuso/flows/report/config"
)

// Whatever a focal point typed (an answer, a reason) or an admin imported
// (a unit's name), the workbook opens and shows it as typed; characters XML
// cannot hold show as U+FFFD.
func FuzzWrite_TypedTextRoundTrips(f *testing.F) {
	for _, s := range []string{"Kế hoạch số 1", "=SUM(A1:A2)", "_x0008_", "a\x00b", "dòng 1\r\ndòng 2", " lề ", "\uFFFE", "<b>&amp;</b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || len(s) > 3000 {
			t.Skip() // the bot hands on valid UTF-8 only (NFC), and texts are bounded
		}
		d := sample(t)
		d.Units[0].Name = s
		d.Units[0].Reason = s
		d.Versions[2].Answers = answers(t, map[string]config.Value{"summary": {Type: config.TypeText, Text: s}})
		var buf bytes.Buffer
		if err := writeData(&buf, d); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("the file does not open: %v", err)
		}
		defer func() { _ = x.Close() }()
		want := strings.Map(xmlChar, s)
		units, history := open(t, x, "Đơn vị"), open(t, x, "Lịch sử")
		for _, c := range []struct {
			s      sheet
			header string
			row    int
		}{{units, "Tên đơn vị", 2}, {units, "Lý do sửa đổi", 2}, {units, "Trích yếu (summary)", 2}, {history, "Trích yếu (summary)", 4}} {
			if got := c.s.shown(c.header, c.row); got != want {
				t.Errorf("%s %s = %q; want %q", c.s.name, c.header, got, want)
			}
		}
	})
}

// xmlChar maps what XML 1.0 cannot hold to U+FFFD.
func xmlChar(r rune) rune {
	if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
		return r
	}
	return '\uFFFD'
}
