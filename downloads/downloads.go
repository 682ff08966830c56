// Package downloads offers a file by a download link, for a chat channel
// that cannot carry it: Zalo's OA sends only PDF, DOC and DOCX files (and
// images), so an official's XLSX export on Zalo comes as a link instead.
//
// A link is $PUBLIC_URL/files/{token}: the token is 256 random bits, good
// for one file only, for a day (TTL). The file waits in PostgreSQL
// (store.Download) under the token's SHA-256, so the table does not open
// the links. GET /files/{token} (Handler) serves it with its type and its
// name (RFC 6266 and RFC 5987 filename*, so Vietnamese names survive); an
// unknown or expired token gets 404 and a short page in Vietnamese and
// English. Nothing lists the files.
package downloads

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"hocvuso/bot"
	"hocvuso/store"
)

// Route is the pattern the HTTP server serves the links under.
const Route = "GET /files/{token}"

// TTL is how long a link works: long enough to open it on another device
// the same day, short enough that a forwarded link soon dies.
const TTL = 24 * time.Hour

// Store keeps the files of the links.
type Store interface {
	PutDownload(ctx context.Context, d store.Download) error
	Download(ctx context.Context, tokenHash []byte, now time.Time) (store.Download, bool, error)
}

// Link is where a file can be downloaded, until when.
type Link struct {
	URL     string
	Expires time.Time
}

// Links makes download links and serves them.
type Links struct {
	Store Store
	// BaseURL is the bot's public address (PUBLIC_URL), without a trailing
	// slash; the links are BaseURL + "/files/" + token. Empty: Offer fails.
	BaseURL string
	// Text renders the page of a link that does not work.
	Text bot.Translator
	Log  *slog.Logger
	// Now is the clock of the handler; nil is time.Now.
	Now func() time.Time
}

// ErrNoPublicURL is returned by Offer when the bot has no public address.
var ErrNoPublicURL = errors.New("downloads: no public URL (PUBLIC_URL) to make links with")

// Offer stores a document for userID (0: nobody in particular) and returns
// its link, which works for TTL from now.
func (l *Links) Offer(ctx context.Context, d bot.Document, userID int64, now time.Time) (Link, error) {
	if l.BaseURL == "" {
		return Link{}, ErrNoPublicURL
	}
	token, err := newToken()
	if err != nil {
		return Link{}, err
	}
	mimeType := d.MIME
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	name := bot.NFC(strings.TrimSpace(d.Name))
	if name == "" {
		name = "file"
	}
	expires := now.Add(TTL)
	if err := l.Store.PutDownload(ctx, store.Download{TokenHash: hashOf(token), UserID: userID, Name: name, MIME: mimeType,
		Content: d.Bytes, CreatedAt: now, ExpiresAt: expires}); err != nil {
		return Link{}, fmt.Errorf("downloads: store %s: %w", name, err)
	}
	return Link{URL: strings.TrimRight(l.BaseURL, "/") + "/files/" + token, Expires: expires}, nil
}

// tokenLen is the length of a token: 32 bytes in unpadded base64url.
const tokenLen = 43

// newToken draws a token: 256 bits from the system's secure generator.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("downloads: draw a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// ParseToken checks the token of a link as typed in a URL (43 characters
// of base64url) and returns the hash it is stored under. Anything else is
// not a token, and is not looked up.
func ParseToken(s string) (hash []byte, ok bool) {
	if len(s) != tokenLen {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, false
		}
	}
	return hashOf(s), true
}

func hashOf(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ServeHTTP serves GET /files/{token}: the file, or 404.
func (l *Links) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The link is a secret: nothing keeps, indexes or leaks it onwards.
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")

	hash, ok := ParseToken(r.PathValue("token"))
	if !ok {
		l.gone(w)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	d, found, err := l.Store.Download(ctx, hash, l.now())
	if err != nil {
		l.log().Error("downloads: look up a file", "err", err)
		l.page(w, http.StatusServiceUnavailable, "error.generic")
		return
	}
	if !found {
		l.gone(w)
		return
	}
	h.Set("Content-Type", d.MIME)
	h.Set("Content-Disposition", ContentDisposition(d.Name))
	// ServeContent answers HEAD and Range requests (a download resumed on
	// a weak mobile connection) and sets Content-Length.
	http.ServeContent(w, r, "", d.CreatedAt, bytes.NewReader(d.Content))
}

func (l *Links) gone(w http.ResponseWriter) { l.page(w, http.StatusNotFound, "files.web.gone") }

// page answers a status with a message in Vietnamese, then English.
func (l *Links) page(w http.ResponseWriter, status int, id string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "%s\n\n%s\n", l.Text.Text("vi", id, nil), l.Text.Text("en", id, nil))
}

func (l *Links) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Links) log() *slog.Logger {
	if l.Log != nil {
		return l.Log
	}
	return slog.Default()
}

// ContentDisposition is the header that makes a browser save a file under
// name (RFC 6266): filename* carries the name in UTF-8, percent-encoded
// (RFC 5987), and filename an ASCII form of it, without diacritics, for
// clients that know only that one.
func ContentDisposition(name string) string {
	name = norm.NFC.String(name)
	return `attachment; filename="` + asciiName(name) + `"; filename*=UTF-8''` + encodeRFC5987(name)
}

// asciiName writes name in printable ASCII for a quoted string: Vietnamese
// letters lose their marks (ế → e, đ → d), anything else not ASCII, quotes,
// backslashes and slashes become "_".
func asciiName(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a mark of the letter before: dropped
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		case r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '/':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "file"
	}
	return b.String()
}

// encodeRFC5987 percent-encodes the UTF-8 bytes of s that are not
// attr-char (RFC 5987 §3.2.1).
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
