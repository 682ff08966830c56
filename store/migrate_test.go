package store_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	neturl "net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

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
	// Cleanups, not a defer: a deferred Close ran before the drop, which
	// then failed unseen and left the database behind.
	t.Cleanup(func() { admin.Close(context.Background()) })
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})

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

// Migration 00016 numbers the drafts after those gone: the last version of
// each unit's drafts for a period comes from the audit log, and an
// amendment under way moves above it, so a view of a gone draft taken
// before the migration no longer matches it, while its own view, renumbered
// with it, does.
func TestMigrate_00016NumbersDraftsAfterThoseGone(t *testing.T) {
	url := storetest.NewDatabaseURL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 15); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 25, 2, 0, 0, 0, time.UTC)
	// SNV sent a draft changed up to version 5 and is amending it: version
	// 3 of the amendment, classes answered at 3. 03670 sent a draft never
	// changed; 03664 has a first draft at version 4.
	for _, q := range []string{
		`INSERT INTO units (code, name, kind, created_at, updated_at) VALUES
			('SNV', 'Sở Nội vụ', 'department', $1, $1), ('03670', 'Phường Chiềng Cơi', 'commune', $1, $1), ('03664', 'Phường Chiềng An', 'commune', $1, $1)`,
		`INSERT INTO report_forms (form_id, version, hash, content, recorded_at) VALUES ('plan', 1, 'h', 'id: plan', $1)`,
		`INSERT INTO reports (unit_code, period_id, seq, current_version, first_submitted_at) VALUES ('SNV', 'plan', 1, 1, $1), ('03670', 'plan', 2, 1, $1)`,
		`INSERT INTO report_versions (report_id, version, receipt, form_id, form_version, answers, submitted_at, due_on, days_late)
			SELECT id, 1, 'plan-000' || seq || '.1', 'plan', 1, '{"classes": {"type": "number", "number": "10"}}', $1, '2025-06-30', 0 FROM reports`,
		`INSERT INTO report_audit (at, action, unit_code, period_id, detail)
			SELECT $1, 'draft.answer', 'SNV', 'plan', jsonb_build_object('key', 'classes', 'draft_version', v) FROM generate_series(2, 5) v`,
		`INSERT INTO report_audit (at, action, unit_code, period_id, detail) VALUES
			($1, 'report.submit', 'SNV', 'plan', '{"version": 1}'),
			($1, 'draft.reason', 'SNV', 'plan', '{"amends": 1, "draft_version": 2}'),
			($1, 'draft.answer', 'SNV', 'plan', '{"key": "classes", "draft_version": 3}'),
			($1, 'report.submit', '03670', 'plan', '{"version": 1}')`,
		`INSERT INTO report_drafts (unit_code, period_id, form_id, form_version, answers, answered, base_version, version, created_at, updated_at, reason) VALUES
			('SNV', 'plan', 'plan', 1, '{"classes": {"type": "number", "number": "12"}}', '{"classes": 3}', 1, 3, $1, $1, 'sửa số lớp'),
			('03664', 'plan', 'plan', 1, '{"classes": {"type": "number", "number": "7"}}', '{"classes": 4}', 0, 4, $1, $1, '')`,
	} {
		if _, err := db.Pool.Exec(ctx, q, at); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}

	last := map[string]int64{}
	rows, _ := db.Pool.Query(ctx, `SELECT unit_code, last_draft_version FROM reports`)
	var unit string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&unit, &n}, func() error { last[unit] = n; return nil }); err != nil {
		t.Fatal(err)
	}
	if last["SNV"] != 5 || last["03670"] != 1 || len(last) != 2 {
		t.Errorf("last draft versions %v; want SNV 5, 03670 1", last)
	}
	snv, _, _ := db.Draft(ctx, "SNV", "plan")
	if snv.Version != 8 || snv.Answered["classes"] != 3 {
		t.Errorf("SNV's amendment at version %d, classes at %d; want 3 moved above 5 (8), classes kept at 3", snv.Version, snv.Answered["classes"])
	}
	if d, _, _ := db.Draft(ctx, "03664", "plan"); d.Version != 4 {
		t.Errorf("03664's first draft at version %d; want 4 as it was", d.Version)
	}

	// A view of the sent draft at 3, from before the migration, is refused;
	// the amendment's own view at 3 is still told what changed since;
	// from the amendment's new number it goes.
	due := time.Date(2025, 6, 30, 0, 0, 0, 0, store.ReportZone)
	if _, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan", Seen: 3, Due: due, At: at}); !errors.As(err, new(*store.DraftConflict)) {
		t.Errorf("sending from an old view: %v; want a conflict", err)
	}
	start := store.DraftStart{UnitCode: "SNV", PeriodID: "plan", FormID: "plan", FormVersion: 1, At: at}
	if _, err := db.SaveDraftAnswer(ctx, store.DraftAnswer{DraftStart: start, Key: "classes", Value: []byte(`{"type": "number", "number": "13"}`), Seen: 2}); !errors.As(err, new(*store.DraftConflict)) {
		t.Errorf("answering classes from a view before its answer: %v; want a conflict", err)
	}
	if v, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan", Seen: 8, Due: due, At: at}); err != nil || v.Version != 2 {
		t.Fatalf("sending the amendment as seen: %+v, %v", v, err)
	}
	if d, _, err := db.OpenDraft(ctx, start); err != nil || d.Version != 9 {
		t.Errorf("the next amendment: version %d, %v; want 9", d.Version, err)
	}
}
