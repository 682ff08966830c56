package profile_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"hocvuso/bot"
	"hocvuso/flows/profile"
	"hocvuso/store"
)

func communes(t testing.TB) *profile.Communes {
	t.Helper()
	cs, err := profile.LoadCommunes()
	if err != nil {
		t.Fatalf("the embedded list of communes is not valid: %v", err)
	}
	return cs
}

// The shipped list is the 75 commune-level units of Sơn La since 1 July
// 2025 (Resolution 1681/NQ-UBTVQH15): 8 phường and 67 xã, official 5-digit
// codes, each once, names in NFC, with its source.
func TestCommunesFileHoldsThe75UnitsOfSonLa(t *testing.T) {
	cs := communes(t)
	units := cs.Units()
	if len(units) != 75 || cs.Len() != 75 {
		t.Fatalf("%d units, want 75", len(units))
	}
	kinds := map[string]int{}
	codes := map[string]bool{}
	for _, u := range units {
		kinds[u.Kind]++
		if len(u.Code) != 5 || strings.Trim(u.Code, "0123456789") != "" {
			t.Errorf("%s: code %q is not 5 digits", u.Name, u.Code)
		}
		if codes[u.Code] {
			t.Errorf("code %s appears twice", u.Code)
		}
		codes[u.Code] = true
		if !norm.NFC.IsNormalString(u.Name) || u.Name != strings.TrimSpace(u.Name) || u.Name == "" {
			t.Errorf("name %q is not clean NFC", u.Name)
		}
		if got, ok := cs.Unit(u.Code); !ok || got.Name != u.Name {
			t.Errorf("Unit(%s) = %q, %v", u.Code, got.Name, ok)
		}
	}
	if kinds[profile.KindWard] != 8 || kinds[profile.KindCommune] != 67 {
		t.Errorf("%d phường and %d xã, want 8 and 67", kinds[profile.KindWard], kinds[profile.KindCommune])
	}
	if !strings.Contains(cs.Source, "1681/NQ-UBTVQH15") {
		t.Errorf("source %q does not name Resolution 1681/NQ-UBTVQH15", cs.Source)
	}
	// A few units checked by hand against the source.
	for code, name := range map[string]string{"03670": "Chiềng Cơi", "03646": "Tô Hiệu", "03808": "Mường La", "04000": "Đoàn Kết", "04231": "Sốp Cộp"} {
		if u, ok := cs.Unit(code); !ok || u.Name != name {
			t.Errorf("Unit(%s) = %q, want %q", code, u.Name, name)
		}
	}
	// Alphabetical in Vietnamese: "Đ" after every "D…" and "C…", before "G".
	letters := cs.Letters()
	if i, j := slices.Index(letters, "Đ"), slices.Index(letters, "G"); i < 0 || j < 0 || i > j || slices.Index(letters, "C") > i {
		t.Errorf("letters %q are not in Vietnamese order", letters)
	}
	n := 0
	for _, l := range letters {
		n += len(cs.WithLetter(l))
	}
	if n != 75 {
		t.Errorf("browsing by letter reaches %d units, want 75", n)
	}
}

// A broken edit of the list is refused at start, saying where.
func TestCommunesFileErrorsAreRefusedWithTheirLine(t *testing.T) {
	good, err := os.ReadFile("communes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(good)
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"duplicate code", strings.Replace(src, `code: "03679"`, `code: "03670"`, 1), []string{"line", "03670", "already used"}},
		{"short code", strings.Replace(src, `code: "03679"`, `code: "3679"`, 1), []string{"line 10", "not 5 digits"}},
		{"decomposed name", strings.Replace(src, "Chiềng Sinh", norm.NFD.String("Chiềng Sinh"), 1), []string{"line", "NFC"}},
		{"unknown kind", strings.Replace(src, `name: "Tô Hiệu"
    kind: "phuong"`, `name: "Tô Hiệu"
    kind: "huyen"`, 1), []string{"huyen", "75 units (7 phường, 67 xã)"}},
		{"a unit missing", strings.Replace(src, `  - code: "03664"
    name: "Chiềng An"
    kind: "phuong"
`, "", 1), []string{"74 units"}},
		{"no source", strings.Replace(src, "source:", "nguon:", 1), []string{"source"}},
		{"same name twice", strings.Replace(src, `name: "Mộc Sơn"`, `name: "Mộc Châu"`, 1), []string{"Mộc Châu", "already used"}},
		{"not YAML", "units: [", []string{"communes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.file == src {
				t.Fatal("the test's edit did not apply")
			}
			_, err := profile.ParseCommunes([]byte(tc.file))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func names(us []profile.Unit) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Name
	}
	return out
}

// Typed names are found however they are typed: with or without
// diacritics, composed or decomposed, any case, with "xã"/"phường" in
// front, without spaces, by the start of each word, with a typo, as named
// before 2025 ("thị trấn …", "huyện …") or within an address.
func TestSearchFindsWhatIsTyped(t *testing.T) {
	cs := communes(t)
	for _, tc := range []struct {
		typed string
		first string // the best match
		only  bool   // and nothing else
		near  bool
	}{
		{"chieng coi", "Chiềng Cơi", true, false},
		{"Chiềng Cơi", "Chiềng Cơi", true, false},
		{norm.NFD.String("Chiềng Cơi"), "Chiềng Cơi", true, false},
		{"CHIỀNG CƠI", "Chiềng Cơi", true, false},
		{"  phường   chiềng cơi! ", "Chiềng Cơi", true, false},
		{"P. Chieng Coi", "Chiềng Cơi", true, false},
		{"chiengcoi", "Chiềng Cơi", true, false},
		{"ch coi", "Chiềng Cơi", true, false},
		{"03670", "Chiềng Cơi", true, false},
		{"xã mường la", "Mường La", false, false}, // then Mường Lạn, Mường Lầm
		{"doan ket", "Đoàn Kết", true, false},
		{"đoàn", "Đoàn Kết", true, false},
		{"sop cop", "Sốp Cộp", true, false},
		{"moc", "Mộc Châu", false, false}, // Mộc Châu, Mộc Sơn
		{"chieng coii", "Chiềng Cơi", false, true},
		{"chiegn coi", "Chiềng Cơi", false, true},
		{"muong laa", "Mường La", false, true},
		// Names as written before 1 July 2025, and addresses.
		{"thi tran song ma", "Sông Mã", true, false},
		{"TT. Sông Mã", "Sông Mã", true, false},
		{"Thị trấn Mộc Châu", "Mộc Châu", true, false},
		{"huyen thuan chau", "Thuận Châu", true, false},
		{"Mường La, Sơn La", "Mường La", false, false},
		{"xã Sốp Cộp tỉnh Sơn La", "Sốp Cộp", true, false},
		{"Chiềng Sinh, TP Sơn La", "Chiềng Sinh", true, false},
		{"tổ 3, bản Hìn, phường Chiềng Sinh, thành phố Sơn La, tỉnh Sơn La", "Chiềng Sinh", true, false},
	} {
		m := cs.Search(tc.typed)
		if len(m.Units) == 0 {
			t.Errorf("Search(%q) found nothing, want %q", tc.typed, tc.first)
			continue
		}
		if m.Units[0].Name != tc.first {
			t.Errorf("Search(%q) = %q, want %q first", tc.typed, names(m.Units), tc.first)
		}
		if tc.only && len(m.Units) != 1 {
			t.Errorf("Search(%q) = %q, want only %q", tc.typed, names(m.Units), tc.first)
		}
		if m.Near != tc.near {
			t.Errorf("Search(%q).Near = %v, want %v", tc.typed, m.Near, tc.near)
		}
	}
	// "coi" is in two names: the ward and the commune.
	if got := names(cs.Search("coi").Units); !slices.Equal(got, []string{"Chiềng Cơi", "Mường Cơi"}) {
		t.Errorf("Search(coi) = %q", got)
	}
	// "muong": 15 units start with it; a phone shows 8, the total is told.
	m := cs.Search("muong")
	if len(m.Units) != profile.MaxResults || m.Total != 15 {
		t.Errorf("Search(muong) = %d shown of %d, want %d of 15", len(m.Units), m.Total, profile.MaxResults)
	}
	for _, u := range m.Units {
		if !strings.HasPrefix(u.Name, "Mường") {
			t.Errorf("Search(muong) shows %q", u.Name)
		}
	}
	// "son": names starting with it come before names containing it.
	got := names(cs.Search("son").Units)
	if len(got) < 3 || got[0] != "Song Khủa" || got[1] != "Sông Mã" {
		t.Errorf("Search(son) = %q, want Song Khủa and Sông Mã first", got)
	}
	for _, typed := range []string{"", "   ", "?!", "zzzzzz", "hà nội", "1234", "Sơn La", "tỉnh Sơn La"} {
		if m := cs.Search(typed); len(m.Units) != 0 || m.TooLong {
			t.Errorf("Search(%q) = %q (too long %v), want nothing", typed, names(m.Units), m.TooLong)
		}
	}
	if m := cs.Search(strings.Repeat("chieng ", 20)); !m.TooLong || len(m.Units) != 0 {
		t.Errorf("a long text: TooLong = %v, units %q", m.TooLong, names(m.Units))
	}
}

// Ranking: more participants first, then the higher pass rate, then the
// name; communes without participants last, by name.
func TestRankOrdersEveryUnit(t *testing.T) {
	cs := communes(t)
	st := profile.Rank(cs, []store.CommuneCount{
		{Code: "03808", Participants: 5, Passed: 1},   // Mường La 20%
		{Code: "03670", Participants: 5, Passed: 4},   // Chiềng Cơi 80%
		{Code: "04231", Participants: 9, Passed: 0},   // Sốp Cộp
		{Code: "04000", Participants: 5, Passed: 4},   // Đoàn Kết 80%, after Chiềng Cơi by name
		{Code: "99999", Participants: 50, Passed: 50}, // not a unit of the list
	})
	if len(st) != 75 {
		t.Fatalf("%d standings, want 75", len(st))
	}
	want := []string{"Sốp Cộp", "Chiềng Cơi", "Đoàn Kết", "Mường La"}
	for i, w := range want {
		if st[i].Unit.Name != w || st[i].Place != i+1 {
			t.Errorf("place %d: %q (place %d), want %q", i+1, st[i].Unit.Name, st[i].Place, w)
		}
	}
	if st[1].Rate() != 80 || st[3].Rate() != 20 || st[0].Rate() != 0 {
		t.Errorf("rates %d %d %d", st[1].Rate(), st[3].Rate(), st[0].Rate())
	}
	// The rest have nobody, in alphabetical order: Bắc Yên comes first.
	rest := st[len(want):]
	if rest[0].Unit.Name != "Bắc Yên" || rest[0].Participants != 0 {
		t.Errorf("first without participants: %q", rest[0].Unit.Name)
	}
	for _, s := range rest {
		if s.Participants != 0 {
			t.Errorf("place %d: %q with %d participants", s.Place, s.Unit.Name, s.Participants)
		}
	}
	alpha := names(cs.Units())
	var restNames []string
	for _, s := range rest {
		restNames = append(restNames, s.Unit.Name)
	}
	alpha = slices.DeleteFunc(alpha, func(n string) bool { return slices.Contains(want, n) })
	if !slices.Equal(restNames, alpha) {
		t.Errorf("communes without participants are not in alphabetical order:\n%q\nwant\n%q", restNames, alpha)
	}
}

// FuzzCommuneSearch: whatever is typed, the search neither fails nor
// wanders: at most MaxResults distinct units of the list, the same for the
// composed and decomposed forms of the text, and a unit's own name, however
// cased or accented, finds that unit first.
func FuzzCommuneSearch(f *testing.F) {
	cs, err := profile.LoadCommunes()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"", "chieng coi", "Chiềng Cơi", norm.NFD.String("Chiềng Cơi"), "xã mường la", "P.", "03670",
		"ch coi", "m", "đ", "muong laa", "\xff\xfe", "\u0301", strings.Repeat("a", 300), "Ǆ", "İ", "ﬁ",
	} {
		f.Add(s)
	}
	folded := map[string]string{} // folded name -> code
	for _, u := range cs.Units() {
		folded[bot.Fold(u.Name)] = u.Code
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := cs.Search(s)
		if len(m.Units) > profile.MaxResults || m.Total < len(m.Units) {
			t.Fatalf("Search(%q): %d units of %d", s, len(m.Units), m.Total)
		}
		seen := map[string]bool{}
		for _, u := range m.Units {
			if seen[u.Code] {
				t.Fatalf("Search(%q) shows %s twice", s, u.Name)
			}
			seen[u.Code] = true
			if got, ok := cs.Unit(u.Code); !ok || got.Name != u.Name {
				t.Fatalf("Search(%q) returned a unit not in the list: %+v", s, u)
			}
		}
		if m.TooLong && len(m.Units) > 0 {
			t.Fatalf("Search(%q): too long, yet %d units", s, len(m.Units))
		}
		if d := norm.NFD.String(s); utf8.ValidString(s) && len(d) <= 1024 {
			md := cs.Search(d)
			if !slices.Equal(names(md.Units), names(m.Units)) || md.Near != m.Near || md.Total != m.Total {
				t.Fatalf("Search(%q) = %q but Search(NFD) = %q", s, names(m.Units), names(md.Units))
			}
		}
		// Typing a unit's own name (folded as typed) finds it first.
		if code, ok := folded[bot.Fold(s)]; ok && len(s) <= 1024 {
			if len(m.Units) == 0 || m.Units[0].Code != code {
				t.Fatalf("Search(%q) = %q, want %s first", s, names(m.Units), code)
			}
		}
	})
}
