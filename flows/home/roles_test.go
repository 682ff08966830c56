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
	// help is the help of a citizen, or of a focal point (focal: their
	// /stop line says it pauses a report too), with the parts after the
	// commands every user has.
	help := func(focal bool, parts ...string) string {
		texts := []string{h.T("vi", "help.text", "Focal", focal)}
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
		{"citizen", nil, nil, help(false, "help.join", "help.footer")},
		{"focal point", []string{store.RoleFocal}, []string{"report.menu"}, help(true, "help.focal", "help.footer.focal")},
		{"official", []string{store.RoleOfficial}, []string{"officials.menu", "digest.menu"}, help(false, "help.official", "help.footer.official")},
		{"both", []string{store.RoleOfficial, store.RoleFocal}, []string{"report.menu", "officials.menu", "digest.menu"},
			help(true, "help.focal", "help.official", "help.footer.both")},
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
	if got := u.Send("/help").Last().Text; got != help(false, "help.join", "help.footer") {
		t.Errorf("the help of a revoked focal point:\n%s", got)
	}
}

// The help ends by saying whom to ask, and that depends on who asks: a
// citizen their commune or ward's People's Committee; a focal point, who
// may be of a provincial department, the Department of Home Affairs that
// compiles the reports, or the administrator; an official of Sở Nội vụ or
// Sở KH&CN the administrator; one who is both, each of them, with the
// commands of both roles. In Vietnamese and English.
func TestHelpFooterFitsTheRole(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t, flowtest.WithMenu(quiz.MenuItem, report.MenuItem, officials.MenuItem, digest.DigestMenuItem))
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	if _, _, err := h.DB.UpsertUnits(ctx, []store.Unit{{Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: "department"}}, "admin", at); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"vi", "en"} {
		commune := h.T(lang, "help.footer")
		for _, tc := range []struct {
			name   string
			roles  []string
			footer string
		}{
			{"citizen", nil, "help.footer"},
			{"focal point", []string{store.RoleFocal}, "help.footer.focal"},
			{"official", []string{store.RoleOfficial}, "help.footer.official"},
			{"both", []string{store.RoleFocal, store.RoleOfficial}, "help.footer.both"},
		} {
			u := h.Agreed(lang+" "+tc.name, lang)
			for _, role := range tc.roles {
				unit := ""
				if role == store.RoleFocal {
					unit = "SKHCN"
				}
				if _, err := h.DB.GrantRole(ctx, u.UserID(), role, unit, "admin", at); err != nil {
					t.Fatal(err)
				}
			}
			got := u.Send("/help").Last().Text
			if want := h.T(lang, tc.footer); !strings.HasSuffix(got, "\n\n"+want) {
				t.Errorf("%s %s: /help does not end with %s %q:\n%s", lang, tc.name, tc.footer, want, got)
			}
			if tc.roles != nil && strings.Contains(got, commune) {
				t.Errorf("%s %s: /help sends them to their commune:\n%s", lang, tc.name, got)
			}
			if len(tc.roles) == 2 {
				for _, want := range []string{h.T(lang, "help.focal"), h.T(lang, "help.official")} {
					if !strings.Contains(got, want) {
						t.Errorf("%s %s: /help lacks %q:\n%s", lang, tc.name, want, got)
					}
				}
				footer := got[strings.LastIndex(got, "\n\n")+2:]
				contacts := map[string][]string{"vi": {"Sở Nội vụ", "quản trị viên"}, "en": {"Department of Home Affairs", "administrator"}}[lang]
				for _, who := range contacts {
					if !strings.Contains(footer, who) {
						t.Errorf("%s %s: the footer does not name %s: %q", lang, tc.name, who, footer)
					}
				}
			}
		}
	}
}

// /stop stops a quiz, and in the middle of a report pauses the report
// (flows.Taker): the help says so to a focal point, and to no one else,
// who has no report to pause. In Vietnamese and English.
func TestHelpStopLineFitsTheRole(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t, flowtest.WithMenu(quiz.MenuItem, report.MenuItem, officials.MenuItem, digest.DigestMenuItem))
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	if _, _, err := h.DB.UpsertUnits(ctx, []store.Unit{{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"}}, "admin", at); err != nil {
		t.Fatal(err)
	}
	words := map[string]struct{ quiz, report string }{
		"vi": {"dừng bài kiểm tra", "tạm dừng báo cáo"},
		"en": {"stop a quiz", "pause a report"},
	}
	for _, lang := range []string{"vi", "en"} {
		for _, tc := range []struct {
			name  string
			roles []string
		}{
			{"citizen", nil},
			{"focal point", []string{store.RoleFocal}},
			{"official", []string{store.RoleOfficial}},
			{"both", []string{store.RoleFocal, store.RoleOfficial}},
		} {
			u := h.Agreed(lang+" "+tc.name, lang)
			for _, role := range tc.roles {
				unit := ""
				if role == store.RoleFocal {
					unit = "SNV"
				}
				if _, err := h.DB.GrantRole(ctx, u.UserID(), role, unit, "admin", at); err != nil {
					t.Fatal(err)
				}
			}
			var stop []string
			for _, line := range strings.Split(u.Send("/help").Last().Text, "\n") {
				if strings.HasPrefix(line, "/stop ") {
					stop = append(stop, line)
				}
			}
			if len(stop) != 1 {
				t.Errorf("%s %s: /help has %d lines for /stop, want 1: %q", lang, tc.name, len(stop), stop)
				continue
			}
			focal := slices.Contains(tc.roles, store.RoleFocal)
			if !strings.Contains(stop[0], words[lang].quiz) || strings.Contains(stop[0], words[lang].report) != focal {
				t.Errorf("%s %s: /help says %q; want it to stop a quiz, and pause a report: %v", lang, tc.name, stop[0], focal)
			}
		}
	}
}
