package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"hocvuso/bot"
)

// The calls made for every update (sendMessage, editMessageText,
// answerCallbackQuery) are posted here rather than through the library,
// whose Request builds a map of parameters, marshals the keyboard by
// reflection, sorts and escapes the map into a form, and decodes the whole
// answer into a RawMessage copy: under load that was a fifth of the bot's
// CPU. The wire format is the one the library uses (a form, nested objects
// as JSON) and errors are the library's (*tgbotapi.Error with the code,
// description and retry_after), so everything above this file, and the
// Bot API, sees no difference.

// form is the body of a Bot API call, application/x-www-form-urlencoded.
type form []byte

func (f form) add(key, value string) form {
	if len(f) > 0 {
		f = append(f, '&')
	}
	f = append(f, key...)
	f = append(f, '=')
	return appendQueryEscape(f, value)
}

func (f form) addInt(key string, v int64) form {
	if len(f) > 0 {
		f = append(f, '&')
	}
	f = append(f, key...)
	f = append(f, '=')
	return strconv.AppendInt(f, v, 10)
}

// addKeyboard adds rows of buttons as reply_markup, an inline keyboard;
// empty rows are left out, and no rows at all means no keyboard.
func (f form) addKeyboard(rows [][]bot.Button) form {
	jp := jsonBufs.Get().(*[]byte)
	j := append((*jp)[:0], `{"inline_keyboard":[`...)
	n := 0
	for _, row := range rows {
		if len(row) == 0 {
			continue
		}
		if n > 0 {
			j = append(j, ',')
		}
		n++
		j = append(j, '[')
		for i, b := range row {
			if i > 0 {
				j = append(j, ',')
			}
			j = append(j, `{"text":`...)
			j = appendJSONString(j, b.Label)
			j = append(j, `,"callback_data":`...)
			j = appendJSONString(j, b.Data)
			j = append(j, '}')
		}
		j = append(j, ']')
	}
	j = append(j, "]}"...)
	if n > 0 {
		if len(f) > 0 {
			f = append(f, '&')
		}
		f = append(f, "reply_markup="...)
		f = appendQueryEscape(f, string(j))
	}
	*jp = j
	jsonBufs.Put(jp)
	return f
}

var (
	jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}
	respBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

	formContentType = []string{"application/x-www-form-urlencoded"}
)

// maxAnswer bounds the answer read for a call; the Bot API's are small.
const maxAnswer = 1 << 20

// post makes one Bot API call with a form body and returns nil when the
// API answered ok. Errors are as the library's MakeRequest gives them
// (through ctxClient): *tgbotapi.Error for an answer with ok false,
// *statusError for a non-JSON error page, transport errors redacted.
func (c *Client) post(ctx context.Context, method string, body form) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/bot"+c.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return c.redact(err)
	}
	req.Header["Content-Type"] = formContentType
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.redact(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
			return &statusError{Code: resp.StatusCode, Status: resp.Status}
		}
	}
	buf := respBufs.Get().(*bytes.Buffer)
	defer respBufs.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, maxAnswer)); err != nil {
		return c.redact(err)
	}
	return answerError(buf.Bytes())
}

// answerError reads a Bot API answer as the library's MakeRequest does
// (the first JSON value, the result skipped): nil when ok, else the
// library's error.
func answerError(b []byte) error {
	var r struct {
		Ok          bool                         `json:"ok"`
		ErrorCode   int                          `json:"error_code"`
		Description string                       `json:"description"`
		Parameters  *tgbotapi.ResponseParameters `json:"parameters"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		// The library reads only the first value: what follows it does
		// not matter, and a decoding error is its error.
		r.Ok, r.ErrorCode, r.Description, r.Parameters = false, 0, "", nil
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(&r); err != nil {
			return err
		}
	}
	if r.Ok {
		return nil
	}
	e := &tgbotapi.Error{Code: r.ErrorCode, Message: r.Description}
	if r.Parameters != nil {
		e.ResponseParameters = *r.Parameters
	}
	return e
}

// appendQueryEscape appends s escaped as url.QueryEscape does.
func appendQueryEscape(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

// appendJSONString appends s as a JSON string, as encoding/json would
// (invalid UTF-8 as U+FFFD, and <, >, & escaped like json.Marshal does).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&15])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
