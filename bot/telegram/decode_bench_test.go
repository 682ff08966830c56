package telegram

import (
	"strconv"
	"testing"

	"hocvuso/internal/jsonx"
)

// loadTextUpdate and loadTapUpdate write the updates of cmd/hocvuso-load
// (wire.go: appendTextUpdate, appendTapUpdate) byte for byte: a main
// package cannot be imported, and these are the bodies the load figures
// measure.
func loadTextUpdate(updateID, messageID, chat int64, text string) []byte {
	b := []byte(`{"update_id":`)
	b = strconv.AppendInt(b, updateID, 10)
	b = append(b, `,"message":{"message_id":`...)
	b = strconv.AppendInt(b, messageID, 10)
	b = append(b, `,"date":1760000000,"from":`...)
	b = loadUser(b, chat)
	b = append(b, `,"chat":{"id":`...)
	b = strconv.AppendInt(b, chat, 10)
	b = append(b, `,"type":"private","first_name":"Người"},"text":`...)
	b = jsonx.AppendString(b, text)
	return append(b, "}}"...)
}

func loadTapUpdate(updateID int64, queryID string, chat int64, data string, messageID int, messageText string) []byte {
	b := []byte(`{"update_id":`)
	b = strconv.AppendInt(b, updateID, 10)
	b = append(b, `,"callback_query":{"id":`...)
	b = jsonx.AppendString(b, queryID)
	b = append(b, `,"from":`...)
	b = loadUser(b, chat)
	b = append(b, `,"chat_instance":"load","data":`...)
	b = jsonx.AppendString(b, data)
	b = append(b, `,"message":{"message_id":`...)
	b = strconv.AppendInt(b, int64(messageID), 10)
	b = append(b, `,"date":1760000000,"chat":{"id":`...)
	b = strconv.AppendInt(b, chat, 10)
	b = append(b, `,"type":"private"},"text":`...)
	b = jsonx.AppendString(b, messageText)
	return append(b, "}}}"...)
}

func loadUser(b []byte, id int64) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"is_bot":false,"first_name":"Người","last_name":"Dùng `...)
	b = strconv.AppendInt(b, id, 10)
	return append(b, `","language_code":"vi"}`...)
}

// The quiz's traffic: a tap on an answer of a question, and a typed answer.
var (
	benchTap  = loadTapUpdate(1000123, "q1000122", 1000042, "quiz|ans|3|1", 4711, "Câu 3/10\n\nThủ phủ của tỉnh Sơn La là gì?\n\nA. Mộc Châu\nB. Thành phố Sơn La\nC. Mai Sơn\nD. Yên Châu")
	benchText = loadTextUpdate(1000124, 4712, 1000042, "thành phố sơn la")
)

func BenchmarkDecode(b *testing.B) {
	for _, bc := range []struct {
		name string
		raw  []byte
	}{{"callback_query", benchTap}, {"text", benchText}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.raw)))
			for b.Loop() {
				if _, err := Decode(bc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
