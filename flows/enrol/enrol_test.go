package enrol_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/enrol"
	"hocvuso/flows/flowtest"
	"hocvuso/store"
)

// clock is the test's time, moved by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

type bench struct {
	*flowtest.Harness
	clock *clock
	tries *store.Throttle
}

func newBench(t *testing.T) *bench {
	t.Helper()
	b := &bench{clock: &clock{now: time.Date(2025, 6, 2, 9, 0, 0, 0, store.ReportZone)}}
	b.Harness = flowtest.New(t, flowtest.WithClock(b.clock.Now), flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
		b.tries = store.NewThrottle(h.Redis.Client, h.Redis.Prefix, "enrol", enrol.MaxWrongCodes, enrol.WrongCodeWindow)
		return enrol.New(h.DB, b.tries, nil)
	}))
	_, _, err := b.DB.UpsertUnits(context.Background(), []store.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
	}, "admin", b.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// invite makes a code as `hocvuso invite` does: for a unit's focal point,
// or an official when unit is "".
func (b *bench) invite(unit string, valid time.Duration) string {
	b.TB.Helper()
	n := store.NewInvite{Role: store.RoleFocal, UnitCode: unit, CreatedBy: "admin", At: b.clock.now, ExpiresAt: b.clock.now.Add(valid)}
	if unit == "" {
		n.Role = store.RoleOfficial
	}
	code, _, err := b.DB.CreateInvite(context.Background(), n)
	if err != nil {
		b.TB.Fatal(err)
	}
	return code
}

// consented is a user who agreed to the privacy notice.
func (b *bench) consented(name string) *flowtest.User {
	b.TB.Helper()
	u := b.NewUser(name, "vi")
	u.Send("/start")
	u.Tap("Tôi đồng ý")
	return u
}

func (b *bench) userID(u *flowtest.User) int64 {
	b.TB.Helper()
	a, ok, err := b.DB.FindAccount(context.Background(), bot.Telegram, u.ID)
	if err != nil || !ok {
		b.TB.Fatalf("no account for %s: %v", u.Name, err)
	}
	return a.UserID
}

func (b *bench) roles(u *flowtest.User) []store.Role {
	b.TB.Helper()
	roles, err := b.DB.UserRoles(context.Background(), b.userID(u))
	if err != nil {
		b.TB.Fatal(err)
	}
	return roles
}

func wantText(t *testing.T, r flowtest.Result, want string) {
	t.Helper()
	if !strings.Contains(r.Text(), want) {
		t.Fatalf("the bot said:\n%s\nwant it to contain %q", r, want)
	}
}

// A focal point opens the deep link (/start CODE) and is bound to the unit.
func TestDeepLinkMakesAFocalPoint(t *testing.T) {
	b := newBench(t)
	code := b.invite("SNV", 7*24*time.Hour)
	u := b.consented("Cầm Thị Lan")
	r := u.Send("/start " + code)
	if want := b.T("vi", "enrol.focal.done", "Unit", "Sở Nội vụ"); r.Last().Text != want {
		t.Fatalf("got:\n%s\nwant %q", r, want)
	}
	roles := b.roles(u)
	if len(roles) != 1 || roles[0].Role != store.RoleFocal || roles[0].UnitCode != "SNV" || roles[0].GrantedBy != "invite" {
		t.Fatalf("roles %+v; want a focal point of SNV", roles)
	}
}
