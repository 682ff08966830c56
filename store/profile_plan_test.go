package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hocvuso/store"
	"hocvuso/store/storetest"
)

// The leaderboard's counts, this month and overall, read only the covering
// indexes of the finished attempts (00004, with the area since 00017), not
// the heap: counting passed as an area's test passed needs the area there.
func TestParticipationReadsOnlyAnIndex(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	// 2,000 users, 10 finished attempts each over a year, some quick tests.
	if _, err := db.Pool.Exec(ctx, `
		WITH u AS (
			INSERT INTO users (display_name, consent_at, consent_version, commune_code)
			SELECT 'u', now(), 'test', '0' || (3600 + i % 50) FROM generate_series(1, 2000) i RETURNING id)
		INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
		SELECT id, 'test', (CASE WHEN j % 3 = 0 THEN '' ELSE (j % 7)::text END), '{}', '[]', 10, j, j >= 8,
			timestamptz '2026-01-01' + (id * 7 + j * 37) % 365 * interval '1 day',
			timestamptz '2026-01-01' + (id * 7 + j * 37) % 365 * interval '1 day'
		FROM u, generate_series(1, 10) j`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `VACUUM ANALYZE quiz_attempts, users`); err != nil {
		t.Fatal(err)
	}
	// On a table this small a sequential or bitmap scan may cost less; the
	// question is whether an index covers the query, as on millions of
	// attempts.
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off; SET enable_bitmapscan = off`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `RESET enable_seqscan; RESET enable_bitmapscan`) //nolint:errcheck
	for _, c := range []struct {
		what     string
		from, to time.Time
		index    string
	}{
		{"a month", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "quiz_attempts_participation_month"},
		{"overall", time.Time{}, time.Time{}, "quiz_attempts_participation_user"},
	} {
		query, args := store.ParticipationSQL(c.from, c.to)
		rows, err := conn.Query(ctx, `EXPLAIN `+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "Index Only Scan using "+c.index) {
			t.Errorf("%s: the counts do not read only %s:\n%s", c.what, c.index, text)
		}
	}
}
