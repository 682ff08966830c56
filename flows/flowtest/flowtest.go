// Package flowtest runs conversations end to end in tests: a real engine over
// the test's own PostgreSQL database and Redis prefix, the real catalogue,
// the home and privacy flows (plus any others), and a recording sender.
//
// A User sends text and commands and taps buttons by their label; the chat is
// kept as a channel shows it, edits included, so "the last screen" is the
// newest message that still carries buttons.
package flowtest

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/bottest"
	"hocvuso/bot/zalo"
	"hocvuso/flows"
	"hocvuso/flows/home"
	"hocvuso/flows/privacy"
	"hocvuso/locales"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// Harness is one bot with its own stores.
type Harness struct {
	TB      testing.TB
	DB      *store.DB
	Redis   storetest.Redis
	State   *store.State
	Catalog *locales.Catalog
	Router  *flows.Router
	Engine  *bot.Engine
	// Sender records what goes to Telegram chats, and their command
	// menus; Zalo's go there too, as Zalo's client sends them (no menus).
	Sender *bottest.Recorder
	// Menus decides the command menus: home's and privacy's, and any
	// flow's given it when built (WithFlow).
	Menus   *flows.CommandMenus
	Channel bot.Channel

	mu       sync.Mutex
	seq      int64
	users    int
	messages int
	sent     int                   // how much of Sender.Sent was collected
	chats    map[string][]*Message // by chat id, oldest first
}

type options struct {
	menu  []flows.MenuItem
	flows []func(h *Harness) flows.Flow
	loc   *time.Location
	now   func() time.Time
}

// Option changes how New builds the bot.
type Option func(*options)

// WithMenu sets the main menu's items.
func WithMenu(items ...flows.MenuItem) Option {
	return func(o *options) { o.menu = append(o.menu, items...) }
}

// WithFlow adds a flow, built once the stores exist.
func WithFlow(build func(h *Harness) flows.Flow) Option {
	return func(o *options) { o.flows = append(o.flows, build) }
}

// WithLocation sets the time zone of displayed times (Asia/Ho_Chi_Minh by default).
func WithLocation(loc *time.Location) Option {
	return func(o *options) { o.loc = loc }
}

// WithClock sets the engine's clock.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// New builds the bot on the Telegram channel. A message id missing from the
// catalogue fails the test.
func New(t testing.TB, opts ...Option) *Harness {
	t.Helper()
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.loc == nil {
		loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
		if err != nil {
			t.Fatal(err)
		}
		o.loc = loc
	}
	h := &Harness{TB: t, Channel: bot.Telegram, Sender: &bottest.Recorder{}, chats: map[string][]*Message{}}
	h.DB = storetest.NewDB(t)
	h.Redis = storetest.NewRedis(t)
	h.State = store.NewState(h.Redis.Client, h.Redis.Prefix)
	cat, err := locales.Load()
	if err != nil {
		t.Fatalf("flowtest: catalogue: %v", err)
	}
	cat.OnMissing = func(lang, id string) { t.Errorf("flowtest: message %q is missing from the %s catalogue", id, lang) }
	h.Catalog = cat
	h.Menus = flows.NewCommandMenus(h.DB, cat)
	priv := privacy.New(h.DB, o.loc)
	priv.Sessions, priv.Menus = h.State, h.Menus
	all := []flows.Flow{priv}
	for _, build := range o.flows {
		all = append(all, build(h))
	}
	homeFlow := home.New(h.DB, o.menu, home.StartersOf(all)...)
	homeFlow.Menus = h.Menus
	h.Router = flows.NewRouter(homeFlow, all...)
	h.Menus.Use(h.Router)
	h.Engine = &bot.Engine{
		State: h.State, Accounts: h.DB, Handler: h.Router, Text: cat, Now: o.now,
		Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	h.Engine.SetSender(h.Channel, h.Sender)
	// Users on Zalo (NewUserOn) share the recorder: their chats are apart
	// by their ids. Zalo carries only some documents, as its client does.
	h.Engine.SetSender(bot.Zalo, zaloSender{h.Sender})
	return h
}

// zaloSender records into the harness's recorder what the Zalo client
// would send, and refuses the documents it would refuse. Zalo has no
// command menu: it is no bot.MenuSetter.
type zaloSender struct{ rec *bottest.Recorder }

func (zaloSender) CanSendDocument(d *bot.Document) bool { return zalo.CanSendDocument(d) }

func (s zaloSender) Send(ctx context.Context, t bot.Target, r bot.Reply) error {
	if r.Document != nil && !zalo.CanSendDocument(r.Document) {
		return fmt.Errorf("%w: %s on Zalo", bot.ErrDocumentRefused, r.Document.Name)
	}
	return s.rec.Send(ctx, t, r)
}

func (s zaloSender) Answer(ctx context.Context, u *bot.Update, notice string) error {
	return s.rec.Answer(ctx, u, notice)
}

// T renders a catalogue message, for expectations.
func (h *Harness) T(lang, id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			data[kv[i].(string)] = kv[i+1]
		}
	}
	return h.Catalog.Text(lang, id, data)
}

// Count counts the rows of a table.
func (h *Harness) Count(table string) int {
	h.TB.Helper()
	var n int
	if err := h.DB.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		h.TB.Fatalf("flowtest: count %s: %v", table, err)
	}
	return n
}

// FlushRedis loses every conversation record, as a Redis restart would.
func (h *Harness) FlushRedis() { h.Redis.Flush(h.TB) }

// User is someone chatting with the bot in a private chat.
type User struct {
	h            *Harness
	ID           string // the channel's user id, also the chat id
	Name         string
	LanguageCode string
	// Channel is the user's channel: the harness's (Telegram) unless
	// made by NewUserOn.
	Channel bot.Channel
}

// NewUser returns a user unknown to the bot; languageCode is what the channel
// reports ("en", "vi" or "").
func (h *Harness) NewUser(name, languageCode string) *User {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.users++
	return &User{h: h, ID: strconv.Itoa(1000 + h.users), Name: name, LanguageCode: languageCode, Channel: h.Channel}
}

// NewUserOn returns a user unknown to the bot on another channel (Zalo): the
// same person on a second app, say. Ids never repeat across channels.
func (h *Harness) NewUserOn(ch bot.Channel, name, languageCode string) *User {
	u := h.NewUser(name, languageCode)
	u.Channel = ch
	return u
}

// Agreed returns a user who started the bot and agreed to the privacy
// notice, as most conversations begin.
func (h *Harness) Agreed(name, languageCode string) *User {
	h.TB.Helper()
	return h.AgreedOn(h.Channel, name, languageCode)
}

// AgreedOn is Agreed on a channel.
func (h *Harness) AgreedOn(ch bot.Channel, name, languageCode string) *User {
	h.TB.Helper()
	u := h.NewUserOn(ch, name, languageCode)
	u.Agree()
	return u
}

// Agree starts the bot and taps the privacy notice's agreement, in the
// user's language, and returns what the tap produced; the test fails
// unless the account then belongs to a user.
func (u *User) Agree() Result {
	u.h.TB.Helper()
	u.Send("/start")
	r := u.Tap(u.h.T(bot.LangFromTag(u.LanguageCode), "privacy.agree"))
	if u.UserID() == 0 {
		u.h.TB.Fatalf("flowtest: %s has no user after agreeing to the privacy notice:\n%s", u.Name, r)
	}
	return r
}

// UserID is the user (users.id) the account belongs to; 0 when it belongs
// to none, as before the consent.
func (u *User) UserID() int64 {
	u.h.TB.Helper()
	a, ok, err := u.h.DB.FindAccount(context.Background(), u.Channel, u.ID)
	if err != nil {
		u.h.TB.Fatalf("flowtest: account of %s: %v", u.Name, err)
	}
	if !ok {
		return 0
	}
	return a.UserID
}

// Message is a message of the chat as it currently shows.
type Message struct {
	ID      string
	Text    string
	Buttons [][]bot.Button
	// Edited is set on the record of an edit in a Result.
	Edited bool
	// Number is set when the message asks for a typed number (bot.Reply.Number).
	Number bool
}

// Labels lists the labels of the message's buttons.
func (m Message) Labels() []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Label)
		}
	}
	return out
}

// Button finds a button by its label: the same once folded (case, diacritics
// and spaces aside), else the only label that contains it.
func (m Message) Button(label string) (bot.Button, bool) {
	want := bot.Fold(label)
	var partial []bot.Button
	for _, row := range m.Buttons {
		for _, b := range row {
			got := bot.Fold(b.Label)
			if got == want {
				return b, true
			}
			if want != "" && strings.Contains(got, want) {
				partial = append(partial, b)
			}
		}
	}
	if len(partial) == 1 {
		return partial[0], true
	}
	return bot.Button{}, false
}

// Result is what one update (or a batch of them) produced.
type Result struct {
	// Sent holds the messages sent and the edits made, in order.
	Sent []Message
	// Notices are the texts shown when answering taps; "" for a plain answer.
	Notices []string
	// Answered counts the answered taps.
	Answered int
}

// Texts lists the texts sent, edits included.
func (r Result) Texts() []string {
	out := make([]string, len(r.Sent))
	for i, m := range r.Sent {
		out[i] = m.Text
	}
	return out
}

// Text is every text sent, one after the other.
func (r Result) Text() string { return strings.Join(r.Texts(), "\n\n") }

// Notice is the notice of the only answered tap.
func (r Result) Notice() string { return strings.Join(r.Notices, "\n") }

// Last is the last message sent; it is empty when nothing was sent.
func (r Result) Last() Message {
	if len(r.Sent) == 0 {
		return Message{}
	}
	return r.Sent[len(r.Sent)-1]
}

// Chat lists the user's chat as it shows now, oldest first.
func (u *User) Chat() []Message {
	u.h.mu.Lock()
	defer u.h.mu.Unlock()
	out := make([]Message, 0, len(u.h.chats[u.ID]))
	for _, m := range u.h.chats[u.ID] {
		out = append(out, *m)
	}
	return out
}

// Screen is the newest message of the chat that shows buttons.
func (u *User) Screen() Message {
	u.h.TB.Helper()
	chat := u.Chat()
	for i := len(chat) - 1; i >= 0; i-- {
		if len(chat[i].Buttons) > 0 {
			return chat[i]
		}
	}
	u.h.TB.Fatalf("flowtest: no message with buttons in the chat of %s", u.Name)
	return Message{}
}

// Update returns an update from the user of a kind, with fresh ids.
func (u *User) Update(kind bot.Kind) *bot.Update {
	h := u.h
	h.mu.Lock()
	h.seq++
	seq := h.seq
	h.mu.Unlock()
	ch := u.Channel
	if ch == "" {
		ch = h.Channel
	}
	return &bot.Update{
		Channel: ch, ID: "upd-" + strconv.FormatInt(seq, 10), Seq: seq,
		ChatID: u.ID, UserID: u.ID, Kind: kind, LanguageCode: u.LanguageCode,
		DisplayName: u.Name, Received: time.Now(),
	}
}

// Message returns the update for a typed line: a command when it is one.
func (u *User) Message(text string) *bot.Update {
	upd := u.Update(bot.KindText)
	upd.Text = bot.NFC(text)
	if cmd, args, ok := bot.ParseCommand(upd.Text); ok {
		upd.Kind, upd.Command, upd.Args = bot.KindCommand, cmd, args
	}
	return upd
}

// TapUpdate returns the update for a tap on the button labelled label in
// message m; the test fails when there is no such button.
func (u *User) TapUpdate(m Message, label string) *bot.Update {
	u.h.TB.Helper()
	b, ok := m.Button(label)
	if !ok {
		u.h.TB.Fatalf("flowtest: no button %q in message %s %q; buttons: %q", label, m.ID, m.Text, m.Labels())
	}
	return u.Callback(b.Data, m.ID)
}

// Callback returns the update for a tap carrying data on message messageID.
func (u *User) Callback(data, messageID string) *bot.Update {
	upd := u.Update(bot.KindCallback)
	upd.CallbackID, upd.Data, upd.MessageID = "cb-"+upd.ID, data, messageID
	return upd
}

// Send types text (or a command) and returns what the bot did.
func (u *User) Send(text string) Result {
	u.h.TB.Helper()
	return u.Do(u.Message(text))
}

// Tap taps the button labelled label on the newest message with buttons.
func (u *User) Tap(label string) Result {
	u.h.TB.Helper()
	return u.Do(u.TapUpdate(u.Screen(), label))
}

// TapOn taps a button of a given message, however old.
func (u *User) TapOn(m Message, label string) Result {
	u.h.TB.Helper()
	return u.Do(u.TapUpdate(m, label))
}

// Edit edits an earlier message of the user's.
func (u *User) Edit(text string) Result {
	u.h.TB.Helper()
	upd := u.Update(bot.KindEdited)
	upd.Text = text
	return u.Do(upd)
}

// SendFile sends a document or a photo.
func (u *User) SendFile(name, mime string) Result {
	u.h.TB.Helper()
	upd := u.Update(bot.KindFile)
	upd.File = &bot.File{ID: "file-" + upd.ID, Name: name, MIME: mime, Size: 1234}
	return u.Do(upd)
}

// Do handles updates at the same time, as a double tap or a burst would
// arrive, and returns what they produced together. Any error fails the test.
func (u *User) Do(upds ...*bot.Update) Result {
	u.h.TB.Helper()
	errs := make([]error, len(upds))
	var wg sync.WaitGroup
	for i, upd := range upds {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			errs[i] = u.h.Engine.Handle(ctx, upd)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			u.h.TB.Fatalf("flowtest: update %s (%s %q %q): %v", upds[i].ID, upds[i].Kind, upds[i].Text, upds[i].Data, err)
		}
	}
	return u.h.collect(upds)
}

// collect takes in what was sent since the last call: new messages get the
// next ids, edits replace the message they name.
func (h *Harness) collect(upds []*bot.Update) Result {
	h.mu.Lock()
	defer h.mu.Unlock()
	var r Result
	sent := h.Sender.Sent()
	for _, s := range sent[h.sent:] {
		m := Message{Text: s.Reply.Text, Buttons: s.Reply.Buttons, Number: s.Reply.Number}
		chat := h.chats[s.Target.ChatID]
		edited := false
		if id := s.Target.EditMessageID; id != "" {
			for _, old := range chat {
				if old.ID == id {
					m.ID, m.Edited, edited = id, true, true
					*old = Message{ID: id, Text: m.Text, Buttons: m.Buttons, Number: m.Number}
				}
			}
		}
		if !edited {
			h.messages++
			m.ID = strconv.Itoa(h.messages)
			h.chats[s.Target.ChatID] = append(chat, &Message{ID: m.ID, Text: m.Text, Buttons: m.Buttons, Number: m.Number})
		}
		r.Sent = append(r.Sent, m)
	}
	h.sent = len(sent)
	ids := map[string]bool{}
	for _, u := range upds {
		ids[u.ID] = true
	}
	for _, a := range h.Sender.Answered() {
		if ids[a.UpdateID] {
			r.Answered++
			r.Notices = append(r.Notices, a.Notice)
		}
	}
	return r
}

// String shows a result in failure messages.
func (r Result) String() string {
	var b strings.Builder
	for _, m := range r.Sent {
		fmt.Fprintf(&b, "[%s] %q %q\n", m.ID, m.Text, m.Labels())
	}
	for _, n := range r.Notices {
		fmt.Fprintf(&b, "(notice %q)\n", n)
	}
	return b.String()
}
