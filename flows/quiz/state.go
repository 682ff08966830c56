package quiz

import (
	"encoding/json"
	"strconv"

	"hocvuso/internal/jsonx"
)

// The attempt's state is read and written on every answer: by hand, in the
// JSON encoding/json gives it (its struct tags), which it reads back
// unchanged; anything else is read by encoding/json. The tests hold every
// field to the codec.

// appendJSON appends st as json.Marshal writes it.
func (st *state) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = jsonx.AppendInt(b, "a", st.ID)
	b = jsonx.AppendStringField(b, "v", st.Version)
	if st.Area != "" {
		b = jsonx.AppendStringField(b, "r", st.Area)
	}
	b = appendStrings(jsonx.AppendKey(b, "q"), st.IDs)
	b = appendStrings(jsonx.AppendKey(b, "o"), st.Orders)
	b = jsonx.AppendInt(b, "p", int64(st.Pos))
	b = jsonx.AppendInt(b, "s", int64(st.Score))
	if len(st.Missed) > 0 {
		b = append(jsonx.AppendKey(b, "m"), '[')
		for i, p := range st.Missed {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(p), 10)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonx.AppendString(b, s)
	}
	return append(b, ']')
}

// orders holds every option order an attempt can record (permutations of
// 2 to 4 options), so that reading one allocates nothing.
var orders = func() map[string]string {
	m := map[string]string{}
	var perm func(prefix string, left string)
	perm = func(prefix, left string) {
		if prefix != "" {
			m[prefix] = prefix
		}
		for i := range len(left) {
			perm(prefix+left[i:i+1], left[:i]+left[i+1:])
		}
	}
	for _, digits := range []string{"01", "012", "0123"} {
		perm("", digits)
	}
	return m
}()

func internOrder(b []byte) (string, bool) {
	s, ok := orders[string(b)]
	return s, ok
}

// decode reads st from a session's data as json.Unmarshal does. ids, when
// not nil, gives the bank's strings for question ids (Bank.InternID).
func (st *state) decode(data []byte, ids func([]byte) (string, bool)) error {
	var r state
	ok := jsonx.Members(data, func(key string, val []byte) bool {
		var ok bool
		var n int64
		switch key {
		case "a":
			r.ID, ok = jsonx.Int(val)
		case "v":
			r.Version, ok = jsonx.String(val)
		case "r":
			r.Area, ok = jsonx.String(val)
		case "q":
			if string(val) == "null" {
				r.IDs, ok = nil, true
			} else {
				r.IDs, ok = jsonx.Strings(val, r.IDs[:0], ids)
			}
		case "o":
			if string(val) == "null" {
				r.Orders, ok = nil, true
			} else {
				r.Orders, ok = jsonx.Strings(val, r.Orders[:0], internOrder)
			}
		case "p":
			n, ok = jsonx.Int(val)
			r.Pos = int(n)
		case "s":
			n, ok = jsonx.Int(val)
			r.Score = int(n)
		case "m":
			r.Missed, ok = jsonx.Ints(val, r.Missed[:0])
		}
		return ok
	})
	if !ok {
		return json.Unmarshal(data, st)
	}
	*st = r
	return nil
}
