package officials_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hocvuso/bot"
	"hocvuso/downloads"
	"hocvuso/flows"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/officials"
	"hocvuso/flows/report/config"
	"hocvuso/flows/report/reporttest"
	"hocvuso/store"
)

var hcm = config.Location

func ict(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }

// now is when the tests look: plan-2025 is open, its due date for
// departments (30/6) is past, for communes (30/7) not yet; annual-2025
// opens on 1/10.
var now = ict(2025, 7, 15, 10, 0)

type testBot struct {
	*flowtest.Harness
	cfg   *config.Config
	flow  *officials.Flow
	focal int64
	now   time.Time // the engine's clock
}

func newBot(t *testing.T) *testBot {
	t.Helper()
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	b := &testBot{cfg: cfg, now: now}
	b.Harness = flowtest.New(t,
		flowtest.WithClock(func() time.Time { return b.now }),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			b.flow = officials.New(h.DB, cfg, hcm, h.Catalog)
			return b.flow
		}),
	)
	return b
}

// join registers a user through the consent and returns their users.id.
func (b *testBot) join(name, language string) (*flowtest.User, int64) {
	b.TB.Helper()
	return b.joinOn(bot.Telegram, name, language)
}

// joinOn is join on a channel.
func (b *testBot) joinOn(ch bot.Channel, name, language string) (*flowtest.User, int64) {
	b.TB.Helper()
	u := b.AgreedOn(ch, name, language)
	return u, u.UserID()
}

func (b *testBot) official(name, language string) *flowtest.User {
	b.TB.Helper()
	return b.officialOn(bot.Telegram, name, language)
}

func (b *testBot) officialOn(ch bot.Channel, name, language string) *flowtest.User {
	b.TB.Helper()
	u, id := b.joinOn(ch, name, language)
	if _, err := b.DB.GrantRole(context.Background(), id, store.RoleOfficial, "", "admin", b.now.Add(-time.Hour)); err != nil {
		b.TB.Fatal(err)
	}
	return u
}

// seed records the units and their plan-2025 reports, seen on 15/7/2025:
//
//	SNV    department  on time 28/6, amended 2/7       amended
//	SKHCN  department  nothing                         overdue 15 days
//	SYT    department  submitted 3/7                   late 3 days
//	DN1    enterprise  nothing                         overdue 15 days
//	03670  commune     submitted 10/7                  on time
//	03664  commune     nothing                         not started (due 30/7)
func (b *testBot) seed() {
	b.TB.Helper()
	ctx := context.Background()
	if _, _, err := b.DB.UpsertUnits(ctx, []store.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},
		{Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: "department"},
		{Code: "SYT", Name: "Sở Y tế", Kind: "department"},
		{Code: "DN1", Name: "Công ty Cổ phần Một", Kind: "enterprise"},
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
		{Code: "03664", Name: "Phường Chiềng An", Kind: "commune"},
	}, "admin", ict(2025, 6, 1, 8, 0)); err != nil {
		b.TB.Fatal(err)
	}
	form, _ := b.cfg.Form("plan-2025", 1)
	if err := b.DB.RecordForm(ctx, store.StoredForm{ID: form.ID, Version: form.Version, Hash: form.Hash, Content: form.Content, RecordedAt: ict(2025, 6, 1, 8, 0)}); err != nil {
		b.TB.Fatal(err)
	}
	focal, err := b.DB.CreateUser(ctx, store.NewUser{Channel: bot.Telegram, ExternalID: "focal", ChatID: "focal", DisplayName: "Lò Văn A",
		Language: "vi", ConsentVersion: "test", At: ict(2025, 6, 1, 8, 0)})
	if err != nil {
		b.TB.Fatal(err)
	}
	b.focal = focal
	b.report("SNV", "12/KH-SNV", ict(2025, 6, 28, 10, 0), "")
	b.report("SNV", "13/KH-SNV", ict(2025, 7, 2, 9, 30), "Sửa số văn bản")
	b.report("SYT", "7/KH-SYT", ict(2025, 7, 3, 16, 0), "")
	b.report("03670", "3/KH-UBND", ict(2025, 7, 10, 9, 0), "")
}

// report answers doc_number (and registrations) and submits, as the report
// conversation does.
func (b *testBot) report(unit, docNumber string, at time.Time, reason string) {
	b.TB.Helper()
	p, _ := b.cfg.Period("plan-2025")
	reporttest.Submit(b.TB, b.DB, reporttest.Report{Period: p, Unit: unit, By: b.focal, At: at, Reason: reason, Answers: []reporttest.Answer{
		{Key: "doc_number", Value: fmt.Sprintf(`{"type":"text","text":%q}`, docNumber)},
		{Key: "registrations", Value: `{"type":"number","number":"4"}`},
	}})
}

func TestOverview_RefusedToAnyoneButOfficials(t *testing.T) {
	b := newBot(t)
	b.seed()
	citizen, _ := b.join("Citizen", "vi")
	focal, focalID := b.join("Focal", "vi")
	if _, err := b.DB.GrantRole(context.Background(), focalID, store.RoleFocal, "SNV", "admin", now); err != nil {
		t.Fatal(err)
	}
	revoked, revokedID := b.join("Former official", "en")
	role, err := b.DB.GrantRole(context.Background(), revokedID, store.RoleOfficial, "", "admin", now.Add(-48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DB.RevokeRole(context.Background(), role.ID, "admin", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*flowtest.User{citizen, focal, revoked} {
		lang := bot.LangFromTag(u.LanguageCode)
		for _, cmd := range []string{"/overview", "/export"} {
			r := u.Send(cmd)
			if len(r.Sent) != 1 || r.Sent[0].Text != b.T(lang, "officials.refused") {
				t.Errorf("%s %s: %s; want the refusal", u.Name, cmd, r)
			}
			// Not a dead end: the way back to the menu, as under the digest's.
			if _, ok := r.Last().Button(b.T(lang, "menu.back")); !ok || len(r.Last().Buttons) != 1 {
				t.Errorf("%s %s: the refusal's buttons %q; want the menu's alone", u.Name, cmd, r.Last().Labels())
			}
		}
	}
	// A button of an official's screen, tapped by someone else: refused too.
	data := bot.Callback{Flow: officials.Name, Action: "ex", Screen: 1, Arg: "plan-2025"}.String()
	r := citizen.Do(citizen.Callback(data, "1"))
	if r.Text() != b.T("vi", "officials.refused") || r.Notice() != b.T("vi", "officials.refused") {
		t.Errorf("a forged tap: %s", r)
	}
	if _, ok := r.Last().Button(b.T("vi", "menu.back")); !ok {
		t.Errorf("a forged tap's refusal has no way back: %q", r.Last().Labels())
	}
	for _, s := range b.Sender.Sent() {
		if s.Reply.Document != nil {
			t.Errorf("a document was sent to %s", s.Target.ChatID)
		}
	}
}

func TestOverview_PeriodsOpenFirstThenCountsLateAndAmended(t *testing.T) {
	b := newBot(t)
	b.seed()
	u := b.official("Cán bộ Sở Nội vụ", "vi")

	r := u.Send("/overview")
	pick := r.Last()
	if pick.Text != b.T("vi", "officials.pick.overview") {
		t.Fatalf("/overview: %s", r)
	}
	labels := pick.Labels()
	plan, _ := b.cfg.Period("plan-2025")
	annual, _ := b.cfg.Period("annual-2025")
	if len(labels) != len(b.cfg.Periods)+1 || labels[0] != plan.Name.VI ||
		labels[1] != b.T("vi", "officials.period.button.later", "Name", annual.Name.VI) || labels[len(labels)-1] != b.T("vi", "menu.back") {
		t.Errorf("period buttons = %q; want plan-2025 (open) first, then annual-2025 (not open yet), …, the menu", labels)
	}

	r = u.Tap(plan.Name.VI)
	if len(r.Sent) != 3 {
		t.Fatalf("overview: %d messages; want the counts, the late units, the amended ones:\n%s", len(r.Sent), r)
	}
	summary := r.Sent[0]
	if !summary.Edited {
		t.Error("the overview does not replace the list of periods")
	}
	for _, want := range []string{
		b.T("vi", "officials.overview.title", "Period", plan.Name.VI, "At", "10:00 15/07/2025"),
		b.T("vi", "officials.overview.kind", "Kind", "Sở, ban, ngành", "Due", "30/06/2025", "Submitted", 2, "Total", 3, "Late", 1, "Overdue", 1),
		b.T("vi", "officials.overview.kind", "Kind", "UBND xã, phường", "Due", "30/07/2025", "Submitted", 1, "Total", 2, "Late", 0, "Overdue", 0),
		b.T("vi", "officials.overview.kind", "Kind", "Tổ chức, doanh nghiệp", "Due", "30/06/2025", "Submitted", 0, "Total", 1, "Late", 0, "Overdue", 1),
		b.T("vi", "officials.overview.total", "Submitted", 3, "Total", 6),
	} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, summary.Text)
		}
	}
	if strings.Contains(summary.Text, "Lực lượng vũ trang") {
		t.Errorf("a kind without units is listed:\n%s", summary.Text)
	}
	// Grouped by kind of unit, in the decision's order, each kind with its count.
	wantLate := strings.Join([]string{
		b.T("vi", "officials.overview.late.title", "N", 3),
		b.T("vi", "officials.overview.late.kind", "Kind", "Sở, ban, ngành", "N", 2),
		b.T("vi", "officials.overview.late.missing", "Name", "Sở Khoa học và Công nghệ", "Days", 15),
		b.T("vi", "officials.overview.late.submitted", "Name", "Sở Y tế", "Days", 3),
		"",
		b.T("vi", "officials.overview.late.kind", "Kind", "Tổ chức, doanh nghiệp", "N", 1),
		b.T("vi", "officials.overview.late.missing", "Name", "Công ty Cổ phần Một", "Days", 15),
	}, "\n")
	if r.Sent[1].Text != wantLate {
		t.Errorf("late units:\n%s\nwant\n%s", r.Sent[1].Text, wantLate)
	}
	wantAmended := strings.Join([]string{
		b.T("vi", "officials.overview.amended.title", "N", 1),
		b.T("vi", "officials.overview.amended.kind", "Kind", "Sở, ban, ngành", "N", 1),
		b.T("vi", "officials.overview.amended.item", "Name", "Sở Nội vụ", "Version", 2, "At", "09:30 02/07/2025", "Reason", "Sửa số văn bản"),
	}, "\n")
	if r.Sent[2].Text != wantAmended {
		t.Errorf("amended:\n%s\nwant\n%s", r.Sent[2].Text, wantAmended)
	}
	if got := r.Last().Labels(); len(got) != 3 || got[0] != b.T("vi", "officials.button.export") || got[1] != b.T("vi", "officials.button.other") {
		t.Errorf("buttons under the overview: %q", got)
	}

	// "Another period": the list again; annual-2025 has nobody yet.
	u.Tap(b.T("vi", "officials.button.other"))
	r = u.Tap(annual.Name.VI)
	if !strings.Contains(r.Text(), b.T("vi", "officials.overview.total", "Submitted", 0, "Total", 6)) ||
		!strings.Contains(r.Text(), b.T("vi", "officials.overview.late.none")) {
		t.Errorf("annual-2025 before it opens:\n%s", r)
	}
}

func TestOverview_InEnglish(t *testing.T) {
	b := newBot(t)
	b.seed()
	u := b.official("Officer", "en")
	u.Send("/overview")
	plan, _ := b.cfg.Period("plan-2025")
	r := u.Tap(plan.Name.EN)
	if !strings.Contains(r.Sent[0].Text, b.T("en", "officials.overview.total", "Submitted", 3, "Total", 6)) ||
		!strings.Contains(r.Sent[0].Text, b.T("en", "report.kind.department")) {
		t.Errorf("English overview:\n%s", r)
	}
}

// A period not open yet says when it opens, and a provisional due date
// (review-2027: the decision gives only the year) is shown as such, as
// /status and the digest show it: an official must not read it as firm.
func TestOverview_NotOpenYetAndProvisionalDueDate(t *testing.T) {
	b := newBot(t)
	b.seed()
	review, _ := b.cfg.Period("review-2027")
	plan, _ := b.cfg.Period("plan-2025")
	for _, lang := range []string{"vi", "en"} {
		u := b.official("Cán bộ "+lang, lang)
		u.Send("/overview")
		r := u.Tap(review.Name.In(lang))
		summary := r.Sent[0].Text
		due := b.T(lang, "officials.overview.due.provisional", "Date", "10/11/2027")
		for _, want := range []string{
			b.T(lang, "officials.overview.not_open", "Date", "01/09/2027"),
			b.T(lang, "officials.overview.kind", "Kind", b.T(lang, "report.kind.department"), "Due", due, "Submitted", 0, "Total", 3, "Late", 0, "Overdue", 0),
		} {
			if !strings.Contains(summary, want) {
				t.Errorf("%s: review-2027 lacks %q:\n%s", lang, want, summary)
			}
		}
		if !strings.Contains(due, "10/11/2027") || due == "10/11/2027" {
			t.Errorf("%s: provisional due date %q", lang, due)
		}

		// An open period with firm dates says neither.
		u.Tap(b.T(lang, "officials.button.other"))
		r = u.Tap(plan.Name.In(lang))
		notOpen := strings.SplitN(b.T(lang, "officials.overview.not_open", "Date", "X"), ":", 2)[0]
		provisional := strings.TrimPrefix(b.T(lang, "officials.overview.due.provisional", "Date", ""), ", ")
		if s := r.Sent[0].Text; strings.Contains(s, notOpen) || strings.Contains(s, provisional) {
			t.Errorf("%s: plan-2025 is open with firm dates:\n%s", lang, s)
		}
	}
}

// A province's worth of late units, read on a phone: grouped by kind of
// unit in the decision's order (sở, ban, ngành before UBND xã, phường
// before tổ chức, doanh nghiệp), each kind with its count, the units still
// missing first; a long kind is cut after LatePerKind units with "and N
// more", and the official is told the workbook has them all, which the
// button under the overview sends.
func TestOverview_LateUnitsByKindLongKindsCut(t *testing.T) {
	b := newBot(t)
	b.seed() // SKHCN (missing), SYT (3 days late), DN1 (missing); 03664 not due yet
	var units []store.Unit
	for i := range 75 {
		units = append(units, store.Unit{Code: fmt.Sprintf("C%03d", i), Name: fmt.Sprintf("Ủy ban nhân dân xã Mường Chanh số %02d", i), Kind: "commune"})
	}
	for i := range 11 {
		units = append(units, store.Unit{Code: fmt.Sprintf("D%02d", i), Name: fmt.Sprintf("Sở số %02d", i), Kind: "department"})
	}
	if _, _, err := b.DB.UpsertUnits(context.Background(), units, "admin", now); err != nil {
		t.Fatal(err)
	}
	b.now = ict(2025, 8, 20, 9, 0) // communes 21 days late, the rest 51
	u := b.official("Cán bộ", "vi")
	u.Send("/overview")
	plan, _ := b.cfg.Period("plan-2025")
	r := u.Tap(plan.Name.VI)
	if len(r.Sent) != 3 {
		t.Fatalf("%d messages; want the summary, the late units, the amended ones:\n%s", len(r.Sent), r)
	}
	T := func(id string, kv ...any) string { return b.T("vi", id, kv...) }
	var want []string
	want = append(want, T("officials.overview.late.title", "N", 13+76+1),
		// 13 departments: the 12 missing first, by code, then SYT; 10 shown.
		T("officials.overview.late.kind", "Kind", "Sở, ban, ngành", "N", 13))
	for i := range 10 {
		want = append(want, T("officials.overview.late.missing", "Name", fmt.Sprintf("Sở số %02d", i), "Days", 51))
	}
	want = append(want, T("officials.overview.late.more", "N", 3), "",
		T("officials.overview.late.kind", "Kind", "UBND xã, phường", "N", 76))
	want = append(want, T("officials.overview.late.missing", "Name", "Phường Chiềng An", "Days", 21))
	for i := range 9 {
		want = append(want, T("officials.overview.late.missing", "Name", fmt.Sprintf("Ủy ban nhân dân xã Mường Chanh số %02d", i), "Days", 21))
	}
	want = append(want, T("officials.overview.late.more", "N", 66), "",
		T("officials.overview.late.kind", "Kind", "Tổ chức, doanh nghiệp", "N", 1),
		T("officials.overview.late.missing", "Name", "Công ty Cổ phần Một", "Days", 51), "",
		T("officials.overview.late.all", "Button", T("officials.button.export")))
	if got := r.Sent[1].Text; got != strings.Join(want, "\n") {
		t.Errorf("late units:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if !strings.Contains(r.Sent[1].Text, "Tải bảng Excel") || !strings.Contains(r.Sent[1].Text, "/export") {
		t.Errorf("the cut list does not say where the rest is:\n%s", r.Sent[1].Text)
	}

	// The button under the overview sends the workbook, every unit in it.
	before := len(b.Sender.Sent())
	u.Tap(T("officials.button.export"))
	sent := b.Sender.Sent()[before:]
	if len(sent) != 1 || sent[0].Reply.Document == nil {
		t.Fatalf("the export button sent %+v", sent)
	}
	rows, _ := reporttest.Workbook(t, sent[0].Reply.Document.Bytes)
	overdue := 0
	for i := 1; i < len(rows); i++ {
		if reporttest.Cell(t, rows, i, "Trạng thái") == T("officials.state.overdue") {
			overdue++
		}
	}
	if overdue != 1+12+76 {
		t.Errorf("%d units past due in the workbook; want every one, %d", overdue, 1+12+76)
	}

	// In English too.
	en := b.official("Officer", "en")
	en.Send("/overview")
	r = en.Tap(plan.Name.EN)
	for _, w := range []string{
		b.T("en", "officials.overview.late.kind", "Kind", "Departments and boards", "N", 13),
		b.T("en", "officials.overview.late.kind", "Kind", "Commune and ward People's Committees", "N", 76),
		"… and 66 more",
		b.T("en", "officials.overview.late.all", "Button", b.T("en", "officials.button.export")),
	} {
		if !strings.Contains(r.Sent[1].Text, w) {
			t.Errorf("the English list lacks %q:\n%s", w, r.Sent[1].Text)
		}
	}
}

// The amended reports are listed as the late units are: by kind of unit in
// the decision's order, each kind with its count, the latest amended first,
// a long kind cut after LatePerKind units with where the rest is. A list
// of every amendment with its reason (up to 500 characters each) would
// otherwise run over a dozen messages.
func TestOverview_AmendedByKindLatestFirstLongKindsCut(t *testing.T) {
	b := newBot(t)
	b.seed() // SNV amended on 2/7
	var units []store.Unit
	for i := range 12 {
		units = append(units, store.Unit{Code: fmt.Sprintf("C%02d", i), Name: fmt.Sprintf("Xã số %02d", i), Kind: "commune"})
	}
	if _, _, err := b.DB.UpsertUnits(context.Background(), units, "admin", now); err != nil {
		t.Fatal(err)
	}
	b.report("SYT", "8/KH-SYT", ict(2025, 7, 11, 8, 0), "Sửa số văn bản của Sở Y tế")
	b.report("03670", "4/KH-UBND", ict(2025, 7, 12, 8, 0), "Sửa số văn bản của phường")
	for i := range 12 {
		b.report(fmt.Sprintf("C%02d", i), "1/KH", ict(2025, 7, 14, 8, 0), "")
		b.report(fmt.Sprintf("C%02d", i), "2/KH", ict(2025, 7, 14, 9, i), fmt.Sprintf("Lý do %02d", i))
	}
	T := func(id string, kv ...any) string { return b.T("vi", id, kv...) }
	item := func(name string, at, reason string) string {
		return T("officials.overview.amended.item", "Name", name, "Version", 2, "At", at, "Reason", reason)
	}
	want := []string{T("officials.overview.amended.title", "N", 15),
		T("officials.overview.amended.kind", "Kind", "Sở, ban, ngành", "N", 2),
		item("Sở Y tế", "08:00 11/07/2025", "Sửa số văn bản của Sở Y tế"),
		item("Sở Nội vụ", "09:30 02/07/2025", "Sửa số văn bản"),
		"",
		T("officials.overview.amended.kind", "Kind", "UBND xã, phường", "N", 13)}
	for i := 11; i >= 2; i-- {
		want = append(want, item(fmt.Sprintf("Xã số %02d", i), fmt.Sprintf("09:%02d 14/07/2025", i), fmt.Sprintf("Lý do %02d", i)))
	}
	want = append(want, T("officials.overview.amended.more", "N", 3), "",
		T("officials.overview.amended.all", "Button", T("officials.button.export")))

	u := b.official("Cán bộ", "vi")
	u.Send("/overview")
	plan, _ := b.cfg.Period("plan-2025")
	r := u.Tap(plan.Name.VI)
	if got := r.Last().Text; got != strings.Join(want, "\n") {
		t.Errorf("amended reports:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}

	en := b.official("Officer", "en")
	en.Send("/overview")
	r = en.Tap(plan.Name.EN)
	for _, w := range []string{
		b.T("en", "officials.overview.amended.kind", "Kind", "Commune and ward People's Committees", "N", 13),
		"… and 3 more",
		b.T("en", "officials.overview.amended.all", "Button", b.T("en", "officials.button.export")),
	} {
		if !strings.Contains(r.Last().Text, w) {
			t.Errorf("the English list lacks %q:\n%s", w, r.Last().Text)
		}
	}
}

// Long names in every kind do not fit one message: the list goes on in
// more, each within bounds, a kind's name never left at the end of a
// message without its first unit, every unit shown once.
func TestOverview_LongListsSplitAcrossMessages(t *testing.T) {
	b := newBot(t)
	var units []store.Unit
	long := strings.Repeat("Ban quản lý dự án đầu tư xây dựng ", 5)
	for _, k := range config.Kinds {
		for i := range 6 {
			units = append(units, store.Unit{Code: fmt.Sprintf("%.3s%02d", k, i), Name: fmt.Sprintf("%s%s %d", long, k, i), Kind: string(k)})
		}
	}
	if _, _, err := b.DB.UpsertUnits(context.Background(), units, "admin", now); err != nil {
		t.Fatal(err)
	}
	b.now = ict(2025, 8, 20, 9, 0)
	u := b.official("Cán bộ", "vi")
	u.Send("/overview")
	plan, _ := b.cfg.Period("plan-2025")
	r := u.Tap(plan.Name.VI)
	if len(r.Sent) < 4 {
		t.Fatalf("%d messages; want the summary and the late list over several:\n%s", len(r.Sent), r)
	}
	seen := map[string]int{}
	headings := map[string]bool{}
	for _, k := range config.Kinds {
		headings[b.T("vi", "officials.overview.late.kind", "Kind", b.T("vi", k.NameID()), "N", 6)] = true
	}
	for i, m := range r.Sent[1:] {
		if n := utf8.RuneCountInString(m.Text); n > 1800 {
			t.Errorf("message %d has %d characters", i+1, n)
		}
		if i > 0 && !strings.HasPrefix(m.Text, b.T("vi", "officials.overview.continued")+"\n") {
			t.Errorf("message %d does not say it continues: %q", i+1, m.Text[:40])
		}
		lines := strings.Split(m.Text, "\n")
		if last := lines[len(lines)-1]; headings[last] || last == "" {
			t.Errorf("message %d ends with %q", i+1, last)
		}
		for _, line := range lines[1:] {
			seen[line]++
		}
	}
	for h := range headings {
		if seen[h] != 1 {
			t.Errorf("heading %q shown %d times", h, seen[h])
		}
	}
	for _, unit := range units {
		days := 51
		if unit.Kind == "commune" {
			days = 21
		}
		line := b.T("vi", "officials.overview.late.missing", "Name", unit.Name, "Days", days)
		if seen[line] != 1 {
			t.Errorf("%s is listed %d times", unit.Code, seen[line])
		}
	}
	if len(r.Last().Buttons) == 0 || len(r.Sent[0].Buttons) != 0 {
		t.Error("the buttons are not on the last message alone")
	}
}

func TestExport_SendsTheWorkbookOfThePeriod(t *testing.T) {
	b := newBot(t)
	b.seed()
	u := b.official("Cán bộ Sở KH&CN", "vi")
	r := u.Send("/export")
	if r.Last().Text != b.T("vi", "officials.pick.export") {
		t.Fatalf("/export: %s", r)
	}
	plan, _ := b.cfg.Period("plan-2025")
	before := len(b.Sender.Sent())
	u.Tap(plan.Name.VI)
	sent := b.Sender.Sent()[before:]
	if len(sent) != 1 || sent[0].Reply.Document == nil {
		t.Fatalf("sent %+v; want one document", sent)
	}
	doc := sent[0].Reply.Document
	if doc.Name != "bao-cao-plan-2025-20250715-1000.xlsx" || doc.MIME != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("document %q %q", doc.Name, doc.MIME)
	}
	if want := b.T("vi", "officials.export.caption", "Period", plan.Name.VI, "Submitted", 3, "Total", 6, "At", "10:00 15/07/2025"); doc.Caption != want {
		t.Errorf("caption %q; want %q", doc.Caption, want)
	}
	units, history := reporttest.Workbook(t, doc.Bytes)
	if len(units) != 7 || len(history) != 5 {
		t.Fatalf("%d unit rows, %d history rows; want 1+6 and 1+4", len(units), len(history))
	}
	var codes []string
	for _, row := range units[1:] {
		codes = append(codes, row[0])
	}
	// In the order of config.Kinds (department, commune, enterprise), then by code.
	if got := strings.Join(codes, " "); got != "SKHCN SNV SYT 03664 03670 DN1" {
		t.Errorf("unit rows: %s", got)
	}
	if reporttest.Cell(t, units, 2, "Trạng thái") != "Đã gửi đúng hạn, đã sửa đổi" || reporttest.Cell(t, units, 2, "Số, ký hiệu văn bản (doc_number)") != "13/KH-SNV" ||
		reporttest.Cell(t, units, 2, "Phiên bản") != "2" {
		t.Errorf("SNV row: %q", units[2])
	}

	// From the overview's button too.
	u.Send("/overview")
	u.Tap(plan.Name.VI)
	before = len(b.Sender.Sent())
	u.Tap(b.T("vi", "officials.button.export"))
	if sent := b.Sender.Sent()[before:]; len(sent) != 1 || sent[0].Reply.Document == nil {
		t.Errorf("the overview's export button sent %d replies", len(sent))
	}
}

func TestButtons_StaleAndUnknown(t *testing.T) {
	b := newBot(t)
	b.seed()
	u := b.official("Cán bộ", "vi")
	u.Send("/overview")
	old := u.Screen()
	u.Send("/export")
	before := len(b.Sender.Sent())
	plan, _ := b.cfg.Period("plan-2025")
	r := u.TapOn(old, plan.Name.VI)
	if r.Notice() != b.T("vi", "stale.button") || len(b.Sender.Sent()) != before {
		t.Errorf("a tap on an older list: %s", r)
	}
	// A period that is no longer configured: told, and asked again.
	screen := u.Screen()
	cb, err := bot.ParseCallback(screen.Buttons[0][0].Data)
	if err != nil {
		t.Fatal(err)
	}
	data := bot.Callback{Flow: officials.Name, Action: "ov", Screen: cb.Screen, Arg: "annual-2099"}.String()
	r = u.Do(u.Callback(data, screen.ID))
	if len(r.Sent) != 2 || r.Sent[0].Text != b.T("vi", "officials.period.unknown") || r.Sent[1].Text != b.T("vi", "officials.pick.overview") {
		t.Errorf("an unknown period: %s", r)
	}
}

func TestOrdered_OpenLatestDueFirstThenSoonestToOpen(t *testing.T) {
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range officials.Ordered(cfg, ict(2026, 11, 1, 0, 0)) {
		got = append(got, p.ID)
	}
	want := "annual-2026 annual-2025 plan-2025 review-2027 annual-2027 annual-2028 annual-2029 review-2030 annual-2030"
	if strings.Join(got, " ") != want {
		t.Errorf("order on 1/11/2026:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
}

// linkRE finds a download link in a message.
var linkRE = regexp.MustCompile(`https?://\S+/files/[A-Za-z0-9_-]{43}`)

// On Zalo, which takes no XLSX file, the workbook comes as a download
// link that works for a day; on Telegram it is still the file.
func TestExport_OnZaloAsADownloadLink(t *testing.T) {
	b := newBot(t)
	b.seed()
	links := &downloads.Links{Store: b.DB, Text: b.Catalog, Now: func() time.Time { return b.now }}
	mux := http.NewServeMux()
	mux.Handle(downloads.Route, links)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	links.BaseURL = srv.URL
	b.flow.SetLinks(links)

	u := b.officialOn(bot.Zalo, "Cán bộ Sở Nội vụ", "vi")
	u.Send("/export")
	plan, _ := b.cfg.Period("plan-2025")
	before := len(b.Sender.Sent())
	u.Tap(plan.Name.VI)
	sent := b.Sender.Sent()[before:]
	if len(sent) != 1 || sent[0].Reply.Document != nil || sent[0].Target.Channel != bot.Zalo {
		t.Fatalf("sent %+v; want one message, no document", sent)
	}
	text := sent[0].Reply.Text
	url := linkRE.FindString(text)
	if url == "" || !strings.HasPrefix(url, srv.URL+"/files/") {
		t.Fatalf("no link in %q", text)
	}
	caption := b.T("vi", "officials.export.caption", "Period", plan.Name.VI, "Submitted", 3, "Total", 6, "At", "10:00 15/07/2025")
	want := caption + "\n\n" + b.T("vi", "files.link", "Channel", "Zalo", "Name", "bao-cao-plan-2025-20250715-1000.xlsx",
		"URL", url, "Until", "10:00 16/07/2025")
	if text != want {
		t.Errorf("message\n%s\nwant\n%s", text, want)
	}
	var owner int64
	if err := b.DB.Pool.QueryRow(context.Background(), `SELECT user_id FROM downloads`).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	var official int64
	_ = b.DB.Pool.QueryRow(context.Background(), `SELECT user_id FROM accounts WHERE external_id = $1`, u.ID).Scan(&official)
	if owner != official {
		t.Errorf("the file was kept for user %d; want the official %d", owner, official)
	}

	// The link gives the same workbook the file would have been.
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), `filename="bao-cao-plan-2025-20250715-1000.xlsx"`) {
		t.Fatalf("GET the link: %d %q", resp.StatusCode, resp.Header)
	}
	units, _ := reporttest.Workbook(t, data)
	if len(units) != 7 || units[2][0] != "SNV" {
		t.Errorf("unit rows %q", units)
	}

	// A day later the link is gone.
	b.now = b.now.Add(24 * time.Hour)
	if resp, err := http.Get(url); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("a day later: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	b.now = now

	// On Telegram, the same official's colleague gets the file itself.
	tg := b.official("Cán bộ Sở KH&CN", "vi")
	tg.Send("/export")
	before = len(b.Sender.Sent())
	tg.Tap(plan.Name.VI)
	if sent := b.Sender.Sent()[before:]; len(sent) != 1 || sent[0].Reply.Document == nil {
		t.Errorf("on Telegram: %+v; want the document", sent)
	}
}

// Without a public address (no PUBLIC_URL) there is no link: the official
// is told, in their language, the other ways to get the workbook.
func TestExport_OnZaloWithoutLinks(t *testing.T) {
	b := newBot(t)
	b.seed()
	u := b.officialOn(bot.Zalo, "Official", "en")
	u.Send("/export")
	plan, _ := b.cfg.Period("plan-2025")
	before := len(b.Sender.Sent())
	u.Tap(plan.Name.EN)
	sent := b.Sender.Sent()[before:]
	if len(sent) != 1 || sent[0].Reply.Document != nil {
		t.Fatalf("sent %+v; want one message, no document", sent)
	}
	want := b.T("en", "officials.export.caption", "Period", plan.Name.EN, "Submitted", 3, "Total", 6, "At", "10:00 15/07/2025") +
		"\n\n" + b.T("en", "files.export.no_link", "Channel", "Zalo", "Period", "plan-2025")
	if got := sent[0].Reply.Text; got != want {
		t.Errorf("message\n%s\nwant\n%s", got, want)
	}
	for _, s := range []string{"Telegram", "/export", "/link", "hocvuso export --period plan-2025"} {
		if !strings.Contains(sent[0].Reply.Text, s) {
			t.Errorf("the message does not mention %q", s)
		}
	}
	if n := b.Count("downloads"); n != 0 {
		t.Errorf("%d files kept with nowhere to serve them", n)
	}
}

// The workbook is no dead end: whether it goes as a file (Telegram) or as
// text (Zalo, which has no command menu), the official can go on to the
// period's overview, another period's workbook, or the menu.
func TestExport_ButtonsAfterTheWorkbook(t *testing.T) {
	b := newBot(t)
	b.seed()
	plan, _ := b.cfg.Period("plan-2025")
	for _, tc := range []struct {
		ch   bot.Channel
		lang string
	}{{bot.Telegram, "vi"}, {bot.Zalo, "en"}} {
		u := b.officialOn(tc.ch, "Cán bộ "+tc.ch.Title(), tc.lang)
		u.Send("/export")
		r := u.Tap(plan.Name.In(tc.lang))
		want := []string{b.T(tc.lang, "officials.button.overview"), b.T(tc.lang, "officials.button.other"), b.T(tc.lang, "menu.back")}
		if got := r.Last().Labels(); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("%s: buttons after the workbook %q; want %q", tc.ch, got, want)
		}
		if r := u.Tap(b.T(tc.lang, "officials.button.overview")); !strings.Contains(r.Text(), plan.Name.In(tc.lang)) ||
			!strings.Contains(r.Text(), b.T(tc.lang, "officials.overview.total", "Submitted", 3, "Total", 6)) {
			t.Errorf("%s: the overview button showed %s", tc.ch, r)
		}
		u.Send("/export")
		u.Tap(plan.Name.In(tc.lang))
		if r := u.Tap(b.T(tc.lang, "officials.button.other")); r.Last().Text != b.T(tc.lang, "officials.pick.export") {
			t.Errorf("%s: the other-period button showed %s", tc.ch, r)
		}
	}
}
