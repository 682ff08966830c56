// Package export writes the reports of a period as an XLSX workbook for the
// officials: data in, file out, nothing read or written elsewhere.
//
// Sheet 1 has one row per unit the period applies to, submitted or not: its
// code, name, kind, due date, status, current version and receipt, first
// and last submission times, days late and amendment reason, the form
// version, then one column per form field with the current version's
// answers. Sheet 2 has one row per submitted version of every report: the
// history. Columns of fields are the union, by key, of every form version
// given, so the answers of a report made with an older form still show.
// Numbers and percentages are numbers, dates are dates, times are local
// times (Location); attached files show as their names and SHA-256.
//
// Labels come from the catalogue (locales/officials.*.yaml) in Vietnamese,
// the language of the province's records; field headers are the field's
// Vietnamese label, its unit (unless the label says it) and its key.
package export

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// Lang is the language of the workbook.
const Lang = "vi"

// MIME is the media type of the file Write produces.
const MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Data is everything the workbook shows.
type Data struct {
	PeriodID string
	// Units lists the units the period applies to with their state
	// (store.PeriodOverview), in the order of the rows.
	Units []store.UnitOverview
	// Versions lists every submitted version of every report of the period
	// (store.PeriodReportVersions), in the order of the rows.
	Versions []store.ReportVersion
	// Forms are the form versions whose fields make the columns: the
	// period's form first, then any other the versions were made with. A
	// field key appears once, labelled by the first form holding it;
	// answers to keys no form names still get a column of their own.
	Forms []*config.Form
	// Location is where times are shown (BOT_TIMEZONE).
	Location *time.Location
	// Text is the catalogue.
	Text bot.Translator
}

// FileName is the name the workbook of a period is sent or saved under.
func FileName(periodID string, at time.Time, loc *time.Location) string {
	return fmt.Sprintf("bao-cao-%s-%s.xlsx", periodID, at.In(loc).Format("20060102-1504"))
}

// column is one field column: a key and its header.
type column struct {
	key    string
	header string
	field  *config.Field // nil for an answer no form names
}

// Limits of the widths, in characters.
const (
	minWidth = 8
	maxWidth = 60
)

// Write writes the workbook of d to w.
func Write(w io.Writer, d Data) error {
	loc := d.Location
	if loc == nil {
		loc = config.Location
	}
	t := func(id string) string { return d.Text.Text(Lang, id, nil) }
	answers := make([]map[string]config.Value, len(d.Versions))
	for i, v := range d.Versions {
		a, err := config.DecodeAnswers(v.Answers)
		if err != nil {
			return fmt.Errorf("report %s: %w", v.Receipt, err)
		}
		answers[i] = a
	}
	cols := columns(d.Forms, answers)

	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	s, err := newStyles(f)
	if err != nil {
		return err
	}
	unitsSheet, historySheet := t("officials.xlsx.sheet.units"), t("officials.xlsx.sheet.history")
	if err := f.SetSheetName("Sheet1", unitsSheet); err != nil {
		return err
	}
	if _, err := f.NewSheet(historySheet); err != nil {
		return err
	}

	names := map[string]store.UnitOverview{}
	for _, u := range d.Units {
		names[u.Code] = u
	}
	current := map[string]int{} // a unit's current version, in d.Versions
	for i, v := range d.Versions {
		if u, ok := names[v.UnitCode]; ok && u.Version == v.Version {
			current[v.UnitCode] = i
		}
	}

	// Sheet 1: one row per unit.
	header := []string{t("officials.xlsx.col.code"), t("officials.xlsx.col.name"), t("officials.xlsx.col.kind"),
		t("officials.xlsx.col.due"), t("officials.xlsx.col.status"), t("officials.xlsx.col.version"),
		t("officials.xlsx.col.receipt"), t("officials.xlsx.col.first_submitted"), t("officials.xlsx.col.last_submitted"),
		t("officials.xlsx.col.days_late"), t("officials.xlsx.col.reason"), t("officials.xlsx.col.form")}
	rows := make([][]any, 0, len(d.Units))
	for _, u := range d.Units {
		row := []any{u.Code, u.Name, kindName(d.Text, u.Kind), date(u.Due, s), t(stateID(u)),
			nil, nil, nil, nil, u.DaysLate, text(u.Reason), nil}
		if u.Version > 0 {
			row[5], row[6] = u.Version, u.Receipt
			row[7], row[8] = stamp(u.FirstSubmittedAt, loc, s), stamp(u.LastSubmittedAt, loc, s)
		}
		var values map[string]config.Value
		if i, ok := current[u.Code]; ok {
			row[11], values = formName(d.Versions[i]), answers[i]
		}
		rows = append(rows, append(row, answerCells(d.Text, cols, values, s)...))
	}
	if err := writeSheet(f, unitsSheet, header, cols, rows, s); err != nil {
		return err
	}

	// Sheet 2: every version of every report.
	header = []string{t("officials.xlsx.col.code"), t("officials.xlsx.col.name"), t("officials.xlsx.col.kind"),
		t("officials.xlsx.col.version"), t("officials.xlsx.col.receipt"), t("officials.xlsx.col.submitted"),
		t("officials.xlsx.col.due"), t("officials.xlsx.col.days_late"), t("officials.xlsx.col.reason"), t("officials.xlsx.col.form")}
	rows = rows[:0]
	for i, v := range d.Versions {
		u, ok := names[v.UnitCode]
		name, kind := v.UnitCode, ""
		if ok {
			name, kind = u.Name, kindName(d.Text, u.Kind)
		}
		due := excelize.Cell{StyleID: s.date, Value: time.Date(v.DueOn.Year(), v.DueOn.Month(), v.DueOn.Day(), 0, 0, 0, 0, time.UTC)}
		row := []any{v.UnitCode, name, kind, v.Version, v.Receipt, stamp(v.SubmittedAt, loc, s), due, v.DaysLate, text(v.Reason), formName(v)}
		rows = append(rows, append(row, answerCells(d.Text, cols, answers[i], s)...))
	}
	if err := writeSheet(f, historySheet, header, cols, rows, s); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// stateID is the message of a unit's status. An amended report's says
// whether its first submission was on time or late, as the overview counts
// it (amending does not make a report late): a filter on the status column
// for "đúng hạn" or "trễ hạn" finds every report on time or late.
func stateID(u store.UnitOverview) string {
	if u.State == store.StateAmended && u.DaysLate > 0 {
		return "officials.state.amended_late"
	}
	return "officials.state." + string(u.State)
}

func formName(v store.ReportVersion) string { return fmt.Sprintf("%s v%d", v.FormID, v.FormVersion) }

// columns is the union of the forms' fields by key, in the order of the
// forms given and of their fields, then the keys of answers no form names,
// sorted.
func columns(forms []*config.Form, answers []map[string]config.Value) []column {
	var cols []column
	seen := map[string]bool{}
	for _, form := range forms {
		for _, fl := range form.Fields() {
			if seen[fl.Key] {
				continue
			}
			seen[fl.Key] = true
			cols = append(cols, column{key: fl.Key, header: header(fl), field: fl})
		}
	}
	var extra []string
	for _, a := range answers {
		for k := range a {
			if !seen[k] {
				seen[k] = true
				extra = append(extra, k)
			}
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		cols = append(cols, column{key: k, header: k})
	}
	return cols
}

// header is a field's column header: its Vietnamese label, its unit when
// the label does not say it (the chat shows the unit in the question's
// hint, the sheet has only the header; a percentage's is "%": its cells
// hold 85.5 for 85.5 %), and its key.
func header(fl *config.Field) string {
	h := fl.Label.VI
	u := fl.Unit.VI
	if u == "" && fl.Type == config.TypePercent {
		u = "%"
	}
	if u != "" && !strings.Contains(strings.ToLower(h), strings.ToLower(u)) {
		h += " (" + u + ")"
	}
	return fmt.Sprintf("%s (%s)", h, fl.Key)
}

// answerCells renders a row's answers in the columns' order.
func answerCells(tr bot.Translator, cols []column, answers map[string]config.Value, s styles) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		v, ok := answers[c.key]
		if !ok || v.Skipped {
			continue
		}
		out[i] = cell(tr, c.field, v, s)
	}
	return out
}

// cell is an answer as a cell: a number, a date, or text.
func cell(tr bot.Translator, fl *config.Field, v config.Value, s styles) any {
	switch v.Type {
	case config.TypeNumber, config.TypePercent:
		if n, ok := v.Float(); ok {
			return n
		}
		return text(v.Number)
	case config.TypeYesNo:
		if v.Yes == nil {
			return nil
		}
		if *v.Yes {
			return tr.Text(Lang, "officials.xlsx.yes", nil)
		}
		return tr.Text(Lang, "officials.xlsx.no", nil)
	case config.TypeChoice:
		if fl != nil {
			if o, ok := fl.Option(v.Choice); ok {
				return text(o.Label.VI)
			}
		}
		return text(v.Choice)
	case config.TypeDate:
		d, err := time.Parse(time.DateOnly, v.Date)
		if err != nil {
			return text(v.Date)
		}
		return excelize.Cell{StyleID: s.date, Value: d}
	case config.TypeFile:
		lines := make([]string, len(v.Files))
		for i, f := range v.Files {
			lines[i] = fmt.Sprintf("%s (SHA-256 %s)", f.Name, f.SHA256)
		}
		return text(strings.Join(lines, "\n"))
	}
	return text(v.Text)
}

// text is a string cell; "" is an empty cell.
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func kindName(tr bot.Translator, kind string) string {
	if kind == "" {
		return ""
	}
	return tr.Text(Lang, config.Kind(kind).NameID(), nil)
}

// date is a due date as a date cell: its day in Asia/Ho_Chi_Minh.
func date(t time.Time, s styles) any {
	if t.IsZero() {
		return nil
	}
	y, m, d := t.In(config.Location).Date()
	return excelize.Cell{StyleID: s.date, Value: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// stamp is an instant as a date-and-time cell, in loc's wall clock.
func stamp(t time.Time, loc *time.Location, s styles) any {
	if t.IsZero() {
		return nil
	}
	l := t.In(loc)
	return excelize.Cell{StyleID: s.stamp, Value: time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)}
}

type styles struct{ header, date, stamp, wrap int }

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	dateFmt, stampFmt := "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
	if s.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	}); err != nil {
		return s, err
	}
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Vertical: "top"}}); err != nil {
		return s, err
	}
	if s.stamp, err = f.NewStyle(&excelize.Style{CustomNumFmt: &stampFmt, Alignment: &excelize.Alignment{Vertical: "top"}}); err != nil {
		return s, err
	}
	s.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	return s, err
}

// writeSheet streams a sheet: the header row, frozen with the code and name
// columns, then the rows; widths fit the content within bounds.
func writeSheet(f *excelize.File, sheet string, header []string, cols []column, rows [][]any, s styles) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	all := make([]string, 0, len(header)+len(cols))
	all = append(all, header...)
	for _, c := range cols {
		all = append(all, c.header)
	}
	widths := make([]int, len(all))
	for i, h := range all {
		// A header wraps: half its length is enough, but never less than
		// its longest word.
		widths[i] = max(utf8.RuneCountInString(h)/2, longestWord(h))
	}
	for _, row := range rows {
		for i, v := range row {
			widths[i] = max(widths[i], cellWidth(v))
		}
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, float64(min(max(w+2, minWidth), maxWidth))); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 1, TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	cells := make([]any, len(all))
	for i, h := range all {
		cells[i] = excelize.Cell{StyleID: s.header, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	for r, row := range rows {
		for i, v := range row {
			if str, ok := v.(string); ok && strings.Contains(str, "\n") || ok && utf8.RuneCountInString(str) > maxWidth {
				row[i] = excelize.Cell{StyleID: s.wrap, Value: str}
			}
		}
		name, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(name, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func longestWord(s string) int {
	n := 0
	for w := range strings.FieldsSeq(s) {
		n = max(n, utf8.RuneCountInString(w))
	}
	return n
}

// cellWidth is how wide a value shows, in characters: its longest line.
func cellWidth(v any) int {
	switch v := v.(type) {
	case nil:
		return 0
	case string:
		n := 0
		for line := range strings.SplitSeq(v, "\n") {
			n = max(n, utf8.RuneCountInString(line))
		}
		return n
	case excelize.Cell:
		if _, ok := v.Value.(time.Time); ok {
			return 16
		}
		return cellWidth(v.Value)
	case int:
		return len(fmt.Sprint(v))
	case float64:
		return len(fmt.Sprint(v))
	}
	return 10
}
