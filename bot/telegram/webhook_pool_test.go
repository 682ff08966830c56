package telegram

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Webhook bodies are read into recycled buffers: an update handed to the
// handler must not change when later bodies reuse its buffer.
func TestWebhookUpdatesOutliveTheirBuffer(t *testing.T) {
	rec := &recorder{}
	wh, err := NewWebhook(testSecret, rec.handle, discard())
	if err != nil {
		t.Fatal(err)
	}
	body := func(i int) string {
		return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},`+
			`"from":{"id":%d,"is_bot":false,"first_name":"Người %d"},"text":"tin nhắn số %d %s"}}`,
			100+i, i, 7000+i, 7000+i, i, i, strings.Repeat("ạ", 50*i))
	}
	const n = 20
	for i := range n {
		req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body(i)))
		req.Header.Set(SecretHeader, testSecret)
		w := httptest.NewRecorder()
		wh.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("update %d: status %d", i, w.Code)
		}
	}
	if rec.count() != n {
		t.Fatalf("%d updates handled, want %d", rec.count(), n)
	}
	for i, u := range rec.updates {
		want := fmt.Sprintf("tin nhắn số %d %s", i, strings.Repeat("ạ", 50*i))
		if u.Text != want || u.ChatID != fmt.Sprint(7000+i) || u.DisplayName != fmt.Sprintf("Người %d", i) {
			t.Errorf("update %d changed after later bodies: text %q, chat %s, name %q", i, u.Text, u.ChatID, u.DisplayName)
		}
	}
}
