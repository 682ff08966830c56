package fakeapi

import (
	"bytes"
	"encoding/json"
	"hocvuso/internal/jsonx"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The lean fast path: a load run makes tens of thousands of sendMessage,
// editMessageText and answerCallbackQuery calls a second, and the general
// path (url.Values, a map per call, a reflective JSON encoding of the
// result) would cost the load tool more CPU than the bot it measures. A lean
// server answers these three methods here, with the same checks and the
// same effects on the kept messages, and a smaller but valid result: a
// Message with message_id, from, chat, date and text (what go-telegram-bot-api
// v5.5.1 and Telegram's documentation require), or true. Anything else, or
// any call while a Fault is installed, takes the general path.

// leanMethod is a method the fast path answers.
type leanMethod uint8

const (
	leanSend leanMethod = iota + 1
	leanEdit
	leanAnswer
)

// leanForm holds the fields of a form the fast path reads.
type leanForm struct {
	chatID, text, markup, messageID, inlineID, callbackID string
	method                                                string // in a webhook response
	hasMarkup                                             bool
}

// leanBufs recycles request and response buffers.
var leanBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

var (
	jsonContentType = []string{"application/json"}
	leanTrue        = []byte(`{"ok":true,"result":true}`)
)

// leanMethodOf names the fast path's method, or 0.
func leanMethodOf(method string) leanMethod {
	switch {
	case strings.EqualFold(method, "sendMessage"):
		return leanSend
	case strings.EqualFold(method, "editMessageText"):
		return leanEdit
	case strings.EqualFold(method, "answerCallbackQuery"):
		return leanAnswer
	}
	return 0
}

// leanAPI answers a call on the fast path and reports whether it did.
func (s *Server) leanAPI(w http.ResponseWriter, r *http.Request, method string) bool {
	m := leanMethodOf(method)
	if m == 0 || s.nfaults.Load() > 0 || r.ContentLength < 0 || r.ContentLength > 1<<20 ||
		r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.URL.RawQuery != "" {
		return false
	}
	bp := leanBufs.Get().(*[]byte)
	defer leanBufs.Put(bp)
	body := (*bp)[:0]
	if int64(cap(body)) < r.ContentLength {
		body = make([]byte, 0, r.ContentLength)
	}
	body = body[:r.ContentLength]
	if _, err := io.ReadFull(r.Body, body); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return true
	}
	out, aerr, ok := s.leanCall(m, body, body[:0])
	if !ok {
		// Something unusual (a bad escape, an escaped key...): the general
		// path reads it again and answers as it always does.
		r.Body = io.NopCloser(bytes.NewReader(bytes.Clone(body)))
		return false
	}
	if aerr != nil {
		writeError(w, aerr.code, aerr.desc, aerr.retryAfter)
		return true
	}
	w.Header()["Content-Type"] = jsonContentType
	_, _ = w.Write(out)
	*bp = out[:0]
	return true
}

// leanCall answers a form body on the fast path: the result appended to
// out, or the API error. It reports false, having done nothing, for a body
// the general path must read. out may share body's array: body is parsed
// before anything is appended.
func (s *Server) leanCall(m leanMethod, body, out []byte) ([]byte, *apiError, bool) {
	f, ok := parseLeanForm(body)
	if !ok {
		return out, nil, false
	}
	out, aerr := s.leanCallForm(m, &f, out)
	return out, aerr, true
}

// leanCallForm answers a parsed form on the fast path.
func (s *Server) leanCallForm(m leanMethod, f *leanForm, out []byte) ([]byte, *apiError) {
	var aerr *apiError
	switch m {
	case leanSend:
		out, aerr = s.leanSend(out, f)
	case leanEdit:
		out, aerr = s.leanEdit(out, f)
	case leanAnswer:
		if aerr = leanAnswerCheck(f); aerr == nil {
			out = append(out, leanTrue...)
		}
	}
	return out, aerr
}

// parseLeanForm reads the fields the fast path needs from a form body, the
// first value of each, as url.ParseQuery would. It reports false for any body
// url.ParseQuery would find fault with, and for escaped keys: those are left
// to the general path.
func parseLeanForm(body []byte) (leanForm, bool) {
	var f leanForm
	seen := 0
	if indexByte(body, ';') >= 0 {
		return f, false
	}
	for len(body) > 0 {
		var pair []byte
		if i := indexByte(body, '&'); i >= 0 {
			pair, body = body[:i], body[i+1:]
		} else {
			pair, body = body, nil
		}
		if len(pair) == 0 {
			continue
		}
		key, val := pair, []byte(nil)
		if i := indexByte(pair, '='); i >= 0 {
			key, val = pair[:i], pair[i+1:]
		}
		if indexByte(key, '%') >= 0 || indexByte(key, '+') >= 0 {
			return f, false
		}
		var dst *string
		var bit int
		switch string(key) { // no allocation: the compiler compares in place
		case "chat_id":
			dst, bit = &f.chatID, 1
		case "text":
			dst, bit = &f.text, 2
		case "reply_markup":
			dst, bit = &f.markup, 4
			f.hasMarkup = true
		case "message_id":
			dst, bit = &f.messageID, 8
		case "inline_message_id":
			dst, bit = &f.inlineID, 16
		case "callback_query_id":
			dst, bit = &f.callbackID, 32
		case "method":
			dst, bit = &f.method, 64
		}
		if dst == nil || seen&bit != 0 {
			// Not needed, or not the first value: only checked.
			if indexByte(val, '%') >= 0 {
				if _, err := url.QueryUnescape(string(val)); err != nil {
					return f, false
				}
			}
			continue
		}
		seen |= bit
		v, err := unescapeForm(val)
		if err != nil {
			return f, false
		}
		*dst = v
	}
	return f, true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// unescapeForm decodes a form value as url.QueryUnescape does, in one pass
// and one allocation; values without escapes are copied as they are.
func unescapeForm(v []byte) (string, error) {
	i := 0
	for i < len(v) && v[i] != '%' && v[i] != '+' {
		i++
	}
	if i == len(v) {
		return string(v), nil
	}
	var stack [1024]byte
	out := append(stack[:0], v[:i]...)
	for ; i < len(v); i++ {
		switch c := v[i]; c {
		case '+':
			out = append(out, ' ')
		case '%':
			if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
				// url.QueryUnescape's own error, for the same input.
				return url.QueryUnescape(string(v))
			}
			out = append(out, unhex(v[i+1])<<4|unhex(v[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return string(out), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func (s *Server) leanSend(out []byte, f *leanForm) ([]byte, *apiError) {
	chatID, aerr := parseChatID(f.chatID)
	if aerr != nil {
		return out, aerr
	}
	if aerr := checkText(f.text, maxMessageText); aerr != nil {
		return out, aerr
	}
	buttons, aerr := parseKeyboard(f.markup, f.hasMarkup)
	if aerr != nil {
		return out, aerr
	}
	m := &Message{ChatID: chatID, Text: f.text, Buttons: buttons}
	s.mu.Lock()
	s.keep(m)
	id, date := m.ID, m.Time.Unix()
	s.mu.Unlock()
	return s.appendLeanMessage(out, id, chatID, date, f.text), nil
}

func (s *Server) leanEdit(out []byte, f *leanForm) ([]byte, *apiError) {
	if aerr := checkText(f.text, maxMessageText); aerr != nil {
		return out, aerr
	}
	buttons, aerr := parseKeyboard(f.markup, f.hasMarkup)
	if aerr != nil {
		return out, aerr
	}
	if f.inlineID != "" {
		return append(out, leanTrue...), nil
	}
	chatID, aerr := parseChatID(f.chatID)
	if aerr != nil {
		return out, aerr
	}
	id, err := strconv.Atoi(f.messageID)
	if err != nil {
		return out, badRequest("message identifier is not specified")
	}
	s.mu.Lock()
	m, aerr := s.edit(chatID, id, f.text, buttons)
	var date int64
	if aerr == nil {
		date = m.Time.Unix()
	}
	s.mu.Unlock()
	if aerr != nil {
		return out, aerr
	}
	out = s.appendLeanMessage(out, id, chatID, date, f.text)
	// An edited message says when: insert edit_date before the closing braces.
	out = out[:len(out)-2]
	out = append(out, `,"edit_date":`...)
	out = strconv.AppendInt(out, time.Now().Unix(), 10)
	return append(out, "}}"...), nil
}

func leanAnswerCheck(f *leanForm) *apiError {
	if f.callbackID == "" {
		return &apiError{code: http.StatusBadRequest, desc: QueryTooOld}
	}
	if utf16Len(f.text) > 200 {
		return badRequest("MESSAGE_TOO_LONG")
	}
	return nil
}

// appendLeanMessage appends {"ok":true,"result":<Message>}.
func (s *Server) appendLeanMessage(out []byte, id int, chatID, date int64, text string) []byte {
	out = append(out, `{"ok":true,"result":{"message_id":`...)
	out = strconv.AppendInt(out, int64(id), 10)
	out = append(out, `,"from":{"id":`...)
	out = strconv.AppendInt(out, s.botID, 10)
	out = append(out, `,"is_bot":true,"first_name":"Fake Bot","username":"fake_bot"},"chat":{"id":`...)
	out = strconv.AppendInt(out, chatID, 10)
	if chatID < 0 {
		out = append(out, `,"type":"supergroup","title":"Group"},"date":`...)
	} else {
		out = append(out, `,"type":"private"},"date":`...)
	}
	out = strconv.AppendInt(out, date, 10)
	out = append(out, `,"text":`...)
	out = jsonx.AppendString(out, text)
	return append(out, "}}"...)
}

// fastKeyboard reads an inline keyboard as go-telegram-bot-api marshals it,
// {"inline_keyboard":[[{"text":"…","callback_data":"…"},…],…]}, without
// reflection. It reports false for anything else (other fields, white
// space, null rows...), which parseKeyboard then reads with encoding/json.
func fastKeyboard(raw string) ([][]Button, bool) {
	const head = `{"inline_keyboard":[`
	if !strings.HasPrefix(raw, head) {
		return nil, false
	}
	p := raw[len(head):]
	rows := [][]Button{}
	for {
		if p == "]}" {
			return rows, true
		}
		if len(rows) > 0 {
			if p == "" || p[0] != ',' {
				return nil, false
			}
			p = p[1:]
		}
		if p == "" || p[0] != '[' {
			return nil, false
		}
		p = p[1:]
		row := []Button{}
		for len(p) > 0 && p[0] != ']' {
			if len(row) > 0 {
				if p[0] != ',' {
					return nil, false
				}
				p = p[1:]
			}
			var b Button
			var ok bool
			if b, p, ok = fastButton(p); !ok {
				return nil, false
			}
			row = append(row, b)
		}
		if p == "" {
			return nil, false
		}
		p = p[1:] // ]
		rows = append(rows, row)
	}
}

// fastButton reads {"text":"…","callback_data":"…"} (url instead of, or
// besides, callback_data) at the start of p.
func fastButton(p string) (Button, string, bool) {
	var b Button
	if p == "" || p[0] != '{' {
		return b, p, false
	}
	p = p[1:]
	seen := 0
	for {
		var key, val string
		var ok bool
		if key, p, ok = fastString(p); !ok || p == "" || p[0] != ':' {
			return b, p, false
		}
		if val, p, ok = fastString(p[1:]); !ok {
			return b, p, false
		}
		var bit int
		switch key {
		case "text":
			b.Text, bit = val, 1
		case "callback_data":
			b.CallbackData, bit = val, 2
		case "url":
			b.URL, bit = val, 4
		default:
			return b, p, false
		}
		if seen&bit != 0 {
			return b, p, false // a repeated key: encoding/json decides
		}
		seen |= bit
		if p == "" {
			return b, p, false
		}
		switch p[0] {
		case ',':
			p = p[1:]
		case '}':
			return b, p[1:], true
		default:
			return b, p, false
		}
	}
}

// fastString reads a JSON string at the start of p; one with escapes is
// decoded by encoding/json.
func fastString(p string) (string, string, bool) {
	if p == "" || p[0] != '"' {
		return "", p, false
	}
	escaped := false
	for i := 1; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			escaped = true
			i++
		case c < 0x20:
			return "", p, false
		case c == '"':
			if !escaped {
				s := p[1:i]
				if !utf8.ValidString(s) {
					return "", p, false
				}
				return s, p[i+1:], true
			}
			var s string
			if json.Unmarshal([]byte(p[:i+1]), &s) != nil {
				return "", p, false
			}
			return s, p[i+1:], true
		}
	}
	return "", p, false
}
