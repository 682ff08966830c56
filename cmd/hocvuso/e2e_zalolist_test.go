package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/locales"
	"hocvuso/store"
)

// zaloReview starts serve with Zalo, makes user a focal point of SNV, and
// walks the 2025 plan (17 questions) to its review: a numbered list on
// Zalo (17 ✏️, Send, Pause). long answers the eight long texts (a to g;
// "" skips them). It returns serve and what Zalo showed of the review.
func zaloReview(t *testing.T, user, long string) (*zserved, []fakezalo.Message) {
	t.Helper()
	s := startZaloServe(t, nil, nil)
	ctx := context.Background()
	if _, _, err := s.db.UpsertUnits(ctx, []store.Unit{{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"}}, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	s.onboard(user)
	var focal int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT user_id FROM accounts WHERE channel = 'zalo' AND external_id = $1`, user).Scan(&focal); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.GrantRole(ctx, focal, store.RoleFocal, "SNV", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	say := func(text string) { s.deliver(s.fake.TextEvent(user, text)) }
	longText := func() {
		if long == "" {
			s.tap(user, "Bỏ qua")
		} else {
			say(long)
		}
	}
	say("/report")
	s.tap(user, planName)
	s.tap(user, "Kế hoạch")
	say("25/KH-SNV")
	say("27/6/2025")
	s.tap(user, "Bỏ qua")
	s.tap(user, "Có")
	say("1/7/2025")
	say("12")
	longText()
	say("80")
	for range 7 {
		longText()
	}
	s.deliver(s.fake.FileEvent(user, "Kế hoạch 25.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 3000)...)))
	before := len(s.fake.MessagesTo(user))
	s.tap(user, "Xong")
	review := s.fake.MessagesTo(user)[before:]
	if !strings.Contains(review[len(review)-1].Text, "Gõ một số từ 1 đến") {
		t.Fatalf("the review is not a numbered list:\n%s", strings.Join(s.fake.Texts(user)[before:], "\n---\n"))
	}
	return s, review
}

// lastText is the latest message Zalo got for user.
func (s *zserved) lastText(user string) string {
	texts := s.fake.Texts(user)
	return texts[len(texts)-1]
}

// Text typed at the review is answered with a hint to choose ✏️ in the
// list above, as is a sticker: the list stays, so typing a number then
// edits that question; the user is never left with hints alone.
func TestZalo_AHintKeepsTheListAbove(t *testing.T) {
	const user = "7101"
	s, review := zaloReview(t, user, "")
	has(t, "the review", review[len(review)-1].Text, "Gõ một số từ 1 đến 19 rồi gửi để chọn.")
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	say := func(text string) { s.deliver(s.fake.TextEvent(user, text)) }
	say("câu 2 ghi sai số")
	has(t, "text typed at the review", s.lastText(user), cat.Text("vi", "report.review.typed", nil))
	s.deliver(s.fake.Event("user_send_sticker", user, map[string]any{"attachments": []any{map[string]any{"type": "sticker", "payload": map[string]string{"id": "1"}}}}))
	has(t, "a sticker at the review", s.lastText(user), cat.Text("vi", "report.review.typed", nil))
	say("2")
	has(t, "2 after the hints", s.lastText(user), "Câu 2/17", "Số, ký hiệu văn bản")
	say("25/KH-UBND")
	has(t, "the review again", s.lastText(user), "25/KH-UBND", "Gõ một số từ 1 đến 19")
}

// A number question asked from a numbered screen takes a typed number as
// its answer, never as an item of the list above it: "15" answers the
// registrations (question 7), though the review above had an item 15.
func TestZalo_ANumberAnswersTheQuestionNotTheListAbove(t *testing.T) {
	const user = "7102"
	s, _ := zaloReview(t, user, "")
	s.choose(user, "✏️ 7")
	has(t, "✏️ 7", s.lastText(user), "Câu 7/17", "Số tập thể, cá nhân đã đăng ký thi đua")
	s.deliver(s.fake.TextEvent(user, "15"))
	last := s.lastText(user)
	has(t, "the review after 15", last, "Số tập thể, cá nhân đã đăng ký thi đua\n15 lượt", "Gõ một số từ 1 đến 19")
	if strings.Contains(last, "Câu 15/17") {
		t.Fatalf("15 was taken as ✏️ 15:\n%s", last)
	}
}

// A review too long for one message is sent in parts, each with the ✏️ of
// its questions: the numbers run on from part to part (1 to 19 over all),
// so a number from the first part picks its own item, not the item of
// that number in the last part.
func TestZalo_ASplitReviewIsNumberedAcrossItsParts(t *testing.T) {
	const user = "7103"
	long := strings.TrimSpace(strings.Repeat("Tuyên truyền chuyển đổi số đến từng phòng, ban. ", 13))
	s, review := zaloReview(t, user, long)
	var lists []string
	for _, m := range review {
		if strings.Contains(m.Text, "Gõ một số từ 1 đến") {
			lists = append(lists, m.Text)
		}
	}
	if len(lists) < 2 {
		t.Fatalf("the review is not in parts with numbered lists (%d):\n%s", len(lists), strings.Join(s.fake.Texts(user), "\n---\n"))
	}
	// The last part's list goes on from the first's.
	if last := lists[len(lists)-1]; !strings.Contains(last, "\n19. ⏸") || !strings.Contains(last, "1 đến 19 rồi") || strings.Contains(last, "\n1. ✏️") {
		t.Errorf("the last part's list does not go on from the first:\n%s", lists[len(lists)-1])
	}
	s.deliver(s.fake.TextEvent(user, "2"))
	has(t, "2 from the first part", s.lastText(user), "Câu 2/17", "Số, ký hiệu văn bản")
}
