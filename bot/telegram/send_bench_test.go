package telegram

import (
	"context"
	"testing"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
)

// BenchmarkSend is sendMessage calls with a keyboard through the library and
// Go's HTTP client, against the fake Bot API in its lean mode.
func BenchmarkSend(b *testing.B) {
	srv := fakeapi.Start(testToken)
	defer srv.Close()
	srv.Lean()
	c, err := New(context.Background(), Config{Token: testToken, APIURL: srv.URL, Log: discard()})
	if err != nil {
		b.Fatal(err)
	}
	r := bot.Reply{Text: "Câu 3/10 · Mật khẩu mạnh là mật khẩu nào?", Buttons: [][]bot.Button{
		{{Label: "A", Data: "quiz:ans:1"}, {Label: "B", Data: "quiz:ans:2"}},
		{{Label: "C", Data: "quiz:ans:3"}, {Label: "D", Data: "quiz:ans:4"}},
	}}
	ctx := context.Background()
	b.ReportAllocs()
	// Many chats at once, as under load: the cost per call, not one
	// call's latency.
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.Send(ctx, target("42"), r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
