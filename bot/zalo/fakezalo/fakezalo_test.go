package fakezalo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/zalo"
	"hocvuso/bot/zalo/fakezalo"
)

// post calls the fake as the bot would and returns Zalo's envelope.
func post(t *testing.T, s *fakezalo.Server, path, token string, body any) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("access_token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func refresh(t *testing.T, s *fakezalo.Server, refreshToken, secret string) map[string]any {
	t.Helper()
	form := url.Values{"refresh_token": {refreshToken}, "app_id": {s.Config().AppID}, "grant_type": {"refresh_token"}}
	req, _ := http.NewRequest("POST", s.URL+"/v4/oa/access_token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("secret_key", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}

func code(m map[string]any) int {
	f, _ := m["error"].(float64)
	return int(f)
}

func TestTokensRotate(t *testing.T) {
	s := fakezalo.Start(fakezalo.Config{})
	defer s.Close()
	rt := s.Grant()
	first := refresh(t, s, rt, s.Config().AppSecret)
	if first["access_token"] == nil || first["refresh_token"] == rt || first["expires_in"] != "90000" {
		t.Fatalf("first refresh %v", first)
	}
	// Single use: the old refresh token is refused from now on.
	if again := refresh(t, s, rt, s.Config().AppSecret); code(again) != fakezalo.OAuthBadGrant {
		t.Fatalf("reused refresh token: %v", again)
	}
	if bad := refresh(t, s, first["refresh_token"].(string), "wrong"); code(bad) != fakezalo.OAuthBadApp {
		t.Fatalf("wrong secret: %v", bad)
	}
	second := refresh(t, s, first["refresh_token"].(string), s.Config().AppSecret)
	if code(second) != 0 || s.RefreshCalls() != 2 {
		t.Fatalf("second refresh %v, %d calls", second, s.RefreshCalls())
	}
	msg := map[string]any{"recipient": map[string]string{"user_id": "1"}, "message": map[string]string{"text": "hi"}}
	// Both access tokens work until they expire; none after ExpireAccessTokens.
	for _, at := range []any{first["access_token"], second["access_token"]} {
		if r := post(t, s, "/v3.0/oa/message/cs", at.(string), msg); code(r) != 0 {
			t.Fatalf("send: %v", r)
		}
	}
	s.ExpireAccessTokens()
	if r := post(t, s, "/v3.0/oa/message/cs", second["access_token"].(string), msg); code(r) != fakezalo.TokenInvalid {
		t.Fatalf("expired token: %v", r)
	}
	if r := post(t, s, "/v3.0/oa/message/cs", "", msg); code(r) != fakezalo.TokenInvalid {
		t.Fatalf("no token: %v", r)
	}
}

func TestSendLimits(t *testing.T) {
	s := fakezalo.Start(fakezalo.Config{})
	defer s.Close()
	at := refresh(t, s, s.Grant(), s.Config().AppSecret)["access_token"].(string)
	btn := func(n int) []map[string]string {
		var out []map[string]string
		for range n {
			out = append(out, map[string]string{"title": "Có", "type": "oa.query.hide", "payload": "#cb:x"})
		}
		return out
	}
	msg := func(text string, buttons []map[string]string) map[string]any {
		m := map[string]any{"text": text}
		if buttons != nil {
			m["attachment"] = map[string]any{"type": "template", "payload": map[string]any{"buttons": buttons}}
		}
		return map[string]any{"recipient": map[string]string{"user_id": "42"}, "message": m}
	}
	cases := []struct {
		name string
		body any
		want int
	}{
		{"text", msg("Xin chào", nil), 0},
		{"2,000 characters", msg(strings.Repeat("ạ", 2000), nil), 0},
		{"2,001 characters", msg(strings.Repeat("ạ", 2001), nil), fakezalo.TooLong},
		{"5 buttons", msg("Chọn", btn(5)), 0},
		{"6 buttons", msg("Chọn", btn(6)), fakezalo.TooLong},
		{"buttons without text", msg("", btn(1)), fakezalo.TooLong},
		{"empty", msg("", nil), fakezalo.BadParameter},
		{"no recipient", map[string]any{"message": map[string]string{"text": "x"}}, fakezalo.BadParameter},
		{"title too long", msg("x", []map[string]string{{"title": strings.Repeat("a", 101), "type": "oa.query.hide", "payload": "p"}}), fakezalo.BadParameter},
		{"unknown button type", msg("x", []map[string]string{{"title": "a", "type": "postback", "payload": "p"}}), fakezalo.BadParameter},
		{"unknown file", map[string]any{"recipient": map[string]string{"user_id": "42"},
			"message": map[string]any{"attachment": map[string]any{"type": "file", "payload": map[string]string{"token": "nope"}}}}, fakezalo.BadParameter},
	}
	for _, tc := range cases {
		if got := code(post(t, s, "/v3.0/oa/message/cs", at, tc.body)); got != tc.want {
			t.Errorf("%s: error %d, want %d", tc.name, got, tc.want)
		}
	}
	if n := len(s.MessagesTo("42")); n != 3 {
		t.Errorf("%d messages recorded, want the 3 accepted", n)
	}
	if r := post(t, s, "/v2.0/oa/message", at, msg("x", nil)); code(r) != -240 {
		t.Errorf("v2 API: %v", r)
	}
}

// upload/file takes PDF, DOC and DOCX; upload/image images; anything else
// is refused, as Zalo does.
func TestUploadTypes(t *testing.T) {
	s := fakezalo.Start(fakezalo.Config{})
	defer s.Close()
	at := refresh(t, s, s.Grant(), s.Config().AppSecret)["access_token"].(string)
	upload := func(method, mimeType string) int {
		t.Helper()
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="tệp"`)
		h.Set("Content-Type", mimeType)
		part, _ := w.CreatePart(h)
		_, _ = part.Write([]byte("nội dung"))
		_ = w.Close()
		req, _ := http.NewRequest("POST", s.URL+"/v2.0/oa/"+method, &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("access_token", at)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return code(out)
	}
	for _, c := range []struct {
		method, mime string
		want         int
	}{
		{"upload/file", "application/pdf", 0},
		{"upload/file", "application/msword", 0},
		{"upload/file", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 0},
		{"upload/file", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fakezalo.BadParameter},
		{"upload/file", "text/csv", fakezalo.BadParameter},
		{"upload/file", "application/octet-stream", fakezalo.BadParameter},
		{"upload/image", "image/png", 0},
		{"upload/image", "application/pdf", fakezalo.BadParameter},
	} {
		if got := upload(c.method, c.mime); got != c.want {
			t.Errorf("%s of %s: error %d; want %d", c.method, c.mime, got, c.want)
		}
	}
}

func TestFaultsWindowAndFollowing(t *testing.T) {
	s := fakezalo.Start(fakezalo.Config{})
	defer s.Close()
	at := refresh(t, s, s.Grant(), s.Config().AppSecret)["access_token"].(string)
	msg := func(user string) any {
		return map[string]any{"recipient": map[string]string{"user_id": user}, "message": map[string]string{"text": "x"}}
	}
	s.Fail(fakezalo.Fault{Path: "message/cs", UserID: "1", Code: fakezalo.RateLimited, Times: 2})
	for i, want := range []int{fakezalo.RateLimited, fakezalo.RateLimited, 0} {
		if got := code(post(t, s, "/v3.0/oa/message/cs", at, msg("1"))); got != want {
			t.Errorf("call %d: %d, want %d", i, got, want)
		}
	}
	if got := code(post(t, s, "/v3.0/oa/message/cs", at, msg("2"))); got != 0 {
		t.Errorf("another user: %d", got)
	}
	s.UnfollowEvent("2")
	if got := code(post(t, s, "/v3.0/oa/message/cs", at, msg("2"))); got != fakezalo.NotFollowing {
		t.Errorf("after unfollow: %d", got)
	}
	s.FollowEvent("2")
	s.EnforceWindow(true)
	if got := code(post(t, s, "/v3.0/oa/message/cs", at, msg("2"))); got != 0 {
		t.Errorf("after follow: %d", got)
	}
	s.SetInteraction("2", time.Now().Add(-8*24*time.Hour))
	if got := code(post(t, s, "/v3.0/oa/message/cs", at, msg("2"))); got != fakezalo.WindowClosed {
		t.Errorf("8 days on: %d", got)
	}
	s.TextEvent("2", "lại đây")
	if got := code(post(t, s, "/v3.0/oa/message/cs", at, msg("2"))); got != 0 {
		t.Errorf("after writing: %d", got)
	}
}

// Events are signed as Zalo signs them and decode to what they say.
func TestEventsAndWebhook(t *testing.T) {
	s := fakezalo.Start(fakezalo.Config{})
	defer s.Close()
	var got []*bot.Update
	wh, err := zalo.NewWebhook(zalo.WebhookConfig{AppID: s.Config().AppID, OASecretKey: s.Config().OASecretKey,
		Handle: func(_ context.Context, u *bot.Update) error { got = append(got, u); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(wh)
	defer srv.Close()
	s.SetWebhook(srv.URL)
	events := [][]byte{s.FollowEvent("9"), s.TextEvent("9", "Xin chào"), s.TapEvent("9", "#cb:home|menu|1|"),
		s.FileEvent("9", "a.pdf", []byte("%PDF")), s.ImageEvent("9", []byte("jpg"), "ảnh"), s.UnfollowEvent("9")}
	for _, ev := range events {
		if status, err := s.Deliver(ev); err != nil || status != 200 {
			t.Fatalf("deliver %s: %d %v", ev, status, err)
		}
		if status, _ := s.DeliverSigned(ev, s.Forge(ev)); status != 401 {
			t.Fatalf("forged: %d", status)
		}
		if status, _ := s.DeliverSigned(ev, ""); status != 401 {
			t.Fatalf("unsigned: %d", status)
		}
	}
	kinds := []bot.Kind{bot.KindCommand, bot.KindText, bot.KindCallback, bot.KindFile, bot.KindFile, bot.KindBlocked}
	if len(got) != len(kinds) {
		t.Fatalf("%d updates", len(got))
	}
	for i, k := range kinds {
		if got[i].Kind != k || got[i].ChatID != "9" {
			t.Errorf("event %d: %+v", i, got[i])
		}
		if i > 0 && got[i].Seq <= got[i-1].Seq {
			t.Errorf("event %d: seq %d after %d", i, got[i].Seq, got[i-1].Seq)
		}
	}
	if got[4].Text != "ảnh" || got[3].File.Name != "a.pdf" {
		t.Errorf("file events %+v %+v", got[3], got[4])
	}
}

func TestControlAPI(t *testing.T) {
	s := fakezalo.Start(fakezalo.Config{})
	defer s.Close()
	var texts []string
	wh, _ := zalo.NewWebhook(zalo.WebhookConfig{AppID: s.Config().AppID, OASecretKey: s.Config().OASecretKey,
		Handle: func(_ context.Context, u *bot.Update) error { texts = append(texts, u.Text); return nil }})
	srv := httptest.NewServer(wh)
	defer srv.Close()
	form := func(path string, v url.Values) string {
		resp, err := http.PostForm(s.URL+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	form("/_fake/webhook", url.Values{"url": {srv.URL}})
	if out := form("/_fake/text", url.Values{"user_id": {"5"}, "text": {"chào"}}); !strings.Contains(out, "200") {
		t.Fatalf("text: %s", out)
	}
	form("/_fake/follow", url.Values{"user_id": {"5"}})
	if len(texts) != 2 || texts[0] != "chào" || texts[1] != "/start" {
		t.Fatalf("texts %v", texts)
	}
	if out := form("/_fake/grant", nil); !strings.Contains(out, "RT-") {
		t.Fatalf("grant: %s", out)
	}
}
