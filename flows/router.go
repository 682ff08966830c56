// Package flows routes an update to the conversation that owns it. Each
// sub-package is one conversation; they decide, and know nothing of channels.
package flows

import (
	"strings"

	"hocvuso/bot"
)

// Input is an update as a flow receives it.
type Input struct {
	Command, Args string        // for a command
	Callback      *bot.Callback // for a tapped button
	// Stale is set for a button of an earlier screen than the current one.
	Stale bool
}

// Flow is one conversation.
type Flow interface {
	// Name is the flow's name in callback data and in the session.
	Name() string
	// Commands are the commands the flow starts on.
	Commands() []string
	// Handle gets the flow's commands, its buttons, and typed input while
	// the session belongs to it.
	Handle(c *bot.Conversation, in Input) error
}

// Standalone is a flow with buttons that belong to no screen of the
// conversation (a reminder's button, sent unasked): they are handled even
// when the session was lost, instead of the menu.
type Standalone interface {
	Standalone(cb bot.Callback) bool
}

// Stray is a flow that may have left something unfinished that typed text
// no flow owns (the user is at the menu) was most likely meant for: the
// quiz an answer's letter typed after /menu, the report any text while a
// draft of the user's unit waits. Before the router answers such text with
// the generic hint, it asks every Stray; what they find is said in one
// message instead, each with its button to go back to it. Stray returns
// nil for text it does not recognise and when nothing of it waits; it
// replies nothing itself, and must decide cheaply.
type Stray interface {
	Stray(c *bot.Conversation) (*Paused, error)
}

// Paused is what a Stray found waiting: the text saying where it stands,
// and the button that goes back to it (its label, and the action and
// argument of the flow's own callback).
type Paused struct {
	Text, Label, Action, Arg string
}

// Editor is a flow that answers an edited message itself while it owns
// the conversation, where the general answer ("send it again") would be
// wrong: sent again, a corrected answer would answer the question asked
// now, not the one it corrected.
type Editor interface {
	Edited(c *bot.Conversation) error
}

// Taker is a flow that answers a command of another flow itself while it
// owns the conversation, where that flow's answer would be wrong there:
// /stop in the middle of a report pauses the report, where the quiz would
// say that no quiz is under way, and leave the report listening behind
// its buttons. Takes must decide cheaply, from the session.
type Taker interface {
	Takes(c *bot.Conversation, command string) bool
}

// Transient is a flow whose typed input only answers the question it last
// asked (a code, a name, a commune). Another flow's command leaves that
// question, as /menu does: what is typed next is not read as its answer
// (a commune's name typed after /leaderboard is not a certificate code).
// A flow whose conversation outlives other commands (a quiz, a report in
// progress) is not transient.
type Transient interface {
	Transient() bool
}

// Claimer is a flow that typed text no flow owns is plainly meant for
// without its command: an invite code pasted alone at the menu, or after
// "join" without the slash, is /join's. The router asks every Claimer
// before the Strays and the generic hint; Claim answers the text as the
// command would and returns true, or replies nothing and returns false for
// any other text. It must decide from the text, cheaply. Before the
// consent only a Public Claimer is asked. Text typed while a flow owns the
// conversation (a question of a report or a quiz) stays that flow's.
// Home's Claim, if it has one, is asked last, after the Strays and in
// place of the generic hint: small talk at the menu ("cảm ơn", "ok") is
// meant for nothing in particular, and what waits is said first.
type Claimer interface {
	Claim(c *bot.Conversation) (bool, error)
}

// Public marks a flow or command usable before the privacy consent.
type Public interface {
	Public() bool
}

// Router sends each update to its flow. It is the engine's Handler.
type Router struct {
	byName    map[string]Flow
	byCommand map[string]Flow
	strays    []stray // in the order the flows were given
	claimers  []Flow  // the Claimers, in the order the flows were given
	// Home is where a user lands: the onboarding (before consent) and the menu.
	Home Home
}

// stray is a Stray with its flow's name, for the callback of its button.
type stray struct {
	name string
	flow Stray
}

// Home is the flow that greets, asks consent and shows the menu.
type Home interface {
	Flow
	// Greet shows the privacy notice to a user who has not agreed.
	Greet(c *bot.Conversation) error
	// Menu shows the main menu, editing the tapped message when edit is set.
	Menu(c *bot.Conversation, edit bool) error
}

// NewRouter builds the router over home and the other flows.
func NewRouter(home Home, flows ...Flow) *Router {
	r := &Router{byName: map[string]Flow{}, byCommand: map[string]Flow{}, Home: home}
	for i, f := range append([]Flow{home}, flows...) {
		if _, dup := r.byName[f.Name()]; dup {
			panic("flows: two flows named " + f.Name())
		}
		r.byName[f.Name()] = f
		for _, cmd := range f.Commands() {
			if _, dup := r.byCommand[cmd]; dup {
				panic("flows: two flows own /" + cmd)
			}
			r.byCommand[cmd] = f
		}
		if st, ok := f.(Stray); ok {
			r.strays = append(r.strays, stray{f.Name(), st})
		}
		if _, ok := f.(Claimer); ok && i > 0 { // home's is asked last
			r.claimers = append(r.claimers, f)
		}
	}
	return r
}

// Commands lists every command.
func (r *Router) Commands() []string {
	out := make([]string, 0, len(r.byCommand))
	for cmd := range r.byCommand {
		out = append(out, cmd)
	}
	return out
}

// Handle implements bot.Handler.
func (r *Router) Handle(c *bot.Conversation) error {
	u, s := c.Update, c.Session
	consented := s.UserID != 0
	switch u.Kind {
	case bot.KindBlocked, bot.KindUnblocked:
		return nil // the engine recorded it; nobody to talk to
	case bot.KindEdited:
		if e, ok := r.byName[s.Flow].(Editor); ok {
			return e.Edited(c)
		}
		c.Say("edited.ignored")
		return nil
	case bot.KindCommand:
		if t, ok := r.byName[s.Flow].(Taker); ok && consented && t.Takes(c, u.Command) {
			return r.byName[s.Flow].Handle(c, Input{Command: u.Command, Args: u.Args})
		}
		f, ok := r.byCommand[u.Command]
		if !ok {
			if !consented {
				c.Say("unknown.command")
				return nil
			}
			// The menu's button, on the screen on show: a typo in the
			// middle of a quiz or a report leaves its buttons current.
			c.Say("unknown.command", BackToMenu(c))
			return nil
		}
		if !consented && !isPublic(f) {
			c.Say("consent.required")
			return r.Home.Greet(c)
		}
		if owner, ok := r.byName[s.Flow].(Transient); ok && owner.Transient() && s.Flow != f.Name() {
			s.Reset()
		}
		return f.Handle(c, Input{Command: u.Command, Args: u.Args})
	case bot.KindCallback:
		cb, err := bot.ParseCallback(u.Data)
		f, ok := r.byName[cb.Flow]
		if err != nil || !ok {
			c.Notice(c.T("stale.button"))
			return nil
		}
		if !consented && !isPublic(f) {
			c.Say("consent.required")
			return r.Home.Greet(c)
		}
		if sf, ok := f.(Standalone); s.Lost && !(ok && sf.Standalone(cb)) {
			// The screen this button belongs to was lost with the session.
			c.Say("lost.track")
			return r.Home.Menu(c, false)
		}
		return f.Handle(c, Input{Callback: &cb, Stale: cb.Screen != s.Screen})
	}
	// Typed text, a file or anything else goes to the flow that owns the conversation.
	if f, ok := r.byName[s.Flow]; ok && s.Flow != "" {
		return f.Handle(c, Input{})
	}
	if u.Kind == bot.KindText {
		if ok, err := r.claim(c, consented); ok || err != nil {
			return err
		}
	}
	if !consented {
		return r.Home.Greet(c)
	}
	if u.Kind != bot.KindText {
		c.Say("unsupported.input")
		return nil
	}
	if ok, err := r.stray(c); ok || err != nil {
		return err
	}
	if h, ok := r.Home.(Claimer); ok {
		if ok, err := h.Claim(c); ok || err != nil {
			return err
		}
	}
	c.Say("unknown.hint")
	return r.Home.Menu(c, false)
}

// claim gives typed text no flow owns to the first Claimer that takes it;
// before the consent, only to a Public one.
func (r *Router) claim(c *bot.Conversation, consented bool) (bool, error) {
	for _, f := range r.claimers {
		if !consented && !isPublic(f) {
			continue
		}
		if ok, err := f.(Claimer).Claim(c); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// stray answers typed text no flow owns with what the Strays find waiting
// (a quiz and a report's draft, say), each with the button that goes back
// to it, and the menu's; ok is false when none finds anything.
func (r *Router) stray(c *bot.Conversation) (ok bool, err error) {
	type claim struct {
		flow string
		*Paused
	}
	var claims []claim
	for _, st := range r.strays {
		p, err := st.flow.Stray(c)
		if err != nil {
			return false, err
		}
		if p != nil {
			claims = append(claims, claim{st.name, p})
		}
	}
	if len(claims) == 0 {
		return false, nil
	}
	c.NextScreen()
	texts := make([]string, 0, len(claims))
	rows := make([][]bot.Button, 0, len(claims)+1)
	for _, cl := range claims {
		texts = append(texts, cl.Text)
		rows = append(rows, []bot.Button{c.Button(cl.Label, cl.flow, cl.Action, cl.Arg)})
	}
	rows = append(rows, BackToMenu(c))
	c.Reply(bot.Reply{Text: strings.Join(texts, "\n\n"), Buttons: rows})
	return true, nil
}

func isPublic(f Flow) bool {
	p, ok := f.(Public)
	return ok && p.Public()
}
