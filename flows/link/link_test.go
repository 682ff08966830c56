package link_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/link"
	"hocvuso/store"
)

// linkBot is the bot with the link flow, a clock the test moves, and codes
// drawn in a known order.
type linkBot struct {
	t     *testing.T
	h     *flowtest.Harness
	clock *flowtest.Clock
	mu    sync.Mutex // guards codes
	codes []string
}

func newLinkBot(t *testing.T) *linkBot {
	t.Helper()
	lb := &linkBot{t: t, clock: flowtest.NewClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)),
		codes: []string{"BK74QX2M", "ZZ22HH33", "CF45GJ67", "MN89PQ23"}}
	lb.h = flowtest.New(t, flowtest.WithClock(lb.clock.Now), flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
		f := link.New(h.DB, h.State, h.State.LinkTries(), nil)
		f.NewCode = lb.nextCode
		f.Menus = h.Menus
		return f
	}), flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return reports{} }))
	return lb
}

func (lb *linkBot) nextCode() string {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	c := lb.codes[0]
	lb.codes = append(lb.codes[1:], c)
	return c
}

// code asks for a code on u's chat and reads it from the reply.
func (lb *linkBot) code(u *flowtest.User) string {
	lb.t.Helper()
	r := u.Send("/link")
	text := r.Text()
	i := strings.Index(text, "/link ")
	if i < 0 {
		lb.t.Fatalf("no code in %q", text)
	}
	return strings.Fields(text[i+len("/link "):])[0]
}

func mustSay(t *testing.T, r flowtest.Result, want string) {
	t.Helper()
	if !strings.Contains(r.Text(), want) {
		t.Fatalf("reply %q lacks %q", r.Text(), want)
	}
}

func TestLink_ANewZaloChatJoinsTheTelegramUser(t *testing.T) {
	lb := newLinkBot(t)
	tg := lb.h.AgreedOn(bot.Telegram, "Lò Thị Hương", "vi")
	r := tg.Send("/link")
	mustSay(t, r, "/link BK74-QX2M")
	mustSay(t, r, "10 phút")
	mustSay(t, r, "• Telegram (cuộc trò chuyện này)")
	if labels := r.Last().Labels(); len(labels) != 1 {
		t.Errorf("one account: buttons %q, want only the way back to the menu", labels)
	}
	// On Zalo, before agreeing to anything there, the code is typed.
	zl := lb.h.NewUserOn(bot.Zalo, "Hương", "")
	r = zl.Send("/link bk74 qx2m")
	mustSay(t, r, "đã liên kết với tài khoản của bạn trên Telegram")
	if zl.UserID() != tg.UserID() || lb.h.Count("users") != 1 {
		t.Fatalf("zalo's user %d, telegram's %d, %d users", zl.UserID(), tg.UserID(), lb.h.Count("users"))
	}
	// The Telegram chat is told, on its own channel.
	told := tg.Chat()[len(tg.Chat())-1]
	if !strings.Contains(told.Text, "đã liên kết với Zalo") {
		t.Errorf("telegram told %q", told.Text)
	}
	// The Zalo chat is the user's now: no consent asked, the data is there.
	r = zl.Send("/mydata")
	mustSay(t, r, "Zalo")
	mustSay(t, r, "Telegram")
	// Both chats list both accounts.
	r = tg.Send("/link")
	mustSay(t, r, "• Zalo")
	if _, ok := r.Last().Button("Bỏ liên kết Zalo"); !ok {
		t.Errorf("no unlink button in %q", r.Last().Labels())
	}
}

func TestLink_TwoUsersWithDataBecomeTheOlderOne(t *testing.T) {
	lb := newLinkBot(t)
	ctx := context.Background()
	zl := lb.h.AgreedOn(bot.Zalo, "Cầm Văn Minh", "vi") // the older user
	lb.clock.Add(time.Hour)
	tg := lb.h.AgreedOn(bot.Telegram, "Minh", "vi")
	older, newer := zl.UserID(), tg.UserID()
	for _, u := range []int64{older, newer} {
		if _, err := lb.h.DB.CreateAttempt(ctx, store.NewQuizAttempt{UserID: u, BankVersion: "b", Area: "4",
			QuestionIDs: []string{"q"}, OptionOrders: [][]int{{0, 1, 2}}, StartedAt: lb.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	// The newer user asks on Telegram, and the code is typed on Zalo after /link.
	code := lb.code(tg)
	mustSay(t, zl.Send("/link"), "Gõ mã vào đây")
	r := zl.Send(code)
	mustSay(t, r, "đã gộp làm một")
	if lb.h.Count("users") != 1 || tg.UserID() != older || zl.UserID() != older {
		t.Fatalf("%d users; telegram's %d, zalo's %d; want both %d", lb.h.Count("users"), tg.UserID(), zl.UserID(), older)
	}
	if n := lb.h.Count("quiz_attempts WHERE user_id = " + strconv.FormatInt(older, 10)); n != 2 {
		t.Errorf("%d attempts of the kept user, want both users' 2", n)
	}
	mustSayMsg(t, tg.Chat()[len(tg.Chat())-1], "đã gộp làm một")
	// The Telegram chat was the merged user's: it carries on as the kept one.
	r = tg.Send("/mydata")
	mustSay(t, r, "Bài kiểm tra")
	if strings.Contains(r.Text(), lb.h.T("vi", "mydata.none")) {
		t.Fatalf("the merged chat lost its user: %q", r.Text())
	}
	audit, err := lb.h.DB.LinkAuditOf(ctx, older)
	if err != nil || len(audit) != 1 || audit[0].Action != "merge" || audit[0].MergedUserID != newer {
		t.Fatalf("audit %+v %v", audit, err)
	}
}

func mustSayMsg(t *testing.T, m flowtest.Message, want string) {
	t.Helper()
	if !strings.Contains(m.Text, want) {
		t.Fatalf("message %q lacks %q", m.Text, want)
	}
}

func TestLink_WrongCodesAreCountedAndThenRefused(t *testing.T) {
	lb := newLinkBot(t)
	tg := lb.h.AgreedOn(bot.Telegram, "Lan", "vi")
	code := lb.code(tg)
	zl := lb.h.NewUserOn(bot.Zalo, "Lan", "")
	// Not a code at all: explained, not counted.
	for range 6 {
		mustSay(t, zl.Send("/link xin chào"), "không phải mã liên kết")
	}
	for range 5 {
		mustSay(t, zl.Send("/link CF45-GJ66"), "không đúng")
	}
	// The right code now waits out the hour.
	r := zl.Send("/link " + code)
	mustSay(t, r, "thử lại sau 60 phút")
	if zl.UserID() != 0 {
		t.Fatal("linked while refused")
	}
	// Another account is not held up.
	other := lb.h.NewUserOn(bot.Zalo, "Khác", "")
	mustSay(t, other.Send("/link CF45-GJ66"), "không đúng")
}

func TestLink_ExpiredOwnAndUsedCodes(t *testing.T) {
	lb := newLinkBot(t)
	tg := lb.h.AgreedOn(bot.Telegram, "Lan", "vi")
	code := lb.code(tg)
	mustSay(t, tg.Send("/link "+code), "Mã này để gõ ở ứng dụng kia")
	lb.clock.Add(link.CodeTTL)
	zl := lb.h.NewUserOn(bot.Zalo, "Lan", "en")
	mustSay(t, zl.Send("/link "+code), "expired or was used")
	code = lb.code(tg)
	// Linked, the chat speaks the user's language (Vietnamese, chosen on Telegram).
	mustSay(t, zl.Send("/link "+code), "đã liên kết với tài khoản của bạn trên Telegram")
	other := lb.h.NewUserOn(bot.Zalo, "Khác", "")
	mustSay(t, other.Send("/link "+code), "đã hết hạn hoặc đã được dùng")
	if other.UserID() != 0 {
		t.Error("a used code linked a second account")
	}
	// Typed again by the chat it linked: already linked.
	mustSay(t, zl.Send("/link "+lb.code(tg)), "đã được liên kết từ trước")
}

// The update that linked is handled again after Redis lost its record of
// it: the link is applied once and the other chat told once.
func TestLink_AppliedOnceWhenHandledAgain(t *testing.T) {
	lb := newLinkBot(t)
	tg := lb.h.AgreedOn(bot.Telegram, "Lan", "vi")
	code := lb.code(tg)
	zl := lb.h.NewUserOn(bot.Zalo, "Lan", "")
	upd := zl.Message("/link " + code)
	zl.Do(upd)
	told := len(tg.Chat())
	lb.h.FlushRedis()
	r := zl.Do(upd)
	mustSay(t, r, "đã liên kết")
	if len(tg.Chat()) != told {
		t.Errorf("telegram told again: %+v", tg.Chat()[told:])
	}
	if n := lb.h.Count("accounts"); n != 2 {
		t.Errorf("%d accounts", n)
	}
}

func TestLink_UnlinkTheOtherChat(t *testing.T) {
	lb := newLinkBot(t)
	tg := lb.h.AgreedOn(bot.Telegram, "Lan", "vi")
	zl := lb.h.NewUserOn(bot.Zalo, "Lan", "")
	zl.Send("/link " + lb.code(tg))
	tg.Send("/link")
	mustSay(t, tg.Tap("Bỏ liên kết Zalo"), "Cuộc trò chuyện đó sẽ không còn thấy dữ liệu")
	r := tg.Tap("Bỏ liên kết")
	mustSay(t, r, "Đã bỏ liên kết Zalo")
	if zl.UserID() != 0 || lb.h.Count("accounts") != 1 {
		t.Fatalf("zalo still belongs to %d; %d accounts", zl.UserID(), lb.h.Count("accounts"))
	}
	mustSayMsg(t, zl.Chat()[len(zl.Chat())-1], "đã bỏ liên kết")
	// The Zalo chat is a stranger's again.
	mustSay(t, zl.Send("/mydata"), lb.h.T("vi", "mydata.none"))
	// The data stays with Telegram.
	if tg.UserID() == 0 {
		t.Fatal("telegram lost its user")
	}
	// With one account left, nothing can be unlinked.
	if labels := tg.Send("/link").Last().Labels(); len(labels) != 1 {
		t.Errorf("buttons %q with one account", labels)
	}
}

func TestLink_UnlinkThisChat(t *testing.T) {
	lb := newLinkBot(t)
	tg := lb.h.AgreedOn(bot.Telegram, "Lan", "vi")
	zl := lb.h.NewUserOn(bot.Zalo, "Lan", "")
	zl.Send("/link " + lb.code(tg))
	zl.Send("/link")
	zl.Tap("Bỏ liên kết Zalo")
	mustSay(t, zl.Tap("Bỏ liên kết"), "Dữ liệu của bạn vẫn ở tài khoản Telegram")
	if zl.UserID() != 0 {
		t.Fatal("still linked")
	}
	mustSay(t, zl.Send("/mydata"), lb.h.T("vi", "mydata.none"))
	// Said no: kept.
	zl.Send("/link " + lb.code(tg))
	tg.Send("/link")
	tg.Tap("Bỏ liên kết Zalo")
	mustSay(t, tg.Tap("Không, giữ nguyên"), "Vẫn giữ nguyên")
	if zl.UserID() != tg.UserID() {
		t.Fatal("unlinked after no")
	}
}

// Erasing the user from one chat erases them from the linked chat too:
// that chat starts again as a stranger's.
func TestLink_ErasureReachesTheLinkedChat(t *testing.T) {
	lb := newLinkBot(t)
	tg := lb.h.AgreedOn(bot.Telegram, "Lan", "vi")
	zl := lb.h.NewUserOn(bot.Zalo, "Lan", "")
	zl.Send("/link " + lb.code(tg))
	zl.Send("/deleteme")
	mustSay(t, zl.Tap("Xóa"), lb.h.T("vi", "deleteme.done"))
	if lb.h.Count("users") != 0 || lb.h.Count("accounts") != 0 {
		t.Fatalf("%d users, %d accounts after erasure", lb.h.Count("users"), lb.h.Count("accounts"))
	}
	// Telegram's chat no longer names the erased user: /start asks for consent again.
	mustSay(t, tg.Send("/start"), "91/2025/QH15")
}

// reports stands for the focal points' flow, in the command menus.
type reports struct{}

func (reports) Name() string                                { return "report" }
func (reports) Commands() []string                          { return []string{"report", "status"} }
func (reports) CommandsFor() flows.Audience                 { return flows.FocalPoints }
func (reports) Handle(*bot.Conversation, flows.Input) error { return nil }

// menuOf is the command menu last set for a chat: its commands by name,
// "default" when it was given back the default menu, "" when none was set.
func (lb *linkBot) menuOf(u *flowtest.User) string {
	lb.t.Helper()
	last := ""
	for _, m := range lb.h.Sender.Menus() {
		if m.Target.Channel != u.Channel || m.Target.ChatID != u.ID {
			continue
		}
		last = "default"
		if len(m.Menu.Commands) > 0 {
			var names []string
			for _, c := range m.Menu.Commands {
				names = append(names, c.Name)
			}
			last = strings.Join(names, " ")
		}
	}
	return last
}

// A focal point on Zalo who links a Telegram chat finds the reports in
// that chat's command menu; the chat unlinked gets the default menu back.
// Zalo's chat has no menu to set.
func TestLink_TheRolesShowInTheMenuOfTheChatLinked(t *testing.T) {
	lb := newLinkBot(t)
	ctx := context.Background()
	if _, _, err := lb.h.DB.UpsertUnits(ctx, []store.Unit{{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"}}, "admin", lb.clock.Now()); err != nil {
		t.Fatal(err)
	}
	zl := lb.h.AgreedOn(bot.Zalo, "Cầm Văn Minh", "vi")
	if _, err := lb.h.DB.GrantRole(ctx, zl.UserID(), store.RoleFocal, "SNV", "admin", lb.clock.Now()); err != nil {
		t.Fatal(err)
	}
	lb.clock.Add(time.Hour)
	tg := lb.h.AgreedOn(bot.Telegram, "Minh", "en")
	if got := lb.menuOf(tg); got != "" {
		t.Fatalf("a citizen's chat got a menu of its own: %q", got)
	}
	zl.Send("/link " + lb.code(tg)) // merged into the older user, the focal point
	got := lb.menuOf(tg)
	if !strings.HasPrefix(got, "report status ") || !strings.Contains(got, " help ") {
		t.Fatalf("the Telegram chat's menu after the link: %q; want a focal point's, the reports first", got)
	}
	for _, m := range lb.h.Sender.Menus() {
		if m.Target.Channel != bot.Telegram {
			t.Errorf("a menu set on %s", m.Target.Channel)
		}
		if m.Target.Lang != "vi" || m.Menu.Commands[0].Description != lb.h.T("vi", "command.report") {
			t.Errorf("menu in %q (%q); want the user's language, vi", m.Target.Lang, m.Menu.Commands[0].Description)
		}
	}
	zl.Send("/link")
	zl.Tap("Bỏ liên kết Telegram")
	mustSay(t, zl.Tap("Bỏ liên kết"), "Đã bỏ liên kết Telegram")
	if got := lb.menuOf(tg); got != "default" {
		t.Errorf("the unlinked chat's menu: %q, want the default", got)
	}
}
