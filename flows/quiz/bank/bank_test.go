package bank

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func fixture(t testing.TB, name string) File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("banktest", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return File{Name: name, Data: data}
}

func fixtureBank(t testing.TB) *Bank {
	t.Helper()
	b, err := Load(fixture(t, "areas.yaml"), fixture(t, "questions.yaml"))
	if err != nil {
		t.Fatalf("the test bank does not load:\n%v", err)
	}
	return b
}

func TestLoadIndexesTheBank(t *testing.T) {
	b := fixtureBank(t)
	if len(b.Areas) != 2 || len(b.Questions) != 12 {
		t.Fatalf("got %d areas and %d questions, want 2 and 12", len(b.Areas), len(b.Questions))
	}
	q, ok := b.Question("t4-2-otp")
	if !ok {
		t.Fatal("question t4-2-otp not found by id")
	}
	if q.Area != "4" || q.Correct != 2 || q.Options[2].In("vi") != "Không ai cả" || q.Options[2].In("en") != "Nobody" {
		t.Errorf("t4-2-otp read wrong: %+v", q)
	}
	if got := q.Folded(0); got != [2]string{"nhan vien ngan hang goi dien", "a bank clerk who calls you"} {
		t.Errorf("folded option 0 = %q", got)
	}
	if _, ok := b.Question("nope"); ok {
		t.Error("an unknown id was found")
	}
	if got := len(b.InArea("0")); got != 6 {
		t.Errorf("area 0 has %d questions, want 6", got)
	}
	if a, ok := b.Area("4"); !ok || a.Short.In("en") != "🛡️ Safety" || a.Name.In("vi") != "An toàn" {
		t.Errorf("area 4 = %+v", a)
	}
	if len(b.Version) != 12 {
		t.Errorf("version %q is not a 12-character short hash", b.Version)
	}
}

func TestVersionIsTheHashOfTheContentNotOfTheLayout(t *testing.T) {
	b := fixtureBank(t)
	// The canonical form is one file that loads back to the same bank.
	again, err := Load(File{Name: "canonical.yaml", Data: b.Canonical()})
	if err != nil {
		t.Fatalf("the canonical form does not load back:\n%v", err)
	}
	if again.Version != b.Version {
		t.Errorf("version changed on reload: %s then %s", b.Version, again.Version)
	}
	// Comments and layout do not count.
	q := fixture(t, "questions.yaml")
	relaid := strings.ReplaceAll(string(q.Data), "\n  - id:", "\n  # a comment\n  - id:")
	other, err := Load(fixture(t, "areas.yaml"), File{Name: "questions.yaml", Data: []byte(relaid)})
	if err != nil {
		t.Fatal(err)
	}
	if other.Version != b.Version {
		t.Errorf("a comment changed the version: %s then %s", b.Version, other.Version)
	}
	// Content does.
	edited := strings.Replace(string(q.Data), "Bánh răng là phần Cài đặt.", "Bánh răng mở phần Cài đặt.", 1)
	changed, err := Load(fixture(t, "areas.yaml"), File{Name: "questions.yaml", Data: []byte(edited)})
	if err != nil {
		t.Fatal(err)
	}
	if changed.Version == b.Version {
		t.Error("an edited explanation kept the same version")
	}
}

// Each broken file is reported with its name, the line, the question and
// the field, so whoever edits the bank can find the mistake.
func TestProblemsNameTheFileLineAndField(t *testing.T) {
	const good = `questions:
  - id: extra-1
    competence: "4.2"
    text: {vi: "Câu hỏi thêm?", en: "An extra question?"}
    options:
      - {vi: "Một", en: "One"}
      - {vi: "Hai", en: "Two"}
      - {vi: "Ba", en: "Three"}
    correct: 0
    explanation: {vi: "Vì thế.", en: "Because."}
    source: "Thông tư 02/2025/TT-BGDĐT"
`
	nfd := norm.NFD.String("Câu hỏi thêm?")
	tests := []struct {
		name, file, want string
	}{
		{"correct out of range", strings.Replace(good, "correct: 0", "correct: 4", 1),
			`extra.yaml:9: question "extra-1": field correct: 4 is out of range (3 options, numbered from 0)`},
		{"correct not a number", strings.Replace(good, "correct: 0", "correct: B", 1),
			`extra.yaml:9: question "extra-1": field correct: "B" is not a number: give the 0-based index of the one correct option`},
		{"several correct", strings.Replace(good, "correct: 0", "correct: [0, 1]", 1),
			`extra.yaml:9: question "extra-1": field correct: must be a single value, not a list`},
		{"unknown field", strings.Replace(good, "    source:", "    hint: \"x\"\n    source:", 1),
			`extra.yaml:11: question "extra-1": field hint: unknown field`},
		{"unknown language", strings.Replace(good, `en: "An extra question?"`, `fr: "Une question ?"`, 1),
			"extra.yaml:4: question \"extra-1\": field text.fr: unknown field\nextra.yaml:4: question \"extra-1\": field text.en: is missing"},
		{"NFD text", strings.Replace(good, "Câu hỏi thêm?", nfd, 1),
			`extra.yaml:4: question "extra-1": field text.vi: is not in Unicode NFC (composed) form; save the file as NFC`},
		{"two options", strings.Replace(good, "      - {vi: \"Ba\", en: \"Three\"}\n", "", 1),
			`extra.yaml:6: question "extra-1": field options: has 2 options; a question needs 3 to 4`},
		{"five options", strings.Replace(good, "      - {vi: \"Ba\", en: \"Three\"}\n", "      - {vi: \"Ba\", en: \"Three\"}\n      - {vi: \"Bốn\", en: \"Four\"}\n      - {vi: \"Năm\", en: \"Five\"}\n", 1),
			`extra.yaml:6: question "extra-1": field options: has 5 options; a question needs 3 to 4`},
		{"same option twice", strings.Replace(good, `{vi: "Ba", en: "Three"}`, `{vi: "hai", en: "Three"}`, 1),
			`extra.yaml:8: question "extra-1": field options[2].vi: reads the same as option 1 (case and diacritics aside)`},
		{"option too long", strings.Replace(good, `"Ba"`, `"`+strings.Repeat("dài ", 21)+`"`, 1),
			`extra.yaml:8: question "extra-1": field options[2].vi: is 84 characters long; at most 80 are allowed`},
		{"question too long", strings.Replace(good, "Câu hỏi thêm?", strings.Repeat("x", 301), 1),
			`extra.yaml:4: question "extra-1": field text.vi: is 301 characters long; at most 300 are allowed`},
		{"numeric date in English", strings.Replace(good, `en: "Because."`, `en: "Since 1/7/2024."`, 1),
			`extra.yaml:10: question "extra-1": field explanation.en: writes the date 1/7/2024 in numbers, which many English readers read month first; write the month in words, like "1 July 2024"`},
		{"question not translated", strings.Replace(good, `en: "An extra question?"`, `en: "Câu hỏi thêm?"`, 1),
			`extra.yaml:4: question "extra-1": field text.en: is the Vietnamese text, not translated; write it in English`},
		{"explanation not translated", strings.Replace(good, `en: "Because."`, `en: "Vi the."`, 1),
			`extra.yaml:10: question "extra-1": field explanation.en: is the Vietnamese text, not translated; write it in English`},
		{"empty explanation", strings.Replace(good, `en: "Because."`, `en: ""`, 1),
			`extra.yaml:10: question "extra-1": field explanation.en: is empty`},
		{"missing source", strings.Replace(good, "    source: \"Thông tư 02/2025/TT-BGDĐT\"\n", "", 1),
			`extra.yaml:2: question "extra-1": field source: is missing`},
		{"unknown competence", strings.Replace(good, `"4.2"`, `"4.9"`, 1),
			`extra.yaml:3: question "extra-1": field competence: "4.9" is not a competence of the bank's areas`},
		{"duplicate id", strings.Replace(good, "extra-1", "t4-2-otp", 1),
			`extra.yaml:2: question "t4-2-otp": field id: already used at questions.yaml:66`},
		{"bad id", strings.Replace(good, "extra-1", "Extra 1", 1),
			`extra.yaml:2: question "Extra 1": field id: use at most 64 lower-case letters, digits, '-', '_' or '.', starting with a letter or digit`},
		{"key twice", strings.Replace(good, "    source:", "    correct: 1\n    source:", 1),
			`extra.yaml:11: question "extra-1": field correct: given twice (first at line 9)`},
		{"alias", strings.Replace(strings.Replace(good, `text: {vi:`, `text: &t {vi:`, 1), `explanation: {vi: "Vì thế.", en: "Because."}`, `explanation: *t`, 1),
			`extra.yaml:10: question "extra-1": field explanation: anchors and aliases (*name) are not allowed; write the value out`},
		{"tab in text", strings.Replace(good, `"Một"`, `"Một\tlần"`, 1),
			`extra.yaml:6: question "extra-1": field options[0].vi: holds a control character (a tab or an invisible character)`},
		{"syntax error", strings.Replace(good, "    competence: \"4.2\"", "    competence: \"4.2", 1),
			`extra.yaml:4: not valid YAML: mapping values are not allowed in this context`},
		{"two documents", good + "---\nquestions: []\n",
			`extra.yaml:12: only one YAML document is allowed per file (remove the extra "---")`},
		{"neither areas nor questions", "answers: []\n",
			"extra.yaml:1: field answers: unknown field\nextra.yaml:1: the file holds neither \"areas:\" nor \"questions:\""},
		{"not a list", "questions: {id: x}\n",
			`extra.yaml:1: field questions: must be a list (lines starting with "- "), not a mapping`},
		{"empty file", "# nothing\n", `extra.yaml: the file is empty`},
		{"not UTF-8", "questions:\n  - id: \xff\n", `extra.yaml:2: the file is not UTF-8 text`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(fixture(t, "areas.yaml"), fixture(t, "questions.yaml"), File{Name: "extra.yaml", Data: []byte(tt.file)})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a bank error", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestAreaProblems(t *testing.T) {
	questions := fixture(t, "questions.yaml")
	tests := []struct {
		name, areas, want string
	}{
		{"uncovered competence", strings.Replace(string(fixture(t, "areas.yaml").Data),
			"      - id: \"4.2\"", "      - id: \"4.1\"\n        name: {vi: \"Bảo vệ thiết bị\", en: \"Protecting devices\"}\n      - id: \"4.2\"", 1),
			`areas.yaml:17: competence "4.1": no question covers it`},
		{"competence of another area", strings.Replace(string(fixture(t, "areas.yaml").Data), `id: "4.2"`, `id: "5.2"`, 1),
			"areas.yaml:17: area \"4\": field competences[0].id: \"5.2\" does not belong to area \"4\" (it should start with \"4.\")\n" +
				"questions.yaml:67: question \"t4-2-otp\": field competence: \"4.2\" is not a competence of the bank's areas\n" +
				"questions.yaml:77: question \"t4-2-silence\": field competence: \"4.2\" is not a competence of the bank's areas\n" +
				"questions.yaml:87: question \"t4-2-law\": field competence: \"4.2\" is not a competence of the bank's areas\n" +
				"questions.yaml:97: question \"t4-2-qr\": field competence: \"4.2\" is not a competence of the bank's areas\n" +
				"questions.yaml:107: question \"t4-2-link\": field competence: \"4.2\" is not a competence of the bank's areas\n" +
				"questions.yaml:117: question \"t4-2-scam\": field competence: \"4.2\" is not a competence of the bank's areas\n" +
				"areas.yaml:17: competence \"5.2\": no question covers it"},
		{"duplicate area", string(fixture(t, "areas.yaml").Data) + "  - id: \"4\"\n    name: {vi: \"Lại\", en: \"Again\"}\n    short: {vi: \"Lại\", en: \"Again\"}\n    source: \"x\"\n    competences:\n      - id: \"4.5\"\n        name: {vi: \"Năm\", en: \"Five\"}\n",
			`areas.yaml:19: area "4": field id: already used at areas.yaml:12`},
		{"short label too long", strings.Replace(string(fixture(t, "areas.yaml").Data), `short: {vi: "🛡️ An toàn"`, `short: {vi: "🛡️ An toàn thông tin trên không gian mạng"`, 1),
			`areas.yaml:14: area "4": field short.vi: is 41 characters long; at most 24 are allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(File{Name: "areas.yaml", Data: []byte(tt.areas)}, questions)
			if err == nil {
				t.Fatal("the bank loaded")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	if _, err := Load(questions); err == nil || err.Error() != `(bank): no areas: one file must hold "areas:"` {
		t.Errorf("a bank without areas: %v", err)
	}
}

func TestManyProblemsAreCappedInTheMessage(t *testing.T) {
	var b strings.Builder
	b.WriteString("questions:\n")
	for range 60 {
		b.WriteString("  - {id: x}\n")
	}
	_, err := Load(fixture(t, "areas.yaml"), fixture(t, "questions.yaml"), File{Name: "many.yaml", Data: []byte(b.String())})
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) < 60 {
		t.Fatalf("got %v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxShown+1 || !strings.HasPrefix(lines[maxShown], "… and ") {
		t.Errorf("the message has %d lines, the last %q", len(lines), lines[len(lines)-1])
	}
}

// The bank built into the binary: the seven areas, every competence of the
// framework covered, at least 150 questions.
func TestEmbeddedBank(t *testing.T) {
	b, err := Embedded()
	if err != nil {
		t.Fatalf("the embedded bank does not load:\n%v", err)
	}
	if len(b.Questions) < 150 {
		t.Errorf("the embedded bank has %d questions, want at least 150", len(b.Questions))
	}
	wantAreas := map[string]int{"0": 2, "1": 3, "2": 6, "3": 4, "4": 4, "5": 4, "6": 3}
	if len(b.Areas) != len(wantAreas) {
		t.Errorf("%d areas, want %d", len(b.Areas), len(wantAreas))
	}
	for _, a := range b.Areas {
		if n, ok := wantAreas[a.ID]; !ok || len(a.Competences) != n {
			t.Errorf("area %s has %d competences, want %d", a.ID, len(a.Competences), n)
		}
		t.Logf("area %s %-45s %3d questions", a.ID, a.Name.VI, len(b.InArea(a.ID)))
	}
	t.Logf("embedded bank %s: %d questions", b.Version, len(b.Questions))
}

func FuzzLoadBank(f *testing.F) {
	areas, err := os.ReadFile("banktest/testdata/areas.yaml")
	if err != nil {
		f.Fatal(err)
	}
	questions, err := os.ReadFile("banktest/testdata/questions.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(questions))
	f.Add(string(areas))
	f.Add("questions:\n  - id: a\n    correct: 9\n")
	f.Add("questions: &a [*a]\n")
	f.Add("areas:\n  - id: \"0\"\n    competences: [{id: \"0.1\"}]\n")
	f.Add("? [a]\n: b\n")
	f.Add("%YAML 1.2\n---\nquestions: !!binary aGk=\n")
	f.Fuzz(func(t *testing.T, data string) {
		b, err := Load(File{Name: "areas.yaml", Data: areas}, File{Name: "fuzz.yaml", Data: []byte(data)})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) == 0 {
				t.Fatalf("error %v is not a bank error with problems", err)
			}
			return
		}
		// Whatever loads is sound: every question answerable, and its
		// canonical form loads back to the same version.
		for _, q := range b.Questions {
			if q.Correct < 0 || q.Correct >= len(q.Options) || len(q.Options) < MinOptions || len(q.Options) > MaxOptions {
				t.Fatalf("question %q loaded with %d options, correct %d", q.ID, len(q.Options), q.Correct)
			}
			if _, ok := b.Area(q.Area); !ok {
				t.Fatalf("question %q has no area", q.ID)
			}
		}
		again, err := Load(File{Name: "canonical.yaml", Data: b.Canonical()})
		if err != nil || again.Version != b.Version {
			t.Fatalf("the canonical form does not load back: %v", err)
		}
	})
}
