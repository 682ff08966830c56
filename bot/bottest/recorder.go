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

// Recorder records what the engine sends. Faults, when set, are returned by
// the next sends in order, one each.
type Recorder struct {
	mu       sync.Mutex
	sent     []Sent
	answered []Answered
	faults   []error
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
	r.sent, r.answered, r.faults = nil, nil, nil
}
