// Package bottest has a recording bot.Sender for tests of the engine and
// the flows, with faults to inject.
package bottest

import (
	"context"
	"errors"
	"sync"

	"hocvuso/bot"
)

// Sent is one delivered reply.
type Sent struct {
	Target bot.Target
	Reply  bot.Reply
}

// Answered is one answered tap.
type Answered struct {
	UpdateID string
	Notice   string
}

// MenuSet is one command menu set (bot.MenuSetter).
type MenuSet struct {
	Target bot.Target
	Menu   bot.Menu
	// After is how many replies had been sent when it was set.
	After int
}

// Recorder records what the engine sends, and the command menus it sets,
// as a channel with command menus (Telegram). Faults, when set, are
// returned by the next sends in order, one each; menu faults by the next
// menus set.
type Recorder struct {
	mu         sync.Mutex
	sent       []Sent
	answered   []Answered
	menus      []MenuSet
	faults     []error
	menuFaults []error
}

// ErrUnavailable is a transient failure to inject.
var ErrUnavailable = errors.New("bottest: channel unavailable")

// FailNext makes the next len(errs) sends fail with these errors.
func (r *Recorder) FailNext(errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, errs...)
}

// Send implements bot.Sender.
func (r *Recorder) Send(_ context.Context, t bot.Target, rep bot.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.faults) > 0 {
		err := r.faults[0]
		r.faults = r.faults[1:]
		return err
	}
	r.sent = append(r.sent, Sent{t, rep})
	return nil
}

// FailNextMenus makes the next len(errs) menus set fail with these errors.
func (r *Recorder) FailNextMenus(errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.menuFaults = append(r.menuFaults, errs...)
}

// SetMenu implements bot.MenuSetter.
func (r *Recorder) SetMenu(_ context.Context, t bot.Target, m bot.Menu) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.menuFaults) > 0 {
		err := r.menuFaults[0]
		r.menuFaults = r.menuFaults[1:]
		return err
	}
	r.menus = append(r.menus, MenuSet{Target: t, Menu: m, After: len(r.sent)})
	return nil
}

// Menus returns the command menus set so far.
func (r *Recorder) Menus() []MenuSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]MenuSet(nil), r.menus...)
}

// Answer implements bot.Sender.
func (r *Recorder) Answer(_ context.Context, u *bot.Update, notice string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answered = append(r.answered, Answered{u.ID, notice})
	return nil
}

// Sent returns the replies delivered so far.
func (r *Recorder) Sent() []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sent(nil), r.sent...)
}

// Texts returns the texts delivered so far.
func (r *Recorder) Texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.sent))
	for i, s := range r.sent {
		out[i] = s.Reply.Text
	}
	return out
}

// Answered returns the answered taps.
func (r *Recorder) Answered() []Answered {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Answered(nil), r.answered...)
}

// Reset forgets what was recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent, r.answered, r.menus, r.faults, r.menuFaults = nil, nil, nil, nil, nil
}
