package officials

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/flows/report/export"
	"hocvuso/store"
)

// Workbook is a period's XLSX file, with the overview it was made from.
type Workbook struct {
	Name     string
	MIME     string
	Bytes    []byte
	Overview store.PeriodOverview
}

// Export makes the workbook of a period as of now (flows/report/export):
// every unit the period applies to, every version of every report, with
// the columns of every form version the reports were made with. /export
// sends it; "hocvuso export" writes it to a file.
func Export(ctx context.Context, st Store, cfg *config.Config, text bot.Translator, loc *time.Location, p *config.Period, now time.Time) (Workbook, error) {
	ov, err := st.PeriodOverview(ctx, p.ID, KindDues(p), now)
	if err != nil {
		return Workbook{}, err
	}
	versions, err := st.PeriodReportVersions(ctx, p.ID)
	if err != nil {
		return Workbook{}, err
	}
	forms, err := formsOf(ctx, st, cfg, p, versions)
	if err != nil {
		return Workbook{}, err
	}
	var buf bytes.Buffer
	err = export.Write(&buf, export.Data{PeriodID: p.ID, Units: ov.Units, Versions: versions, Forms: forms, Location: loc, Text: text})
	if err != nil {
		return Workbook{}, fmt.Errorf("export %s: %w", p.ID, err)
	}
	return Workbook{Name: export.FileName(p.ID, now, loc), MIME: export.MIME, Bytes: buf.Bytes(), Overview: ov}, nil
}

// formsOf lists the period's form, then every other form version the
// reports were made with, newest first. A version the configuration no
// longer has is read as it was recorded with the reports.
func formsOf(ctx context.Context, st Store, cfg *config.Config, p *config.Period, versions []store.ReportVersion) ([]*config.Form, error) {
	type key struct {
		id      string
		version int
	}
	seen := map[key]bool{}
	var forms []*config.Form
	if f := cfg.PeriodForm(p); f != nil {
		forms = append(forms, f)
		seen[key{f.ID, f.Version}] = true
	}
	var used []key
	for _, v := range versions {
		k := key{v.FormID, v.FormVersion}
		if !seen[k] {
			seen[k] = true
			used = append(used, k)
		}
	}
	// Newest first: a label changed in a later version wins.
	slices.SortFunc(used, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(b.version, a.version))
	})
	for _, k := range used {
		if f, ok := cfg.Form(k.id, k.version); ok {
			forms = append(forms, f)
			continue
		}
		stored, ok, err := st.Form(ctx, k.id, k.version)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // its answers still show, under their keys
		}
		f, err := config.ParseForm(config.File{Name: fmt.Sprintf("%s.v%d.yaml (recorded)", k.id, k.version), Data: stored.Content})
		if err != nil {
			continue // likewise
		}
		forms = append(forms, f)
	}
	return forms, nil
}
