package bot

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Session is the conversation record of one chat, kept in Redis with a
// version. It holds where the user is, never a record that matters: those
// live in PostgreSQL, so losing a session loses no data.
type Session struct {
	Version int64 `json:"-"`

	UserID   int64  `json:"u,omitempty"` // users.id once the user consented
	Lang     string `json:"l,omitempty"`
	Flow     string `json:"f,omitempty"` // the flow owning the conversation
	Step     string `json:"s,omitempty"`
	Screen   int    `json:"n,omitempty"` // bumped whenever a new set of buttons is shown
	Blocked  bool   `json:"x,omitempty"`
	LastSeen int64  `json:"t,omitempty"` // unix seconds of the last recorded visit
	// Data is owned by the current flow.
	Data json.RawMessage `json:"d,omitempty"`

	// Lost is set when the record was missing although the user is known:
	// Redis was flushed or the record expired.
	Lost bool `json:"-"`
}

// Reset forgets where the user is, keeping who they are.
func (s *Session) Reset() {
	s.Flow, s.Step, s.Data = "", "", nil
}

// Enter hands the conversation to a flow at a step with its data.
func (s *Session) Enter(flow, step string, data any) error {
	s.Flow, s.Step = flow, step
	return s.SetData(data)
}

// SetData stores the flow's data.
func (s *Session) SetData(data any) error {
	if data == nil {
		s.Data = nil
		return nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	s.Data = b
	return nil
}

// LoadData decodes the flow's data into v; an empty record leaves v as is.
func (s *Session) LoadData(v any) error {
	if len(s.Data) == 0 {
		return nil
	}
	return json.Unmarshal(s.Data, v)
}

// Outgoing is a reply with its destination, as kept in the outbox; or,
// with Menu set, the command menu its target chat is to show
// (Conversation.SetMenu), Reply then unused.
type Outgoing struct {
	Target Target `json:"t"`
	Reply  Reply  `json:"r"`
	Menu   *Menu  `json:"m,omitempty"`
}

// UpdateStatus tells what became of an update seen before.
type UpdateStatus uint8

const (
	StatusNew     UpdateStatus = iota // never applied
	StatusPending                     // applied; some replies not yet delivered
	StatusDone                        // applied and delivered
)

// ChatKey identifies a conversation.
type ChatKey struct {
	Channel Channel
	ChatID  string
}

// ErrConflict means the session changed under us (a lock lost to a timeout).
var ErrConflict = errors.New("bot: conversation changed concurrently")

// StateStore keeps conversation state, update bookkeeping and chat locks.
type StateStore interface {
	// Acquire waits until the chat is free and every earlier update of the
	// chat (by seq) has gone, then holds the chat for this update. inOrder
	// says the channel delivers the chat's updates one at a time, in order
	// (Update.InOrder): the update need not wait for earlier ones that may
	// still be on their way.
	Acquire(ctx context.Context, chat ChatKey, updateID string, seq int64, inOrder bool) (Lease, error)
}

// Lease is the exclusive hold on one chat for one update.
type Lease interface {
	Status() UpdateStatus
	// Outbox holds what is still to send for a pending update.
	Outbox() []Outgoing
	// Session is the stored record, or nil when there is none.
	Session() *Session
	// Commit stores the session (compare-and-set on its version) and marks
	// the update applied with the replies still to send, in one step.
	Commit(ctx context.Context, s *Session, outbox []Outgoing) error
	// Progress records what is still to send after a partial delivery.
	Progress(ctx context.Context, remaining []Outgoing) error
	// Done marks the update delivered and frees the chat.
	Done(ctx context.Context) error
	// Fail counts a failed attempt and frees the chat. It reports the count
	// and whether the update is now poison: marked done, never to be retried.
	Fail(ctx context.Context) (attempts int, poison bool, err error)
	// Release frees the chat without changing anything.
	Release(ctx context.Context)
}

// Account is what the engine needs to know of a user's channel account.
type Account struct {
	UserID int64
	Lang   string
}

// Accounts is the engine's view of the users' records.
type Accounts interface {
	FindAccount(ctx context.Context, ch Channel, externalID string) (Account, bool, error)
	SetBlocked(ctx context.Context, ch Channel, externalID string, blocked bool) error
	Touch(ctx context.Context, ch Channel, externalID string, at time.Time) error
}
