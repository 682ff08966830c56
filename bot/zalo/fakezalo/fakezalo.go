// Package fakezalo is a fake Zalo Official Account platform, for tests and
// for running the bot locally without Zalo.
//
// It plays both sides of the channel. As Zalo's servers it answers the OA
// Open API the bot calls: POST /v3.0/oa/message/cs (text, buttons, media
// and file messages, checked against Zalo's limits and recorded),
// /v3.0/oa/message/template (template messages by user id, outside the
// 7-day window too), /v2.0/oa/upload/file (PDF, DOC and DOCX only) and
// /v2.0/oa/upload/image (images), and the OAuth token endpoint POST
// /v4/oa/access_token with rotation: a refresh token works once, every
// refresh issues a new pair. Access tokens are checked on every
// call (-216 when unknown or expired). Any call can be made to fail with
// any of Zalo's error codes (Fail). As Zalo's webhook sender it builds
// events shaped like the recorded ones (ids and timestamps as strings,
// compact JSON), signs them as Zalo does (X-ZEvent-Signature: mac= sha256
// of app id, body, timestamp, OA secret key) and posts them to the bot's
// webhook, with a correct or a forged signature.
//
// The OAuth error codes it answers (-14002, -14014) are illustrative:
// channel-zalo.md does not list Zalo's. For local runs it also serves a
// small control API: POST /_fake/webhook (form url), POST /_fake/text and
// /_fake/follow (form user_id, text: a user writes or follows), POST
// /_fake/grant (a new refresh token, as an OA administrator's consent would
// give), GET /_fake/messages?user_id= and GET /_fake/files/<id> (files
// users sent).
package fakezalo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"hocvuso/bot/zalo"
)

// Defaults of Config.
const (
	DefaultAppID       = "1234567890123456789"
	DefaultAppSecret   = "fake-App-secret_1"
	DefaultOASecretKey = "fake-OA-secret-key_1"
	DefaultOAID        = "3662729599332560487"
)

// Zalo's error codes, for Fault.Code and assertions (channel-zalo.md §3).
const (
	RateLimited    = -32
	BadParameter   = -201
	TooLong        = -210
	OutOfQuota     = -211
	NotFollowing   = -213
	TokenInvalid   = -216
	TokenExpired   = -220
	Banned         = -227
	WindowClosed   = -230
	WindowExpired  = -232
	NightTime      = -234
	NotByUserID    = -249   // this template cannot be sent by user id
	OAuthBadApp    = -14002 // illustrative
	OAuthBadGrant  = -14014 // illustrative
	accessLifetime = 90000  // seconds: 25 h
	maxText        = 2000
	maxButtons     = 5
	maxTitle       = 100
	maxPayload     = 1000
	maxFile        = 5 << 20
	maxImage       = 1 << 20
)

var messages = map[int]string{
	RateLimited:   "Your application/OA reached limit call api",
	BadParameter:  "Parameters are invalid",
	TooLong:       "Parameter exceeds the limit",
	OutOfQuota:    "Out of quota",
	NotFollowing:  "User has not followed OA",
	TokenInvalid:  "Access token is invalid",
	TokenExpired:  "Access token has expired",
	Banned:        "User has been banned or inactive for more than 45 days",
	WindowClosed:  "User has not interacted with the OA in the past 7 days",
	WindowExpired: "The interaction of the user has expired",
	NightTime:     "This message type cannot be sent between 22:00 and 06:00",
	NotByUserID:   "This template cannot be sent by user id",
}

// Config is the app and OA the fake plays.
type Config struct {
	AppID       string
	AppSecret   string
	OASecretKey string
	OAID        string
}

// Button is a button of a message as the bot sent it. Payload is the
// string of oa.query.* buttons, the JSON text of others.
type Button struct {
	Title   string
	Type    string
	Payload string
}

// File is an uploaded file, or one a user sent.
type File struct {
	ID    string
	Name  string
	MIME  string
	Bytes []byte
}

// Message is a message the bot sent to a user.
type Message struct {
	ID      string
	UserID  string
	Text    string
	Buttons []Button
	// File is the document of a file message; Image that of a media one.
	File  *File
	Image *File
	// Template is set for a template message (message/template).
	Template *Template
	Time     time.Time
}

// Template is a template message as the bot sent it.
type Template struct {
	ID         string
	Data       map[string]string
	TrackingID string
}

// Call is one request to the API or the token endpoint.
type Call struct {
	// Path is the endpoint without its version: "message/cs",
	// "upload/file", "upload/image", "oauth".
	Path        string
	AccessToken string
	Body        []byte
	UserID      string
	// Error is the code answered, 0 for success.
	Error int
	Time  time.Time
}

// Fault makes matching calls fail with a Zalo error.
type Fault struct {
	Path   string // "" matches every API path ("oauth" must be named)
	UserID string // "" matches every recipient
	Code   int
	// Message defaults to Zalo's text for Code.
	Message string
	// Times is how many calls fail; 0 means every call until ClearFaults.
	Times int
}

// Server is the fake platform. It is safe for concurrent use.
type Server struct {
	// URL is both ZALO_API_URL and ZALO_OAUTH_URL. Start sets it.
	URL string
	cfg Config
	srv *httptest.Server

	mu           sync.Mutex
	changed      chan struct{}
	calls        []Call
	messages     map[string][]*Message
	uploads      map[string]*File
	userFiles    map[string]*File
	access       map[string]time.Time
	refresh      map[string]bool // refresh token -> still unused
	refreshCalls int
	refreshDelay time.Duration
	faults       []*Fault
	unfollowed   map[string]bool
	interacted   map[string]time.Time
	window       bool
	webhook      string
	templates    map[string][]string // approved template id -> its parameters
	lastTS       int64
	now          func() time.Time
}

// New returns a fake for cfg (empty fields get the defaults), not
// listening: serve it as an http.Handler.
func New(cfg Config) *Server {
	if cfg.AppID == "" {
		cfg.AppID = DefaultAppID
	}
	if cfg.AppSecret == "" {
		cfg.AppSecret = DefaultAppSecret
	}
	if cfg.OASecretKey == "" {
		cfg.OASecretKey = DefaultOASecretKey
	}
	if cfg.OAID == "" {
		cfg.OAID = DefaultOAID
	}
	return &Server{
		cfg:        cfg,
		changed:    make(chan struct{}),
		messages:   make(map[string][]*Message),
		uploads:    make(map[string]*File),
		userFiles:  make(map[string]*File),
		access:     make(map[string]time.Time),
		refresh:    make(map[string]bool),
		unfollowed: make(map[string]bool),
		interacted: make(map[string]time.Time),
		templates:  make(map[string][]string),
		now:        time.Now,
	}
}

// Start returns a fake listening on a local port, its URL set.
func Start(cfg Config) *Server {
	s := New(cfg)
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	return s
}

// Close stops the listener Start made.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.CloseClientConnections()
		s.srv.Close()
	}
}

// Config returns the app and OA the fake plays.
func (s *Server) Config() Config { return s.cfg }

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// notify wakes whoever waits for a change. Called with s.mu held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Grant issues a refresh token, as an OA administrator's consent and the
// code exchange would: the ZALO_REFRESH_TOKEN that seeds the bot.
func (s *Server) Grant() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := "RT-" + newID(12)
	s.refresh[t] = true
	return t
}

// ExpireAccessTokens makes every access token issued so far fail with -216,
// as if it had expired or been revoked.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// RefreshCalls counts the calls to the token endpoint that got a new pair.
func (s *Server) RefreshCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshCalls
}

// SetRefreshDelay makes the token endpoint answer after d, to widen races.
func (s *Server) SetRefreshDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshDelay = d
}

// EnforceWindow makes sends to a user who has not interacted (an event
// built by the fake, or SetInteraction) in 7 days fail with -230.
func (s *Server) EnforceWindow(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.window = on
}

// SetInteraction sets when a user last interacted with the OA.
func (s *Server) SetInteraction(userID string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interacted[userID] = at
}

// Fail installs a fault. Faults are tried in the order installed; the
// first that matches a call fails it.
func (s *Server) Fail(f Fault) {
	if f.Message == "" {
		f.Message = messages[f.Code]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// fault returns the first matching fault and uses it up. Called with s.mu held.
func (s *Server) fault(path, user string) *Fault {
	for i, f := range s.faults {
		if f.Path != path && (f.Path != "" || path == "oauth") {
			continue
		}
		if f.UserID != "" && f.UserID != user {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return f
	}
	return nil
}

// Calls returns the calls to a path ("message/cs"...), or all for "".
func (s *Server) Calls(path string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if path == "" || c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// MessagesTo returns the messages sent to a user, oldest first.
func (s *Server) MessagesTo(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[userID]))
	for _, m := range s.messages[userID] {
		out = append(out, *m)
	}
	return out
}

// TemplatesTo returns the template messages sent to a user, oldest first.
func (s *Server) TemplatesTo(userID string) []Template {
	var out []Template
	for _, m := range s.MessagesTo(userID) {
		if m.Template != nil {
			out = append(out, *m.Template)
		}
	}
	return out
}

// Texts returns the texts sent to a user, oldest first.
func (s *Server) Texts(userID string) []string {
	var out []string
	for _, m := range s.MessagesTo(userID) {
		if m.Text != "" {
			out = append(out, m.Text)
		}
	}
	return out
}

// WaitFor waits until ok returns true for the messages to userID, or ctx
// is done.
func (s *Server) WaitFor(ctx context.Context, userID string, ok func([]Message) bool) error {
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if ok(s.MessagesTo(userID)) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("fakezalo: condition not met: %w", ctx.Err())
		}
	}
}

// ServeHTTP answers the API, the token endpoint and the control API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/_fake/"):
		s.control(w, r)
	case r.Method != http.MethodPost:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	case p == "/v4/oa/access_token":
		s.token(w, r)
	case p == "/v3.0/oa/message/cs":
		s.api(w, r, "message/cs", s.sendCS)
	case p == "/v3.0/oa/message/template":
		s.api(w, r, "message/template", s.sendTemplate)
	case p == "/v2.0/oa/upload/file":
		s.api(w, r, "upload/file", s.uploadFile)
	case p == "/v2.0/oa/upload/image":
		s.api(w, r, "upload/image", s.uploadImage)
	case p == "/v2.0/oa/message":
		writeJSON(w, map[string]any{"error": -240, "message": "MessageV2 API has been shut down"})
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// zerr is a Zalo error answer.
type zerr struct {
	code int
	msg  string
}

func fail(code int) *zerr { return &zerr{code: code, msg: messages[code]} }

type handler func(r *http.Request, body []byte) (user string, data any, e *zerr)

// api checks the access token, applies faults and answers Zalo's envelope:
// always HTTP 200, error != 0 on failure.
func (s *Server) api(w http.ResponseWriter, r *http.Request, path string, h handler) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 2*maxFile))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	token := r.Header.Get("access_token")
	call := Call{Path: path, AccessToken: token, Body: body, Time: time.Now()}
	user, data, e := "", any(nil), (*zerr)(nil)
	s.mu.Lock()
	exp, ok := s.access[token]
	s.mu.Unlock()
	switch {
	case token == "" || !ok:
		e = fail(TokenInvalid)
	case !s.now().Before(exp):
		e = fail(TokenExpired)
	default:
		user = peekUser(body)
		s.mu.Lock()
		f := s.fault(path, user)
		s.mu.Unlock()
		if f != nil {
			e = &zerr{code: f.Code, msg: f.Message}
		} else {
			user, data, e = h(r, body)
		}
	}
	call.UserID = user
	if e != nil {
		call.Error = e.code
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.notify()
	s.mu.Unlock()
	if e != nil {
		writeJSON(w, map[string]any{"error": e.code, "message": e.msg})
		return
	}
	writeJSON(w, map[string]any{"error": 0, "message": "Success", "data": data})
}

func peekUser(body []byte) string {
	var m struct {
		Recipient struct {
			UserID string `json:"user_id"`
		} `json:"recipient"`
		UserID string `json:"user_id"` // message/template
	}
	_ = json.Unmarshal(body, &m)
	if m.Recipient.UserID != "" {
		return m.Recipient.UserID
	}
	return m.UserID
}

type wireButton struct {
	Title   string          `json:"title"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

type wireCS struct {
	Recipient struct {
		UserID string `json:"user_id"`
	} `json:"recipient"`
	Message *struct {
		Text       *string `json:"text"`
		Attachment *struct {
			Type    string `json:"type"`
			Payload struct {
				TemplateType string       `json:"template_type"`
				Buttons      []wireButton `json:"buttons"`
				Elements     []struct {
					MediaType    string `json:"media_type"`
					AttachmentID string `json:"attachment_id"`
					URL          string `json:"url"`
				} `json:"elements"`
				Token string `json:"token"`
			} `json:"payload"`
		} `json:"attachment"`
	} `json:"message"`
}

var buttonTypes = map[string]bool{"oa.query.show": true, "oa.query.hide": true, "oa.open.url": true, "oa.open.phone": true, "oa.open.sms": true}

func (s *Server) sendCS(_ *http.Request, body []byte) (string, any, *zerr) {
	var req wireCS
	if err := json.Unmarshal(body, &req); err != nil || req.Message == nil {
		return "", nil, fail(BadParameter)
	}
	user := req.Recipient.UserID
	if user == "" {
		return "", nil, fail(BadParameter)
	}
	s.mu.Lock()
	unfollowed, last, window := s.unfollowed[user], s.interacted[user], s.window
	s.mu.Unlock()
	if unfollowed {
		return user, nil, fail(NotFollowing)
	}
	if window && s.now().Sub(last) > 7*24*time.Hour {
		return user, nil, fail(WindowClosed)
	}
	m := &Message{UserID: user}
	if req.Message.Text != nil {
		m.Text = *req.Message.Text
		if !utf8.ValidString(m.Text) {
			return user, nil, fail(BadParameter)
		}
		if utf8.RuneCountInString(m.Text) > maxText {
			return user, nil, fail(TooLong)
		}
	}
	if a := req.Message.Attachment; a != nil {
		switch {
		case a.Type == "template" && a.Payload.TemplateType == "" && len(a.Payload.Buttons) > 0:
			if strings.TrimSpace(m.Text) == "" || len(a.Payload.Buttons) > maxButtons {
				return user, nil, fail(TooLong)
			}
			for _, b := range a.Payload.Buttons {
				btn := Button{Title: b.Title, Type: b.Type, Payload: string(b.Payload)}
				if !buttonTypes[b.Type] || b.Title == "" || utf8.RuneCountInString(b.Title) > maxTitle {
					return user, nil, fail(BadParameter)
				}
				if strings.HasPrefix(b.Type, "oa.query.") {
					if json.Unmarshal(b.Payload, &btn.Payload) != nil || btn.Payload == "" {
						return user, nil, fail(BadParameter)
					}
					if utf8.RuneCountInString(btn.Payload) > maxPayload {
						return user, nil, fail(TooLong)
					}
				}
				m.Buttons = append(m.Buttons, btn)
			}
		case a.Type == "template" && a.Payload.TemplateType == "media" && len(a.Payload.Elements) == 1:
			s.mu.Lock()
			f := s.uploads[a.Payload.Elements[0].AttachmentID]
			s.mu.Unlock()
			if f == nil || !strings.HasPrefix(f.MIME, "image/") {
				return user, nil, fail(BadParameter)
			}
			m.Image = f
		case a.Type == "file":
			s.mu.Lock()
			f := s.uploads[a.Payload.Token]
			s.mu.Unlock()
			if f == nil {
				return user, nil, fail(BadParameter)
			}
			m.File = f
		default:
			return user, nil, fail(BadParameter)
		}
	} else if strings.TrimSpace(m.Text) == "" {
		return user, nil, fail(BadParameter)
	}
	s.mu.Lock()
	m.ID = newID(10)
	m.Time = time.Now()
	s.messages[user] = append(s.messages[user], m)
	s.notify()
	s.mu.Unlock()
	return user, map[string]string{"message_id": m.ID, "user_id": user}, nil
}

// ApproveTemplate makes a template id known, with the names of its
// parameters. Once any template is approved, a template message naming
// another id fails with -201 (channel-zalo.md gives no code for an unknown
// template), as does one whose data has other parameters.
func (s *Server) ApproveTemplate(id string, params ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates[id] = slices.Sorted(slices.Values(params))
}

// sendTemplate is POST /v3.0/oa/message/template: a template message by user
// id, which needs no interaction in the last 7 days.
func (s *Server) sendTemplate(_ *http.Request, body []byte) (string, any, *zerr) {
	var req struct {
		UserID       string            `json:"user_id"`
		TemplateID   string            `json:"template_id"`
		TemplateData map[string]string `json:"template_data"`
		TrackingID   string            `json:"tracking_id"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.UserID == "" || req.TemplateID == "" || req.TemplateData == nil {
		return req.UserID, nil, fail(BadParameter)
	}
	s.mu.Lock()
	unfollowed := s.unfollowed[req.UserID]
	params, known := s.templates[req.TemplateID]
	anyApproved := len(s.templates) > 0
	s.mu.Unlock()
	if anyApproved {
		keys := slices.Sorted(maps.Keys(req.TemplateData))
		if !known || !slices.Equal(keys, params) {
			return req.UserID, nil, fail(BadParameter)
		}
	}
	if unfollowed {
		return req.UserID, nil, fail(NotFollowing)
	}
	m := &Message{UserID: req.UserID, Template: &Template{ID: req.TemplateID, Data: req.TemplateData, TrackingID: req.TrackingID}}
	s.mu.Lock()
	m.ID = newID(10)
	m.Time = time.Now()
	s.messages[req.UserID] = append(s.messages[req.UserID], m)
	s.notify()
	s.mu.Unlock()
	return req.UserID, map[string]string{"msg_id": m.ID}, nil
}

// fileTypes are the types upload/file takes (channel-zalo.md: PDF, DOC,
// DOCX). Zalo's answer to another type is not documented: -201 here.
var fileTypes = map[string]bool{
	"application/pdf":    true,
	"application/msword": true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
}

func (s *Server) readUpload(r *http.Request, body []byte, limit int, accept func(mimeType string) bool) (*File, *zerr) {
	req, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
	if err := req.ParseMultipartForm(2 * maxFile); err != nil {
		return nil, fail(BadParameter)
	}
	fhs := req.MultipartForm.File["file"]
	if len(fhs) != 1 {
		return nil, fail(BadParameter)
	}
	fh := fhs[0]
	if fh.Size > int64(limit) {
		return nil, fail(TooLong)
	}
	if !accept(fh.Header.Get("Content-Type")) {
		return nil, fail(BadParameter)
	}
	rd, err := fh.Open()
	if err != nil {
		return nil, fail(BadParameter)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil || len(data) == 0 {
		return nil, fail(BadParameter)
	}
	f := &File{ID: newID(16), Name: fh.Filename, MIME: fh.Header.Get("Content-Type"), Bytes: data}
	s.mu.Lock()
	s.uploads[f.ID] = f
	s.mu.Unlock()
	return f, nil
}

func (s *Server) uploadFile(r *http.Request, body []byte) (string, any, *zerr) {
	f, e := s.readUpload(r, body, maxFile, func(t string) bool { return fileTypes[t] })
	if e != nil {
		return "", nil, e
	}
	return "", map[string]string{"token": f.ID}, nil
}

func (s *Server) uploadImage(r *http.Request, body []byte) (string, any, *zerr) {
	f, e := s.readUpload(r, body, maxImage, func(t string) bool { return strings.HasPrefix(t, "image/") })
	if e != nil {
		return "", nil, e
	}
	return "", map[string]string{"attachment_id": f.ID}, nil
}

// token is the OAuth v4 token endpoint, refresh grant only.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	delay := s.refreshDelay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	call := Call{Path: "oauth", Body: []byte(r.PostForm.Encode()), Time: time.Now()}
	answer := func(v map[string]any) {
		if code, ok := v["error"].(int); ok {
			call.Error = code
		}
		s.calls = append(s.calls, call)
		s.notify()
		writeJSON(w, v)
	}
	oauthErr := func(code int, name string) map[string]any {
		return map[string]any{"error": code, "error_name": name, "error_description": name}
	}
	if f := s.fault("oauth", ""); f != nil {
		answer(map[string]any{"error": f.Code, "error_name": f.Message, "error_description": f.Message})
		return
	}
	switch {
	case r.Header.Get("secret_key") != s.cfg.AppSecret || r.PostForm.Get("app_id") != s.cfg.AppID:
		answer(oauthErr(OAuthBadApp, "Invalid app id or secret key"))
		return
	case r.PostForm.Get("grant_type") != "refresh_token":
		answer(oauthErr(OAuthBadGrant, "Unsupported grant type"))
		return
	case !s.refresh[r.PostForm.Get("refresh_token")]:
		answer(oauthErr(OAuthBadGrant, "Invalid refresh token"))
		return
	}
	// Single use: the old refresh token dies, a new pair is issued. Access
	// tokens issued before stay valid until they expire.
	s.refresh[r.PostForm.Get("refresh_token")] = false
	access, refresh := "AT-"+newID(16), "RT-"+newID(12)
	s.access[access] = s.now().Add(accessLifetime * time.Second)
	s.refresh[refresh] = true
	s.refreshCalls++
	answer(map[string]any{"access_token": access, "refresh_token": refresh, "expires_in": strconv.Itoa(accessLifetime)})
}

// SetWebhook sets the bot's webhook URL, where Deliver posts events.
func (s *Server) SetWebhook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = url
}

// timestamp is a millisecond timestamp, strictly increasing per fake so
// that events keep their order. Called with s.mu held.
func (s *Server) timestamp() string {
	ts := time.Now().UnixMilli()
	if ts <= s.lastTS {
		ts = s.lastTS + 1
	}
	s.lastTS = ts
	return strconv.FormatInt(ts, 10)
}

// Event builds an event from user to the OA, as Zalo sends it: compact
// JSON, ids and timestamp as strings, a fresh msg_id in message. It counts
// as the user's interaction.
func (s *Server) Event(name, userID string, message map[string]any) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interacted[userID] = s.now()
	ev := map[string]any{
		"app_id": s.cfg.AppID, "event_name": name, "timestamp": s.timestamp(),
		"sender": map[string]string{"id": userID}, "recipient": map[string]string{"id": s.cfg.OAID},
		"user_id_by_app": "9" + userID,
	}
	if message != nil {
		m := map[string]any{"msg_id": newID(10)}
		for k, v := range message {
			m[k] = v
		}
		ev["message"] = m
	}
	b, _ := json.Marshal(ev)
	return b
}

// TextEvent is a user_send_text: the user typed text.
func (s *Server) TextEvent(userID, text string) []byte {
	return s.Event("user_send_text", userID, map[string]any{"text": text})
}

// TapEvent is what Zalo sends when the user taps an oa.query button: a
// user_send_text whose text is the button's payload.
func (s *Server) TapEvent(userID, payload string) []byte { return s.TextEvent(userID, payload) }

// FollowEvent is a follow, as captured in production: no sender, no
// message, the user in follower.id.
func (s *Server) FollowEvent(userID string) []byte { return s.follow("follow", userID) }

// UnfollowEvent is an unfollow; sends to the user fail with -213 from then
// until the user follows again.
func (s *Server) UnfollowEvent(userID string) []byte { return s.follow("unfollow", userID) }

func (s *Server) follow(name, userID string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unfollowed[userID] = name == "unfollow"
	s.interacted[userID] = s.now()
	b, _ := json.Marshal(map[string]any{
		"oa_id": s.cfg.OAID, "follower": map[string]string{"id": userID}, "user_id_by_app": "9" + userID,
		"event_name": name, "source": "oa_profile", "app_id": s.cfg.AppID, "timestamp": s.timestamp(),
	})
	return b
}

// FileEvent is a user_send_file; the file is served by the fake at the
// URL the event carries.
func (s *Server) FileEvent(userID, name string, data []byte) []byte {
	url := s.putUserFile(name, data)
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ext = name[i+1:]
	}
	return s.Event("user_send_file", userID, map[string]any{"attachments": []any{map[string]any{
		"type": "file", "payload": map[string]string{"url": url, "name": name, "size": strconv.Itoa(len(data)), "type": ext},
	}}})
}

// ImageEvent is a user_send_image with an optional caption.
func (s *Server) ImageEvent(userID string, data []byte, caption string) []byte {
	return s.ImagesEvent(userID, [][]byte{data}, caption)
}

// ImagesEvent is a user_send_image carrying several images at once, with
// an optional caption.
func (s *Server) ImagesEvent(userID string, images [][]byte, caption string) []byte {
	var atts []any
	for _, data := range images {
		url := s.putUserFile("", data)
		atts = append(atts, map[string]any{"type": "image", "payload": map[string]string{"url": url, "thumbnail": url}})
	}
	m := map[string]any{"attachments": atts}
	if caption != "" {
		m["text"] = caption
	}
	return s.Event("user_send_image", userID, m)
}

func (s *Server) putUserFile(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &File{ID: newID(8), Name: name, Bytes: slices.Clone(data)}
	s.userFiles[f.ID] = f
	return s.URL + "/_fake/files/" + f.ID
}

var webhookClient = &http.Client{Timeout: 60 * time.Second}

// Post posts an event body to a webhook with a signature header (none
// when signature is empty) and returns the status.
func Post(url, signature string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(zalo.SignatureHeader, signature)
	}
	resp, err := webhookClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// Signature is the X-ZEvent-Signature Zalo sends with body.
func (s *Server) Signature(body []byte) string {
	var m struct {
		Timestamp string `json:"timestamp"`
	}
	_ = json.Unmarshal(body, &m)
	return zalo.Sign(s.cfg.AppID, body, m.Timestamp, s.cfg.OASecretKey)
}

// Deliver posts an event to the webhook, signed as Zalo signs it.
func (s *Server) Deliver(body []byte) (int, error) {
	return s.DeliverSigned(body, s.Signature(body))
}

// DeliverSigned posts an event to the webhook with the signature given:
// "" for none, or a forgery.
func (s *Server) DeliverSigned(body []byte, signature string) (int, error) {
	s.mu.Lock()
	url := s.webhook
	s.mu.Unlock()
	if url == "" {
		return 0, fmt.Errorf("fakezalo: no webhook set")
	}
	return Post(url, signature, body)
}

// Forge returns a signature made with the wrong OA secret key.
func (s *Server) Forge(body []byte) string {
	var m struct {
		Timestamp string `json:"timestamp"`
	}
	_ = json.Unmarshal(body, &m)
	return zalo.Sign(s.cfg.AppID, body, m.Timestamp, s.cfg.OASecretKey+"-forged")
}

// LastWithButtons returns the latest message to a user that has buttons.
func (s *Server) LastWithButtons(userID string) (Message, bool) {
	msgs := s.MessagesTo(userID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Buttons) > 0 {
			return msgs[i], true
		}
	}
	return Message{}, false
}

// Tap taps the button whose title contains label on the latest message
// with buttons, delivering what Zalo would.
func (s *Server) Tap(userID, label string) (int, error) {
	m, ok := s.LastWithButtons(userID)
	if !ok {
		return 0, fmt.Errorf("fakezalo: no message with buttons to %s", userID)
	}
	for _, b := range m.Buttons {
		if strings.Contains(b.Title, label) && strings.HasPrefix(b.Type, "oa.query.") {
			return s.Deliver(s.TapEvent(userID, b.Payload))
		}
	}
	return 0, fmt.Errorf("fakezalo: no button %q in %+v", label, m.Buttons)
}

var itemRE = regexp.MustCompile(`(?m)^([0-9]+)\. (.*)$`)

// Choose types the number of the item containing label in the latest
// numbered list sent to the user.
func (s *Server) Choose(userID, label string) (int, error) {
	msgs := s.MessagesTo(userID)
	for i := len(msgs) - 1; i >= 0; i-- {
		items := itemRE.FindAllStringSubmatch(msgs[i].Text, -1)
		if len(items) == 0 {
			continue
		}
		for _, it := range items {
			if strings.Contains(it[2], label) {
				return s.Deliver(s.TextEvent(userID, it[1]))
			}
		}
		return 0, fmt.Errorf("fakezalo: no item %q in the list %q", label, msgs[i].Text)
	}
	return 0, fmt.Errorf("fakezalo: no numbered list sent to %s", userID)
}

// control answers the control API for local runs.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	deliver := func(body []byte) {
		status, err := s.Deliver(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		writeJSON(w, map[string]int{"status": status})
	}
	switch p := r.URL.Path; {
	case p == "/_fake/webhook" && r.Method == http.MethodPost:
		s.SetWebhook(r.Form.Get("url"))
		writeJSON(w, map[string]bool{"ok": true})
	case p == "/_fake/text" && r.Method == http.MethodPost:
		deliver(s.TextEvent(r.Form.Get("user_id"), r.Form.Get("text")))
	case p == "/_fake/follow" && r.Method == http.MethodPost:
		deliver(s.FollowEvent(r.Form.Get("user_id")))
	case p == "/_fake/grant" && r.Method == http.MethodPost:
		writeJSON(w, map[string]string{"refresh_token": s.Grant()})
	case p == "/_fake/messages" && r.Method == http.MethodGet:
		writeJSON(w, s.MessagesTo(r.Form.Get("user_id")))
	case strings.HasPrefix(p, "/_fake/files/") && r.Method == http.MethodGet:
		s.mu.Lock()
		f := s.userFiles[strings.TrimPrefix(p, "/_fake/files/")]
		s.mu.Unlock()
		if f == nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(f.Bytes)))
		_, _ = w.Write(f.Bytes)
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}
