package store_test

import (
	"context"
	"strings"
	"testing"

	"hocvuso/store"
	"hocvuso/store/storetest"
)

// A batch of answers finds those already stored by the primary key, even
// with the generic plan a prepared statement gets on a fresh, never
// analysed quiz_answers (autovacuum off): a plan that scanned the table
// would be kept as it grows, and every batch would read all the answers
// ever given.
func TestAnswerBatchLooksUpStoredAnswersByKey(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `PREPARE batch AS `+store.BatchAnswersSQL); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `DEALLOCATE batch`) //nolint:errcheck
	rows, err := conn.Query(ctx, `EXPLAIN EXECUTE batch('{1}', '{0}', '{q0}', '{0}', '{t}', array[now()])`)
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
	if strings.Contains(text, "Seq Scan on quiz_answers") || !strings.Contains(text, "Index Scan using quiz_answers_pkey") {
		t.Errorf("the batch's generic plan on an empty table does not look answers up by key:\n%s", text)
	}
}
