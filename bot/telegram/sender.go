package telegram

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot"
)

// Limits of the Bot API, in UTF-16 code units (what Telegram counts).
const (
	maxText    = 4096
	maxCaption = 1024
	maxNotice  = 200
)

var _ bot.Sender = (*Client)(nil)

// Send delivers a reply: its text (split into several messages when longer
// than Telegram allows, the buttons on the last one), then its document.
// With t.EditMessageID the first part replaces that message instead, or is
// sent anew when the message can no longer be edited.
//
// A reply split into parts is not atomic: when a later part fails, the
// engine's retry sends the earlier parts again.
//
// Errors wrapping bot.ErrBlocked mean the user cannot be reached any more.
func (c *Client) Send(ctx context.Context, t bot.Target, r bot.Reply) error {
	chatID, err := strconv.ParseInt(t.ChatID, 10, 64)
	if err != nil {
		return fmt.Errorf("telegram: bad chat id %q", t.ChatID)
	}
	markup := keyboard(r.Buttons)
	parts := split(r.Text, maxText)
	caption := ""
	if r.Document != nil {
		caption = r.Document.Caption
		if utf16Len(caption) > maxCaption {
			// Too long for a caption: it goes before the document instead.
			parts = append(parts, split(caption, maxText)...)
			caption = ""
		}
	}
	if len(parts) == 0 && r.Document == nil {
		c.log.Warn("telegram: empty reply not sent", "chat", t.ChatID)
		return nil
	}
	for i, text := range parts {
		var m *tgbotapi.InlineKeyboardMarkup
		if i == len(parts)-1 && r.Document == nil {
			m = markup
		}
		if i == 0 && t.EditMessageID != "" {
			err = c.edit(ctx, chatID, t.EditMessageID, text, m)
		} else {
			err = c.sendText(ctx, chatID, text, m)
		}
		if err != nil {
			return blocked(err)
		}
	}
	if r.Document != nil {
		if err := c.sendDocument(ctx, chatID, r.Document, caption, markup); err != nil {
			return blocked(err)
		}
	}
	return nil
}

// blocked marks errors of unreachable chats with bot.ErrBlocked.
func blocked(err error) error {
	if unreachable(err) {
		return fmt.Errorf("%w: %w", bot.ErrBlocked, err)
	}
	return err
}

func (c *Client) sendText(ctx context.Context, chatID int64, text string, m *tgbotapi.InlineKeyboardMarkup) error {
	msg := tgbotapi.NewMessage(chatID, text)
	if m != nil {
		msg.ReplyMarkup = *m
	}
	return c.call(ctx, "sendMessage", func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(msg)
		return err
	})
}

// edit replaces a message's text and buttons. Identical content is success;
// a message that cannot be edited (too old, deleted, not text) gets a new
// message instead, so the user sees the reply either way.
func (c *Client) edit(ctx context.Context, chatID int64, messageID, text string, m *tgbotapi.InlineKeyboardMarkup) error {
	id, err := strconv.Atoi(messageID)
	if err != nil {
		return c.sendText(ctx, chatID, text, m)
	}
	e := tgbotapi.NewEditMessageText(chatID, id, text)
	e.ReplyMarkup = m
	err = c.call(ctx, "editMessageText", func(api *tgbotapi.BotAPI) error {
		// Request, not Send: the result is true for inline messages.
		_, err := api.Request(e)
		return err
	})
	switch {
	case err == nil, hasDescription(err, http.StatusBadRequest, "message is not modified"):
		return nil
	case hasDescription(err, http.StatusBadRequest,
		"message can't be edited", "message to edit not found",
		"there is no text in the message to edit", "message_id_invalid"):
		c.log.Debug("telegram: message not editable, sending anew", "err", err)
		return c.sendText(ctx, chatID, text, m)
	}
	return err
}

func (c *Client) sendDocument(ctx context.Context, chatID int64, d *bot.Document, caption string, m *tgbotapi.InlineKeyboardMarkup) error {
	name := d.Name
	if name == "" {
		name = "file"
	}
	doc := tgbotapi.NewDocument(chatID, tgbotapi.FileBytes{Name: name, Bytes: d.Bytes})
	doc.Caption = caption
	if m != nil {
		doc.ReplyMarkup = *m
	}
	return c.call(ctx, "sendDocument", func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(doc)
		return err
	})
}

// Answer answers a tapped button, stopping the client's spinner and showing
// notice as a toast. Other updates need no answer. An answer that comes too
// late (Telegram allows a few seconds) is not an error: there is nothing
// left to answer. While a webhook request delivers the tap, the answer
// goes back in its response instead of a call of its own (see answerSlot).
func (c *Client) Answer(ctx context.Context, u *bot.Update, notice string) error {
	if u == nil || u.Kind != bot.KindCallback || u.CallbackID == "" {
		return nil
	}
	cb := tgbotapi.NewCallback(u.CallbackID, truncate(notice, maxNotice))
	if slot, ok := ctx.Value(answerSlotKey{}).(*answerSlot); ok && slot.put(c, cb) {
		return nil // answered in the webhook's response
	}
	return c.answer(ctx, u, cb)
}

// answer answers a tapped button through the API.
func (c *Client) answer(ctx context.Context, u *bot.Update, cb tgbotapi.CallbackConfig) error {
	err := c.call(ctx, "answerCallbackQuery", func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(cb)
		return err
	})
	if hasDescription(err, http.StatusBadRequest, "query is too old", "query id is invalid") {
		c.log.Debug("telegram: callback answered too late", "update", u.ID)
		return nil
	}
	return err
}

// keyboard renders rows of buttons as an inline keyboard, or nil.
func keyboard(rows [][]bot.Button) *tgbotapi.InlineKeyboardMarkup {
	n, nrows := 0, 0
	for _, row := range rows {
		if len(row) > 0 {
			n += len(row)
			nrows++
		}
	}
	if n == 0 {
		return nil
	}
	// Every reply has buttons: the buttons, their rows and the callback
	// data they point to are allocated at once.
	all := make([]tgbotapi.InlineKeyboardButton, 0, n)
	data := make([]string, 0, n)
	kb := make([][]tgbotapi.InlineKeyboardButton, 0, nrows)
	for _, row := range rows {
		if len(row) == 0 {
			continue
		}
		start := len(all)
		for _, b := range row {
			data = append(data, b.Data)
			all = append(all, tgbotapi.InlineKeyboardButton{Text: b.Label, CallbackData: &data[len(data)-1]})
		}
		kb = append(kb, all[start:len(all):len(all)])
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// utf16Len counts UTF-16 code units, the unit of Telegram's length limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Units(r)
	}
	return n
}

func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// split cuts text into messages of at most limit UTF-16 units, preferring a
// line break, then a space, in the second half of each window, so that
// parts are neither cut mid-word nor tiny. Parts are trimmed of surrounding
// white space (Telegram would do it anyway); blank parts are dropped.
func split(text string, limit int) []string {
	var parts []string
	for {
		text = strings.TrimSpace(text)
		if text == "" {
			return parts
		}
		if len(text) <= limit {
			// A UTF-16 unit takes at least one byte of UTF-8 (an invalid
			// byte counts as one unit): nothing to count or cut.
			return append(parts, text)
		}
		end, units := 0, 0
		for end < len(text) {
			r, size := utf8.DecodeRuneInString(text[end:])
			if units+utf16Units(r) > limit && end > 0 {
				break
			}
			units += utf16Units(r)
			end += size
		}
		if end == len(text) {
			return append(parts, text)
		}
		cut := end
		window := text[:end]
		if i := strings.LastIndexByte(window, '\n'); i > end/2 {
			cut = i
		} else if i := strings.LastIndexFunc(window, unicode.IsSpace); i > end/2 {
			cut = i
		}
		parts = append(parts, strings.TrimSpace(text[:cut]))
		text = text[cut:]
	}
}

// truncate shortens s to at most limit UTF-16 units.
func truncate(s string, limit int) string {
	units := 0
	for i, r := range s {
		units += utf16Units(r)
		if units > limit {
			return s[:i]
		}
	}
	return s
}
