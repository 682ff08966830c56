package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"hocvuso/store"
)

// importer loads one kind of content: `hocvuso import KIND ARGS...`. Each
// kind registers itself from its own file with registerImporter.
type importer struct {
	kind  string
	usage string // the arguments, then what it does
	run   func(ctx context.Context, e *env, args []string) error
}

var importers = map[string]importer{}

func registerImporter(im importer) {
	if _, dup := importers[im.kind]; dup {
		panic("hocvuso: two importers of " + im.kind)
	}
	importers[im.kind] = im
}

func importKinds() []string {
	kinds := make([]string, 0, len(importers))
	for k := range importers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

func importUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: hocvuso import KIND [arguments]\n\nkinds:")
	for _, k := range importKinds() {
		fmt.Fprintf(w, "  %-8s %s\n", k, importers[k].usage)
	}
}

func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		importUsage(e.stdout)
		if len(args) == 0 {
			return fmt.Errorf("import: say what to import: %s", strings.Join(importKinds(), ", "))
		}
		return nil
	}
	im, ok := importers[args[0]]
	if !ok {
		return fmt.Errorf("import: unknown kind %q; known kinds: %s", args[0], strings.Join(importKinds(), ", "))
	}
	if slices.ContainsFunc(args[1:], isHelpFlag) {
		fmt.Fprintf(e.stdout, "usage: hocvuso import %s %s\n", im.kind, im.usage)
		return nil
	}
	return im.run(ctx, e, args[1:])
}

// openStore opens and migrates the database alone, for the commands that
// need no Redis.
func openStore(ctx context.Context, e *env, cfg *Config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := db.Migrate(ctx, quietLogger(e, cfg)); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// loadStore reads the configuration, then opens the database as openStore
// does.
func loadStore(ctx context.Context, e *env) (*Config, *store.DB, error) {
	cfg, err := LoadConfig(e.getenv)
	if err != nil {
		return nil, nil, err
	}
	db, err := openStore(ctx, e, cfg)
	return cfg, db, err
}
