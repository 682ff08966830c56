// Package fakeapi is a fake Telegram Bot API server, for tests and for
// running the bot locally without Telegram.
//
// It speaks the wire format that go-telegram-bot-api v5.5.1 sends: POST
// /bot<token>/<method> with a form body whose nested values are JSON
// strings (reply_markup, commands; nil slices arrive as "null"), or a
// multipart body for uploads. It answers {"ok":true,"result":...} with
// plausible objects, keeps the messages it was asked to send (edits applied
// in place), keeps the command menus per scope and language as Telegram
// does and shows which one a chat gets (Menu), queues updates for
// getUpdates with Telegram's offset and long poll semantics (or pushes them
// to the webhook once one is set), records every call, and fails calls on
// demand (Fail).
//
// For local development the Server is an http.Handler; besides the Bot API
// it answers a small control API: POST /_fake/updates (a raw update), POST
// /_fake/text (form chat_id, text: a user types), GET /_fake/messages?chat_id=
// and GET /_fake/calls.
package fakeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Descriptions of errors the real Bot API returns, for Fault.Description
// and for assertions.
const (
	NotModified    = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	Blocked        = "Forbidden: bot was blocked by the user"
	NotFound       = "Bad Request: message to edit not found"
	CantBeEdited   = "Bad Request: message can't be edited"
	QueryTooOld    = "Bad Request: query is too old and response timeout expired or query ID is invalid"
	InternalError  = "Internal Server Error"
	webhookIsSet   = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	maxMessageText = 4096
	maxCaption     = 1024
	maxUpload      = 64 << 20
)

// Call is one request the server received.
type Call struct {
	Method string
	// Params are the request's fields as sent: nested objects are JSON
	// strings (see Decode).
	Params map[string]string
	// Files are the uploaded parts by field name ("document").
	Files map[string]File
	Time  time.Time
	// Status is the HTTP status answered, 0 while the call is in progress
	// (a long poll). For a method sent in a webhook response, the status it
	// would have had: the bot is never told.
	Status int
	// InResponse is set for a method the bot sent in its answer to a
	// webhook request rather than by calling the API.
	InResponse bool
}

// Decode JSON-decodes the parameter key (reply_markup, commands...) into v.
func (c Call) Decode(key string, v any) error {
	s, ok := c.Params[key]
	if !ok {
		return fmt.Errorf("fakeapi: %s has no parameter %q", c.Method, key)
	}
	return json.Unmarshal([]byte(s), v)
}

// ChatID is the call's chat_id, or 0.
func (c Call) ChatID() int64 {
	id, _ := strconv.ParseInt(c.Params["chat_id"], 10, 64)
	return id
}

// File is a file held by the server: uploaded by the bot, or put there by
// a test as if a user had sent it.
type File struct {
	ID    string
	Name  string
	Bytes []byte
}

// Button is an inline keyboard button as the bot sent it.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Message is a message the bot sent, as it now stands.
type Message struct {
	ID       int
	ChatID   int64
	Text     string
	Caption  string
	Buttons  [][]Button
	Document *File
	// Edits counts successful editMessageText calls on it.
	Edits int
	Time  time.Time
}

// Fault makes matching calls fail.
type Fault struct {
	Method string // "" matches every method
	ChatID int64  // 0 matches every chat
	// Code is the error_code and HTTP status: 400, 403, 429, 500...
	Code int
	// Description defaults to Telegram's text for Code.
	Description string
	// RetryAfter is sent as parameters.retry_after (with 429).
	RetryAfter int
	// Times is how many calls fail; 0 means every call until ClearFaults.
	Times int
}

type queued struct {
	id   int64
	kind string
	raw  []byte
}

// Server is the fake Bot API. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to use as the API URL (TELEGRAM_API_URL). Start
	// sets it; with New, it is wherever the handler is served.
	URL string

	token string
	botID int64
	srv   *httptest.Server

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced on every change someone waits for
	watched     bool          // someone took changed since it was last replaced
	calls       []Call
	updates     []queued
	nextUpdate  int64
	allowed     []string
	nextMessage int
	messages    map[int64][]*Message
	files       map[string]*File
	paths       map[string]string // file_path -> file_id
	menus       map[menuKey][]BotCommand
	nextFile    int
	faults      []*Fault
	nfaults     atomic.Int32 // len(faults), read without the lock
	handlers    map[string]methodFunc
	leanConns   map[net.Conn]struct{} // served by ServeLean
	webhookURL  string
	secret      string
	pushing     bool
	lean        atomic.Bool
	closed      chan struct{}
	closeOnce   sync.Once
}

// New returns a server answering to token, not listening: serve it as an
// http.Handler. Close stops its webhook pushes.
func New(token string) *Server {
	s := &Server{
		token:      token,
		botID:      1,
		changed:    make(chan struct{}),
		nextUpdate: 100000,
		messages:   make(map[int64][]*Message),
		files:      make(map[string]*File),
		paths:      make(map[string]string),
		closed:     make(chan struct{}),
	}
	s.handlers = s.methods()
	if id, err := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64); err == nil && id > 0 {
		s.botID = id
	}
	return s
}

// Lean stops keeping every call and keeps only the last few messages of
// each chat, so a long load run does not grow without bound. Calls and
// WaitFor see nothing from then on.
func (s *Server) Lean() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lean.Store(true)
	s.calls = nil
}

// leanMessages is how many messages per chat a lean server keeps.
const leanMessages = 4

// Start returns a server listening on a local port, its URL set.
func Start(token string) *Server {
	s := New(token)
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	return s
}

// Close stops the listener (if Start made it) and the webhook pushes.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	s.closeLeanConns()
	if s.srv != nil {
		s.srv.CloseClientConnections()
		s.srv.Close()
	}
}

// Client returns an HTTP client for the server (the listener's with Start).
func (s *Server) Client() *http.Client {
	if s.srv != nil {
		return s.srv.Client()
	}
	return http.DefaultClient
}

// notify wakes whoever waits for a change. Called with s.mu held.
func (s *Server) notify() {
	if !s.watched {
		return // no one holds the channel: nothing to wake
	}
	close(s.changed)
	s.changed = make(chan struct{})
	s.watched = false
}

// watch returns the channel closed at the next change. Called with s.mu held.
func (s *Server) watch() chan struct{} {
	s.watched = true
	return s.changed
}

// Fail installs a fault. Faults are tried in the order installed; the
// first that matches a call fails it.
func (s *Server) Fail(f Fault) {
	if f.Description == "" {
		f.Description = describe(f.Code, f.RetryAfter)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
	s.nfaults.Store(int32(len(s.faults)))
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.nfaults.Store(0)
}

func describe(code, retryAfter int) string {
	switch code {
	case http.StatusTooManyRequests:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	case http.StatusForbidden:
		return Blocked
	case http.StatusBadRequest:
		return "Bad Request"
	case http.StatusUnauthorized:
		return "Unauthorized"
	case http.StatusNotFound:
		return "Not Found"
	case http.StatusConflict:
		return "Conflict"
	}
	return InternalError
}

// Calls returns the calls of a method, or all calls for "", oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor waits until ok returns true for the calls so far (all methods,
// oldest first), or ctx is done.
func (s *Server) WaitFor(ctx context.Context, ok func(calls []Call) bool) error {
	for {
		s.mu.Lock()
		calls := slices.Clone(s.calls)
		changed := s.watch()
		s.mu.Unlock()
		if ok(calls) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("fakeapi: condition not met: %w", ctx.Err())
		}
	}
}

// MessagesTo returns the messages the bot sent to a chat, oldest first,
// edits applied.
func (s *Server) MessagesTo(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[chatID]))
	for _, m := range s.messages[chatID] {
		out = append(out, *m)
	}
	return out
}

// LastWithButtons returns the latest message to a chat that carries
// buttons, edits applied.
func (s *Server) LastWithButtons(chatID int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := s.messages[chatID]
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Buttons) > 0 {
			return *msgs[i], true
		}
	}
	return Message{}, false
}

// PutFile stores a file as if a user had sent it and returns its file_id,
// for getFile and the file download URL.
func (s *Server) PutFile(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putFile(name, data).ID
}

func (s *Server) putFile(name string, data []byte) *File {
	s.nextFile++
	f := &File{ID: fmt.Sprintf("FAKEFILE%06d", s.nextFile), Name: name, Bytes: slices.Clone(data)}
	s.files[f.ID] = f
	path := fmt.Sprintf("documents/file_%d", s.nextFile)
	if i := strings.LastIndexByte(name, '.'); i >= 0 && !strings.ContainsAny(name[i:], "/?#") {
		path += name[i:]
	}
	s.paths[path] = f.ID
	return f
}

// AddUpdate queues an update for getUpdates (or the webhook) and returns
// the update_id it was given. update must marshal to a JSON object with
// one field besides update_id, such as "message"; it panics otherwise, as
// that is a mistake in the test.
func (s *Server) AddUpdate(update any) int64 {
	raw, err := json.Marshal(update)
	if err != nil {
		panic("fakeapi: AddUpdate: " + err.Error())
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		panic("fakeapi: AddUpdate needs a JSON object")
	}
	delete(fields, "update_id")
	if len(fields) != 1 {
		panic("fakeapi: AddUpdate needs exactly one update field")
	}
	var kind string
	for k := range fields {
		kind = k
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdate++
	id := s.nextUpdate
	fields["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
	raw, _ = json.Marshal(fields)
	s.updates = append(s.updates, queued{id: id, kind: kind, raw: raw})
	s.notify()
	return id
}

// UserText queues a private text message from the user whose id is chatID.
func (s *Server) UserText(chatID int64, text string) int64 {
	s.mu.Lock()
	s.nextMessage++
	id := s.nextMessage
	s.mu.Unlock()
	return s.AddUpdate(map[string]any{"message": map[string]any{
		"message_id": id,
		"from":       user(chatID),
		"chat":       chat(chatID),
		"date":       time.Now().Unix(),
		"text":       text,
	}})
}

// UserTap queues a tap on a button with data under message messageID.
func (s *Server) UserTap(chatID int64, messageID int, data string) int64 {
	s.mu.Lock()
	s.nextMessage++ // a unique callback id
	n := s.nextMessage
	s.mu.Unlock()
	return s.AddUpdate(map[string]any{"callback_query": map[string]any{
		"id":            fmt.Sprintf("cb%d", n),
		"from":          user(chatID),
		"chat_instance": "fake",
		"data":          data,
		"message": map[string]any{
			"message_id": messageID,
			"chat":       chat(chatID),
			"date":       time.Now().Unix(),
			"text":       "",
		},
	}})
}

// Pending counts the updates queued and not yet confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Webhook returns the URL and secret_token of the webhook, if set.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.secret
}

func user(id int64) map[string]any {
	return map[string]any{"id": id, "is_bot": false, "first_name": "User", "last_name": strconv.FormatInt(id, 10), "language_code": "vi"}
}

func chat(id int64) map[string]any {
	if id < 0 {
		return map[string]any{"id": id, "type": "supergroup", "title": "Group"}
	}
	return map[string]any{"id": id, "type": "private", "first_name": "User", "last_name": strconv.FormatInt(id, 10)}
}

var webhookClient = &http.Client{Timeout: 60 * time.Second}

// DeliverWebhook posts an update body to a webhook as Telegram does, with
// the secret header (none when secret is empty), and returns the status.
// A Bot API method in a 2xx answer is run as Telegram runs it (see
// RunWebhookResponse).
func (s *Server) DeliverWebhook(url, secret string, body []byte) (status int, err error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := webhookClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxUpload))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode/100 == 2 {
		s.RunWebhookResponse(resp.Header.Get("Content-Type"), answer)
	}
	return resp.StatusCode, nil
}

// RunWebhookResponse runs the Bot API method a bot put in its 2xx answer to
// a webhook request, as Telegram does: "you can perform a request to the
// Bot API while sending an answer to the webhook", with the parameters and
// a "method" field as a form or a JSON object. The call is recorded (with
// InResponse) and has its effects, but its result, or error, reaches no
// one. An empty body, or one without a known method, does nothing.
func (s *Server) RunWebhookResponse(contentType string, body []byte) {
	if len(bytes.TrimSpace(body)) == 0 {
		return
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/x-www-form-urlencoded" && s.lean.Load() && s.nfaults.Load() == 0 {
		if f, ok := parseLeanForm(body); ok {
			if m := leanMethodOf(f.method); m != 0 {
				bp := leanBufs.Get().(*[]byte)
				*bp, _ = s.leanCallForm(m, &f, (*bp)[:0])
				leanBufs.Put(bp)
				return
			}
		}
	}
	r, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return
	}
	r.Header.Set("Content-Type", contentType)
	params, files, err := parseRequest(r)
	if err != nil {
		return
	}
	method := params["method"]
	delete(params, "method")
	if _, known := s.handlers[strings.ToLower(method)]; !known {
		return
	}
	s.invoke(context.Background(), method, params, files, true)
}

// push delivers queued updates to the webhook, oldest first, each until
// it is answered with a 2xx, like Telegram (which keeps a chat's order).
func (s *Server) push() {
	backoff := 50 * time.Millisecond
	for {
		s.mu.Lock()
		url, secret := s.webhookURL, s.secret
		var next *queued
		if url != "" && len(s.updates) > 0 {
			q := s.updates[0]
			next = &q
		}
		if url == "" {
			s.pushing = false
			s.mu.Unlock()
			return
		}
		changed := s.watch()
		s.mu.Unlock()

		if next == nil {
			select {
			case <-changed:
				continue
			case <-s.closed:
				return
			}
		}
		status, err := s.DeliverWebhook(url, secret, next.raw)
		if err == nil && status/100 == 2 {
			s.mu.Lock()
			if len(s.updates) > 0 && s.updates[0].id == next.id {
				s.updates = s.updates[1:]
				s.notify()
			}
			s.mu.Unlock()
			backoff = 50 * time.Millisecond
			continue
		}
		select {
		case <-time.After(backoff):
			backoff = min(2*backoff, 2*time.Second)
		case <-s.closed:
			return
		}
	}
}

// ServeHTTP answers the Bot API, file downloads and the control API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/_fake/"):
		s.control(w, r)
	case strings.HasPrefix(path, "/file/bot"):
		s.download(w, r, strings.TrimPrefix(path, "/file/bot"))
	case strings.HasPrefix(path, "/bot"):
		token, method, _ := strings.Cut(strings.TrimPrefix(path, "/bot"), "/")
		if token != s.token {
			writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
			return
		}
		if s.lean.Load() && s.leanAPI(w, r, method) {
			return
		}
		s.api(w, r, method)
	default:
		writeError(w, http.StatusNotFound, "Not Found", 0)
	}
}

type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

func (s *Server) api(w http.ResponseWriter, r *http.Request, method string) {
	if _, known := s.handlers[strings.ToLower(method)]; !known {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	params, files, err := parseRequest(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	result, aerr := s.invoke(r.Context(), method, params, files, false)
	if aerr != nil {
		writeError(w, aerr.code, aerr.desc, aerr.retryAfter)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// invoke runs a known method: recorded (unless lean), failed by a matching
// fault, else handled.
func (s *Server) invoke(ctx context.Context, method string, params map[string]string, files map[string]File, inResponse bool) (any, *apiError) {
	handler := s.handlers[strings.ToLower(method)]
	s.mu.Lock()
	index := -1
	if !s.lean.Load() {
		s.calls = append(s.calls, Call{Method: method, Params: params, Files: files, Time: time.Now(), InResponse: inResponse})
		index = len(s.calls) - 1
		s.notify()
	}
	fault := s.fault(method, faultChat(params))
	s.mu.Unlock()

	var result any
	var aerr *apiError
	if fault != nil {
		aerr = fault
	} else {
		result, aerr = handler(ctx, params, files)
	}
	status := http.StatusOK
	if aerr != nil {
		status = aerr.code
	}
	if index >= 0 {
		s.mu.Lock()
		s.calls[index].Status = status
		s.notify()
		s.mu.Unlock()
	}
	return result, aerr
}

// faultChat is the chat a call is about, for Fault.ChatID: its chat_id,
// or its scope's (the command menu of a chat).
func faultChat(p map[string]string) string {
	if id, ok := p["chat_id"]; ok || p["scope"] == "" {
		return id
	}
	if sc, aerr := parseScope(p); aerr == nil && sc.ChatID != 0 {
		return strconv.FormatInt(sc.ChatID, 10)
	}
	return ""
}

// fault returns the error of the first matching fault. Called with s.mu held.
func (s *Server) fault(method, chatID string) *apiError {
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, method) {
			continue
		}
		if f.ChatID != 0 && strconv.FormatInt(f.ChatID, 10) != chatID {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
				s.nfaults.Store(int32(len(s.faults)))
			}
		}
		return &apiError{code: f.Code, desc: f.Description, retryAfter: f.RetryAfter}
	}
	return nil
}

type methodFunc func(ctx context.Context, p map[string]string, files map[string]File) (any, *apiError)

func (s *Server) methods() map[string]methodFunc {
	return map[string]methodFunc{
		"getme":               s.getMe,
		"getupdates":          s.getUpdates,
		"sendmessage":         s.sendMessage,
		"editmessagetext":     s.editMessageText,
		"senddocument":        s.sendDocument,
		"answercallbackquery": s.answerCallbackQuery,
		"getfile":             s.getFile,
		"setwebhook":          s.setWebhook,
		"deletewebhook":       s.deleteWebhook,
		"getwebhookinfo":      s.getWebhookInfo,
		"setmycommands":       s.setMyCommands,
		"deletemycommands":    s.deleteMyCommands,
		"sendchataction":      func(context.Context, map[string]string, map[string]File) (any, *apiError) { return true, nil },
	}
}

// parseRequest reads the fields of a form, multipart or JSON request; JSON
// values that are not strings are kept as JSON text, as a form would carry
// them.
func parseRequest(r *http.Request) (map[string]string, map[string]File, error) {
	params := make(map[string]string)
	files := make(map[string]File)
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(maxUpload); err != nil {
			return nil, nil, err
		}
		for k, v := range r.MultipartForm.Value {
			params[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, nil, err
			}
			files[k] = File{Name: fhs[0].Filename, Bytes: data}
		}
	case strings.HasPrefix(ct, "application/json"):
		var body map[string]json.RawMessage
		if err := json.NewDecoder(io.LimitReader(r.Body, maxUpload)).Decode(&body); err != nil {
			return nil, nil, err
		}
		for k, v := range body {
			var s string
			if json.Unmarshal(v, &s) == nil {
				params[k] = s
			} else {
				params[k] = string(v)
			}
		}
		for k, v := range r.URL.Query() {
			params[k] = v[0]
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.Form {
			params[k] = v[0]
		}
	}
	return params, files, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, desc string, retryAfter int) {
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	writeJSON(w, code, body)
}

func (s *Server) botUser() map[string]any {
	return map[string]any{
		"id": s.botID, "is_bot": true, "first_name": "Fake Bot", "username": "fake_bot",
		"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
	}
}

func (s *Server) getMe(context.Context, map[string]string, map[string]File) (any, *apiError) {
	return s.botUser(), nil
}

func chatParam(p map[string]string) (int64, *apiError) {
	return parseChatID(p["chat_id"])
}

func parseChatID(v string) (int64, *apiError) {
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}

// keyboard decodes reply_markup; "null" (a nil value in v5.5.1) and
// absence mean none.
func keyboard(p map[string]string) ([][]Button, *apiError) {
	raw, ok := p["reply_markup"]
	return parseKeyboard(raw, ok)
}

// parseKeyboard decodes a reply_markup value; present says it was sent.
func parseKeyboard(raw string, present bool) ([][]Button, *apiError) {
	if !present || raw == "null" {
		return nil, nil
	}
	var m struct {
		InlineKeyboard [][]Button `json:"inline_keyboard"`
	}
	if rows, ok := fastKeyboard(raw); ok {
		m.InlineKeyboard = rows
	} else if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, badRequest("text buttons are unallowed in the inline keyboard")
			}
			if b.URL == "" && (b.CallbackData == "" || len(b.CallbackData) > 64) {
				return nil, badRequest("BUTTON_DATA_INVALID")
			}
		}
	}
	return m.InlineKeyboard, nil
}

// utf16Len counts UTF-16 code units, the unit of Telegram's limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

func checkText(text string, limit int) *apiError {
	if strings.TrimSpace(text) == "" {
		return badRequest("message text is empty")
	}
	// Valid UTF-8 and its length in UTF-16 units, in one pass.
	n := 0
	for i := 0; i < len(text); {
		if text[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size == 1 {
			return badRequest("strings must be encoded in UTF-8")
		}
		n += utf16Units(r)
		i += size
	}
	if n > limit {
		return badRequest("message is too long")
	}
	return nil
}

func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

func (s *Server) messageJSON(m *Message) map[string]any {
	out := map[string]any{
		"message_id": m.ID,
		"from":       s.botUser(),
		"chat":       chat(m.ChatID),
		"date":       m.Time.Unix(),
	}
	if m.Text != "" {
		out["text"] = m.Text
	}
	if m.Caption != "" {
		out["caption"] = m.Caption
	}
	if len(m.Buttons) > 0 {
		out["reply_markup"] = map[string]any{"inline_keyboard": m.Buttons}
	}
	if m.Document != nil {
		out["document"] = map[string]any{
			"file_id": m.Document.ID, "file_unique_id": "U" + m.Document.ID,
			"file_name": m.Document.Name, "file_size": len(m.Document.Bytes),
		}
	}
	if m.Edits > 0 {
		out["edit_date"] = time.Now().Unix()
	}
	return out
}

func (s *Server) store(m *Message) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keep(m)
	return s.messageJSON(m)
}

// keep numbers a new message and keeps it. Called with s.mu held.
func (s *Server) keep(m *Message) {
	s.nextMessage++
	m.ID = s.nextMessage
	m.Time = time.Now()
	s.messages[m.ChatID] = append(s.messages[m.ChatID], m)
	if n := len(s.messages[m.ChatID]); s.lean.Load() && n > leanMessages {
		s.messages[m.ChatID] = slices.Delete(s.messages[m.ChatID], 0, n-leanMessages)
	}
	s.notify()
}

func (s *Server) sendMessage(_ context.Context, p map[string]string, _ map[string]File) (any, *apiError) {
	chatID, aerr := chatParam(p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := checkText(p["text"], maxMessageText); aerr != nil {
		return nil, aerr
	}
	buttons, aerr := keyboard(p)
	if aerr != nil {
		return nil, aerr
	}
	return s.store(&Message{ChatID: chatID, Text: p["text"], Buttons: buttons}), nil
}

func (s *Server) sendDocument(_ context.Context, p map[string]string, files map[string]File) (any, *apiError) {
	chatID, aerr := chatParam(p)
	if aerr != nil {
		return nil, aerr
	}
	buttons, aerr := keyboard(p)
	if aerr != nil {
		return nil, aerr
	}
	if utf16Len(p["caption"]) > maxCaption {
		return nil, badRequest("message caption is too long")
	}
	var doc *File
	s.mu.Lock()
	if up, ok := files["document"]; ok {
		doc = s.putFile(up.Name, up.Bytes)
	} else if f, ok := s.files[p["document"]]; ok {
		doc = f
	}
	s.mu.Unlock()
	if doc == nil {
		return nil, badRequest("there is no document in the request")
	}
	return s.store(&Message{ChatID: chatID, Caption: p["caption"], Buttons: buttons, Document: doc}), nil
}

func (s *Server) editMessageText(_ context.Context, p map[string]string, _ map[string]File) (any, *apiError) {
	text := p["text"]
	if aerr := checkText(text, maxMessageText); aerr != nil {
		return nil, aerr
	}
	buttons, aerr := keyboard(p)
	if aerr != nil {
		return nil, aerr
	}
	if p["inline_message_id"] != "" {
		return true, nil
	}
	chatID, aerr := chatParam(p)
	if aerr != nil {
		return nil, aerr
	}
	id, err := strconv.Atoi(p["message_id"])
	if err != nil {
		return nil, badRequest("message identifier is not specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.edit(chatID, id, text, buttons)
	if aerr != nil {
		return nil, aerr
	}
	return s.messageJSON(m), nil
}

// edit replaces the text and buttons of a kept message. Called with s.mu held.
func (s *Server) edit(chatID int64, id int, text string, buttons [][]Button) (*Message, *apiError) {
	i := slices.IndexFunc(s.messages[chatID], func(m *Message) bool { return m.ID == id })
	if i < 0 {
		return nil, badRequest("message to edit not found")
	}
	m := s.messages[chatID][i]
	if m.Document != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	if m.Text == text && sameButtons(m.Buttons, buttons) {
		return nil, &apiError{code: http.StatusBadRequest, desc: NotModified}
	}
	m.Text, m.Buttons = text, buttons
	m.Edits++
	s.notify()
	return m, nil
}

func sameButtons(a, b [][]Button) bool {
	return slices.EqualFunc(a, b, func(x, y []Button) bool { return slices.Equal(x, y) })
}

func (s *Server) answerCallbackQuery(_ context.Context, p map[string]string, _ map[string]File) (any, *apiError) {
	if p["callback_query_id"] == "" {
		return nil, &apiError{code: http.StatusBadRequest, desc: QueryTooOld}
	}
	if utf16Len(p["text"]) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	return true, nil
}

func (s *Server) getFile(_ context.Context, p map[string]string, _ map[string]File) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[p["file_id"]]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	for path, id := range s.paths {
		if id == f.ID {
			return map[string]any{"file_id": f.ID, "file_unique_id": "U" + f.ID, "file_size": len(f.Bytes), "file_path": path}, nil
		}
	}
	return nil, badRequest("invalid file_id")
}

func (s *Server) download(w http.ResponseWriter, _ *http.Request, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	if token != s.token {
		writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	s.mu.Lock()
	f, ok := s.files[s.paths[path]]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Bytes)))
	_, _ = w.Write(f.Bytes)
}

func (s *Server) setWebhook(_ context.Context, p map[string]string, _ map[string]File) (any, *apiError) {
	url := p["url"]
	if url == "" {
		return s.deleteWebhook(context.Background(), p, nil)
	}
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL, s.secret = url, p["secret_token"]
	s.setAllowed(p)
	if !s.pushing {
		s.pushing = true
		go s.push()
	}
	s.notify()
	return true, nil
}

func (s *Server) deleteWebhook(_ context.Context, p map[string]string, _ map[string]File) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL, s.secret = "", ""
	if p["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	s.notify()
	return true, nil
}

func (s *Server) getWebhookInfo(context.Context, map[string]string, map[string]File) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]any{"url": s.webhookURL, "has_custom_certificate": false, "pending_update_count": len(s.updates)}, nil
}

// setAllowed keeps allowed_updates when given; omitted (or v5.5.1's "null")
// keeps the previous setting, as Telegram does. Called with s.mu held.
func (s *Server) setAllowed(p map[string]string) {
	var allowed []string
	if raw, ok := p["allowed_updates"]; ok && json.Unmarshal([]byte(raw), &allowed) == nil && allowed != nil {
		s.allowed = allowed
	}
}

// getUpdates confirms the updates below offset, then returns the next ones,
// waiting up to timeout seconds for one to arrive.
func (s *Server) getUpdates(ctx context.Context, p map[string]string, _ map[string]File) (any, *apiError) {
	offset, _ := strconv.ParseInt(p["offset"], 10, 64)
	timeout, _ := strconv.Atoi(p["timeout"])
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	deadline := time.NewTimer(time.Duration(max(timeout, 0)) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	if s.webhookURL != "" {
		s.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, desc: webhookIsSet}
	}
	s.setAllowed(p)
	s.confirm(offset)
	s.mu.Unlock()
	for {
		s.mu.Lock()
		var out []json.RawMessage
		for _, u := range s.updates {
			if len(out) == limit {
				break
			}
			out = append(out, u.raw)
		}
		changed := s.watch()
		s.mu.Unlock()
		if len(out) > 0 || timeout <= 0 {
			return append([]json.RawMessage{}, out...), nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return []json.RawMessage{}, nil
		case <-ctx.Done():
			return []json.RawMessage{}, nil
		}
	}
}

// confirm forgets the updates an offset confirms, and those of types not
// allowed (Telegram never queues them). Called with s.mu held.
func (s *Server) confirm(offset int64) {
	before := len(s.updates)
	s.updates = slices.DeleteFunc(s.updates, func(u queued) bool {
		return (offset > 0 && u.id < offset) || (len(s.allowed) > 0 && !slices.Contains(s.allowed, u.kind))
	})
	if offset < 0 && int64(len(s.updates)) > -offset {
		s.updates = s.updates[int64(len(s.updates))+offset:]
	}
	if len(s.updates) != before {
		s.notify()
	}
}

// control is the local-development API.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_fake/updates":
		var update map[string]any
		if r.Method != http.MethodPost || json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&update) != nil || len(update) == 0 {
			writeError(w, http.StatusBadRequest, "Bad Request: POST an update object", 0)
			return
		}
		delete(update, "update_id")
		if len(update) != 1 {
			writeError(w, http.StatusBadRequest, "Bad Request: an update has one field besides update_id", 0)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": s.AddUpdate(update)})
	case "/_fake/text":
		chatID, err := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
		if r.Method != http.MethodPost || err != nil || chatID == 0 || r.FormValue("text") == "" {
			writeError(w, http.StatusBadRequest, "Bad Request: POST chat_id and text", 0)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": s.UserText(chatID, r.FormValue("text"))})
	case "/_fake/messages":
		chatID, _ := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
		var out []map[string]any
		for _, m := range s.MessagesTo(chatID) {
			out = append(out, s.messageJSON(&m))
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": out})
	case "/_fake/calls":
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": s.Calls(r.FormValue("method"))})
	default:
		writeError(w, http.StatusNotFound, "Not Found", 0)
	}
}
