package profile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/profile"
	"hocvuso/store"
)

// fakeQuiz stands in for the quiz flow: "/finish pass" (or fail) records a
// finished attempt at an area's test and calls the hook the quiz flow
// calls, as it does when an attempt ends.
type fakeQuiz struct {
	db    *store.DB
	after func(c *bot.Conversation) error
}

func (*fakeQuiz) Name() string       { return "fakequiz" }
func (*fakeQuiz) Commands() []string { return []string{"finish"} }
func (q *fakeQuiz) Handle(c *bot.Conversation, in flows.Input) error {
	if _, err := q.db.Pool.Exec(c.Ctx, `INSERT INTO quiz_attempts
		(user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
		VALUES ($1, 'test', '4', '{}', '[]', 10, 9, $2, $3, $3)`, c.Session.UserID, in.Args == "pass", c.Now); err != nil {
		return err
	}
	c.NextScreen()
	c.Reply(bot.Reply{Text: "(quiz result)", Buttons: [][]bot.Button{{c.Button("(retake)", "fakequiz", "retake", "")}}})
	return q.after(c)
}

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

type testBot struct {
	*flowtest.Harness
	profile *profile.Flow
	clock   *flowtest.Clock
}

// newBot is the bot with the profile flow wired as in cmd/hocvuso: its menu
// items and the quiz's after-attempt hook. The clock starts on
// 15 November 2026, 10:00 in Sơn La.
func newBot(t *testing.T) *testBot {
	t.Helper()
	b := &testBot{clock: flowtest.NewClock(time.Date(2026, 11, 15, 10, 0, 0, 0, hcm))}
	b.Harness = flowtest.New(t,
		flowtest.WithLocation(hcm),
		flowtest.WithClock(b.clock.Now),
		flowtest.WithMenu(profile.MenuItems()...),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			p, err := profile.New(h.DB, hcm)
			if err != nil {
				t.Fatal(err)
			}
			b.profile = p
			return p
		}),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			return &fakeQuiz{db: h.DB, after: func(c *bot.Conversation) error {
				ask, err := b.profile.Offer(c.Ctx, c.Session.UserID)
				if err != nil || ask == nil {
					return err
				}
				return ask(c)
			}}
		}),
	)
	return b
}

// join brings a new user through the privacy consent.
func (b *testBot) join(name, lang string) *flowtest.User {
	b.TB.Helper()
	u := b.NewUser(name, lang)
	if r := u.Agree(); !strings.Contains(r.Text(), b.T(bot.LangFromTag(lang), "menu.title")) {
		b.TB.Fatalf("no menu after consent:\n%s", r)
	}
	return u
}

func (b *testBot) profileOf(u *flowtest.User) store.Profile {
	b.TB.Helper()
	p, err := b.DB.Profile(context.Background(), u.UserID())
	if err != nil {
		b.TB.Fatal(err)
	}
	return p
}

func contains(t *testing.T, r flowtest.Result, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Text(), p) {
			t.Errorf("the reply does not say %q:\n%s", p, r)
		}
	}
}

// After a finished quiz the profile is offered, once: the user types part
// of the name, taps their ward, then their group; both are saved. The next
// finished attempt does not ask again.
func TestOfferAsksOnceAfterAFinishedAttempt(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	u := b.join("Lò Thị Hoa", "vi")

	r := u.Send("/finish pass")
	contains(t, r, "(quiz result)", b.T("vi", "profile.offer"), "Bạn sống ở xã/phường nào?")
	offer := r.Last()
	for _, l := range []string{"C", "M", "Đ", "Bỏ qua"} {
		if _, ok := offer.Button(l); !ok {
			t.Errorf("the question lacks the button %q: %q", l, offer.Labels())
		}
	}
	if p := b.profileOf(u); p.AskedAt == nil {
		t.Error("profile_asked_at not recorded when the question was shown")
	}
	// The quiz's result buttons stay usable: the question made no new screen.
	retake, _ := r.Sent[0].Button("(retake)")
	cb, err := bot.ParseCallback(retake.Data)
	if err != nil {
		t.Fatal(err)
	}
	if offerBtn, _ := offer.Button("Bỏ qua"); !strings.Contains(offerBtn.Data, fmt.Sprintf("|%d|", cb.Screen)) {
		t.Errorf("the question's buttons (%q) are on another screen than the quiz's (%d)", offerBtn.Data, cb.Screen)
	}

	r = u.Send("chieng coi")
	contains(t, r, b.T("vi", "profile.commune.found"))
	if got := r.Last().Labels(); len(got) != 3 || got[0] != "Phường Chiềng Cơi" {
		t.Errorf("search buttons = %q, want Phường Chiềng Cơi, by letter, skip", got)
	}
	r = u.Tap("Phường Chiềng Cơi")
	contains(t, r, "✅ Đã lưu: Phường Chiềng Cơi.", "Bạn thuộc nhóm nào?")
	if p := b.profileOf(u); p.CommuneCode != "03670" {
		t.Errorf("commune = %q, want 03670 saved before the group is asked", p.CommuneCode)
	}
	r = u.Tap("Cán bộ, công chức, viên chức")
	contains(t, r, "✅ Đã lưu nhóm: Cán bộ, công chức, viên chức.", b.T("vi", "profile.done"))
	if p := b.profileOf(u); p.CommuneCode != "03670" || p.Group != "public_employee" {
		t.Errorf("profile = %+v", p)
	}

	// A second finished attempt: the result only.
	r = u.Send("/finish fail")
	if len(r.Sent) != 1 || r.Sent[0].Text != "(quiz result)" {
		t.Errorf("second attempt asked again:\n%s", r)
	}
}

// Skipping both questions records that the profile was asked, saves
// nothing, and is not met with the question again; nor is ignoring it.
func TestOfferSkippedOrIgnoredIsNotAskedAgain(t *testing.T) {
	t.Parallel()
	b := newBot(t)

	u := b.join("Quàng Văn Nam", "vi")
	u.Send("/finish pass")
	r := u.Tap("Bỏ qua")
	contains(t, r, "Bạn thuộc nhóm nào?")
	r = u.Tap("Bỏ qua")
	contains(t, r, b.T("vi", "profile.skipped"))
	p := b.profileOf(u)
	if p.AskedAt == nil || p.CommuneCode != "" || p.Group != "" {
		t.Errorf("after skipping: %+v", p)
	}
	if r := u.Send("/finish pass"); len(r.Sent) != 1 {
		t.Errorf("asked again after skipping:\n%s", r)
	}

	v := b.join("Cầm Thị Lan", "vi")
	v.Send("/finish fail")
	if r := v.Send("/finish pass"); len(r.Sent) != 1 {
		t.Errorf("asked again after ignoring the question:\n%s", r)
	}
}

// Someone who filled in /profile before any quiz is not asked after one.
func TestOfferSkipsWhoFilledTheProfile(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	u := b.join("Hà Văn Tú", "vi")
	u.Send("/profile")
	u.Tap("Đổi nhóm")
	u.Tap("Học sinh, sinh viên")
	if r := u.Send("/finish pass"); len(r.Sent) != 1 {
		t.Errorf("asked after /profile:\n%s", r)
	}
}

// The typed name is found with or without diacritics, in decomposed
// Unicode as some keyboards send it, and in any case.
func TestTypedSearchFindsTheWardHoweverTyped(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	for i, typed := range []string{"chieng coi", "Chiềng Cơi", norm.NFD.String("Chiềng Cơi"), "PHƯỜNG CHIỀNG CƠI", "chiengcoi", "chieng coii"} {
		u := b.join(fmt.Sprintf("Người %d", i), "vi")
		u.Send("/finish pass")
		upd := u.Message(typed)
		upd.Text = typed // as sent, not normalised at the edge
		r := u.Do(upd)
		if got := r.Last().Labels(); len(got) == 0 || got[0] != "Phường Chiềng Cơi" {
			t.Errorf("typed %q (%+q): buttons %q", typed, typed, got)
			continue
		}
		u.Tap("Phường Chiềng Cơi")
		if p := b.profileOf(u); p.CommuneCode != "03670" {
			t.Errorf("typed %q: commune %q", typed, p.CommuneCode)
		}
	}
}

// Browsing by first letter, page by page, reaches every unit of the letter.
func TestBrowseByLetter(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	u := b.join("Lường Văn Sơn", "vi")
	u.Send("/finish pass")
	r := u.Tap("M")
	contains(t, r, "Xã/phường có tên bắt đầu bằng chữ M:", "(trang 1/2)")
	first := r.Last()
	if !first.Edited {
		t.Error("the letter's list should replace the question")
	}
	if _, ok := first.Button("Mường La"); ok {
		t.Errorf("Mường La on the first page: %q", first.Labels())
	}
	r = u.Tap("Trang sau")
	contains(t, r, "(trang 2/2)")
	if _, ok := r.Last().Button("Trang trước"); !ok {
		t.Errorf("no way back: %q", r.Last().Labels())
	}
	r = u.Tap("Mường La")
	contains(t, r, "✅ Đã lưu: Xã Mường La.")
	if p := b.profileOf(u); p.CommuneCode != "03808" {
		t.Errorf("commune %q, want 03808", p.CommuneCode)
	}
	// One letter typed is the same as tapping it.
	v := b.join("Lò Văn Đức", "vi")
	v.Send("/finish pass")
	r = v.Send("đ")
	contains(t, r, "bắt đầu bằng chữ Đ")
	if _, ok := r.Last().Button("Đoàn Kết"); !ok {
		t.Errorf("typed đ: %q", r.Last().Labels())
	}
}

// Input that is not a name gets a polite answer and the question again.
func TestBadInputIsAnsweredPolitely(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	u := b.join("Điêu Chính Tơi", "vi")
	u.Send("/finish pass")

	r := u.Send("xyzxyz")
	contains(t, r, "Tôi không thấy xã/phường nào có tên “xyzxyz”")
	if _, ok := r.Last().Button("C"); !ok {
		t.Errorf("no letters after a failed search: %q", r.Last().Labels())
	}
	r = u.Send("🙂🙂")
	contains(t, r, b.T("vi", "profile.commune.empty"))
	r = u.Send(strings.Repeat("Chiềng Cơi ", 200))
	contains(t, r, b.T("vi", "profile.commune.toolong"))
	r = u.SendFile("anh.jpg", "image/jpeg")
	contains(t, r, b.T("vi", "unsupported.input"), "Bạn sống ở xã/phường nào?")
	r = u.Send("muong")
	contains(t, r, "Có 15 tên phù hợp. Đây là 8 tên đầu.")
	if got := len(r.Last().Labels()); got != 8+2 {
		t.Errorf("%d buttons, want 8 units, by letter, skip", got)
	}

	u.Tap("Xã Mường Bú")
	r = u.Send("người dân")
	contains(t, r, b.T("vi", "profile.group.tap"))
	if _, ok := r.Last().Button("Người dân"); !ok {
		t.Errorf("group buttons not shown again: %q", r.Last().Labels())
	}
	if p := b.profileOf(u); p.CommuneCode != "03847" || p.Group != "" {
		t.Errorf("profile %+v", p)
	}
}

// The list holds the units since 1 July 2025; a commune's or ward's name
// from before (Chiềng Lề, Quyết Thắng: wards of the former Sơn La city) is
// not in it. Whoever types one is told that names changed, not only offered
// look-alike names of other communes.
func TestAnOldNameIsToldTheCommunesMergedIn2025(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	for _, tc := range []struct{ lang, typed, want string }{
		{"vi", "Chiềng Lề", "Có phải bạn muốn chọn"}, // near Chiềng La, a commune elsewhere
		{"vi", "phường Quyết Thắng", "Tôi không thấy xã/phường nào"},
		{"en", "chieng le", "Did you mean"},
		{"en", "Quyet Thang", "I found no commune"},
	} {
		u := b.join("Lò Văn "+tc.typed, tc.lang)
		u.Send("/finish pass")
		r := u.Send(tc.typed)
		contains(t, r, tc.want, b.T(tc.lang, "profile.commune.merged"))
	}
}

// A tap on an answered question's button changes nothing; a double tap
// counts once.
func TestStaleAndDoubleTaps(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	u := b.join("Lò Văn Minh", "vi")
	u.Send("/finish pass")
	list := u.Send("coi").Last() // Chiềng Cơi, Mường Cơi
	r := u.Do(u.TapUpdate(list, "Mường Cơi"), u.TapUpdate(list, "Chiềng Cơi"))
	if r.Answered != 2 {
		t.Errorf("%d taps answered, want 2", r.Answered)
	}
	if !strings.Contains(r.Notice(), b.T("vi", "stale.button")) {
		t.Errorf("the second tap was not told it is old: %q", r.Notices)
	}
	first := b.profileOf(u).CommuneCode
	if first != "03907" && first != "03670" {
		t.Fatalf("commune %q", first)
	}
	u.Tap("Người dân")
	r = u.TapOn(list, "Mường Cơi")
	if r.Notice() != b.T("vi", "stale.button") || len(r.Sent) != 0 {
		t.Errorf("old list tapped after the end:\n%s", r)
	}
	if p := b.profileOf(u); p.CommuneCode != first || p.Group != "citizen" {
		t.Errorf("profile changed by an old tap: %+v", p)
	}
}

// /profile shows the profile and changes it at any time; the menu has it.
func TestProfileCommandChangesIt(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	u := b.join("Vì Thị Mai", "vi")
	menu := u.Send("/menu").Last()
	if _, ok := menu.Button("👤 Hồ sơ"); !ok {
		t.Errorf("menu lacks the profile: %q", menu.Labels())
	}
	if _, ok := menu.Button("🏆 Bảng xếp hạng"); !ok {
		t.Errorf("menu lacks the leaderboard: %q", menu.Labels())
	}
	r := u.TapOn(menu, "👤 Hồ sơ")
	contains(t, r, "Nơi ở: chưa cho biết", "Nhóm: chưa cho biết")
	if _, ok := r.Last().Button("Xóa hồ sơ"); ok {
		t.Error("nothing to delete, yet a delete button")
	}

	u.Tap("Đổi xã/phường")
	u.Send("sốp cộp")
	r = u.Tap("Xã Sốp Cộp")
	contains(t, r, "✅ Đã lưu: Xã Sốp Cộp.", "Nơi ở: Xã Sốp Cộp", "Nhóm: chưa cho biết")
	contains(t, u.Tap("Đổi nhóm"), "Bạn thuộc nhóm nào?")
	r = u.Tap("Người lao động")
	contains(t, r, "Nơi ở: Xã Sốp Cộp", "Nhóm: Người lao động")
	if p := b.profileOf(u); p.CommuneCode != "04231" || p.Group != "worker" || p.AskedAt == nil {
		t.Errorf("profile %+v", p)
	}
	// Change again, skipping the commune: it is kept.
	u.Send("/profile")
	u.Tap("Đổi xã/phường")
	r = u.Tap("Bỏ qua")
	contains(t, r, "Nơi ở: Xã Sốp Cộp")
	r = u.Tap("Xóa hồ sơ")
	contains(t, r, b.T("vi", "profile.cleared"), "Nơi ở: chưa cho biết", "Nhóm: chưa cho biết")
	if p := b.profileOf(u); p.CommuneCode != "" || p.Group != "" {
		t.Errorf("after delete: %+v", p)
	}
}

// /mydata shows the commune and the group.
func TestMyDataShowsTheProfile(t *testing.T) {
	t.Parallel()
	b := newBot(t)
	u := b.join("Tòng Văn Hải", "vi")
	contains(t, u.Send("/mydata"), "Xã/phường: chưa cho biết", "Nhóm: chưa cho biết")
	u.Send("/finish pass")
	u.Send("to hieu")
	u.Tap("Phường Tô Hiệu")
	u.Tap("Người dân")
	contains(t, u.Send("/mydata"), "• Xã/phường: Phường Tô Hiệu", "• Nhóm: Người dân")

	e := b.join("Anna", "en")
	e.Send("/finish pass")
	e.Send("moc chau")
	e.Tap("Mộc Châu ward")
	e.Tap("Student")
	contains(t, e.Send("/mydata"), "• Commune or ward: Mộc Châu ward", "• Group: Student")
}

// Every text of the flow exists in both languages.
func TestCatalogueHasEveryProfileTextInBothLanguages(t *testing.T) {
	b := newBot(t)
	ids := map[string]map[string]bool{}
	for _, lang := range []string{"vi", "en"} {
		ids[lang] = map[string]bool{}
		for _, id := range b.Catalog.IDs(lang) {
			if strings.HasPrefix(id, "profile.") || strings.HasPrefix(id, "mydata.") || strings.HasPrefix(id, "menu.") {
				ids[lang][id] = true
			}
		}
	}
	for id := range ids["vi"] {
		if !ids["en"][id] {
			t.Errorf("%s is missing in English", id)
		}
	}
	for id := range ids["en"] {
		if !ids["vi"][id] {
			t.Errorf("%s is missing in Vietnamese", id)
		}
	}
	for _, g := range profile.Groups {
		if !ids["vi"]["profile.group."+g] {
			t.Errorf("group %s has no label", g)
		}
	}
}
