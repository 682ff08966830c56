package enrol_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/enrol"
	"hocvuso/flows/flowtest"
	"hocvuso/store"
)

// lookups counts the flow's lookups of codes in the real store.
type lookups struct {
	*store.DB
	n atomic.Int64
}

func (l *lookups) InviteByCode(ctx context.Context, code string) (store.Invite, bool, error) {
	l.n.Add(1)
	return l.DB.InviteByCode(ctx, code)
}

type bench struct {
	*flowtest.Harness
	clock   *flowtest.Clock
	tries   *store.Throttle
	lookups *lookups
	flow    *enrol.Flow
}

func newBench(t *testing.T) *bench {
	t.Helper()
	b := &bench{clock: flowtest.NewClock(time.Date(2025, 6, 2, 9, 0, 0, 0, store.ReportZone))}
	b.Harness = flowtest.New(t, flowtest.WithClock(b.clock.Now), flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
		b.tries = store.NewThrottle(h.Redis.Client, h.Redis.Prefix, "enrol", enrol.MaxWrongCodes, enrol.WrongCodeWindow)
		b.lookups = &lookups{DB: h.DB}
		b.flow = enrol.New(b.lookups, b.tries, nil)
		return b.flow
	}))
	_, _, err := b.DB.UpsertUnits(context.Background(), []store.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
	}, "admin", b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// invite makes a code as `hocvuso invite` does: for a unit's focal point,
// or an official when unit is "".
func (b *bench) invite(unit string, valid time.Duration) string {
	b.TB.Helper()
	n := store.NewInvite{Role: store.RoleFocal, UnitCode: unit, CreatedBy: "admin", At: b.clock.Now(), ExpiresAt: b.clock.Now().Add(valid)}
	if unit == "" {
		n.Role = store.RoleOfficial
	}
	code, _, err := b.DB.CreateInvite(context.Background(), n)
	if err != nil {
		b.TB.Fatal(err)
	}
	return code
}

func (b *bench) roles(u *flowtest.User) []store.Role {
	b.TB.Helper()
	roles, err := b.DB.UserRoles(context.Background(), u.UserID())
	if err != nil {
		b.TB.Fatal(err)
	}
	return roles
}

// A focal point opens the deep link (/start CODE) and is bound to the unit.
func TestDeepLinkMakesAFocalPoint(t *testing.T) {
	b := newBench(t)
	code := b.invite("SNV", 7*24*time.Hour)
	u := b.Agreed("Cầm Thị Lan", "vi")
	r := u.Send("/start " + code)
	if want := b.T("vi", "enrol.focal.done", "Unit", "Sở Nội vụ"); r.Last().Text != want {
		t.Fatalf("got:\n%s\nwant %q", r, want)
	}
	roles := b.roles(u)
	if len(roles) != 1 || roles[0].Role != store.RoleFocal || roles[0].UnitCode != "SNV" || roles[0].GrantedBy != "invite" {
		t.Fatalf("roles %+v; want a focal point of SNV", roles)
	}
	// The reports are one tap away, as well as /report.
	wantButton(t, r.Last(), b.T("vi", "report.menu"), "report", "start")
}

// wantButton checks that m has a button labelled label leading to the
// action of flow.
func wantButton(t *testing.T, m flowtest.Message, label, flow, action string) {
	t.Helper()
	btn, ok := m.Button(label)
	if !ok {
		t.Errorf("no button %q; buttons %q", label, m.Labels())
		return
	}
	if cb, err := bot.ParseCallback(btn.Data); err != nil || cb.Flow != flow || cb.Action != action {
		t.Errorf("the button %q leads to %q; want %s|%s", label, btn.Data, flow, action)
	}
}

// /join alone asks for the code; what is typed is searched for one, in any
// case and grouping; an official gets the list of their commands.
func TestJoinThenTypedCodeMakesAnOfficial(t *testing.T) {
	b := newBench(t)
	code := b.invite("", 24*time.Hour)
	u := b.Agreed("Quàng Văn Minh", "vi")
	r := u.Send("/join")
	if r.Last().Text != b.T("vi", "enrol.ask") {
		t.Fatalf("/join alone:\n%s", r)
	}
	if _, ok := r.Last().Button("Về menu"); !ok {
		t.Errorf("no way back to the menu: %q", r.Last().Labels())
	}
	r = u.Send("hello")
	if want := b.T("vi", "enrol.malformed") + "\n" + b.T("vi", "enrol.ask"); r.Last().Text != want {
		t.Fatalf("not a code:\n%s", r)
	}
	if n := b.lookups.n.Load(); n != 0 {
		t.Errorf("%d lookups for text that is no code", n)
	}
	typed := "Mã của tôi: " + strings.ToLower(store.FormatInviteCode(code)) + "."
	r = u.Send(typed)
	if r.Last().Text != b.T("vi", "enrol.official.done") {
		t.Fatalf("%q:\n%s", typed, r)
	}
	for _, cmd := range []string{"/overview", "/export", "/digest"} {
		if !strings.Contains(r.Last().Text, cmd) {
			t.Errorf("the official is not told of %s", cmd)
		}
	}
	wantButton(t, r.Last(), b.T("vi", "officials.menu"), "officials", "start")
	roles := b.roles(u)
	if len(roles) != 1 || roles[0].Role != store.RoleOfficial || roles[0].UnitCode != "" {
		t.Fatalf("roles %+v; want official", roles)
	}
	// The conversation is free again: text is no longer read as a code.
	if r := u.Send("hello"); strings.Contains(r.Text(), b.T("vi", "enrol.malformed")) {
		t.Errorf("after enrolling, typed text still went to the code:\n%s", r)
	}
}

// A focal point of a unit given another code of the same unit is told so,
// and the code is not spent: someone else can use it.
func TestAlreadyAFocalPointKeepsTheCode(t *testing.T) {
	b := newBench(t)
	first, second := b.invite("03670", time.Hour), b.invite("03670", time.Hour)
	expired := b.invite("03670", time.Minute)
	lan, hoa := b.Agreed("Lò Thị Lan", "vi"), b.Agreed("Cầm Thị Hoa", "vi")
	lan.Send("/join " + first)
	r := lan.Send("/join " + second)
	already := b.T("vi", "enrol.focal.already", "Unit", "Phường Chiềng Cơi")
	if want := already + "\n" + b.T("vi", "enrol.unused"); r.Last().Text != want {
		t.Fatalf("got:\n%s\nwant %q", r, want)
	}
	// Her own code again: the same answer, nothing granted twice, and not
	// told that the code she used is unused.
	if r := lan.Send("/join " + first); r.Last().Text != already {
		t.Fatalf("her own code again:\n%s\nwant %q", r, already)
	}
	if r := hoa.Send("/start " + second); r.Last().Text != b.T("vi", "enrol.focal.done", "Unit", "Phường Chiềng Cơi") {
		t.Fatalf("the second code for someone else:\n%s", r)
	}
	focal, err := b.DB.FocalPoints(context.Background(), "03670")
	if err != nil || len(focal) != 2 {
		t.Fatalf("focal points %+v, %v; want both", focal, err)
	}
	// A focal point of one unit can be one of another as well.
	if r := lan.Send("/join " + b.invite("SNV", time.Hour)); r.Last().Text != b.T("vi", "enrol.focal.done", "Unit", "Sở Nội vụ") {
		t.Fatalf("a second unit:\n%s", r)
	}
	if got := b.roles(lan); len(got) != 2 {
		t.Fatalf("roles %+v; want two units", got)
	}
	// Nor is she told that an expired code of her unit is unused.
	b.clock.Add(2 * time.Minute)
	if r := lan.Send("/join " + expired); r.Last().Text != already {
		t.Fatalf("an expired code of her unit:\n%s\nwant %q", r, already)
	}
}

// Used and expired codes get their own messages, and the user may type
// another code at once.
func TestUsedAndExpiredCodes(t *testing.T) {
	b := newBench(t)
	code := b.invite("SNV", 48*time.Hour)
	lan, hoa := b.Agreed("Lò Thị Lan", "vi"), b.Agreed("Cầm Thị Hoa", "vi")
	lan.Send("/join " + code)
	shown := store.FormatInviteCode(code)
	r := hoa.Send("/join " + code)
	if r.Last().Text != b.T("vi", "enrol.used", "Code", shown) {
		t.Fatalf("used:\n%s", r)
	}
	late := b.invite("SNV", 48*time.Hour)
	b.clock.Add(48 * time.Hour)
	r = hoa.Send(late) // typed: the flow still waits for a code
	if want := b.T("vi", "enrol.expired", "Code", store.FormatInviteCode(late), "At", "09:00 04/06/2025"); r.Last().Text != want {
		t.Fatalf("expired:\n%s\nwant %q", r, want)
	}
	if got := b.roles(hoa); len(got) != 0 {
		t.Fatalf("roles %+v from used and expired codes", got)
	}
	// In English, with the month in words: 04/06 is April to some readers.
	en := b.Agreed("Cầm Văn Nam", "en")
	if want := b.T("en", "enrol.expired", "Code", store.FormatInviteCode(late), "At", "09:00 on 4 Jun 2025"); en.Send("/join "+late).Last().Text != want {
		t.Fatalf("expired, in English: want %q", want)
	}
	// Neither counts as a wrong guess.
	if left, _, err := b.tries.Fail(context.Background(), "telegram:"+hoa.ID); err != nil || left != enrol.MaxWrongCodes-1 {
		t.Errorf("after a used and an expired code, %d tries left (%v); want %d", left, err, enrol.MaxWrongCodes-1)
	}
	// A revoked focal point's own code does not bring the role back.
	roles := b.roles(lan)
	if err := b.DB.RevokeRole(context.Background(), roles[0].ID, "admin", b.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := lan.Send("/start " + code); r.Last().Text != b.T("vi", "enrol.used", "Code", shown) {
		t.Fatalf("own code after revocation:\n%s", r)
	}
}

// Five wrong codes in the window and the account is refused until the
// window ends, without looking codes up, even the right one.
func TestWrongCodesAreSlowedDown(t *testing.T) {
	b := newBench(t)
	code := b.invite("SNV", 24*time.Hour)
	u := b.Agreed("Lò Thị Lan", "vi")
	other := b.Agreed("Cầm Thị Hoa", "vi")
	for i := 1; i < enrol.MaxWrongCodes; i++ {
		wrong := fmt.Sprintf("AAAA-BBBB-CCC%d", i)
		r := u.Send("/join " + wrong)
		want := b.T("vi", "enrol.unknown", "Code", wrong) + "\n" + b.T("vi", "enrol.retry", "Left", enrol.MaxWrongCodes-i)
		if r.Last().Text != want {
			t.Fatalf("wrong code %d:\n%s\nwant %q", i, r, want)
		}
	}
	r := u.Send("AAAA-BBBB-CCC9")
	slow := b.T("vi", "enrol.slow", "Minutes", 15, "At", "09:15")
	if want := b.T("vi", "enrol.unknown", "Code", "AAAA-BBBB-CCC9") + "\n" + slow; r.Last().Text != want {
		t.Fatalf("the last wrong code:\n%s\nwant %q", r, want)
	}
	before := b.lookups.n.Load()
	if r := u.Send("/start " + code); r.Last().Text != slow {
		t.Fatalf("the right code while refused:\n%s\nwant %q", r, slow)
	}
	if n := b.lookups.n.Load() - before; n != 0 {
		t.Errorf("%d lookups while refused; want none", n)
	}
	if got := b.roles(u); len(got) != 0 {
		t.Fatalf("roles %+v while refused", got)
	}
	// Another account is not slowed down.
	if r := other.Send("/join AAAA-BBBB-CCC1"); !strings.Contains(r.Last().Text, b.T("vi", "enrol.retry", "Left", 4)) {
		t.Fatalf("another account:\n%s", r)
	}
	// The window ends; the right code works, and the count starts afresh.
	key := b.Redis.Prefix + "throttle:enrol:{telegram:" + u.ID + "}"
	if ttl := b.Redis.Client.PTTL(context.Background(), key).Val(); ttl <= 0 || ttl > enrol.WrongCodeWindow {
		t.Fatalf("the window of %s has %v left", key, ttl)
	}
	b.Redis.Client.Del(context.Background(), key)
	if r := u.Send("/start " + code); r.Last().Text != b.T("vi", "enrol.focal.done", "Unit", "Sở Nội vụ") {
		t.Fatalf("after the window:\n%s", r)
	}
	if n := b.Redis.Client.Exists(context.Background(), key).Val(); n != 0 {
		t.Errorf("the count was not cleared by the success")
	}
}

// A code brought before the privacy consent is kept through anything the
// user does before agreeing, and applied right after; nothing is stored
// before that.
func TestCodeBeforeConsentIsKeptUntilAgreed(t *testing.T) {
	b := newBench(t)
	code := b.invite("SNV", time.Hour)
	u := b.NewUser("Lò Thị Lan", "vi")
	r := u.Send("/join " + strings.ToLower(code))
	if r.Sent[0].Text != b.T("vi", "enrol.consent.first") || r.Last().Text != b.T("vi", "privacy.notice") {
		t.Fatalf("before consent:\n%s", r)
	}
	u.Tap("English")
	u.Tap("I do not agree")
	u.Send("hello?")
	u.Send("/start")
	if n := b.Count("users") + b.Count("report_roles"); n != 0 {
		t.Fatalf("%d rows before consent", n)
	}
	if n := b.lookups.n.Load(); n != 0 {
		t.Errorf("the code was looked up %d times before consent", n)
	}
	notice := u.Screen()
	r = u.TapOn(notice, "I agree")
	if r.Last().Text != b.T("en", "enrol.focal.done", "Unit", "Sở Nội vụ") {
		t.Fatalf("after agreeing:\n%s", r)
	}
	if got := b.roles(u); len(got) != 1 || got[0].UnitCode != "SNV" {
		t.Fatalf("roles %+v", got)
	}
	// Agreeing once more (a double tap) does not apply it twice.
	if r := u.TapOn(notice, "I agree"); strings.Contains(r.Text(), "focal point") {
		t.Errorf("a second tap on agree applied the code again:\n%s", r)
	}
}

// Before consent, /join alone asks; the typed code is kept the same way.
// A plain /start after consent, and a deep link with another payload, are
// the usual welcome.
func TestJoinAloneBeforeConsentAndOtherStartPayloads(t *testing.T) {
	b := newBench(t)
	code := b.invite("SNV", time.Hour)
	u := b.NewUser("Lò Thị Lan", "en")
	if r := u.Send("/join"); r.Last().Text != b.T("en", "enrol.ask") {
		t.Fatalf("/join alone:\n%s", r)
	}
	if r := u.Send(store.FormatInviteCode(code)); r.Sent[0].Text != b.T("en", "enrol.consent.first") {
		t.Fatalf("the code typed before consent:\n%s", r)
	}
	if r := u.Tap("I agree"); r.Last().Text != b.T("en", "enrol.focal.done", "Unit", "Sở Nội vụ") {
		t.Fatalf("after agreeing:\n%s", r)
	}
	v := b.NewUser("Cầm Thị Hoa", "vi")
	if r := v.Send("/start unit_ML-07"); r.Last().Text != b.T("vi", "privacy.notice") || strings.Contains(r.Text(), "mã mời") {
		t.Fatalf("another payload:\n%s", r)
	}
}

// A file or a photo where the code was expected: the code is asked again.
func TestNonTextWhileAsked(t *testing.T) {
	b := newBench(t)
	u := b.Agreed("Lò Thị Lan", "vi")
	u.Send("/join")
	if r := u.SendFile("ma.jpg", "image/jpeg"); r.Last().Text != b.T("vi", "enrol.ask") {
		t.Fatalf("a photo:\n%s", r)
	}
}

// At the menu, a code pasted alone, or typed after "join" or "tham gia"
// without the slash (on Zalo codes are typed), goes where /join CODE goes;
// a mistyped one in that shape gets /join's answer, not the generic hint.
func TestPastedCodeAtTheMenu(t *testing.T) {
	b := newBench(t)
	done := b.T("vi", "enrol.focal.done", "Unit", "Sở Nội vụ")
	for _, typed := range []func(code string) string{
		store.FormatInviteCode,
		func(code string) string { return "Join " + store.FormatInviteCode(code) },
		func(code string) string { return "tham gia " + strings.ToLower(store.FormatInviteCode(code)) },
		// Pasted, with the en dashes a phone or a word processor puts for -.
		func(code string) string {
			return " " + strings.ReplaceAll(store.FormatInviteCode(code), "-", "–") + "\n"
		},
		// In the full-width forms some keyboards type.
		func(code string) string { return toFullWidth(store.FormatInviteCode(code)) },
	} {
		u := b.Agreed("Lò Thị Lan", "vi")
		text := typed(b.invite("SNV", time.Hour))
		if r := u.Send(text); r.Last().Text != done {
			t.Errorf("%q at the menu:\n%s\nwant %q", text, r, done)
		}
		if got := b.roles(u); len(got) != 1 || got[0].UnitCode != "SNV" {
			t.Errorf("%q: roles %+v", text, got)
		}
	}

	u := b.Agreed("Cầm Thị Hoa", "en")
	wrong := "AAAA-BBBB-CCC1"
	want := b.T("en", "enrol.unknown", "Code", wrong) + "\n" + b.T("en", "enrol.retry", "Left", enrol.MaxWrongCodes-1)
	if r := u.Send(strings.ToLower(wrong)); r.Last().Text != want {
		t.Errorf("a wrong code at the menu:\n%s\nwant %q", r, want)
	}
	u.Send("/menu")
	malformed := b.T("en", "enrol.malformed") + "\n" + b.T("en", "enrol.ask")
	for _, text := range []string{"join ABCD-EFGH-JKM", "ABCD-EFGH-JKM"} {
		if r := u.Send(text); r.Last().Text != malformed {
			t.Errorf("%q at the menu:\n%s\nwant %q", text, r, malformed)
		}
		u.Send("/menu")
	}
	// Anything else is not taken for a code.
	for _, text := range []string{"join the quiz", "tham gia cuộc thi", "B", "hello", "0123 4567 8901", "27-11-2026"} {
		if r := u.Send(text); strings.Contains(r.Text(), "code") {
			t.Errorf("%q was taken for a code:\n%s", text, r)
		}
	}
	if n := b.lookups.n.Load(); n != 6 {
		t.Errorf("%d lookups; want 6", n)
	}

	// Pasted before the privacy consent, it is kept as /join CODE's is.
	v := b.NewUser("Quàng Văn Minh", "vi")
	if r := v.Send(store.FormatInviteCode(b.invite("SNV", time.Hour))); r.Sent[0].Text != b.T("vi", "enrol.consent.first") {
		t.Fatalf("pasted before consent:\n%s", r)
	}
	if r := v.Tap("✅ Tôi đồng ý"); r.Last().Text != done {
		t.Fatalf("after agreeing:\n%s", r)
	}
}

// toFullWidth writes ASCII letters, digits and - in full-width forms, as
// some phone keyboards do.
func toFullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r - 0x21 + 0xff01
		}
		return r
	}, s)
}

// certs stands for the verification flow: one certificate, with code.
type certs struct {
	code  string
	asked []string
}

func (f *certs) Known(c *bot.Conversation, text string) (bool, error) {
	f.asked = append(f.asked, text)
	if store.NormalizeInviteCode(text) != f.code {
		return false, nil
	}
	c.Reply(bot.Reply{Text: "certificate " + f.code})
	return true, nil
}

// A certificate's code pasted at the menu without its HVS prefix has an
// invite code's shape: it gets the certificate's answer, and is no wrong
// try. A code that is neither is a wrong try, said to be no certificate's
// either; /join CODE and an invite code pasted work as before.
func TestPastedCertificateCodeIsNoWrongTry(t *testing.T) {
	b := newBench(t)
	cert := &certs{code: "7K2M9QXD4T2M"}
	b.flow.Certificates = cert
	u := b.Agreed("Lò Thị Lan", "vi")
	for _, typed := range []string{"7K2M-9QXD-4T2M", "7k2m 9qxd 4t2m", "tham gia 7K2M-9QXD-4T2M"} {
		if r := u.Send(typed); r.Text() != "certificate 7K2M9QXD4T2M" {
			t.Errorf("%q pasted: %s", typed, r)
		}
	}
	if n := b.lookups.n.Load(); n != 0 {
		t.Errorf("%d invite lookups for a certificate's code", n)
	}
	wrong := "AAAA-BBBB-CCC1"
	want := b.T("vi", "enrol.unknown", "Code", wrong) + "\n" + b.T("vi", "enrol.unknown.cert") + "\n" + b.T("vi", "enrol.retry", "Left", enrol.MaxWrongCodes-1)
	if r := u.Send(wrong); r.Last().Text != want {
		t.Errorf("a wrong code pasted:\n%s\nwant %q", r, want)
	}
	u.Send("/menu")
	// /join CODE is for invite codes only, as before.
	cert.asked = nil
	want = b.T("vi", "enrol.unknown", "Code", "7K2M-9QXD-4T2M") + "\n" + b.T("vi", "enrol.retry", "Left", enrol.MaxWrongCodes-2)
	if r := u.Send("/join 7K2M-9QXD-4T2M"); r.Last().Text != want || len(cert.asked) != 0 {
		t.Errorf("/join with a certificate's code:\n%s\nwant %q; asked %q", r, want, cert.asked)
	}
	u.Send("/menu")
	if r := u.Send(store.FormatInviteCode(b.invite("SNV", time.Hour))); r.Last().Text != b.T("vi", "enrol.focal.done", "Unit", "Sở Nội vụ") {
		t.Errorf("an invite code pasted:\n%s", r)
	}
}
