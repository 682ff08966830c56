package quiz_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/home"
	"hocvuso/flows/privacy"
	"hocvuso/flows/quiz"
	"hocvuso/flows/quiz/bank"
	"hocvuso/flows/quiz/bank/banktest"
	"hocvuso/locales"
	"hocvuso/store"
)

// fixture is a bot with the quiz, a seeded draw, and a user who agreed.
type fixture struct {
	t     *testing.T
	h     *flowtest.Harness
	bank  *bank.Bank
	flow  *quiz.Flow
	hooks *atomic.Int32
	cfg   quiz.Config
}

func newFixture(t *testing.T, cfg quiz.Config) *fixture {
	t.Helper()
	if cfg.Bank == nil {
		cfg.Bank = banktest.Load(t)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(1, 2))
	}
	fx := &fixture{t: t, bank: cfg.Bank, hooks: &atomic.Int32{}}
	if cfg.AfterAttempt == nil {
		cfg.AfterAttempt = func(context.Context, int64) (func(*bot.Conversation) error, error) {
			return func(*bot.Conversation) error { fx.hooks.Add(1); return nil }, nil
		}
	}
	fx.cfg = cfg
	fx.h = flowtest.New(t, flowtest.WithMenu(quiz.MenuItem), flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
		if cfg.Writer == nil {
			cfg.Writer = store.NewQuizWriter(h.DB) // as serve runs it
		}
		fx.flow = quiz.New(h.DB, cfg)
		return fx.flow
	}))
	return fx
}

// restart replaces the engine by a new one over the same stores, as a new
// process would be.
func (fx *fixture) restart(cfg quiz.Config) {
	if cfg.Bank == nil {
		cfg.Bank = fx.bank
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(3, 4))
	}
	cat, err := locales.Load()
	if err != nil {
		fx.t.Fatal(err)
	}
	router := flows.NewRouter(home.New(fx.h.DB, []flows.MenuItem{quiz.MenuItem}),
		privacy.New(fx.h.DB, time.UTC), quiz.New(fx.h.DB, cfg))
	old := fx.h.Engine
	e := &bot.Engine{State: fx.h.State, Accounts: fx.h.DB, Handler: router, Text: cat, Log: old.Log}
	e.SetSender(fx.h.Channel, fx.h.Sender)
	fx.h.Engine = e
}

// restartWithRewordedBank restarts with a new bank in force, one that
// rewords every question: "?" becomes " (mới)?".
func (fx *fixture) restartWithRewordedBank() {
	fx.t.Helper()
	edited := strings.ReplaceAll(string(fx.bank.Canonical()), "?", " (mới)?")
	nb, err := bank.Load(bank.File{Name: "new.yaml", Data: []byte(edited)})
	if err != nil {
		fx.t.Fatal(err)
	}
	fx.restart(quiz.Config{Bank: nb})
}

func (fx *fixture) user(name, lang string) *flowtest.User {
	fx.t.Helper()
	return fx.h.Agreed(name, lang)
}

// screen is the question a message shows.
type screen struct {
	q      *bank.Question
	right  string         // the right option's letter
	wrong  string         // a wrong option's letter
	letter map[int]string // bank option index -> letter shown
	text   map[string]string
}

func (fx *fixture) read(m flowtest.Message, lang string) screen {
	fx.t.Helper()
	for i := range fx.bank.Questions {
		q := &fx.bank.Questions[i]
		if !strings.Contains(m.Text+"\n", "\n"+q.Text.In(lang)+"\n") {
			continue
		}
		s := screen{q: q, letter: map[int]string{}, text: map[string]string{}}
		for j, o := range q.Options {
			for _, l := range []string{"A", "B", "C", "D"} {
				if strings.Contains(m.Text+"\n", "\n"+l+". "+o.In(lang)+"\n") {
					s.letter[j], s.text[l] = l, o.In(lang)
				}
			}
		}
		if len(s.letter) != len(q.Options) {
			fx.t.Fatalf("options of %q not all shown with a letter:\n%s", q.ID, m.Text)
		}
		s.right = s.letter[q.Correct]
		s.wrong = s.letter[(q.Correct+1)%len(q.Options)]
		return s
	}
	fx.t.Fatalf("no question of the bank in message %s:\n%s", m.ID, m.Text)
	return screen{}
}

func (fx *fixture) count(query string, args ...any) int {
	fx.t.Helper()
	var n int
	if err := fx.h.DB.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		fx.t.Fatal(err)
	}
	return n
}

func mustContain(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
}

// A whole quick test by buttons: one question at a time in the same
// message, immediate feedback, the score and what was missed at the end.
func TestQuickTestByButtons(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Lò Thị Hoa", "vi")

	r := u.Send("/quiz")
	mustContain(t, r.Last().Text, "Kiểm tra kỹ năng số", "Kiểm tra nhanh: 10 câu")
	labels := r.Last().Labels()
	for _, want := range []string{"⚡ Kiểm tra nhanh (10 câu)", "📱 Thiết bị số", "🛡️ An toàn", "📊 Kết quả của tôi", "⬅️ Về menu"} {
		if !slices.Contains(labels, want) {
			t.Errorf("choice screen lacks %q: %q", want, labels)
		}
	}
	choice := r.Last()

	r = u.Tap("Kiểm tra nhanh")
	if len(r.Sent) != 1 || !r.Sent[0].Edited || r.Sent[0].ID != choice.ID {
		t.Fatalf("the choice was not edited into the first question:\n%s", r)
	}
	mustContain(t, r.Last().Text, "Bắt đầu nhé! Bài có 10 câu.", "Câu 1/10 · ")
	if got := r.Last().Labels(); !slices.Equal(got, []string{"A", "B", "C"}) && !slices.Equal(got, []string{"A", "B", "C", "D"}) {
		t.Fatalf("option buttons = %q", got)
	}

	seen := map[string]bool{}
	var missed []*bank.Question
	for i := range 10 {
		m := u.Screen()
		if m.ID != choice.ID {
			t.Fatalf("question %d is in message %s, not edited in place in %s", i+1, m.ID, choice.ID)
		}
		s := fx.read(m, "vi")
		if seen[s.q.ID] {
			t.Fatalf("question %s asked twice", s.q.ID)
		}
		seen[s.q.ID] = true
		mustContain(t, m.Text, "Câu "+itoa(i+1)+"/10 · ")
		letter := s.right
		if i%3 == 1 {
			letter = s.wrong
			missed = append(missed, s.q)
		}
		r = u.Tap(letter)
		if r.Answered != 1 || r.Notice() != "" {
			t.Fatalf("tap %d answered %d times, notice %q", i+1, r.Answered, r.Notice())
		}
		first := r.Sent[0]
		if !first.Edited || first.ID != choice.ID {
			t.Fatalf("answer %d was not shown in place:\n%s", i+1, r)
		}
		if letter == s.right {
			mustContain(t, first.Text, "✅ Câu "+itoa(i+1)+": đúng rồi!")
		} else {
			mustContain(t, first.Text, "❌ Câu "+itoa(i+1)+": chưa đúng. Đáp án đúng là "+s.right+". "+s.q.Options[s.q.Correct].VI)
		}
		mustContain(t, first.Text, "💡 "+s.q.Explanation.VI)
	}
	// The last answer's feedback, then the result.
	result := r.Text()
	mustContain(t, result, "🏁 Xong! Bạn đúng 7/10 câu (70%).", "Đây là bài kiểm tra nhanh.", "Các câu chưa đúng:")
	for _, q := range missed {
		mustContain(t, result, q.Text.VI, "👉 "+q.Options[q.Correct].VI)
	}
	if got := r.Last().Labels(); !slices.Equal(got, []string{"🔁 Làm lại", "📚 Chọn bài khác", "⬅️ Về menu"}) {
		t.Errorf("result buttons = %q", got)
	}
	if n := fx.hooks.Load(); n != 1 {
		t.Errorf("AfterAttempt ran %d times, want 1", n)
	}
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 10 {
		t.Errorf("%d answers recorded, want 10", n)
	}
	if n := fx.count(`SELECT count(*) FROM quiz_answers WHERE correct`); n != 7 {
		t.Errorf("%d right answers recorded, want 7", n)
	}
	if n := fx.count(`SELECT count(*) FROM quiz_attempts WHERE score = 7 AND total = 10 AND area = '' AND finished_at IS NOT NULL AND bank_version = $1`, fx.bank.Version); n != 1 {
		t.Errorf("the attempt is not recorded as finished 7/10 on bank %s", fx.bank.Version)
	}
	// The quick test spreads over both areas.
	if n := fx.count(`SELECT count(DISTINCT left(q, 2)) FROM quiz_attempts, unnest(question_ids) q`); n != 2 {
		t.Errorf("the quick test drew from %d areas, want 2", n)
	}
	// Typed text after the end goes back to the menu, not to a question.
	if r := u.Send("B"); strings.Contains(r.Text(), "Câu ") {
		t.Errorf("typed text after the end answered a question:\n%s", r)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Typed answers: the letter in either case, the number, the option's text
// in NFC, NFD, without diacritics, in capitals.
func TestTypedAnswers(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Cầm Văn Bình", "vi")
	u.Send("/quiz")
	u.Tap("An toàn")

	type typing func(s screen, letter string) string
	ways := []struct {
		name string
		typ  typing
	}{
		{"lower-case letter", func(s screen, l string) string { return strings.ToLower(l) }},
		{"number", func(s screen, l string) string { return string(rune('1' + l[0] - 'A')) }},
		{"text in NFC", func(s screen, l string) string { return s.text[l] }},
		{"text in NFD", func(s screen, l string) string { return norm.NFD.String(s.text[l]) }},
		{"text without diacritics in capitals", func(s screen, l string) string { return strings.ToUpper(bot.Fold(s.text[l])) }},
		{"câu + letter", func(s screen, l string) string { return "Câu " + l }},
	}
	total := 6 // the area's six questions
	right := 0
	for i, w := range ways {
		s := fx.read(u.Screen(), "vi")
		letter := s.right
		if i%2 == 1 {
			letter = s.wrong
		} else {
			right++
		}
		typed := w.typ(s, letter)
		r := u.Send(typed)
		if len(r.Sent) == 0 || r.Sent[0].Edited {
			t.Fatalf("%s: a typed answer must get a new message:\n%s", w.name, r)
		}
		if letter == s.right {
			mustContain(t, r.Sent[0].Text, "đúng rồi!")
		} else {
			mustContain(t, r.Sent[0].Text, "chưa đúng. Đáp án đúng là "+s.right)
		}
		chosen := -1
		for j, l := range s.letter {
			if l == letter {
				chosen = j
			}
		}
		if n := fx.count(`SELECT count(*) FROM quiz_answers WHERE position = $1 AND question_id = $2 AND chosen = $3`, i, s.q.ID, chosen); n != 1 {
			t.Errorf("%s: typing %q did not record option %d of %s", w.name, typed, chosen, s.q.ID)
		}
		if i < total-1 {
			// Gibberish is not an answer: a hint, nothing recorded.
			if i == 0 {
				r := u.Send("không biết")
				mustContain(t, r.Text(), "Tôi chưa hiểu câu trả lời.")
				if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 1 {
					t.Errorf("gibberish was recorded as an answer")
				}
			}
		}
	}
	if n := fx.count(`SELECT score FROM quiz_attempts`); n != right {
		t.Errorf("score %d, want %d", n, right)
	}
}

// A tap on an old question, a double tap and a tap on an older attempt
// are answered politely and change nothing.
func TestStaleAndDoubleTaps(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Quàng Văn Sơn", "vi")
	u.Send("/quiz")
	u.Tap("Thiết bị số")

	// A double tap: two taps of the same button at once.
	first := u.Screen()
	s := fx.read(first, "vi")
	r := u.Do(u.TapUpdate(first, s.wrong), u.TapUpdate(first, s.wrong))
	if r.Answered != 2 {
		t.Fatalf("%d taps answered, want 2", r.Answered)
	}
	if !slices.Contains(r.Notices, "Câu này đã xong rồi. Bạn trả lời câu mới nhất nhé.") {
		t.Errorf("the second tap got no notice: %q", r.Notices)
	}
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 1 {
		t.Fatalf("a double tap recorded %d answers", n)
	}
	mustContain(t, u.Screen().Text, "Câu 2/6")

	// A tap on question 1's button, kept from before: nothing changes.
	r = u.TapOn(first, s.right)
	if r.Notice() != "Câu này đã xong rồi. Bạn trả lời câu mới nhất nhé." || len(r.Sent) != 0 {
		t.Errorf("a tap on an old question: notice %q, sent:\n%s", r.Notice(), r)
	}
	if n := fx.count(`SELECT count(*) FROM quiz_answers WHERE correct`); n != 0 {
		t.Errorf("the old tap changed the answer to question 1")
	}
	mustContain(t, u.Screen().Text, "Câu 2/6")

	// A tap on a button of an earlier attempt.
	u.Send("/stop")
	u.Send("/quiz")
	u.Tap("Thiết bị số")
	r = u.TapOn(first, "A")
	if r.Notice() != "Câu này đã xong rồi. Bạn trả lời câu mới nhất nhé." || len(r.Sent) != 0 {
		t.Errorf("a tap on an older attempt: notice %q, sent:\n%s", r.Notice(), r)
	}
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 1 {
		t.Errorf("a tap on an older attempt recorded an answer")
	}
	// A forged or garbled answer button.
	r = u.Do(u.Callback("quiz|ans|999|1.2.Z", u.Screen().ID))
	if r.Notice() == "" || len(r.Sent) != 0 {
		t.Errorf("a garbled button: notice %q, sent:\n%s", r.Notice(), r)
	}
}

// An update that failed after its answer was written (here the hook after
// the last answer fails once) is delivered again: the answer counts once.
func TestRedeliveredAnswerCountsOnce(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	var runs atomic.Int32
	fx := newFixture(t, quiz.Config{AfterAttempt: func(context.Context, int64) (func(*bot.Conversation) error, error) {
		runs.Add(1)
		if fail.CompareAndSwap(true, false) {
			return nil, errors.New("profile store down")
		}
		return nil, nil
	}})
	u := fx.user("Lường Thị Mai", "vi")
	u.Send("/quiz")
	u.Tap("Thiết bị số")
	for range 5 {
		u.Tap(fx.read(u.Screen(), "vi").right)
	}
	last := u.TapUpdate(u.Screen(), fx.read(u.Screen(), "vi").right)
	if err := fx.h.Engine.Handle(context.Background(), last); err == nil {
		t.Fatal("the failing hook did not fail the update")
	}
	r := u.Do(last) // the channel delivers it again
	mustContain(t, r.Text(), "Bạn đúng 6/6 câu (100%)", "Bạn đã đạt lĩnh vực “Sử dụng thiết bị số cơ bản”")
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 6 {
		t.Errorf("%d answers, want 6", n)
	}
	if n := fx.count(`SELECT score FROM quiz_attempts`); n != 6 {
		t.Errorf("score %d, want 6", n)
	}
	if runs.Load() != 2 {
		t.Errorf("hook ran %d times, want 2 (failed, then redelivered)", runs.Load())
	}
}

// Leaving in the middle and coming back after the bot restarted resumes the
// same question.
func TestResumeAfterRestart(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Hà Văn Tú", "vi")
	u.Send("/quiz")
	u.Tap("Kiểm tra nhanh")
	for range 3 {
		u.Tap(fx.read(u.Screen(), "vi").right)
	}
	before := fx.read(u.Screen(), "vi")
	beforeText := u.Screen().Text

	fx.restart(quiz.Config{})
	// The user wanders off to the menu, then comes back.
	u.Send("/menu")
	r := u.Tap("Kiểm tra kỹ năng số")
	mustContain(t, r.Last().Text, "Bạn đang làm dở một bài. Chúng ta làm tiếp nhé!", "Câu 4/10")
	after := fx.read(r.Last(), "vi")
	if after.q.ID != before.q.ID || !maps(after.letter, before.letter) {
		t.Fatalf("resumed on %s %v, want %s %v", after.q.ID, after.letter, before.q.ID, before.letter)
	}
	// The message from before the restart still shows this question, and
	// its buttons still count.
	if !strings.Contains(beforeText, "Câu 4/10") {
		t.Fatalf("before the restart the screen was:\n%s", beforeText)
	}
	r = u.Tap(after.right)
	mustContain(t, r.Text(), "✅ Câu 4: đúng rồi!", "Câu 5/10")
	for range 6 {
		u.Tap(fx.read(u.Screen(), "vi").right)
	}
	if n := fx.count(`SELECT score FROM quiz_attempts WHERE finished_at IS NOT NULL`); n != 10 {
		t.Errorf("score %d, want 10", n)
	}
}

func maps(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// After Redis lost every conversation, /quiz finds the attempt in
// PostgreSQL and resumes at the first unanswered question, score included.
func TestResumeAfterRedisFlush(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Lò Văn Pha", "vi")
	u.Send("/quiz")
	u.Tap("An toàn")
	u.Tap(fx.read(u.Screen(), "vi").right)
	u.Tap(fx.read(u.Screen(), "vi").wrong)
	u.Tap(fx.read(u.Screen(), "vi").right)
	screen := u.Screen()
	before := fx.read(screen, "vi")

	fx.h.FlushRedis()
	// The old button now lands on the menu: the router lost track.
	r := u.TapOn(screen, before.right)
	mustContain(t, r.Text(), "Xin lỗi, tôi đã quên mất chúng ta đang ở đâu.")
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 3 {
		t.Fatalf("%d answers after the lost tap, want 3", n)
	}
	r = u.Send("/quiz")
	mustContain(t, r.Last().Text, "Bạn đang làm dở một bài.", "Câu 4/6")
	after := fx.read(r.Last(), "vi")
	if after.q.ID != before.q.ID || !maps(after.letter, before.letter) {
		t.Fatalf("resumed on %s %v, want %s %v", after.q.ID, after.letter, before.q.ID, before.letter)
	}
	for range 3 {
		r = u.Tap(fx.read(u.Screen(), "vi").right)
	}
	mustContain(t, r.Text(), "Bạn đúng 5/6 câu (83%)", "Các câu chưa đúng:", "• Câu 2: ")
}

// A button of the question in progress still counts after /menu reset the
// conversation: the attempt is found in PostgreSQL.
func TestAnswerAfterMenu(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Vì Thị Lan", "vi")
	u.Send("/quiz")
	u.Tap("An toàn")
	screen := u.Screen()
	s := fx.read(screen, "vi")
	u.Send("/menu")
	r := u.TapOn(screen, s.right)
	mustContain(t, r.Text(), "✅ Câu 1: đúng rồi!", "Câu 2/6")
}

// An answer typed at the menu, left with /menu in the middle of a quiz, is
// met with where the quiz is paused and the button that resumes it, not
// with the generic hint; other text, and an answer when no quiz is in
// progress, still get the hint.
func TestAnswerTypedAtMenuTellsTheQuizIsPaused(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	h := fx.h
	hint := func(lang string, r flowtest.Result) {
		t.Helper()
		if got := r.Texts(); len(got) != 2 || got[0] != h.T(lang, "unknown.hint") || got[1] != h.T(lang, "menu.title") {
			t.Errorf("want the hint and the menu, got:\n%s", r)
		}
	}
	u := fx.user("Lường Văn Sơn", "vi")
	hint("vi", u.Send("B")) // no quiz in progress
	if r := u.Send("ok"); r.Text() != h.T("vi", "smalltalk.agreed") {
		t.Errorf("ok with no quiz in progress: want smalltalk.agreed, got:\n%s", r)
	}
	u.Send("/quiz")
	u.Tap("An toàn")
	u.Tap(fx.read(u.Screen(), "vi").right)
	u.Tap(fx.read(u.Screen(), "vi").wrong)
	before := fx.read(u.Screen(), "vi")
	u.Send("/menu")
	// Said in a few words, as the quiz reads an answer.
	for _, typed := range []string{"B", "2", " c. ", "(d)", "B ạ", "đáp án là C", "em chọn câu 2 nhé", "I think it's d"} {
		r := u.Send(typed)
		if got := r.Texts(); len(got) != 1 || got[0] != h.T("vi", "quiz.paused", "N", 3, "Total", 6) {
			t.Errorf("%q at the menu: want quiz.paused at 3/6, got:\n%s", typed, r)
		}
		mustContain(t, r.Text(), "tạm dừng ở câu 3/6", "Làm tiếp bài")
	}
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 2 {
		t.Errorf("%d answers recorded, want 2: a letter typed at the menu is no answer", n)
	}
	// Small talk says nothing else: the paused quiz is said first too.
	for _, typed := range []string{"ok", "cảm ơn bạn", "chào bạn"} {
		r := u.Send(typed)
		if got := r.Texts(); len(got) != 1 || got[0] != h.T("vi", "quiz.paused", "N", 3, "Total", 6) ||
			!slices.Equal(r.Last().Labels(), []string{h.T("vi", "quiz.continue"), h.T("vi", "menu.back")}) {
			t.Errorf("%q at the menu: want quiz.paused at 3/6 with its button, got:\n%s", typed, r)
		}
	}
	hint("vi", u.Send("hôm nay thi gì?"))
	hint("vi", u.Send("E"))
	hint("vi", u.Send("tôi không chọn B")) // no answer in the quiz either
	hint("vi", u.Send("B hay C"))
	u.Send("B")
	r := u.Tap("Làm tiếp bài")
	mustContain(t, r.Last().Text, "Bạn đang làm dở một bài. Chúng ta làm tiếp nhé!", "Câu 3/6")
	if after := fx.read(r.Last(), "vi"); after.q.ID != before.q.ID {
		t.Errorf("resumed on %s, want %s", after.q.ID, before.q.ID)
	}

	// In English, and after the session was lost.
	en := fx.user("Mai", "en")
	en.Send("/quiz")
	en.Tap("Quick test")
	fx.h.FlushRedis()
	r = en.Send("a")
	mustContain(t, r.Text(), "Your quiz is paused at question 1/10.", "Continue the quiz")
	// Once stopped, the letter is text like any other.
	en.Send("/stop")
	hint("en", en.Send("a"))
}

// /stop abandons; the answers stay; the next /quiz offers a new test.
func TestStop(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Đinh Văn Khải", "vi")
	r := u.Send("/stop")
	nothing(t, fx, r, "vi")
	u.Send("/quiz")
	u.Tap("An toàn")
	screen := u.Screen()
	u.Tap(fx.read(screen, "vi").right)
	r = u.Send("/stop")
	mustContain(t, r.Text(), "⏹ Đã dừng bài. Các câu bạn đã trả lời vẫn được lưu.")
	if n := fx.count(`SELECT count(*) FROM quiz_attempts WHERE abandoned_at IS NOT NULL AND finished_at IS NULL`); n != 1 {
		t.Errorf("the attempt is not abandoned")
	}
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 1 {
		t.Errorf("the answer given was lost")
	}
	r = u.Send("/quiz")
	mustContain(t, r.Text(), "Kiểm tra nhanh: 10 câu")
	if strings.Contains(r.Text(), "làm dở") {
		t.Errorf("a stopped attempt was resumed:\n%s", r)
	}
	r = u.TapOn(screen, "A")
	if r.Notice() == "" || len(r.Sent) != 0 {
		t.Errorf("a button of the stopped attempt: notice %q, sent:\n%s", r.Notice(), r)
	}
	nothing(t, fx, u.Send("/stop"), "vi")
}

// nothing checks the answer to /stop when nothing is under way: said
// plainly, with the menu's button, and no quiz pushed.
func nothing(t *testing.T, fx *fixture, r flowtest.Result, lang string) {
	t.Helper()
	if len(r.Sent) != 1 || r.Text() != fx.h.T(lang, "quiz.stop.none") || !slices.Equal(r.Last().Labels(), []string{fx.h.T(lang, "menu.back")}) {
		t.Errorf("/stop with nothing under way: want %q with the menu's button only, got\n%s", fx.h.T(lang, "quiz.stop.none"), r)
	}
	if strings.Contains(r.Text(), "/quiz") {
		t.Errorf("/stop with nothing under way pushes the quiz:\n%s", r)
	}
}

// A focal point at the menu, their report paused, types /stop: nothing is
// under way; they are told so plainly, not invited to take a quiz.
func TestStopWithNothingForAFocalPoint(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Lò Thị Hương", "en")
	ctx := context.Background()
	if _, _, err := fx.h.DB.UpsertUnits(ctx, []store.Unit{{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"}}, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.h.DB.GrantRole(ctx, u.UserID(), store.RoleFocal, "SNV", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	u.Send("/menu")
	nothing(t, fx, u.Send("/stop"), "en")
}

func (fx *fixture) takeArea(u *flowtest.User, area string, wrong int) {
	fx.t.Helper()
	u.Send("/quiz")
	u.Tap(area)
	for i := range 6 {
		s := fx.read(u.Screen(), "vi")
		if i < wrong {
			u.Tap(s.wrong)
		} else {
			u.Tap(s.right)
		}
	}
}

// /progress: per area the best score and whether it is passed; when every
// area is passed the certificate button shows.
func TestProgressAndPassMark(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Sa Văn Minh", "vi")
	r := u.Send("/progress")
	mustContain(t, r.Text(), "📊 Kết quả của bạn", "đúng từ 80% số câu", "không phải chuẩn chính thức của Nhà nước",
		"⬜ Sử dụng thiết bị số cơ bản: chưa làm", "⬜ An toàn: chưa làm", "Bạn đã đạt 0/2 lĩnh vực.")

	fx.takeArea(u, "Thiết bị số", 0) // 6/6
	fx.takeArea(u, "An toàn", 2)     // 4/6 = 66%: not passed at 80%
	r = u.Send("/progress")
	mustContain(t, r.Text(), "✅ Sử dụng thiết bị số cơ bản: 6/6 · đạt", "❌ An toàn: 4/6 · chưa đạt", "Bạn đã đạt 1/2 lĩnh vực.")
	if slices.Contains(r.Last().Labels(), "🎓 Nhận chứng nhận") {
		t.Error("the certificate button shows before every area is passed")
	}
	r = u.Send("/quiz")
	if labels := r.Last().Labels(); !slices.Contains(labels, "✅ 📱 Thiết bị số") || !slices.Contains(labels, "🛡️ An toàn") {
		t.Errorf("the choice does not mark the passed area: %q", labels)
	}

	// 5/6 = 83% passes; the result offers the certificate.
	fx.takeArea(u, "An toàn", 1)
	chat := u.Chat()
	result := chat[len(chat)-1]
	mustContain(t, result.Text, "Bạn đúng 5/6 câu (83%).", "🎉 Bạn đã đạt lĩnh vực “An toàn”.", "🎓 Bạn đã đạt tất cả 2 lĩnh vực!")
	b, ok := result.Button("Nhận chứng nhận")
	if !ok {
		t.Fatalf("no certificate button on the result: %q", result.Labels())
	}
	if cb, err := bot.ParseCallback(b.Data); err != nil || cb.Flow != "cert" || cb.Action != "start" {
		t.Errorf("certificate button = %q", b.Data)
	}
	r = u.Send("/progress")
	mustContain(t, r.Text(), "✅ An toàn: 5/6 · đạt", "Bạn đã đạt 2/2 lĩnh vực.")
	if !slices.Contains(r.Last().Labels(), "🎓 Nhận chứng nhận") {
		t.Errorf("progress lacks the certificate button: %q", r.Last().Labels())
	}
	if n := fx.hooks.Load(); n != 3 {
		t.Errorf("AfterAttempt ran %d times, want 3", n)
	}

	// A lower mark is configuration: at 50%, 3/6 passes.
	fx2 := newFixture(t, quiz.Config{PassPercent: 50})
	u2 := fx2.user("Lò Thị Xuân", "vi")
	fx2.takeArea(u2, "An toàn", 3)
	chat = u2.Chat()
	mustContain(t, chat[len(chat)-1].Text, "Bạn đúng 3/6 câu (50%).", "Bạn đã đạt lĩnh vực “An toàn”.")
	r = u2.Send("/progress")
	mustContain(t, r.Text(), "đúng từ 50% số câu")
}

// A retake below the mark of an area passed before says the pass is kept,
// not that the area is not passed; /progress still shows it passed.
func TestFailedRetakeOfPassedAreaKeepsThePass(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Cầm Thị Lan", "vi")
	fx.takeArea(u, "An toàn", 0) // 6/6
	fx.takeArea(u, "An toàn", 3) // 3/6
	chat := u.Chat()
	result := chat[len(chat)-1].Text
	mustContain(t, result, "Bạn đúng 3/6 câu (50%).", "Lần này chưa đủ 80%, nhưng bạn vẫn giữ kết quả đạt lĩnh vực “An toàn” từ lần trước.")
	if strings.Contains(result, "mới đạt") {
		t.Errorf("the result of a retake says the area, passed before, is not passed:\n%s", result)
	}
	mustContain(t, u.Send("/progress").Text(), "✅ An toàn: 6/6 · đạt")

	// Never passed: the mark to reach, as before.
	fx.takeArea(u, "Thiết bị số", 3)
	chat = u.Chat()
	mustContain(t, chat[len(chat)-1].Text, "Bài này cần đúng từ 80% trở lên mới đạt.")
}

// Once every area is passed, each result invites to get the certificate,
// failed quick tests too, until it is issued; then no result offers it
// again, and /progress keeps its button.
func TestCertificateOfferedUntilIssued(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, devices, safety string }{{"vi", "Thiết bị số", "An toàn"}, {"en", "Devices", "Safety"}} {
		lang := c.lang
		T := func(id string, args map[string]any) string { return cat.Text(lang, id, args) }
		u := fx.user("Quàng Văn "+lang, lang)
		invite := T("quiz.result.all", map[string]any{"N": 2})
		certButton := T("quiz.cert", nil)
		last := func() flowtest.Message {
			chat := u.Chat()
			return chat[len(chat)-1]
		}
		take := func(what string, n, wrong int) flowtest.Message {
			t.Helper()
			u.Send("/quiz")
			u.Tap(what)
			for i := range n {
				s := fx.read(u.Screen(), lang)
				if i < wrong {
					u.Tap(s.wrong)
				} else {
					u.Tap(s.right)
				}
			}
			return last()
		}
		quick := func(wrong int) flowtest.Message { return take(T("quiz.quick.name", nil), 10, wrong) }
		// offered reports whether m offers the certificate, in words and
		// with the button, both or neither.
		offered := func(m flowtest.Message) bool {
			t.Helper()
			_, button := m.Button(certButton)
			if text := strings.Contains(m.Text, invite); text != button {
				t.Errorf("%s: the invitation shows %v, its button %v:\n%s\n%q", lang, text, button, m.Text, m.Labels())
			}
			return button
		}

		take(c.devices, 6, 0)
		if m := take(c.safety, 6, 0); !offered(m) {
			t.Errorf("%s: the attempt passing the last area does not offer the certificate:\n%s", lang, m.Text)
		}
		// Not issued yet: a failed quick test still reminds of it.
		if m := quick(3); !offered(m) {
			t.Errorf("%s: a failed quick test without a certificate does not offer it:\n%s", lang, m.Text)
		} else if hint := T("quiz.result.quick", nil); strings.Contains(m.Text, hint) {
			t.Errorf("%s: tells one who passed every area how to pass one:\n%s", lang, m.Text)
		}

		areas, err := fx.h.DB.CertificateAreas(context.Background(), u.UserID())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := fx.h.DB.IssueCertificate(context.Background(), store.NewCertificate{UserID: u.UserID(), Name: u.Name,
			Areas: areas, At: time.Now(), NewCode: func() string { return "TESTCODE0" + lang }}); err != nil {
			t.Fatal(err)
		}
		for _, wrong := range []int{3, 0} {
			if m := quick(wrong); offered(m) || strings.Contains(m.Text, "🎓") {
				t.Errorf("%s: a quick test (%d wrong) after the certificate still offers it:\n%s\n%q", lang, wrong, m.Text, m.Labels())
			}
		}
		if m := take(c.safety, 6, 0); offered(m) || strings.Contains(m.Text, "🎓") {
			t.Errorf("%s: a passed area after the certificate still offers it:\n%s\n%q", lang, m.Text, m.Labels())
		}
		r := u.Send("/progress")
		if _, ok := r.Last().Button(certButton); !ok {
			t.Errorf("%s: /progress lost the certificate button: %q", lang, r.Last().Labels())
		}
	}
}

// Each attempt draws its questions and option orders afresh.
func TestRetakeDrawsAfresh(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Tòng Văn Hùng", "vi")
	u.Send("/quiz")
	u.Tap("Kiểm tra nhanh")
	for range 10 {
		u.Tap(fx.read(u.Screen(), "vi").right)
	}
	u.Tap("Làm lại")
	mustContain(t, u.Screen().Text, "Câu 1/10")
	var a, b []string
	var oa, ob string
	rows, err := fx.h.DB.Pool.Query(context.Background(), `SELECT question_ids, option_orders::text FROM quiz_attempts ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	rows.Next()
	if err := rows.Scan(&a, &oa); err != nil {
		t.Fatal(err)
	}
	rows.Next()
	if err := rows.Scan(&b, &ob); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a, b) {
		t.Errorf("the retake asks the same questions in the same order: %q", a)
	}
	if oa == ob {
		t.Errorf("the retake shows the options in the same orders: %s", oa)
	}
}

// The quiz speaks English to an English speaker, bank texts included.
func TestEnglish(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Anna", "en")
	r := u.Send("/quiz")
	mustContain(t, r.Last().Text, "Digital skills quiz")
	u.Tap("Safety")
	s := fx.read(u.Screen(), "en")
	mustContain(t, u.Screen().Text, "Question 1/6 · 🛡️ Safety")
	r = u.Send(s.text[s.right]) // the English text of the right option
	mustContain(t, r.Text(), "✅ Question 1: right!", "💡 "+s.q.Explanation.EN)
}

// An attempt begun on an earlier bank goes on with that bank's questions
// after an import replaced it.
func TestAttemptKeepsItsBankVersion(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	ctx := context.Background()
	if err := fx.h.DB.RecordQuizBank(ctx, fx.bank.Version, "test", fx.bank.Canonical()); err != nil {
		t.Fatal(err)
	}
	u := fx.user("Lò Văn Hải", "vi")
	u.Send("/quiz")
	u.Tap("An toàn")
	u.Tap(fx.read(u.Screen(), "vi").right)
	before := fx.read(u.Screen(), "vi")

	fx.restartWithRewordedBank()
	fx.h.FlushRedis() // and the session is gone too: the attempt comes from PostgreSQL
	r := u.Send("/quiz")
	mustContain(t, r.Last().Text, "Câu 2/6", "\n"+before.q.Text.VI+"\n")
	if strings.Contains(r.Last().Text, "(mới)") {
		t.Errorf("the attempt switched to the new bank:\n%s", r.Last().Text)
	}
	// A new attempt uses the new bank.
	u.Send("/stop")
	u.Send("/quiz")
	r = u.Tap("An toàn")
	mustContain(t, r.Last().Text, "(mới)?")
	if n := fx.count(`SELECT count(DISTINCT bank_version) FROM quiz_attempts`); n != 2 {
		t.Errorf("%d bank versions on the attempts, want 2", n)
	}
}

// An attempt whose bank cannot be read any more (its version was never
// stored, or the stored file no longer loads, as after an upgrade with
// stricter checks) is no dead end: a tap on its question says so, the
// attempt is abandoned with its answers kept, and the user chooses a new
// test, which uses the bank in force.
func TestAttemptWhoseBankIsGoneStartsAfresh(t *testing.T) {
	for _, c := range []struct {
		name   string
		stored []byte
		resume bool // /quiz with the session lost, instead of a tap
	}{
		{"never stored", nil, false},
		{"no longer loads", []byte("areas: [\n"), false},
		{"never stored, resumed from PostgreSQL", nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t, quiz.Config{})
			ctx := context.Background()
			if c.stored != nil {
				if err := fx.h.DB.RecordQuizBank(ctx, fx.bank.Version, "test", c.stored); err != nil {
					t.Fatal(err)
				}
			}
			u := fx.user("Lò Văn Hải", "vi")
			u.Send("/quiz")
			u.Tap("An toàn")
			u.Tap(fx.read(u.Screen(), "vi").right)
			s := fx.read(u.Screen(), "vi")

			fx.restartWithRewordedBank()
			var r flowtest.Result
			if c.resume {
				fx.h.FlushRedis()
				r = u.Send("/quiz")
			} else {
				r = u.Tap(s.right)
			}
			mustContain(t, r.Text(), fx.h.T("vi", "quiz.gone"), "Kiểm tra nhanh")
			if n := fx.count(`SELECT count(*) FROM quiz_attempts WHERE abandoned_at IS NOT NULL`); n != 1 {
				t.Errorf("%d attempts abandoned, want 1", n)
			}
			if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 1 {
				t.Errorf("%d answers kept, want the 1 given before", n)
			}
			r = u.Tap("An toàn")
			mustContain(t, r.Last().Text, "Câu 1/6", "(mới)?")
		})
	}
}

// At start the bot uses the imported bank in force, else the embedded one,
// which it records; a bank with a problem is never stored.
func TestLoadAndImportBank(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	ctx := context.Background()
	db := fx.h.DB
	b, source, err := quiz.LoadBank(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := bank.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if source != quiz.SourceEmbedded || b.Version != embedded.Version {
		t.Fatalf("loaded %s from %q, want the embedded %s", b.Version, source, embedded.Version)
	}
	if stored, err := db.QuizBank(ctx, b.Version); err != nil || stored.Active || string(stored.Content) != string(b.Canonical()) {
		t.Fatalf("the embedded bank is not recorded: %+v %v", stored, err)
	}

	broken := strings.Replace(string(fx.bank.Canonical()), "correct: 2", "correct: 7", 1)
	if _, _, err := quiz.ImportBank(ctx, db, "broken.yaml", time.Now(), bank.File{Name: "broken.yaml", Data: []byte(broken)}); err == nil ||
		!strings.Contains(err.Error(), "broken.yaml:") || !strings.Contains(err.Error(), "field correct: 7 is out of range") {
		t.Fatalf("a broken bank: %v", err)
	}
	if n := fx.count(`SELECT count(*) FROM quiz_banks`); n != 1 {
		t.Fatalf("%d banks stored, want only the embedded one", n)
	}
	imported, created, err := quiz.ImportBank(ctx, db, "bank.yaml", time.Now(), bank.File{Name: "bank.yaml", Data: fx.bank.Canonical()})
	if err != nil || !created || imported.Version != fx.bank.Version {
		t.Fatalf("import: %v %v %v", imported, created, err)
	}
	b, source, err = quiz.LoadBank(ctx, db)
	if err != nil || source != "bank.yaml" || b.Version != fx.bank.Version {
		t.Fatalf("after the import LoadBank gives %v from %q: %v", b, source, err)
	}
}

// A typed answer does not depend on the option's punctuation: the text
// without its comma, the letter and the text copied from the question, a
// colon after "đáp án" all read as the option meant; a letter that names
// another option than the text does is not read.
func TestTypedAnswerIgnoresPunctuation(t *testing.T) {
	b := banktest.Load(t)
	q, ok := b.Question("t0-1-charge") // "Bộ sạc đúng loại, còn tốt" is option 0
	if !ok {
		t.Fatal("no question t0-1-charge in the test bank")
	}
	const order = "201" // A. Ổ điện ướt  B. Bộ sạc đúng loại, còn tốt  C. Dây sạc bị hở lõi
	for _, c := range []struct {
		input string
		want  int
	}{
		{"bo sac dung loai con tot", 1},
		{"Bộ sạc đúng loại còn tốt", 1},
		{"Bộ sạc đúng loại ,còn tốt.", 1},
		{"the right charger in good condition", 1},
		{"dung loai con tot", 1},
		{"B. Bộ sạc đúng loại, còn tốt", 1},
		{"b) bo sac dung loai", 1},
		{"C - Dây sạc bị hở lõi", 2},
		{"đáp án: B", 1},
		{"Answer: c", 2},
		{"câu: a", 0},
		{"A. Bộ sạc đúng loại, còn tốt", -1},
		{"B. Ổ điện ướt", -1},
		{"không biết", -1},
	} {
		if got := quiz.MatchTyped(c.input, q, order); got != c.want {
			t.Errorf("MatchTyped(%q) = %d, want %d", c.input, got, c.want)
		}
	}
}

// A letter or a number said in a few words, as people type in chat, is
// read as that answer, in Vietnamese and English, with or without
// diacritics; words that change its meaning (a negation, a second option,
// anything not in the parser's short list) leave it unread.
func TestTypedAnswerSaidInWords(t *testing.T) {
	b := banktest.Load(t)
	q, ok := b.Question("t0-1-charge")
	if !ok {
		t.Fatal("no question t0-1-charge in the test bank")
	}
	const order = "201" // A. Ổ điện ướt  B. Bộ sạc đúng loại, còn tốt  C. Dây sạc bị hở lõi
	for _, c := range []struct {
		input string
		want  int
	}{
		{"B ạ", 1},
		{"b ạ.", 1},
		{"Dạ, B ạ", 1},
		{"b nhé", 1},
		{"b nhe", 1},
		{"C nha", 2},
		{"đáp án là B", 1},
		{"dap an la b", 1},
		{"đáp án B", 1},
		{"chọn B", 1},
		{"chọn câu B", 1},
		{"chon cau b", 1},
		{"câu B", 1},
		{"em chọn B", 1},
		{"Em chọn câu B ạ", 1},
		{"tôi chọn B", 1},
		{"tôi nghĩ là 3", 2},
		{"phương án 1", 0},
		{"It's B", 1},
		{"It’s b", 1},
		{"the answer is B", 1},
		{"I think B", 1},
		{"I think it's C", 2},
		{"I pick B", 1},
		{"B please", 1},
		{"a please", 0},
		// Not an answer.
		{"không biết", -1},
		{"tôi không chọn B", -1},
		{"không chọn B", -1},
		{"k chọn B", -1},
		{"chưa chọn B", -1},
		{"not B", -1},
		{"B hay C", -1},
		{"B và C", -1},
		{"chọn B hay C", -1},
		{"B or C", -1},
		{"B B", -1},
		{"câu 2 B", -1},
		{"B a", -1},   // "ạ" without its mark is the letter A
		{"D ạ", -1},   // three options
		{"4 nhé", -1}, // three options
		{"B sai", -1},
		{"em không biết chọn câu nào", -1},
		{"em chọn", -1},
		{"ạ", -1},
		{"nhé", -1},
	} {
		if got := quiz.MatchTyped(c.input, q, order); got != c.want {
			t.Errorf("MatchTyped(%q) = %d, want %d", c.input, got, c.want)
		}
		if got := quiz.MatchTyped(norm.NFD.String(c.input), q, order); got != c.want {
			t.Errorf("MatchTyped(NFD %q) = %d, want %d", c.input, got, c.want)
		}
		if got := quiz.MatchTyped(wide(c.input), q, order); got != c.want {
			t.Errorf("MatchTyped(%q) = %d, want %d", wide(c.input), got, c.want)
		}
	}
}

// An option whose own text is a few of those words and a number is read
// as that option, not as the option the number would name.
func TestTypedAnswerOptionTextBeforeSaidWords(t *testing.T) {
	extra := bank.File{Name: "questions_extra.yaml", Data: []byte(`questions:
  - id: t0-1-menu
    competence: "0.1"
    text: {vi: "Tổng đài nói: bấm phím 2 để nghe lại. Bạn làm gì?", en: "The line says: press 2 to listen again. What do you do?"}
    options:
      - {vi: "Chọn 2", en: "Pick 2"}
      - {vi: "Chọn 3", en: "Pick 3"}
      - {vi: "Gác máy", en: "Hang up"}
    correct: 0
    explanation: {vi: "Phím 2 là phím nghe lại.", en: "Key 2 is the one that repeats."}
    source: "test"
`)}
	b, err := bank.Load(append(banktest.Files(t), extra)...)
	if err != nil {
		t.Fatal(err)
	}
	q, ok := b.Question("t0-1-menu")
	if !ok {
		t.Fatal("no question t0-1-menu")
	}
	const order = "120" // A. Chọn 3  B. Gác máy  C. Chọn 2
	for _, c := range []struct {
		input string
		want  int
	}{
		{"chọn 2", 2},
		{"Chon 3", 0},
		{"pick 2", 2},
		{"2 nhé", 1},
		{"đáp án 2", 1},
	} {
		if got := quiz.MatchTyped(c.input, q, order); got != c.want {
			t.Errorf("MatchTyped(%q) = %d, want %d", c.input, got, c.want)
		}
	}
}

// wide writes s as a full-width keyboard of an East-Asian input method
// types it: ASCII letters, digits and punctuation in their full-width
// forms (U+FF01–U+FF5E), spaces as the ideographic space (U+3000); the
// rest, Vietnamese letters included, as it is.
func wide(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ':
			return '\u3000'
		case r > ' ' && r <= '~':
			return r + 0xFEE0
		}
		return r
	}, s)
}

// A letter, a number or an option's text typed in full-width forms reads
// as typed in ASCII; Vietnamese diacritics around them still count.
func TestTypedAnswerInFullWidth(t *testing.T) {
	b := banktest.Load(t)
	q, ok := b.Question("t0-1-charge")
	if !ok {
		t.Fatal("no question t0-1-charge in the test bank")
	}
	const order = "201" // A. Ổ điện ướt  B. Bộ sạc đúng loại, còn tốt  C. Dây sạc bị hở lõi
	for _, c := range []struct {
		input string
		want  int
	}{
		{"Ｂ", 1},
		{"ｂ", 1},
		{"２", 1},
		{"（ｃ）", 2},
		{"３．", 2},
		{"\u3000Ａ\u3000", 0},
		{"Câu\u3000Ｂ", 1},
		{"đáp án：３", 2},
		{wide("bo sac dung loai con tot"), 1},
		{wide("B. ") + "Bộ sạc đúng loại, còn tốt", 1},
		{"Ｄ", -1},
		{"４", -1},
		{"Ａ. Bộ sạc đúng loại, còn tốt", -1},
	} {
		if got := quiz.MatchTyped(c.input, q, order); got != c.want {
			t.Errorf("MatchTyped(%q) = %d, want %d", c.input, got, c.want)
		}
		if got := quiz.MatchTyped(norm.NFD.String(c.input), q, order); got != c.want {
			t.Errorf("MatchTyped(NFD %q) = %d, want %d", c.input, got, c.want)
		}
	}
}

// In a quiz, an answer typed in full-width forms is recorded; typed at
// the menu, it tells the quiz is paused, as the ASCII letter does.
func TestFullWidthAnswerIsRead(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	u := fx.user("Lò Văn Thắng", "vi")
	u.Send("/quiz")
	u.Tap("An toàn")
	s := fx.read(u.Screen(), "vi")
	mustContain(t, u.Send(wide(s.right)).Text(), "đúng rồi!")
	s = fx.read(u.Screen(), "vi")
	mustContain(t, u.Send(wide(string(rune('1'+s.wrong[0]-'A')))).Text(), "chưa đúng. Đáp án đúng là "+s.right)
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 2 {
		t.Errorf("%d answers recorded, want 2", n)
	}
	u.Send("/menu")
	mustContain(t, u.Send("Ｃ").Text(), "tạm dừng ở câu 3/6", "Làm tiếp bài")
}

// In a quiz, "B ạ" and "I think it's B" answer the question; "tôi không
// chọn B" is not an answer, and nothing is recorded for it.
func TestAnswerSaidInWordsIsRead(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	h := fx.h
	u := fx.user("Lò Văn Thắng", "vi")
	u.Send("/quiz")
	u.Tap("An toàn")
	s := fx.read(u.Screen(), "vi")
	if r := u.Send("tôi không chọn " + s.right); r.Text() != h.T("vi", "quiz.typed.unknown") {
		t.Errorf("a negation: want quiz.typed.unknown, got:\n%s", r)
	}
	mustContain(t, u.Send(s.right+" ạ").Text(), "đúng rồi!")
	s = fx.read(u.Screen(), "vi")
	mustContain(t, u.Send("I think it's "+s.wrong).Text(), "chưa đúng. Đáp án đúng là "+s.right)
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 2 {
		t.Errorf("%d answers recorded, want 2", n)
	}
}

// Every option of the built-in bank, typed without diacritics and without
// its punctuation, as on a phone keyboard, selects that option, wherever
// it is shown.
func TestEveryBuiltInOptionTypedPlainSelectsIt(t *testing.T) {
	b, err := bank.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	plain := func(s string) string {
		return strings.Join(strings.FieldsFunc(bot.Fold(s), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}), " ")
	}
	for i := range b.Questions {
		q := &b.Questions[i]
		order := "0123"[:len(q.Options)]
		order = order[1:] + order[:1] // option 0 shown last, and so on
		for k := range order {
			o := q.Options[order[k]-'0']
			for _, typed := range []string{plain(o.VI), plain(o.EN)} {
				if got := quiz.MatchTyped(typed, q, order); got != k {
					t.Errorf("%s: %q shown at %d reads as %d", q.ID, typed, k, got)
				}
			}
		}
	}
}

func FuzzTypedAnswer(f *testing.F) {
	b := banktest.Load(f)
	for _, s := range []string{"B", "b", "2", " c. ", "(a)", "Câu B", "đáp án 3", "Không ai cả", "KHONG AI CA", norm.NFD.String("Không ai cả"),
		"không", "nhân viên ngân hàng", "E", "5", "0", "", "\u0301", "ａ", "Ｂ", "２", "（ｃ）", "Câu\u3000Ｂ", "Ａ\u0301"} {
		f.Add(s, 6, "201")
	}
	f.Add("Bộ sạc đúng loại, còn tốt", 0, "012")
	f.Add("bo sac dung loai con tot", 0, "012")
	f.Add("A. Bộ sạc đúng loại, còn tốt", 0, "012")
	f.Add("B ạ", 0, "012")
	f.Add("em chọn câu 2 nhé", 1, "0123")
	f.Add("tôi không chọn B", 0, "012")
	f.Add("I think it's C", 0, "012")
	f.Fuzz(func(t *testing.T, input string, qi int, order string) {
		if qi < 0 {
			qi = -qi
		}
		q := &b.Questions[qi%len(b.Questions)]
		k := quiz.MatchTyped(input, q, order)
		if k < -1 || k >= len(order) || k >= len(q.Options) {
			t.Fatalf("MatchTyped(%q, %s, %q) = %d, out of range", input, q.ID, order, k)
		}
		if k >= 0 && len(order) != len(q.Options) {
			t.Fatalf("matched %d with an order %q that does not fit %d options", k, order, len(q.Options))
		}
		// Whatever form the text takes, it reads the same.
		if k2 := quiz.MatchTyped(norm.NFD.String(input), q, order); k2 != k {
			t.Fatalf("NFD %q reads %d, NFC reads %d", input, k2, k)
		}
		// Typed in full-width forms, it reads the same.
		if k2 := quiz.MatchTyped(wide(input), q, order); k2 != k {
			t.Fatalf("full-width %q reads %d, %q reads %d", wide(input), k2, input, k)
		}
		// A bare letter or number reads the same said in a few words, and
		// not at all with a negation or a second option beside it.
		if bare := strings.TrimFunc(input, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }); k >= 0 && len(bare) == 1 {
			for _, s := range []string{bare + " ạ", "Em chọn câu " + bare + " nhé", "dap an la " + input, "I think it's " + input + " please"} {
				if got := quiz.MatchTyped(s, q, order); got != k {
					t.Fatalf("%q reads %d, %q reads %d", s, got, input, k)
				}
			}
			for _, s := range []string{"tôi không chọn " + input, "not " + input, input + " hay " + input, bare + " a"} {
				if got := quiz.MatchTyped(s, q, order); got != -1 {
					t.Fatalf("%q reads %d, want nothing", s, got)
				}
			}
		}
		// Each option's own text, in either language and with or without
		// diacritics, selects it.
		if len(order) == len(q.Options) && k >= 0 {
			for j := range order {
				o := q.Options[int(order[j]-'0')]
				for _, s := range []string{o.VI, o.EN, bot.Fold(o.VI), strings.ToUpper(o.EN)} {
					if got := quiz.MatchTyped(s, q, order); got != j && !(len(bot.Fold(s)) == 1) {
						t.Fatalf("option %q shown at %d reads as %d", s, j, got)
					}
				}
			}
		}
	})
}

// A typed answer corrected by editing the message is not read, and the
// user is not told to send it again, which would answer the next question:
// the answer sent first counted. Outside a quiz the general answer stays.
func TestEditedAnswerIsNotSentAgain(t *testing.T) {
	fx := newFixture(t, quiz.Config{})
	h := fx.h
	u := fx.user("Lò Thị Mai", "vi")
	u.Send("/quiz")
	u.Tap("An toàn")
	u.Send("B")
	r := u.Edit("C")
	if got := r.Texts(); len(got) != 1 || got[0] != h.T("vi", "quiz.edited") {
		t.Errorf("an edited answer: want quiz.edited, got:\n%s", r)
	}
	if n := fx.count(`SELECT count(*) FROM quiz_answers`); n != 1 {
		t.Errorf("%d answers recorded, want 1", n)
	}
	u.Send("/menu")
	if r := u.Edit("C"); r.Text() != h.T("vi", "edited.ignored") {
		t.Errorf("an edit at the menu: %s", r)
	}
}
