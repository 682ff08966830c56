package downloads_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/downloads"
	"hocvuso/locales"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

const xlsxMIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type fixture struct {
	db    *store.DB
	links *downloads.Links
	srv   *httptest.Server
	cat   *locales.Catalog
}

// newFixture serves the links as serve does, on a real database; the
// public address is the test server's own.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: storetest.NewDB(t), cat: cat}
	f.links = &downloads.Links{Store: f.db, Text: cat, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	mux := http.NewServeMux()
	mux.Handle(downloads.Route, f.links)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.links.BaseURL = f.srv.URL + "/"
	return f
}

func (f *fixture) get(t *testing.T, method, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func (f *fixture) mustBeGone(t *testing.T, url string) {
	t.Helper()
	resp, body := f.get(t, "GET", url)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET %s: %d; want 404", url, resp.StatusCode)
	}
	for _, lang := range []string{"vi", "en"} {
		if want := f.cat.Text(lang, "files.web.gone", nil); !strings.Contains(string(body), want) {
			t.Errorf("GET %s: page %q lacks %q", url, body, want)
		}
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != "" {
		t.Errorf("GET %s: a 404 with Content-Disposition %q", url, cd)
	}
}

func TestLink_ServesTheFileWithItsTypeAndVietnameseName(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	content := bytes.Repeat([]byte("PK\x03\x04 bảng "), 1000)
	now := time.Now()
	link, err := f.links.Offer(ctx, bot.Document{Name: "Báo cáo kỳ 2025 – Sở Nội vụ.xlsx", MIME: xlsxMIME, Bytes: content}, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(link.URL, f.srv.URL+"/files/")
	if !ok {
		t.Fatalf("link %q is not under %s/files/", link.URL, f.srv.URL)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) != 32 {
		t.Errorf("token %q: %d bytes (%v); want 256 random bits", token, len(raw), err)
	}
	if !link.Expires.Equal(now.Add(24 * time.Hour)) {
		t.Errorf("expires %v; want a day after %v", link.Expires, now)
	}

	resp, body := f.get(t, "GET", link.URL)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
		t.Fatalf("GET: %d, %d bytes; want 200 and the %d bytes", resp.StatusCode, len(body), len(content))
	}
	h := resp.Header
	if got := h.Get("Content-Type"); got != xlsxMIME {
		t.Errorf("Content-Type %q", got)
	}
	if got := h.Get("Content-Length"); got != strconv.Itoa(len(content)) {
		t.Errorf("Content-Length %q", got)
	}
	cd := h.Get("Content-Disposition")
	disp, params, err := mime.ParseMediaType(cd)
	if err != nil || disp != "attachment" || params["filename"] != "Báo cáo kỳ 2025 – Sở Nội vụ.xlsx" {
		t.Errorf("Content-Disposition %q reads as %q %q (%v)", cd, disp, params, err)
	}
	if !strings.Contains(cd, `filename="Bao cao ky 2025 _ So Noi vu.xlsx"`) || !strings.Contains(cd, "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20k%E1%BB%B3%202025%20%E2%80%93%20S%E1%BB%9F%20N%E1%BB%99i%20v%E1%BB%A5.xlsx") {
		t.Errorf("Content-Disposition %q; want an ASCII filename and the RFC 5987 filename*", cd)
	}
	for k, want := range map[string]string{
		"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer",
		"X-Content-Type-Options": "nosniff", "X-Robots-Tag": "noindex, nofollow",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q; want %q", k, got, want)
		}
	}

	// The link works again the same day (another device), in part too.
	resp, body = f.get(t, "GET", link.URL, "Range", "bytes=0-3")
	if resp.StatusCode != http.StatusPartialContent || string(body) != "PK\x03\x04" {
		t.Errorf("a range: %d %q", resp.StatusCode, body)
	}
	resp, body = f.get(t, "HEAD", link.URL)
	if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.Header.Get("Content-Disposition") != cd {
		t.Errorf("HEAD: %d, %d bytes, %q", resp.StatusCode, len(body), resp.Header.Get("Content-Disposition"))
	}
	// Not another method.
	if resp, _ := f.get(t, "POST", link.URL); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}

	// Every link has its own token.
	other, err := f.links.Offer(ctx, bot.Document{Name: "b.pdf", MIME: "application/pdf", Bytes: []byte("%PDF")}, 0, now)
	if err != nil || other.URL == link.URL {
		t.Fatalf("second link %q (%v)", other.URL, err)
	}
	if resp, body := f.get(t, "GET", other.URL); resp.StatusCode != 200 || string(body) != "%PDF" || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("the second link: %d %q", resp.StatusCode, body)
	}
}

func TestLink_ExpiredUnknownAndMalformedAre404(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	doc := bot.Document{Name: "bao-cao.xlsx", MIME: xlsxMIME, Bytes: []byte("PK")}

	old, err := f.links.Offer(ctx, doc, 0, time.Now().Add(-downloads.TTL-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	f.mustBeGone(t, old.URL)

	// Set the clock back: the same link worked a minute after it was made.
	f.links.Now = func() time.Time { return old.Expires.Add(-time.Minute) }
	if resp, _ := f.get(t, "GET", old.URL); resp.StatusCode != 200 {
		t.Errorf("within its day: %d", resp.StatusCode)
	}
	f.links.Now = nil

	live, err := f.links.Offer(ctx, doc, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(live.URL, f.srv.URL+"/files/")
	flipped := []byte(token)
	flipped[10] ^= 1 // a well-formed token that was never issued
	for _, path := range []string{
		"/files/" + string(flipped),
		"/files/" + token[:42],
		"/files/" + token + "A",
		"/files/" + token[:42] + ".",
		"/files/" + strings.ToUpper(token),
	} {
		f.mustBeGone(t, f.srv.URL+path)
	}
	// Nothing lists the files.
	for _, path := range []string{"/files/", "/files"} {
		if resp, body := f.get(t, "GET", f.srv.URL+path); resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), token) {
			t.Errorf("GET %s: %d %q", path, resp.StatusCode, body)
		}
	}
}

func TestLink_DatabaseDownIs503(t *testing.T) {
	f := newFixture(t)
	link, err := f.links.Offer(context.Background(), bot.Document{Name: "a.xlsx", MIME: xlsxMIME, Bytes: []byte("PK")}, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	down, err := store.Open(context.Background(), f.db.Pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	down.Close()
	f.links.Store = down
	resp, body := f.get(t, "GET", link.URL)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), f.cat.Text("vi", "error.generic", nil)) {
		t.Errorf("with the database down: %d %q", resp.StatusCode, body)
	}
}

func TestOffer_NeedsAPublicURL(t *testing.T) {
	l := &downloads.Links{Store: storetest.NewDB(t)}
	if _, err := l.Offer(context.Background(), bot.Document{Name: "a.xlsx", Bytes: []byte("x")}, 0, time.Now()); !errors.Is(err, downloads.ErrNoPublicURL) {
		t.Errorf("err %v", err)
	}
}

func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"bao-cao-plan-2025-20250715-1000.xlsx": `attachment; filename="bao-cao-plan-2025-20250715-1000.xlsx"; filename*=UTF-8''bao-cao-plan-2025-20250715-1000.xlsx`,
		"Đơn vị.xlsx":                          `attachment; filename="Don vi.xlsx"; filename*=UTF-8''%C4%90%C6%A1n%20v%E1%BB%8B.xlsx`,
		`a"b\c/d.pdf`:                          `attachment; filename="a_b_c_d.pdf"; filename*=UTF-8''a%22b%5Cc%2Fd.pdf`,
		"Chứng nhận.pdf":                       `attachment; filename="Chung nhan.pdf"; filename*=UTF-8''Ch%E1%BB%A9ng%20nh%E1%BA%ADn.pdf`,
		// NFD in, NFC out.
		"Chu\u031bu\u0301ng.pdf": `attachment; filename="Chuung.pdf"; filename*=UTF-8''Ch%C6%B0%C3%BAng.pdf`,
	} {
		if got := downloads.ContentDisposition(name); got != want {
			t.Errorf("%q:\n got %s\nwant %s", name, got, want)
		}
	}
}
