package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"hocvuso/flows/officials"
	"hocvuso/flows/report/config"
	"hocvuso/locales"
)

// runExport writes a period's XLSX workbook, the same file /export sends:
// hocvuso export --period ID --out FILE.
func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("export", e)
	period := fs.String("period", "", "the reporting period's id (from periods.yaml), like annual-2025")
	out := fs.String("out", "", "the file to write, like bao-cao.xlsx")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: hocvuso export --period ID --out FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected argument %q; usage: hocvuso export --period ID --out FILE", fs.Arg(0))
	}
	reports, err := config.Embedded()
	if err != nil {
		return err
	}
	if *period == "" || *out == "" {
		return fmt.Errorf("export: both --period and --out are needed; periods: %s", periodIDs(reports))
	}
	p, ok := reports.Period(*period)
	if !ok {
		return fmt.Errorf("export: no period %q; periods: %s", *period, periodIDs(reports))
	}
	cfg, err := LoadConfig(e.getenv)
	if err != nil {
		return err
	}
	cat, err := locales.Load()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	x, err := officials.Export(ctx, db, reports, cat, cfg.Timezone, p, time.Now())
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, x.Bytes, 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	t := x.Overview.Total
	fmt.Fprintf(e.stdout, "%s: %d units, %d submitted (%d late), %d not submitted past the due date; written to %s (%d bytes)\n",
		p.ID, t.Total, t.Submitted, t.SubmittedLate, t.Overdue, *out, len(x.Bytes))
	return nil
}

func periodIDs(c *config.Config) string {
	ids := make([]string, len(c.Periods))
	for i, p := range c.Periods {
		ids[i] = p.ID
	}
	return strings.Join(ids, ", ")
}
