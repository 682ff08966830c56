package main

// End-to-end specs of the quiz and the certificate (issue 3) through the
// binary's real wiring: `serve` in webhook mode against the fake Bot API,
// and the console channel. The flows' own rules are specified in
// flows/quiz and flows/cert; these check that what a user sees on Telegram
// and what PostgreSQL keeps agree.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/flows/quiz/bank"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// The bank serve runs on: nothing is imported, so the embedded one.
var embeddedBank = sync.OnceValues(bank.Embedded)

func theBank(t *testing.T) *bank.Bank {
	t.Helper()
	b, err := embeddedBank()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	staleNotice   = "Câu này đã xong rồi. Bạn trả lời câu mới nhất nhé."
	notUnderstood = "Tôi chưa hiểu câu trả lời."
	resumed       = "Bạn đang làm dở một bài. Chúng ta làm tiếp nhé!"
)

var (
	questionRE = regexp.MustCompile(`Câu (\d+)/(\d+) · `)
	scoreRE    = regexp.MustCompile(`🏁 Xong! Bạn đúng (\d+)/(\d+) câu \((\d+)%\)\.`)
	certCodeRE = regexp.MustCompile(`HVS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}`)
)

// shutdown stops serve as SIGTERM would and waits for it; the exit code is
// put back for startServe's cleanup.
func (s *served) shutdown() {
	s.t.Helper()
	s.stop()
	select {
	case code := <-s.stopped:
		if code != 0 {
			s.t.Fatalf("serve exited with %d; log:\n%s", code, s.stderr.String())
		}
		s.stopped <- code
	case <-time.After(30 * time.Second):
		s.t.Fatal("serve did not stop within 30 s")
	}
}

// restartOptions run a new serve on the same database and Redis prefix.
func (s *served) restartOptions() map[string]string {
	return map[string]string{"DATABASE_URL": s.db.Pool.Config().ConnString(), "REDIS_PREFIX": s.redis.Prefix}
}

// press taps a button of message m whose label contains label and returns
// the callback query's id.
func (s *served) press(chat int64, m fakeapi.Message, label string) string {
	s.t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return s.tapData(chat, m.ID, b.CallbackData)
			}
		}
	}
	s.t.Fatalf("no button %q on message %d: %+v", label, m.ID, m.Buttons)
	return ""
}

// tapData delivers a tap on a button with data under message msgID, as a
// new update with a new callback id, and returns that id.
func (s *served) tapData(chat int64, msgID int, data string) string {
	s.t.Helper()
	u := tapUpdate(chat, "vi", msgID, data)
	id := u["callback_query"].(map[string]any)["id"].(string)
	if status := s.deliver(u); status != http.StatusOK {
		s.t.Fatalf("tap %q: webhook status %d; log:\n%s", data, status, s.stderr.String())
	}
	return id
}

func (s *served) say(chat int64, text string) {
	s.t.Helper()
	if status := s.deliver(textUpdate(chat, "vi", text)); status != http.StatusOK {
		s.t.Fatalf("%q: webhook status %d; log:\n%s", text, status, s.stderr.String())
	}
}

// join is /start and the consent; it returns the user's users.id.
func (s *served) join(chat int64) int64 {
	s.t.Helper()
	s.say(chat, "/start")
	s.press(chat, s.lastWithButtons(chat), "Tôi đồng ý")
	var id int64
	if err := s.db.Pool.QueryRow(context.Background(),
		`SELECT user_id FROM accounts WHERE external_id = $1`, strconv.FormatInt(chat, 10)).Scan(&id); err != nil {
		s.t.Fatalf("chat %d did not join: %v", chat, err)
	}
	return id
}

// answers maps each callback query id to the notices it was answered
// with, one entry per answerCallbackQuery call.
func (s *served) answers() map[string][]string {
	out := map[string][]string{}
	for _, c := range s.fake.Calls("answerCallbackQuery") {
		out[c.Params["callback_query_id"]] = append(out[c.Params["callback_query_id"]], c.Params["text"])
	}
	return out
}

// message is message id of chat as it now stands.
func (s *served) message(chat int64, id int) fakeapi.Message {
	s.t.Helper()
	for _, m := range s.fake.MessagesTo(chat) {
		if m.ID == id {
			return m
		}
	}
	s.t.Fatalf("no message %d in chat %d", id, chat)
	return fakeapi.Message{}
}

func (s *served) count(query string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// shown is the question a message shows, checked against the attempt
// PostgreSQL holds: the question and option order stored for its position.
type shown struct {
	msg      fakeapi.Message
	n, total int
	attempt  int64
	q        *bank.Question
	order    []int    // the bank's option index shown at A, B…
	options  []string // the options' texts as shown, A first
	data     []string // the buttons' callback data, A first
}

// right and wrong are positions (0 is A) of the right option and of a wrong one.
func (q shown) right() int { return slices.Index(q.order, q.q.Correct) }
func (q shown) wrong() int { return (q.right() + 1) % len(q.order) }

// question reads the question on the latest message with buttons.
func (s *served) question(chat int64) shown {
	s.t.Helper()
	return s.readQuestion(s.lastWithButtons(chat))
}

func (s *served) readQuestion(m fakeapi.Message) shown {
	t := s.t
	t.Helper()
	sq := shown{msg: m}
	head := questionRE.FindStringSubmatch(m.Text)
	if head == nil || len(m.Buttons) != 1 {
		t.Fatalf("message %d is not a question:\n%s\nbuttons %+v", m.ID, m.Text, m.Buttons)
	}
	sq.n, _ = strconv.Atoi(head[1])
	sq.total, _ = strconv.Atoi(head[2])
	pos := -1
	for k, b := range m.Buttons[0] {
		cb, err := bot.ParseCallback(b.CallbackData)
		want := string(rune('A' + k))
		if err != nil || cb.Flow != "quiz" || cb.Action != "ans" || b.Text != want {
			t.Fatalf("button %d of question %d is %+v (%v), want a quiz answer %s", k, sq.n, b, err, want)
		}
		parts := strings.Split(cb.Arg, ".")
		if len(parts) != 3 || parts[2] != want {
			t.Fatalf("answer button %q", b.CallbackData)
		}
		a, _ := strconv.ParseInt(parts[0], 10, 64)
		p, _ := strconv.Atoi(parts[1])
		if k > 0 && (a != sq.attempt || p != pos) {
			t.Fatalf("the buttons of one question name different attempts or positions: %+v", m.Buttons)
		}
		sq.attempt, pos = a, p
		sq.data = append(sq.data, b.CallbackData)
	}
	if pos != sq.n-1 {
		t.Fatalf("question %d has buttons for position %d", sq.n, pos)
	}
	var qid string
	var orderJSON []byte
	if err := s.db.Pool.QueryRow(context.Background(),
		`SELECT question_ids[$2::int + 1], option_orders -> $2::int FROM quiz_attempts WHERE id = $1`, sq.attempt, pos).Scan(&qid, &orderJSON); err != nil {
		t.Fatalf("attempt %d position %d: %v", sq.attempt, pos, err)
	}
	if err := json.Unmarshal(orderJSON, &sq.order); err != nil {
		t.Fatal(err)
	}
	q, ok := theBank(t).Question(qid)
	if !ok {
		t.Fatalf("attempt %d asks %q, not in the bank", sq.attempt, qid)
	}
	sq.q = q
	if len(sq.order) != len(q.Options) || len(sq.data) != len(q.Options) {
		t.Fatalf("question %s: %d options, %d in the stored order, %d buttons", qid, len(q.Options), len(sq.order), len(sq.data))
	}
	area, _ := theBank(t).Area(q.Area)
	if !strings.Contains(m.Text, head[0]+area.Short.VI+"\n"+q.Text.VI+"\n") {
		t.Fatalf("message %d does not show question %s under its area %q:\n%s", m.ID, qid, area.Short.VI, m.Text)
	}
	// The options are the message's last lines, in the stored order.
	lines := strings.Split(m.Text, "\n")
	lines = lines[len(lines)-len(sq.order):]
	for k, line := range lines {
		letter, text, _ := strings.Cut(line, ". ")
		if letter != string(rune('A'+k)) || text != q.Options[sq.order[k]].VI {
			t.Fatalf("option %c of %s shows %q, want %q (stored order %v):\n%s", 'A'+k, qid, line, q.Options[sq.order[k]].VI, sq.order, m.Text)
		}
		sq.options = append(sq.options, text)
	}
	return sq
}

// recorded is an answer as quiz_answers holds it.
type recorded struct {
	Position int
	Question string
	Chosen   int
	Correct  bool
}

func (s *served) recorded(attempt int64) []recorded {
	s.t.Helper()
	rows, err := s.db.Pool.Query(context.Background(),
		`SELECT position, question_id, chosen, correct FROM quiz_answers WHERE attempt_id = $1 ORDER BY position`, attempt)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out []recorded
	for rows.Next() {
		var r recorded
		if err := rows.Scan(&r.Position, &r.Question, &r.Chosen, &r.Correct); err != nil {
			s.t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	return out
}

// answeredOnce checks that every callback id was answered exactly once,
// with the notice want (nil: no notice).
func answeredOnce(t *testing.T, s *served, ids []string, want func(i int) string) {
	t.Helper()
	got := s.answers()
	for i, id := range ids {
		w := ""
		if want != nil {
			w = want(i)
		}
		if len(got[id]) != 1 || got[id][0] != w {
			t.Errorf("tap %d (%s) answered %q, want once with %q", i, id, got[id], w)
		}
	}
}

// A whole quick test by buttons through the webhook: the choice message is
// edited into each question in turn ("Câu 3/10"), every tap is answered
// once, the score is shown, and PostgreSQL holds the ten answers and the
// finished attempt.
func TestServeQuiz_QuickTestByButtons(t *testing.T) {
	t.Parallel()
	s := startServe(t, true, nil)
	b := theBank(t)
	const chat = 7101
	user := s.join(chat)

	s.say(chat, "/quiz")
	choice := s.lastWithButtons(chat)
	if !strings.Contains(choice.Text, "Kiểm tra nhanh: 10 câu") {
		t.Fatalf("/quiz shows:\n%s", choice.Text)
	}
	var labels []string
	for _, row := range choice.Buttons {
		for _, btn := range row {
			labels = append(labels, btn.Text)
		}
	}
	for _, want := range append([]string{"⚡ Kiểm tra nhanh (10 câu)", "📊 Kết quả của tôi"}, func() (out []string) {
		for _, a := range b.Areas {
			out = append(out, a.Short.VI)
		}
		return out
	}()...) {
		if !slices.Contains(labels, want) {
			t.Errorf("the choice lacks %q: %q", want, labels)
		}
	}

	taps := []string{s.press(chat, choice, "Kiểm tra nhanh")}
	var want []recorded
	right := 0
	asked := map[string]bool{}
	var attempt int64
	for i := range 10 {
		q := s.question(chat)
		if q.msg.ID != choice.ID || q.n != i+1 || q.total != 10 {
			t.Fatalf("answer %d: question %d/%d in message %d, want %d/10 edited into message %d", i, q.n, q.total, q.msg.ID, i+1, choice.ID)
		}
		if q.msg.Edits != i+1 {
			t.Fatalf("question %d: message edited %d times, want %d", i+1, q.msg.Edits, i+1)
		}
		if i == 0 {
			attempt = q.attempt
			if !strings.Contains(q.msg.Text, "Bắt đầu nhé! Bài có 10 câu.") {
				t.Errorf("the first question has no greeting:\n%s", q.msg.Text)
			}
		} else if q.attempt != attempt {
			t.Fatalf("question %d belongs to attempt %d, not %d", i+1, q.attempt, attempt)
		}
		if asked[q.q.ID] {
			t.Fatalf("question %s asked twice", q.q.ID)
		}
		asked[q.q.ID] = true
		k := q.right()
		if i%4 == 1 { // questions 2, 6 and 10 answered wrongly
			k = q.wrong()
		} else {
			right++
		}
		taps = append(taps, s.tapData(chat, q.msg.ID, q.data[k]))
		want = append(want, recorded{Position: i, Question: q.q.ID, Chosen: q.order[k], Correct: k == q.right()})

		// The feedback comes in the same message, before the next question.
		after := s.message(chat, choice.ID)
		feedback := fmt.Sprintf("✅ Câu %d: đúng rồi!", i+1)
		if k != q.right() {
			feedback = fmt.Sprintf("❌ Câu %d: chưa đúng. Đáp án đúng là %c. %s", i+1, 'A'+q.right(), q.q.Options[q.q.Correct].VI)
		}
		if !strings.HasPrefix(after.Text, feedback+"\n💡 "+q.q.Explanation.VI) {
			t.Fatalf("after answer %d the message reads:\n%s\nwant it to begin with %q", i+1, after.Text, feedback)
		}
	}

	// Ten questions and the last feedback: eleven edits of one message.
	final := s.message(chat, choice.ID)
	edits := 0
	for _, c := range s.fake.Calls("editMessageText") {
		if c.Params["message_id"] == strconv.Itoa(choice.ID) {
			edits++
		}
	}
	if final.Edits != 11 || edits != 11 {
		t.Errorf("the question message was edited %d times (%d calls), want 11", final.Edits, edits)
	}
	if len(final.Buttons) != 0 || questionRE.MatchString(final.Text) {
		t.Errorf("after the last answer the message still asks:\n%s\n%+v", final.Text, final.Buttons)
	}
	answeredOnce(t, s, taps, nil)

	texts := s.texts(chat)
	mustContain(t, texts, fmt.Sprintf("🏁 Xong! Bạn đúng %d/10 câu (%d%%).", right, right*10))
	mustContain(t, texts, "Các câu chưa đúng:")
	for _, w := range want {
		if !w.Correct {
			q, _ := b.Question(w.Question)
			mustContain(t, texts, fmt.Sprintf("• Câu %d: %s\n  👉 %s", w.Position+1, q.Text.VI, q.Options[q.Correct].VI))
		}
	}
	for _, m := range s.fake.MessagesTo(chat) {
		if strings.HasPrefix(m.Text, "🏁 Xong!") && (len(m.Buttons) == 0 || m.Buttons[0][0].Text != "🔁 Làm lại") {
			t.Errorf("the score's buttons are %+v, want a retake first", m.Buttons)
		}
	}

	if got := s.recorded(attempt); !slices.Equal(got, want) {
		t.Errorf("quiz_answers:\n%+v\nwant\n%+v", got, want)
	}
	if n := s.count(`SELECT count(*) FROM quiz_attempts WHERE id = $1 AND user_id = $2 AND area = '' AND total = 10
		AND score = $3 AND finished_at IS NOT NULL AND abandoned_at IS NULL AND bank_version = $4`, attempt, user, right, b.Version); n != 1 {
		t.Errorf("attempt %d is not recorded finished with %d/10 on bank %s", attempt, right, b.Version)
	}
}

// stripMarks removes Vietnamese diacritics and keeps the case: "Đồng ý" is
// typed "Dong y".
func stripMarks(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		case r == 'Đ':
			b.WriteRune('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Typed answers through the webhook: the letter in either case, the number,
// and an option's text (read from the message) in NFC, in NFD and without
// diacritics each record the option the bot showed at that place.
func TestServeQuiz_TypedAnswers(t *testing.T) {
	t.Parallel()
	s := startServe(t, true, nil)
	const chat = 7102
	s.join(chat)
	s.say(chat, "/quiz")
	s.press(chat, s.lastWithButtons(chat), "Kiểm tra nhanh")

	// Gibberish is not an answer.
	q := s.question(chat)
	before := len(s.fake.MessagesTo(chat))
	s.say(chat, "không biết")
	mustContain(t, s.texts(chat)[before:], notUnderstood)
	if n := s.count(`SELECT count(*) FROM quiz_answers`); n != 0 {
		t.Fatalf("gibberish recorded %d answers", n)
	}

	// withMarks is the position of an option whose text changes in NFD and
	// without diacritics, other than avoid, so those ways are really tried;
	// -1 when the question has none (its options are dates, say).
	withMarks := func(q shown, avoid int) int {
		for k := len(q.options) - 1; k >= 0; k-- {
			o := q.options[k]
			if k != avoid && norm.NFD.String(o) != o && stripMarks(o) != o {
				return k
			}
		}
		return -1
	}
	text := func(form func(string) string, avoid func(shown) int) func(shown) (string, int) {
		return func(q shown) (string, int) {
			k := withMarks(q, avoid(q))
			if k < 0 {
				return "", -1
			}
			return form(q.options[k]), k
		}
	}
	letter := func(typed string) func(shown) (string, int) {
		return func(shown) (string, int) { return typed, 1 }
	}
	ways := []struct {
		name string
		pick func(q shown) (typed string, k int)
	}{
		{"capital letter", letter("B")},
		{"small letter", letter("b")},
		{"number", letter("2")},
		{"text in NFC", text(norm.NFC.String, func(shown) int { return -1 })},
		{"text in NFD", text(norm.NFD.String, func(shown) int { return 1 })},
		{"text without diacritics", text(stripMarks, shown.right)},
	}
	for i := 0; len(ways) > 0; i++ {
		if i == 10 {
			t.Fatalf("ten questions and no option to try %d ways on", len(ways))
		}
		if i > 0 {
			q = s.question(chat)
		}
		if q.n != i+1 {
			t.Fatalf("at question %d, want %d", q.n, i+1)
		}
		w := ways[0]
		typed, k := w.pick(q)
		if k < 0 {
			// No option of this question fits the way: answer A, try the next question.
			w.name, typed, k = "filler", "A", 0
		} else {
			ways = ways[1:]
		}
		before := len(s.fake.MessagesTo(chat))
		s.say(chat, typed)
		got := s.fake.MessagesTo(chat)[before:]
		// A typed answer is answered in new messages: the feedback, the next question.
		if len(got) != 1 || got[0].ID == q.msg.ID {
			t.Fatalf("%s: typing %q sent %d messages: %+v", w.name, typed, len(got), got)
		}
		feedback := fmt.Sprintf("✅ Câu %d: đúng rồi!", i+1)
		if k != q.right() {
			feedback = fmt.Sprintf("❌ Câu %d: chưa đúng. Đáp án đúng là %c.", i+1, 'A'+q.right())
		}
		if !strings.HasPrefix(got[0].Text, feedback) || !strings.Contains(got[0].Text, fmt.Sprintf("Câu %d/10", i+2)) {
			t.Fatalf("%s: typing %q (option %c) got:\n%s", w.name, typed, 'A'+k, got[0].Text)
		}
		rec := s.recorded(q.attempt)
		if len(rec) != i+1 || rec[i] != (recorded{Position: i, Question: q.q.ID, Chosen: q.order[k], Correct: k == q.right()}) {
			t.Fatalf("%s: typing %q recorded %+v, want option %d of %s (shown as %c)", w.name, typed, rec, q.order[k], q.q.ID, 'A'+k)
		}
		if s.message(chat, q.msg.ID).Text != q.msg.Text {
			t.Errorf("%s: a typed answer edited the question message", w.name)
		}
	}
}

// answerTaps answers n questions by tapping, the right option except at
// the positions in wrong, and returns how many were right.
func (s *served) answerTaps(chat int64, n int, wrong ...int) (right int) {
	s.t.Helper()
	for range n {
		q := s.question(chat)
		k := q.right()
		if slices.Contains(wrong, q.n) {
			k = q.wrong()
		} else {
			right++
		}
		s.tapData(chat, q.msg.ID, q.data[k])
	}
	return right
}

// resumeAt checks that /quiz resumes attempt at question 4, on the same
// question with the same option order as before.
func resumeAt(t *testing.T, s *served, chat int64, before shown) shown {
	t.Helper()
	n := len(s.fake.MessagesTo(chat))
	s.say(chat, "/quiz")
	got := s.fake.MessagesTo(chat)[n:]
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, resumed) {
		t.Fatalf("/quiz answered %+v, want the attempt resumed", got)
	}
	after := s.readQuestion(got[0])
	if after.attempt != before.attempt || after.n != 4 || after.q.ID != before.q.ID || !slices.Equal(after.order, before.order) {
		t.Fatalf("resumed attempt %d at %d/%d on %s %v; want attempt %d at 4/10 on %s %v",
			after.attempt, after.n, after.total, after.q.ID, after.order, before.attempt, before.q.ID, before.order)
	}
	return after
}

// finishAndCheck answers the remaining seven questions and checks the
// score and the ten answers of the one attempt.
func finishAndCheck(t *testing.T, s *served, chat int64, attempt int64, rightSoFar int) {
	t.Helper()
	right := rightSoFar + s.answerTaps(chat, 7, 9)
	mustContain(t, s.texts(chat), fmt.Sprintf("🏁 Xong! Bạn đúng %d/10 câu", right))
	rec := s.recorded(attempt)
	if len(rec) != 10 {
		t.Fatalf("%d answers recorded, want 10: %+v", len(rec), rec)
	}
	for i, r := range rec {
		if r.Position != i {
			t.Fatalf("positions recorded: %+v", rec)
		}
	}
	if n := s.count(`SELECT count(*) FROM quiz_attempts`); n != 1 {
		t.Errorf("%d attempts, want the one resumed", n)
	}
	if n := s.count(`SELECT count(*) FROM quiz_attempts WHERE id = $1 AND score = $2 AND finished_at IS NOT NULL`, attempt, right); n != 1 {
		t.Errorf("attempt %d not finished with score %d", attempt, right)
	}
}

// Three answers, serve stopped, a new serve on the same PostgreSQL and
// Redis: /quiz resumes the same attempt at question 4; an old question's
// button still gets the polite notice; the attempt ends with ten answers.
func TestServeQuiz_ResumeAfterRestart(t *testing.T) {
	t.Parallel()
	s := startServe(t, true, nil)
	const chat = 7103
	s.join(chat)
	s.say(chat, "/quiz")
	s.press(chat, s.lastWithButtons(chat), "Kiểm tra nhanh")
	first := s.question(chat)
	right := s.answerTaps(chat, 3, 2)
	before := s.question(chat)
	if before.n != 4 {
		t.Fatalf("at question %d after three answers", before.n)
	}

	s.shutdown()
	s2 := startServe(t, true, s.restartOptions())
	if n := s2.countUsers(); n != 1 {
		t.Fatalf("%d users after the restart", n)
	}
	resumeAt(t, s2, chat, before)

	// A tap on question 1's button, from before the restart.
	id := s2.tapData(chat, first.msg.ID, first.data[first.wrong()])
	answeredOnce(t, s2, []string{id}, func(int) string { return staleNotice })
	if n := len(s2.recorded(before.attempt)); n != 3 {
		t.Fatalf("%d answers after a stale tap, want 3", n)
	}
	finishAndCheck(t, s2, chat, before.attempt, right)
}

// Redis loses every conversation mid-attempt: the button on screen lands
// on the menu (the router lost track) and records nothing; /quiz finds the
// attempt in PostgreSQL and resumes at question 4.
func TestServeQuiz_ResumeAfterRedisFlush(t *testing.T) {
	t.Parallel()
	s := startServe(t, true, nil)
	const chat = 7104
	s.join(chat)
	s.say(chat, "/quiz")
	s.press(chat, s.lastWithButtons(chat), "Kiểm tra nhanh")
	right := s.answerTaps(chat, 3, 1)
	before := s.question(chat)

	s.redis.Flush(t)
	n := len(s.fake.MessagesTo(chat))
	s.tapData(chat, before.msg.ID, before.data[before.right()])
	mustContain(t, s.texts(chat)[n:], "quên mất chúng ta đang ở đâu")
	if n := len(s.recorded(before.attempt)); n != 3 {
		t.Fatalf("%d answers after the lost tap, want 3", n)
	}
	resumeAt(t, s, chat, before)
	finishAndCheck(t, s, chat, before.attempt, right)
}

// A double tap (the same button delivered twice, one after the other or
// at once) counts once, and a tap on an earlier question or an earlier
// attempt changes nothing; each is answered once, politely.
func TestServeQuiz_StaleAndDoubleTaps(t *testing.T) {
	t.Parallel()
	s := startServe(t, true, nil)
	const chat = 7105
	s.join(chat)
	s.say(chat, "/quiz")
	s.press(chat, s.lastWithButtons(chat), "Kiểm tra nhanh")

	q1 := s.question(chat)
	first := s.tapData(chat, q1.msg.ID, q1.data[q1.wrong()])
	second := s.tapData(chat, q1.msg.ID, q1.data[q1.wrong()])
	answeredOnce(t, s, []string{first, second}, func(i int) string { return []string{"", staleNotice}[i] })
	q2 := s.question(chat)
	if q2.n != 2 || q2.msg.Edits != 2 {
		t.Fatalf("after a double tap: question %d, %d edits; want question 2 and 2 edits", q2.n, q2.msg.Edits)
	}

	// Both taps at once: one counts, whichever comes first.
	ids := make([]string, 2)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			u := tapUpdate(chat, "vi", q2.msg.ID, q2.data[q2.right()])
			ids[i] = u["callback_query"].(map[string]any)["id"].(string)
			if status := s.deliver(u); status != http.StatusOK {
				t.Errorf("status %d", status)
			}
		})
	}
	wg.Wait()
	got := s.answers()
	if notices := append(slices.Clone(got[ids[0]]), got[ids[1]]...); len(notices) != 2 || !slices.Contains(notices, "") || !slices.Contains(notices, staleNotice) {
		t.Errorf("two taps at once answered %q, want one silent answer and one notice", notices)
	}
	if q := s.question(chat); q.n != 3 || q.msg.Edits != 3 {
		t.Fatalf("after two taps at once: question %d, %d edits; want question 3 and 3 edits", q.n, q.msg.Edits)
	}
	want := []recorded{
		{Position: 0, Question: q1.q.ID, Chosen: q1.order[q1.wrong()], Correct: false},
		{Position: 1, Question: q2.q.ID, Chosen: q2.order[q2.right()], Correct: true},
	}
	if rec := s.recorded(q1.attempt); !slices.Equal(rec, want) {
		t.Fatalf("quiz_answers %+v, want %+v", rec, want)
	}

	// Question 1's right answer, tapped late: nothing changes on screen or on record.
	screen := s.fake.MessagesTo(chat)
	late := s.tapData(chat, q1.msg.ID, q1.data[q1.right()])
	answeredOnce(t, s, []string{late}, func(int) string { return staleNotice })
	if now := s.fake.MessagesTo(chat); !slices.EqualFunc(now, screen, func(a, b fakeapi.Message) bool { return a.ID == b.ID && a.Text == b.Text && a.Edits == b.Edits }) {
		t.Errorf("a stale tap changed the chat")
	}
	if rec := s.recorded(q1.attempt); !slices.Equal(rec, want) {
		t.Fatalf("after a stale tap quiz_answers %+v, want %+v", rec, want)
	}

	// A button of an abandoned attempt.
	s.say(chat, "/stop")
	s.say(chat, "/quiz")
	s.press(chat, s.lastWithButtons(chat), "Kiểm tra nhanh")
	next := s.question(chat)
	if next.attempt == q1.attempt || next.n != 1 {
		t.Fatalf("a new attempt did not begin: attempt %d question %d", next.attempt, next.n)
	}
	old := s.tapData(chat, q1.msg.ID, q1.data[0])
	answeredOnce(t, s, []string{old}, func(int) string { return staleNotice })
	if n := s.count(`SELECT count(*) FROM quiz_answers`); n != 2 {
		t.Errorf("%d answers after a tap on an abandoned attempt, want 2", n)
	}
	// Nine taps in all (consent, two quick tests, six on questions): nine answers.
	if calls := len(s.fake.Calls("answerCallbackQuery")); calls != 9 {
		t.Errorf("%d callback answers for 9 taps", calls)
	}
}

// pdfText is the text pdftotext reads from a PDF given on its standard input.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is not installed: apt-get install -y poppler-utils")
	}
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, errb.String())
	}
	return strings.Join(strings.Fields(out.String()), " ")
}

// forge changes one character of a code: still well formed, never issued.
func forge(code string) string {
	last := code[len(code)-1]
	repl := byte('7')
	if last == '7' {
		repl = '8'
	}
	return code[:len(code)-1] + string(repl)
}

// Every area passed: /certificate, a name typed in NFD, confirmed; the PDF
// arrives by sendDocument with the name in NFC in its text; /verify and
// GET /verify/{code} tell the genuine code from a forged one.
func TestServeCertificate_IssuedVerifiedAndForged(t *testing.T) {
	t.Parallel()
	const public = "https://hocvuso.example.vn"
	s := startServe(t, true, map[string]string{"PUBLIC_URL": public})
	b := theBank(t)
	const chat, stranger = 7106, 7107
	const name = "Lò Thị Hương"
	user := s.join(chat)
	for i, area := range b.AreaIDs() {
		at := time.Date(2026, 11, 2+i, 9, 0, 0, 0, time.UTC)
		if _, err := s.db.Pool.Exec(context.Background(), `INSERT INTO quiz_attempts
			(user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
			VALUES ($1, $2, $3, '{}', '[]', 10, $4, true, $5, $5)`, user, b.Version, area, 8+i%3, at); err != nil {
			t.Fatal(err)
		}
	}

	s.say(chat, "/certificate")
	mustContain(t, s.texts(chat), "Tên nào sẽ in trên giấy chứng nhận?")
	nfd := norm.NFD.String(name)
	if nfd == name {
		t.Fatal("the name does not change in NFD")
	}
	s.say(chat, nfd)
	confirm := s.lastWithButtons(chat)
	if !strings.Contains(confirm.Text, "Tên in trên giấy chứng nhận sẽ là:\n"+name+"\n") {
		t.Fatalf("the name is not shown back in NFC:\n%q", confirm.Text)
	}
	s.press(chat, confirm, "Đúng, cấp giấy")

	docs := s.fake.Calls("sendDocument")
	if len(docs) != 1 || docs[0].ChatID() != chat {
		t.Fatalf("%d sendDocument calls, want 1 to %d; log:\n%s", len(docs), chat, s.stderr.String())
	}
	file, ok := docs[0].Files["document"]
	if !ok || !bytes.HasPrefix(file.Bytes, []byte("%PDF-")) || file.Name != "chung-nhan-hocvuso.pdf" {
		t.Fatalf("the document uploaded is %q, %d bytes, starting %q", file.Name, len(file.Bytes), file.Bytes[:min(8, len(file.Bytes))])
	}
	code := certCodeRE.FindString(docs[0].Params["caption"])
	if code == "" || !strings.Contains(docs[0].Params["caption"], name) {
		t.Fatalf("caption %q lacks the name or the code", docs[0].Params["caption"])
	}
	text := pdfText(t, file.Bytes)
	for _, want := range []string{name, code, "GIẤY CHỨNG NHẬN", public + "/verify/" + code} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	mustContain(t, s.texts(chat), "gõ /verify "+code)
	var stored string
	if err := s.db.Pool.QueryRow(context.Background(), `SELECT name FROM certificates WHERE user_id = $1`, user).Scan(&stored); err != nil || stored != name {
		t.Fatalf("certificates.name = %q, %v; want %q in NFC", stored, err, name)
	}

	// In chat, from someone who never agreed to anything: /verify is public.
	forged := forge(code)
	s.say(stranger, "/verify "+code)
	s.say(stranger, "/verify "+forged)
	got := s.texts(stranger)
	if len(got) != 2 {
		t.Fatalf("a stranger's /verify got %d messages:\n%s", len(got), strings.Join(got, "\n---\n"))
	}
	if !strings.HasPrefix(got[0], "✅ Giấy chứng nhận thật.\nHọ và tên: "+name+"\n") || !strings.Contains(got[0], code) ||
		strings.Count(got[0], "\n• ") != len(b.AreaIDs()) {
		t.Errorf("/verify of the genuine code:\n%s", got[0])
	}
	if !strings.HasPrefix(got[1], "❌ Không tìm thấy giấy chứng nhận nào có mã "+forged) || strings.Contains(got[1], name) {
		t.Errorf("/verify of a forged code:\n%s", got[1])
	}

	// On the web, at the address printed on the certificate.
	for _, tc := range []struct {
		code   string
		status int
		has    bool
	}{{code, http.StatusOK, true}, {forged, http.StatusNotFound, false}, {strings.ToLower(code), http.StatusOK, true}} {
		resp, err := http.Get(s.base + "/verify/" + url.PathEscape(tc.code))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || strings.Contains(string(body), name) != tc.has {
			t.Errorf("GET /verify/%s: %d, name shown %v; want %d, %v", tc.code, resp.StatusCode, !tc.has, tc.status, tc.has)
		}
	}

	// Pasted at the menu, after its label or without the HVS prefix (where
	// it looks like an invite code): /verify's answer, not an invite's.
	s.say(stranger, "Mã xác minh: "+code)
	s.say(chat, strings.TrimPrefix(code, "HVS-"))
	for _, got := range []string{s.texts(stranger)[2], s.texts(chat)[len(s.texts(chat))-1]} {
		if !strings.HasPrefix(got, "✅ Giấy chứng nhận thật.\nHọ và tên: "+name+"\n") {
			t.Errorf("a code pasted at the menu:\n%s", got)
		}
	}
}

// The console: a scripted session typed in the terminal, from /start to
// the score of a quick test answered by letters.
func TestConsole_QuickTestTyped(t *testing.T) {
	t.Parallel()
	dbURL := storetest.NewDatabaseURL(t)
	rdb := storetest.NewRedis(t)
	// The quick test's button is typed by its label, without diacritics;
	// the answers by letter, in either case, or as "câu b".
	answers := []string{"B", "b", "câu B", "B", "b", "B", "cau b", "B", "b", "B"}
	script := "/start\n1\n/quiz\nkiem tra nhanh 10 cau\n" + strings.Join(answers, "\n") + "\n"
	var stdout bytes.Buffer
	stderr := &syncBuffer{}
	vars := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": storetest.RedisURL(), "REDIS_PREFIX": rdb.Prefix,
		"USER": "lan", "LANG": "vi_VN.UTF-8",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := run(ctx, []string{"console"}, &env{getenv: func(k string) string { return vars[k] },
		stdin: strings.NewReader(script), stdout: &stdout, stderr: stderr})
	out := stdout.String()
	if code != 0 {
		t.Fatalf("console exited %d; stderr:\n%s\nstdout:\n%s", code, stderr.String(), out)
	}
	if strings.Contains(out, "\n! ") || stderr.String() != "" {
		t.Fatalf("errors in the session:\n%s\n%s", out, stderr.String())
	}
	for _, want := range []string{"Gõ /quit để thoát.", "📋 Bạn muốn làm gì?", "[1] ⚡ Kiểm tra nhanh (10 câu)", "Bắt đầu nhé! Bài có 10 câu.", "Câu 10/10 · "} {
		if !strings.Contains(out, want) {
			t.Errorf("the session lacks %q:\n%s", want, out)
		}
	}
	for i := 1; i <= 10; i++ {
		if !strings.Contains(out, fmt.Sprintf("Câu %d: ", i)) {
			t.Errorf("no feedback on question %d:\n%s", i, out)
		}
	}
	m := scoreRE.FindStringSubmatch(out)
	if m == nil || m[2] != "10" {
		t.Fatalf("no score line:\n%s", out)
	}

	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var score, answered, asB int
	if err := db.Pool.QueryRow(context.Background(), `SELECT a.score,
		(SELECT count(*) FROM quiz_answers WHERE attempt_id = a.id),
		(SELECT count(*) FROM quiz_answers x WHERE attempt_id = a.id AND x.chosen = (a.option_orders -> x.position ->> 1)::int)
		FROM quiz_attempts a JOIN accounts c ON c.user_id = a.user_id
		WHERE c.channel = 'console' AND c.external_id = 'lan' AND a.finished_at IS NOT NULL`).Scan(&score, &answered, &asB); err != nil {
		t.Fatal(err)
	}
	if strconv.Itoa(score) != m[1] || answered != 10 || asB != 10 {
		t.Errorf("recorded score %d (shown %s), %d answers, %d of them option B; want the score shown, 10 and 10", score, m[1], answered, asB)
	}
}

// lineOf is the 1-based line where needle begins in s.
func lineOf(t *testing.T, s, needle string) int {
	t.Helper()
	i := strings.Index(s, needle)
	if i < 0 {
		t.Fatalf("%q not in the bank file", needle)
	}
	return strings.Count(s[:i], "\n") + 1
}

// Mistakes of other kinds than TestImportQuiz's (a YAML syntax error, a
// missing field, an unknown reference, a duplicate) are each rejected
// with the file, the line and the field, and nothing is stored.
func TestImportQuiz_EachMistakeNamesItsFileAndLine(t *testing.T) {
	t.Parallel()
	dbURL := storetest.NewDatabaseURL(t)
	good, err := readBank(quizBankFile(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new string
		line           int // in the edited file
		// before: a YAML syntax error may be reported on the line before
		// (yaml.v3 names the line it was scanning from).
		before bool
		want   string
	}{
		{"a tab in the indentation", "    correct: 2\n", "\tcorrect: 2\n",
			lineOf(t, good, "    correct: 2\n"), true, "not valid YAML: found a tab character"},
		// The explanation's mapping now begins with its en line, where vi was.
		{"a missing translation", "      vi: Khởi động lại giải quyết được nhiều lỗi.\n", "",
			lineOf(t, good, "      vi: Khởi động lại giải quyết được nhiều lỗi.\n"), false,
			`question "t0-1-restart": field explanation.vi: is missing`},
		{"an unknown competence", "    competence: \"0.2\"\n", "    competence: \"0.9\"\n",
			lineOf(t, good, "    competence: \"0.2\"\n"), false,
			`question "t0-2-install": field competence: "0.9" is not a competence of the bank's areas`},
		{"a duplicate id", "  - id: t0-1-restart\n", "  - id: t0-1-charge\n",
			lineOf(t, good, "  - id: t0-1-restart\n"), false,
			fmt.Sprintf(`question "t0-1-charge": field id: already used at %%s:%d`, lineOf(t, good, "  - id: t0-1-charge\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := quizBankFile(t, func(s string) string {
				if !strings.Contains(s, tc.old) {
					t.Fatalf("%q not in the bank file", tc.old)
				}
				return strings.Replace(s, tc.old, tc.new, 1)
			})
			code, stdout, stderr := runCmd(t, dbURL, "import", "quiz", path)
			msg := tc.want
			if strings.Contains(msg, "%s") {
				msg = fmt.Sprintf(msg, path)
			}
			want := fmt.Sprintf("%s:%d: %s", path, tc.line, msg)
			named := strings.Contains(stderr, want)
			if tc.before && !named {
				named = strings.Contains(stderr, fmt.Sprintf("%s:%d: %s", path, tc.line-1, msg))
			}
			if code != 1 || stdout != "" || !strings.Contains(stderr, "the bank was rejected, nothing was stored") || !named {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant it to name:\n%s", code, stdout, stderr, want)
			}
			if n := countBanks(t, dbURL, "true"); n != 0 {
				t.Fatalf("%d banks stored after a rejected import", n)
			}
		})
	}
}

func readBank(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
