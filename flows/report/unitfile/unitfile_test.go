package unitfile_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"hocvuso/flows/profile"
	"hocvuso/flows/report/config"
	"hocvuso/flows/report/unitfile"
)

func mustParse(t *testing.T, name, data string) []unitfile.Unit {
	t.Helper()
	units, err := unitfile.Parse(name, []byte(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return units
}

// problems parses a file that must be rejected and returns its problems as
// printed: "file:line: subject: field f: message".
func problems(t *testing.T, name, data string) []string {
	t.Helper()
	units, err := unitfile.Parse(name, []byte(data))
	if err == nil {
		t.Fatalf("%s was accepted: %+v", name, units)
	}
	if units != nil {
		t.Errorf("a rejected file still gave %d units", len(units))
	}
	var e *unitfile.Error
	if !errors.As(err, &e) || len(e.Problems) == 0 {
		t.Fatalf("%v is not an *Error with problems", err)
	}
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.String()
	}
	return out
}

func TestCSVInEitherSeparatorWithBOM(t *testing.T) {
	want := []unitfile.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: config.KindDepartment, Line: 2},
		{Code: "SVHTTDL", Name: "Sở Văn hóa, Thể thao và Du lịch", Kind: config.KindDepartment, Line: 3},
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: config.KindCommune, Line: 5},
	}
	for name, data := range map[string]string{
		"comma.csv": "code,name,kind\nSNV,Sở Nội vụ,department\n" +
			"SVHTTDL,\"Sở Văn hóa, Thể thao và Du lịch\",department\n\n03670,Phường Chiềng Cơi,commune\n",
		// Excel in a Vietnamese locale: a BOM, semicolons, CRLF, spaces, the header in capitals.
		"excel.CSV": "\ufeffCode; Name ;KIND\r\nSNV;  Sở Nội vụ ;Department\r\nSVHTTDL;Sở Văn hóa, Thể thao và Du lịch;department\r\n\r\n03670;Phường Chiềng Cơi;commune",
		// Columns in another order; names in decomposed Unicode (NFD) are stored composed.
		"order.csv": "kind,code,name\ndepartment,SNV," + norm.NFD.String("Sở Nội vụ") + "\ndepartment,SVHTTDL,\"Sở Văn hóa, Thể thao và Du lịch\"\n\ncommune,03670,Phường Chiềng Cơi\n",
	} {
		t.Run(name, func(t *testing.T) {
			got := mustParse(t, name, data)
			if !slices.Equal(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestYAML(t *testing.T) {
	got := mustParse(t, "units.yml", `# Sơn La
source: "Quyết định 1470/QĐ-UBND"
units:
  - code: SNV
    name: Sở Nội vụ
    kind: department
  - {code: 03670, name: "Phường Chiềng Cơi", kind: commune}
`)
	want := []unitfile.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: config.KindDepartment, Line: 4},
		// 03670 unquoted stays the text 03670, not the number 3670.
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: config.KindCommune, Line: 7},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// Each bad file is rejected with every problem, at its line and field.
func TestBadFilesAreRejectedWithTheLineAtFault(t *testing.T) {
	kinds := "party, department, armed, front, public_service, commune, enterprise"
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"units.txt", "code,name,kind\n", []string{"units.txt: a units file is a .csv or a .yaml file; rename it or convert it"}},
		{"empty.csv", "", []string{"empty.csv: the file is empty"}},
		{"blank.csv", "\ufeff \n\n", []string{"blank.csv: the file is empty"}},
		{"header-only.csv", "code,name,kind\n", []string{"header-only.csv: the file lists no unit"}},
		{"utf16.csv", "\xff\xfec\x00o\x00", []string{`utf16.csv:1: the file is UTF-16 text; save it as UTF-8 (in Excel: "CSV UTF-8")`}},
		{"latin1.csv", "code,name,kind\nSNV,S\xf4 N\xf4i vu,department\n", []string{`latin1.csv:2: the file is not UTF-8 text; save it as UTF-8 (in Excel: "CSV UTF-8")`}},
		{"header.csv", "ma,ten,loai\nSNV,Sở Nội vụ,department\n", []string{`header.csv:1: header: unknown column "ma"; the first line must be code,name,kind`}},
		{"header-missing.csv", "code;name\nSNV;Sở Nội vụ\n", []string{`header-missing.csv:1: header: column "kind" is missing; the first line must be code;name;kind`}},
		{"header-twice.csv", "code,name,Code\n", []string{`header-twice.csv:1: header: column "code" is given twice; the first line must be code,name,kind`}},
		{"columns.csv", "code,name,kind\nSNV,Sở Nội vụ,department,extra\nSKHCN,Sở Khoa học và Công nghệ\n", []string{
			"columns.csv:2: has 4 columns; want 3: code,name,kind",
			"columns.csv:3: has 2 columns; want 3: code,name,kind",
		}},
		{"quote.csv", "code,name,kind\nSNV,Sở \"Nội\" vụ,department\n", []string{
			`quote.csv:2: not valid CSV: a quote (") in a field that does not start with one; put the whole field in quotes and double the quote ("")`,
		}},
		{"fields.csv", "code,name,kind\n" +
			",Sở Nội vụ,department\n" + // 2
			"SỞ,Sở Nội vụ,department\n" + // 3
			"SNV,,department\n" + // 4
			"SKHCN,Sở Khoa học,sở\n" + // 5
			"MTTQ,Mặt trận,\n" + // 6
			"3670,Phường Chiềng Cơi,commune\n" + // 7
			"\"X\",\"Tên\nhai dòng\",front\n" + // 8-9
			"Y," + strings.Repeat("a", 201) + ",front\n", // 10
			[]string{
				"fields.csv:2: field code: is empty; every unit needs a code",
				`fields.csv:3: field code: "SỞ": a code is 1 to 32 letters (A-Z, no diacritics), digits, '-', '_' or '.'`,
				`fields.csv:4: unit "SNV": field name: is empty; every unit needs a name`,
				`fields.csv:5: unit "SKHCN": field kind: "sở" is not a kind of unit; use one of: ` + kinds,
				`fields.csv:6: unit "MTTQ": field kind: is empty; use one of: ` + kinds,
				`fields.csv:7: unit "3670": field code: "3670" has 4 digits; a commune's or ward's code has 5 (did a spreadsheet drop a leading 0? write it as 03670 in a text cell)`,
				`fields.csv:8: unit "X": field name: holds a line break, a tab or another invisible character`,
				`fields.csv:10: unit "Y": field name: is 201 characters long; at most 200 are allowed`,
			}},
		{"dup.csv", "code,name,kind\nSNV,Sở Nội vụ,department\nSKHCN,Sở Khoa học và Công nghệ,department\nSNV,Sở Nội vụ,department\nsnv,Sở Nội vụ,department\n", []string{
			`dup.csv:4: unit "SNV": field code: is given twice (first at line 2)`,
			`dup.csv:5: unit "snv": field code: is the code "SNV" of line 2 written in another case; codes must differ by more than case`,
		}},
		{"bad.yaml", "units:\n  - code: SNV\n    name: Sở Nội vụ\n    kind: [department]\n  - code: SNV\n    name: Sở Nội vụ\n    kind: departmnet\n    head: Ông A\n  - name: Xã Mường La\n", []string{
			`bad.yaml:4: field units[0].kind: must be a single value, not a list`,
			`bad.yaml:8: field units[1].head: unknown field`,
			`bad.yaml:5: unit "SNV": field code: is given twice (first at line 2)`,
			`bad.yaml:7: unit "SNV": field kind: "departmnet" is not a kind of unit; use one of: ` + kinds,
			`bad.yaml:9: field units[2].code: is missing`,
			`bad.yaml:9: field units[2].kind: is missing`,
		}},
		{"notalist.yaml", "units: SNV\n", []string{`notalist.yaml:1: field units: must be a list of units (lines starting with "- "), not a single value`}},
		{"nounits.yaml", "source: x\nunit: []\n", []string{"nounits.yaml:2: field unit: unknown field", "nounits.yaml:1: field units: is missing"}},
		{"broken.yaml", "units:\n  - code: SNV\n    name: \"Sở Nội vụ\n    kind: department\n", []string{"broken.yaml:3: not valid YAML: found unexpected end of stream"}},
		{"alias.yaml", "units:\n  - &a {code: SNV, name: Sở Nội vụ, kind: department}\n  - *a\n", []string{
			"alias.yaml:3: field units[1]: anchors and aliases (*name) are not allowed; write the value out",
		}},
		{"empty.yaml", "units: []\n", []string{"empty.yaml: the file lists no unit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := problems(t, tc.name, tc.data)
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// The sample shipped in docs/ parses, and its communes and wards are the
// official ones of flows/profile: code and name.
func TestSampleFile(t *testing.T) {
	data, err := os.ReadFile("../../../docs/units.sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	units := mustParse(t, "units.sample.csv", string(data))
	communes, err := profile.LoadCommunes()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[config.Kind]int{}
	for _, u := range units {
		kinds[u.Kind]++
		if u.Kind != config.KindCommune {
			continue
		}
		c, ok := communes.Unit(u.Code)
		if !ok {
			t.Errorf("line %d: %s is not a commune or ward of Sơn La", u.Line, u.Code)
			continue
		}
		prefix := "Xã "
		if c.Kind == profile.KindWard {
			prefix = "Phường "
		}
		if u.Name != prefix+c.Name {
			t.Errorf("line %d: %s is named %q; the official name is %q", u.Line, u.Code, u.Name, prefix+c.Name)
		}
	}
	if kinds[config.KindCommune] < 3 || kinds[config.KindDepartment] < 3 {
		t.Errorf("the sample has %v; want a few departments and communes", kinds)
	}
}

// FuzzParse: whatever the file, Parse never panics; it either rejects it
// with problems that each name the file, or gives units that are sound.
func FuzzParse(f *testing.F) {
	sample, err := os.ReadFile("../../../docs/units.sample.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(true, string(sample))
	f.Add(true, "\ufeffcode;name;kind\r\nSNV;Sở Nội vụ;department\r\n")
	f.Add(true, "code,name,kind\n\"a\"\"b\",\"x\ny\",front\n")
	f.Add(true, "kind,code,name\ncommune,3670,x\ncommune,03670,x\n")
	f.Add(false, "units:\n  - {code: 03670, name: \"Phường Chiềng Cơi\", kind: commune}\n")
	f.Add(false, "units: &a [*a]\n")
	f.Add(false, "units:\n  - code: ~\n    name: !!binary aGk=\n    kind: 7\n")
	f.Fuzz(func(t *testing.T, csv bool, data string) {
		name := "fuzz.yaml"
		if csv {
			name = "fuzz.csv"
		}
		units, err := unitfile.Parse(name, []byte(data))
		if err != nil {
			var e *unitfile.Error
			if !errors.As(err, &e) || len(e.Problems) == 0 {
				t.Fatalf("error %v is not an *Error with problems", err)
			}
			for _, p := range e.Problems {
				if p.File != name || p.Msg == "" {
					t.Fatalf("problem %+v", p)
				}
			}
			return
		}
		if len(units) == 0 {
			t.Fatal("accepted a file without units")
		}
		codes := map[string]bool{}
		for _, u := range units {
			key := strings.ToUpper(u.Code)
			if codes[key] {
				t.Fatalf("code %q twice", u.Code)
			}
			codes[key] = true
			if u.Code == "" || len(u.Code) > unitfile.MaxCodeLength || strings.TrimSpace(u.Code) != u.Code {
				t.Fatalf("code %q", u.Code)
			}
			if !u.Kind.Valid() {
				t.Fatalf("kind %q", u.Kind)
			}
			if u.Name == "" || !utf8.ValidString(u.Name) || !norm.NFC.IsNormalString(u.Name) || strings.TrimSpace(u.Name) != u.Name ||
				utf8.RuneCountInString(u.Name) > unitfile.MaxNameLength || strings.ContainsAny(u.Name, "\r\n\t") {
				t.Fatalf("name %q", u.Name)
			}
			if u.Line < 1 {
				t.Fatalf("unit %q without a line", u.Code)
			}
		}
	})
}
