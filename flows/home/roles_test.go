package home_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"hocvuso/flows/digest"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/officials"
	"hocvuso/flows/quiz"
	"hocvuso/flows/report"
	"hocvuso/store"
)

// The menu and the help follow what the user is: a citizen sees what every
// citizen can do and how to become a focal point or an official; a focal
// point sees the unit's reports too; an official the overview and the
// digest; a role ended is gone from both.
func TestMenuAndHelpFollowTheUsersRoles(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t, flowtest.WithMenu(quiz.MenuItem, report.MenuItem, officials.MenuItem, digest.DigestMenuItem))
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	if _, _, err := h.DB.UpsertUnits(ctx, []store.Unit{{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"}}, "admin", at); err != nil {
		t.Fatal(err)
	}
	person := func(name string, roles ...string) *flowtest.User {
		t.Helper()
		u := h.Agreed(name, "vi")
		for _, role := range roles {
			unit := ""
			if role == store.RoleFocal {
				unit = "SNV"
			}
			if _, err := h.DB.GrantRole(ctx, u.UserID(), role, unit, "admin", at); err != nil {
				t.Fatal(err)
			}
		}
		return u
	}
	vi := func(id string) string { return h.T("vi", id) }
	help := func(parts ...string) string {
		var texts []string
		for _, id := range parts {
			texts = append(texts, vi(id))
		}
		return strings.Join(texts, "\n\n")
	}
	for _, tc := range []struct {
		name  string
		roles []string
		menu  []string // role items shown, in order
		help  string
	}{
		{"citizen", nil, nil, help("help.text", "help.join", "help.footer")},
		{"focal point", []string{store.RoleFocal}, []string{"report.menu"}, help("help.text", "help.focal", "help.footer")},
		{"official", []string{store.RoleOfficial}, []string{"officials.menu", "digest.menu"}, help("help.text", "help.official", "help.footer")},
		{"both", []string{store.RoleOfficial, store.RoleFocal}, []string{"report.menu", "officials.menu", "digest.menu"},
			help("help.text", "help.focal", "help.official", "help.footer")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := person("Lò Văn "+tc.name, tc.roles...)
			labels := u.Send("/menu").Last().Labels()
			want := []string{vi("quiz.menu")}
			for _, id := range tc.menu {
				want = append(want, vi(id))
			}
			want = append(want, vi("menu.help"), vi("menu.language"), vi("menu.mydata"))
			if !slices.Equal(labels, want) {
				t.Errorf("menu = %q\nwant %q", labels, want)
			}
			if got := u.Send("/help").Last().Text; got != tc.help {
				t.Errorf("/help =\n%s\nwant\n%s", got, tc.help)
			}
			// The menu's help button gives the same.
			u.Send("/menu")
			if got := u.Tap(vi("menu.help")).Last().Text; got != tc.help {
				t.Errorf("the menu's help =\n%s", got)
			}
		})
	}

	// A focal point whose role is revoked is a citizen again.
	u := person("Cầm Thị Ngọc", store.RoleFocal)
	a, _, err := h.DB.FindAccount(ctx, u.Channel, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	roles, err := h.DB.UserRoles(ctx, a.UserID)
	if err != nil || len(roles) != 1 {
		t.Fatalf("roles %+v, %v", roles, err)
	}
	if err := h.DB.RevokeRole(ctx, roles[0].ID, "admin", at); err != nil {
		t.Fatal(err)
	}
	if labels := u.Send("/menu").Last().Labels(); slices.Contains(labels, vi("report.menu")) {
		t.Errorf("the menu of a revoked focal point still offers the reports: %q", labels)
	}
	if got := u.Send("/help").Last().Text; got != help("help.text", "help.join", "help.footer") {
		t.Errorf("the help of a revoked focal point:\n%s", got)
	}
}
