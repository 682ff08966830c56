package fakeapi

import (
	"strconv"
	"time"

	"hocvuso/internal/jsonx"
)

// The updates of virtual users, written by hand with append: a reflective
// JSON encoding per update would cost the load tool more than the bot's
// decoding of it. Shared by cmd/hocvuso-load and the decoder's tests, so
// that what the load figures measure is what the tests check.
// appendUser appends the "from" object of a virtual user (of the load
// tool and of tests): "Người Dùng <id>", Vietnamese.
func appendUser(b []byte, id int64) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"is_bot":false,"first_name":"Người","last_name":"Dùng `...)
	b = strconv.AppendInt(b, id, 10)
	return append(b, `","language_code":"vi"}`...)
}

// AppendTextUpdate appends an update with a private text message sent at
// at, as Telegram writes it: compact, UTF-8 unescaped.
func AppendTextUpdate(b []byte, updateID, messageID, chat int64, text string, at time.Time) []byte {
	b = append(b, `{"update_id":`...)
	b = strconv.AppendInt(b, updateID, 10)
	b = append(b, `,"message":{"message_id":`...)
	b = strconv.AppendInt(b, messageID, 10)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, at.Unix(), 10)
	b = append(b, `,"from":`...)
	b = appendUser(b, chat)
	b = append(b, `,"chat":{"id":`...)
	b = strconv.AppendInt(b, chat, 10)
	b = append(b, `,"type":"private","first_name":"Người"},"text":`...)
	b = jsonx.AppendString(b, text)
	return append(b, "}}"...)
}

// AppendTapUpdate appends an update with a tap on a button of a message
// sent at at.
func AppendTapUpdate(b []byte, updateID int64, queryID string, chat int64, data string, messageID int, messageText string, at time.Time) []byte {
	b = append(b, `{"update_id":`...)
	b = strconv.AppendInt(b, updateID, 10)
	b = append(b, `,"callback_query":{"id":`...)
	b = jsonx.AppendString(b, queryID)
	b = append(b, `,"from":`...)
	b = appendUser(b, chat)
	b = append(b, `,"chat_instance":"load","data":`...)
	b = jsonx.AppendString(b, data)
	b = append(b, `,"message":{"message_id":`...)
	b = strconv.AppendInt(b, int64(messageID), 10)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, at.Unix(), 10)
	b = append(b, `,"chat":{"id":`...)
	b = strconv.AppendInt(b, chat, 10)
	b = append(b, `,"type":"private"},"text":`...)
	b = jsonx.AppendString(b, messageText)
	return append(b, "}}}"...)
}
