package store_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

func newQuizUser(t *testing.T, db *store.DB, external string) int64 {
	t.Helper()
	id, err := db.CreateUser(context.Background(), store.NewUser{
		Channel: bot.Telegram, ExternalID: external, ChatID: external, DisplayName: "Lò Văn A",
		Language: "vi", ConsentVersion: "test", At: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestQuizBanks(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	if _, ok, err := db.ActiveQuizBank(ctx); err != nil || ok {
		t.Fatalf("a fresh database has an active bank: %v %v", ok, err)
	}
	// The embedded bank is recorded, not activated, and recording twice is harmless.
	for range 2 {
		if err := db.RecordQuizBank(ctx, "embedded1", "embedded", []byte("areas: []")); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, _ := db.ActiveQuizBank(ctx); ok {
		t.Fatal("recording the embedded bank activated it")
	}
	now := time.Now()
	created, err := db.ImportQuizBank(ctx, "imported1", "bank.yaml", []byte("one"), now)
	if err != nil || !created {
		t.Fatalf("import: created=%v err=%v", created, err)
	}
	created, err = db.ImportQuizBank(ctx, "imported2", "bank2.yaml", []byte("two"), now)
	if err != nil || !created {
		t.Fatalf("second import: created=%v err=%v", created, err)
	}
	b, ok, err := db.ActiveQuizBank(ctx)
	if err != nil || !ok || b.Version != "imported2" || string(b.Content) != "two" || b.Source != "bank2.yaml" {
		t.Fatalf("active bank = %+v %v %v, want imported2", b, ok, err)
	}
	// Importing an older version again reactivates it, without a copy.
	created, err = db.ImportQuizBank(ctx, "imported1", "bank.yaml", []byte("one"), now)
	if err != nil || created {
		t.Fatalf("re-import: created=%v err=%v", created, err)
	}
	if b, _, _ := db.ActiveQuizBank(ctx); b.Version != "imported1" {
		t.Fatalf("active bank %s, want imported1", b.Version)
	}
	if old, err := db.QuizBank(ctx, "imported2"); err != nil || string(old.Content) != "two" || old.Active {
		t.Fatalf("old bank = %+v %v", old, err)
	}
	if _, err := db.QuizBank(ctx, "nope"); !errors.Is(err, store.ErrNoQuizBank) {
		t.Fatalf("unknown version: %v", err)
	}
	if n, err := db.DeactivateQuizBanks(ctx); err != nil || n != 1 {
		t.Fatalf("deactivate: %d %v", n, err)
	}
	if _, ok, _ := db.ActiveQuizBank(ctx); ok {
		t.Fatal("a bank is still active")
	}
}

func TestQuizAttempts(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	user := newQuizUser(t, db, "42")
	other := newQuizUser(t, db, "43")
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

	if _, ok, err := db.UnfinishedAttempt(ctx, user); err != nil || ok {
		t.Fatalf("unfinished attempt before any: %v %v", ok, err)
	}
	first, err := db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: user, BankVersion: "v1", Area: "4",
		QuestionIDs: []string{"a", "b", "c", "d", "e"}, OptionOrders: [][]int{{2, 0, 1}, {0, 1, 2}, {1, 0, 2, 3}, {0, 2, 1}, {2, 1, 0}}, StartedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	answer := func(attempt int64, pos int, chosen int, correct bool) store.QuizAnswer {
		t.Helper()
		got, err := db.RecordAnswer(ctx, store.QuizAnswer{AttemptID: attempt, Position: pos, QuestionID: string(rune('a' + pos)),
			Chosen: chosen, Correct: correct, At: t0.Add(time.Duration(pos+1) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	answer(first, 0, 1, true)
	answer(first, 1, 0, false)
	// A redelivered or doubled answer keeps the first one.
	if got := answer(first, 1, 2, true); got.Correct || got.Chosen != 0 {
		t.Errorf("a second answer at position 1 replaced the first: %+v", got)
	}

	a, ok, err := db.UnfinishedAttempt(ctx, user)
	if err != nil || !ok {
		t.Fatalf("unfinished attempt: %v %v", ok, err)
	}
	if a.ID != first || a.Area != "4" || a.BankVersion != "v1" || len(a.QuestionIDs) != 5 || a.Total != 5 ||
		len(a.OptionOrders) != 5 || a.OptionOrders[2][0] != 1 || len(a.Answers) != 2 || !a.Answers[0].Correct || a.Answers[1].Correct {
		t.Fatalf("unfinished attempt = %+v", a)
	}
	if _, ok, _ := db.UnfinishedAttempt(ctx, other); ok {
		t.Fatal("another user's attempt was found")
	}

	// A new attempt abandons the one left unfinished.
	second, err := db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: user, BankVersion: "v1", Area: "4",
		QuestionIDs: []string{"a", "b", "c", "d", "e"}, OptionOrders: make([][]int, 5), StartedAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var abandoned bool
	if err := db.Pool.QueryRow(ctx, `SELECT abandoned_at IS NOT NULL FROM quiz_attempts WHERE id = $1`, first).Scan(&abandoned); err != nil || !abandoned {
		t.Fatalf("the first attempt was not abandoned: %v", err)
	}
	for pos, correct := range []bool{true, true, true, true, false} {
		answer(second, pos, 0, correct)
	}
	f, err := db.FinishAttempt(ctx, second, 80, t0.Add(2*time.Hour))
	if err != nil || f.Score != 4 || f.Total != 5 || !f.Passed {
		t.Fatalf("finish = %+v %v, want 4/5 passed at 80%%", f, err)
	}
	// Finishing again (a redelivered update) changes nothing.
	if len(f.Bests) != 1 || f.Bests[0].Area != "4" || f.Bests[0].Score != 4 || !f.Bests[0].Passed || !f.Bests[0].PassedAt.Equal(f.FinishedAt) {
		t.Fatalf("bests after finishing = %+v, want this attempt as area 4's best", f.Bests)
	}
	if f2, err := db.FinishAttempt(ctx, second, 100, t0.Add(3*time.Hour)); err != nil || !reflect.DeepEqual(f2, f) {
		t.Fatalf("finishing again = %+v %v, want %+v", f2, err, f)
	}
	if _, ok, _ := db.UnfinishedAttempt(ctx, user); ok {
		t.Fatal("a finished attempt is still in progress")
	}

	// A failed attempt in the quick test, a failed one in area 0.
	quick, _ := db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: user, BankVersion: "v1", QuestionIDs: []string{"a", "b"}, OptionOrders: make([][]int, 2), StartedAt: t0.Add(4 * time.Hour)})
	answer(quick, 0, 0, true)
	answer(quick, 1, 0, false)
	if f, _ := db.FinishAttempt(ctx, quick, 80, t0.Add(5*time.Hour)); f.Passed || f.Score != 1 {
		t.Fatalf("quick test = %+v", f)
	}
	zero, _ := db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: user, BankVersion: "v1", Area: "0", QuestionIDs: []string{"a"}, OptionOrders: make([][]int, 1), StartedAt: t0.Add(6 * time.Hour)})
	if ok, err := db.AbandonAttempt(ctx, user, t0.Add(7*time.Hour)); err != nil || !ok {
		t.Fatalf("abandon: %v %v", ok, err)
	}
	if ok, _ := db.AbandonAttempt(ctx, user, t0.Add(7*time.Hour)); ok {
		t.Fatal("abandoned twice")
	}
	_ = zero

	// A worse later attempt in area 4 does not hide the best.
	third, _ := db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: user, BankVersion: "v1", Area: "4", QuestionIDs: []string{"a", "b"}, OptionOrders: make([][]int, 2), StartedAt: t0.Add(8 * time.Hour)})
	answer(third, 0, 0, false)
	answer(third, 1, 0, false)
	f3, err := db.FinishAttempt(ctx, third, 80, t0.Add(9*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	bests, err := db.AreaBests(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f3.Bests, bests) {
		t.Errorf("bests read with the finish = %+v, by AreaBests = %+v", f3.Bests, bests)
	}
	if len(bests) != 2 {
		t.Fatalf("bests = %+v, want the quick test and area 4 (area 0 was abandoned)", bests)
	}
	q, four := bests[0], bests[1]
	if q.Area != "" || q.Score != 1 || q.Total != 2 || q.Passed || !q.PassedAt.IsZero() || q.Attempts != 1 {
		t.Errorf("quick test best = %+v", q)
	}
	if four.Area != "4" || four.Score != 4 || four.Total != 5 || !four.Passed || four.Attempts != 2 ||
		!four.PassedAt.Equal(t0.Add(2*time.Hour)) || !four.At.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("area 4 best = %+v", four)
	}
	if bests, _ := db.AreaBests(ctx, other); len(bests) != 0 {
		t.Errorf("another user has bests %+v", bests)
	}
	// The areas passed are those AreaBests says passed.
	if passed, err := db.PassedAreas(ctx, user); err != nil || len(passed) != 1 || passed[0] != "4" {
		t.Errorf("passed areas = %q %v, want [4]", passed, err)
	}
	if passed, err := db.PassedAreas(ctx, other); err != nil || len(passed) != 0 {
		t.Errorf("another user passed %q %v", passed, err)
	}
}

// Attempts started at once by many users are created together, each with
// its own id, the left-over attempt of each abandoned; a bad one (a user
// erased meanwhile) fails alone.
func TestQuizWriterCreatesAttempts(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	const users = 30
	uids := make([]int64, users)
	left := make([]int64, users)
	for i := range users {
		uids[i] = newQuizUser(t, db, "c"+string(rune('a'+i%26))+string(rune('a'+i/26)))
		var err error
		if left[i], err = db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: uids[i], BankVersion: "v", QuestionIDs: []string{"q0"},
			OptionOrders: make([][]int, 1), StartedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	w := store.NewQuizWriter(db)
	ids := make([]int64, users+1)
	errs := make([]error, users+1)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range users + 1 {
		wg.Go(func() {
			<-start
			uid := int64(1 << 40) // no such user
			if i < users {
				uid = uids[i]
			}
			ids[i], errs[i] = w.CreateAttempt(ctx, store.NewQuizAttempt{UserID: uid, BankVersion: "v", Area: "3",
				QuestionIDs: []string{"q0", "q1"}, OptionOrders: [][]int{{1, 0}, {0, 1}}, StartedAt: time.Now()})
		})
	}
	close(start)
	wg.Wait()
	if errs[users] == nil {
		t.Error("an attempt for a missing user was created")
	}
	seen := map[int64]bool{}
	for i := range users {
		if errs[i] != nil || ids[i] == 0 || seen[ids[i]] {
			t.Fatalf("user %d: id %d, %v", i, ids[i], errs[i])
		}
		seen[ids[i]] = true
		a, ok, err := db.UnfinishedAttempt(ctx, uids[i])
		if err != nil || !ok || a.ID != ids[i] || a.Area != "3" || len(a.OptionOrders) != 2 || a.OptionOrders[0][0] != 1 {
			t.Errorf("user %d: attempt in progress %+v %v %v, want %d", i, a, ok, err, ids[i])
		}
		var abandoned bool
		if err := db.Pool.QueryRow(ctx, `SELECT abandoned_at IS NOT NULL FROM quiz_attempts WHERE id = $1`, left[i]).Scan(&abandoned); err != nil || !abandoned {
			t.Errorf("user %d: the attempt left over was not abandoned (%v)", i, err)
		}
	}
}

// Answers and finishes of many users at once, in the same batches: each
// finish counts the answers recorded before it (or with it, by
// AnswerAndFinish), and finishing again gives the same outcome.
func TestQuizWriterFinishesAttempts(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	const users = 30
	attempts := make([]int64, users)
	for i := range users {
		uid := newQuizUser(t, db, "f"+string(rune('a'+i%26))+string(rune('a'+i/26)))
		var err error
		if attempts[i], err = db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: uid, BankVersion: "v", QuestionIDs: []string{"q0", "q1"},
			OptionOrders: make([][]int, 2), StartedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	w := store.NewQuizWriter(db)
	var wg sync.WaitGroup
	results := make([][2]store.FinishedAttempt, users)
	for i := range users {
		wg.Go(func() {
			// Right answers for the first half, one wrong for the others.
			// Odd users give their last answer and finish in one write.
			for pos := range 2 {
				a := store.QuizAnswer{AttemptID: attempts[i], Position: pos, QuestionID: "q", Correct: i < users/2 || pos == 0, At: time.Now()}
				if pos == 1 && i%2 == 1 {
					stored, f, err := w.AnswerAndFinish(ctx, a, 80)
					if err != nil || stored.Correct != a.Correct {
						t.Errorf("user %d: answer and finish: %+v %v", i, stored, err)
						return
					}
					results[i][0] = f
					continue
				}
				if _, err := w.RecordAnswer(ctx, a); err != nil {
					t.Error(err)
					return
				}
			}
			for k := range 2 {
				if k == 0 && i%2 == 1 {
					continue
				}
				f, err := w.FinishAttempt(ctx, attempts[i], 80, time.Now())
				if err != nil {
					t.Error(err)
					return
				}
				results[i][k] = f
			}
		})
	}
	wg.Wait()
	for i := range users {
		f := results[i][0]
		want := 1
		if i < users/2 {
			want = 2
		}
		if f.Score != want || f.Total != 2 || f.Passed != (want == 2) || f.FinishedAt.IsZero() || !reflect.DeepEqual(results[i][1], f) {
			t.Errorf("user %d: finished %+v then %+v, want %d/2", i, f, results[i][1], want)
		}
		// Each user's bests, read in the same batch, are their own attempt.
		if len(f.Bests) != 1 || f.Bests[0].Score != want || f.Bests[0].Attempts != 1 || !f.Bests[0].At.Equal(f.FinishedAt) {
			t.Errorf("user %d: bests %+v, want their one attempt", i, f.Bests)
		}
	}
}

// Answers given at once by many users are written together; each caller gets
// its answer as stored, the first one at a position counts, and a bad
// answer does not fail the others.
func TestQuizWriterRecordsAnswers(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	const users = 40
	attempts := make([]int64, users)
	for i := range users {
		uid := newQuizUser(t, db, "b"+string(rune('a'+i%26))+string(rune('a'+i/26)))
		id, err := db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: uid, BankVersion: "v", QuestionIDs: []string{"q0", "q1"},
			OptionOrders: make([][]int, 2), StartedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		attempts[i] = id
	}
	bt := store.NewQuizWriter(db)
	type result struct {
		got store.QuizAnswer
		err error
	}
	// Every user answers position 0 twice at once (chosen 1, then 2), and
	// an answer for an attempt that does not exist is mixed in.
	results := make([]result, 2*users+1)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 2*users + 1 {
		wg.Go(func() {
			<-start
			a := store.QuizAnswer{Position: 0, QuestionID: "q0", Chosen: 1 + i/users, Correct: i < users, At: time.Now()}
			if i == 2*users {
				a.AttemptID = 1 << 40
			} else {
				a.AttemptID = attempts[i%users]
			}
			got, err := bt.RecordAnswer(ctx, a)
			results[i] = result{got, err}
		})
	}
	close(start)
	wg.Wait()
	for i := range users {
		a, b := results[i], results[i+users]
		if a.err != nil || b.err != nil {
			t.Fatalf("user %d: %v, %v", i, a.err, b.err)
		}
		if a.got != b.got || a.got.AttemptID != attempts[i] || a.got.Position != 0 {
			t.Errorf("user %d: the two answers at position 0 read back differently: %+v and %+v", i, a.got, b.got)
		}
	}
	if results[2*users].err == nil {
		t.Error("an answer to a missing attempt was recorded")
	}
	var rows int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM quiz_answers`).Scan(&rows); err != nil || rows != users {
		t.Fatalf("%d answers stored, want %d: %v", rows, users, err)
	}
	// Each stored answer is the one returned.
	for i := range users {
		var chosen int
		if err := db.Pool.QueryRow(ctx, `SELECT chosen FROM quiz_answers WHERE attempt_id = $1`, attempts[i]).Scan(&chosen); err != nil || chosen != results[i].got.Chosen {
			t.Errorf("user %d: stored %d, returned %d (%v)", i, chosen, results[i].got.Chosen, err)
		}
	}
}

// Two transactions answering the same position at once (one user on two
// channels) both get the answer that was stored, never an error.
func TestRecordAnswerRace(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	uid := newQuizUser(t, db, "race")
	id, err := db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: uid, BankVersion: "v", QuestionIDs: make([]string, 50),
		OptionOrders: make([][]int, 50), StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for pos := range 50 {
		var got [2]store.QuizAnswer
		var errs [2]error
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				got[i], errs[i] = db.RecordAnswer(ctx, store.QuizAnswer{AttemptID: id, Position: pos, QuestionID: "q", Chosen: i, At: time.Now()})
			})
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || got[0].Chosen != got[1].Chosen {
			t.Fatalf("position %d: %+v %v / %+v %v", pos, got[0], errs[0], got[1], errs[1])
		}
	}
}
