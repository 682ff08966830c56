// Package jsonx writes and reads the small JSON records of the hot path
// (the conversation record, the outbox, the quiz's state) without
// encoding/json's reflection, which costs more than the rest of an update's
// bookkeeping.
//
// What it writes, encoding/json reads back to the same values. What it
// reads is the JSON it writes, as encoding/json would read it; for anything
// else (white space, escapes, numbers that are not plain integers, null,
// keys in another case) its readers report false and the caller falls back
// to encoding/json, so the result is always encoding/json's.
package jsonx

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json writes it.
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
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
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendKey appends "key": after a comma unless b ends with '{' or '['.
// key must need no escaping.
func AppendKey(b []byte, key string) []byte {
	if n := len(b); n > 0 && b[n-1] != '{' && b[n-1] != '[' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// AppendInt appends "key":n.
func AppendInt(b []byte, key string, n int64) []byte {
	return strconv.AppendInt(AppendKey(b, key), n, 10)
}

// AppendStringField appends "key":"s".
func AppendStringField(b []byte, key, s string) []byte {
	return AppendString(AppendKey(b, key), s)
}

// Members calls f with the key and the raw value of each member of the
// JSON object obj, in order, and reports whether obj was read whole: false
// when obj is not valid JSON (encoding/json would fail too), when it is not
// an object written without white space, or when a key holds an escape; f
// returning false stops the reading, which then reports false. The values
// given to f are valid JSON.
func Members(obj []byte, f func(key string, val []byte) bool) bool {
	return json.Valid(obj) && ValidMembers(obj, func(key, val []byte) bool {
		return f(string(key), val)
	})
}

// ValidMembers is Members for an object known to be valid JSON (checked
// with json.Valid, or a value that Members or the Valid readers gave, or
// one nested in it), sparing the validation that reading each level of a
// nested document with Members would repeat over the same bytes. Given
// anything else, it may report true for what encoding/json rejects. The
// key is obj's bytes, which spares a string per key: switch on
// string(key), which allocates nothing, and copy it to keep it.
func ValidMembers(obj []byte, f func(key, val []byte) bool) bool {
	if len(obj) < 2 || obj[0] != '{' {
		return false
	}
	i := 1
	if obj[i] == '}' {
		return i+1 == len(obj)
	}
	for {
		key, next, ok := plainBytes(obj, i)
		if !ok || next >= len(obj) || obj[next] != ':' {
			return false
		}
		end, ok := skipValue(obj, next+1)
		if !ok || !f(key, obj[next+1:end]) {
			return false
		}
		if end >= len(obj) {
			return false
		}
		switch obj[end] {
		case ',':
			i = end + 1
		case '}':
			return end+1 == len(obj)
		default:
			return false
		}
	}
}

// ValidElements calls f with each element of the JSON array arr, in order,
// and reports whether arr was read whole: false when it is not an array
// written without white space, or when f returns false. Like ValidMembers,
// it is for a value known to be valid JSON.
func ValidElements(arr []byte, f func(val []byte) bool) bool {
	if len(arr) < 2 || arr[0] != '[' {
		return false
	}
	i := 1
	if arr[i] == ']' {
		return i+1 == len(arr)
	}
	for {
		end, ok := skipValue(arr, i)
		if !ok || !f(arr[i:end]) || end >= len(arr) {
			return false
		}
		switch arr[end] {
		case ',':
			i = end + 1
		case ']':
			return end+1 == len(arr)
		default:
			return false
		}
	}
}

// plainString reads the string starting at b[i] when it holds no escape
// and is valid UTF-8 (encoding/json would replace bad bytes); it returns it
// (sharing no memory with b) and the index after it. b is valid JSON: the
// string holds no control character.
func plainString(b []byte, i int) (string, int, bool) {
	s, next, ok := plainBytes(b, i)
	return string(s), next, ok
}

// plainBytes is plainString giving the string's bytes, b's own.
func plainBytes(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	ascii := true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\':
			return nil, i, false
		case c == '"':
			if !ascii && !utf8.Valid(b[i+1:j]) {
				return nil, i, false
			}
			return b[i+1 : j], j + 1, true
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, i, false
}

// skipValue returns the index after the value starting at b[i]. b is valid
// JSON; white space in or after the value makes it report false.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch b[i] {
	case '"':
		j, ok := skipString(b, i)
		return j, ok
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				var ok bool
				if j, ok = skipString(b, j); !ok {
					return j, false
				}
				j-- // the loop's j++ comes next
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			case ' ', '\t', '\n', '\r':
				return j, false
			}
		}
		return len(b), false
	}
	// A number or a literal.
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		if c := b[j]; c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			return j, false
		}
		j++
	}
	return j, j > i
}

// skipString returns the index after the string starting at b[i].
func skipString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(b), false
}

// String reads a raw value that is a string without escapes.
func String(val []byte) (string, bool) {
	s, next, ok := plainString(val, 0)
	return s, ok && next == len(val)
}

// Int reads a raw value that is an integer written plainly (no fraction,
// no exponent) within int64.
func Int(val []byte) (int64, bool) {
	i, neg := 0, false
	if len(val) > 0 && val[0] == '-' {
		i, neg = 1, true
	}
	if i == len(val) || len(val)-i > 18 { // 18 digits cannot overflow
		return 0, false
	}
	var n int64
	for ; i < len(val); i++ {
		c := val[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Bool reads a raw value that is true or false.
func Bool(val []byte) (bool, bool) {
	switch string(val) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Strings reads a raw value that is an array of strings without escapes,
// appending them to dst (give it dst[:0] to replace what it held). intern,
// when not nil, may give a string already held for the bytes of one,
// sparing its allocation.
func Strings(val []byte, dst []string, intern func(b []byte) (string, bool)) ([]string, bool) {
	if len(val) < 2 || val[0] != '[' {
		return dst, false
	}
	if dst == nil {
		dst = []string{} // as encoding/json: an array is never a nil slice
	}
	if string(val) == "[]" {
		return dst, true
	}
	i := 1
	for {
		var s string
		next, ok := i, false
		if intern != nil && i < len(val) && val[i] == '"' {
			if j := indexQuote(val, i+1); j > 0 {
				if s, ok = intern(val[i+1 : j]); ok {
					next = j + 1
				}
			}
		}
		if !ok {
			if s, next, ok = plainString(val, i); !ok || next >= len(val) {
				return dst, false
			}
		}
		if next >= len(val) {
			return dst, false
		}
		dst = append(dst, s)
		switch val[next] {
		case ',':
			i = next + 1
		case ']':
			return dst, next+1 == len(val)
		default:
			return dst, false
		}
	}
}

// indexQuote returns the index of the '"' ending the string whose content
// starts at b[i], or -1 when the string holds an escape.
func indexQuote(b []byte, i int) int {
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '\\':
			return -1
		case '"':
			return j
		}
	}
	return -1
}

// Ints reads a raw value that is an array of plain integers, appending them
// to dst (give it dst[:0] to replace what it held).
func Ints(val []byte, dst []int) ([]int, bool) {
	if len(val) < 2 || val[0] != '[' {
		return dst, false
	}
	if dst == nil {
		dst = []int{}
	}
	if string(val) == "[]" {
		return dst, true
	}
	i := 1
	for {
		j := i
		for j < len(val) && val[j] != ',' && val[j] != ']' {
			j++
		}
		n, ok := Int(val[i:j])
		if !ok || j >= len(val) || int64(int(n)) != n {
			return dst, false
		}
		dst = append(dst, int(n))
		if val[j] == ']' {
			return dst, j+1 == len(val)
		}
		i = j + 1
	}
}
