package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hocvuso/flows/enrol"
)

// admin runs an admin command in-process against the served bot's database,
// with the Telegram token and API of the fake (so invite asks getMe there).
func (s *served) admin(args ...string) (code int, stdout, stderr string) {
	s.t.Helper()
	var out, errb bytes.Buffer
	vars := map[string]string{
		"DATABASE_URL":     s.db.Pool.Config().ConnString(),
		"TELEGRAM_TOKEN":   testToken,
		"TELEGRAM_API_URL": s.fake.URL,
		"USER":             "lead",
	}
	code = run(context.Background(), args, &env{getenv: func(k string) string { return vars[k] }, stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

// mustAdmin runs an admin command that must succeed.
func (s *served) mustAdmin(args ...string) string {
	s.t.Helper()
	code, out, errOut := s.admin(args...)
	if code != 0 {
		s.t.Fatalf("hocvuso %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

var (
	printedCode = regexp.MustCompile(`(?m)^Code: +([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$`)
	printedLink = regexp.MustCompile(`(?m)^Telegram: (https://t\.me/(\w+)\?start=(\w+))$`)
	printedID   = regexp.MustCompile(`(?m)^Invite (\d+) for `)
	// The expiry as the chat writes times, dd/mm/yyyy: the admin passes it on.
	printedExpiry = regexp.MustCompile(`(?m)^Expires: +([0-2]\d:[0-5]\d [0-3]\d/[01]\d/20\d\d) \(Asia/Ho_Chi_Minh\)\. `)
)

type printedInvite struct {
	id                       int64
	code, link, bot, payload string
}

// invite runs `hocvuso invite ARGS` and reads what it printed.
func (s *served) invite(args ...string) printedInvite {
	s.t.Helper()
	out := s.mustAdmin(append([]string{"invite"}, args...)...)
	var p printedInvite
	m := printedCode.FindStringSubmatch(out)
	l := printedLink.FindStringSubmatch(out)
	id := printedID.FindStringSubmatch(out)
	if m == nil || l == nil || id == nil {
		s.t.Fatalf("invite printed no code, link or id:\n%s", out)
	}
	if !printedExpiry.MatchString(out) {
		s.t.Errorf("invite does not print its expiry as hh:mm dd/mm/yyyy in Asia/Ho_Chi_Minh:\n%s", out)
	}
	p.code, p.link, p.bot, p.payload = m[1], l[1], l[2], l[3]
	p.id, _ = strconv.ParseInt(id[1], 10, 64)
	if !strings.Contains(out, "/join "+p.code) {
		s.t.Errorf("invite does not say how to use the code on Zalo:\n%s", out)
	}
	return p
}

// roleOf is the unit (or "official") of a user's active roles, by chat.
func (s *served) rolesOf(chat int64) []string {
	s.t.Helper()
	rows, err := s.db.Pool.Query(context.Background(), `SELECT r.role || ':' || coalesce(r.unit_code, '') FROM report_roles r
		JOIN accounts a ON a.user_id = r.user_id WHERE a.external_id = $1 AND r.revoked_at IS NULL ORDER BY r.id`, strconv.FormatInt(chat, 10))
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			s.t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func (s *served) last(chat int64) string {
	s.t.Helper()
	texts := s.texts(chat)
	if len(texts) == 0 {
		s.t.Fatalf("nothing was sent to %d", chat)
	}
	return texts[len(texts)-1]
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// From the admin's units file to a focal point in chat, and back: import,
// invite, the deep link, the list, revoke; a used code; a bad file.
func TestServeEnrol_InviteToFocalPointAndRevoke(t *testing.T) {
	s := startServe(t, true, nil)

	// A bad file is rejected with its lines, and nothing is stored.
	bad := writeFile(t, "units.csv", "code;name;kind\nSNV;Sở Nội vụ;department\nSNV;Sở Nội vụ;department\nX1;Xã Một;xa\n")
	code, out, errOut := s.admin("import", "units", bad)
	if code == 0 || !strings.Contains(errOut, bad+`:3: unit "SNV": field code: is given twice (first at line 2)`) ||
		!strings.Contains(errOut, bad+`:4: unit "X1": field kind: "xa" is not a kind of unit`) || !strings.Contains(errOut, "nothing was stored") {
		t.Fatalf("bad file: exit %d\n%s%s", code, out, errOut)
	}
	if n := s.count(`SELECT count(*) FROM units`); n != 0 {
		t.Fatalf("%d units stored from a rejected file", n)
	}

	sample := filepath.Join("..", "..", "docs", "units.sample.csv")
	if out := s.mustAdmin("import", "units", sample); !strings.Contains(out, "13 units: 13 created, 0 updated, 0 unchanged") {
		t.Fatalf("import printed:\n%s", out)
	}
	// Again, with one name changed: one update, the rest unchanged.
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	changed := writeFile(t, "units.csv", strings.Replace(string(data), "SNV,Sở Nội vụ,", "SNV,Sở Nội vụ tỉnh Sơn La,", 1))
	if out := s.mustAdmin("import", "units", "--by", "Lò Văn Minh", changed); !strings.Contains(out, "13 units: 0 created, 1 updated, 12 unchanged") {
		t.Fatalf("second import printed:\n%s", out)
	}
	if n := s.count(`SELECT count(*) FROM report_audit WHERE action = 'unit.update' AND actor = 'Lò Văn Minh' AND unit_code = 'SNV'`); n != 1 {
		t.Errorf("%d audit entries of the update by Lò Văn Minh", n)
	}

	// Unknown unit, and a code in the wrong case, are refused clearly.
	if code, _, errOut := s.admin("invite", "--unit", "NOPE"); code == 0 || !strings.Contains(errOut, `no unit "NOPE" among the 13 recorded`) {
		t.Errorf("unknown unit: exit %d, %s", code, errOut)
	}
	if code, _, errOut := s.admin("invite", "--unit", "snv"); code == 0 || !strings.Contains(errOut, "did you mean SNV (Sở Nội vụ tỉnh Sơn La)?") {
		t.Errorf("unit in lower case: exit %d, %s", code, errOut)
	}

	inv := s.invite("--unit", "SNV", "--by", "Lò Văn Minh")
	if inv.bot != "fake_bot" || strings.ReplaceAll(inv.code, "-", "") != inv.payload {
		t.Fatalf("link %s for code %s: want t.me/fake_bot and the code as the start payload", inv.link, inv.code)
	}

	const lan, hoa = 7101, 7102
	s.join(lan)
	notFocal := "Chỉ đầu mối của đơn vị mới gửi được báo cáo"
	s.say(lan, "/report")
	if got := s.last(lan); !strings.Contains(got, notFocal) {
		t.Fatalf("/report before the invite: %q", got)
	}
	s.say(lan, "/start "+inv.payload)
	if got := s.last(lan); !strings.Contains(got, "Từ nay bạn là đầu mối của Sở Nội vụ tỉnh Sơn La.") || !strings.Contains(got, "/report") {
		t.Fatalf("after the deep link: %q", got)
	}
	if got := s.rolesOf(lan); len(got) != 1 || got[0] != "focal:SNV" {
		t.Fatalf("roles %v, want focal:SNV", got)
	}
	// Now /report is hers.
	before := len(s.texts(lan))
	s.say(lan, "/report")
	if got := strings.Join(s.texts(lan)[before:], "\n"); got == "" || strings.Contains(got, notFocal) {
		t.Fatalf("/report of a focal point: %q", got)
	}

	// Someone else with the same code: used.
	s.join(hoa)
	s.say(hoa, "/join "+strings.ToLower(inv.code))
	if got := s.last(hoa); !strings.Contains(got, "Mã "+inv.code+" đã được dùng rồi") {
		t.Fatalf("a used code: %q", got)
	}
	if got := s.rolesOf(hoa); len(got) != 0 {
		t.Fatalf("a used code gave roles %v", got)
	}

	// The admin's list, then revoke.
	list := s.mustAdmin("focal", "list", "--unit", "SNV")
	var roleID int64
	if err := s.db.Pool.QueryRow(context.Background(), `SELECT id FROM report_roles WHERE unit_code = 'SNV'`).Scan(&roleID); err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(fmt.Sprintf(`(?m)^%d +focal +SNV Sở Nội vụ tỉnh Sơn La +Lò Thị Hương #\d+ +telegram:%d +[0-2]\d:[0-5]\d [0-3]\d/[01]\d/20\d\d +invite$`, roleID, lan))
	if !row.MatchString(list) {
		t.Fatalf("focal list does not show the focal point as %s:\n%s", row, list)
	}
	if out := s.mustAdmin("focal", "list", "--unit", "03670"); !strings.Contains(out, "Unit 03670 has no focal point") {
		t.Errorf("empty unit: %s", out)
	}
	out = s.mustAdmin("revoke", strconv.FormatInt(roleID, 10), "--by", "Lò Văn Minh")
	if !strings.Contains(out, "is no longer a focal point of Sở Nội vụ tỉnh Sơn La (SNV)") {
		t.Fatalf("revoke printed:\n%s", out)
	}
	if got := s.rolesOf(lan); len(got) != 0 {
		t.Fatalf("roles after revoke: %v", got)
	}
	s.say(lan, "/report")
	if got := s.last(lan); !strings.Contains(got, notFocal) {
		t.Fatalf("/report after the revocation: %q", got)
	}
	if n := s.count(`SELECT count(*) FROM report_audit WHERE action = 'role.revoke' AND actor = 'Lò Văn Minh'`); n != 1 {
		t.Errorf("%d audit entries of the revocation", n)
	}
	revokedTwice := regexp.MustCompile(`was revoked already, at [0-2]\d:[0-5]\d [0-3]\d/[01]\d/20\d\d by Lò Văn Minh`)
	if code, _, errOut := s.admin("revoke", strconv.FormatInt(roleID, 10)); code == 0 || !revokedTwice.MatchString(errOut) {
		t.Errorf("revoke twice: exit %d, %s", code, errOut)
	}
	if code, _, errOut := s.admin("revoke", "999999"); code == 0 || !strings.Contains(errOut, "there is no role 999999") {
		t.Errorf("revoke unknown: exit %d, %s", code, errOut)
	}
	// The revoked focal point's code does not bring the role back.
	s.say(lan, "/start "+inv.payload)
	if got := s.last(lan); !strings.Contains(got, "đã được dùng rồi") {
		t.Fatalf("the code again after revocation: %q", got)
	}
}

// Someone who opens the link before agreeing to the privacy notice: the
// code is kept through a language switch and applied right after consent.
func TestServeEnrol_ConsentFirst(t *testing.T) {
	s := startServe(t, true, nil)
	s.mustAdmin("import", "units", filepath.Join("..", "..", "docs", "units.sample.csv"))
	inv := s.invite("--unit", "03670", "--valid", "2d")

	const chat = 7103
	s.say(chat, "/start "+inv.payload)
	mustContain(t, s.texts(chat), "Tôi đã giữ mã mời của bạn")
	mustContain(t, s.texts(chat), "91/2025/QH15")
	if n := s.countUsers(); n != 0 {
		t.Fatalf("%d users before consent", n)
	}
	s.tap(chat, "vi", "English")
	mustContain(t, s.texts(chat), "Personal Data Protection")
	s.tap(chat, "vi", "I agree")
	if got := s.last(chat); !strings.Contains(got, "You are now a focal point of Phường Chiềng Cơi.") {
		t.Fatalf("after consent: %q", got)
	}
	if got := s.rolesOf(chat); len(got) != 1 || got[0] != "focal:03670" {
		t.Fatalf("roles %v", got)
	}
}

// An official's invite; an expired code; wrong codes slowed down before
// any lookup, and the right code refused until the window ends.
func TestServeEnrol_OfficialExpiredAndWrongCodes(t *testing.T) {
	s := startServe(t, true, nil)
	expired := s.invite("--role", "official", "--valid", "30m")
	// Half an hour and more has passed.
	if _, err := s.db.Pool.Exec(context.Background(),
		`UPDATE report_invites SET created_at = created_at - interval '1 hour', expires_at = expires_at - interval '1 hour' WHERE id = $1`, expired.id); err != nil {
		t.Fatal(err)
	}
	official := s.invite("--role", "official")

	const chat = 7104
	s.join(chat)
	s.say(chat, "/join "+expired.code)
	if got := s.last(chat); !strings.Contains(got, "Mã "+expired.code+" đã hết hạn lúc") {
		t.Fatalf("expired code: %q", got)
	}

	// /join alone asks; the typed wrong codes count down, the fifth stops.
	s.say(chat, "/join")
	if got := s.last(chat); !strings.Contains(got, "Vui lòng gõ mã mời") {
		t.Fatalf("/join alone: %q", got)
	}
	for i := 1; i <= 4; i++ {
		s.say(chat, fmt.Sprintf("WRNG-C0DE-000%d", i))
		if got := s.last(chat); !strings.Contains(got, fmt.Sprintf("Bạn còn %d lần thử", 5-i)) {
			t.Fatalf("wrong code %d: %q", i, got)
		}
	}
	s.say(chat, "WRNG-C0DE-0005")
	if got := s.last(chat); !strings.Contains(got, "Vui lòng đợi 15 phút") {
		t.Fatalf("fifth wrong code: %q", got)
	}
	// Even the right code is refused now, and is not spent.
	s.say(chat, "/join "+official.code)
	if got := s.last(chat); !strings.Contains(got, "Bạn đã gõ sai mã nhiều lần") {
		t.Fatalf("the right code while slowed down: %q", got)
	}
	if n := s.count(`SELECT count(*) FROM report_invites WHERE id = $1 AND used_at IS NULL`, official.id); n != 1 {
		t.Fatal("the code was used while the account was refused")
	}
	// The window ends (its counter expires in Redis, as 15 minutes would).
	keys, err := s.redis.Client.Keys(context.Background(), s.redis.Prefix+"throttle:enrol:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("throttle keys %v, %v", keys, err)
	}
	ttl := s.redis.Client.PTTL(context.Background(), keys[0]).Val()
	if ttl <= 0 || ttl > enrol.WrongCodeWindow {
		t.Fatalf("the window has %v left", ttl)
	}
	s.redis.Client.Del(context.Background(), keys[0])
	s.say(chat, "/join "+official.code)
	got := s.last(chat)
	if !strings.Contains(got, "Từ nay bạn là cán bộ theo dõi báo cáo") || !strings.Contains(got, "/overview") || !strings.Contains(got, "/export") {
		t.Fatalf("official: %q", got)
	}
	if roles := s.rolesOf(chat); len(roles) != 1 || roles[0] != "official:" {
		t.Fatalf("roles %v", roles)
	}
	if out := s.mustAdmin("focal", "list"); !regexp.MustCompile(`(?m)^\d+ +official +- +Lò Thị Hương`).MatchString(out) {
		t.Errorf("focal list lacks the official:\n%s", out)
	}
}

// On Zalo there is no deep link: the invite says to type /join CODE, and
// that makes a focal point the same way; so does the code pasted alone at
// the menu, or typed after "tham gia" without the slash.
func TestZaloEnrol_JoinByTypedCode(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	admin := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCmd(t, s.vars["DATABASE_URL"], args...)
		if code != 0 {
			t.Fatalf("hocvuso %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	admin("import", "units", filepath.Join("..", "..", "docs", "units.sample.csv"))
	out := admin("invite", "--unit", "03808")
	if !strings.Contains(out, "Telegram: no link (neither TELEGRAM_BOT_USERNAME nor TELEGRAM_TOKEN is set)") {
		t.Errorf("invite without a bot name:\n%s", out)
	}
	m := printedCode.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no code in:\n%s", out)
	}
	const user = "8890635404729405001"
	s.onboard(user)
	s.deliver(s.fake.TextEvent(user, "/join "+m[1]))
	texts := s.fake.Texts(user)
	if got := texts[len(texts)-1]; !strings.Contains(got, "Từ nay bạn là đầu mối của Xã Mường La.") {
		t.Fatalf("on Zalo: %q", got)
	}
	if n := s.count(`SELECT count(*) FROM report_roles r JOIN accounts a ON a.user_id = r.user_id
		WHERE a.channel = 'zalo' AND a.external_id = $1 AND r.unit_code = '03808' AND r.revoked_at IS NULL`, user); n != 1 {
		t.Fatalf("%d roles for the Zalo user", n)
	}

	// Another focal point pastes the code alone, as copied from the
	// invite, and a third types it after "Tham gia", without the slash.
	for i, typed := range []func(code string) string{
		func(code string) string { return code },
		func(code string) string { return "Tham gia " + strings.ToLower(code) },
	} {
		m := printedCode.FindStringSubmatch(admin("invite", "--unit", "03808"))
		if m == nil {
			t.Fatal("no second code")
		}
		user := fmt.Sprintf("889063540472940500%d", i+2)
		s.onboard(user)
		s.deliver(s.fake.TextEvent(user, typed(m[1])))
		texts := s.fake.Texts(user)
		if got := texts[len(texts)-1]; !strings.Contains(got, "Từ nay bạn là đầu mối của Xã Mường La.") {
			t.Fatalf("%q on Zalo: %q", typed(m[1]), got)
		}
	}
	if n := s.count(`SELECT count(*) FROM report_roles WHERE unit_code = '03808' AND revoked_at IS NULL`); n != 3 {
		t.Fatalf("%d focal points of 03808; want 3", n)
	}
}

// In English, a code typed as people type it: in small letters, with
// spaces or with the en dashes a phone or a word processor puts for -; a
// code used already, an expired one (its time as the chat writes times,
// dd/mm/yyyy in Asia/Ho_Chi_Minh) and a wrong one, each said so.
func TestServeEnrol_EnglishTypedCodes(t *testing.T) {
	s := startServe(t, true, nil)
	official := s.invite("--role", "official")
	expired := s.invite("--role", "official", "--valid", "30m")
	var expiredAt time.Time
	if err := s.db.Pool.QueryRow(context.Background(),
		`UPDATE report_invites SET created_at = created_at - interval '1 hour', expires_at = expires_at - interval '1 hour' WHERE id = $1 RETURNING expires_at`,
		expired.id).Scan(&expiredAt); err != nil {
		t.Fatal(err)
	}
	say := func(chat int64, text string) string {
		t.Helper()
		if status := s.deliver(textUpdate(chat, "en", text)); status != http.StatusOK {
			t.Fatalf("%q: webhook status %d", text, status)
		}
		return s.last(chat)
	}
	const an, binh = 7105, 7106
	for _, chat := range []int64{an, binh} {
		say(chat, "/start")
		s.tap(chat, "en", "I agree")
	}

	typed := strings.ToLower(strings.ReplaceAll(official.code, "-", "–"))
	if got := say(an, "/join "+typed); !strings.Contains(got, "You are now an official") {
		t.Fatalf("/join %s: %q", typed, got)
	}
	spaced := strings.ToLower(strings.ReplaceAll(official.code, "-", " "))
	if got := say(binh, "/join "+spaced); !strings.Contains(got, "The code "+official.code+" was used already.") {
		t.Fatalf("a used code typed as %q: %q", spaced, got)
	}
	at := expiredAt.In(time.FixedZone("ICT", 7*3600)).Format("15:04 on 2 Jan 2006") // the month in words, in English
	if got := say(binh, "/join "+expired.code); !strings.Contains(got, "The code "+expired.code+" expired at "+at+".") {
		t.Fatalf("an expired code: %q; want it expired at %s", got, at)
	}
	if got := say(binh, "WRNG-C0DE-0001"); !strings.Contains(got, "There is no invite code WRNG-C0DE-0001") || !strings.Contains(got, "Tries left: 4") {
		t.Fatalf("a wrong code: %q", got)
	}
	if roles := s.rolesOf(binh); len(roles) != 0 {
		t.Fatalf("roles %v", roles)
	}
}
