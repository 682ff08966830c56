package locales_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"hocvuso/locales"
)

// catalogue is the raw text of every message of one language, as written in
// the files "<lang>.yaml" and "<topic>.<lang>.yaml".
type catalogue map[string]string

// readCatalogues reads the files as a translator writes them, and checks
// that no message is defined twice in one language.
func readCatalogues(t *testing.T) map[string]catalogue {
	t.Helper()
	names, err := filepath.Glob("*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no catalogue files: %v", err)
	}
	out := map[string]catalogue{}
	where := map[string]string{}
	for _, name := range names {
		parts := strings.Split(name, ".")
		lang := parts[len(parts)-2]
		if !slices.Contains(locales.Languages, lang) {
			t.Errorf("%s: language %q is not one of %v", name, lang, locales.Languages)
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !norm.NFC.IsNormal(data) {
			t.Errorf("%s is not NFC: Vietnamese must be precomposed", name)
		}
		var raw map[string]any
		if err := yaml.Unmarshal(data, &raw); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if out[lang] == nil {
			out[lang] = catalogue{}
		}
		for id, v := range raw {
			s, ok := v.(string)
			if !ok {
				t.Errorf("%s: %s is a %T; messages here are plain strings", name, id, v)
				continue
			}
			if prev, dup := where[lang+"/"+id]; dup {
				t.Errorf("%s: %s is defined in %s already", name, id, prev)
			}
			where[lang+"/"+id] = name
			out[lang][id] = s
		}
	}
	return out
}

func sortedIDs(c catalogue) []string {
	ids := make([]string, 0, len(c))
	for id := range c {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func load(t *testing.T) *locales.Catalog {
	t.Helper()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat.OnMissing = func(lang, id string) { t.Errorf("%s/%s is missing", lang, id) }
	return cat
}

// Every message exists in every language: no fallback hides a gap.
func TestLanguagesHaveTheSameMessages(t *testing.T) {
	cats := readCatalogues(t)
	cat := load(t)
	base := locales.Languages[0]
	for _, lang := range locales.Languages {
		if len(cats[lang]) == 0 {
			t.Fatalf("no messages in %s", lang)
		}
		if !slices.Equal(cat.IDs(lang), sortedIDs(cats[lang])) {
			t.Errorf("Catalog.IDs(%s) differs from the files:\n%q\n%q", lang, cat.IDs(lang), sortedIDs(cats[lang]))
		}
		if lang == base {
			continue
		}
		for id := range cats[base] {
			if _, ok := cats[lang][id]; !ok {
				t.Errorf("%s is in %s but not in %s", id, base, lang)
			}
		}
		for id := range cats[lang] {
			if _, ok := cats[base][id]; !ok {
				t.Errorf("%s is in %s but not in %s", id, lang, base)
			}
		}
	}
}

// fields lists the fields a template uses: printed ones, and those only
// tested (like {{if .Blocked}}).
func fields(t *testing.T, id, text string) (printed, tested map[string]bool) {
	t.Helper()
	tmpl, err := template.New(id).Parse(text)
	if err != nil {
		t.Errorf("%s: %v", id, err)
		return nil, nil
	}
	printed, tested = map[string]bool{}, map[string]bool{}
	var walk func(n parse.Node, into map[string]bool)
	walk = func(n parse.Node, into map[string]bool) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c, into)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe, printed)
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				for _, a := range c.Args {
					walk(a, into)
				}
			}
		case *parse.FieldNode:
			into[strings.Join(n.Ident, ".")] = true
		case *parse.IfNode:
			walk(n.Pipe, tested)
			walk(n.List, printed)
			walk(n.ElseList, printed)
		case *parse.RangeNode, *parse.WithNode, *parse.TemplateNode:
			t.Errorf("%s: keep templates to {{.Field}} and {{if .Field}}", id)
		}
	}
	walk(tmpl.Tree.Root, printed)
	for f := range printed {
		delete(tested, f)
	}
	return printed, tested
}

// Every message renders with sample data: no broken template, no "<no
// value>", every printed field shows, and every language uses the same fields.
func TestEveryTemplateRenders(t *testing.T) {
	cats := readCatalogues(t)
	cat := load(t)
	base := locales.Languages[0]
	for _, lang := range locales.Languages {
		for _, id := range sortedIDs(cats[lang]) {
			text := cats[lang][id]
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s/%s is empty", lang, id)
				continue
			}
			printed, tested := fields(t, lang+"/"+id, text)
			data := map[string]any{}
			for f := range printed {
				data[f] = "«" + f + "»"
			}
			for f := range tested {
				data[f] = true
			}
			got := cat.Text(lang, id, data)
			if got == id || strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
				t.Errorf("%s/%s renders as %q", lang, id, got)
			}
			for f := range printed {
				if !strings.Contains(got, "«"+f+"»") {
					t.Errorf("%s/%s does not show .%s: %q", lang, id, f, got)
				}
			}
			if !norm.NFC.IsNormalString(got) {
				t.Errorf("%s/%s renders to non-NFC text", lang, id)
			}
			if lang != base {
				bp, bt := fields(t, base+"/"+id, cats[base][id])
				if !sameKeys(printed, bp) || !sameKeys(tested, bt) {
					t.Errorf("%s uses fields %v %v in %s but %v %v in %s", id, keys(printed), keys(tested), lang, keys(bp), keys(bt), base)
				}
			}
			// Rendering without data must not break either.
			if got := cat.Text(lang, id, nil); got == id && !strings.Contains(text, id) {
				t.Errorf("%s/%s fails to render without data", lang, id)
			}
		}
	}
}

func sameKeys(a, b map[string]bool) bool { return slices.Equal(keys(a), keys(b)) }

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// dynamic are the ids built at run time from a prefix, with every value the
// code may append, so that each id can be checked. A prefix not listed here
// is only checked to start some message in every language: list it to have
// each of its ids checked.
var dynamic = map[string][]string{
	"language.": locales.Languages,
	// The commands of every flow (Flow.Commands), whose descriptions the
	// channel's command menus show (flows.CommandMenus).
	// TestCommandListIsComplete keeps this list in step with the code.
	"command.": {"start", "menu", "help", "language", "mydata", "deleteme", "quiz", "progress", "stop",
		"certificate", "verify", "profile", "leaderboard", "nudge", "link", "join", "report", "status",
		"overview", "export", "digest"},
}

// usedIDs finds the message ids the program's code names: string literals
// passed to T(id, …), Say(id, …), Text(lang, id, data), and the Label of a
// MenuItem; "prefix."+x is expanded through dynamic.
func usedIDs(t *testing.T) (used, prefixes map[string][]string) {
	used, prefixes, _ = scanCode(t)
	return used, prefixes
}

// scanCode reads the program's code (tests aside) for usedIDs, and lists
// the commands its flows declare: the string literals a method
// Commands() []string returns.
func scanCode(t *testing.T) (used, prefixes, commands map[string][]string) {
	t.Helper()
	root := moduleRoot(t)
	used, prefixes, commands = map[string][]string{}, map[string][]string{}, map[string][]string{}
	fset := token.NewFileSet()
	add := func(e ast.Expr, pos token.Pos) {
		where := fset.Position(pos).String()
		if rel, err := filepath.Rel(root, where); err == nil {
			where = rel
		}
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				id, err := strconv.Unquote(e.Value)
				if err == nil {
					used[id] = append(used[id], where)
				}
			}
		case *ast.BinaryExpr:
			lit, ok := e.X.(*ast.BasicLit)
			if !ok || e.Op != token.ADD || lit.Kind != token.STRING {
				return
			}
			prefix, _ := strconv.Unquote(lit.Value)
			suffixes, ok := dynamic[prefix]
			if !ok {
				// Not listed: at least some message must carry the prefix.
				prefixes[prefix] = append(prefixes[prefix], where)
			}
			for _, s := range suffixes {
				used[prefix+s] = append(used[prefix+s], where)
			}
		}
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Recv == nil || n.Name.Name != "Commands" || n.Body == nil {
					return true
				}
				where := fset.Position(n.Pos()).String()
				if rel, err := filepath.Rel(root, where); err == nil {
					where = rel
				}
				ast.Inspect(n.Body, func(n ast.Node) bool {
					if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if name, err := strconv.Unquote(lit.Value); err == nil {
							commands[name] = append(commands[name], where)
						}
					}
					return true
				})
			case *ast.CallExpr:
				var fn string
				switch f := n.Fun.(type) {
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				case *ast.Ident:
					fn = f.Name
				}
				switch {
				case (fn == "T" || fn == "Say") && len(n.Args) >= 1:
					add(n.Args[0], n.Pos())
				case fn == "Text" && len(n.Args) == 3, fn == "TextIn" && len(n.Args) >= 2:
					add(n.Args[1], n.Pos())
				}
			case *ast.CompositeLit:
				if !isMenuItem(n.Type) {
					return true
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Label" {
							add(kv.Value, kv.Pos())
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used, prefixes, commands
}

// The list of command names above is every command a flow declares, so
// that each has its description in every language.
func TestCommandListIsComplete(t *testing.T) {
	_, _, commands := scanCode(t)
	if len(commands) < 10 {
		t.Fatalf("the scan found only %d commands: is it still working?", len(commands))
	}
	for _, name := range keys(setOf(commands)) {
		if !slices.Contains(dynamic["command."], name) {
			t.Errorf("/%s (declared at %s) is missing from dynamic[\"command.\"]", name, strings.Join(commands[name], ", "))
		}
	}
	for _, name := range dynamic["command."] {
		if _, ok := commands[name]; !ok {
			t.Errorf("/%s is in dynamic[\"command.\"] but no flow declares it", name)
		}
	}
}

func isMenuItem(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "MenuItem"
	case *ast.SelectorExpr:
		return e.Sel.Name == "MenuItem"
	}
	return false
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// Every message the code asks for exists in every language.
func TestEveryIDUsedInCodeExists(t *testing.T) {
	cats := readCatalogues(t)
	used, prefixes := usedIDs(t)
	// The scan itself must find the ids the core certainly uses.
	for _, id := range []string{"welcome", "privacy.notice", "error.generic", "stale.button", "console.intro", "language.en"} {
		if _, ok := used[id]; !ok {
			t.Errorf("the scan of the code did not find %q: is it still working?", id)
		}
	}
	for _, id := range keys(setOf(used)) {
		for _, lang := range locales.Languages {
			if _, ok := cats[lang][id]; !ok {
				t.Errorf("%q (used at %s) is missing from the %s catalogue", id, strings.Join(used[id], ", "), lang)
			}
		}
	}
	for _, prefix := range keys(setOf(prefixes)) {
		t.Logf("ids built from %q (at %s) are not listed in dynamic: only checked to exist", prefix, strings.Join(prefixes[prefix], ", "))
		for _, lang := range locales.Languages {
			if !slices.ContainsFunc(sortedIDs(cats[lang]), func(id string) bool { return strings.HasPrefix(id, prefix) }) {
				t.Errorf("no %s message starts with %q, yet the code builds ids from it at %s", lang, prefix, strings.Join(prefixes[prefix], ", "))
			}
		}
	}
}

func setOf(m map[string][]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// vietnamese reports whether s has a letter only Vietnamese writes: a vowel
// with a tone mark or a hat, or đ.
func vietnamese(s string) bool {
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			return true
		}
	}
	return strings.ContainsAny(s, "đĐ")
}

// A sanity check that vi.yaml is written in Vietnamese, with its diacritics,
// and en in English.
func TestVietnameseHasDiacritics(t *testing.T) {
	cats := readCatalogues(t)
	with := 0
	for _, text := range cats["vi"] {
		if vietnamese(text) {
			with++
		}
	}
	if share := float64(with) / float64(len(cats["vi"])); share < 0.8 {
		t.Errorf("only %d of %d Vietnamese messages have diacritics: written without accents (\"khong dau\")?", with, len(cats["vi"]))
	}
	for _, word := range []string{"Xin chào", "đồng ý", "Dữ liệu", "Tiếng Việt"} {
		if !strings.Contains(strings.Join(slices.Collect(mapsValues(cats["vi"])), "\n"), word) {
			t.Errorf("vi does not say %q anywhere", word)
		}
	}
	same := 0
	for id, text := range cats["en"] {
		if cats["vi"][id] == text {
			same++
		}
	}
	if same > len(cats["en"])/5 {
		t.Errorf("%d English messages are the same as the Vietnamese ones", same)
	}
}

// One placement of the tone mark in the open syllables oa, oe and uy, the
// one official documents and the province's unit names use: "xóa", "hủy",
// "hóa", "khỏe", "Ủy ban", never "xoá", "huỷ". Mixing both looks careless,
// and a user searching the chat for one spelling misses the other.
func TestVietnameseToneMarksHaveOnePlacement(t *testing.T) {
	cats := readCatalogues(t)
	for _, id := range sortedIDs(cats["vi"]) {
		if word, ok := newStyleToneMark(cats["vi"][id]); ok {
			t.Errorf("vi/%s writes %q: put the tone mark on the first vowel (xóa, hủy, hóa), as the rest of the catalogue does", id, word)
		}
	}
	for _, ok := range []string{"xóa", "Hủy", "hoàn", "quý", "khỏe", "thủy", "hoạt"} {
		if w, bad := newStyleToneMark(ok); bad {
			t.Errorf("the check takes %q for the other placement", w)
		}
	}
	for _, bad := range []string{"xoá", "Huỷ", "khoẻ", "thuỷ", "Uỷ ban"} {
		if _, found := newStyleToneMark(bad); !found {
			t.Errorf("the check misses %q", bad)
		}
	}
}

// newStyleToneMark finds a word ending in oa, oe or uy (not qu-y) with the
// tone mark on its last vowel.
func newStyleToneMark(text string) (string, bool) {
	for _, word := range strings.FieldsFunc(norm.NFC.String(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		r := []rune(strings.ToLower(word))
		n := len(r)
		if n < 2 {
			continue
		}
		last, before := r[n-1], r[n-2]
		switch {
		case before == 'o' && strings.ContainsRune("áàảãạéèẻẽẹ", last):
			return word, true
		case before == 'u' && strings.ContainsRune("ýỳỷỹỵ", last) && (n < 3 || r[n-3] != 'q'):
			return word, true
		}
	}
	return "", false
}

// Quotations in messages use curly quotes, “like this”, as most of the
// catalogue does (an area's name, a button's label, the movement's name):
// a straight double quote in a message's text fails. Only the text counts,
// as YAML reads it: the quotes around a value, and \" escapes, are YAML's
// syntax. There is no exception: commands and examples are written bare
// (/verify CODE, ví dụ: muong la), and a code or a path the user types is
// never quoted. Curly quotes come in pairs, opening before closing.
func TestQuotationsAreCurly(t *testing.T) {
	cats := readCatalogues(t)
	for _, lang := range locales.Languages {
		for _, id := range sortedIDs(cats[lang]) {
			text := cats[lang][id]
			if strings.Contains(text, `"`) {
				t.Errorf("%s/%s has a straight double quote: write “…”:\n%s", lang, id, text)
			}
			open := false
			for _, r := range text {
				switch {
				case r == '“' && !open, r == '”' && open:
					open = !open
				case r == '“' || r == '”':
					t.Errorf("%s/%s has a %q out of its pair:\n%s", lang, id, r, text)
				}
			}
			if open {
				t.Errorf("%s/%s opens a quotation “ it does not close:\n%s", lang, id, text)
			}
		}
	}
}

func mapsValues(c catalogue) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, v := range c {
			if !yield(v) {
				return
			}
		}
	}
}

// A message the catalogue lacks shows as its id, reported once; an unknown
// language falls back to Vietnamese.
func TestMissingMessagesAndLanguages(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	var reported []string
	cat.OnMissing = func(lang, id string) { reported = append(reported, lang+"/"+id) }
	for range 3 {
		if got := cat.Text("en", "no.such.message", nil); got != "no.such.message" {
			t.Errorf("missing message renders as %q", got)
		}
	}
	if !slices.Equal(reported, []string{"en/no.such.message"}) {
		t.Errorf("reported %q, want it once", reported)
	}
	if got, want := cat.Text("fr", "welcome", nil), cat.Text("vi", "welcome", nil); got != want {
		t.Errorf("unknown language: %q, want the Vietnamese %q", got, want)
	}
}

// Messages are rendered by the catalogue's own fast path where the template
// only inserts values: the result is what text/template (go-i18n) gives,
// with a map (Text) or key, value pairs (TextKV), for strings, integers,
// other values and missing ones.
func TestRenderingMatchesTextTemplate(t *testing.T) {
	cats := readCatalogues(t)
	cat := load(t)
	cat.OnMissing = nil
	values := []any{"Lò Thị <Hương> & {{.X}}", 7, int64(-12), 3.5, nil, true}
	for _, lang := range locales.Languages {
		for _, id := range sortedIDs(cats[lang]) {
			text := cats[lang][id]
			tmpl, err := template.New(id).Parse(text)
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, id, err)
			}
			printed, tested := fields(t, lang+"/"+id, text)
			for i, v := range values {
				data := map[string]any{}
				var kv []any
				n := 0
				for f := range printed {
					n++
					if i == len(values)-1 && n == 1 {
						continue // one value missing
					}
					data[f] = v
					kv = append(kv, f, v)
				}
				for f := range tested {
					data[f] = true
					kv = append(kv, f, true)
				}
				var want strings.Builder
				if err := tmpl.Execute(&want, data); err != nil {
					t.Fatalf("%s/%s: %v", lang, id, err)
				}
				if got := cat.Text(lang, id, data); got != want.String() {
					t.Errorf("%s/%s with %v: Text = %q, want %q", lang, id, v, got, want.String())
				}
				if got := cat.TextKV(lang, id, kv...); got != want.String() {
					t.Errorf("%s/%s with %v: TextKV = %q, want %q", lang, id, v, got, want.String())
				}
			}
		}
	}
	// A later pair wins, as in a map; an unknown language is Vietnamese.
	if a, b := cat.TextKV("vi", "quiz.right", "N", 1, "N", 2), cat.Text("vi", "quiz.right", map[string]any{"N": 2}); a != b || !strings.Contains(a, "2") {
		t.Errorf("repeated key: %q, want %q", a, b)
	}
	if a, b := cat.TextKV("fr", "quiz.right", "N", 3), cat.TextKV("vi", "quiz.right", "N", 3); a != b {
		t.Errorf("unknown language: %q, want %q", a, b)
	}
}

func BenchmarkText(b *testing.B) {
	cat, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = cat.TextKV("vi", "quiz.wrong", "N", 3, "Letter", "B", "Answer", "Không ai cả")
		_ = cat.TextKV("vi", "quiz.stale")
	}
}
