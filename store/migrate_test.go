package store_test

import (
	"context"
	"io"
	"log/slog"
	neturl "net/url"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"hocvuso/store"
	"hocvuso/store/storetest"
)

// Replicas starting together on a fresh database all come up: one applies
// the migrations under the advisory lock, the others find them applied.
func TestMigrate_ReplicasStartingTogether(t *testing.T) {
	url := storetest.NewDatabaseURL(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	const replicas = 4
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			errs[i] = db.Migrate(ctx, log)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var applied, distinct int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	if applied == 0 || applied != distinct {
		t.Fatalf("%d migration rows for %d versions: applied twice or not at all", applied, distinct)
	}
}

// A database that does not exist yet is created on first open (a fresh
// machine needs no set-up).
func TestOpen_CreatesMissingDatabase(t *testing.T) {
	ctx := context.Background()
	name := storetest.Name("hocvuso_test_new_")
	u, err := neturl.Parse(storetest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	admin, err := pgx.Connect(ctx, storetest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })

	db, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil || !exists {
		t.Fatalf("database %s not created (%v)", name, err)
	}
}
