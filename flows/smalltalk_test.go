package flows_test

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"hocvuso/flows"
	"hocvuso/flows/flowtest"
)

func TestSmallTalk(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]flows.Talk{
		"cảm ơn":               flows.Thanks,
		"Cám ơn!":              flows.Thanks,
		"cảm ơn bạn":           flows.Thanks,
		"Cảm ơn bạn nhiều ạ 🙏": flows.Thanks,
		"camon":                flows.Thanks,
		"cam on a":             flows.Thanks,
		"em cảm ơn ạ":          flows.Thanks,
		"Ok cảm ơn nhé":        flows.Thanks,
		"Thank you!":           flows.Thanks,
		"thanks":               flows.Thanks,
		"🙏":                    flows.Thanks,
		"ok":                   flows.Agreed,
		"OK.":                  flows.Agreed,
		"oke":                  flows.Agreed,
		"okay":                 flows.Agreed,
		"vâng":                 flows.Agreed,
		"Vâng ạ.":              flows.Agreed,
		"dạ":                   flows.Agreed,
		"Dạ vâng ạ":            flows.Agreed,
		"ừ":                    flows.Agreed,
		"ok nhé 👍":             flows.Agreed,
		"👍":                    flows.Agreed,
		"👍🏽👍":                  flows.Agreed,
		"xin chào":             flows.Greeting,
		"Xin chào!!!":          flows.Greeting,
		"chào bạn":             flows.Greeting,
		"Chào bạn ạ":           flows.Greeting,
		"hello":                flows.Greeting,
		"Hi":                   flows.Greeting,
		"👍🏽🇻🇳 xin chào 🙏":      flows.Greeting,
		// Anything else is not small talk.
		"":                        flows.NoTalk,
		"ạ":                       flows.NoTalk,
		"a":                       flows.NoTalk, // a quiz's letter
		"B ạ":                     flows.NoTalk,
		"ok B":                    flows.NoTalk,
		"cảm ơn, cho tôi hỏi":     flows.NoTalk,
		"không cảm ơn":            flows.NoTalk,
		"chào bạn, bao giờ thi":   flows.NoTalk,
		"😊":                       flows.NoTalk,
		"👍❤️":                     flows.NoTalk,
		"👍🙏":                      flows.NoTalk,
		"👍🏽🇻🇳❤️‍🔥":                flows.NoTalk,
		"ABCD-EFGH-JKMN":          flows.NoTalk,
		strings.Repeat("ok ", 60): flows.NoTalk,
	} {
		if got := flows.SmallTalk(in); got != want {
			t.Errorf("SmallTalk(%q) = %v; want %v", in, got, want)
		}
		if got := flows.SmallTalk(norm.NFD.String(in)); got != want {
			t.Errorf("SmallTalk(NFD %q) = %v; want %v", in, got, want)
		}
	}
}

// Small talk typed at the menu is answered in kind, with the menu's button
// only; what a Stray finds waiting is said instead; other text still gets
// the hint and the menu; before the consent, the privacy notice.
func TestSmallTalkAtTheMenu(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t,
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return waiter{"quiz", "ok"} }),
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return echo{} }),
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return members{} }),
	)
	for _, lang := range []string{"vi", "en"} {
		u := h.Agreed("Lan", lang)
		back := []string{h.T(lang, "menu.back")}
		for _, tc := range []struct{ typed, want string }{
			{"Cảm ơn bạn!", "smalltalk.thanks"},
			{"thank you", "smalltalk.thanks"},
			{"dạ vâng ạ", "smalltalk.agreed"},
			{"👍", "smalltalk.agreed"},
			{"Xin chào", "smalltalk.greeting"},
			{"hi", "smalltalk.greeting"},
		} {
			r := u.Send(tc.typed)
			if len(r.Sent) != 1 || r.Text() != h.T(lang, tc.want) || !slices.Equal(r.Last().Labels(), back) {
				t.Errorf("%s %q: want %q with the menu's button, got\n%s", lang, tc.typed, h.T(lang, tc.want), r)
			}
		}
		// The buttons of what was shown before (a receipt, a result) still work.
		members := u.Send("/members").Last()
		shown, _ := members.Button("again")
		menuButton, ok := u.Send("cảm ơn").Last().Button(back[0])
		if !ok || mustParse(t, shown.Data).Screen != mustParse(t, menuButton.Data).Screen {
			t.Errorf("%s: thanks after a screen moved to another screen (or no menu button: %v)", lang, !ok)
		}
		if r := u.TapOn(members, "again"); r.Text() != "members only" {
			t.Errorf("%s: the button shown before thanks: %s", lang, r)
		}
		// A Stray that finds something waiting wins.
		if r := u.Send("ok"); r.Text() != "quiz waits" || !slices.Equal(r.Last().Labels(), []string{"go on with quiz", back[0]}) {
			t.Errorf("%s: ok with a quiz waiting: %s", lang, r)
		}
		if r := u.Send("cảm ơn, bao giờ thi?"); len(r.Sent) != 2 || r.Texts()[0] != h.T(lang, "unknown.hint") {
			t.Errorf("%s: a sentence: want the hint and the menu, got\n%s", lang, r)
		}
		// A flow that owns the conversation gets it as any text.
		u.Send("/echo")
		if r := u.Send("cảm ơn"); r.Text() != "echo cảm ơn" {
			t.Errorf("%s: while echo listens: %s", lang, r)
		}
	}
	v := h.NewUser("Hoa", "vi")
	if r := v.Send("xin chào"); !strings.Contains(r.Text(), h.T("vi", "privacy.notice")) {
		t.Errorf("before the consent: want the privacy notice, got\n%s", r)
	}
}
