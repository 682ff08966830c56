package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"hocvuso/flows/report/unitfile"
	"hocvuso/store"
)

func init() {
	registerImporter(importer{
		kind:  "units",
		usage: "[--check] [--by NAME] FILE  add or update the participating units (CSV code,name,kind or YAML; see README)",
		run:   runImportUnits,
	})
}

// runImportUnits checks a units file and records its units in one
// transaction: a file with any problem is rejected whole, each problem with
// its line. Units missing from the file are left as they are.
func runImportUnits(ctx context.Context, e *env, args []string) error {
	check := false
	by := ""
	var paths []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--check":
			check = true
		case a == "--by":
			if i+1 >= len(args) {
				return errors.New("import units: --by needs a name")
			}
			i++
			by = args[i]
		case strings.HasPrefix(a, "--by="):
			by = strings.TrimPrefix(a, "--by=")
		case strings.HasPrefix(a, "-"):
			return fmt.Errorf("import units: unknown option %s (use --check or --by NAME)", a)
		default:
			paths = append(paths, a)
		}
	}
	if len(paths) != 1 {
		return errors.New("import units: give one file: hocvuso import units [--check] [--by NAME] FILE")
	}
	path := paths[0]
	data, err := readLimited(path, unitfile.MaxFileSize)
	if err != nil {
		return fmt.Errorf("import units: %w", err)
	}
	units, err := unitfile.Parse(path, data)
	if err != nil {
		var fe *unitfile.Error
		if errors.As(err, &fe) {
			return fmt.Errorf("import units: the file was rejected, nothing was stored:\n%w", err)
		}
		return err
	}
	if check {
		fmt.Fprintf(e.stdout, "%s: %s, all sound. Nothing was stored.\n", path, plural(len(units), "unit", "units"))
		return nil
	}
	by, err = adminName(e, by)
	if err != nil {
		return fmt.Errorf("import units: %w", err)
	}
	_, db, err := loadStore(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	// A code is unique regardless of case in the file; so against the
	// units recorded: "snv" would be a second Sở Nội vụ beside "SNV".
	stored, err := db.Units(ctx)
	if err != nil {
		return err
	}
	var problems []string
	for _, u := range units {
		for _, x := range stored {
			if x.Code != u.Code && strings.EqualFold(x.Code, u.Code) {
				problems = append(problems, fmt.Sprintf("%s:%d: unit %q: field code: is the recorded unit %s (%s) written in another case; write %s, or it would be a second unit",
					path, u.Line, u.Code, x.Code, x.Name, x.Code))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("import units: the file was rejected, nothing was stored:\n%s", strings.Join(problems, "\n"))
	}
	rows := make([]store.Unit, len(units))
	for i, u := range units {
		rows[i] = store.Unit{Code: u.Code, Name: u.Name, Kind: string(u.Kind)}
	}
	created, updated, err := db.UpsertUnits(ctx, rows, by, time.Now())
	if err != nil {
		return fmt.Errorf("import units: nothing was stored: %w", err)
	}
	fmt.Fprintf(e.stdout, "%s: %s: %d created, %d updated, %d unchanged.\n",
		path, plural(len(units), "unit", "units"), created, updated, len(units)-created-updated)
	return nil
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a folder, not a file", path)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes; at most %d are read", path, st.Size(), limit)
	}
	return os.ReadFile(path)
}

// adminName is who the records name as having acted: --by, else the
// system's user name. It is a name for people, kept in the audit log.
func adminName(e *env, by string) (string, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		by = strings.TrimSpace(e.getenv("USER"))
	}
	if by == "" {
		by = "admin"
	}
	if len([]rune(by)) > 100 || strings.ContainsFunc(by, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", fmt.Errorf("--by %q: a name of at most 100 characters on one line", by)
	}
	return by, nil
}
