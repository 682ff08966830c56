package telegram

import (
	"testing"
	"time"

	"hocvuso/bot/telegram/fakeapi"
)

// The load tool's updates (fakeapi.AppendTextUpdate, AppendTapUpdate) at a
// fixed time: the bodies the load figures measure.
var loadAt = time.Unix(1760000000, 0)

func loadTextUpdate(updateID, messageID, chat int64, text string) []byte {
	return fakeapi.AppendTextUpdate(nil, updateID, messageID, chat, text, loadAt)
}

func loadTapUpdate(updateID int64, queryID string, chat int64, data string, messageID int, messageText string) []byte {
	return fakeapi.AppendTapUpdate(nil, updateID, queryID, chat, data, messageID, messageText, loadAt)
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
