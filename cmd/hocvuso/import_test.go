package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hocvuso/flows/quiz/bank/banktest"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// runCmd runs the binary's command line in-process against a database.
func runCmd(t *testing.T, dbURL string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	vars := map[string]string{"DATABASE_URL": dbURL}
	code = run(context.Background(), args, &env{getenv: func(k string) string { return vars[k] }, stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

// quizBankFile writes the test bank as one file with areas and questions.
func quizBankFile(t *testing.T, edit func(string) string) string {
	t.Helper()
	content := string(banktest.Load(t).Canonical())
	if edit != nil {
		content = edit(content)
	}
	path := filepath.Join(t.TempDir(), "bank.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func countBanks(t *testing.T, dbURL, where string) int {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM quiz_banks WHERE "+where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportQuiz(t *testing.T) {
	dbURL := storetest.NewDatabaseURL(t)

	// A bank with a mistake is rejected with its line; nothing is stored.
	bad := quizBankFile(t, func(s string) string {
		return strings.Replace(s, "    correct: 2\n", "    correct: 3\n", 1)
	})
	data, _ := os.ReadFile(bad)
	line := strings.Count(string(data)[:strings.Index(string(data), "    correct: 3\n")], "\n") + 1
	code, _, stderr := runCmd(t, dbURL, "import", "quiz", bad)
	if code != 1 {
		t.Fatalf("exit code %d for a bad bank; stderr:\n%s", code, stderr)
	}
	want := bad + ":" + strconv.Itoa(line) + ": question \"t0-1-volume\": field correct: 3 is out of range (3 options, numbered from 0)"
	if !strings.Contains(stderr, "the bank was rejected, nothing was stored") || !strings.Contains(stderr, want) {
		t.Fatalf("stderr does not name the line:\n%s\nwant %s", stderr, want)
	}
	if n := countBanks(t, dbURL, "true"); n != 0 {
		t.Fatalf("%d banks stored after a rejected import", n)
	}

	// --check reads without storing.
	good := quizBankFile(t, nil)
	code, stdout, stderr := runCmd(t, dbURL, "import", "quiz", "--check", good)
	if code != 0 || !strings.Contains(stdout, "a sound quiz bank") || !strings.Contains(stdout, "12 questions, 2 areas, 3 competences") {
		t.Fatalf("--check: code %d\n%s%s", code, stdout, stderr)
	}
	if n := countBanks(t, dbURL, "true"); n != 0 {
		t.Fatalf("--check stored %d banks", n)
	}

	// A sound bank is stored and made active.
	code, stdout, stderr = runCmd(t, dbURL, "import", "quiz", good)
	if code != 0 || !strings.Contains(stdout, "imported: 12 questions") || !strings.Contains(stdout, "Restart `hocvuso serve`") {
		t.Fatalf("import: code %d\n%s%s", code, stdout, stderr)
	}
	if n := countBanks(t, dbURL, "active AND source = 'bank.yaml'"); n != 1 {
		t.Fatalf("%d active imported banks, want 1", n)
	}
	// Back to the embedded bank.
	code, stdout, _ = runCmd(t, dbURL, "import", "quiz", "--builtin")
	if code != 0 || !strings.Contains(stdout, "bank built into their binary") {
		t.Fatalf("--builtin: code %d\n%s", code, stdout)
	}
	if n := countBanks(t, dbURL, "active"); n != 0 {
		t.Fatalf("%d active banks after --builtin", n)
	}

	// Mistakes on the command line.
	for _, args := range [][]string{{"import"}, {"import", "units-of-nothing"}, {"import", "quiz"}, {"import", "quiz", "--force", good},
		{"import", "quiz", filepath.Join(t.TempDir(), "missing.yaml")}} {
		if code, _, stderr := runCmd(t, dbURL, args...); code != 1 || stderr == "" {
			t.Errorf("%q: code %d, stderr %q", args, code, stderr)
		}
	}
	if code, stdout, _ := runCmd(t, dbURL, "import", "help"); code != 0 || !strings.Contains(stdout, "quiz") {
		t.Errorf("import help: code %d\n%s", code, stdout)
	}
}

// A code is unique regardless of case against the units recorded too: a
// list re-imported with "snv" for SNV is rejected with its line, and no
// second Sở Nội vụ is made.
func TestImportUnitsCodeInAnotherCaseThanRecorded(t *testing.T) {
	dbURL := storetest.NewDatabaseURL(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "units.csv")
	if err := os.WriteFile(first, []byte("code,name,kind\nSNV,Sở Nội vụ,department\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd(t, dbURL, "import", "units", first); code != 0 {
		t.Fatalf("first import: exit %d\n%s%s", code, out, errs)
	}
	again := filepath.Join(dir, "again.csv")
	if err := os.WriteFile(again, []byte("code,name,kind\r\nSYT,Sở Y tế,department\r\nsnv,Sở Nội vụ tỉnh Sơn La,department\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCmd(t, dbURL, "import", "units", again)
	want := again + `:3: unit "snv": field code: is the recorded unit SNV (Sở Nội vụ) written in another case`
	if code != 1 || !strings.Contains(errs, "nothing was stored") || !strings.Contains(errs, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant %s", code, errs, want)
	}
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	units, err := db.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 1 || units[0].Code != "SNV" || units[0].Name != "Sở Nội vụ" {
		t.Fatalf("units after the rejected import: %+v", units)
	}
}
