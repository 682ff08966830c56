package main

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"hocvuso/store"
)

// roleCommands are the commands only a focal point or an official can use.
var roleCommands = []string{"report", "status", "overview", "export", "digest"}

// /help is where a Zalo user, who has no command menu, finds the commands:
// it names every command of Telegram's command menus that its reader can
// use. A citizen is told how to become a focal point or an official; once
// both, the help names every command, and the menu offers the reports,
// the overview and the digest, which work from there.
func TestServe_HelpAndMenuFollowTheUsersRoles(t *testing.T) {
	s := startServe(t, true, nil)
	const chat = 7020
	s.deliver(textUpdate(chat, "vi", "/start"))
	s.tap(chat, "vi", "Tôi đồng ý")

	var menu []string // the commands of Telegram's menu of this chat, /start aside
	for _, lang := range []string{"vi", "en"} {
		for _, cmd := range s.fake.Menu(chat, true, lang) {
			if cmd.Command != "start" && !slices.Contains(menu, cmd.Command) {
				menu = append(menu, cmd.Command)
			}
		}
	}
	for _, want := range []string{"join", "nudge", "link", "mydata"} {
		if !slices.Contains(menu, want) {
			t.Fatalf("the command menu lacks /%s: %q", want, menu)
		}
	}
	for _, role := range roleCommands {
		if slices.Contains(menu, role) {
			t.Fatalf("a citizen's command menu offers /%s: %q", role, menu)
		}
	}
	// A role's commands are in the menu of a chat whose user holds it
	// (e2e_menu_test.go); the help names them to whoever holds it.
	menu = append(menu, roleCommands...)
	help := func() string {
		t.Helper()
		before := len(s.texts(chat))
		s.deliver(textUpdate(chat, "vi", "/help"))
		texts := s.texts(chat)[before:]
		if len(texts) != 1 {
			t.Fatalf("/help sent %d messages", len(texts))
		}
		return texts[0]
	}
	names := func(text, cmd string) bool {
		return regexp.MustCompile(`(^|\s)/` + cmd + `\b`).MatchString(text)
	}

	citizen := help()
	for _, cmd := range menu {
		if want := !slices.Contains(roleCommands, cmd); names(citizen, cmd) != want {
			t.Errorf("a citizen's help names /%s: %v, want %v:\n%s", cmd, !want, want, citizen)
		}
	}
	if !strings.Contains(citizen, "/stop – dừng bài kiểm tra\n") {
		t.Errorf("a citizen's help does not say that /stop stops a quiz, and only that:\n%s", citizen)
	}
	if !strings.Contains(citizen, "/join MÃ") {
		t.Errorf("a citizen's help does not say how to become a focal point:\n%s", citizen)
	}

	ctx := context.Background()
	var user int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT user_id FROM accounts WHERE external_id = $1`, "7020").Scan(&user); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.db.UpsertUnits(ctx, []store.Unit{{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"}}, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, role := range []struct{ role, unit string }{{store.RoleFocal, "SNV"}, {store.RoleOfficial, ""}} {
		if _, err := s.db.GrantRole(ctx, user, role.role, role.unit, "admin", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	both := help()
	for _, cmd := range menu {
		if !names(both, cmd) {
			t.Errorf("the help of a focal point and official does not name /%s:\n%s", cmd, both)
		}
	}

	if !strings.Contains(both, "/stop – dừng bài kiểm tra hoặc tạm dừng báo cáo\n") {
		t.Errorf("a focal point's help does not say that /stop pauses a report:\n%s", both)
	}

	s.deliver(textUpdate(chat, "vi", "/menu"))
	var labels []string
	for _, row := range s.lastWithButtons(chat).Buttons {
		for _, b := range row {
			labels = append(labels, b.Text)
		}
	}
	for _, want := range []string{"Báo cáo của đơn vị", "Tình hình báo cáo các đơn vị", "Bản tin báo cáo"} {
		if !slices.ContainsFunc(labels, func(l string) bool { return strings.Contains(l, want) }) {
			t.Errorf("the menu of a focal point and official lacks %q: %q", want, labels)
		}
	}
	s.tap(chat, "vi", "Tình hình báo cáo các đơn vị")
	mustContain(t, s.texts(chat), "Bạn muốn xem kỳ báo cáo nào?")
	s.deliver(textUpdate(chat, "vi", "/menu"))
	s.tap(chat, "vi", "Bản tin báo cáo")
	mustContain(t, s.texts(chat), "Bản tin báo cáo ngày")
}
