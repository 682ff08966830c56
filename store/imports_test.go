package store_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Stores remember, adapters translate (architecture.md): the store, and
// whatever it builds on, knows no channel adapter. What a channel needs kept
// (the Zalo tokens, numbered lists) it asks for through its own interfaces,
// which the store's types satisfy without importing it.
func TestStoreImportsNoChannelAdapter(t *testing.T) {
	const module = "hocvuso/"
	seen := map[string][]string{} // package -> how store reaches it
	queue := []string{"hocvuso/store"}
	seen["hocvuso/store"] = nil
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if strings.HasPrefix(pkg, module+"bot/") {
			t.Errorf("store imports the channel adapter %s: %s", pkg, strings.Join(append(seen[pkg], pkg), " -> "))
			continue
		}
		dir := filepath.Join("..", strings.TrimPrefix(pkg, module))
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("package %s: no Go files in %s (%v)", pkg, dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if _, ok := seen[path]; ok || !strings.HasPrefix(path, module) {
					continue
				}
				seen[path] = append(append([]string(nil), seen[pkg]...), pkg)
				queue = append(queue, path)
			}
		}
	}
}
