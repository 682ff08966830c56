package bot_test

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"hocvuso/bot"
)

// Decomposed Vietnamese, as some Telex/VNI keyboards produce it.
const (
	nfcSentence = "Tiếng Việt có dấu: Đúng rồi, ngưỡng cửa!"
)

func nfd(s string) string { return norm.NFD.String(s) }

func TestNFC_ComposesDecomposedVietnamese(t *testing.T) {
	in := nfd(nfcSentence)
	if in == nfcSentence {
		t.Fatal("test input is not decomposed")
	}
	got := bot.NFC(in)
	if got != nfcSentence {
		t.Errorf("NFC(NFD text) = %q; want %q", got, nfcSentence)
	}
	if !norm.NFC.IsNormalString(got) {
		t.Errorf("NFC result %q is not NFC", got)
	}
}

func TestNFC_LeavesComposedTextAlone(t *testing.T) {
	for _, s := range []string{"", "hello", nfcSentence, "Ngữ văn 7"} {
		if got := bot.NFC(s); got != s {
			t.Errorf("NFC(%q) = %q; want unchanged", s, got)
		}
	}
}

func TestFold_MatchesTypedAnswersLeniently(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Đúng rồi!", "dung roi"},
		{"đúng RỒI", "dung roi"},
		{"  Hà   Nội \t\n", "ha noi"},
		{"«Sông Hồng»", "song hong"},
		{"...Trường Sa, Hoàng Sa...", "truong sa, hoang sa"},
		{"Nguyễn Thị Minh Khai", "nguyen thi minh khai"},
		{"ưƯơƠăĂâÂêÊôÔ", "uuooaaaaeeoo"},
		{"12 + 3 = 15", "12 + 3 = 15"},
		{"?!", ""},
		{"", ""},
	} {
		if got := bot.Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// Found by FuzzFold: an ill-formed byte before "Ĵ" kept its circumflex.
func TestFold_IllFormedUTF8DoesNotKeepDiacritics(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"\xf3Ĵ", "\ufffdj"},
		{"\xffĐúng rồi", "\ufffddung roi"},
		{"a\xf3é b", "a\ufffde b"},
	} {
		if got := bot.Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%+q) = %+q; want %+q", tc.in, got, tc.want)
		}
	}
}

func TestFold_DecomposedAndComposedInputsFoldAlike(t *testing.T) {
	for _, s := range []string{nfcSentence, "Đúng rồi!", "Quốc ngữ", "Ước mơ"} {
		if a, b := bot.Fold(s), bot.Fold(nfd(s)); a != b {
			t.Errorf("Fold(NFC %q) = %q but Fold(NFD) = %q", s, a, b)
		}
	}
}

// FuzzFold checks that Fold never panics, yields valid UTF-8 when given valid
// UTF-8, and is idempotent: a folded answer folds to itself, so answers
// stored folded compare equal to folded input.
func FuzzFold(f *testing.F) {
	for _, s := range []string{
		"", " ", "Đúng rồi!", nfd("Đúng rồi!"), nfcSentence, nfd(nfcSentence),
		"  Hà   Nội \t\n", "«Sông Hồng»", "a .", ". a", "a \u0301 b", "\u0301", "İ", "ǅ",
		"\xff\xfe", "\xf3Ĵ", "K\u212a", "ΣΑΣ", "ᾼ", "ﬁ", "\u0345", "가각", "ா",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := bot.Fold(s)
		if utf8.ValidString(s) && !utf8.ValidString(once) {
			t.Fatalf("Fold(%q) = %q: not valid UTF-8", s, once)
		}
		if twice := bot.Fold(once); twice != once {
			t.Fatalf("Fold not idempotent on %q: Fold = %q (%+q), Fold(Fold) = %q (%+q)", s, once, once, twice, twice)
		}
	})
}

// BenchmarkFold folds a typed answer, as the quiz and the report forms do
// for every typed option and the bank for every option at load.
func BenchmarkFold(b *testing.B) {
	const typed = "  Đăng nhập VNeID bằng mã QR!  "
	b.ReportAllocs()
	for b.Loop() {
		if bot.Fold(typed) != "dang nhap vneid bang ma qr" {
			b.Fatal("wrong fold")
		}
	}
}
