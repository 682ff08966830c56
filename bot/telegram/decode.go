package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot"
)

// ErrIgnored is returned for updates the bot has no use for: no chat to
// answer in (inline queries, polls), channel posts, group membership
// changes, and anything from a group chat: the bot talks with one person
// in their private chat (a session, consent and personal data are a
// chat's), so a group it was added to gets no answer. The caller
// acknowledges them without handling; a tap on a button in a group is
// answered with nothing first, so that its spinner stops (tapToAnswer).
var ErrIgnored = errors.New("telegram: update ignored")

// ignoredTap is the ErrIgnored of a tap on a button of a message in a
// group: ignored as everything from a group is, but answered all the
// same, with nothing, or the user's app shows its spinner until it gives
// up.
type ignoredTap struct{ callbackID string }

func (*ignoredTap) Error() string        { return "telegram: update ignored (a tap in a group)" }
func (*ignoredTap) Is(target error) bool { return target == ErrIgnored }

// tapToAnswer returns the callback query to answer of an ignored update:
// a tap in a group.
func tapToAnswer(err error) (string, bool) {
	var t *ignoredTap
	if errors.As(err, &t) {
		return t.callbackID, true
	}
	return "", false
}

// AllowedUpdates are the update types the bot subscribes to, in getUpdates
// and setWebhook.
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// photoMIME is the type of every photo Telegram stores (it re-encodes them).
const photoMIME = "image/jpeg"

// Decode parses one update as Telegram sends it (a webhook body, or one
// element of getUpdates) and translates it. Malformed JSON is an error that
// will never go away: callers acknowledge it rather than retry. Messages
// with text and callback queries take the fast path (decode_fast.go),
// whatever else encoding/json: both give the same update.
func Decode(raw []byte) (*bot.Update, error) {
	f := fastUpdates.Get().(*fastUpdate)
	defer func() {
		*f = fastUpdate{}
		fastUpdates.Put(f)
	}()
	if f.read(raw) {
		return Translate(f.tu)
	}
	return decodeSlow(raw)
}

// fastUpdates spares the fast path an allocation of its library values
// (a kilobyte) per update: Translate keeps nothing of them but strings.
var fastUpdates = sync.Pool{New: func() any { return new(fastUpdate) }}

// decodeSlow is Decode by encoding/json, for what the fast path declines.
func decodeSlow(raw []byte) (*bot.Update, error) {
	var tu tgbotapi.Update
	if err := json.Unmarshal(raw, &tu); err != nil {
		return nil, fmt.Errorf("telegram: decode update: %w", err)
	}
	return Translate(tu)
}

// Translate turns a library update into a channel-neutral one, or returns
// ErrIgnored. Every pointer may be nil, whatever the Bot API promises:
// Telegram's own samples omit "required" fields, and the library's helpers
// (FromChat, SentFrom) panic on inline callbacks.
func Translate(tu tgbotapi.Update) (*bot.Update, error) {
	u := &bot.Update{
		Channel: bot.Telegram,
		ID:      strconv.Itoa(tu.UpdateID),
		Seq:     int64(tu.UpdateID),
		// Telegram sends a chat's next update only once the previous one
		// was acknowledged, by webhook or getUpdates (and the poller
		// handles a chat's updates one after the other).
		InOrder:  true,
		Received: time.Now(),
	}
	switch {
	case tu.Message != nil:
		if !fromMessage(u, tu.Message) {
			return nil, ErrIgnored
		}
	case tu.EditedMessage != nil:
		if !fromMessage(u, tu.EditedMessage) {
			return nil, ErrIgnored
		}
		if u.Kind == bot.KindOther && u.Text == "" {
			// An edit of what carries no text and no file (a location:
			// sharing a live location edits it again and again): there
			// is nothing the bot could read if sent again, so nothing to
			// answer, least of all once per move.
			return nil, ErrIgnored
		}
		u.Kind = bot.KindEdited
		u.Command, u.Args, u.File, u.Group = "", "", nil, ""
	case tu.CallbackQuery != nil:
		if !fromCallback(u, tu.CallbackQuery) {
			if cq := tu.CallbackQuery; cq.ID != "" && cq.Message != nil && cq.Message.Chat != nil && !private(cq.Message.Chat) {
				return nil, &ignoredTap{callbackID: cq.ID}
			}
			return nil, ErrIgnored
		}
	case tu.MyChatMember != nil:
		if !fromMembership(u, tu.MyChatMember) {
			return nil, ErrIgnored
		}
	default:
		return nil, ErrIgnored
	}
	return u, nil
}

func fromMessage(u *bot.Update, m *tgbotapi.Message) bool {
	if m.Chat == nil || !private(m.Chat) || service(m) {
		return false
	}
	u.ChatID = strconv.FormatInt(m.Chat.ID, 10)
	u.MessageID = strconv.Itoa(m.MessageID)
	// The photos or documents of an album come one message each, the
	// group's id in each.
	u.Group = m.MediaGroupID
	fromUser(u, m.From)
	switch {
	case m.Text != "":
		u.Text = bot.NFC(m.Text)
		u.Kind = bot.KindText
		if cmd, args, ok := bot.ParseCommand(u.Text); ok {
			u.Kind, u.Command, u.Args = bot.KindCommand, cmd, args
		}
	case m.Document != nil:
		u.Kind = bot.KindFile
		u.Text = bot.NFC(m.Caption)
		u.File = &bot.File{
			ID:   m.Document.FileID,
			Name: bot.NFC(m.Document.FileName),
			MIME: m.Document.MimeType,
			Size: int64(m.Document.FileSize),
		}
	case len(m.Photo) > 0:
		u.Kind = bot.KindFile
		u.Text = bot.NFC(m.Caption)
		p := largest(m.Photo)
		u.File = &bot.File{ID: p.FileID, MIME: photoMIME, Size: int64(p.FileSize)}
	default:
		u.Kind = bot.KindOther
		u.Text = bot.NFC(m.Caption)
	}
	return true
}

// largest picks the biggest of a photo's sizes. Telegram lists them
// smallest first, but that order is not promised.
func largest(sizes []tgbotapi.PhotoSize) tgbotapi.PhotoSize {
	best := sizes[0]
	for _, p := range sizes[1:] {
		if p.Width*p.Height > best.Width*best.Height ||
			p.Width*p.Height == best.Width*best.Height && p.FileSize >= best.FileSize {
			best = p
		}
	}
	return best
}

func fromCallback(u *bot.Update, cq *tgbotapi.CallbackQuery) bool {
	u.Kind = bot.KindCallback
	u.CallbackID = cq.ID
	u.Data = cq.Data
	fromUser(u, cq.From)
	switch {
	case cq.Message != nil && cq.Message.Chat != nil:
		// Also for an "inaccessible" message (date 0): chat and id are there.
		if !private(cq.Message.Chat) {
			return false
		}
		u.ChatID = strconv.FormatInt(cq.Message.Chat.ID, 10)
		u.MessageID = strconv.Itoa(cq.Message.MessageID)
	case cq.From != nil:
		// A button on an inline message: no chat, no editable message id.
		// The user's private chat has the user's id.
		u.ChatID = u.UserID
	default:
		return false
	}
	return cq.ID != ""
}

// fromMembership handles my_chat_member, which a private chat receives only
// when the user blocks ("kicked") or unblocks/restarts ("member") the bot.
// Groups adding or removing the bot are of no interest.
func fromMembership(u *bot.Update, cm *tgbotapi.ChatMemberUpdated) bool {
	if cm.Chat.Type != "private" {
		return false
	}
	switch cm.NewChatMember.Status {
	case "kicked":
		u.Kind = bot.KindBlocked
	case "member":
		u.Kind = bot.KindUnblocked
	default:
		return false
	}
	u.ChatID = strconv.FormatInt(cm.Chat.ID, 10)
	from := cm.From
	fromUser(u, &from)
	return true
}

// service reports whether a message is one of the service messages a
// private chat may hold (the user pinned a message, set the chat's
// auto-delete timer, logged in to a website with Telegram, a live
// location's proximity alert): nothing the user wrote to the bot, so
// nothing to answer, and not an answer to a question asked.
func service(m *tgbotapi.Message) bool {
	return m.PinnedMessage != nil || m.MessageAutoDeleteTimerChanged != nil ||
		m.ConnectedWebsite != "" || m.ProximityAlertTriggered != nil
}

// private reports whether a chat is a user's private chat with the bot.
// Telegram always names the type; a chat without one is taken as private,
// as every chat was before the type was read.
func private(c *tgbotapi.Chat) bool {
	return c.Type == "private" || c.Type == ""
}

func fromUser(u *bot.Update, from *tgbotapi.User) {
	if from == nil {
		return
	}
	u.UserID = strconv.FormatInt(from.ID, 10)
	u.LanguageCode = from.LanguageCode
	u.DisplayName = bot.NFC(strings.TrimSpace(from.FirstName + " " + from.LastName))
}
