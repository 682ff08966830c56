package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// hookConn speaks enough HTTP/1.1 for net/http's server: empty and
// non-empty answers, chunked ones, Connection: close, and a server that
// drops kept-alive connections.
func TestHookConn(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/hook" || r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3" ||
			r.Header.Get("Content-Type") != "application/json" || string(body) != `{"n":1}` {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusOK)
		case 2:
			http.Error(w, "retry later", http.StatusInternalServerError)
		case 3: // chunked
			w.WriteHeader(http.StatusOK)
			for range 3 {
				_, _ = w.Write([]byte(strings.Repeat("x", 3000)))
				w.(http.Flusher).Flush()
			}
		case 4:
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusAccepted)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	h := newHookConn(addr, "/hook", "s3")
	defer h.close()
	for i, want := range []int{200, 500, 200, 202, 200} {
		status, err := h.post([]byte(`{"n":1}`))
		if err != nil || status != want {
			t.Fatalf("post %d: %d %v; want %d", i+1, status, err, want)
		}
	}
	// The server drops idle connections: the next post dials again.
	srv.CloseClientConnections()
	if status, err := h.post([]byte(`{"n":1}`)); err != nil || status != 200 {
		t.Fatalf("post after the server closed the connection: %d %v", status, err)
	}
	if status, err := h.post([]byte(`{"n":2}`)); err != nil || status != 400 {
		t.Errorf("a body the server refuses: %d %v", status, err)
	}
	// Nothing listening: an error, not a hang.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	if _, err := newHookConn(dead, "/hook", "s3").post([]byte(`{}`)); err == nil {
		t.Error("post to a closed port succeeded")
	}
}
