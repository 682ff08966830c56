package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"
)

// Sender delivers replies on one channel.
type Sender interface {
	Send(ctx context.Context, t Target, r Reply) error
	// Answer answers a tapped button (Telegram shows a spinner until then).
	// Channels without such a notion do nothing.
	Answer(ctx context.Context, u *Update, notice string) error
}

// ErrBlocked is returned by a Sender when the recipient has blocked the bot
// or can no longer be reached; nothing more is sent to them.
var ErrBlocked = errors.New("bot: recipient blocked the bot")

// ErrDocumentRefused is returned (wrapped) by a Sender asked to send a
// document its channel cannot carry (DocumentChecker said no), before it
// sends any part of the reply. Sending it again would fail again.
var ErrDocumentRefused = errors.New("bot: the channel cannot send this document")

// Engine runs updates through the conversation machinery to a Handler.
type Engine struct {
	State    StateStore
	Accounts Accounts
	Handler  Handler
	Text     Translator
	Log      *slog.Logger
	// Now is the clock; tests of time-dependent flows set it.
	Now func() time.Time

	senders map[Channel]Sender
}

// SetSender registers the sender of a channel.
func (e *Engine) SetSender(ch Channel, s Sender) {
	if e.senders == nil {
		e.senders = make(map[Channel]Sender)
	}
	e.senders[ch] = s
}

// Sender returns the sender of a channel.
func (e *Engine) Sender(ch Channel) Sender { return e.senders[ch] }

// touchEvery bounds how often a visit is written to PostgreSQL.
const touchEvery = time.Hour

// Handle applies one update. It returns nil once the update's effects are
// durable and its replies delivered (or the update was a duplicate, or was
// dropped as poison): only then may the channel acknowledge it. An error
// means "deliver it again".
func (e *Engine) Handle(ctx context.Context, u *Update) (err error) {
	start := time.Now()
	outcome := "ok"
	defer func() {
		if err != nil {
			outcome = "error"
		}
		observeUpdate(u.Channel, outcome, time.Since(start))
	}()
	sender := e.senders[u.Channel]
	if sender == nil {
		return fmt.Errorf("bot: no sender for channel %q", u.Channel)
	}
	if u.Kind == KindCallback {
		answered := false
		defer func() {
			if !answered {
				// Every tap is answered, even when handling failed.
				_ = sender.Answer(context.WithoutCancel(ctx), u, "")
			}
		}()
		ctx = context.WithValue(ctx, answeredKey{}, &answered)
	}

	lease, err := e.State.Acquire(ctx, ChatKey{u.Channel, u.ChatID}, u.ID, u.Seq, u.InOrder)
	if err != nil {
		return fmt.Errorf("acquire chat: %w", err)
	}
	switch lease.Status() {
	case StatusDone:
		lease.Release(ctx)
		outcome = "duplicate"
		return nil
	case StatusPending:
		outcome = "redelivered"
		return e.deliver(ctx, lease, u, lease.Session(), lease.Outbox())
	}

	sess := lease.Session()
	if sess == nil || sess.Lost {
		// Missing, or there but unreadable: rebuild it from PostgreSQL,
		// keeping the stored version for the compare-and-set.
		restored, err := e.restore(ctx, u)
		if err != nil {
			lease.Release(ctx)
			return err
		}
		if sess != nil {
			restored.Version = sess.Version
		}
		sess = restored
	}
	conv := NewConversation(ctx, u, sess, e.Text, e.now())
	conv.documents, _ = sender.(DocumentChecker)
	if err := e.run(conv); err != nil {
		return e.failed(ctx, lease, u, sess, err, &outcome)
	}
	outbox := make([]Outgoing, 0, len(conv.replies)+len(conv.elsewhere)+len(conv.menus))
	for _, r := range conv.replies {
		t := Target{Channel: u.Channel, ChatID: u.ChatID, Lang: conv.Lang(), Screen: sess.Screen, UpdateID: u.ID}
		if r.Edit && u.Kind == KindCallback {
			t.EditMessageID = u.MessageID
		}
		outbox = append(outbox, Outgoing{Target: t, Reply: r})
	}
	outbox = append(outbox, conv.elsewhere...)
	outbox = append(outbox, conv.menus...)
	if err := lease.Commit(ctx, sess, outbox); err != nil {
		if errors.Is(err, ErrConflict) {
			// Counted like any failure, so an update that always conflicts
			// ends as poison instead of being redelivered forever.
			return e.failed(ctx, lease, u, sess, err, &outcome)
		}
		lease.Release(ctx)
		return fmt.Errorf("commit: %w", err)
	}
	if p, ok := ctx.Value(answeredKey{}).(*bool); ok {
		*p = true
		if err := sender.Answer(ctx, u, conv.notice); err != nil {
			e.log().Debug("answer callback", "err", err)
		}
	}
	return e.deliver(ctx, lease, u, sess, outbox)
}

type answeredKey struct{}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.Default()
}

// restore builds a session for a chat that has none: a new visitor, or a
// known user whose conversation record was lost.
func (e *Engine) restore(ctx context.Context, u *Update) (*Session, error) {
	s := &Session{Lang: LangFromTag(u.LanguageCode)}
	if u.UserID == "" {
		return s, nil
	}
	acc, ok, err := e.Accounts.FindAccount(ctx, u.Channel, u.UserID)
	if err != nil {
		return nil, fmt.Errorf("find account: %w", err)
	}
	if ok {
		s.UserID, s.Lang, s.Lost = acc.UserID, acc.Lang, true
	}
	return s, nil
}

// run applies the update to the session: the engine's own bookkeeping, then
// the flows. A panic in a flow is an error, not a crash.
func (e *Engine) run(c *Conversation) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	u, s := c.Update, c.Session
	switch u.Kind {
	case KindBlocked, KindUnblocked:
		blocked := u.Kind == KindBlocked
		if err := e.Accounts.SetBlocked(c.Ctx, u.Channel, u.UserID, blocked); err != nil {
			return err
		}
		s.Blocked = blocked
		return nil
	}
	if s.Blocked {
		if err := e.Accounts.SetBlocked(c.Ctx, u.Channel, u.UserID, false); err != nil {
			return err
		}
		s.Blocked = false
	}
	if s.UserID != 0 && c.Now.Unix()-s.LastSeen > int64(touchEvery/time.Second) {
		if err := e.Accounts.Touch(c.Ctx, u.Channel, u.UserID, c.Now); err != nil {
			return err
		}
		s.LastSeen = c.Now.Unix()
	}
	return e.Handler.Handle(c)
}

func (e *Engine) failed(ctx context.Context, lease Lease, u *Update, sess *Session, cause error, outcome *string) error {
	n, poison, err := lease.Fail(ctx)
	if err != nil {
		return errors.Join(cause, err)
	}
	if !poison {
		e.log().Warn("update failed, will be retried", "channel", u.Channel, "update", u.ID, "attempt", n, "err", cause)
		return cause
	}
	// Poison: it failed every time. Log it, tell the user, let it go.
	*outcome = "poison"
	e.log().Error("update dropped after repeated failures", "channel", u.Channel, "update", u.ID, "kind", u.Kind.String(), "attempts", n, "err", cause)
	lang := sess.Lang
	if lang == "" {
		lang = "vi"
	}
	r := Reply{Text: e.Text.Text(lang, "error.generic", nil)}
	if err := e.senders[u.Channel].Send(ctx, Target{Channel: u.Channel, ChatID: u.ChatID}, r); err != nil {
		e.log().Warn("apology not sent", "err", err)
	}
	return nil
}

// deliver sends the outbox in order, each reply through the sender of its
// target's channel. On a failure to this chat what remains is kept for the
// redelivery; a recipient who blocked the bot gets nothing more. A reply to
// another chat (Conversation.ReplyTo) never holds this chat's update back:
// when it cannot be delivered (that chat's channel is not served here, or
// it fails after the channel's own retries) it is logged and dropped. sess
// is the committed session, nil when there is none.
func (e *Engine) deliver(ctx context.Context, lease Lease, u *Update, sess *Session, outbox []Outgoing) error {
	var gone map[ChatKey]bool // recipients found unreachable in this delivery
	for i, o := range outbox {
		to := ChatKey{o.Target.Channel, o.Target.ChatID}
		own := to == ChatKey{u.Channel, u.ChatID}
		if gone[to] {
			continue
		}
		if o.Menu != nil {
			e.setMenu(ctx, u, o)
			continue
		}
		sender := e.senders[o.Target.Channel]
		if sender == nil {
			e.log().Warn("reply to a channel without a sender dropped", "channel", o.Target.Channel, "update", u.ID)
			droppedTotal.WithLabelValues(string(o.Target.Channel), "no_sender").Inc()
			continue
		}
		err := sender.Send(ctx, o.Target, o.Reply)
		if errors.Is(err, ErrDocumentRefused) && o.Reply.Document != nil {
			// A flow queued a file the channel cannot carry: the rest of
			// the reply goes without it, with an apology naming it,
			// rather than failing the same way until the update is poison.
			e.log().Error("document refused by the channel, sent without it", "channel", o.Target.Channel, "update", u.ID,
				"file", o.Reply.Document.Name, "mime", o.Reply.Document.MIME, "bytes", len(o.Reply.Document.Bytes), "err", err)
			droppedTotal.WithLabelValues(string(o.Target.Channel), "document_refused").Inc()
			err = sender.Send(ctx, o.Target, e.withoutDocument(o.Target, o.Reply))
		}
		if err == nil {
			continue
		}
		if errors.Is(err, ErrBlocked) {
			if gone == nil {
				gone = map[ChatKey]bool{}
			}
			gone[to] = true
			external := o.Target.ChatID // private chats: the user's id
			if own {
				external = u.UserID
			}
			if err := e.Accounts.SetBlocked(ctx, o.Target.Channel, external, true); err != nil {
				e.log().Warn("mark blocked", "err", err)
			}
			// Remember it in the session too, so that the user's next
			// message clears the mark (see run).
			if own && sess != nil && !sess.Blocked {
				sess.Blocked = true
				if err := lease.Commit(ctx, sess, nil); err != nil {
					e.log().Warn("record blocked in session", "err", err)
				}
			}
			continue
		}
		if !own {
			e.log().Warn("reply to another chat not delivered", "channel", o.Target.Channel, "update", u.ID, "err", err)
			droppedTotal.WithLabelValues(string(o.Target.Channel), "failed").Inc()
			continue
		}
		if perr := lease.Progress(ctx, outbox[i:]); perr != nil {
			err = errors.Join(err, perr)
		}
		lease.Release(ctx)
		return fmt.Errorf("send: %w", err)
	}
	return lease.Done(ctx)
}

// menuTimeout bounds the setting of one command menu: a channel slow to
// take it (a rate limit waited out) must not eat the time the update has
// left to be acknowledged.
const menuTimeout = 5 * time.Second

// setMenu sets a chat's command menu through its channel's sender, when
// the channel has command menus. It never fails the update: a menu not set
// is logged and counted, and the user's action stands.
func (e *Engine) setMenu(ctx context.Context, u *Update, o Outgoing) {
	ms, ok := e.senders[o.Target.Channel].(MenuSetter)
	if !ok {
		return // no command menu on this channel, or not served here
	}
	ctx, cancel := context.WithTimeout(ctx, menuTimeout)
	defer cancel()
	if err := ms.SetMenu(ctx, o.Target, *o.Menu); err != nil {
		e.log().Warn("command menu not set", "channel", o.Target.Channel, "update", u.ID, "err", err)
		droppedTotal.WithLabelValues(string(o.Target.Channel), "menu").Inc()
	}
}

// withoutDocument is r with its document replaced by its caption and a
// note saying the file could not be sent on this channel.
func (e *Engine) withoutDocument(t Target, r Reply) Reply {
	d := r.Document
	r.Document = nil
	lang := t.Lang
	if lang == "" {
		lang = "vi"
	}
	var parts []string
	for _, s := range []string{r.Text, d.Caption, e.Text.Text(lang, "files.refused", map[string]any{"Name": d.Name, "Channel": t.Channel.Title()})} {
		if strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	r.Text = strings.Join(parts, "\n\n")
	return r
}

// LangFromTag picks the catalogue language for a channel's language tag:
// English for English speakers, Vietnamese for everyone else.
func LangFromTag(tag string) string {
	if strings.HasPrefix(strings.ToLower(tag), "en") {
		return "en"
	}
	return "vi"
}
