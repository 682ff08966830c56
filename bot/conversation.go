package bot

import (
	"context"
	"time"
)

// Translator renders a message of the catalogue in a language.
type Translator interface {
	Text(lang, id string, data map[string]any) string
}

// Handler decides what an update means for the conversation: it changes the
// session, writes records through its stores and queues replies.
type Handler interface {
	Handle(c *Conversation) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(c *Conversation) error

func (f HandlerFunc) Handle(c *Conversation) error { return f(c) }

// Conversation is what a flow sees of one update.
type Conversation struct {
	Ctx     context.Context
	Update  *Update
	Session *Session
	Now     time.Time

	tr      Translator
	replies []Reply
	// elsewhere are replies to other chats (ReplyTo), sent after replies.
	elsewhere []Outgoing
	// menus are the command menus to set (SetMenu), after elsewhere.
	menus  []Outgoing
	notice string
	// documents says which documents the chat's channel can carry as
	// files; nil: all of them.
	documents DocumentChecker
}

// NewConversation is used by the engine and by flow tests.
func NewConversation(ctx context.Context, u *Update, s *Session, tr Translator, now time.Time) *Conversation {
	return &Conversation{Ctx: ctx, Update: u, Session: s, Now: now, tr: tr}
}

// Lang is the conversation's language, Vietnamese unless chosen otherwise.
func (c *Conversation) Lang() string {
	if c.Session.Lang == "" {
		return "vi"
	}
	return c.Session.Lang
}

// kvTranslator is a Translator that takes the template's data as key,
// value pairs, sparing a map per message (locales.Catalog).
type kvTranslator interface {
	TextKV(lang, id string, kv ...any) string
}

// T renders a catalogue message; kv are key, value pairs for its template.
func (c *Conversation) T(id string, kv ...any) string {
	if t, ok := c.tr.(kvTranslator); ok {
		return t.TextKV(c.Lang(), id, kv...)
	}
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			data[k] = kv[i+1]
		}
	}
	return c.tr.Text(c.Lang(), id, data)
}

// TextIn renders a catalogue message in a given language, for a reply to
// someone else (ReplyTo); kv are key, value pairs for its template.
func (c *Conversation) TextIn(lang, id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			data[k] = kv[i+1]
		}
	}
	if lang == "" {
		lang = "vi"
	}
	return c.tr.Text(lang, id, data)
}

// Reply queues a message.
func (c *Conversation) Reply(r Reply) { c.replies = append(c.replies, r) }

// ReplyTo queues a message to another chat, on any channel: the other chat
// of a /link told it was linked. It is sent after the replies to this chat,
// through the sender of t's channel; when that fails it is logged and
// dropped (what must not be lost goes through the scheduler, as the
// officials' notices of reports do). t.EditMessageID is ignored: only the
// tapped message of this chat can be edited.
func (c *Conversation) ReplyTo(t Target, r Reply) {
	t.EditMessageID, r.Edit = "", false
	c.elsewhere = append(c.elsewhere, Outgoing{Target: t, Reply: r})
}

// SetMenu queues the command menu a chat is to show: this chat's or
// another's of the user (a role gained or lost shows in each of their
// chats). It is set after every reply, best effort: a failure is logged,
// never the update's, and a channel without command menus ignores it.
func (c *Conversation) SetMenu(t Target, m Menu) {
	t.EditMessageID, t.Screen, t.UpdateID = "", 0, ""
	c.menus = append(c.menus, Outgoing{Target: t, Menu: &m})
}

// CanSendDocument reports whether d can go to this chat as a file. When it
// cannot (a type or a size the channel does not take), the flow decides
// what the user gets instead: a download link, say.
func (c *Conversation) CanSendDocument(d *Document) bool {
	return c.documents == nil || c.documents.CanSendDocument(d)
}

// Say queues a catalogue message with optional rows of buttons.
func (c *Conversation) Say(id string, buttons ...[]Button) {
	c.Reply(Reply{Text: c.T(id), Buttons: buttons})
}

// Notice sets the short text shown when answering a tapped button.
func (c *Conversation) Notice(text string) { c.notice = text }

// Replies returns what was queued for this chat.
func (c *Conversation) Replies() []Reply { return c.replies }

// Elsewhere returns what was queued for other chats.
func (c *Conversation) Elsewhere() []Outgoing { return c.elsewhere }

// Menus returns the command menus queued (SetMenu).
func (c *Conversation) Menus() []Outgoing { return c.menus }

// NoticeText returns the notice for the tapped button.
func (c *Conversation) NoticeText() string { return c.notice }

// NextScreen starts a new set of buttons and returns its number; buttons of
// earlier screens become stale.
func (c *Conversation) NextScreen() int {
	c.Session.Screen++
	return c.Session.Screen
}

// Button makes a button that comes back to flow with action and arg, bound to
// the current screen.
func (c *Conversation) Button(label, flow, action, arg string) Button {
	return Button{Label: label, Data: Callback{Flow: flow, Action: action, Screen: c.Session.Screen, Arg: arg}.String()}
}
