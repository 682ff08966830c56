package telegram

import (
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/internal/jsonx"
)

// The fast path reads the updates that make almost all traffic (a message
// with text or a command, a tap on a button) without encoding/json's
// reflection, which cost more than the rest of their decoding. It fills
// the same library values json.Unmarshal would, as far as Translate reads
// them, so that Translate does the rest for both paths. Whatever it is not
// sure to read exactly as encoding/json does, it declines, and Decode
// falls back to encoding/json:
//   - a key that is not one it reads, unless no field of the library's type
//     can take it (encoding/json matches keys case-insensitively: "Text"
//     would set the text; "is_premium" sets nothing);
//   - a key read twice, a null, white space (Telegram sends compact JSON);
//   - a number that is not a plain integer within its field's Go type;
//   - a value of another type than its field's (encoding/json would fail).

// fastUpdate holds what the fast path reads: an update with a message, or
// with a callback query and, maybe, the query's message.
type fastUpdate struct {
	tu   tgbotapi.Update
	msg  tgbotapi.Message
	cq   tgbotapi.CallbackQuery
	from tgbotapi.User // of the message, or of the query
	chat tgbotapi.Chat // of the message, or of the query's message
}

// Bits of a fieldSet: each key an object may hold once.
const (
	keyUpdateID = iota
	keyMessage
	keyCallbackQuery
)

// read reads raw into f.tu, reporting false to decline it.
func (f *fastUpdate) read(raw []byte) bool {
	var seen fieldSet
	return json.Valid(raw) && jsonx.ValidMembers(raw, func(key, val []byte) bool {
		switch string(key) {
		case "update_id":
			return seen.first(keyUpdateID) && readInt(val, &f.tu.UpdateID)
		case "message":
			// Both would share f.msg; Telegram never sends both.
			if !seen.first(keyMessage) || seen.has(keyCallbackQuery) {
				return false
			}
			f.tu.Message = &f.msg
			return f.readMessage(val, true)
		case "callback_query":
			if !seen.first(keyCallbackQuery) || seen.has(keyMessage) {
				return false
			}
			f.tu.CallbackQuery = &f.cq
			return f.readCallback(val)
		}
		return updateFields.ignores(key)
	})
}

// readMessage reads a message into f.msg: whole for the update's own, only
// what Translate reads of a callback query's (its id and chat), the rest of
// which is only checked.
func (f *fastUpdate) readMessage(val []byte, whole bool) bool {
	var seen fieldSet
	m := &f.msg
	return jsonx.ValidMembers(val, func(key, val []byte) bool {
		switch string(key) {
		case "message_id":
			return seen.first(0) && readInt(val, &m.MessageID)
		case "from":
			if !seen.first(1) {
				return false
			}
			if !whole {
				return readUser(val, nil)
			}
			m.From = &f.from
			return readUser(val, &f.from)
		case "chat":
			m.Chat = &f.chat
			return seen.first(2) && readChat(val, &f.chat)
		case "date":
			return seen.first(3) && isInt(val)
		case "edit_date":
			return seen.first(4) && isInt(val)
		case "text":
			if !seen.first(5) {
				return false
			}
			if !whole {
				return isString(val)
			}
			return readString(val, &m.Text)
		case "entities":
			return seen.first(6) && checkEntities(val)
		case "reply_markup":
			return seen.first(7) && checkKeyboard(val)
		}
		return messageFields.ignores(key)
	})
}

func (f *fastUpdate) readCallback(val []byte) bool {
	var seen fieldSet
	cq := &f.cq
	return jsonx.ValidMembers(val, func(key, val []byte) bool {
		switch string(key) {
		case "id":
			return seen.first(0) && readString(val, &cq.ID)
		case "from":
			cq.From = &f.from
			return seen.first(1) && readUser(val, &f.from)
		case "message":
			cq.Message = &f.msg
			return seen.first(2) && f.readMessage(val, false)
		case "inline_message_id":
			return seen.first(3) && isString(val)
		case "chat_instance":
			return seen.first(4) && isString(val)
		case "data":
			return seen.first(5) && readString(val, &cq.Data)
		case "game_short_name":
			return seen.first(6) && isString(val)
		}
		return callbackFields.ignores(key)
	})
}

// readUser reads a user into u what fromUser reads of it, or only checks it
// when u is nil.
func readUser(val []byte, u *tgbotapi.User) bool {
	var seen fieldSet
	var discard tgbotapi.User
	if u == nil {
		u = &discard
	}
	return jsonx.ValidMembers(val, func(key, val []byte) bool {
		switch string(key) {
		case "id":
			return seen.first(0) && readInt64(val, &u.ID)
		case "first_name":
			return seen.first(1) && readString(val, &u.FirstName)
		case "last_name":
			return seen.first(2) && readString(val, &u.LastName)
		case "language_code":
			return seen.first(3) && readString(val, &u.LanguageCode)
		case "username":
			return seen.first(4) && isString(val)
		case "is_bot":
			return seen.first(5) && isBool(val)
		case "can_join_groups":
			return seen.first(6) && isBool(val)
		case "can_read_all_group_messages":
			return seen.first(7) && isBool(val)
		case "supports_inline_queries":
			return seen.first(8) && isBool(val)
		}
		return userFields.ignores(key)
	})
}

// readChat reads a chat's id and type, what Translate reads of a message's
// chat.
func readChat(val []byte, c *tgbotapi.Chat) bool {
	var seen fieldSet
	return jsonx.ValidMembers(val, func(key, val []byte) bool {
		switch string(key) {
		case "id":
			return seen.first(0) && readInt64(val, &c.ID)
		case "type":
			return seen.first(1) && readString(val, &c.Type)
		case "first_name":
			return seen.first(2) && isString(val)
		case "last_name":
			return seen.first(3) && isString(val)
		case "username":
			return seen.first(4) && isString(val)
		case "title":
			return seen.first(5) && isString(val)
		}
		return chatFields.ignores(key)
	})
}

// checkEntities checks a message's entities (a command's, a link's).
func checkEntities(val []byte) bool {
	return jsonx.ValidElements(val, func(e []byte) bool {
		var seen fieldSet
		return jsonx.ValidMembers(e, func(key, val []byte) bool {
			switch string(key) {
			case "type":
				return seen.first(0) && isString(val)
			case "offset":
				return seen.first(1) && isInt(val)
			case "length":
				return seen.first(2) && isInt(val)
			case "url":
				return seen.first(3) && isString(val)
			case "language":
				return seen.first(4) && isString(val)
			}
			return entityFields.ignores(key)
		})
	})
}

// checkKeyboard checks the buttons of a callback query's message.
func checkKeyboard(val []byte) bool {
	var seen fieldSet
	return jsonx.ValidMembers(val, func(key, val []byte) bool {
		if string(key) == "inline_keyboard" {
			return seen.first(0) && jsonx.ValidElements(val, func(row []byte) bool {
				return jsonx.ValidElements(row, checkButton)
			})
		}
		return keyboardFields.ignores(key)
	})
}

func checkButton(val []byte) bool {
	var seen fieldSet
	return jsonx.ValidMembers(val, func(key, val []byte) bool {
		switch string(key) {
		case "text":
			return seen.first(0) && isString(val)
		case "callback_data":
			return seen.first(1) && isString(val)
		case "url":
			return seen.first(2) && isString(val)
		case "switch_inline_query":
			return seen.first(3) && isString(val)
		case "switch_inline_query_current_chat":
			return seen.first(4) && isString(val)
		case "pay":
			return seen.first(5) && isBool(val)
		}
		return buttonFields.ignores(key)
	})
}

// fieldSet records the keys of an object read so far, a bit each.
type fieldSet uint32

// first records key k and reports whether it is the first time.
func (s *fieldSet) first(k uint) bool {
	if *s&(1<<k) != 0 {
		return false
	}
	*s |= 1 << k
	return true
}

func (s fieldSet) has(k uint) bool { return s&(1<<k) != 0 }

// readString reads a string as encoding/json does: one without escapes,
// valid UTF-8, as it is; others (escapes, \u surrogates, invalid UTF-8
// replaced) by encoding/json itself.
func readString(val []byte, dst *string) bool {
	if s, ok := jsonx.String(val); ok {
		*dst = s
		return true
	}
	if !isString(val) {
		return false
	}
	var s string
	if json.Unmarshal(val, &s) != nil {
		return false
	}
	*dst = s
	return true
}

// isString reports whether val, valid JSON, is a string: encoding/json
// reads any into a string field.
func isString(val []byte) bool { return len(val) > 0 && val[0] == '"' }

func isBool(val []byte) bool {
	_, ok := jsonx.Bool(val)
	return ok
}

// readInt reads a plain integer into an int field, as the library types
// message and update ids.
func readInt(val []byte, dst *int) bool {
	n, ok := jsonx.Int(val)
	if !ok || int64(int(n)) != n {
		return false
	}
	*dst = int(n)
	return true
}

// readInt64 reads a plain integer into an int64 field (user and chat ids).
func readInt64(val []byte, dst *int64) bool {
	n, ok := jsonx.Int(val)
	if ok {
		*dst = n
	}
	return ok
}

// isInt reports whether val is a plain integer that an int field takes.
func isInt(val []byte) bool {
	var n int
	return readInt(val, &n)
}

// fieldNames holds the JSON names of a library type's fields, folded.
type fieldNames map[string]bool

// The library's types the fast path reads.
var (
	updateFields   = namesOf(tgbotapi.Update{})
	messageFields  = namesOf(tgbotapi.Message{})
	callbackFields = namesOf(tgbotapi.CallbackQuery{})
	userFields     = namesOf(tgbotapi.User{})
	chatFields     = namesOf(tgbotapi.Chat{})
	entityFields   = namesOf(tgbotapi.MessageEntity{})
	keyboardFields = namesOf(tgbotapi.InlineKeyboardMarkup{})
	buttonFields   = namesOf(tgbotapi.InlineKeyboardButton{})
)

func namesOf(v any) fieldNames {
	t := reflect.TypeOf(v)
	names := make(fieldNames, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			// Its fields would be promoted: not expected of the library.
			panic("telegram: embedded field in " + t.Name())
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = sf.Name
		}
		folded, ok := fold(make([]byte, 0, len(name)), name)
		if !ok {
			panic("telegram: field name " + name + " of " + t.Name())
		}
		names[string(folded)] = true
	}
	return names
}

// ignores reports whether encoding/json surely ignores key in an object
// of the type: no field's name matches it, whatever the case. Dropping
// '_' and '-' matches more names than encoding/json does: a safe excess.
func (n fieldNames) ignores(key []byte) bool {
	var buf [64]byte
	folded, ok := fold(buf[:0], key)
	return ok && !n[string(folded)]
}

// fold appends name to b lower-cased, without '_' and '-', when it is ASCII
// and fits b. Beyond ASCII, some letters fold to ASCII ones (the Kelvin
// sign to k): such a name is not folded.
func fold[S string | []byte](b []byte, name S) ([]byte, bool) {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= utf8.RuneSelf || len(b) == cap(b):
			return b, false
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b, true
}
