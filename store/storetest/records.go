package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"hocvuso/store"
)

// FinishQuiz records a finished attempt of the user in area at at: score
// right answers of total (questions "q0", "q1"…, the first option chosen),
// against a pass mark of 80%.
func FinishQuiz(t testing.TB, db *store.DB, userID int64, area string, score, total int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, total)
	orders := make([][]int, total)
	for i := range ids {
		ids[i], orders[i] = fmt.Sprintf("q%d", i), []int{0, 1, 2}
	}
	id, err := db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: userID, BankVersion: "test", Area: area,
		QuestionIDs: ids, OptionOrders: orders, StartedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	for i := range total {
		if _, err := db.RecordAnswer(ctx, store.QuizAnswer{AttemptID: id, Position: i, QuestionID: ids[i], Chosen: 0, Correct: i < score, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.FinishAttempt(ctx, id, 80, at); err != nil {
		t.Fatal(err)
	}
}
