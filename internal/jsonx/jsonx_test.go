package jsonx

import (
	"encoding/json"
	"reflect"
	"testing"
)

// What AppendString writes reads back as json.Marshal's output does:
// the same string, invalid UTF-8 replaced.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "Câu 3/10", "a\"b\\c\n\t\r\x01\x1f", "bad \xff\xfe utf-8", "🙂 \u200d \u2028 <&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendString([]byte("x"), s)[1:]
		var got, want string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q written as %s, unreadable: %v", s, out, err)
		}
		ref, _ := json.Marshal(s)
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%q reads back as %q, want %q", s, got, want)
		}
	})
}

// Members reads an object as encoding/json does, member by member, or
// reports false; the scalar readers agree with encoding/json or report false.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"u":12,"l":"vi","x":true,"d":{"a":[1,2,{"b":"}"}],"c":"\"]"}}`, `{"q":["a","b"],"m":[3,-4],"n":null}`,
		`{ "u": 1 }`, `{"u":1.5e3}`, `{"s":"a\u00e9"}`, `[1]`, `{"a":1,"a":2}`, `{"k":"v"} `, `{"a":[]}`, `{"n":-0}`,
		`{"big":99999999999999999999}`, `{"a":"\\"}`, `{"U":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, obj []byte) {
		var ref map[string]json.RawMessage
		refErr := json.Unmarshal(obj, &ref)
		got := map[string]json.RawMessage{}
		ok := Members(obj, func(key string, val []byte) bool {
			got[key] = append(json.RawMessage(nil), val...)
			return true
		})
		if !ok {
			return
		}
		if refErr != nil {
			t.Fatalf("%s read although encoding/json fails: %v", obj, refErr)
		}
		if !reflect.DeepEqual(got, ref) {
			t.Fatalf("%s read as %v, want %v", obj, got, ref)
		}
		for key, val := range got {
			if s, ok := String(val); ok {
				var want string
				if err := json.Unmarshal(val, &want); err != nil || s != want {
					t.Fatalf("%s: String = %q, encoding/json %q %v", key, s, want, err)
				}
			}
			if n, ok := Int(val); ok {
				var want int64
				if err := json.Unmarshal(val, &want); err != nil || n != want {
					t.Fatalf("%s: Int = %d, encoding/json %d %v", key, n, want, err)
				}
			}
			if b, ok := Bool(val); ok {
				var want bool
				if err := json.Unmarshal(val, &want); err != nil || b != want {
					t.Fatalf("%s: Bool = %v, encoding/json %v %v", key, b, want, err)
				}
			}
			if ss, ok := Strings(val, nil, nil); ok {
				var want []string
				if err := json.Unmarshal(val, &want); err != nil || !reflect.DeepEqual(ss, want) {
					t.Fatalf("%s: Strings = %#v, encoding/json %#v %v", key, ss, want, err)
				}
				// Interned strings read the same.
				interned, ok := Strings(val, nil, func(b []byte) (string, bool) {
					if len(b)%2 == 0 {
						return string(b), true
					}
					return "", false
				})
				if !ok || !reflect.DeepEqual(interned, want) {
					t.Fatalf("%s: interned Strings = %#v, want %#v", key, interned, want)
				}
			}
			if ns, ok := Ints(val, nil); ok {
				var want []int
				if err := json.Unmarshal(val, &want); err != nil || !reflect.DeepEqual(ns, want) {
					t.Fatalf("%s: Ints = %#v, encoding/json %#v %v", key, ns, want, err)
				}
			}
		}
	})
}

func TestAppendFields(t *testing.T) {
	b := []byte{'{'}
	b = AppendInt(b, "u", -12)
	b = AppendStringField(b, "l", "vi")
	b = AppendKey(b, "q")
	b = append(b, '[')
	b = AppendString(b, "a")
	b = append(b, ']', '}')
	if string(b) != `{"u":-12,"l":"vi","q":["a"]}` {
		t.Errorf("%s", b)
	}
}
