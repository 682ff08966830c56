package privacy_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/enrol"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/link"
	"hocvuso/flows/report/config"
	"hocvuso/flows/report/reporttest"
	"hocvuso/store"
)

// consentAt is the bot's clock in these tests: 08:30 in Sơn La.
var consentAt = time.Date(2026, 11, 26, 1, 30, 0, 0, time.UTC)

func newHarness(t *testing.T) *flowtest.Harness {
	return flowtest.New(t, flowtest.WithClock(func() time.Time { return consentAt }))
}

// /mydata lists what is kept: the name, the language, when the consent was
// given (in Sơn La's time), and the channel account.
func TestMyDataShowsWhatIsStored(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.Agreed("Lò Văn Sơn", "vi")
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
		h.T("vi", "mydata.account", "Channel", "Telegram", "ID", u.ID, "Seen", "26/11/2026 08:30", "Blocked", false),
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

// Every channel's account is named as its users know it, capitalised: the
// console's too, as Telegram's and Zalo's.
func TestMyDataNamesTheConsoleAccount(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.Engine.SetSender(bot.Console, h.Sender) // the console's replies, recorded
	for lang, seen := range map[string]string{"vi": "26/11/2026 08:30", "en": "26 Nov 2026, 08:30"} {
		u := h.AgreedOn(bot.Console, "Lò Văn "+lang, lang)
		text := u.Send("/mydata").Text()
		want := h.T(lang, "mydata.account", "Channel", "Console", "ID", u.ID, "Seen", seen, "Blocked", false)
		if !strings.Contains(text, want) {
			t.Errorf("%s: /mydata lacks %q:\n%s", lang, want, text)
		}
	}
}

// In English, /mydata writes its times with the month in words: "05/03"
// would be 5 March to some readers and 3 May to others.
func TestMyDataTimesInEnglish(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.Agreed("Lò Văn Sơn", "en")
	text := u.Send("/mydata").Text()
	for _, want := range []string{
		h.T("en", "mydata.consent", "At", "26 Nov 2026, 08:30"),
		h.T("en", "mydata.account", "Channel", "Telegram", "ID", u.ID, "Seen", "26 Nov 2026, 08:30", "Blocked", false),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/mydata in English lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "26/11/2026") {
		t.Errorf("/mydata in English writes a date as day/month/year:\n%s", text)
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
	other := h.Agreed("Người khác", "vi")
	u := h.Agreed("Ann", "en")

	r := u.Send("/deleteme")
	if !strings.HasPrefix(r.Text(), h.T("en", "deleteme.confirm")) || len(r.Last().Labels()) != 2 {
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
	u := h.Agreed("Bình", "vi")
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
	u := h.Agreed("Chiến", "vi")

	u.Send("/deleteme")
	first := u.Screen()
	u.Send("/menu")
	r := u.TapOn(first, "Xóa hết")
	if len(r.Sent) != 0 || r.Notice() != h.T("vi", "stale.button") {
		t.Errorf("old erase button after /menu: want the stale notice only, got\n%s", r)
	}

	u.Send("/deleteme")
	second := u.Screen()
	u.Send("/deleteme")
	if r := u.TapOn(second, "Xóa hết"); r.Notice() != h.T("vi", "stale.button") {
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
	r = u.Do(u.TapUpdate(latest, "Xóa hết"), u.TapUpdate(latest, "Xóa hết"))
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
	u := h.Agreed("Dung", "vi")
	u.Send("/deleteme")
	confirm := u.Screen()
	h.FlushRedis()
	r := u.TapOn(confirm, "Xóa hết")
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
	u := h.Agreed("Cầm Thị Hoa", "vi")
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

// personBot is the bot with /link and /join, as a person with roles, a
// linked account and a report meets it.
func personBot(t *testing.T) *flowtest.Harness {
	t.Helper()
	return flowtest.New(t, flowtest.WithClock(func() time.Time { return consentAt }),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			f := link.New(h.DB, h.State, h.State.LinkTries(), nil)
			var mu sync.Mutex
			codes := []string{"BK74QX2M", "ZZ22HH33"}
			f.NewCode = func() string {
				mu.Lock()
				defer mu.Unlock()
				c := codes[0]
				codes = append(codes[1:], c)
				return c
			}
			return f
		}),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			tries := store.NewThrottle(h.Redis.Client, h.Redis.Prefix, "enrol", enrol.MaxWrongCodes, enrol.WrongCodeWindow)
			return enrol.New(h.DB, tries, nil)
		}))
}

// A focal point of Sở Nội vụ, once an official, who linked Zalo, turned the
// weekly reminder on and submitted the unit's report: /mydata lists all of
// it and says the report is the unit's; /deleteme says what goes and what
// stays, then erases the person on both chats and keeps the unit's report
// without them.
func TestMyDataAndDeleteMeOfAFocalPoint(t *testing.T) {
	t.Parallel()
	h := personBot(t)
	ctx := t.Context()
	tg := h.Agreed("Lò Văn Sơn", "vi")
	tg.Send("/link")
	zl := h.NewUserOn(bot.Zalo, "Sơn", "vi")
	if r := zl.Send("/link BK74QX2M"); !strings.Contains(r.Text(), "Telegram") {
		t.Fatalf("linking Zalo: %s", r)
	}
	tg.Send("/link") // a second code, not used
	id := tg.UserID()

	if _, _, err := h.DB.UpsertUnits(ctx, []store.Unit{{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"}}, "admin", consentAt); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DB.GrantRole(ctx, id, store.RoleFocal, "SNV", "admin", consentAt); err != nil {
		t.Fatal(err)
	}
	official, err := h.DB.GrantRole(ctx, id, store.RoleOfficial, "", "admin", consentAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.DB.RevokeRole(ctx, official.ID, "admin", consentAt.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := h.DB.SetNudge(ctx, id, true, consentAt); err != nil {
		t.Fatal(err)
	}
	if err := h.DB.RecordForm(ctx, store.StoredForm{ID: "plan", Version: 1, Hash: "h", Content: []byte("id: plan"), RecordedAt: consentAt}); err != nil {
		t.Fatal(err)
	}
	reporttest.Submit(t, h.DB, reporttest.Report{Period: &config.Period{ID: "plan-2026", FormID: "plan", FormVersion: 1, Due: consentAt.Add(48 * time.Hour)},
		Unit: "SNV", By: id, At: consentAt, Answers: []reporttest.Answer{{Key: "doc_number", Value: `{"type":"text","text":"12/KH-SNV"}`}}})
	if _, _, err := h.DB.PutAttachment(ctx, store.Attachment{MIME: "application/pdf", Name: "ke-hoach.pdf", Content: []byte("%PDF-1.7"),
		UploadedBy: id, UploadedAt: consentAt}); err != nil {
		t.Fatal(err)
	}

	r := tg.Send("/mydata")
	text := r.Text()
	for _, want := range []string{
		h.T("vi", "mydata.account", "Channel", "Telegram", "ID", tg.ID, "Seen", "26/11/2026 08:30", "Blocked", false),
		h.T("vi", "mydata.account", "Channel", "Zalo", "ID", zl.ID, "Seen", "26/11/2026 08:30", "Blocked", false),
		h.T("vi", "mydata.link.code", "Until", "26/11/2026 08:40"),
		h.T("vi", "mydata.role", "Role", "đầu mối của Sở Nội vụ", "Since", "26/11/2026 08:30", "Ended", false),
		h.T("vi", "mydata.role", "Role", "cán bộ theo dõi báo cáo", "Since", "26/11/2026 08:30", "Ended", true, "Until", "27/11/2026 08:30"),
		h.T("vi", "mydata.nudge", "On", true, "At", "26/11/2026 08:30"),
		h.T("vi", "mydata.reports", "N", 1, "Units", "Sở Nội vụ"),
		h.T("vi", "mydata.reports.files", "N", 1),
		// Two roles given, one taken away, the draft opened, its answer,
		// the report sent and the file.
		h.T("vi", "mydata.reports.log", "N", 7),
		h.T("vi", "mydata.reports.note"),
		h.T("vi", "mydata.footer"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/mydata lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "• Lịch sử liên kết tài khoản:") {
		t.Errorf("/mydata does not mention the link history:\n%s", text)
	}

	r = zl.Send("/deleteme")
	confirm := r.Text()
	for _, want := range []string{
		h.T("vi", "deleteme.confirm"),
		h.T("vi", "deleteme.roles", "Roles", "đầu mối của Sở Nội vụ"),
		h.T("vi", "deleteme.reports"),
		h.T("vi", "deleteme.final"),
	} {
		if !strings.Contains(confirm, want) {
			t.Errorf("/deleteme lacks %q:\n%s", want, confirm)
		}
	}
	if strings.Contains(confirm, "cán bộ theo dõi") {
		t.Errorf("/deleteme names the ended role as one the person will lose:\n%s", confirm)
	}
	if strings.Contains(confirm, h.T("vi", "deleteme.certificate")) {
		t.Errorf("/deleteme speaks of a certificate the person does not have:\n%s", confirm)
	}
	if n := h.Count("users"); n != 1 {
		t.Fatalf("asking erased something: %d users", n)
	}
	if r := zl.Tap("Xóa hết"); r.Text() != h.T("vi", "deleteme.done") {
		t.Fatalf("erase: %s", r)
	}

	for _, table := range []string{"users", "accounts", "report_roles", "nudge_prefs", "link_codes", "account_link_audit"} {
		if n := h.Count(table); n != 0 {
			t.Errorf("%d rows left in %s after the erasure", n, table)
		}
	}
	var submittedBy *int64
	var answers string
	if err := h.DB.Pool.QueryRow(ctx, `SELECT submitted_by, answers::text FROM report_versions`).Scan(&submittedBy, &answers); err != nil {
		t.Fatalf("the unit's report is gone: %v", err)
	}
	if submittedBy != nil || !strings.Contains(answers, "12/KH-SNV") {
		t.Errorf("the unit's report after the erasure: by %v, answers %s", submittedBy, answers)
	}
	var linked int
	if err := h.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM report_audit WHERE user_id IS NOT NULL OR detail ? 'user'`).Scan(&linked); err != nil || linked != 0 {
		t.Errorf("%d lines of the unit's audit log still name the person (%v)", linked, err)
	}
	// Both chats start again as a stranger's.
	for _, u := range []*flowtest.User{tg, zl} {
		if r := u.Send("/mydata"); r.Text() != h.T("vi", "mydata.none") {
			t.Errorf("/mydata on %s after the erasure: %s", u.Channel, r)
		}
	}
}

// A citizen is not told about roles or units' reports they have nothing to
// do with.
func TestMyDataOfACitizenSaysNothingOfUnits(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.Agreed("Tòng Văn Hải", "en")
	text := u.Send("/mydata").Text()
	for _, id := range []string{"mydata.reports.note", "mydata.footer"} {
		if want := h.T("en", id); strings.Contains(text, want) != (id == "mydata.footer") {
			t.Errorf("/mydata of a citizen and %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Role") || strings.Contains(text, "reminder") || strings.Contains(text, "link code") {
		t.Errorf("/mydata of a citizen lists what is not kept:\n%s", text)
	}
	confirm := u.Send("/deleteme").Text()
	if confirm != h.T("en", "deleteme.confirm")+"\n\n"+h.T("en", "deleteme.final") {
		t.Errorf("/deleteme of a citizen:\n%s", confirm)
	}
}

// Someone who brought an invite code before agreeing is told the code is
// held in the conversation, and it still works once they agree.
func TestMyDataBeforeConsentNamesTheKeptCode(t *testing.T) {
	t.Parallel()
	h := personBot(t)
	u := h.NewUser("Khách", "vi")
	u.Send("/join ABCD-EFGH-JKMN")
	if r := u.Send("/mydata"); r.Text() != h.T("vi", "mydata.none.kept") {
		t.Errorf("/mydata with a kept code: %s", r)
	}
	if n := h.Count("users"); n != 0 {
		t.Errorf("%d users before the consent", n)
	}
	// Agreeing uses the code: it was kept through /mydata (this one is unknown).
	r := u.Tap("Tôi đồng ý")
	if !strings.Contains(r.Text(), "ABCD-EFGH-JKMN") {
		t.Errorf("the kept code was not used after agreeing: %s", r)
	}
}

// Two users who each earned a certificate and then linked their chats are
// one person with two certificates, both still verifiable by anyone with
// the code: /mydata names both, with the name printed on each, and
// /deleteme says both codes stop working.
func TestMyDataListsEveryCertificateAfterAMerge(t *testing.T) {
	t.Parallel()
	h := personBot(t)
	ctx := t.Context()
	tg := h.Agreed("Lò Văn Sơn", "en")
	zl := h.AgreedOn(bot.Zalo, "Sơn", "en")
	for _, c := range []struct {
		user       *flowtest.User
		code, name string
		issued     time.Time
	}{{tg, "7K2M9QXD4TAB", "Lò Văn Sơn", consentAt}, {zl, "BC3F5G7H9JKM", "Lo Van Son", consentAt.Add(time.Hour)}} {
		if _, err := h.DB.Pool.Exec(ctx, `INSERT INTO certificates (code, user_id, name, areas, issued_at)
			VALUES ($1, $2, $3, '[]', $4)`, c.code, c.user.UserID(), c.name, c.issued); err != nil {
			t.Fatal(err)
		}
	}
	tg.Send("/link")
	if r := zl.Send("/link BK74QX2M"); r.Text() == "" || h.Count("users") != 1 {
		t.Fatalf("merging: %s (%d users)", r, h.Count("users"))
	}

	text := zl.Send("/mydata").Text()
	for _, want := range []string{
		h.T("en", "mydata.certificate", "Code", "HVS-7K2M-9QXD-4TAB", "Name", "Lò Văn Sơn"),
		h.T("en", "mydata.certificate", "Code", "HVS-BC3F-5G7H-9JKM", "Name", "Lo Van Son"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/mydata lacks %q:\n%s", want, text)
		}
	}
	confirm := tg.Send("/deleteme").Text()
	if want := h.T("en", "deleteme.certificate", "N", 2, "Several", true); !strings.Contains(confirm, want) || !strings.Contains(want, "2") {
		t.Errorf("/deleteme lacks %q:\n%s", want, confirm)
	}
}

// What a focal point gave a unit stays after an erasure: the reports, the
// files and the log of their answers, no longer linked to the account but
// with their text as written, which names the person who prepared each
// report (the forms ask for it). /mydata's note and /deleteme say so, in
// both languages, rather than suggesting that nothing of the person stays.
func TestErasureSaysWhatTheUnitKeeps(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, c := range []struct{ lang, files, log, preparer string }{
		{"vi", "tệp", "nhật ký báo cáo", "họ tên người lập báo cáo"},
		{"en", "files", "report log", "name of the person who prepared"},
	} {
		for _, id := range []string{"deleteme.reports", "mydata.reports.note"} {
			text := h.T(c.lang, id)
			for _, want := range []string{c.files, c.log, c.preparer} {
				if !strings.Contains(text, want) {
					t.Errorf("%s/%s does not mention %q: %s", c.lang, id, want, text)
				}
			}
		}
	}
}
