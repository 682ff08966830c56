// Package flows routes an update to the conversation that owns it. Each
// sub-package is one conversation; they decide, and know nothing of channels.
package flows

import (
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

// Stray is a flow that may claim typed text no flow owns (the user is at
// the menu) before the router answers it with the generic hint: the quiz
// tells one who types an answer after /menu that their quiz is paused.
// Stray reports whether it answered; it must answer only text it
// recognises, and cheaply decline the rest.
type Stray interface {
	Stray(c *bot.Conversation) (bool, error)
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

// Public marks a flow or command usable before the privacy consent.
type Public interface {
	Public() bool
}

// Router sends each update to its flow. It is the engine's Handler.
type Router struct {
	byName    map[string]Flow
	byCommand map[string]Flow
	strays    []Stray // in the order the flows were given
	// Home is where a user lands: the onboarding (before consent) and the menu.
	Home Home
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
	for _, f := range append([]Flow{home}, flows...) {
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
			r.strays = append(r.strays, st)
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
			c.Say("unknown.command")
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
	if !consented {
		return r.Home.Greet(c)
	}
	if u.Kind != bot.KindText {
		c.Say("unsupported.input")
		return nil
	}
	for _, st := range r.strays {
		if ok, err := st.Stray(c); ok || err != nil {
			return err
		}
	}
	c.Say("unknown.hint")
	return r.Home.Menu(c, false)
}

func isPublic(f Flow) bool {
	p, ok := f.(Public)
	return ok && p.Public()
}
