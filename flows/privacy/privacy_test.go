package privacy_test

import (
	"strings"
	"testing"
	"time"

	"hocvuso/flows/flowtest"
)

// consentAt is the bot's clock in these tests: 08:30 in Sơn La.
var consentAt = time.Date(2026, 11, 26, 1, 30, 0, 0, time.UTC)

func newHarness(t *testing.T) *flowtest.Harness {
	return flowtest.New(t, flowtest.WithClock(func() time.Time { return consentAt }))
}

func consented(t *testing.T, h *flowtest.Harness, name, code string) *flowtest.User {
	t.Helper()
	u := h.NewUser(name, code)
	u.Send("/start")
	u.Tap("✅")
	if h.Count("users") == 0 {
		t.Fatal("no user after agreeing")
	}
	return u
}

// /mydata lists what is kept: the name, the language, when the consent was
// given (in Sơn La's time), and the channel account.
func TestMyDataShowsWhatIsStored(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := consented(t, h, "Lò Văn Sơn", "vi")
	r := u.Send("/mydata")
	if len(r.Sent) != 1 {
		t.Fatalf("/mydata: %s", r)
	}
	text := r.Sent[0].Text
	for _, want := range []string{
		h.T("vi", "mydata.header"),
		h.T("vi", "mydata.name", "Name", "Lò Văn Sơn"),
		h.T("vi", "mydata.language", "Language", h.T("vi", "language.vi")),
		h.T("vi", "mydata.consent", "At", "26/11/2026 08:30"),
		h.T("vi", "mydata.account", "Channel", "Telegram", "ID", u.ID, "Blocked", false),
		h.T("vi", "mydata.footer"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/mydata lacks %q:\n%s", want, text)
		}
	}
	if labels := r.Sent[0].Labels(); len(labels) != 1 || labels[0] != h.T("vi", "menu.back") {
		t.Errorf("/mydata buttons %q, want back to the menu", labels)
	}

	// The menu's button shows the same, in the language now chosen.
	u.Send("/language")
	u.Tap("English")
	r = u.Tap("My data")
	if !strings.Contains(r.Text(), h.T("en", "mydata.language", "Language", h.T("en", "language.en"))) ||
		!strings.Contains(r.Text(), "Telegram account: "+u.ID) {
		t.Errorf("My data button after switching to English:\n%s", r)
	}
}

func TestMyDataOfAStranger(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.NewUser("Khách", "en")
	for _, cmd := range []string{"/mydata", "/deleteme"} {
		if r := u.Send(cmd); r.Text() != h.T("en", "mydata.none") {
			t.Errorf("%s of someone never agreed: %s", cmd, r)
		}
	}
}

// /deleteme asks first; "erase" removes the user and the account and the bot
// forgets them; a later /start is a first contact again.
func TestDeleteMeErasesEverything(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	other := consented(t, h, "Người khác", "vi")
	u := consented(t, h, "Ann", "en")

	r := u.Send("/deleteme")
	if r.Text() != h.T("en", "deleteme.confirm") || len(r.Last().Labels()) != 2 {
		t.Fatalf("/deleteme should ask for confirmation: %s", r)
	}
	if n := h.Count("users"); n != 2 {
		t.Fatalf("asking erased something: %d users", n)
	}
	r = u.Tap("Erase everything")
	if len(r.Sent) != 1 || r.Sent[0].Text != h.T("en", "deleteme.done") || !r.Sent[0].Edited || len(r.Sent[0].Buttons) != 0 {
		t.Fatalf("erase: %s", r)
	}
	if n, m := h.Count("users"), h.Count("accounts"); n != 1 || m != 1 {
		t.Fatalf("after erasing one of two users: %d users and %d accounts, want 1 and 1", n, m)
	}
	if r := u.Send("/mydata"); r.Text() != h.T("en", "mydata.none") {
		t.Errorf("/mydata after erasing: %s", r)
	}
	// Forgotten, but still spoken to in the language they chose.
	if r := u.Send("/start"); r.Last().Text != h.T("en", "privacy.notice") {
		t.Errorf("/start after erasing should be a first contact: %s", r)
	}
	if r := other.Send("/mydata"); !strings.Contains(r.Text(), "Người khác") {
		t.Errorf("the other user's data: %s", r)
	}
}

func TestDeleteMeCancelKeepsTheData(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := consented(t, h, "Bình", "vi")
	u.Send("/deleteme")
	r := u.Tap("Không, giữ lại")
	if r.Text() != h.T("vi", "deleteme.cancelled") || !r.Last().Edited {
		t.Fatalf("cancel: %s", r)
	}
	if n, m := h.Count("users"), h.Count("accounts"); n != 1 || m != 1 {
		t.Errorf("after cancelling: %d users and %d accounts", n, m)
	}
	if r := u.Tap("Về menu"); r.Text() != h.T("vi", "menu.title") {
		t.Errorf("back to menu after cancelling: %s", r)
	}
}

// An "erase" button from an older screen never erases: the user may have
// moved on, and an old confirmation is no consent to erase now.
func TestStaleEraseButtonDoesNotErase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := consented(t, h, "Chiến", "vi")

	u.Send("/deleteme")
	first := u.Screen()
	u.Send("/menu")
	r := u.TapOn(first, "Xoá hết")
	if len(r.Sent) != 0 || r.Notice() != h.T("vi", "stale.button") {
		t.Errorf("old erase button after /menu: want the stale notice only, got\n%s", r)
	}

	u.Send("/deleteme")
	second := u.Screen()
	u.Send("/deleteme")
	if r := u.TapOn(second, "Xoá hết"); r.Notice() != h.T("vi", "stale.button") {
		t.Errorf("erase button of the previous confirmation: %s", r)
	}
	if r := u.TapOn(first, "Không, giữ lại"); r.Notice() != h.T("vi", "stale.button") {
		t.Errorf("old cancel button: %s", r)
	}
	if n, m := h.Count("users"), h.Count("accounts"); n != 1 || m != 1 {
		t.Fatalf("stale buttons erased data: %d users, %d accounts", n, m)
	}

	// The current one works, once: a double tap erases once and says so once.
	latest := u.Screen()
	r = u.Do(u.TapUpdate(latest, "Xoá hết"), u.TapUpdate(latest, "Xoá hết"))
	if got := r.Texts(); len(got) != 1 || got[0] != h.T("vi", "deleteme.done") || r.Answered != 2 {
		t.Errorf("double tap on erase: %s", r)
	}
	if n, m := h.Count("users"), h.Count("accounts"); n != 0 || m != 0 {
		t.Errorf("after erasing: %d users, %d accounts", n, m)
	}
}

// After Redis lost the conversation, an old confirmation cannot erase either.
func TestEraseButtonAfterRedisLoss(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := consented(t, h, "Dung", "vi")
	u.Send("/deleteme")
	confirm := u.Screen()
	h.FlushRedis()
	r := u.TapOn(confirm, "Xoá hết")
	if got := r.Texts(); len(got) != 2 || got[0] != h.T("vi", "lost.track") {
		t.Errorf("erase after the loss: %s", r)
	}
	if n := h.Count("users"); n != 1 {
		t.Errorf("an erase button from before the loss erased the user")
	}
}

// /mydata counts the quiz answers and names the certificate; a user erased
// elsewhere (another channel, an administrator) is told nothing is kept,
// not given an error.
func TestMyDataQuizCertificateAndErasedElsewhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := consented(t, h, "Cầm Thị Hoa", "vi")
	ctx := t.Context()
	var userID int64
	if err := h.DB.Pool.QueryRow(ctx, "SELECT id FROM users").Scan(&userID); err != nil {
		t.Fatal(err)
	}
	var attempt int64
	if err := h.DB.Pool.QueryRow(ctx, `INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, started_at)
		VALUES ($1, 'v', '', '{a,b}', '[]', 2, now()) RETURNING id`, userID).Scan(&attempt); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DB.Pool.Exec(ctx, `INSERT INTO quiz_answers (attempt_id, position, question_id, chosen, correct, answered_at)
		VALUES ($1, 0, 'a', 1, true, now()), ($1, 1, 'b', 0, false, now())`, attempt); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DB.Pool.Exec(ctx, `INSERT INTO certificates (code, user_id, name, areas, issued_at)
		VALUES ('7K2M9QXD4TAB', $1, 'Cầm Thị Hoa', '[]', now())`, userID); err != nil {
		t.Fatal(err)
	}
	text := u.Send("/mydata").Text()
	for _, want := range []string{
		h.T("vi", "mydata.quiz", "Attempts", 1, "Answers", 2),
		h.T("vi", "mydata.certificate", "Code", "HVS-7K2M-9QXD-4TAB", "Name", "Cầm Thị Hoa"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/mydata lacks %q:\n%s", want, text)
		}
	}

	if _, err := h.DB.Pool.Exec(ctx, "DELETE FROM users"); err != nil {
		t.Fatal(err)
	}
	r := u.Send("/mydata")
	if got, want := r.Text(), h.T("vi", "mydata.none"); got != want {
		t.Fatalf("after an erasure elsewhere /mydata says %q, want %q", got, want)
	}
	if r := u.Send("/help"); r.Text() == "" {
		t.Fatal("no answer after the erasure")
	}
}
