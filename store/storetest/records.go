package storetest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"hocvuso/bot"
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

// FocalPoints records the units and, for the i-th, a focal point on
// Telegram in chat chat0+i (its external id too), named "Lò Văn <chat>",
// reading lang, who agreed to the privacy notice; it returns their user
// ids, in the units' order.
func FocalPoints(t testing.TB, db *store.DB, units []store.Unit, chat0 int64, lang string) []int64 {
	t.Helper()
	ctx := context.Background()
	at := time.Now()
	if _, _, err := db.UpsertUnits(ctx, units, "test", at); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(units))
	for i, u := range units {
		chat := strconv.FormatInt(chat0+int64(i), 10)
		id, err := db.CreateUser(ctx, store.NewUser{Channel: bot.Telegram, ExternalID: chat, ChatID: chat,
			DisplayName: "Lò Văn " + chat, Language: lang, ConsentVersion: "test", At: at})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.GrantRole(ctx, id, store.RoleFocal, u.Code, "test", at); err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}
