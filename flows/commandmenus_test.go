package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/store"
)

// focalFlow and officialFlow stand for the flows of a role, in the menus.
type focalFlow struct{ members }

func (focalFlow) Name() string                { return "focal" }
func (focalFlow) Commands() []string          { return []string{"report", "status"} }
func (focalFlow) CommandsFor() flows.Audience { return flows.FocalPoints }

type officialFlow struct{ members }

func (officialFlow) Name() string                { return "official" }
func (officialFlow) Commands() []string          { return []string{"overview"} }
func (officialFlow) CommandsFor() flows.Audience { return flows.Officials }

// described renders "command.<name>" as "<lang>:<name>".
type described struct{}

func (described) Text(lang, id string, _ map[string]any) string {
	return lang + ":" + strings.TrimPrefix(id, "command.")
}

// menuRecords are one user's roles and accounts, and whether they chose
// their language in the bot.
type menuRecords struct {
	roles    []store.Role
	accounts []store.Account
	chosen   bool
}

func (r menuRecords) UserRoles(context.Context, int64) ([]store.Role, error) { return r.roles, nil }
func (r menuRecords) AccountsOf(context.Context, int64) ([]store.Account, error) {
	return r.accounts, nil
}
func (r menuRecords) LanguageChosen(context.Context, int64) (bool, error) { return r.chosen, nil }

func names(cmds []bot.Command) string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.Name)
	}
	return strings.Join(out, " ")
}

// Each audience's menu lists what it may use, its role's commands first;
// a citizen's lacks every role's.
func TestCommandMenusList(t *testing.T) {
	t.Parallel()
	m := flows.NewCommandMenus(menuRecords{}, described{})
	m.Use(newRouter(members{}, focalFlow{}, officialFlow{}))
	everyone := "deleteme help language members menu mydata start"
	for _, tc := range []struct {
		who  flows.Audience
		want string
	}{
		{flows.Everyone, everyone},
		{flows.FocalPoints, "report status " + everyone},
		{flows.Officials, "overview " + everyone},
		{flows.FocalPoints | flows.Officials, "overview report status " + everyone},
	} {
		if got := names(m.List(tc.who, "en")); got != tc.want {
			t.Errorf("audience %v: %q, want %q", tc.who, got, tc.want)
		}
	}
	if got := m.List(flows.FocalPoints, "en")[0]; got.Description != "en:report" {
		t.Errorf("description %q", got.Description)
	}
}

// Every chat of a role holder gets the menu of their roles, in their
// language; every chat of a user without one the default menu, unless
// they chose their language in the bot.
func TestCommandMenusOf(t *testing.T) {
	t.Parallel()
	accounts := []store.Account{{Channel: bot.Telegram, ExternalID: "42", ChatID: "42"}, {Channel: bot.Zalo, ExternalID: "z7", ChatID: "z7"}}
	focal := menuRecords{roles: []store.Role{{Role: store.RoleFocal, UnitCode: "SNV"}}, accounts: accounts}
	m := flows.NewCommandMenus(focal, described{})
	m.Use(newRouter(focalFlow{}, officialFlow{}))
	out, own, err := m.Of(context.Background(), 1, "vi")
	if err != nil || !own || len(out) != 2 {
		t.Fatalf("Of = %+v, %v, %v", out, own, err)
	}
	for i, o := range out {
		if o.Target != (bot.Target{Channel: accounts[i].Channel, ChatID: accounts[i].ChatID, Lang: "vi"}) {
			t.Errorf("menu %d for %+v", i, o.Target)
		}
		if o.Menu == nil || !strings.HasPrefix(names(o.Menu.Commands), "report status ") || o.Menu.Commands[0].Description != "vi:report" {
			t.Errorf("menu %d: %+v", i, o.Menu)
		}
	}

	citizen := flows.NewCommandMenus(menuRecords{accounts: accounts}, described{})
	citizen.Use(newRouter(focalFlow{}))
	out, own, err = citizen.Of(context.Background(), 1, "vi")
	if err != nil || own || len(out) != 2 || out[0].Menu == nil || len(out[0].Menu.Commands) != 0 {
		t.Fatalf("a citizen's: %+v, %v, %v; want the default menu for both chats", out, own, err)
	}

	// Without menus (a flow built without them), nothing is decided.
	var none *flows.CommandMenus
	c := bot.NewConversation(context.Background(), &bot.Update{}, &bot.Session{UserID: 1}, described{}, time.Time{})
	if err := none.Follow(c, 1); err != nil {
		t.Fatal(err)
	}
	none.Reset(c, accounts...)
	if n := len(c.Menus()); n != 0 {
		t.Errorf("%d menus queued without menus", n)
	}
}

// focalWords renders a description with what it says to focal points.
type focalWords struct{}

func (focalWords) Text(lang, id string, data map[string]any) string {
	if data["Focal"] == true {
		return id + " (focal)"
	}
	return id
}

// A description may say more to focal points (/stop pauses a report too):
// it is told whether the audience holds that role, and only a focal
// point's menu, official or not, says it.
func TestCommandMenusTellTheDescriptionsOfFocalPoints(t *testing.T) {
	t.Parallel()
	m := flows.NewCommandMenus(menuRecords{}, focalWords{})
	m.Use(newRouter(members{}, focalFlow{}, officialFlow{}))
	for _, tc := range []struct {
		who   flows.Audience
		focal bool
	}{
		{flows.Everyone, false},
		{flows.Officials, false},
		{flows.FocalPoints, true},
		{flows.FocalPoints | flows.Officials, true},
	} {
		for _, c := range m.List(tc.who, "vi") {
			if got := strings.HasSuffix(c.Description, " (focal)"); got != tc.focal {
				t.Errorf("audience %v: /%s described %q; said to a focal point: %v, want %v", tc.who, c.Name, c.Description, got, tc.focal)
			}
		}
	}
}

// A citizen who chose their language in the bot gets, in each chat, every
// user's commands in that language: the default menu speaks the app's.
// One who did not is queued nothing; a role holder's roles still come
// first.
func TestCommandMenusFollowALanguageChosen(t *testing.T) {
	t.Parallel()
	accounts := []store.Account{{Channel: bot.Telegram, ExternalID: "42", ChatID: "42"}, {Channel: bot.Zalo, ExternalID: "z7", ChatID: "z7"}}
	follow := func(r menuRecords) []bot.Outgoing {
		t.Helper()
		m := flows.NewCommandMenus(r, described{})
		m.Use(newRouter(members{}, focalFlow{}))
		c := bot.NewConversation(context.Background(), &bot.Update{}, &bot.Session{UserID: 1, Lang: "en"}, described{}, time.Time{})
		if err := m.Follow(c, 1); err != nil {
			t.Fatal(err)
		}
		return c.Menus()
	}
	everyone := "deleteme help language members menu mydata start"

	menus := follow(menuRecords{accounts: accounts, chosen: true})
	if len(menus) != 2 {
		t.Fatalf("%d menus queued for a citizen who chose English; want one per chat", len(menus))
	}
	for i, o := range menus {
		if o.Target != (bot.Target{Channel: accounts[i].Channel, ChatID: accounts[i].ChatID, Lang: "en"}) {
			t.Errorf("menu %d for %+v", i, o.Target)
		}
		if got := names(o.Menu.Commands); got != everyone || o.Menu.Commands[0].Description != "en:deleteme" {
			t.Errorf("menu %d: %q (%q); want every user's commands, in English", i, got, o.Menu.Commands[0].Description)
		}
	}
	if menus := follow(menuRecords{accounts: accounts}); len(menus) != 0 {
		t.Errorf("%d menus queued for a citizen with the app's language; want none", len(menus))
	}
	focal := follow(menuRecords{roles: []store.Role{{Role: store.RoleFocal, UnitCode: "SNV"}}, accounts: accounts, chosen: true})
	if len(focal) != 2 || names(focal[0].Menu.Commands) != "report status "+everyone {
		t.Errorf("a focal point who chose her language: %+v", focal)
	}
}
