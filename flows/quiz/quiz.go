// Package quiz is the digital-skills quiz: a quick test across every area or
// a test on one competence area, one question at a time with immediate
// feedback, the score at the end, and /progress.
//
// The hot path is an answer: the attempt's snapshot (question ids, option
// orders, position, score) lives in the session, so an answer costs one
// PostgreSQL write and no read. Every attempt and answer is recorded, with
// the bank version, so editing the bank never rewrites history.
package quiz

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/quiz/bank"
	"hocvuso/store"
)

// Name is the flow's name.
const Name = "quiz"

// MenuItem is the main menu's button that opens the quiz.
var MenuItem = flows.MenuItem{Label: "quiz.menu", Flow: Name, Action: "start"}

// Store is what the quiz needs of the records.
type Store interface {
	CreateAttempt(ctx context.Context, a store.NewQuizAttempt) (int64, error)
	RecordAnswer(ctx context.Context, a store.QuizAnswer) (store.QuizAnswer, error)
	FinishAttempt(ctx context.Context, attemptID int64, passPercent int, at time.Time) (store.FinishedAttempt, error)
	AnswerAndFinish(ctx context.Context, a store.QuizAnswer, passPercent int) (store.QuizAnswer, store.FinishedAttempt, error)
	AbandonAttempt(ctx context.Context, userID int64, at time.Time) (bool, error)
	UnfinishedAttempt(ctx context.Context, userID int64) (store.QuizAttempt, bool, error)
	AreaBests(ctx context.Context, userID int64) ([]store.AreaBest, error)
	PassedAreas(ctx context.Context, userID int64) ([]string, error)
	QuizBank(ctx context.Context, version string) (store.QuizBank, error)
	CertificateOf(ctx context.Context, userID int64) (store.Certificate, bool, error)
}

// Writer makes the writes of an attempt's progress, as the Store does: a
// store.QuizWriter makes those of many users in one commit.
type Writer interface {
	CreateAttempt(ctx context.Context, a store.NewQuizAttempt) (int64, error)
	RecordAnswer(ctx context.Context, a store.QuizAnswer) (store.QuizAnswer, error)
	FinishAttempt(ctx context.Context, attemptID int64, passPercent int, at time.Time) (store.FinishedAttempt, error)
	AnswerAndFinish(ctx context.Context, a store.QuizAnswer, passPercent int) (store.QuizAnswer, store.FinishedAttempt, error)
}

// Config sets the quiz up.
type Config struct {
	// Bank is the question bank in force (see LoadBank). Required.
	Bank *bank.Bank
	// PassPercent is the share of right answers that passes an area; 80 when
	// zero. It is this bot's mark, not an official threshold.
	PassPercent int
	// QuickSize and AreaSize are the numbers of questions of the quick test
	// and of an area's test (at most what the area holds); 10 when zero.
	QuickSize, AreaSize int
	// AfterAttempt, when set, is called for the user as an attempt's last
	// answer is written, and reads what it needs then, at the same time as
	// the write. The function it returns, if any, runs after the result is
	// shown (the profile flow asks its optional questions there).
	AfterAttempt func(ctx context.Context, userID int64) (func(c *bot.Conversation) error, error)
	// Buttons, when set, is called likewise under a result and under
	// /progress. The function it returns gives a row of buttons to show
	// there (result set under a result), from the user's best attempts: the
	// weekly learning nudge's on and off (flows/digest).
	Buttons func(ctx context.Context, userID int64) (ButtonsFunc, error)
	// Writer, when set, creates attempts, records answers and finishes
	// attempts instead of the Store: a store.QuizWriter writes those of
	// many users in one commit.
	Writer Writer
	// Rand draws questions and shuffles options; a seeded one makes tests
	// repeatable. Nil draws from the runtime's random source.
	Rand *rand.Rand
}

// Flow is the quiz flow.
type Flow struct {
	store Store
	cfg   Config
	bank  *bank.Bank
	older sync.Map // bank version -> *bank.Bank, for attempts begun on an earlier bank

	randMu sync.Mutex
}

// New returns the quiz flow.
func New(st Store, cfg Config) *Flow {
	if cfg.Bank == nil {
		panic("quiz: Config.Bank is required")
	}
	if cfg.PassPercent <= 0 || cfg.PassPercent > 100 {
		cfg.PassPercent = 80
	}
	if cfg.QuickSize <= 0 {
		cfg.QuickSize = 10
	}
	if cfg.AreaSize <= 0 {
		cfg.AreaSize = 10
	}
	if cfg.Writer == nil {
		cfg.Writer = st
	}
	return &Flow{store: st, cfg: cfg, bank: cfg.Bank}
}

func (*Flow) Name() string       { return Name }
func (*Flow) Commands() []string { return []string{"quiz", "progress", "stop"} }

// Standalone implements flows.Standalone: a button that starts a test names
// the test, so it works after the conversation was forgotten; a weekly
// nudge, sent to someone who has not written for weeks, carries one.
func (*Flow) Standalone(cb bot.Callback) bool { return cb.Action == "go" }

// Bank is the bank in force.
func (f *Flow) Bank() *bank.Bank { return f.bank }

// PassPercent is the pass mark in force.
func (f *Flow) PassPercent() int { return f.cfg.PassPercent }

// Handle implements flows.Flow.
func (f *Flow) Handle(c *bot.Conversation, in flows.Input) error {
	if cb := in.Callback; cb != nil {
		switch cb.Action {
		case "ans":
			return f.answerTap(c, cb.Arg)
		case "start":
			return f.start(c, true)
		case "go":
			return f.begin(c, cb.Arg, true)
		case "progress":
			return f.progress(c, true)
		}
		c.Notice(c.T("stale.button"))
		return nil
	}
	switch in.Command {
	case "quiz":
		return f.start(c, false)
	case "progress":
		return f.progress(c, false)
	case "stop":
		return f.stop(c)
	case "":
		return f.typed(c)
	}
	return f.start(c, false)
}

// state is the attempt in progress, kept in the session.
type state struct {
	ID      int64    `json:"a"`
	Version string   `json:"v"`
	Area    string   `json:"r,omitempty"` // "" for the quick test
	IDs     []string `json:"q"`
	// Orders holds per question the bank's option indices in the order
	// shown, one digit each: "201" shows option 2 as A.
	Orders []string `json:"o"`
	Pos    int      `json:"p"` // the question awaiting an answer
	Score  int      `json:"s"`
	Missed []int    `json:"m,omitempty"` // positions answered wrongly
}

func (st *state) active() bool { return st.ID != 0 && st.Pos < len(st.IDs) }

// current loads the attempt in progress from the session; ok is false when
// the session holds none.
func (f *Flow) current(c *bot.Conversation) (st state, ok bool) {
	if c.Session.Flow != Name {
		return st, false
	}
	if len(c.Session.Data) > 0 {
		if err := st.decode(c.Session.Data, f.bank.InternID); err != nil {
			return state{}, false
		}
	}
	if !st.active() || len(st.Orders) != len(st.IDs) {
		return state{}, false
	}
	return st, true
}

func (f *Flow) save(c *bot.Conversation, st *state) error {
	c.Session.Flow, c.Session.Step = Name, "ask"
	c.Session.Data = st.appendJSON(make([]byte, 0, 384))
	return nil
}

// resumable finds the attempt in progress: in the session, else (the session
// was lost or reset) in PostgreSQL, at its first unanswered question.
func (f *Flow) resumable(c *bot.Conversation) (state, bool, error) {
	if st, ok := f.current(c); ok {
		return st, true, nil
	}
	if c.Session.UserID == 0 {
		return state{}, false, nil
	}
	a, ok, err := f.store.UnfinishedAttempt(c.Ctx, c.Session.UserID)
	if err != nil || !ok {
		return state{}, false, err
	}
	st := state{ID: a.ID, Version: a.BankVersion, Area: a.Area, IDs: a.QuestionIDs, Orders: make([]string, len(a.OptionOrders))}
	for i, o := range a.OptionOrders {
		st.Orders[i] = encodeOrder(o)
	}
	if len(st.Orders) != len(st.IDs) {
		return state{}, false, fmt.Errorf("quiz: attempt %d has %d option orders for %d questions", a.ID, len(st.Orders), len(st.IDs))
	}
	answered := make([]bool, len(st.IDs))
	for _, ans := range a.Answers {
		if ans.Position < 0 || ans.Position >= len(answered) {
			continue
		}
		answered[ans.Position] = true
		if ans.Correct {
			st.Score++
		} else {
			st.Missed = append(st.Missed, ans.Position)
		}
	}
	for st.Pos < len(answered) && answered[st.Pos] {
		st.Pos++
	}
	return st, true, nil
}

// start resumes the attempt in progress, or offers the tests.
func (f *Flow) start(c *bot.Conversation, edit bool) error {
	st, ok, err := f.resumable(c)
	if err != nil {
		return err
	}
	if ok {
		b, err := f.bankFor(c.Ctx, st.Version)
		if err != nil {
			return f.gone(c, err)
		}
		if !st.active() {
			// Every answer was recorded but the result never shown.
			wait := f.loadExtras(c.Ctx, c.Session.UserID, true)
			res, err := f.cfg.Writer.FinishAttempt(c.Ctx, st.ID, f.cfg.PassPercent, c.Now)
			x, err := wait(err)
			if err != nil {
				return err
			}
			return f.finish(c, b, &st, res, x, "", edit)
		}
		if err := f.save(c, &st); err != nil {
			return err
		}
		return f.ask(c, b, &st, c.T("quiz.resume"), edit)
	}
	return f.choose(c, edit)
}

// choose shows the tests: the quick test and one button per area.
func (f *Flow) choose(c *bot.Conversation, edit bool) error {
	var passed []string
	if c.Session.UserID != 0 {
		var err error
		if passed, err = f.store.PassedAreas(c.Ctx, c.Session.UserID); err != nil {
			return err
		}
	}
	b, lang := f.bank, c.Lang()
	c.NextScreen()
	rows := make([][]bot.Button, 0, len(b.Areas)/2+4)
	rows = append(rows, []bot.Button{c.Button(c.T("quiz.quick", "N", f.cfg.QuickSize), Name, "go", "q")})
	var row []bot.Button
	for _, a := range b.Areas {
		label := a.Short.In(lang)
		if slices.Contains(passed, a.ID) {
			label = "✅ " + label
		}
		row = append(row, c.Button(label, Name, "go", a.ID))
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if row != nil {
		rows = append(rows, row)
	}
	rows = append(rows,
		[]bot.Button{c.Button(c.T("quiz.progress.button"), Name, "progress", "")},
		flows.BackToMenu(c))
	c.Reply(bot.Reply{Text: c.T("quiz.choose", "Quick", f.cfg.QuickSize), Buttons: rows, Edit: edit})
	return nil
}

// begin starts a new attempt: "q" the quick test, else an area's id.
func (f *Flow) begin(c *bot.Conversation, which string, edit bool) error {
	if _, ok := f.current(c); ok {
		c.Notice(c.T("quiz.inprogress"))
		return nil
	}
	b := f.bank
	area := which
	if which == "q" {
		area = ""
	} else if _, ok := b.Area(which); !ok {
		c.Notice(c.T("stale.button"))
		return nil
	}
	picked := f.draw(b, area)
	st := state{Version: b.Version, Area: area, IDs: make([]string, len(picked)), Orders: make([]string, len(picked))}
	orders := make([][]int, len(picked))
	for i, qi := range picked {
		q := &b.Questions[qi]
		st.IDs[i] = q.ID
		orders[i] = f.perm(len(q.Options))
		st.Orders[i] = encodeOrder(orders[i])
	}
	id, err := f.cfg.Writer.CreateAttempt(c.Ctx, store.NewQuizAttempt{
		UserID: c.Session.UserID, BankVersion: b.Version, Area: area,
		QuestionIDs: st.IDs, OptionOrders: orders, StartedAt: c.Now,
	})
	if err != nil {
		return err
	}
	st.ID = id
	if err := f.save(c, &st); err != nil {
		return err
	}
	return f.ask(c, b, &st, c.T("quiz.begin", "Total", len(st.IDs)), edit)
}

// letters label the options as shown.
var letters = [...]string{"A", "B", "C", "D"}

// ask shows the question awaiting an answer, after a preface (feedback on
// the previous answer, or a greeting).
func (f *Flow) ask(c *bot.Conversation, b *bank.Bank, st *state, preface string, edit bool) error {
	q, ok := b.Question(st.IDs[st.Pos])
	if !ok {
		return fmt.Errorf("quiz: question %q is not in bank %s", st.IDs[st.Pos], b.Version)
	}
	order := st.Orders[st.Pos]
	if !validOrder(order, len(q.Options)) {
		return fmt.Errorf("quiz: attempt %d: option order %q does not fit question %q", st.ID, order, q.ID)
	}
	lang := c.Lang()
	var sb strings.Builder
	sb.Grow(len(preface) + 600)
	if preface != "" {
		sb.WriteString(preface)
		sb.WriteString("\n\n")
	}
	sb.WriteString(c.T("quiz.question", "N", st.Pos+1, "Total", len(st.IDs), "Area", f.areaShort(b, q.Area, lang)))
	sb.WriteByte('\n')
	sb.WriteString(q.Text.In(lang))
	sb.WriteByte('\n')
	c.NextScreen()
	buttons := make([]bot.Button, len(order))
	prefix := strconv.FormatInt(st.ID, 10) + "." + strconv.Itoa(st.Pos) + "."
	for k := range len(order) {
		sb.WriteByte('\n')
		sb.WriteString(letters[k])
		sb.WriteString(". ")
		sb.WriteString(q.Options[order[k]-'0'].In(lang))
		buttons[k] = c.Button(letters[k], Name, "ans", prefix+letters[k])
	}
	c.Reply(bot.Reply{Text: sb.String(), Buttons: [][]bot.Button{buttons}, Edit: edit})
	return nil
}

func (f *Flow) areaShort(b *bank.Bank, id, lang string) string {
	if a, ok := b.Area(id); ok {
		return a.Short.In(lang)
	}
	return id
}

func (f *Flow) areaName(b *bank.Bank, id, lang string) string {
	if a, ok := b.Area(id); ok {
		return a.Name.In(lang)
	}
	return id
}

// answerTap handles a tap on an option: arg is "attempt.position.letter".
func (f *Flow) answerTap(c *bot.Conversation, arg string) error {
	attempt, pos, k, ok := parseAnswerArg(arg)
	if !ok {
		c.Notice(c.T("stale.button"))
		return nil
	}
	st, ok := f.current(c)
	if !ok {
		// The session lost the attempt (reset by /menu, or Redis lost it):
		// the button still counts if it is the attempt's next question.
		var err error
		if st, ok, err = f.resumable(c); err != nil {
			return err
		}
	}
	// A tap on an earlier question, a double tap, or an older attempt.
	if !ok || st.ID != attempt || st.Pos != pos || !st.active() {
		c.Notice(c.T("quiz.stale"))
		return nil
	}
	return f.answer(c, &st, k, true)
}

func parseAnswerArg(arg string) (attempt int64, pos, k int, ok bool) {
	a, rest, ok1 := strings.Cut(arg, ".")
	p, l, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || len(l) != 1 || l[0] < 'A' || l[0] > 'D' {
		return 0, 0, 0, false
	}
	attempt, err1 := strconv.ParseInt(a, 10, 64)
	pos, err2 := strconv.Atoi(p)
	if err1 != nil || err2 != nil || pos < 0 {
		return 0, 0, 0, false
	}
	return attempt, pos, int(l[0] - 'A'), true
}

// Edited implements flows.Editor. An edit is never read; while a question
// waits, the general "send it again" would answer it with the correction
// of the answer to the one before: the user is told that the answer sent
// first counted.
func (f *Flow) Edited(c *bot.Conversation) error {
	if _, ok := f.current(c); !ok {
		c.Say("edited.ignored")
		return nil
	}
	c.Say("quiz.edited")
	return nil
}

// typed handles text (or anything else) sent while a question waits.
func (f *Flow) typed(c *bot.Conversation) error {
	st, ok := f.current(c)
	if !ok {
		c.Session.Reset()
		return f.start(c, false)
	}
	b, err := f.bankFor(c.Ctx, st.Version)
	if err != nil {
		return f.gone(c, err)
	}
	q, ok := b.Question(st.IDs[st.Pos])
	if !ok {
		return fmt.Errorf("quiz: question %q is not in bank %s", st.IDs[st.Pos], b.Version)
	}
	k := -1
	if c.Update.Kind == bot.KindText {
		k = MatchTyped(c.Update.Text, q, st.Orders[st.Pos])
	}
	if k < 0 {
		c.Say("quiz.typed.unknown")
		return nil
	}
	return f.answer(c, &st, k, false)
}

// Stray implements flows.Stray: an answer typed at the menu ("B", "2",
// "B ạ") while an attempt is unfinished (left with /menu, or the session
// lost) is not taken as an answer, nor met with the generic hint: the user
// is told the quiz is paused at its question, with the button that resumes
// it. So is small talk ("ok", "cảm ơn", flows.SmallTalk), which says
// nothing else. Other text, and anyone without an attempt in progress, are
// left to the router.
func (f *Flow) Stray(c *bot.Conversation) (*flows.Paused, error) {
	if c.Session.UserID == 0 || c.Update.Kind != bot.KindText {
		return nil, nil
	}
	if !looksLikeAnswer(c.Update.Text) && flows.SmallTalk(c.Update.Text) == flows.NoTalk {
		return nil, nil
	}
	st, ok, err := f.resumable(c)
	if err != nil || !ok || !st.active() {
		return nil, err
	}
	return &flows.Paused{Text: c.T("quiz.paused", "N", st.Pos+1, "Total", len(st.IDs)), Label: c.T("quiz.continue"), Action: "start"}, nil
}

// answer records the option shown at k for the question awaiting an
// answer, then gives the feedback and the next question or the result.
func (f *Flow) answer(c *bot.Conversation, st *state, k int, edit bool) error {
	b, err := f.bankFor(c.Ctx, st.Version)
	if err != nil {
		return f.gone(c, err)
	}
	q, ok := b.Question(st.IDs[st.Pos])
	if !ok {
		return fmt.Errorf("quiz: question %q is not in bank %s", st.IDs[st.Pos], b.Version)
	}
	order := st.Orders[st.Pos]
	if !validOrder(order, len(q.Options)) {
		return fmt.Errorf("quiz: attempt %d: option order %q does not fit question %q", st.ID, order, q.ID)
	}
	if k < 0 || k >= len(order) {
		c.Notice(c.T("quiz.stale"))
		return nil
	}
	chosen := int(order[k] - '0')
	answer := store.QuizAnswer{AttemptID: st.ID, Position: st.Pos, QuestionID: q.ID, Chosen: chosen, Correct: chosen == q.Correct, At: c.Now}
	last := st.Pos == len(st.IDs)-1
	var stored store.QuizAnswer
	var res store.FinishedAttempt
	var x extras
	if last {
		// The last answer and the finish in one write, the hooks' reads
		// at the same time.
		wait := f.loadExtras(c.Ctx, c.Session.UserID, true)
		stored, res, err = f.cfg.Writer.AnswerAndFinish(c.Ctx, answer, f.cfg.PassPercent)
		x, err = wait(err)
	} else {
		stored, err = f.cfg.Writer.RecordAnswer(c.Ctx, answer)
	}
	if err != nil {
		return err
	}
	// What was recorded first counts: a redelivered update shows the same.
	lang := c.Lang()
	n := st.Pos + 1
	var fb string
	if stored.Correct {
		st.Score++
		fb = c.T("quiz.right", "N", n)
	} else {
		st.Missed = append(st.Missed, st.Pos)
		right := strings.IndexByte(order, byte('0'+q.Correct))
		fb = c.T("quiz.wrong", "N", n, "Letter", letters[right], "Answer", q.Options[q.Correct].In(lang))
	}
	fb += "\n" + c.T("quiz.explain", "Text", q.Explanation.In(lang))
	st.Pos++
	if last {
		return f.finish(c, b, st, res, x, fb, edit)
	}
	if err := f.save(c, st); err != nil {
		return err
	}
	return f.ask(c, b, st, fb, edit)
}

// finish shows a finished attempt, res: the last feedback, the score, what
// was missed, the next steps; then the AfterAttempt hook's part, in x.
func (f *Flow) finish(c *bot.Conversation, b *bank.Bank, st *state, res store.FinishedAttempt, x extras, feedback string, edit bool) error {
	bests := res.Bests
	// Every area passed: the certificate is offered until it is issued, then
	// no more (/progress keeps its button). Read only then, off the path of
	// the other results.
	all := f.allPassed(bests)
	offer := all
	if all && c.Session.UserID != 0 {
		_, has, err := f.store.CertificateOf(c.Ctx, c.Session.UserID)
		if err != nil {
			return err
		}
		offer = !has
	}
	c.Session.Reset()
	lang := c.Lang()
	if feedback != "" {
		c.Reply(bot.Reply{Text: feedback, Edit: edit})
	}

	percent := 0
	if res.Total > 0 {
		percent = res.Score * 100 / res.Total
	}
	lines := []string{c.T("quiz.result", "Score", res.Score, "Total", res.Total, "Percent", percent)}
	switch {
	case st.Area == "":
		if !all { // how to pass an area, to one who has not passed them all
			lines = append(lines, c.T("quiz.result.quick"))
		}
	case res.Passed:
		lines = append(lines, c.T("quiz.result.passed", "Area", f.areaName(b, st.Area, lang)))
	case passedBefore(bests, st.Area):
		// A retake below the mark takes nothing away: say so, rather than
		// that the area is not passed.
		lines = append(lines, c.T("quiz.result.failed.kept", "Pass", f.cfg.PassPercent, "Area", f.areaName(b, st.Area, lang)))
	default:
		lines = append(lines, c.T("quiz.result.failed", "Pass", f.cfg.PassPercent))
	}
	if offer {
		lines = append(lines, c.T("quiz.result.all", "N", len(f.bank.Areas)))
	}
	head := strings.Join(lines, "\n")

	// The missed questions, with their right answers, in as many messages as
	// it takes to stay well under every channel's limit.
	var chunks []string
	if len(st.Missed) > 0 {
		cur := head + "\n\n" + c.T("quiz.missed")
		for _, p := range st.Missed {
			if p < 0 || p >= len(st.IDs) {
				continue
			}
			q, ok := b.Question(st.IDs[p])
			if !ok {
				continue
			}
			item := c.T("quiz.missed.item", "N", p+1, "Question", q.Text.In(lang), "Answer", q.Options[q.Correct].In(lang))
			if len(cur)+len(item) > maxMessage {
				chunks = append(chunks, cur)
				cur = item
				continue
			}
			cur += "\n" + item
		}
		chunks = append(chunks, cur)
	} else {
		chunks = []string{head}
	}

	c.NextScreen()
	retake := st.Area
	if retake == "" {
		retake = "q"
	}
	rows := [][]bot.Button{}
	if offer {
		rows = append(rows, []bot.Button{c.Button(c.T("quiz.cert"), "cert", "start", "")})
	}
	rows = append(rows,
		[]bot.Button{c.Button(c.T("quiz.retake"), Name, "go", retake), c.Button(c.T("quiz.other"), Name, "start", "")})
	rows = x.addButtons(c, rows, bests, true)
	rows = append(rows, flows.BackToMenu(c))
	for i, text := range chunks {
		r := bot.Reply{Text: text}
		if i == len(chunks)-1 {
			r.Buttons = rows
		}
		c.Reply(r)
	}
	if x.after != nil {
		return x.after(c)
	}
	return nil
}

// maxMessage bounds a message of the result, in bytes: Zalo takes 2,000
// characters, Telegram 4,096.
const maxMessage = 1800

// passedBefore reports whether bests (this attempt counted) hold area as
// passed: by an earlier attempt, when this one did not pass.
func passedBefore(bests []store.AreaBest, area string) bool {
	for _, b := range bests {
		if b.Area == area {
			return b.Passed
		}
	}
	return false
}

// allPassed reports whether every area of the bank in force is passed.
func (f *Flow) allPassed(bests []store.AreaBest) bool {
	passed := 0
	for _, a := range f.bank.Areas {
		for _, b := range bests {
			if b.Area == a.ID && b.Passed {
				passed++
				break
			}
		}
	}
	return passed == len(f.bank.Areas) && passed > 0
}

// stop abandons the attempt in progress; its answers stay recorded.
func (f *Flow) stop(c *bot.Conversation) error {
	had := false
	if _, ok := f.current(c); ok {
		had = true
	}
	if c.Session.Flow == Name {
		c.Session.Reset()
	}
	if c.Session.UserID != 0 {
		abandoned, err := f.store.AbandonAttempt(c.Ctx, c.Session.UserID, c.Now)
		if err != nil {
			return err
		}
		had = had || abandoned
	}
	c.NextScreen()
	if !had {
		// Nothing under way: said plainly, with the menu, without
		// pushing a quiz. /stop is a focal point's way to pause a report
		// too (flows.Taker), and they may have typed it for that.
		c.Reply(bot.Reply{Text: c.T("quiz.stop.none"), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
		return nil
	}
	buttons := [][]bot.Button{{c.Button(c.T("quiz.start.button"), Name, "start", "")}, flows.BackToMenu(c)}
	c.Reply(bot.Reply{Text: c.T("quiz.stopped"), Buttons: buttons})
	return nil
}

// progress shows, per area, the best score and whether it is passed.
func (f *Flow) progress(c *bot.Conversation, edit bool) error {
	var bests []store.AreaBest
	wait := f.loadExtras(c.Ctx, c.Session.UserID, false)
	var err error
	if c.Session.UserID != 0 {
		bests, err = f.store.AreaBests(c.Ctx, c.Session.UserID)
	}
	x, err := wait(err)
	if err != nil {
		return err
	}
	byArea := make(map[string]store.AreaBest, len(bests))
	for _, b := range bests {
		byArea[b.Area] = b
	}
	b, lang := f.bank, c.Lang()
	lines := []string{c.T("quiz.progress", "Pass", f.cfg.PassPercent), ""}
	passed := 0
	for _, a := range b.Areas {
		best, ok := byArea[a.ID]
		switch {
		case !ok:
			lines = append(lines, c.T("quiz.progress.none", "Area", a.Name.In(lang)))
		case best.Passed:
			passed++
			lines = append(lines, c.T("quiz.progress.passed", "Area", a.Name.In(lang), "Score", best.Score, "Total", best.Total))
		default:
			lines = append(lines, c.T("quiz.progress.failed", "Area", a.Name.In(lang), "Score", best.Score, "Total", best.Total))
		}
	}
	if q, ok := byArea[""]; ok {
		lines = append(lines, c.T("quiz.progress.quick", "Score", q.Score, "Total", q.Total))
	}
	lines = append(lines, "", c.T("quiz.progress.summary", "Passed", passed, "Areas", len(b.Areas)))
	c.NextScreen()
	rows := [][]bot.Button{}
	if passed == len(b.Areas) && passed > 0 {
		rows = append(rows, []bot.Button{c.Button(c.T("quiz.cert"), "cert", "start", "")})
	}
	rows = append(rows, []bot.Button{c.Button(c.T("quiz.start.button"), Name, "start", "")})
	rows = x.addButtons(c, rows, bests, false)
	rows = append(rows, flows.BackToMenu(c))
	c.Reply(bot.Reply{Text: strings.Join(lines, "\n"), Buttons: rows, Edit: edit})
	return nil
}

// ButtonsFunc gives a row of buttons to show under a result (result set)
// or under /progress, from the user's best attempts; nil for none.
type ButtonsFunc func(c *bot.Conversation, bests []store.AreaBest, result bool) []bot.Button

// extras is what the hooks add to a screen, once they have read their part.
type extras struct {
	buttons ButtonsFunc
	after   func(c *bot.Conversation) error
}

// loadExtras calls the hooks (AfterAttempt only when result is set) in the
// background, so that their reads overlap the flow's own. wait returns
// what they gave, once they are done, and err or else their first error;
// it must be called, and before the conversation is used again.
func (f *Flow) loadExtras(ctx context.Context, userID int64, result bool) (wait func(err error) (extras, error)) {
	var x extras
	var errs [2]error
	var wg sync.WaitGroup
	if f.cfg.Buttons != nil {
		wg.Go(func() { x.buttons, errs[0] = f.cfg.Buttons(ctx, userID) })
	}
	if result && f.cfg.AfterAttempt != nil {
		wg.Go(func() { x.after, errs[1] = f.cfg.AfterAttempt(ctx, userID) })
	}
	return func(err error) (extras, error) {
		wg.Wait()
		if err != nil {
			return x, err
		}
		return x, errors.Join(errs[0], errs[1])
	}
}

// addButtons adds the Buttons hook's row, if any, to rows.
func (x extras) addButtons(c *bot.Conversation, rows [][]bot.Button, bests []store.AreaBest, result bool) [][]bot.Button {
	if x.buttons == nil {
		return rows
	}
	if row := x.buttons(c, bests, result); len(row) > 0 {
		return append(rows, row)
	}
	return rows
}

// gone handles an attempt whose bank cannot be loaded any more: it is
// abandoned and the user starts afresh.
func (f *Flow) gone(c *bot.Conversation, cause error) error {
	if !errorsIsNoBank(cause) {
		return cause
	}
	if _, err := f.store.AbandonAttempt(c.Ctx, c.Session.UserID, c.Now); err != nil {
		return err
	}
	c.Session.Reset()
	c.Say("quiz.gone")
	return f.choose(c, false)
}
