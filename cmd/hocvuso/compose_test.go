package main

import (
	"os"
	"regexp"
	"sort"
	"testing"

	"gopkg.in/yaml.v3"
)

// compose.yaml hands the bot every variable of the configuration from the
// environment docker compose runs in, unset when it is unset there; only
// the wiring to compose's own PostgreSQL, Redis and port is fixed.
func TestComposePassesEveryVariableThrough(t *testing.T) {
	raw, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	bot, ok := compose.Services["bot"]
	if !ok {
		t.Fatal("compose.yaml has no service bot")
	}
	// Every name the configuration reads, and hocvuso invite's.
	read := map[string]bool{"TELEGRAM_BOT_USERNAME": true}
	if _, err := LoadConfig(func(name string) string { read[name] = true; return "" }); err != nil {
		t.Fatal(err)
	}
	fixed := map[string]bool{"DATABASE_URL": true, "REDIS_URL": true, "HTTP_ADDR": true}
	names := make([]string, 0, len(read))
	for name := range read {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		value, ok := bot.Environment[name]
		switch {
		case !ok:
			t.Errorf("compose.yaml does not pass %s", name)
		case fixed[name]:
		case !regexp.MustCompile(`^\$\{` + name + `:-[^}$]*\}$`).MatchString(value):
			t.Errorf("compose.yaml sets %s to %q, want ${%s:-} (or a default after :-)", name, value, name)
		}
	}
	for name := range fixed {
		if v := bot.Environment[name]; v == "" || regexp.MustCompile(`\$`).MatchString(v) {
			t.Errorf("compose.yaml's %s is %q, want compose's own", name, v)
		}
	}
}
