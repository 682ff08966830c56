package digest

import (
	"context"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/quiz"
	"hocvuso/flows/quiz/bank"
	"hocvuso/store"
)

// NudgeName is the name of the nudge's flow, in callback data.
const NudgeName = "nudge"

// quizFlow and quizGo are the quiz's flow name and the action that starts
// an area's test: a nudge's "continue" button leads there.
const (
	quizFlow = "quiz"
	quizGo   = "go"
)

// officialsFlow and officialsStart are the officials' flow and the action
// that lists the periods: a digest's button leads there.
const (
	officialsFlow  = "officials"
	officialsStart = "start"
)

// Nudges is the weekly learning nudge: its message, the planning query, and
// the flow of /nudge and of the on/off buttons. A nudge is sent only to a
// user who turned it on, at most once a week (store.NudgeEvery), while an
// area of the bank is not passed.
type Nudges struct {
	st  NudgeStore
	cfg Config
}

// NewNudges returns the nudge's builder and flow.
func NewNudges(st NudgeStore, cfg Config) *Nudges {
	if cfg.Bank == nil || cfg.Text == nil {
		panic("digest: Config.Bank and Config.Text are required")
	}
	return &Nudges{st: st, cfg: cfg}
}

func (*Nudges) Name() string       { return NudgeName }
func (*Nudges) Commands() []string { return []string{"nudge"} }

// Standalone implements flows.Standalone: the on and off buttons work after
// the conversation was forgotten (its session expired), as it often is by
// the time a weekly nudge comes to someone who has not written for weeks.
func (*Nudges) Standalone(cb bot.Callback) bool { return cb.Action == "on" || cb.Action == "off" }

// standing is where a user is in the quiz's areas.
type standing struct {
	passed, areas int
	// next is the area to suggest: of those not passed, the one tried with
	// the best score, else the first not tried, in bank order; nil when
	// every area is passed.
	next *bank.Area
	best store.AreaBest // the best attempt in next, when tried
}

func (n *Nudges) standing(bests []store.AreaBest) standing {
	byArea := make(map[string]store.AreaBest, len(bests))
	for _, b := range bests {
		byArea[b.Area] = b
	}
	s := standing{areas: len(n.cfg.Bank.Areas)}
	var firstNew *bank.Area
	for i := range n.cfg.Bank.Areas {
		a := &n.cfg.Bank.Areas[i]
		b, tried := byArea[a.ID]
		switch {
		case tried && b.Passed:
			s.passed++
		case tried:
			if s.next == nil || b.Score*s.best.Total > s.best.Score*b.Total {
				s.next, s.best = a, b
			}
		case firstNew == nil:
			firstNew = a
		}
	}
	if s.next == nil {
		s.next = firstNew
	}
	return s
}

// Nudge builds the nudge for a user at the occurrence at, in lang: which
// area is left and a button to continue it, and a button to stop the
// nudges. It returns nothing when no nudge is due: the user did not opt in
// or opted out, was nudged less than a week before at, or passed every
// area. at is the occurrence the scheduler planned, not the time of the
// attempt to send: a delivery tried again for the same occurrence gets the
// same message again. It records nothing: Claim does.
func (n *Nudges) Nudge(ctx context.Context, userID int64, at time.Time, lang string) ([]bot.Reply, error) {
	return n.build(ctx, userID, at, lang, false)
}

// Send is Nudge and Claim in one: the nudge, recorded as sent when it is
// due, or nothing.
func (n *Nudges) Send(ctx context.Context, userID int64, at time.Time, lang string) ([]bot.Reply, error) {
	return n.build(ctx, userID, at, lang, true)
}

func (n *Nudges) build(ctx context.Context, userID int64, at time.Time, lang string, claim bool) ([]bot.Reply, error) {
	pref, err := n.st.NudgePref(ctx, userID)
	if err != nil || !pref.DueAt(at) {
		return nil, err
	}
	bests, err := n.st.AreaBests(ctx, userID)
	if err != nil {
		return nil, err
	}
	s := n.standing(bests)
	if s.next == nil {
		return nil, nil
	}
	if claim {
		if ok, err := n.st.ClaimNudge(ctx, userID, at); err != nil || !ok {
			return nil, err
		}
	}
	l := n.lang(lang)
	txt := l.T("nudge.message", "Passed", s.passed, "Areas", s.areas, "Area", s.next.Name.In(l.code))
	if s.best.Total > 0 {
		txt += "\n" + l.T("nudge.message.best", "Score", s.best.Score, "Total", s.best.Total, "Pass", n.cfg.PassPercent)
	} else {
		txt += "\n" + l.T("nudge.message.new")
	}
	return []bot.Reply{{Text: txt, Buttons: [][]bot.Button{
		{{Label: l.T("nudge.continue", "Area", s.next.Short.In(l.code)), Data: bot.Callback{Flow: quizFlow, Action: quizGo, Arg: s.next.ID}.String()}},
		{{Label: l.T("nudge.turn_off"), Data: bot.Callback{Flow: NudgeName, Action: "off"}.String()}},
	}}}, nil
}

// Due lists, by user id after after, at most limit users due a nudge at the
// occurrence at, with the chat to send it to (see store.DueNudges).
func (n *Nudges) Due(ctx context.Context, at time.Time, after int64, limit int) ([]store.Recipient, error) {
	return n.st.DueNudges(ctx, at, n.cfg.Bank.AreaIDs(), after, limit)
}

// Claim records, just before sending, that the nudge of the occurrence at
// goes out to the user (store.ClaimNudge); false means it must not: it is
// not due, or another nudge went out within the week. Claiming the same
// occurrence again is true, so a retry after a failed send still sends.
func (n *Nudges) Claim(ctx context.Context, userID int64, at time.Time) (bool, error) {
	return n.st.ClaimNudge(ctx, userID, at)
}

func (n *Nudges) lang(code string) lang {
	if code != "en" {
		code = "vi"
	}
	return lang{tr: n.cfg.Text, code: code}
}

// Buttons is the quiz's hook (quiz.Config.Buttons): it reads the user's
// choice, and gives the nudge's button under a result (result set) and
// under /progress. Under a result it offers the nudge to a user who never
// chose and has an area left; under /progress it turns the nudge on or off
// while an area is left. With every area passed there is none.
func (n *Nudges) Buttons(ctx context.Context, userID int64) (quiz.ButtonsFunc, error) {
	if userID == 0 {
		return nil, nil
	}
	pref, err := n.st.NudgePref(ctx, userID)
	if err != nil {
		return nil, err
	}
	return func(c *bot.Conversation, bests []store.AreaBest, result bool) []bot.Button {
		left := n.standing(bests).next != nil
		switch {
		case !left:
			// Every area passed: nothing to remind of, so nothing to turn
			// on or off (/nudge says so).
			return nil
		case result && pref.Chosen():
			return nil
		case pref.OptedIn:
			return []bot.Button{c.Button(c.T("nudge.turn_off"), NudgeName, "off", "")}
		case left:
			return []bot.Button{c.Button(c.T("nudge.turn_on"), NudgeName, "on", "")}
		}
		return nil
	}, nil
}

// Handle implements flows.Flow: /nudge shows the choice, the buttons change
// it. The buttons mean the same on any message, however old (a nudge is
// sent outside any conversation), so a tap is never stale; a tap that
// changes nothing (a double tap) only says so.
func (n *Nudges) Handle(c *bot.Conversation, in flows.Input) error {
	if c.Session.UserID == 0 {
		// The router lets only consenting users here; a defence all the same.
		c.Say("consent.required")
		return nil
	}
	if cb := in.Callback; cb != nil {
		switch cb.Action {
		case "on":
			return n.set(c, true)
		case "off":
			return n.set(c, false)
		}
		c.Notice(c.T("stale.button"))
		return nil
	}
	return n.show(c)
}

// show answers /nudge: on or off, and where the user stands. With every
// area passed it says only that: there is nothing to remind of.
func (n *Nudges) show(c *bot.Conversation) error {
	pref, err := n.st.NudgePref(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	bests, err := n.st.AreaBests(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	if n.standing(bests).next == nil {
		n.done(c, pref.OptedIn)
		return nil
	}
	txt := c.T("nudge.status.off")
	if pref.OptedIn {
		txt = c.T("nudge.status.on")
	}
	txt += "\n\n" + n.where(c, bests)
	c.NextScreen()
	rows := n.continueRow(c, bests)
	if pref.OptedIn {
		rows = append(rows, []bot.Button{c.Button(c.T("nudge.turn_off"), NudgeName, "off", "")})
	} else {
		rows = append(rows, []bot.Button{c.Button(c.T("nudge.turn_on"), NudgeName, "on", "")})
	}
	c.Reply(bot.Reply{Text: txt, Buttons: append(rows, flows.BackToMenu(c))})
	return nil
}

// done tells a user who passed every area that there is nothing left to
// remind them of, the reminder no longer needed if it was on, with the
// menu's button only: no reminder to turn on or off.
func (n *Nudges) done(c *bot.Conversation, on bool) {
	c.NextScreen()
	c.Reply(bot.Reply{Text: c.T("nudge.done", "On", on), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
}

// continueRow is the button that starts the next area to pass, the one the
// text names, so the user can act on it at once; none once all are passed.
func (n *Nudges) continueRow(c *bot.Conversation, bests []store.AreaBest) [][]bot.Button {
	s := n.standing(bests)
	if s.next == nil {
		return nil
	}
	return [][]bot.Button{{c.Button(c.T("nudge.continue", "Area", s.next.Short.In(c.Lang())), quizFlow, quizGo, s.next.ID)}}
}

// where says how many areas are passed and which comes next; there is one
// (see done).
func (n *Nudges) where(c *bot.Conversation, bests []store.AreaBest) string {
	s := n.standing(bests)
	return c.T("nudge.status.left", "Passed", s.passed, "Areas", s.areas, "Area", s.next.Name.In(c.Lang()))
}

// set records the choice and confirms it, with the button that undoes it.
// With every area passed (a tap on an older message) there is nothing to
// turn on: that is said, and only a stop is recorded.
func (n *Nudges) set(c *bot.Conversation, on bool) error {
	pref, err := n.st.NudgePref(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	bests, err := n.st.AreaBests(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	if n.standing(bests).next == nil {
		if !on && pref.OptedIn {
			if err := n.st.SetNudge(c.Ctx, c.Session.UserID, false, c.Now); err != nil {
				return err
			}
			c.Notice(c.T("nudge.off.notice"))
			pref.OptedIn = false
		}
		n.done(c, pref.OptedIn)
		return nil
	}
	if pref.Chosen() && pref.OptedIn == on {
		if on {
			c.Notice(c.T("nudge.already_on"))
		} else {
			c.Notice(c.T("nudge.already_off"))
		}
		return nil
	}
	if err := n.st.SetNudge(c.Ctx, c.Session.UserID, on, c.Now); err != nil {
		return err
	}
	c.NextScreen()
	if !on {
		c.Notice(c.T("nudge.off.notice"))
		c.Reply(bot.Reply{Text: c.T("nudge.off"), Buttons: [][]bot.Button{
			{c.Button(c.T("nudge.turn_on"), NudgeName, "on", "")}, flows.BackToMenu(c)}})
		return nil
	}
	c.Notice(c.T("nudge.on.notice"))
	rows := append(n.continueRow(c, bests), []bot.Button{c.Button(c.T("nudge.turn_off"), NudgeName, "off", "")}, flows.BackToMenu(c))
	c.Reply(bot.Reply{Text: c.T("nudge.on") + "\n\n" + n.where(c, bests), Buttons: rows})
	return nil
}
