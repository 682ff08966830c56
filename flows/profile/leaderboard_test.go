package profile_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hocvuso/flows/flowtest"
)

// seed records n users of a commune ("" for none), each with one attempt
// at an area's test finished at `at`, the first `passed` of them passed.
func (b *testBot) seed(commune string, n, passed int, at time.Time) {
	b.TB.Helper()
	var code *string
	if commune != "" {
		code = &commune
	}
	_, err := b.DB.Pool.Exec(context.Background(), `
		WITH u AS (
			INSERT INTO users (display_name, consent_at, consent_version, commune_code)
			SELECT 'seed', $4, 'test', $1 FROM generate_series(1, $2) RETURNING id
		)
		INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
		SELECT id, 'test', '4', '{}', '[]', 10, 5, row_number() OVER (ORDER BY id) <= $3, $4, $4 FROM u`,
		code, n, passed, at)
	if err != nil {
		b.TB.Fatal(err)
	}
}

func (b *testBot) exec(sql string, args ...any) {
	b.TB.Helper()
	if _, err := b.DB.Pool.Exec(context.Background(), sql, args...); err != nil {
		b.TB.Fatal(err)
	}
}

// settle makes a user who took a quiz and chose a commune, group skipped.
func (b *testBot) settle(name, lang, search, unit string) *flowtest.User {
	b.TB.Helper()
	u := b.join(name, lang)
	u.Send("/finish pass")
	u.Send(search)
	u.Tap(unit)
	u.Tap(map[string]string{"vi": "Bỏ qua", "en": "Skip"}[lang])
	return u
}

func lines(r flowtest.Result) []string { return strings.Split(r.Last().Text, "\n") }

func hasLine(t *testing.T, r flowtest.Result, want string) {
	t.Helper()
	for _, l := range lines(r) {
		if l == want {
			return
		}
	}
	t.Errorf("no line %q in:\n%s", want, r.Last().Text)
}

// The communes are ranked by participants (users with a finished attempt),
// then by pass rate (share of them with a passed attempt), this month in
// Sơn La's time and overall; the top 10 get medals and numbers, and the
// user's commune its place even outside the top 10, with what it takes to
// climb.
func TestLeaderboardRanksCommunesThisMonthAndOverall(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	nov := time.Date(2026, 11, 5, 9, 0, 0, 0, hcm)
	oct := time.Date(2026, 10, 12, 9, 0, 0, 0, hcm)
	b.seed("04231", 15, 3, nov) // Sốp Cộp
	b.seed("03808", 12, 9, nov) // Mường La: 75%
	b.seed("03670", 12, 5, nov) // Chiềng Cơi: 5 passed, and one more below
	// A Chiềng Cơi user who failed and then passed counts once, as passed.
	b.exec(`INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
		SELECT u.id, 'test', '0', '{}', '[]', 10, 9, true, $1, $1 FROM users u
		WHERE u.commune_code = '03670' AND NOT EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.user_id = u.id AND a.passed)
		ORDER BY u.id LIMIT 1`, nov.Add(time.Hour))
	for i, code := range []string{"03646", "03980", "03856", "04048", "04075", "03910", "03703", "03721"} {
		b.seed(code, 11-i, 0, nov) // Tô Hiệu 11 … Thuận Châu 4
	}
	b.seed("04000", 3, 3, nov) // Đoàn Kết: 3, all passed
	b.seed("03868", 2, 0, nov) // Tà Xùa: 2, and the user below makes 3
	// Not counted: an unfinished attempt, a user without a commune.
	b.exec(`INSERT INTO users (id, display_name, consent_at, consent_version, commune_code) VALUES (900001, 'x', $1, 't', '03979')`, nov)
	b.exec(`INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, started_at)
		VALUES (900001, 'test', '', '{}', '[]', 10, $1)`, nov)
	b.seed("", 30, 30, nov)
	// Months are Sơn La's: 00:30 on 1 November there is still October in UTC.
	b.seed("04105", 1, 1, time.Date(2026, 10, 31, 17, 30, 0, 0, time.UTC)) // Mai Sơn: November
	b.seed("03763", 1, 1, time.Date(2026, 10, 31, 16, 30, 0, 0, time.UTC)) // Long Hẹ: October
	b.seed("04210", 40, 40, oct)                                           // Huổi Một: October only

	u := b.settle("Giàng A Páo", "vi", "ta xua", "Xã Tà Xùa")
	r := u.Send("/leaderboard")
	text := r.Last().Text
	if !strings.HasPrefix(text, "🏆 Bảng xếp hạng tháng 11/2026\n") {
		t.Errorf("title: %q", text)
	}
	for _, want := range []string{
		"🥇 Xã Sốp Cộp — 15 người, 20% đạt",
		"🥈 Xã Mường La — 12 người, 75% đạt",
		"🥉 Phường Chiềng Cơi — 12 người, 50% đạt",
		"4. Phường Tô Hiệu — 11 người, 0% đạt",
		"5. Phường Mộc Châu — 10 người, 0% đạt",
		"10. Xã Quỳnh Nhai — 5 người, 0% đạt",
		"📍 Xã của bạn: hạng 13/75 — 3 người tham gia",
		"💪 Chỉ cần thêm 1 người làm bài là lên hạng 12. Rủ người thân, hàng xóm cùng học nhé!",
	} {
		hasLine(t, r, want)
	}
	for _, absent := range []string{"Thuận Châu", "Huổi Một", "Long Hẹ", "Mộc Sơn", "11."} {
		if strings.Contains(text, absent) {
			t.Errorf("this month's top 10 shows %q:\n%s", absent, text)
		}
	}
	// The order of the top 10, line by line.
	var top []string
	for _, l := range lines(r) {
		if strings.Contains(l, " người, ") {
			top = append(top, l)
		}
	}
	if len(top) != 10 {
		t.Errorf("%d communes listed, want 10:\n%s", len(top), text)
	}

	r = u.Tap("Xem từ trước đến nay")
	if !r.Last().Edited || !strings.HasPrefix(r.Last().Text, "🏆 Bảng xếp hạng từ trước đến nay") {
		t.Errorf("overall view:\n%s", r)
	}
	for _, want := range []string{
		"🥇 Xã Huổi Một — 40 người, 100% đạt",
		"🥈 Xã Sốp Cộp — 15 người, 20% đạt",
		"4. Phường Chiềng Cơi — 12 người, 50% đạt",
		"10. Xã Phù Yên — 6 người, 0% đạt",
		"📍 Xã của bạn: hạng 14/75 — 3 người tham gia",
	} {
		hasLine(t, r, want)
	}
	if strings.Contains(r.Last().Text, "Quỳnh Nhai") {
		t.Errorf("Quỳnh Nhai is 11th overall:\n%s", r.Last().Text)
	}
	r = u.Tap("Xem tháng này")
	hasLine(t, r, "📍 Xã của bạn: hạng 13/75 — 3 người tham gia")

	// In the month, Mai Sơn (00:30 on 1 November in Sơn La) is 14th with 1;
	// a Mai Sơn user sees it.
	v := b.settle("Lò Văn Bình", "vi", "mai son", "Xã Mai Sơn")
	b.clock.Add(61 * time.Second) // past the cache
	r = v.Send("/leaderboard")
	hasLine(t, r, "📍 Xã của bạn: hạng 14/75 — 2 người tham gia")
}

// The leader is cheered; a commune nobody from has taken a test yet is
// invited to start.
func TestLeaderboardCheersTheLeaderAndInvitesTheRest(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	b.seed("03808", 4, 1, time.Date(2026, 11, 2, 8, 0, 0, 0, hcm))
	u := b.settle("Lò Văn Thắng", "vi", "muong la", "Xã Mường La")
	r := u.Send("/leaderboard")
	hasLine(t, r, "🥇 Xã Mường La — 5 người, 40% đạt")
	hasLine(t, r, "📍 Xã của bạn: hạng 1/75 — 5 người tham gia")
	hasLine(t, r, b.T("vi", "profile.lb.cheer.first"))

	// A ward without anyone this month: invited, no rank number.
	w := b.join("Cầm Văn Hùng", "vi")
	w.Send("/profile")
	w.Tap("Đổi xã/phường")
	w.Send("to hieu")
	w.Tap("Phường Tô Hiệu")
	r = w.Send("/leaderboard")
	hasLine(t, r, "📍 Phường Tô Hiệu của bạn chưa có ai làm bài. Bạn hãy là người đầu tiên! 🚀")
}

// With no attempt at all the leaderboard says so kindly, and someone
// without a commune is offered to choose it from there.
func TestLeaderboardEmpty(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	u := b.join("Sùng A Dính", "vi")
	menu := u.Send("/menu").Last()
	r := u.TapOn(menu, "🏆 Bảng xếp hạng")
	contains(t, r, "🏆 Bảng xếp hạng tháng 11/2026", b.T("vi", "profile.lb.empty.m"), b.T("vi", "profile.lb.own.none"))
	if !r.Last().Edited {
		t.Error("the leaderboard should replace the menu it was opened from")
	}
	r = u.Tap("Xem từ trước đến nay")
	contains(t, r, b.T("vi", "profile.lb.empty.a"))
	r = u.Tap("Chọn xã/phường")
	contains(t, r, "Bạn sống ở xã/phường nào?")
	u.Send("chieng an")
	r = u.Tap("Phường Chiềng An")
	contains(t, r, "Nơi ở: Phường Chiềng An")

	// Last month's attempts leave this month empty.
	b.seed("03664", 3, 3, time.Date(2026, 10, 20, 8, 0, 0, 0, hcm))
	b.clock.Add(2 * time.Minute) // past the cache
	r = u.Send("/leaderboard")
	contains(t, r, b.T("vi", "profile.lb.empty.m"))
	r = u.Tap("Xem từ trước đến nay")
	hasLine(t, r, "🥇 Phường Chiềng An — 3 người, 100% đạt")
}

// Someone who took a test but chose no commune counts for none: the empty
// leaderboard says that no commune has anyone yet, not that nobody took a
// test, which they know to be false, and offers to choose one.
func TestLeaderboardEmptyToOneWhoTookATestWithoutCommune(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	for _, c := range []struct{ lang, skip, month, showAll, all, choose string }{
		{"en", "Skip",
			"This month, no commune or ward has anyone who took a test yet. 🌱 Be the first, and put your commune at the top!",
			"Show all time",
			"No commune or ward has anyone who took a test yet. 🌱 Be the first, and put your commune at the top!",
			"📍 Choose commune or ward"},
		{"vi", "Bỏ qua",
			"Tháng này chưa xã, phường nào có người làm bài. 🌱 Bạn hãy làm bài đầu tiên, để xã của bạn đứng đầu bảng!",
			"Xem từ trước đến nay",
			"Chưa xã, phường nào có người làm bài. 🌱 Bạn hãy làm bài đầu tiên, để xã của bạn đứng đầu bảng!",
			"📍 Chọn xã/phường"},
	} {
		u := b.join("Anna "+c.lang, c.lang)
		u.Send("/finish pass")
		u.Tap(c.skip)
		r := u.Send("/leaderboard")
		hasLine(t, r, c.month)
		if _, ok := r.Last().Button(c.choose); !ok {
			t.Errorf("%s: no button %q: %q", c.lang, c.choose, r.Last().Labels())
		}
		hasLine(t, u.Tap(c.showAll), c.all)
	}
}

// A ranking is reused for 60 seconds in the process, then read afresh.
func TestLeaderboardIsCachedForAMinute(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	nov := time.Date(2026, 11, 3, 8, 0, 0, 0, hcm)
	b.seed("04168", 2, 2, nov) // Sông Mã
	u := b.join("Mùa A Chứ", "vi")
	hasLine(t, u.Send("/leaderboard"), "🥇 Xã Sông Mã — 2 người, 100% đạt")
	b.seed("04168", 3, 0, nov)
	b.clock.Add(59 * time.Second)
	hasLine(t, u.Send("/leaderboard"), "🥇 Xã Sông Mã — 2 người, 100% đạt")
	b.clock.Add(2 * time.Second)
	hasLine(t, u.Send("/leaderboard"), "🥇 Xã Sông Mã — 5 người, 40% đạt")
}

// The same in English.
func TestLeaderboardInEnglish(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	b.seed("03670", 3, 1, time.Date(2026, 11, 3, 8, 0, 0, 0, hcm))
	u := b.settle("Anna", "en", "muong la", "Mường La commune")
	r := u.Send("/leaderboard")
	for _, want := range []string{
		"🏆 Leaderboard for November 2026",
		"🥇 Chiềng Cơi ward — 3 taking part, 33% passed",
		"🥈 Mường La commune — 1 taking part, 100% passed",
		"📍 Your commune: #2 of 75 — 1 taking part",
		"💪 Just 3 more taking a test and you move up to #1. Ask family and neighbours to join!",
	} {
		hasLine(t, r, want)
	}
}

// Passed is what /progress says: a participant passed when they passed an
// area's test. A quick test, however good, passes no area: its takers
// count as participants, not as passed, this month and overall.
func TestLeaderboardQuickTestPassesNoArea(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	nov := time.Date(2026, 11, 3, 8, 0, 0, 0, hcm)
	b.seed("03670", 1, 1, nov) // Chiềng Cơi: one passed an area
	b.seed("03670", 1, 0, nov) // and one failed it
	// Two more passed the quick test only, one of them also failed an area.
	b.exec(`WITH u AS (
			INSERT INTO users (display_name, consent_at, consent_version, commune_code)
			SELECT 'quick', $1, 'test', '03670' FROM generate_series(1, 2) RETURNING id)
		INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
		SELECT id, 'test', '', '{}', '[]', 10, 10, true, $1, $1 FROM u`, nov)
	b.exec(`INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
		SELECT id, 'test', '0', '{}', '[]', 10, 2, false, $1, $1 FROM users WHERE display_name = 'quick' ORDER BY id LIMIT 1`, nov)
	u := b.join("Lường Thị Ánh", "vi")
	r := u.Send("/leaderboard")
	hasLine(t, r, "🥇 Phường Chiềng Cơi — 4 người, 25% đạt")
	r = u.Tap("Xem từ trước đến nay")
	hasLine(t, r, "🥇 Phường Chiềng Cơi — 4 người, 25% đạt")
}
