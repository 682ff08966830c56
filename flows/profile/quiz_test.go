package profile_test

import (
	"context"
	"strings"
	"testing"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/profile"
	"hocvuso/flows/quiz"
)

// Wired as cmd/hocvuso does: the real quiz flow with the embedded bank calls
// Offer when an attempt ends. A quick test answered by typing "A" ten times
// ends with the result, then the profile question; the commune chosen then
// shows the attempt on the leaderboard. The next attempt does not ask.
func TestOfferAfterARealQuizAttempt(t *testing.T) {
	t.Parallel()
	var prof *profile.Flow
	h := flowtest.New(t,
		flowtest.WithLocation(hcm),
		flowtest.WithMenu(append([]flows.MenuItem{quiz.MenuItem}, profile.MenuItems()...)...),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			p, err := profile.New(h.DB, hcm)
			if err != nil {
				t.Fatal(err)
			}
			prof = p
			return p
		}),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			b, _, err := quiz.LoadBank(context.Background(), h.DB)
			if err != nil {
				t.Fatal(err)
			}
			return quiz.New(h.DB, quiz.Config{Bank: b, AfterAttempt: func(ctx context.Context, userID int64) (func(*bot.Conversation) error, error) {
				return prof.Offer(ctx, userID)
			}})
		}),
	)
	u := h.Agreed("Lò Văn Piêng", "vi")

	attempt := func() flowtest.Result {
		t.Helper()
		u.Send("/quiz")
		u.Tap("Kiểm tra nhanh")
		var r flowtest.Result
		for i := 0; i < 10; i++ {
			r = u.Send("A")
		}
		return r
	}
	r := attempt()
	if !strings.Contains(r.Text(), "Bạn sống ở xã/phường nào?") {
		t.Fatalf("no profile question after the attempt:\n%s", r)
	}
	if _, ok := r.Last().Button("Bỏ qua"); !ok {
		t.Fatalf("the question is not the last message:\n%s", r)
	}
	u.Send("chieng coi")
	u.Tap("Phường Chiềng Cơi")
	u.Tap("Người dân")
	r = u.Send("/leaderboard")
	if !strings.Contains(r.Text(), "🥇 Phường Chiềng Cơi — 1 người") {
		t.Errorf("the attempt does not count for the ward:\n%s", r)
	}

	r = attempt()
	if strings.Contains(r.Text(), "Bạn sống ở xã/phường nào?") {
		t.Errorf("asked again after the second attempt:\n%s", r)
	}
}
