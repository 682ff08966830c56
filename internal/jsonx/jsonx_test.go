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
		`{"o":{"a":{"b":[]},"c":"x"},"l":[[1,"]"],{"k":null},[],"\u00e9",true]}`, `{"o":{"a":1,"a":{}}}`,
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
			checkValidReaders(t, val)
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

// checkValidReaders reads val, which Members gave, with ValidMembers or
// ValidElements, all the way down: what they read, encoding/json reads
// the same.
func checkValidReaders(t *testing.T, val []byte) {
	t.Helper()
	switch val[0] {
	case '{':
		var ref map[string]json.RawMessage
		if err := json.Unmarshal(val, &ref); err != nil {
			t.Fatalf("%s: %v", val, err)
		}
		got := map[string]json.RawMessage{}
		if ValidMembers(val, func(key, v []byte) bool {
			got[string(key)] = append(json.RawMessage(nil), v...)
			return true
		}) && !reflect.DeepEqual(got, ref) {
			t.Fatalf("%s: ValidMembers read %v, want %v", val, got, ref)
		}
		for _, v := range got {
			checkValidReaders(t, v)
		}
	case '[':
		var ref []json.RawMessage
		if err := json.Unmarshal(val, &ref); err != nil {
			t.Fatalf("%s: %v", val, err)
		}
		got := []json.RawMessage{}
		if ValidElements(val, func(v []byte) bool {
			got = append(got, append(json.RawMessage(nil), v...))
			return true
		}) && !reflect.DeepEqual(got, ref) {
			t.Fatalf("%s: ValidElements read %v, want %v", val, got, ref)
		}
		for _, v := range got {
			checkValidReaders(t, v)
		}
	}
}

// The Valid readers read compact JSON whole, and stop where f does.
func TestValidReaders(t *testing.T) {
	var keys []string
	if !ValidMembers([]byte(`{"a":{"b":[1,{"c":"}]"}]},"d":[]}`), func(key, val []byte) bool {
		keys = append(keys, string(key)+"="+string(val))
		return true
	}) || !reflect.DeepEqual(keys, []string{`a={"b":[1,{"c":"}]"}]}`, "d=[]"}) {
		t.Errorf("ValidMembers read %q", keys)
	}
	var elems []string
	if !ValidElements([]byte(`[[1,2],{"a":"]"},"x",-3,null]`), func(val []byte) bool {
		elems = append(elems, string(val))
		return true
	}) || !reflect.DeepEqual(elems, []string{"[1,2]", `{"a":"]"}`, `"x"`, "-3", "null"}) {
		t.Errorf("ValidElements read %q", elems)
	}
	if !ValidElements([]byte(`[]`), func([]byte) bool { return false }) {
		t.Error("empty array not read")
	}
	if ValidElements([]byte(`[1,2]`), func(val []byte) bool { return string(val) == "1" }) {
		t.Error("ValidElements went on after f returned false")
	}
	for _, s := range []string{`[1, 2]`, `[1,2] `, `{}`, `[`, `[1`} {
		if ValidElements([]byte(s), func([]byte) bool { return true }) {
			t.Errorf("ValidElements read %s", s)
		}
	}
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
