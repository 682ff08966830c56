// Package banktest is the small question bank of the tests: area "0" (Sử
// dụng thiết bị số cơ bản) and area "4" (An toàn), six questions each, in
// testdata/ beside this file.
package banktest

import (
	"embed"
	"testing"

	"hocvuso/flows/quiz/bank"
)

//go:embed testdata/areas.yaml testdata/questions.yaml
var testdata embed.FS

// Files are the bank's files, areas then questions, by their base names.
func Files(t testing.TB) []bank.File {
	t.Helper()
	var files []bank.File
	for _, name := range []string{"areas.yaml", "questions.yaml"} {
		data, err := testdata.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, bank.File{Name: name, Data: data})
	}
	return files
}

// Load loads the bank.
func Load(t testing.TB) *bank.Bank {
	t.Helper()
	b, err := bank.Load(Files(t)...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
