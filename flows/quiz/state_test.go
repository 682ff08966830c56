package quiz

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Every field of the state is written by appendJSON and read by decode.
func TestStateCodecKnowsEveryField(t *testing.T) {
	typ := reflect.TypeOf(state{})
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !strings.Contains(" a v r q o p s m ", " "+name+" ") {
			t.Errorf("state.%s (json %q) is not in state.go's codec", typ.Field(i).Name, name)
		}
	}
}

func FuzzStateCodec(f *testing.F) {
	f.Add(int64(41), "3fa9c2", "4", "c4-2-otp c1-1-vneid", "201 0123", 1, 1, 3, true)
	f.Add(int64(0), "", "", "", "", 0, 0, 0, false)
	f.Add(int64(-5), "v\"\\\n", "\xff", "a  b", "x", -1, 1<<40, 2, true)
	f.Fuzz(func(t *testing.T, id int64, version, area, ids, orders string, pos, score, missed int, nilLists bool) {
		st := state{ID: id, Version: version, Area: area, IDs: strings.Split(ids, " "), Orders: strings.Split(orders, " "), Pos: pos, Score: score}
		if nilLists && ids == "" {
			st.IDs, st.Orders = nil, nil
		}
		for i := range missed % 5 {
			st.Missed = append(st.Missed, i*pos)
		}
		ours := st.appendJSON(nil)
		theirs, err := json.Marshal(&st)
		if err != nil {
			t.Fatal(err)
		}
		var want state
		if err := json.Unmarshal(theirs, &want); err != nil {
			t.Fatal(err)
		}
		var a state
		if err := json.Unmarshal(ours, &a); err != nil || !reflect.DeepEqual(a, want) {
			t.Fatalf("ours %s reads as %+v (%v); encoding/json's %s as %+v", ours, a, err, theirs, want)
		}
		for _, enc := range [][]byte{ours, theirs} {
			var got state
			if err := got.decode(enc, internEven); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("decode(%s) = %+v, %v; want %+v", enc, got, err, want)
			}
		}
	})
}

// Any session data is read as encoding/json reads it.
func FuzzStateDecode(f *testing.F) {
	for _, s := range []string{
		`{"a":41,"v":"3fa9","q":["c1","c2"],"o":["012","201"],"p":1,"s":1,"m":[0]}`,
		`{"a":1,"q":null,"o":[],"m":null}`, `{"a":"1"}`, `{"A":1}`, `{"m":[1.5]}`, `{"p":99999999999999999999}`, `null`, `{"q":["a"],"q":["b","c"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want state
		werr := json.Unmarshal(raw, &want)
		var got state
		gerr := got.decode(raw, internEven)
		if (gerr != nil) != (werr != nil) || gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decode %+v %v, encoding/json %+v %v", raw, got, gerr, want, werr)
		}
	})
}

// internEven plays a bank that knows the ids of even length. Like a bank's,
// its ids are of the question-id alphabet (bank's questionIDRE): raw bytes that
// match one are the decoded string too, with no escape or invalid UTF-8 in them.
func internEven(b []byte) (string, bool) {
	if len(b) == 0 || len(b)%2 != 0 {
		return "", false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", false
		}
	}
	return string(b), true
}
