package store

import (
	"encoding/json"
	"errors"

	"hocvuso/bot"
	"hocvuso/internal/jsonx"
)

// The conversation record and the outbox are written on every update and
// the record read on every update: they are written here by hand, and the
// record read by hand, in exactly the JSON encoding/json gives them (the
// struct tags of bot.Session, bot.Outgoing, bot.Target, bot.Reply and
// bot.Button), which it reads back unchanged: records written before, and
// anything unusual, are read by encoding/json. The tests hold every field
// of these types to the codec.

var errBadData = errors.New("store: session data is not valid JSON")

// appendSession appends s as json.Marshal writes it.
func appendSession(b []byte, s *bot.Session) ([]byte, error) {
	b = append(b, '{')
	if s.UserID != 0 {
		b = jsonx.AppendInt(b, "u", s.UserID)
	}
	if s.Lang != "" {
		b = jsonx.AppendStringField(b, "l", s.Lang)
	}
	if s.Flow != "" {
		b = jsonx.AppendStringField(b, "f", s.Flow)
	}
	if s.Step != "" {
		b = jsonx.AppendStringField(b, "s", s.Step)
	}
	if s.Screen != 0 {
		b = jsonx.AppendInt(b, "n", int64(s.Screen))
	}
	if s.Blocked {
		b = append(jsonx.AppendKey(b, "x"), "true"...)
	}
	if s.LastSeen != 0 {
		b = jsonx.AppendInt(b, "t", s.LastSeen)
	}
	if len(s.Data) > 0 {
		// json.Marshal refuses a RawMessage that is not JSON.
		if !json.Valid(s.Data) {
			return nil, errBadData
		}
		b = append(jsonx.AppendKey(b, "d"), s.Data...)
	}
	return append(b, '}'), nil
}

// decodeSession reads a record into s as json.Unmarshal does. s.Data may
// share b's memory.
func decodeSession(b []byte, s *bot.Session) error {
	var r bot.Session
	ok := jsonx.Members(b, func(key string, val []byte) bool {
		var ok bool
		var n int64
		switch key {
		case "u":
			r.UserID, ok = jsonx.Int(val)
		case "l":
			r.Lang, ok = jsonx.String(val)
		case "f":
			r.Flow, ok = jsonx.String(val)
		case "s":
			r.Step, ok = jsonx.String(val)
		case "n":
			n, ok = jsonx.Int(val)
			r.Screen = int(n)
			ok = ok && int64(r.Screen) == n
		case "x":
			r.Blocked, ok = jsonx.Bool(val)
		case "t":
			r.LastSeen, ok = jsonx.Int(val)
		case "d":
			r.Data, ok = json.RawMessage(val[:len(val):len(val)]), true
		}
		return ok
	})
	if !ok {
		return json.Unmarshal(b, s)
	}
	r.Version, r.Lost = s.Version, s.Lost
	*s = r
	return nil
}

// appendOutbox appends the replies as json.Marshal writes them. A reply
// with a document (rare: certificates, exports) and a command menu (a role
// gained or lost) are left to encoding/json: ok is false.
func appendOutbox(b []byte, out []bot.Outgoing) (_ []byte, ok bool) {
	if out == nil {
		return append(b, "null"...), true
	}
	b = append(b, '[')
	for i := range out {
		o := &out[i]
		if o.Reply.Document != nil || o.Menu != nil {
			return b, false
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(jsonx.AppendKey(append(b, '{'), "t"), '{')
		b = jsonx.AppendStringField(b, "Channel", string(o.Target.Channel))
		b = jsonx.AppendStringField(b, "ChatID", o.Target.ChatID)
		b = jsonx.AppendStringField(b, "EditMessageID", o.Target.EditMessageID)
		if o.Target.Lang != "" {
			b = jsonx.AppendStringField(b, "Lang", o.Target.Lang)
		}
		if o.Target.Screen != 0 {
			b = jsonx.AppendInt(b, "Screen", int64(o.Target.Screen))
		}
		if o.Target.UpdateID != "" {
			b = jsonx.AppendStringField(b, "UpdateID", o.Target.UpdateID)
		}
		b = append(jsonx.AppendKey(append(b, '}'), "r"), '{')
		r := &o.Reply
		if r.Text != "" {
			b = jsonx.AppendStringField(b, "t", r.Text)
		}
		if len(r.Buttons) > 0 {
			b = append(jsonx.AppendKey(b, "b"), '[')
			for j, row := range r.Buttons {
				if j > 0 {
					b = append(b, ',')
				}
				if row == nil {
					b = append(b, "null"...)
					continue
				}
				b = append(b, '[')
				for k, btn := range row {
					if k > 0 {
						b = append(b, ',')
					}
					b = append(b, '{')
					b = jsonx.AppendStringField(b, "l", btn.Label)
					b = jsonx.AppendStringField(b, "d", btn.Data)
					b = append(b, '}')
				}
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		if r.Edit {
			b = append(jsonx.AppendKey(b, "e"), "true"...)
		}
		if r.Number {
			b = append(jsonx.AppendKey(b, "n"), "true"...)
		}
		b = append(b, '}', '}')
	}
	return append(b, ']'), true
}

// encodeOutbox returns the outbox's JSON after prefix.
func encodeOutbox(prefix string, out []bot.Outgoing) ([]byte, error) {
	return appendOutboxMark(make([]byte, 0, 1024), prefix, out)
}

// appendOutboxMark appends prefix and the outbox's JSON to b.
func appendOutboxMark(b []byte, prefix string, out []bot.Outgoing) ([]byte, error) {
	start := len(b)
	b = append(b, prefix...)
	if b, ok := appendOutbox(b, out); ok {
		return b, nil
	}
	j, err := json.Marshal(out)
	if err != nil {
		return b[:start], err
	}
	return append(b[:start+len(prefix)], j...), nil
}
