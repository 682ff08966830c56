package fakeapi_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot/telegram/fakeapi"
)

// startLean serves a lean server with ServeLean, as the load tool does.
func startLean(t *testing.T) (*fakeapi.Server, string) {
	t.Helper()
	srv := fakeapi.New(token)
	srv.Lean()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeLean(ln) }()
	t.Cleanup(func() {
		ln.Close()
		srv.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Errorf("ServeLean returned %v", err)
		}
	})
	return srv, ln.Addr().String()
}

// The real v5.5.1 client works against ServeLean as against ServeHTTP:
// the fast path's calls and everything else (getMe, uploads, downloads,
// errors, faults).
func TestServeLeanWithTheLibrary(t *testing.T) {
	srv, addr := startLean(t)
	client := &http.Client{Timeout: 10 * time.Second}
	api, err := tgbotapi.NewBotAPIWithClient(token, "http://"+addr+"/bot%s/%s", client)
	if err != nil {
		t.Fatal(err)
	}
	if api.Self.UserName != "fake_bot" || api.Self.ID != 4242 {
		t.Errorf("getMe: %+v", api.Self)
	}
	msg := tgbotapi.NewMessage(7, "Câu 1/10 & \"hỏi\"")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("A", "quiz|ans|1|0"), tgbotapi.NewInlineKeyboardButtonData("B", "quiz|ans|1|1")))
	sent, err := api.Send(msg)
	if err != nil || sent.MessageID == 0 || sent.Text != "Câu 1/10 & \"hỏi\"" || sent.Chat.ID != 7 {
		t.Fatalf("send: %+v %v", sent, err)
	}
	if m, ok := srv.LastWithButtons(7); !ok || m.ID != sent.MessageID || len(m.Buttons[0]) != 2 {
		t.Errorf("kept %+v %v", m, ok)
	}
	edited, err := api.Send(tgbotapi.NewEditMessageText(7, sent.MessageID, "Câu 2/10"))
	if err != nil || edited.Text != "Câu 2/10" || edited.EditDate == 0 {
		t.Fatalf("edit: %+v %v", edited, err)
	}
	var te *tgbotapi.Error
	if _, err := api.Request(tgbotapi.NewEditMessageText(7, sent.MessageID, "Câu 2/10")); !errors.As(err, &te) || te.Code != 400 || te.Message != fakeapi.NotModified {
		t.Errorf("not modified: %v", err)
	}
	if _, err := api.Request(tgbotapi.NewMessage(7, " ")); !errors.As(err, &te) || !strings.Contains(te.Message, "message text is empty") {
		t.Errorf("empty text: %v", err)
	}
	if _, err := api.Request(tgbotapi.NewCallback("cb1", "Đã lưu")); err != nil {
		t.Errorf("answer: %v", err)
	}
	// With a fault the general path answers, fault included.
	srv.Fail(fakeapi.Fault{Method: "answerCallbackQuery", Code: 429, RetryAfter: 2, Times: 1})
	if _, err := api.Request(tgbotapi.NewCallback("cb2", "")); !errors.As(err, &te) || te.Code != 429 || te.RetryAfter != 2 {
		t.Errorf("with a fault: %v", err)
	}
	// An upload is a chunked multipart body; the file comes back by GET.
	doc := tgbotapi.NewDocument(7, tgbotapi.FileBytes{Name: "chung-nhan.pdf", Bytes: []byte(strings.Repeat("%PDF", 5000))})
	got, err := api.Send(doc)
	if err != nil || got.Document == nil || got.Document.FileSize != 20000 {
		t.Fatalf("document: %+v %v", got, err)
	}
	f, err := api.GetFile(tgbotapi.FileConfig{FileID: got.Document.FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Get("http://" + addr + "/file/bot" + token + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != strings.Repeat("%PDF", 5000) {
		t.Errorf("download: %d, %d bytes", resp.StatusCode, len(body))
	}
	if _, err := tgbotapi.NewBotAPIWithClient("1:other", "http://"+addr+"/bot%s/%s", client); err == nil || err.Error() != "Unauthorized" {
		t.Errorf("wrong token: %v", err)
	}
	resp, err = client.Post("http://"+addr+"/bot"+token+"/sendPigeon", "application/x-www-form-urlencoded", strings.NewReader("chat_id=1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown method: %d", resp.StatusCode)
	}
}

// Raw HTTP details: Connection: close, HTTP/1.0, Expect: 100-continue,
// several requests on one connection, a malformed request.
func TestServeLeanHTTPDetails(t *testing.T) {
	_, addr := startLean(t)
	form := "chat_id=5&text=xin+ch%C3%A0o"
	request := func(extra string) string {
		return "POST /bot" + token + "/sendMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
			extra + "Content-Length: " + strconv.Itoa(len(form)) + "\r\n\r\n" + form
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	// Two requests on one connection, then one that asks to close it.
	for i, extra := range []string{"", "Expect: 100-continue\r\n", "Connection: close\r\n"} {
		if _, err := io.WriteString(c, request(extra)); err != nil {
			t.Fatal(err)
		}
		if extra == "Expect: 100-continue\r\n" {
			line, _ := br.ReadString('\n')
			if !strings.HasPrefix(line, "HTTP/1.1 100") {
				t.Fatalf("expected 100 Continue, got %q", line)
			}
			_, _ = br.ReadString('\n')
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"text":"xin chào"`) || resp.ContentLength != int64(len(body)) {
			t.Errorf("request %d: %d %q (length %d)", i, resp.StatusCode, body, resp.ContentLength)
		}
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := br.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("connection still open after Connection: close (%d, %v)", n, err)
	}

	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_, _ = io.WriteString(c2, "NONSENSE\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c2), nil)
	if err != nil || resp.StatusCode != 400 {
		t.Errorf("malformed request: %v %v", resp, err)
	}
}
