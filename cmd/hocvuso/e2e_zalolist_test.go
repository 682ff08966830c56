package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/locales"
)

// zaloReview starts serve with Zalo, makes user a focal point of SNV, and
// walks the 2025 plan (17 questions) to its review: a numbered list on
// Zalo (17 ✏️, Send, Pause). long answers the eight long texts (a to g;
// "" skips them). It returns serve and what Zalo showed of the review.
func zaloReview(t *testing.T, user, long string) (*zserved, []fakezalo.Message) {
	t.Helper()
	s := startZaloServe(t, nil, nil)
	s.focalOfSNV(user)
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
	// The hint names the number Send is under in the list.
	m := regexp.MustCompile(`(?m)^([0-9]+)\. 📤 Gửi báo cáo$`).FindStringSubmatch(review[len(review)-1].Text)
	if m == nil {
		t.Fatalf("no Send in the review's list:\n%s", review[len(review)-1].Text)
	}
	typed := cat.Text("vi", "report.review.typed_numbered", map[string]any{"N": m[1]})
	say("câu 2 ghi sai số")
	has(t, "text typed at the review", s.lastText(user), typed)
	say("gửi báo cáo")
	has(t, "the words of Send typed at the review", s.lastText(user), typed)
	s.deliver(s.fake.Event("user_send_sticker", user, map[string]any{"attachments": []any{map[string]any{"type": "sticker", "payload": map[string]string{"id": "1"}}}}))
	has(t, "a sticker at the review", s.lastText(user), typed)
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

// On Zalo, text typed at the menu while a report's draft waits is told
// which report waits, at which question, with a button that goes on; an
// answer's letter while a quiz waits too is told both, each with its
// button. A number typed at the menu is still the menu's item of that
// number (the menu is a numbered list on Zalo): nothing waiting takes it.
func TestZalo_TextAtTheMenuSaysWhatWaits(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7104"
	s.focalOfSNV(user)
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	say := func(text string) []fakezalo.Message {
		before := len(s.fake.MessagesTo(user))
		s.deliver(s.fake.TextEvent(user, text))
		return s.fake.MessagesTo(user)[before:]
	}
	titles := func(m fakezalo.Message) []string {
		var out []string
		for _, b := range m.Buttons {
			out = append(out, b.Title)
		}
		return out
	}
	back := cat.Text("vi", "menu.back", nil)

	say("/quiz")
	s.choose(user, "Kiểm tra nhanh")
	s.tap(user, "A")
	say("/report")
	s.tap(user, planName)
	s.tap(user, "Kế hoạch")
	say("/menu")

	draft := cat.Text("vi", "report.stray.at", map[string]any{"N": 2, "Total": 17, "Period": planName, "Unit": "Sở Nội vụ"})
	msgs := say("bao giờ phải nộp?")
	if len(msgs) != 1 || msgs[0].Text != draft || !slices.Equal(titles(msgs[0]), []string{"▶️ Làm tiếp báo cáo", back}) {
		t.Fatalf("text at the menu: want the draft waiting at 2/17, got %+v", msgs)
	}
	quiz := cat.Text("vi", "quiz.paused", map[string]any{"N": 2, "Total": 10})
	msgs = say("B")
	if len(msgs) != 1 || msgs[0].Text != quiz+"\n\n"+draft || !slices.Equal(titles(msgs[0]), []string{"▶️ Làm tiếp bài", "▶️ Làm tiếp báo cáo", back}) {
		t.Fatalf("a letter at the menu: want the quiz and the draft waiting, got %+v", msgs)
	}
	s.tap(user, "Làm tiếp báo cáo")
	has(t, "going on with the report", s.lastText(user), "Câu 2/17")
	if n := s.count(`SELECT count(*) FROM quiz_answers`); n != 1 {
		t.Errorf("%d quiz answers recorded, want 1: a letter typed at the menu is no answer", n)
	}

	// The menu's item 1 is the quiz: typed "1" at the menu opens it.
	say("/menu")
	has(t, "the menu", s.lastText(user), "\n1. "+cat.Text("vi", "quiz.menu", nil))
	msgs = say("1")
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
	}
	got := strings.Join(texts, "\n---\n")
	has(t, "1 at the menu", got, cat.Text("vi", "quiz.resume", nil), "Câu 2/10")
	if strings.Contains(got, "Làm tiếp báo cáo") {
		t.Errorf("1 at the menu was met with what waits, not the menu's item 1:\n%s", got)
	}
}
