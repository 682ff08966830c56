package fakeapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot/telegram/fakeapi"
)

const token = "4242:fake-TOKEN"

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// library returns the real v5.5.1 client talking to a fresh fake: the fake
// must understand exactly what the library sends.
func library(t *testing.T) (*tgbotapi.BotAPI, *fakeapi.Server) {
	t.Helper()
	srv := fakeapi.Start(token)
	t.Cleanup(srv.Close)
	api, err := tgbotapi.NewBotAPIWithClient(token, srv.URL+"/bot%s/%s", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return api, srv
}

func TestLibraryWireFormat(t *testing.T) {
	api, srv := library(t)
	if api.Self.UserName != "fake_bot" || api.Self.ID != 4242 || !api.Self.IsBot {
		t.Errorf("getMe: %+v", api.Self)
	}
	msg := tgbotapi.NewMessage(7, "Xin chào")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Có", "yes"), tgbotapi.NewInlineKeyboardButtonData("Không", "no")))
	sent, err := api.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if sent.MessageID == 0 || sent.Chat == nil || sent.Chat.ID != 7 || sent.Text != "Xin chào" || sent.ReplyMarkup == nil ||
		len(sent.ReplyMarkup.InlineKeyboard[0]) != 2 {
		t.Errorf("result %+v", sent)
	}
	call := srv.Calls("sendMessage")[0]
	if call.Params["entities"] != "null" {
		t.Errorf("v5.5.1 sends entities=null, got %q", call.Params["entities"])
	}

	edit := tgbotapi.NewEditMessageText(7, sent.MessageID, "Đã sửa")
	edited, err := api.Send(edit)
	if err != nil || edited.Text != "Đã sửa" || edited.EditDate == 0 {
		t.Fatalf("edit: %+v %v", edited, err)
	}
	// Same text, no markup on either side now: not modified.
	_, err = api.Request(edit)
	var te *tgbotapi.Error
	if !errors.As(err, &te) || te.Code != 400 || te.Message != fakeapi.NotModified {
		t.Errorf("second edit: %v", err)
	}
	if _, err := api.Request(tgbotapi.NewEditMessageText(7, 9999, "x")); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("edit unknown message: %v", err)
	}

	doc := tgbotapi.NewDocument(7, tgbotapi.FileBytes{Name: "a.csv", Bytes: []byte("x,y\n1,2\n")})
	doc.Caption = "Bảng"
	got, err := api.Send(doc)
	if err != nil || got.Document == nil || got.Document.FileName != "a.csv" || got.Document.FileSize != 8 || got.Caption != "Bảng" {
		t.Fatalf("document: %+v %v", got, err)
	}
	up := srv.Calls("sendDocument")[0].Files["document"]
	if string(up.Bytes) != "x,y\n1,2\n" {
		t.Errorf("uploaded %q", up.Bytes)
	}
	// The uploaded file can be fetched back by its file_id.
	f, err := api.GetFile(tgbotapi.FileConfig{FileID: got.Document.FileID})
	if err != nil || f.FilePath == "" || f.FileSize != 8 {
		t.Fatalf("getFile: %+v %v", f, err)
	}
	resp, err := srv.Client().Get(srv.URL + "/file/bot" + token + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "x,y\n1,2\n" {
		t.Errorf("downloaded %q", body)
	}
	if resp, _ := srv.Client().Get(srv.URL + "/file/botWRONG/" + f.FilePath); resp.StatusCode != 401 {
		t.Errorf("download with wrong token: %d", resp.StatusCode)
	}

	if _, err := api.Request(tgbotapi.NewCallback("cb1", "Đã lưu")); err != nil {
		t.Errorf("answerCallbackQuery: %v", err)
	}
	cmds := tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: "Bắt đầu"})
	if _, err := api.Request(cmds); err != nil {
		t.Errorf("setMyCommands: %v", err)
	}
	if msgs := srv.MessagesTo(7); len(msgs) != 2 || msgs[0].Text != "Đã sửa" || msgs[0].Edits != 1 || msgs[1].Document == nil {
		t.Errorf("messages %+v", msgs)
	}
}

func TestValidation(t *testing.T) {
	api, _ := library(t)
	long := strings.Repeat("🙂", 2049) // 4098 UTF-16 units
	cases := map[string]tgbotapi.Chattable{
		"message text is empty": tgbotapi.NewMessage(7, ""),
		"message is too long":   tgbotapi.NewMessage(7, long),
		"BUTTON_DATA_INVALID": func() tgbotapi.Chattable {
			m := tgbotapi.NewMessage(7, "x")
			m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
				tgbotapi.NewInlineKeyboardButtonData("b", strings.Repeat("d", 65))))
			return m
		}(),
		"chat_id is empty": tgbotapi.MessageConfig{Text: "x"},
	}
	for want, c := range cases {
		_, err := api.Request(c)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
	if _, err := api.Request(tgbotapi.NewMessage(7, strings.Repeat("🙂", 2048))); err != nil {
		t.Errorf("4096 units refused: %v", err)
	}
}

func TestUnauthorizedAndUnknownMethod(t *testing.T) {
	srv := fakeapi.Start(token)
	defer srv.Close()
	if _, err := tgbotapi.NewBotAPIWithClient("1:other", srv.URL+"/bot%s/%s", srv.Client()); err == nil || err.Error() != "Unauthorized" {
		t.Errorf("wrong token: %v", err)
	}
	resp, err := srv.Client().PostForm(srv.URL+"/bot"+token+"/sendPigeon", url.Values{"chat_id": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		OK   bool `json:"ok"`
		Code int  `json:"error_code"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 404 || body.OK || body.Code != 404 {
		t.Errorf("unknown method: %d %+v", resp.StatusCode, body)
	}
	resp, err = srv.Client().Get(srv.URL + "/bot1:other/getMe")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("wrong token status %d", resp.StatusCode)
	}
	if n := len(srv.Calls("")); n != 0 {
		t.Errorf("%d calls recorded for refused requests", n)
	}
}

func TestFaults(t *testing.T) {
	api, srv := library(t)
	srv.Fail(fakeapi.Fault{Method: "sendMessage", ChatID: 7, Code: 429, RetryAfter: 5, Times: 2})
	srv.Fail(fakeapi.Fault{ChatID: 8, Code: 403})
	for i := 0; i < 2; i++ {
		_, err := api.Request(tgbotapi.NewMessage(7, "x"))
		var te *tgbotapi.Error
		if !errors.As(err, &te) || te.Code != 429 || te.RetryAfter != 5 || te.Message != "Too Many Requests: retry after 5" {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := api.Request(tgbotapi.NewMessage(7, "x")); err != nil {
		t.Errorf("after Times ran out: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := api.Request(tgbotapi.NewMessage(8, "x")); err == nil || err.Error() != fakeapi.Blocked {
			t.Errorf("always: %v", err)
		}
	}
	calls := srv.Calls("sendMessage")
	if len(calls) != 6 || calls[0].Status != 429 || calls[2].Status != 200 || calls[3].Status != 403 {
		t.Errorf("statuses %+v", calls)
	}
	srv.ClearFaults()
	if _, err := api.Request(tgbotapi.NewMessage(8, "x")); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
	srv.Fail(fakeapi.Fault{Code: 500, Times: 1})
	if _, err := api.Request(tgbotapi.NewCallback("q", "")); err == nil || err.Error() != fakeapi.InternalError {
		t.Errorf("500: %v", err)
	}
}

func TestGetUpdates(t *testing.T) {
	api, srv := library(t)
	id1 := srv.UserText(5, "một")
	id2 := srv.UserTap(5, 77, "home|open|1|")
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 2 {
		t.Fatalf("%d updates, %v", len(ups), err)
	}
	if ups[0].UpdateID != int(id1) || ups[0].Message == nil || ups[0].Message.Text != "một" || ups[0].Message.Chat.ID != 5 {
		t.Errorf("first %+v", ups[0])
	}
	if cq := ups[1].CallbackQuery; cq == nil || cq.Data != "home|open|1|" || cq.Message.MessageID != 77 || cq.ID == "" {
		t.Errorf("second %+v", ups[1])
	}
	// Without a higher offset nothing is confirmed.
	if ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{}); len(ups) != 2 {
		t.Errorf("refetch: %d", len(ups))
	}
	if ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id2)}); len(ups) != 1 || srv.Pending() != 1 {
		t.Errorf("offset %d: %d updates, %d pending", id2, len(ups), srv.Pending())
	}
	if ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id2) + 1}); len(ups) != 0 || srv.Pending() != 0 {
		t.Errorf("all confirmed: %d updates, %d pending", len(ups), srv.Pending())
	}

	// Long poll: the call waits until an update arrives.
	got := make(chan []tgbotapi.Update, 1)
	go func() {
		ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id2) + 1, Timeout: 5})
		got <- ups
	}()
	waiting := func(calls []fakeapi.Call) bool {
		last := calls[len(calls)-1]
		return last.Method == "getUpdates" && last.Status == 0 && last.Params["timeout"] == "5"
	}
	if err := srv.WaitFor(ctxT(t), waiting); err != nil {
		t.Fatal(err)
	}
	id3 := srv.UserText(6, "hai")
	select {
	case ups := <-got:
		if len(ups) != 1 || ups[0].UpdateID != int(id3) {
			t.Errorf("long poll got %+v", ups)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("long poll did not return on a new update")
	}

	// allowed_updates filters what is delivered.
	srv.UserTap(6, 1, "x")
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id3) + 1, AllowedUpdates: []string{"message"}})
	if len(ups) != 0 || srv.Pending() != 0 {
		t.Errorf("callback delivered despite allowed_updates: %d", len(ups))
	}
}

func TestGetUpdatesTimeout(t *testing.T) {
	t.Parallel()
	api, _ := library(t)
	start := time.Now()
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	if d := time.Since(start); err != nil || len(ups) != 0 || d < 900*time.Millisecond || d > 3*time.Second {
		t.Errorf("empty long poll: %d updates, %v, after %v", len(ups), err, d)
	}
}

func TestWebhookPush(t *testing.T) {
	api, srv := library(t)
	var attempts atomic.Int32
	var gotSecret atomic.Value
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotSecret.Store(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if attempts.Add(1) == 1 {
			w.WriteHeader(500) // Telegram tries again
			return
		}
		w.WriteHeader(200)
	}))
	defer hook.Close()

	_, err := api.MakeRequest("setWebhook", tgbotapi.Params{"url": hook.URL, "secret_token": "abc"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{}); err == nil || !strings.Contains(err.Error(), "webhook is active") {
		t.Errorf("getUpdates with a webhook: %v", err)
	}
	srv.UserText(1, "hi")
	if err := srv.WaitFor(ctxT(t), func([]fakeapi.Call) bool { return srv.Pending() == 0 }); err != nil {
		t.Fatal(err)
	}
	if attempts.Load() != 2 || gotSecret.Load() != "abc" {
		t.Errorf("attempts %d, secret %v", attempts.Load(), gotSecret.Load())
	}
	if _, err := api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if u, _ := srv.Webhook(); u != "" {
		t.Errorf("webhook still %q", u)
	}
	id := srv.UserText(1, "polled")
	if ups, err := api.GetUpdates(tgbotapi.UpdateConfig{}); err != nil || len(ups) != 1 || ups[0].UpdateID != int(id) {
		t.Errorf("after deleteWebhook: %v %v", ups, err)
	}
}

func TestDeliverWebhook(t *testing.T) {
	var body []byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(401)
		}
	}))
	defer hook.Close()
	srv := fakeapi.New(token)
	if status, err := srv.DeliverWebhook(hook.URL, "s", []byte(`{"update_id":1}`)); err != nil || status != 200 || string(body) != `{"update_id":1}` {
		t.Errorf("%d %v %q", status, err, body)
	}
	if status, _ := srv.DeliverWebhook(hook.URL, "", nil); status != 401 {
		t.Errorf("without secret: %d", status)
	}
	if _, err := srv.DeliverWebhook("http://127.0.0.1:1", "s", nil); err == nil {
		t.Error("no error for a closed port")
	}
}

// A method in a webhook's 2xx answer is run as Telegram runs it: as a call,
// form or JSON, whose result no one sees; not from an error answer.
func TestDeliverWebhookRunsMethodInResponse(t *testing.T) {
	var answer func(w http.ResponseWriter)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(w) }))
	defer hook.Close()
	for _, lean := range []bool{false, true} {
		api, srv := library(t)
		sent, err := api.Send(tgbotapi.NewMessage(42, "Câu 1"))
		if err != nil {
			t.Fatal(err)
		}
		if lean {
			srv.Lean()
		}
		deliver := func(write func(w http.ResponseWriter)) int {
			t.Helper()
			answer = write
			status, err := srv.DeliverWebhook(hook.URL, "s", []byte(`{"update_id":1}`))
			if err != nil {
				t.Fatal(err)
			}
			return status
		}
		// The library's own helper, a form: the edit is made.
		deliver(func(w http.ResponseWriter) {
			_ = tgbotapi.WriteToHTTPResponse(w, tgbotapi.NewEditMessageText(42, sent.MessageID, "Câu 2 & 3"))
		})
		// JSON works too.
		deliver(func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"method":"answerCallbackQuery","callback_query_id":"q1","text":"Đúng"}`)
		})
		// Nothing is run from an error answer, nor from an unknown method.
		if status := deliver(func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(500)
			_, _ = io.WriteString(w, `{"method":"sendMessage","chat_id":42,"text":"not sent"}`)
		}); status != 500 {
			t.Fatalf("status %d", status)
		}
		deliver(func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			_, _ = io.WriteString(w, "method=launchRocket&chat_id=42")
		})
		msgs := srv.MessagesTo(42)
		if len(msgs) != 1 || msgs[0].Text != "Câu 2 & 3" || msgs[0].Edits != 1 {
			t.Errorf("lean %v: messages %+v", lean, msgs)
		}
		if lean {
			continue // a lean server records no calls
		}
		edits, answers := srv.Calls("editMessageText"), srv.Calls("answerCallbackQuery")
		if len(edits) != 1 || !edits[0].InResponse || edits[0].Status != 200 ||
			len(answers) != 1 || !answers[0].InResponse || answers[0].Params["text"] != "Đúng" || answers[0].Params["callback_query_id"] != "q1" {
			t.Errorf("calls: edits %+v answers %+v", edits, answers)
		}
		if n := len(srv.Calls("")); n != 4 { // getMe, sendMessage, the edit, the answer
			t.Errorf("%d calls", n)
		}
	}
}

func TestControlAPI(t *testing.T) {
	api, srv := library(t)
	c := srv.Client()
	resp, err := c.PostForm(srv.URL+"/_fake/text", url.Values{"chat_id": {"9"}, "text": {"chào"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("text: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	resp, err = c.Post(srv.URL+"/_fake/updates", "application/json", strings.NewReader(`{"message":{"message_id":1,"chat":{"id":9,"type":"private"},"date":1,"text":"raw"}}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("updates: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 2 || ups[0].Message.Text != "chào" || ups[1].Message.Text != "raw" {
		t.Fatalf("updates %+v %v", ups, err)
	}
	if _, err := api.Send(tgbotapi.NewMessage(9, "trả lời")); err != nil {
		t.Fatal(err)
	}
	resp, err = c.Get(srv.URL + "/_fake/messages?chat_id=9")
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Result []tgbotapi.Message `json:"result"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if len(out.Result) != 1 || out.Result[0].Text != "trả lời" {
		t.Errorf("messages %+v", out.Result)
	}
}

func TestAddUpdatePanicsOnMistakes(t *testing.T) {
	srv := fakeapi.New(token)
	for _, bad := range []any{"x", map[string]any{}, map[string]any{"message": 1, "edited_message": 2}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AddUpdate(%v) did not panic", bad)
				}
			}()
			srv.AddUpdate(bad)
		}()
	}
	// The server numbers updates itself.
	if id := srv.AddUpdate(json.RawMessage(`{"update_id":5,"message":{}}`)); id == 5 || srv.Pending() != 1 {
		t.Errorf("id %d, %d pending", id, srv.Pending())
	}
}

// Command menus are kept per scope (a JSON-serialized object, as the
// library sends it) and language, and a chat shows the first one set in
// Telegram's order: the chat's own, then all private chats' (or all
// groups'), then the default, each with the app's language first.
func TestCommandMenus(t *testing.T) {
	api, srv := library(t)
	set := func(scope *tgbotapi.BotCommandScope, lang string, names ...string) {
		t.Helper()
		var cmds []tgbotapi.BotCommand
		for _, n := range names {
			cmds = append(cmds, tgbotapi.BotCommand{Command: n, Description: "về " + n})
		}
		if _, err := api.Request(tgbotapi.SetMyCommandsConfig{Commands: cmds, Scope: scope, LanguageCode: lang}); err != nil {
			t.Fatalf("setMyCommands %+v %q: %v", scope, lang, err)
		}
	}
	names := func(cmds []fakeapi.BotCommand) string {
		var out []string
		for _, c := range cmds {
			out = append(out, c.Command)
		}
		return strings.Join(out, " ")
	}
	const me, group = 42, -1001234
	set(nil, "", "start", "help")
	set(nil, "en", "start")
	if got := names(srv.Menu(me, true, "vi")); got != "start help" {
		t.Errorf("default only: %q", got)
	}
	if got := names(srv.Menu(group, false, "en-US")); got != "start" {
		t.Errorf("default in English: %q", got)
	}
	set(&tgbotapi.BotCommandScope{Type: "all_private_chats"}, "", "quiz")
	set(&tgbotapi.BotCommandScope{Type: "all_private_chats"}, "en", "quiz", "help")
	set(&tgbotapi.BotCommandScope{Type: "chat", ChatID: me}, "", "quiz", "report")
	if got := names(srv.Menu(me, true, "vi")); got != "quiz report" {
		t.Errorf("a chat's own menu: %q", got)
	}
	if got := names(srv.Menu(43, true, "en")); got != "quiz help" {
		t.Errorf("another private chat in English: %q", got)
	}
	if got := names(srv.Menu(43, true, "")); got != "quiz" {
		t.Errorf("another private chat without a language: %q", got)
	}
	if got := names(srv.Menu(group, false, "vi")); got != "start help" {
		t.Errorf("a group: %q", got)
	}
	if c, ok := srv.Commands(fakeapi.ScopeChat(me), ""); !ok || names(c) != "quiz report" {
		t.Errorf("Commands(chat): %v %v", c, ok)
	}
	call := srv.Calls("setMyCommands")[4]
	if sc, err := call.Scope(); err != nil || sc != fakeapi.ScopeChat(me) || call.Params["scope"] != `{"type":"chat","chat_id":42}` {
		t.Errorf("recorded scope %q: %+v, %v", call.Params["scope"], sc, err)
	}

	for _, del := range []tgbotapi.DeleteMyCommandsConfig{
		{Scope: &tgbotapi.BotCommandScope{Type: "chat", ChatID: me}},
		{}, {LanguageCode: "en"},
	} {
		if _, err := api.Request(del); err != nil {
			t.Fatalf("deleteMyCommands %+v: %v", del, err)
		}
	}
	if got := names(srv.Menu(me, true, "vi")); got != "quiz" {
		t.Errorf("the chat's own menu deleted: %q", got)
	}
	if got := srv.Menu(group, false, "en"); got != nil {
		t.Errorf("a group once the default is deleted: %v", got)
	}
	if sc, err := srv.Calls("deleteMyCommands")[1].Scope(); err != nil || sc != fakeapi.ScopeDefault {
		t.Errorf("no scope is the default: %+v, %v", sc, err)
	}

	for name, params := range map[string]tgbotapi.Params{
		"not JSON":         {"scope": "chat"},
		"unknown type":     {"scope": `{"type":"everyone"}`},
		"chat without id":  {"scope": `{"type":"chat"}`},
		"language tag":     {"language_code": "en-US"},
		"language upper":   {"language_code": "EN"},
		"command invalid":  {"commands": `[{"command":"Báo cáo","description":"x"}]`},
		"description none": {"commands": `[{"command":"report","description":""}]`},
	} {
		method := "deleteMyCommands"
		if _, ok := params["commands"]; ok {
			method = "setMyCommands"
		}
		if _, err := api.MakeRequest(method, params); err == nil {
			t.Errorf("%s (%s %v) accepted", name, method, params)
		}
	}
}
