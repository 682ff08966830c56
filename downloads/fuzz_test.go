package downloads

import (
	"mime"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzParseToken: whatever is typed after /files/, ParseToken accepts
// exactly the 43-character base64url strings, and every token drawn
// parses.
func FuzzParseToken(f *testing.F) {
	for range 4 {
		tok, err := newToken()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
	}
	f.Add("")
	f.Add(strings.Repeat("A", 42) + "=")
	f.Add(strings.Repeat("é", 22))
	f.Fuzz(func(t *testing.T, s string) {
		hash, ok := ParseToken(s)
		well := len(s) == tokenLen && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
		if ok != well {
			t.Fatalf("ParseToken(%q) = %v", s, ok)
		}
		if ok && len(hash) != 32 {
			t.Fatalf("hash of %d bytes", len(hash))
		}
	})
}

// FuzzContentDisposition: any file name reads back whole (in NFC) from
// the header, and its ASCII form is printable ASCII without quotes.
func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{"bao-cao.xlsx", "Báo cáo kỳ 2025.xlsx", `a"b\c`, "Đ\u0300", "%41", "x\x00y", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if name == "" || !utf8.ValidString(name) {
			return
		}
		h := ContentDisposition(name)
		disp, params, err := mime.ParseMediaType(h)
		if err != nil || disp != "attachment" || params["filename"] != norm.NFC.String(name) {
			t.Fatalf("%q: header %q reads as %q %q (%v)", name, h, disp, params, err)
		}
		for _, r := range asciiName(name) {
			if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' {
				t.Fatalf("%q: ASCII name %q has %q", name, asciiName(name), r)
			}
		}
	})
}
