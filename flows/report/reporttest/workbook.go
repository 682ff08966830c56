package reporttest

import (
	"bytes"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Workbook opens the XLSX of an export (/export, hocvuso export) and
// returns the rows of its two sheets, "Đơn vị" and "Lịch sử", headers
// first; the test fails when it is not such a workbook.
func Workbook(t testing.TB, data []byte) (units, history [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not an XLSX file: %v", err)
	}
	defer func() { _ = f.Close() }()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Đơn vị", "Lịch sử"}) {
		t.Fatalf("sheets %q", got)
	}
	if units, err = f.GetRows("Đơn vị"); err != nil {
		t.Fatal(err)
	}
	if history, err = f.GetRows("Lịch sử"); err != nil {
		t.Fatal(err)
	}
	return units, history
}

// Cell is the cell of a row under a header (rows[0]); "" for a cell left
// empty at the end of its row.
func Cell(t testing.TB, rows [][]string, row int, header string) string {
	t.Helper()
	i := slices.Index(rows[0], header)
	if i < 0 {
		t.Fatalf("no column %q in %q", header, rows[0])
	}
	if i >= len(rows[row]) {
		return ""
	}
	return rows[row][i]
}
