package home_test

import (
	"context"
	"strings"
	"testing"

	"hocvuso/flows/flowtest"
	"hocvuso/flows/home"
)

// The first message of someone new is answered with who the bot is and the
// privacy notice, in their language; nothing about them is stored yet.
func TestFirstContactGreetsInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	for _, tc := range []struct {
		code, lang         string
		assistant, buttons string
	}{
		{"en", "en", "automated assistant", "I agree|I do not agree|Tiếng Việt"},
		{"en-GB", "en", "automated assistant", "I agree|I do not agree|Tiếng Việt"},
		{"vi", "vi", "trợ lý tự động", "Tôi đồng ý|Không đồng ý|English"},
		{"", "vi", "trợ lý tự động", "Tôi đồng ý|Không đồng ý|English"},
		{"fr", "vi", "trợ lý tự động", "Tôi đồng ý|Không đồng ý|English"},
	} {
		t.Run("code="+tc.code, func(t *testing.T) {
			u := h.NewUser("Lò Văn A", tc.code)
			r := u.Send("/start")
			if len(r.Sent) != 2 {
				t.Fatalf("want the welcome and the privacy notice, got:\n%s", r)
			}
			welcome, notice := r.Sent[0], r.Sent[1]
			if welcome.Text != h.T(tc.lang, "welcome") || !strings.Contains(welcome.Text, tc.assistant) {
				t.Errorf("welcome = %q, want the %s welcome saying %q", welcome.Text, tc.lang, tc.assistant)
			}
			if len(welcome.Buttons) != 0 {
				t.Errorf("welcome has buttons %q", welcome.Labels())
			}
			if notice.Text != h.T(tc.lang, "privacy.notice") {
				t.Errorf("notice = %q, want the %s privacy notice", notice.Text, tc.lang)
			}
			for _, label := range strings.Split(tc.buttons, "|") {
				if _, ok := notice.Button(label); !ok {
					t.Errorf("notice lacks the button %q; has %q", label, notice.Labels())
				}
			}
			if got := len(notice.Labels()); got != 3 {
				t.Errorf("notice has %d buttons %q, want agree, decline, other language", got, notice.Labels())
			}
		})
	}
	if n := h.Count("users") + h.Count("accounts"); n != 0 {
		t.Errorf("%d rows written before anyone consented", n)
	}
}

// Anything at all from someone who has not agreed yet brings the notice back,
// and still nothing is stored.
func TestBeforeConsentNothingIsStored(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	u := h.NewUser("Quàng Thị B", "vi")
	for _, text := range []string{"xin chào", "/start", "/menu", "/help", "/language", "/mydata", "/deleteme", "/start ref42"} {
		if r := u.Send(text); len(r.Sent) == 0 {
			t.Errorf("%q got no reply", text)
		}
	}
	u.SendFile("anh.jpg", "image/jpeg")
	u.Edit("sửa")
	if n := h.Count("users") + h.Count("accounts"); n != 0 {
		t.Errorf("%d rows written before consent", n)
	}
}

// Agreeing records exactly one user with the channel account, display name,
// language and consent version, thanks them and shows the menu.
func TestAgreeCreatesTheUserAndShowsTheMenu(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	u := h.NewUser("Ann Lee", "en")
	u.Send("/start")
	notice := u.Screen()
	r := u.Tap("I agree")
	if len(r.Sent) != 2 {
		t.Fatalf("want thanks and the menu, got:\n%s", r)
	}
	if th := r.Sent[0]; !th.Edited || th.ID != notice.ID || th.Text != h.T("en", "privacy.thanks") || len(th.Buttons) != 0 {
		t.Errorf("the notice should turn into the thanks, without buttons; got %+v", th)
	}
	menu := r.Sent[1]
	if menu.Text != h.T("en", "menu.title") {
		t.Errorf("menu title = %q", menu.Text)
	}
	for _, label := range []string{"Help", "Language", "My data"} {
		if _, ok := menu.Button(label); !ok {
			t.Errorf("menu lacks %q: %q", label, menu.Labels())
		}
	}
	if r.Answered != 1 {
		t.Errorf("tap answered %d times", r.Answered)
	}

	if n := h.Count("users"); n != 1 {
		t.Fatalf("%d users, want 1", n)
	}
	var name, lang, version, channel, external, chat string
	err := h.DB.Pool.QueryRow(context.Background(), `SELECT u.display_name, u.language, u.consent_version, a.channel, a.external_id, a.chat_id
		FROM users u JOIN accounts a ON a.user_id = u.id`).Scan(&name, &lang, &version, &channel, &external, &chat)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Ann Lee" || lang != "en" || version != home.ConsentVersion || channel != "telegram" || external != u.ID || chat != u.ID {
		t.Errorf("stored user = %q %q %q, account = %q %q %q", name, lang, version, channel, external, chat)
	}
}

// Tapping "agree" twice, as an impatient thumb does, makes one user: the two
// taps arrive together and are still applied one after the other.
func TestDoubleTapOnAgreeCreatesOneUser(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	u := h.NewUser("Cầm Văn C", "vi")
	u.Send("/start")
	notice := u.Screen()
	r := u.Do(u.TapUpdate(notice, "Tôi đồng ý"), u.TapUpdate(notice, "Tôi đồng ý"))
	if r.Answered != 2 {
		t.Errorf("%d of the 2 taps answered", r.Answered)
	}
	// And once more, later, from the same old message.
	u.TapOn(notice, "Tôi đồng ý")
	if n, m := h.Count("users"), h.Count("accounts"); n != 1 || m != 1 {
		t.Errorf("%d users and %d accounts after three taps on agree, want 1 and 1", n, m)
	}
	if r := u.Send("/start"); strings.Contains(r.Text(), h.T("vi", "privacy.notice")) {
		t.Errorf("a consented user was shown the notice again:\n%s", r)
	}
}

// Declining keeps nothing and leaves the way back open.
func TestDeclineStoresNothingAndOffersAgreeAgain(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	u := h.NewUser("Lường Văn D", "vi")
	u.Send("/start")
	r := u.Tap("Không đồng ý")
	if len(r.Sent) != 1 || r.Sent[0].Text != h.T("vi", "privacy.declined") || !r.Sent[0].Edited {
		t.Fatalf("want the notice replaced by the declined text, got:\n%s", r)
	}
	if labels := r.Sent[0].Labels(); len(labels) != 1 || labels[0] != h.T("vi", "privacy.agree") {
		t.Errorf("declined message offers %q, want only agree", labels)
	}
	if n := h.Count("users") + h.Count("accounts"); n != 0 {
		t.Fatalf("%d rows after declining", n)
	}
	u.Tap("Tôi đồng ý")
	if n := h.Count("users"); n != 1 {
		t.Errorf("%d users after agreeing on second thought", n)
	}
}

// The language can be changed before consent, with the notice's one-tap
// button or with /language; the choice is kept when the user agrees.
func TestLanguageBeforeConsent(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	u := h.NewUser("Hà Thị E", "vi")
	u.Send("/start")

	r := u.Tap("English")
	if got := r.Texts(); len(got) != 2 || got[0] != h.T("en", "welcome") || got[1] != h.T("en", "privacy.notice") {
		t.Fatalf("after tapping English, want the English welcome and notice, got:\n%s", r)
	}
	if _, ok := r.Last().Button("Tiếng Việt"); !ok {
		t.Errorf("the English notice should offer Vietnamese: %q", r.Last().Labels())
	}

	r = u.Send("/language")
	if r.Last().Text != h.T("en", "language.choose") || len(r.Last().Labels()) != 2 {
		t.Fatalf("/language: got\n%s", r)
	}
	r = u.Tap("Tiếng Việt")
	if !strings.Contains(r.Text(), h.T("vi", "privacy.notice")) {
		t.Fatalf("after choosing Vietnamese, want the Vietnamese notice, got:\n%s", r)
	}

	u.Send("/language")
	u.Tap("english")
	u.Tap("I agree")
	if lang := userLanguage(t, h); lang != "en" {
		t.Errorf("stored language = %q, want the one chosen before agreeing, en", lang)
	}
}

// After consent the language is switched with /language or the menu button,
// the texts follow, and the choice is recorded.
func TestLanguageAfterConsent(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	u := h.NewUser("Vì Văn G", "vi")
	u.Send("/start")
	u.Tap("Tôi đồng ý")

	u.Send("/language")
	r := u.Tap("English")
	if got := r.Texts(); len(got) != 2 || got[0] != h.T("en", "language.set") || got[1] != h.T("en", "menu.title") {
		t.Fatalf("want the switch confirmed and the menu, in English; got:\n%s", r)
	}
	if lang := userLanguage(t, h); lang != "en" {
		t.Errorf("users.language = %q after choosing English", lang)
	}
	if r := u.Send("/help"); r.Last().Text != citizenHelp(h, "en") {
		t.Errorf("/help after switching: %q", r.Last().Text)
	}

	// From the menu's button this time, back to Vietnamese.
	u.Send("/menu")
	r = u.Tap("Ngôn ngữ / Language")
	if !r.Last().Edited || r.Last().Text != h.T("en", "language.choose") {
		t.Fatalf("the language button should turn the menu into the choice: %s", r)
	}
	r = u.Tap("Tiếng Việt")
	if got := r.Texts(); len(got) != 2 || got[0] != h.T("vi", "language.set") || got[1] != h.T("vi", "menu.title") {
		t.Fatalf("want the switch confirmed and the menu, in Vietnamese; got:\n%s", r)
	}
	if lang := userLanguage(t, h); lang != "vi" {
		t.Errorf("users.language = %q after choosing Vietnamese", lang)
	}
	if h.Count("users") != 1 {
		t.Errorf("switching language made users")
	}
}

func TestHelpMenuAndStart(t *testing.T) {
	t.Parallel()
	h := flowtest.New(t)
	u := h.NewUser("Lò Thị H", "en")

	// Help is for everyone; before consent it has no menu to go back to.
	r := u.Send("/help")
	if len(r.Sent) != 1 || r.Sent[0].Text != citizenHelp(h, "en") || len(r.Sent[0].Buttons) != 0 {
		t.Fatalf("/help before consent: %s", r)
	}
	for _, cmd := range []string{"/menu", "/language", "/mydata", "/deleteme", "/help"} {
		if !strings.Contains(r.Sent[0].Text, cmd) {
			t.Errorf("help does not mention %s", cmd)
		}
	}
	// The menu is behind the consent.
	if r := u.Send("/menu"); r.Last().Text != h.T("en", "privacy.notice") {
		t.Fatalf("/menu before consent should bring the notice: %s", r)
	}
	u.Tap("I agree")

	r = u.Send("/help")
	if r.Last().Text != citizenHelp(h, "en") || len(r.Last().Labels()) != 1 {
		t.Fatalf("/help after consent: %s", r)
	}
	r = u.Tap("Back to menu")
	if !r.Last().Edited || r.Last().Text != h.T("en", "menu.title") {
		t.Errorf("back to menu should turn the help into the menu: %s", r)
	}
	r = u.Tap("Help")
	if !r.Last().Edited || r.Last().Text != citizenHelp(h, "en") {
		t.Errorf("the menu's help button: %s", r)
	}

	r = u.Send("/menu")
	if len(r.Sent) != 1 || r.Sent[0].Text != h.T("en", "menu.title") {
		t.Errorf("/menu after consent: %s", r)
	}
	// /start of a known user: hello again and the menu, never the notice.
	r = u.Send("/start")
	if got := r.Texts(); len(got) != 2 || got[0] != h.T("en", "welcome") || got[1] != h.T("en", "menu.title") {
		t.Errorf("/start after consent: %s", r)
	}
}

// citizenHelp is the help of someone who holds no role: every citizen's
// commands, how to become a focal point or an official, and the footer.
func citizenHelp(h *flowtest.Harness, lang string) string {
	return h.T(lang, "help.text") + "\n\n" + h.T(lang, "help.join") + "\n\n" + h.T(lang, "help.footer")
}

func userLanguage(t *testing.T, h *flowtest.Harness) string {
	t.Helper()
	var lang string
	if err := h.DB.Pool.QueryRow(context.Background(), `SELECT language FROM users`).Scan(&lang); err != nil {
		t.Fatal(err)
	}
	return lang
}
