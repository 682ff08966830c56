// Package bot holds the channel-neutral types (Update, Reply, Button) and the
// engine that runs one update through deduplication, per-chat ordering and the
// conversation state to a flow, then delivers the replies through the channel.
package bot

import (
	"strings"
	"time"
)

// Channel names a messaging channel.
type Channel string

const (
	Telegram Channel = "telegram"
	Zalo     Channel = "zalo"
	Console  Channel = "console"
)

// Title is the channel's name as users know it: "Zalo", "Telegram".
func (c Channel) Title() string {
	if c == "" {
		return ""
	}
	return strings.ToUpper(string(c[:1])) + string(c[1:])
}

// Kind says what an update carries.
type Kind uint8

const (
	KindText      Kind = iota + 1 // typed text
	KindCommand                   // "/start payload"
	KindCallback                  // a tapped button
	KindFile                      // a document or a photo
	KindEdited                    // an edited earlier message
	KindBlocked                   // the user blocked the bot
	KindUnblocked                 // the user unblocked (re-started) the bot
	KindOther                     // anything else (sticker, contact, location...)
)

var kindNames = [...]string{"", "text", "command", "callback", "file", "edited", "blocked", "unblocked", "other"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Update is one inbound event, translated from a channel's wire format.
type Update struct {
	Channel Channel
	// ID identifies the event on its channel; a redelivery carries the same ID.
	ID string
	// Seq orders the updates of one chat (Telegram update_id, Zalo timestamp).
	Seq int64
	// InOrder is set by channels that deliver a chat's updates one at a
	// time, in Seq order, the next only once the previous is acknowledged
	// (Telegram's webhook and our poller): an update then has no earlier
	// update of its chat still on its way to wait for.
	InOrder bool
	ChatID  string
	UserID  string
	Kind    Kind

	Text    string // NFC; for KindCommand the whole line
	Command string // "start", lower case, without the slash or @botname
	Args    string // what follows the command

	CallbackID string // to answer the tap
	Data       string // callback data
	MessageID  string // the message that carried the tapped button, for edits

	LanguageCode string // IETF tag the channel reports, may be empty
	DisplayName  string
	File         *File
	// More are the other files of a message that carries several (a Zalo
	// event with several images); File is the first. Nil otherwise.
	More []*File
	// Group names the album a message belongs to: what the user sent
	// together, which Telegram delivers as separate messages sharing a
	// media_group_id, one update each. A Zalo event with several files is
	// one album (File and More), named by its message id. "" for a
	// message sent alone.
	Group string

	Received time.Time
}

// Files returns every file the update carries: File, then More.
func (u *Update) Files() []*File {
	if u.File == nil {
		return nil
	}
	return append([]*File{u.File}, u.More...)
}

// File is an attachment as the channel describes it; fetching it is the channel's job.
type File struct {
	ID   string
	Name string
	MIME string
	Size int64
}

// ParseCommand splits "/cmd@bot args" into its parts. It reports false for text
// that is not a command.
func ParseCommand(text string) (cmd, args string, ok bool) {
	if len(text) < 2 || text[0] != '/' {
		return "", "", false
	}
	head, rest, _ := strings.Cut(text[1:], " ")
	head, _, _ = strings.Cut(head, "@")
	if head == "" || len(head) > 32 {
		return "", "", false
	}
	for _, r := range head {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return "", "", false
		}
	}
	return strings.ToLower(head), strings.TrimSpace(rest), true
}
