package telegram

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
)

// stallingAPI is the fake Bot API, except that sendMessage answers its
// status and half its body, then stalls until the caller gives up.
func stallingAPI(t *testing.T) (*httptest.Server, *fakeapi.Server) {
	t.Helper()
	api := fakeapi.New(testToken)
	t.Cleanup(api.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/sendMessage") {
			api.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"ok":true,"result":{"message_id":`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv, api
}

func TestSend_ACallIsCutAtItsTimeoutEvenMidBody(t *testing.T) {
	srv, _ := stallingAPI(t)
	c, err := New(ctxT(t), Config{Token: testToken, APIURL: srv.URL, Log: discard(), CallTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err) // getMe passed through: calls that answer in time are not cut
	}
	start := time.Now()
	err = c.Send(ctxT(t), target("42"), bot.Reply{Text: "Câu 1/10"})
	took := time.Since(start)
	if err == nil {
		t.Fatal("a stalled sendMessage succeeded")
	}
	if took < 300*time.Millisecond || took > 5*time.Second {
		t.Errorf("cut after %v, want about 300 ms", took)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("the error shows the token: %v", err)
	}
	var se *statusError
	if errors.As(err, &se) {
		t.Errorf("a stall reported as an HTTP status: %v", err)
	}
}

func TestNew_ShorterClientTimeoutBoundsTheCall(t *testing.T) {
	srv, _ := stallingAPI(t)
	hc := &http.Client{Timeout: 12 * time.Second}
	c, err := New(ctxT(t), Config{Token: testToken, APIURL: srv.URL, HTTPClient: hc, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.callLimit(); got != 12*time.Second {
		t.Errorf("call limit %v, want the client's 12 s", got)
	}
	c, err = New(ctxT(t), Config{Token: testToken, APIURL: srv.URL, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.callLimit(); got != defaultCallTimeout {
		t.Errorf("call limit %v, want %v", got, defaultCallTimeout)
	}
}
