package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// runNoServices runs the binary in-process with a database and a Redis
// nothing listens at: a command that went on to open them fails.
func runNoServices(args ...string) (code int, stdout, stderr string) {
	vars := map[string]string{
		"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1",
		"REDIS_URL":    "redis://127.0.0.1:1/0",
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &env{getenv: func(k string) string { return vars[k] },
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

// An administrator's first try, `hocvuso --help`, lists the commands; a
// command that takes no argument explains itself on --help and refuses
// any other argument, instead of starting (serve) or migrating.
func TestHelpFlagsAndStrayArguments(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errs := runNoServices(args...)
		if code != 0 || !strings.Contains(out, "usage: hocvuso <command>") || !strings.Contains(out, "invite") || errs != "" {
			t.Errorf("hocvuso %s: exit %d, stdout %q, stderr %q; want the list of commands", args[0], code, out, errs)
		}
	}
	for _, name := range []string{"serve", "console", "migrate"} {
		code, out, errs := runNoServices(name, "--help")
		if code != 0 || !strings.HasPrefix(out, "usage: hocvuso "+name+"\n") || errs != "" {
			t.Errorf("hocvuso %s --help: exit %d, stdout %q, stderr %q; want its usage", name, code, out, errs)
		}
		code, out, errs = runNoServices(name, "--port=8081")
		if code != 2 || out != "" || !strings.Contains(errs, name+` takes no argument, not "--port=8081"`) {
			t.Errorf("hocvuso %s --port=8081: exit %d, stdout %q, stderr %q; want a refusal naming the argument", name, code, out, errs)
		}
	}
	code, out, errs := runNoServices("help", "inviet")
	if code != 2 || out != "" || !strings.Contains(errs, `unknown command "inviet"`) {
		t.Errorf("hocvuso help inviet: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, errs = runNoServices("inviet")
	if code != 2 || out != "" || !strings.Contains(errs, `unknown command "inviet"`) || !strings.Contains(errs, "invite") {
		t.Errorf("hocvuso inviet: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// `hocvuso import units --help` shows how to import units, as every other
// command's --help does, rather than refusing an unknown option.
func TestImportKindHelp(t *testing.T) {
	for _, kind := range []string{"units", "quiz"} {
		for _, args := range [][]string{{"import", kind, "--help"}, {"import", kind, "-h"}, {"import", kind, "--check", "-h"}} {
			code, out, errs := runNoServices(args...)
			if code != 0 || !strings.HasPrefix(out, "usage: hocvuso import "+kind+" [--check]") || errs != "" {
				t.Errorf("hocvuso %s: exit %d, stdout %q, stderr %q; want the usage of import %s", strings.Join(args, " "), code, out, errs, kind)
			}
		}
	}
}

// Every admin command answers --help with its usage and exit 0, without
// touching the database.
func TestAdminCommandsHelp(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"remind", "--help"}, "hocvuso remind --at TIME"},
		{[]string{"remind", "status", "-h"}, "hocvuso remind status"},
		{[]string{"focal", "--help"}, "usage: hocvuso focal list"},
		{[]string{"focal", "list", "-h"}, "-unit"},
		{[]string{"revoke", "--help"}, "usage: hocvuso revoke ROLE_ID"},
		{[]string{"invite", "--help"}, "usage: hocvuso invite"},
		{[]string{"export", "--help"}, "usage: hocvuso export"},
		{[]string{"help", "invite"}, "usage: hocvuso invite"},
		{[]string{"help", "import"}, "usage: hocvuso import KIND"},
		{[]string{"help", "serve"}, "usage: hocvuso serve"},
	} {
		code, out, errs := runNoServices(c.args...)
		if code != 0 || !strings.Contains(out+errs, c.want) || strings.Contains(errs, "hocvuso:") {
			t.Errorf("hocvuso %s: exit %d, stdout %q, stderr %q; want its usage (%q)", strings.Join(c.args, " "), code, out, errs, c.want)
		}
	}
}

// A file of one unit is checked as "1 unit", not "1 units".
func TestImportUnitsCheckCountsOneAsOne(t *testing.T) {
	path := t.TempDir() + "/one.csv"
	if err := os.WriteFile(path, []byte("code,name,kind\r\nSNV,Sở Nội vụ,department\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runNoServices("import", "units", "--check", path)
	if code != 0 || out != path+": 1 unit, all sound. Nothing was stored.\n" {
		t.Errorf("import units --check: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// A quiz bank file is read up to a bound, as a units file is: a film or a
// disk image given by mistake is refused by its size, not read whole.
func TestImportQuizRefusesAHugeFile(t *testing.T) {
	path := t.TempDir() + "/bank.yaml"
	if err := os.WriteFile(path, bytes.Repeat([]byte("# x\n"), (maxQuizFileSize/4)+1), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runNoServices("import", "quiz", "--check", path)
	if code != 1 || out != "" || !strings.Contains(errs, fmt.Sprintf("%s is %d bytes; at most %d are read", path, maxQuizFileSize+4, maxQuizFileSize)) {
		t.Errorf("import quiz --check of a huge file: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
