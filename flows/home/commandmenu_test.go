package home_test

import (
	"slices"
	"testing"

	"hocvuso/bot"
	"hocvuso/flows/flowtest"
)

// chatMenu is the command menu last set for u's chat (no commands: the
// default menu given back) and its target, and whether one was set at all.
func chatMenu(h *flowtest.Harness, u *flowtest.User) ([]bot.Command, bot.Target, bool) {
	menus := h.Sender.Menus()
	for i := len(menus) - 1; i >= 0; i-- {
		if m := menus[i]; m.Target.Channel == u.Channel && m.Target.ChatID == u.ID {
			return m.Menu.Commands, m.Target, true
		}
	}
	return nil, bot.Target{}, false
}

func describes(cmds []bot.Command, name string) string {
	i := slices.IndexFunc(cmds, func(c bot.Command) bool { return c.Name == name })
	if i < 0 {
		return ""
	}
	return cmds[i].Description
}

// A citizen whose app speaks English and who chooses Vietnamese with
// /language gets their chat's command menu in Vietnamese: the default
// menu follows the app's language. Erased, the chat has the default back.
func TestACitizensMenuFollowsTheLanguageChosen(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	u := h.Agreed("Lò Thị Lan", "en")
	if cmds, _, set := chatMenu(h, u); set {
		t.Fatalf("a citizen with her app's language got a menu of her own: %+v", cmds)
	}
	u.Send("/language")
	u.Tap("Tiếng Việt")
	cmds, target, set := chatMenu(h, u)
	if !set || len(cmds) == 0 {
		t.Fatalf("after /language, her chat's menu: set %v, %+v; want a citizen's commands", set, cmds)
	}
	if got := describes(cmds, "help"); got != h.T("vi", "command.help") || target.Lang != "vi" {
		t.Errorf("/help described %q (%s); want the language chosen, Vietnamese", got, target.Lang)
	}
	if got := describes(cmds, "language"); got == "" {
		t.Errorf("her menu lacks /language: %+v", cmds)
	}

	u.Send("/deleteme")
	u.Tap(h.T("vi", "deleteme.yes"))
	if cmds, _, _ := chatMenu(h, u); len(cmds) != 0 {
		t.Errorf("after /deleteme, her chat keeps a menu of its own: %+v", cmds)
	}
}

// A language chosen before agreeing (the greeting's switch) is the menu's
// from the consent on, when it is not the app's; one left as the app's
// leaves the default menu.
func TestALanguageChosenBeforeAgreeingIsTheMenus(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	u := h.NewUser("Cầm Văn Minh", "vi")
	u.Send("/start")
	u.Tap("English")
	if _, _, set := chatMenu(h, u); set {
		t.Fatal("a menu set before the consent")
	}
	u.Tap("I agree")
	cmds, target, set := chatMenu(h, u)
	if !set || describes(cmds, "help") != h.T("en", "command.help") || target.Lang != "en" {
		t.Fatalf("after agreeing in English on a Vietnamese app, the chat's menu: set %v, %+v (%s); want a citizen's in English", set, cmds, target.Lang)
	}

	// Switched and switched back: the app's language, the default menu.
	v := h.NewUser("Quàng Thị Hoa", "vi")
	v.Send("/start")
	v.Tap("English")
	v.Tap("Tiếng Việt")
	v.Tap("Tôi đồng ý")
	if cmds, _, set := chatMenu(h, v); set {
		t.Errorf("a citizen with her app's language got a menu of her own: %+v", cmds)
	}
}
