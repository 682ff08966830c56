package yamlcheck

import (
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"
)

func TestProblemString(t *testing.T) {
	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.yaml", Msg: "the file is empty"}, "a.yaml: the file is empty"},
		{Problem{File: "a.yaml", Line: 3, Field: "id", Msg: "is missing"}, "a.yaml:3: field id: is missing"},
		{Problem{File: "a.yaml", Line: 7, Subject: `question "q1"`, Field: "options[2].vi", Msg: "is empty"}, `a.yaml:7: question "q1": field options[2].vi: is empty`},
		{Problem{File: "a.yaml", Subject: `area "4"`, Msg: "no question covers it"}, `a.yaml: area "4": no question covers it`},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestErrorListsProblemsAndCapsThem(t *testing.T) {
	var e Error
	e.Add("a.yaml", 2, "", "x", "%q is not %d", "b", 3)
	if got, want := e.Error(), `a.yaml:2: field x: "b" is not 3`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for range MaxShown + 9 {
		e.Add("a.yaml", 1, "", "", "bad")
	}
	lines := strings.Split(e.Error(), "\n")
	if len(lines) != MaxShown+1 || lines[MaxShown] != "… and 10 more problems" {
		t.Errorf("%d lines, the last %q", len(lines), lines[len(lines)-1])
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       string // the one problem, or "" for a document
	}{
		{"ok", "a: 1\n", ""},
		{"utf8", "a: 1\nb: \xff\n", "f.yaml:2: the file is not UTF-8 text"},
		{"empty", "", "f.yaml: the file is empty"},
		{"comment only", "# nothing\n", "f.yaml: the file is empty"},
		{"bad yaml", "a: 1\n b: [\n", "f.yaml:2: not valid YAML: "},
		{"two documents", "a: 1\n---\nb: 2\n", "f.yaml:2: only one YAML document is allowed per file (remove the extra \"---\")"},
		// A flow sequence, then a block one: bad YAML after a whole first
		// document, not a second document.
		{"bad yaml after a document", "[a]\n- b\n", "f.yaml:1: not valid YAML: did not find expected <document start>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e Error
			root := Decode(&e, File{Name: "f.yaml", Data: []byte(tc.data)})
			if tc.want == "" {
				if root == nil || len(e.Problems) != 0 || root.Kind != yaml.MappingNode {
					t.Fatalf("root %v, problems %v", root, e.Problems)
				}
				return
			}
			if root != nil || len(e.Problems) != 1 || !strings.HasPrefix(e.Problems[0].String(), tc.want) {
				t.Fatalf("root %v, problems %v; want %q", root, e.Problems, tc.want)
			}
		})
	}
}

func TestCursor(t *testing.T) {
	var e Error
	root := Decode(&e, File{Name: "f.yaml", Data: []byte("id: 1\nid: 2\nodd: x\nref: &a 1\nalias: *a\n[k]: v\n")})
	if root == nil {
		t.Fatal(e.Error())
	}
	c := &Cursor{Errs: &e, File: "f.yaml"}
	if !c.IsMapping(root, "s", "") {
		t.Fatal("the top node is a mapping")
	}
	var known []string
	has := c.Fields(root, "s", "top", func(key string, _, _ *yaml.Node) bool {
		known = append(known, key)
		return key != "odd"
	})
	c.Required(root, "s", "top", has, "id", "name")
	if got := strings.Join(known, ","); got != "id,odd,ref" {
		t.Errorf("each saw %s", got)
	}
	if c.IsMapping(root.Content[1], "s", "top.id") {
		t.Error("a single value is not a mapping")
	}
	want := strings.Join([]string{
		"f.yaml:2: s: field top.id: given twice (first at line 1)",
		"f.yaml:3: s: field top.odd: unknown field",
		"f.yaml:5: s: field top.alias: anchors and aliases (*name) are not allowed; write the value out",
		"f.yaml:6: s: field top: a key must be a plain name, not a list",
		"f.yaml:1: s: field top.name: is missing",
		"f.yaml:1: s: field top.id: must be a mapping (key: value lines), not a single value",
	}, "\n")
	if got := e.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	c.Add(nil, "", "", "no node")
	if p := e.Problems[len(e.Problems)-1]; p.Line != 0 || p.String() != "f.yaml: no node" {
		t.Errorf("a problem without a node: %+v", p)
	}
}

func TestJoinAndKindName(t *testing.T) {
	if Join("", "id") != "id" || Join("options[2]", "vi") != "options[2].vi" {
		t.Error("Join")
	}
	for kind, want := range map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list", yaml.ScalarNode: "a single value", yaml.AliasNode: "an alias", yaml.DocumentNode: "something else"} {
		if got := KindName(&yaml.Node{Kind: kind}); got != want {
			t.Errorf("kind %d: got %q, want %q", kind, got, want)
		}
	}
}

func TestReadFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"main.yaml":   {Data: []byte("m")},
		"b_2.yaml":    {Data: []byte("2")},
		"b_1.yaml":    {Data: []byte("1")},
		"other.yaml":  {Data: []byte("o")},
		"b_3.yaml.md": {Data: []byte("no")},
	}
	files, err := ReadFiles(fsys, "main.yaml", "b_*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := FileNames(files); got != "main.yaml, b_1.yaml, b_2.yaml" {
		t.Errorf("got %s", got)
	}
	if string(files[1].Data) != "1" {
		t.Errorf("b_1.yaml holds %q", files[1].Data)
	}
	if _, err := ReadFiles(fsys, "missing.yaml", "b_*.yaml"); err == nil {
		t.Error("a missing first file is an error")
	}
}

// FuzzDecode: whatever the bytes, Decode gives a node or at least one
// problem, never both.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"a: 1\n", "", "a: [\n", "a: 1\n---\nb: 2\n", "\xff", "- x\n- &a y\n- *a\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func() {
			// yaml.v3 may panic on some inputs; the loaders recover from it.
			_ = recover()
		}()
		var e Error
		root := Decode(&e, File{Name: "f", Data: data})
		if (root == nil) == (len(e.Problems) == 0) {
			t.Fatalf("root %v with problems %v", root, e.Problems)
		}
		for _, p := range e.Problems {
			if !strings.HasPrefix(p.String(), "f") || p.Line < 0 {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		s, want string // want is the problem, or "" for none
	}{
		{"Mật\nkhẩu", ""},
		{"  ", "f.yaml:4: field text.vi: is empty"},
		{"Ma\u0302t", "f.yaml:4: field text.vi: is not in Unicode NFC (composed) form; save the file as NFC"},
		{"a\tb", "f.yaml:4: field text.vi: holds a control character (a tab or an invisible character)"},
		{"Mật khẩu!", "f.yaml:4: field text.vi: is 9 characters long; at most 8 are allowed"},
	} {
		var e Error
		c := &Cursor{Errs: &e, File: "f.yaml"}
		c.CheckText(&yaml.Node{Kind: yaml.ScalarNode, Line: 4}, "", "text.vi", tc.s, 8)
		if got := e.Error(); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.s, got, tc.want)
		}
	}
}
