package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// menuNames is a command menu by its commands' names.
func menuNames(cmds []fakeapi.BotCommand) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.Command)
	}
	return out
}

// menu is the command menu chat shows to its user, whose app is in lang.
func (s *served) menu(chat int64, lang string) []string {
	return menuNames(s.fake.Menu(chat, true, lang))
}

// description is what chat's menu says of a command.
func (s *served) description(chat int64, lang, command string) string {
	for _, c := range s.fake.Menu(chat, true, lang) {
		if c.Command == command {
			return c.Description
		}
	}
	return ""
}

// waitMenu waits until chat's menu satisfies ok: a serve's scheduler sets
// it after a revocation.
func (s *served) waitMenu(chat int64, lang string, ok func([]string) bool) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.fake.WaitFor(ctx, func([]fakeapi.Call) bool { return ok(s.menu(chat, lang)) }); err != nil {
		s.t.Fatalf("chat %d's menu stays %q; log:\n%s", chat, s.menu(chat, lang), s.stderr.String())
	}
}

func holdsAny(menu []string, commands ...string) bool {
	return slices.ContainsFunc(commands, func(c string) bool { return slices.Contains(menu, c) })
}

// The Telegram command menu a user sees follows their roles: a citizen's
// lists what a citizen can use, not the reports; a focal point's chat gets
// the reports once the invite is used, in the language chosen in the bot,
// and loses them when the role is revoked, keeping a citizen's in the
// language she chose; an official's gets the overview, until the erasure. A group shows no menu, and a tap on a
// button there is answered with nothing.
func TestServe_CommandMenusFollowTheRoles(t *testing.T) {
	s := startServe(t, true, nil)
	roleCommands := []string{"report", "status", "overview", "export", "digest"}
	const lan, minh, group = 7401, 7402, -1007401

	// Every user's menu, set at start, in the app's language.
	for _, lang := range []string{"vi", "en"} {
		menu := s.menu(lan, lang)
		if !slices.Contains(menu, "quiz") || !slices.Contains(menu, "join") || holdsAny(menu, roleCommands...) {
			t.Fatalf("a private chat's menu in %s: %q; want a citizen's commands only", lang, menu)
		}
	}
	if got := s.description(lan, "en", "quiz"); got != "Take a digital skills quiz" {
		t.Errorf("/quiz in English: %q", got)
	}
	// A citizen has no report to pause.
	if got := s.description(lan, "vi", "stop"); got != "Dừng bài kiểm tra" {
		t.Errorf("/stop in a citizen's menu: %q", got)
	}
	if got := s.fake.Menu(group, false, "vi"); got != nil {
		t.Errorf("a group shows the menu %q; want none", menuNames(got))
	}

	s.mustAdmin("import", "units", filepath.Join("..", "..", "docs", "units.sample.csv"))
	s.join(lan)
	if menu := s.menu(lan, "vi"); holdsAny(menu, roleCommands...) {
		t.Fatalf("a citizen's menu: %q", menu)
	}
	s.say(lan, "/report")
	mustContain(t, s.texts(lan), "Chỉ đầu mối của đơn vị mới gửi được báo cáo")

	// A focal point: the reports, first, in the menu of her chat, whatever
	// her app's language.
	inv := s.invite("--unit", "SNV")
	s.say(lan, "/start "+inv.payload)
	mustContain(t, s.texts(lan), "Từ nay bạn là đầu mối")
	for _, lang := range []string{"vi", "en"} {
		menu := s.menu(lan, lang)
		if len(menu) < 3 || menu[0] != "report" || menu[1] != "status" || !slices.Contains(menu, "quiz") || holdsAny(menu, "overview", "export", "digest") {
			t.Fatalf("a focal point's menu (app in %s): %q", lang, menu)
		}
	}
	if got := s.description(lan, "en", "report"); got != "Gửi báo cáo của đơn vị" {
		t.Errorf("/report described %q; want her language in the bot, Vietnamese", got)
	}
	// In the middle of a report, /stop pauses it (flows.Taker): her menu
	// says so.
	if got := s.description(lan, "en", "stop"); got != "Dừng bài kiểm tra hoặc tạm dừng báo cáo" {
		t.Errorf("/stop in a focal point's menu: %q", got)
	}
	if menu := s.menu(minh, "vi"); holdsAny(menu, roleCommands...) {
		t.Errorf("another chat's menu: %q", menu)
	}
	// Her language follows in the menu.
	s.say(lan, "/language")
	s.tap(lan, "vi", "English")
	if got := s.description(lan, "vi", "report"); got != "Send your unit's report" {
		t.Errorf("/report described %q after she chose English", got)
	}
	if got := s.description(lan, "vi", "stop"); got != "Stop a quiz or pause a report" {
		t.Errorf("/stop described %q after she chose English", got)
	}

	// Revoked by the admin: the menu of her chat is a citizen's again, set
	// by the serve's scheduler, still in the language she chose, English,
	// whatever her app's.
	var roleID int64
	if err := s.db.Pool.QueryRow(context.Background(), `SELECT id FROM report_roles WHERE unit_code = 'SNV'`).Scan(&roleID); err != nil {
		t.Fatal(err)
	}
	s.mustAdmin("revoke", strconv.FormatInt(roleID, 10))
	s.waitMenu(lan, "vi", func(menu []string) bool { return !holdsAny(menu, roleCommands...) })
	if menu := s.menu(lan, "vi"); !slices.Contains(menu, "quiz") {
		t.Errorf("after the revocation: %q", menu)
	}
	if got := s.description(lan, "vi", "quiz"); got != "Take a digital skills quiz" {
		t.Errorf("/quiz described %q after the revocation; want the language she chose, English", got)
	}
	if got := s.description(lan, "vi", "stop"); got != "Stop a quiz" {
		t.Errorf("/stop described %q after the revocation; want a citizen's", got)
	}

	// An official: the overview, the export and the digest; erased, the
	// default menu again.
	s.join(minh)
	off := s.invite("--role", "official")
	s.say(minh, "/join "+off.code)
	if menu := s.menu(minh, "vi"); !holdsAny(menu, "overview") || !slices.Contains(menu, "export") || !slices.Contains(menu, "digest") || holdsAny(menu, "report", "status") {
		t.Fatalf("an official's menu: %q", menu)
	}
	if got := s.description(minh, "vi", "stop"); got != "Dừng bài kiểm tra" {
		t.Errorf("/stop in an official's menu: %q", got)
	}
	s.say(minh, "/deleteme")
	s.tap(minh, "vi", "Xóa hết")
	if menu := s.menu(minh, "vi"); holdsAny(menu, roleCommands...) {
		t.Errorf("after the erasure: %q", menu)
	}

	// A tap on a button in a group: answered, with nothing, and nothing
	// else done.
	before := len(s.fake.Calls(""))
	tap := map[string]any{"callback_query": map[string]any{
		"id": "cq-group", "from": from(lan, "vi"), "chat_instance": "g", "data": "home|menu|1|",
		"message": map[string]any{"message_id": 3, "date": time.Now().Unix(), "text": "…",
			"chat": map[string]any{"id": group, "type": "supergroup", "title": "Cán bộ xã"}},
	}}
	if status := s.deliver(tap); status != 200 {
		t.Fatalf("webhook status %d", status)
	}
	calls := s.fake.Calls("")[before:]
	if len(calls) != 1 || calls[0].Method != "answerCallbackQuery" || calls[0].Params["callback_query_id"] != "cq-group" || calls[0].Params["text"] != "" {
		t.Errorf("calls after a tap in a group: %+v; want one empty answer", calls)
	}
}

// A citizen's chat follows the language chosen in the bot too: the menu
// for all private chats speaks the app's. Her app in English, Mai chooses
// Vietnamese with /language: her chat gets a citizen's menu in Vietnamese.
// Tuấn, his app in Vietnamese, switches the greeting to English and
// agrees: his, in English. Erased, Mai's chat shows her app's again.
func TestServe_ACitizensMenuFollowsTheLanguageChosen(t *testing.T) {
	s := startServe(t, true, nil)
	roleCommands := []string{"report", "status", "overview", "export", "digest"}
	const mai, tuan = 7406, 7407

	s.send(mai, textUpdate(mai, "en", "/start"))
	s.tap(mai, "en", "I agree")
	if c, ok := s.fake.Commands(fakeapi.ScopeChat(mai), ""); ok {
		t.Fatalf("a citizen with her app's language has a menu of her own: %q", menuNames(c))
	}
	if got := s.description(mai, "en", "quiz"); got != "Take a digital skills quiz" {
		t.Fatalf("/quiz described %q; want her app's language, English", got)
	}
	s.send(mai, textUpdate(mai, "en", "/language"))
	s.tap(mai, "en", "Tiếng Việt")
	mustContain(t, s.texts(mai), "Đã chuyển sang tiếng Việt.")
	menu := s.menu(mai, "en")
	if !slices.Contains(menu, "quiz") || !slices.Contains(menu, "join") || holdsAny(menu, roleCommands...) {
		t.Fatalf("her menu after /language: %q; want a citizen's", menu)
	}
	if got := s.description(mai, "en", "quiz"); got != "Làm bài kiểm tra kỹ năng số" {
		t.Errorf("/quiz described %q after she chose Vietnamese", got)
	}
	if got := s.description(mai, "en", "stop"); got != "Dừng bài kiểm tra" {
		t.Errorf("/stop described %q; want a citizen's, in Vietnamese", got)
	}

	s.say(tuan, "/start")
	s.tap(tuan, "vi", "English")
	s.tap(tuan, "vi", "I agree")
	if got := s.description(tuan, "vi", "quiz"); got != "Take a digital skills quiz" {
		t.Errorf("/quiz described %q to one who chose English before agreeing", got)
	}

	s.send(mai, textUpdate(mai, "en", "/deleteme"))
	s.tap(mai, "en", "Xóa hết")
	if c, ok := s.fake.Commands(fakeapi.ScopeChat(mai), ""); ok {
		t.Errorf("her chat keeps a menu of its own after /deleteme: %q", menuNames(c))
	}
	if got := s.description(mai, "en", "quiz"); got != "Take a digital skills quiz" {
		t.Errorf("/quiz described %q after /deleteme; want her app's language", got)
	}
}

// A menu Telegram refuses leaves the user's action whole: the invite is
// used, the role held, the reply sent.
func TestServe_MenuRefusedDoesNotFailTheEnrolment(t *testing.T) {
	s := startServe(t, true, nil)
	const hoa = 7403
	s.mustAdmin("import", "units", filepath.Join("..", "..", "docs", "units.sample.csv"))
	s.join(hoa)
	s.fake.Fail(fakeapi.Fault{Method: "setMyCommands", ChatID: hoa, Code: 500})
	inv := s.invite("--unit", "SNV")
	s.say(hoa, "/join "+inv.code)
	mustContain(t, s.texts(hoa), "Từ nay bạn là đầu mối")
	if got := s.rolesOf(hoa); len(got) != 1 || got[0] != "focal:SNV" {
		t.Fatalf("roles %v", got)
	}
	if !strings.Contains(s.stderr.String(), "command menu not set") {
		t.Errorf("the refused menu is not logged")
	}
	if strings.Contains(s.stderr.String(), testToken) {
		t.Errorf("the token is in the log")
	}
	// Joining again sets it, once Telegram takes it.
	s.fake.ClearFaults()
	s.say(hoa, "/join "+inv.code)
	if menu := s.menu(hoa, "vi"); len(menu) == 0 || menu[0] != "report" {
		t.Errorf("the menu after joining again: %q", menu)
	}
}

// Role holders of a version without chat menus (or of one whose menus
// differ) get theirs when serve starts: the scheduler sets the chats of
// every role holder, and of every user who chose their language in the
// bot, once per version of the menus.
func TestServe_RoleHoldersFromBeforeGetTheirMenusAtStart(t *testing.T) {
	ctx := context.Background()
	dbURL := storetest.NewDatabaseURL(t)
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	const focal, citizen, chose = 7404, 7405, 7408
	at := time.Now().Add(-24 * time.Hour)
	if _, _, err := db.UpsertUnits(ctx, []store.Unit{{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"}}, "admin", at); err != nil {
		t.Fatal(err)
	}
	for _, chat := range []int64{focal, citizen, chose} {
		id, err := db.CreateUser(ctx, store.NewUser{Channel: bot.Telegram, ExternalID: strconv.FormatInt(chat, 10), ChatID: strconv.FormatInt(chat, 10),
			DisplayName: "Lò Thị Hương", Language: "en", ConsentVersion: "test", At: at})
		if err != nil {
			t.Fatal(err)
		}
		switch chat {
		case focal:
			if _, err := db.GrantRole(ctx, id, store.RoleFocal, "SNV", "admin", at); err != nil {
				t.Fatal(err)
			}
		case chose:
			if err := db.SetLanguage(ctx, id, "en"); err != nil {
				t.Fatal(err)
			}
		}
	}

	s := startServe(t, true, map[string]string{"DATABASE_URL": dbURL})
	s.waitMenu(focal, "vi", func(menu []string) bool { return len(menu) > 0 && menu[0] == "report" })
	if got := s.description(focal, "vi", "report"); got != "Send your unit's report" {
		t.Errorf("/report described %q; want the user's language, English", got)
	}
	s.waitMenu(chose, "vi", func(menu []string) bool {
		return slices.Contains(menu, "quiz") && s.description(chose, "vi", "quiz") == "Take a digital skills quiz"
	})
	if menu := s.menu(chose, "vi"); holdsAny(menu, "report", "overview") {
		t.Errorf("the menu of a citizen who chose English: %q", menu)
	}
	if _, ok := s.fake.Commands(fakeapi.ScopeChat(citizen), ""); ok {
		t.Errorf("the chat of a citizen with her app's language got a menu of its own")
	}
}
