package digest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/digest"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/officials"
	"hocvuso/flows/report/config"
	"hocvuso/flows/report/reporttest"
	"hocvuso/scheduler"
	"hocvuso/store"
)

// The scheduler's interface is what Builder implements.
var _ scheduler.DigestBuilder = digest.Builder{}

func ict(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, config.Location)
}

// digestBot is a bot with /digest over the embedded report configuration,
// its clock at now.
type digestBot struct {
	t       *testing.T
	h       *flowtest.Harness
	digests *digest.Digests
	now     time.Time
	admin   int64 // a user who fills in and submits reports
}

func newDigestBot(t *testing.T, now time.Time, cfg digest.DigestConfig) *digestBot {
	t.Helper()
	reports, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	db := &digestBot{t: t, now: now}
	db.h = flowtest.New(t, flowtest.WithClock(func() time.Time { return db.now }),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			cfg.Text = h.Catalog
			if cfg.Reports == nil {
				cfg.Reports = reports
			}
			if cfg.Reach == nil {
				cfg.Reach = digest.ZaloWindow{}
			}
			db.digests = digest.NewDigests(h.DB, cfg)
			return db.digests
		}),
		// Where a digest's button leads.
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			return officials.New(h.DB, reports, config.Location, h.Catalog)
		}))
	if err := db.h.DB.RecordForm(context.Background(), store.StoredForm{ID: "plan-2025", Version: 1, Hash: "h1", Content: []byte("id: plan-2025"), RecordedAt: now}); err != nil {
		t.Fatal(err)
	}
	db.admin = db.person("tg", "admin", "Người Nhập Liệu", now)
	return db
}

// person records a consenting user with one account, last seen at seen.
func (db *digestBot) person(channel bot.Channel, external, name string, seen time.Time) int64 {
	db.t.Helper()
	id, err := db.h.DB.CreateUser(context.Background(), store.NewUser{Channel: channel, ExternalID: external, ChatID: external,
		DisplayName: name, Language: "vi", ConsentVersion: "test", At: seen})
	if err != nil {
		db.t.Fatal(err)
	}
	return id
}

func (db *digestBot) units(units ...store.Unit) {
	db.t.Helper()
	if _, _, err := db.h.DB.UpsertUnits(context.Background(), units, "admin", ict(2025, 6, 1, 8, 0)); err != nil {
		db.t.Fatal(err)
	}
}

func (db *digestBot) focal(userID int64, unit string) {
	db.t.Helper()
	if _, err := db.h.DB.GrantRole(context.Background(), userID, store.RoleFocal, unit, "admin", ict(2025, 6, 2, 8, 0)); err != nil {
		db.t.Fatal(err)
	}
}

// submit fills in a draft of plan-2025 for unit and submits it at at.
func (db *digestBot) submit(unit string, at time.Time) {
	db.t.Helper()
	reports, _ := config.Embedded()
	p, _ := reports.Period("plan-2025")
	reporttest.Submit(db.t, db.h.DB, reporttest.Report{Period: p, Unit: unit, By: db.admin, At: at,
		Answers: []reporttest.Answer{{Key: "doc_number", Value: `{"type":"text","text":"1/KH"}`}}})
}

// plan2025 sets up the plan-2025 period (departments due 30/6/2025,
// communes 30/7/2025), seen on Monday 7/7/2025:
//
//	SNV    department  submitted 28/6 (on time)     focal Cầm Thị Lan
//	SXD    department  submitted 3/7 (late)         no focal point
//	STC    department  not submitted: 7 days late   focal Lò Văn Bình blocked the bot;
//	                                                focal Hà Thị Xuân blocked Telegram, writes on Zalo
//	SYT    department  not submitted: 7 days late   no focal point
//	03664  commune     submitted 5/7 (on time)
//	03670  commune     not submitted, not yet due   focal Quàng Thị Mai on Zalo, silent for 10 days
func plan2025(t *testing.T) *digestBot {
	now := ict(2025, 7, 7, 8, 0)
	db := newDigestBot(t, now, digest.DigestConfig{})
	db.units(
		store.Unit{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},
		store.Unit{Code: "SXD", Name: "Sở Xây dựng", Kind: "department"},
		store.Unit{Code: "STC", Name: "Sở Tài chính", Kind: "department"},
		store.Unit{Code: "SYT", Name: "Sở Y tế", Kind: "department"},
		store.Unit{Code: "03664", Name: "Phường Chiềng An", Kind: "commune"},
		store.Unit{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
	)
	db.focal(db.person(bot.Telegram, "lan", "Cầm Thị Lan", now), "SNV")
	binh := db.person(bot.Telegram, "binh", "Lò Văn Bình", now)
	db.focal(binh, "STC")
	xuan := db.person(bot.Telegram, "xuan", "Hà Thị Xuân", now)
	if _, err := db.h.DB.Pool.Exec(context.Background(), `INSERT INTO accounts (channel, external_id, user_id, chat_id, last_seen_at)
		VALUES ('zalo', 'z-xuan', $1, 'z-xuan', $2)`, xuan, now.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	db.focal(xuan, "STC")
	for _, ext := range []string{"binh", "xuan"} {
		if err := db.h.DB.SetBlocked(context.Background(), bot.Telegram, ext, true); err != nil {
			t.Fatal(err)
		}
	}
	db.focal(db.person(bot.Zalo, "z-mai", "Quàng Thị Mai", now.Add(-10*24*time.Hour)), "03670")
	db.submit("SNV", ict(2025, 6, 28, 10, 0))
	db.submit("SXD", ict(2025, 7, 3, 9, 0))
	db.submit("03664", ict(2025, 7, 5, 9, 0))
	return db
}

func texts(msgs []bot.Reply) string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Text
	}
	return strings.Join(out, "\n---\n")
}

func TestWeekly_CountsByKindLateUnitsAndFocalPointsOutOfReach(t *testing.T) {
	t.Parallel()
	db := plan2025(t)
	msgs, err := db.digests.Weekly(context.Background(), db.now, "vi")
	if err != nil {
		t.Fatal(err)
	}
	want := `📋 Bản tin báo cáo ngày 07/07/2025

📌 Văn bản triển khai Phong trào thi đua năm 2025
Hạn gửi 30/06/2025: đã qua 7 ngày.
Đã gửi: 3/6 đơn vị.
• Sở, ban, ngành: 2/4
• UBND xã, phường: 1/2 (hạn 30/07/2025)
⏰ Trễ hạn, chưa gửi (2):
Sở, ban, ngành (2):
• Sở Tài chính (STC): trễ 7 ngày
• Sở Y tế (SYT): trễ 7 ngày

📵 Không nhắc được (3):
Sở, ban, ngành (2):
• Sở Tài chính (STC): Lò Văn Bình đã chặn bot
• Sở Y tế (SYT): chưa có đầu mối đăng ký
UBND xã, phường (1):
• Phường Chiềng Cơi (03670): Quàng Thị Mai không nhận được tin qua Zalo (7 ngày nay không nhắn cho bot)`
	if got := texts(msgs); got != want {
		t.Errorf("weekly digest:\n%s\n\nwant:\n%s", got, want)
	}

	en, err := db.digests.Weekly(context.Background(), db.now, "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"📋 Digest of the reports, 07/07/2025", "Was due 30/06/2025. Days past due: 7.",
		"Submitted: 3 of 6 units.", "• Departments and boards: 2/4", "⏰ Late, not yet submitted (2):\nDepartments and boards (2):\n• Sở Tài chính (STC): days late: 7",
		"Commune and ward People's Committees (1):\n• Phường Chiềng Cơi (03670): Quàng Thị Mai is out of reach on Zalo",
		"• Sở Y tế (SYT): no focal point registered"} {
		if !strings.Contains(texts(en), line) {
			t.Errorf("the English digest lacks %q:\n%s", line, texts(en))
		}
	}
}

func TestWeekly_ShowsOpenPeriodsUntilTwoMonthsPastDue(t *testing.T) {
	t.Parallel()
	db := plan2025(t)
	ctx := context.Background()
	for _, tc := range []struct {
		now  time.Time
		want []string
		not  []string
	}{
		// Before plan-2025 opens (21/6/2025): nothing.
		{ict(2025, 6, 16, 8, 0), []string{"Hiện không có kỳ báo cáo nào đang mở."}, []string{"📌"}},
		// The communes' due date, 30/7: counted as today.
		{ict(2025, 7, 30, 8, 0), []string{"Hạn gửi 30/06/2025: đã qua 30 ngày.", "• UBND xã, phường: 1/2 (hạn 30/07/2025)"}, nil},
		// Three days later: Chiềng Cơi is late too.
		{ict(2025, 8, 2, 8, 0), []string{"⏰ Trễ hạn, chưa gửi (3):", "• Phường Chiềng Cơi (03670): trễ 3 ngày"}, nil},
		// The annual report opens on 1/10 while plan-2025 is past its last due date by 2 months.
		{ict(2025, 10, 6, 8, 0), []string{"📌 Báo cáo kết quả thực hiện Phong trào thi đua năm 2025", "Hạn gửi 10/11/2025: còn 35 ngày.", "Đã gửi: 0/6 đơn vị."},
			[]string{"Văn bản triển khai", "⏰"}},
	} {
		msgs, err := db.digests.Weekly(ctx, tc.now, "vi")
		if err != nil {
			t.Fatal(err)
		}
		got := texts(msgs)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("at %s: lacks %q:\n%s", tc.now.Format(time.DateOnly), w, got)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("at %s: shows %q:\n%s", tc.now.Format(time.DateOnly), n, got)
			}
		}
	}
}

func TestEscalation_TheUnitsLateForADueDate(t *testing.T) {
	t.Parallel()
	db := plan2025(t)
	ctx := context.Background()
	msgs, err := db.digests.Escalation(ctx, "plan-2025", ict(2025, 6, 30, 0, 0), ict(2025, 7, 7, 8, 0), "vi")
	if err != nil {
		t.Fatal(err)
	}
	want := `🚨 Báo cáo trễ hạn: Văn bản triển khai Phong trào thi đua năm 2025
Hạn gửi 30/06/2025: đã qua 7 ngày.
2/4 đơn vị chưa gửi:
Sở, ban, ngành (2):
• Sở Tài chính (STC): trễ 7 ngày
• Sở Y tế (SYT): trễ 7 ngày

📵 Không nhắc được (2):
Sở, ban, ngành (2):
• Sở Tài chính (STC): Lò Văn Bình đã chặn bot
• Sở Y tế (SYT): chưa có đầu mối đăng ký`
	if got := texts(msgs); got != want {
		t.Errorf("escalation of the departments:\n%s\n\nwant:\n%s", got, want)
	}

	// The communes' due date, the day after: only the communes.
	msgs, err = db.digests.Escalation(ctx, "plan-2025", ict(2025, 7, 30, 0, 0), ict(2025, 7, 31, 8, 0), "en")
	if err != nil {
		t.Fatal(err)
	}
	got := texts(msgs)
	for _, w := range []string{"Was due 30/07/2025. Days past due: 1.", "1 of 2 units have not submitted:", "• Phường Chiềng Cơi (03670): days late: 1", "Quàng Thị Mai is out of reach on Zalo"} {
		if !strings.Contains(got, w) {
			t.Errorf("communes' escalation lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "STC") {
		t.Errorf("communes' escalation lists a department:\n%s", got)
	}
	// On the due day itself (a rule with days_after: 0) nobody is late
	// yet, and it does not claim that every unit submitted.
	msgs, _ = db.digests.Escalation(ctx, "plan-2025", ict(2025, 7, 30, 0, 0), ict(2025, 7, 30, 8, 0), "vi")
	if got := texts(msgs); !strings.HasSuffix(got, "\nChưa đơn vị nào trễ hạn: 1/2 đơn vị đã gửi.") {
		t.Errorf("escalation on the due day:\n%s", got)
	}
	// Once every unit due that day has submitted: it says so.
	db.submit("03670", ict(2025, 7, 31, 9, 0))
	msgs, _ = db.digests.Escalation(ctx, "plan-2025", ict(2025, 7, 30, 0, 0), ict(2025, 7, 31, 10, 0), "vi")
	if got := texts(msgs); !strings.HasSuffix(got, "✅ Cả 2 đơn vị đã gửi.") {
		t.Errorf("escalation with nobody late:\n%s", got)
	}
	if _, err := db.digests.Escalation(ctx, "no-such-period", time.Time{}, db.now, "vi"); err == nil {
		t.Error("an escalation for an unknown period did not fail")
	}
}

func TestDigestCommand_ForOfficialsOnly(t *testing.T) {
	t.Parallel()
	db := plan2025(t)
	official := db.h.Agreed("Official", "vi")
	citizen := db.h.Agreed("Citizen", "en")
	if _, err := db.h.DB.GrantRole(context.Background(), official.UserID(), store.RoleOfficial, "", "admin", db.now); err != nil {
		t.Fatal(err)
	}

	r := citizen.Send("/digest")
	if r.Text() != "/digest is for the officials of the Department of Home Affairs and the Department of Science and Technology. If you are one, ask the administrator for an invite code." {
		t.Errorf("a citizen's /digest:\n%s", r)
	}
	if _, ok := r.Last().Button("Back to menu"); !ok {
		t.Errorf("the refusal has no way back; buttons %q", r.Last().Labels())
	}

	r = official.Send("/digest")
	want, _ := db.digests.Weekly(context.Background(), db.now, "vi")
	if r.Text() != texts(want) || !strings.Contains(r.Text(), "• Sở Tài chính (STC): trễ 7 ngày") {
		t.Errorf("an official's /digest:\n%s\nwant:\n%s", r, texts(want))
	}
	if _, ok := r.Last().Button("Về menu"); !ok {
		t.Errorf("the digest has no way back; buttons %q", r.Last().Labels())
	}
}

// A province's worth of late units, read on a phone: by kind of unit in
// the decision's order, each kind with its count, a long kind cut after
// LatePerKind units with "and N more" and where the whole list is (the
// workbook); who cannot be reminded is listed whole (nothing else shows
// it), by kind too. Messages are split between lines, within the limit,
// and a kind's name is never left alone at the end of a message.
func TestWeekly_LongListsByKindCutAndSplitBetweenLines(t *testing.T) {
	t.Parallel()
	const limit = 700
	db := newDigestBot(t, ict(2025, 8, 4, 8, 0), digest.DigestConfig{MaxMessage: limit})
	var communes, departments []store.Unit
	for i := range 60 {
		communes = append(communes, store.Unit{Code: fmt.Sprintf("C%03d", i), Name: fmt.Sprintf("Ủy ban nhân dân xã Mường 😀 số %d", i), Kind: "commune"})
	}
	for i := range 12 {
		departments = append(departments, store.Unit{Code: fmt.Sprintf("S%02d", i), Name: fmt.Sprintf("Sở số %d", i), Kind: "department"})
	}
	db.units(append(communes, departments...)...)
	msgs, err := db.digests.Weekly(context.Background(), db.now, "vi")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 3 {
		t.Fatalf("%d messages for 72 units without a focal point under %d units each", len(msgs), limit)
	}
	headings := map[string]bool{
		"Sở, ban, ngành (12):": true, "UBND xã, phường (60):": true,
	}
	all := map[string]int{}
	for i, m := range msgs {
		if n := len(utf16.Encode([]rune(m.Text))); n > limit {
			t.Errorf("message %d is %d UTF-16 units long, over %d", i, n, limit)
		}
		if strings.HasPrefix(m.Text, "\n") || strings.HasSuffix(m.Text, "\n") || m.Text == "" {
			t.Errorf("message %d starts or ends with an empty line: %q", i, m.Text)
		}
		lines := strings.Split(m.Text, "\n")
		if last := lines[len(lines)-1]; headings[last] {
			t.Errorf("message %d ends with the kind's name %q", i, last)
		}
		for _, line := range lines {
			all[line]++
		}
	}
	got := texts(msgs)
	// The late units: departments (35 days) before communes (5 days), ten each.
	late := []string{"⏰ Trễ hạn, chưa gửi (72):", "Sở, ban, ngành (12):"}
	for _, u := range departments[:10] {
		late = append(late, fmt.Sprintf("• %s (%s): trễ 35 ngày", u.Name, u.Code))
	}
	late = append(late, "… và 2 đơn vị khác", "UBND xã, phường (60):")
	for _, u := range communes[:10] {
		late = append(late, fmt.Sprintf("• %s (%s): trễ 5 ngày", u.Name, u.Code))
	}
	late = append(late, "… và 50 đơn vị khác",
		"Danh sách đầy đủ có trong bảng Excel: gõ /export, hoặc bấm “📊 Tình hình báo cáo các đơn vị” bên dưới rồi chọn kỳ báo cáo.")
	if !strings.Contains(strings.ReplaceAll(got, "\n---\n", "\n"), strings.Join(late, "\n")) {
		t.Errorf("the late units:\n%s\nwant within them:\n%s", got, strings.Join(late, "\n"))
	}
	for _, u := range append(departments[10:], communes[10:]...) {
		if all[fmt.Sprintf("• %s (%s): trễ 35 ngày", u.Name, u.Code)]+all[fmt.Sprintf("• %s (%s): trễ 5 ngày", u.Name, u.Code)] != 0 {
			t.Errorf("%s is listed past the cut", u.Code)
		}
	}
	// Nobody to remind: every unit, once, under its kind.
	if all["📵 Không nhắc được (72):"] != 1 || all["Sở, ban, ngành (12):"] != 2 || all["UBND xã, phường (60):"] != 2 {
		t.Errorf("headings: %d %d %d; want the reach list's once, each kind's once per list:\n%s",
			all["📵 Không nhắc được (72):"], all["Sở, ban, ngành (12):"], all["UBND xã, phường (60):"], got)
	}
	for _, u := range append(departments, communes...) {
		if nobody := fmt.Sprintf("• %s (%s): chưa có đầu mối đăng ký", u.Name, u.Code); all[nobody] != 1 {
			t.Errorf("%s: no-focal line %d times; want once", u.Code, all[nobody])
		}
	}
	if i := strings.Index(got, "📵"); i < 0 || strings.Index(got[i:], "Sở, ban, ngành (12):") > strings.Index(got[i:], "UBND xã, phường (60):") {
		t.Errorf("the reach list is not by kind in the decision's order:\n%s", got)
	}

	// In English, the escalation the day after the departments' due date.
	msgs, err = db.digests.Escalation(context.Background(), "plan-2025", ict(2025, 6, 30, 0, 0), ict(2025, 7, 1, 8, 0), "en")
	if err != nil {
		t.Fatal(err)
	}
	got = texts(msgs)
	for _, w := range []string{"12 of 12 units have not submitted:\nDepartments and boards (12):\n• Sở số 0 (S00): days late: 1",
		"• Sở số 9 (S09): days late: 1\n… and 2 more\nThe full list is in the Excel workbook: type /export, or tap “📊 Units' reports” below and choose the period."} {
		if !strings.Contains(strings.ReplaceAll(got, "\n---\n", "\n"), w) {
			t.Errorf("the escalation lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "Mường") {
		t.Errorf("the departments' escalation lists a commune:\n%s", got)
	}
}

// By default a digest's messages fit Zalo's 2,000 characters (UTF-16
// units), so that Zalo does not cut them again after any line, away from
// the digest's own split (which keeps a kind's name with its first unit);
// an official on Zalo reads the province's digest as one on Telegram does.
func TestDigest_MessagesFitZaloByDefault(t *testing.T) {
	t.Parallel()
	db := newDigestBot(t, ict(2025, 8, 4, 8, 0), digest.DigestConfig{})
	var units []store.Unit
	for i := range 75 {
		units = append(units, store.Unit{Code: fmt.Sprintf("C%03d", i), Name: fmt.Sprintf("Ủy ban nhân dân xã Mường Chanh số %d", i), Kind: "commune"})
	}
	for i := range 20 {
		units = append(units, store.Unit{Code: fmt.Sprintf("S%02d", i), Name: fmt.Sprintf("Sở số %d", i), Kind: "department"})
	}
	db.units(units...)
	official := db.h.AgreedOn(bot.Zalo, "Cán bộ", "vi")
	if _, err := db.h.DB.GrantRole(context.Background(), official.UserID(), store.RoleOfficial, "", "admin", db.now); err != nil {
		t.Fatal(err)
	}
	r := official.Send("/digest")
	if len(r.Sent) < 2 {
		t.Fatalf("the digest of 95 late units nobody can be reminded at is %d message(s)", len(r.Sent))
	}
	for i, m := range r.Sent {
		if n := len(utf16.Encode([]rune(m.Text))); n > 2000 {
			t.Errorf("message %d is %d UTF-16 units long: Zalo would cut it", i, n)
		}
	}
	if _, ok := r.Last().Button("Về menu"); !ok {
		t.Errorf("the last message has no way back: %q", r.Last().Labels())
	}
}

// Wherever a digest is split, a kind's name is never left alone at the
// end of a message, away from its units.
func TestDigest_KindNameStaysWithItsFirstUnit(t *testing.T) {
	t.Parallel()
	db := plan2025(t)
	reports, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, k := range config.Kinds {
		for n := range 5 {
			headings[db.h.T("vi", "digest.kind.group", "Kind", db.h.T("vi", k.NameID()), "N", n)] = true
		}
	}
	splits := 0
	for limit := 150; limit <= 400; limit++ {
		d := digest.NewDigests(db.h.DB, digest.DigestConfig{Text: db.h.Catalog, Reports: reports, Reach: digest.ZaloWindow{}, MaxMessage: limit})
		msgs, err := d.Weekly(context.Background(), db.now, "vi")
		if err != nil {
			t.Fatal(err)
		}
		splits += len(msgs) - 1
		for i, m := range msgs {
			lines := strings.Split(m.Text, "\n")
			if last := lines[len(lines)-1]; headings[last] {
				t.Fatalf("limit %d: message %d ends with the kind's name %q:\n%s", limit, i, last, texts(msgs))
			}
		}
	}
	if splits < 250 {
		t.Errorf("%d splits over 251 limits; the digest was meant to be split", splits)
	}
}

// The lists follow the decision's order of the kinds of unit, whatever
// order a period's configuration lists them in.
func TestWeekly_KindsInTheDecisionsOrder(t *testing.T) {
	t.Parallel()
	files, err := config.EmbeddedFiles()
	if err != nil {
		t.Fatal(err)
	}
	const canonical = "kinds: [party, department, armed, front, public_service, commune, enterprise]"
	for i, f := range files {
		if f.Name == config.PeriodsFile {
			if !strings.Contains(string(f.Data), canonical) {
				t.Fatalf("%s does not list %q", f.Name, canonical)
			}
			files[i].Data = []byte(strings.Replace(string(f.Data), canonical, "kinds: [enterprise, commune, public_service, front, armed, department, party]", 1))
		}
	}
	reports, err := config.Load(files...)
	if err != nil {
		t.Fatal(err)
	}
	db := newDigestBot(t, ict(2025, 8, 4, 8, 0), digest.DigestConfig{Reports: reports})
	db.units(store.Unit{Code: "DN1", Name: "Công ty Một", Kind: "enterprise"}, store.Unit{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
		store.Unit{Code: "SYT", Name: "Sở Y tế", Kind: "department"})
	msgs, err := db.digests.Weekly(context.Background(), db.now, "vi")
	if err != nil {
		t.Fatal(err)
	}
	got := texts(msgs)
	for _, w := range []string{
		"• Sở, ban, ngành: 0/1\n• UBND xã, phường: 0/1 (hạn 30/07/2025)\n• Tổ chức, doanh nghiệp: 0/1",
		"⏰ Trễ hạn, chưa gửi (3):\nSở, ban, ngành (1):\n• Sở Y tế (SYT): trễ 35 ngày\nUBND xã, phường (1):\n• Phường Chiềng Cơi (03670): trễ 5 ngày\nTổ chức, doanh nghiệp (1):",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("the digest lacks %q:\n%s", w, got)
		}
	}
}

// A digest is read to act on it: its last message leads to the officials'
// overview and export, also when it was sent weeks after the conversation
// was forgotten (Zalo has no command menu to type /overview from); /digest
// keeps its way back to the menu too. Every digest: weekly, escalation.
func TestDigest_LeadsToTheOverview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := plan2025(t)
	official := db.h.Agreed("Official", "vi")
	if _, err := db.h.DB.GrantRole(ctx, official.UserID(), store.RoleOfficial, "", "admin", db.now); err != nil {
		t.Fatal(err)
	}
	label := db.h.T("vi", "officials.menu")
	weekly, err := db.digests.Weekly(ctx, db.now, "vi")
	if err != nil {
		t.Fatal(err)
	}
	escalation, err := db.digests.Escalation(ctx, "plan-2025", time.Time{}, db.now, "vi")
	if err != nil {
		t.Fatal(err)
	}
	for name, msgs := range map[string][]bot.Reply{"weekly": weekly, "escalation": escalation} {
		last := msgs[len(msgs)-1]
		msg := flowtest.Message{ID: name, Text: last.Text, Buttons: last.Buttons}
		db.h.FlushRedis()
		r := official.TapOn(msg, label)
		if !strings.Contains(r.Text(), db.h.T("vi", "officials.pick.overview")) {
			t.Errorf("the %s digest's button, after the conversation was forgotten:\n%s", name, r)
		}
	}

	r := official.Send("/digest")
	if _, ok := r.Last().Button(label); !ok {
		t.Errorf("/digest leads nowhere but the menu; buttons %q", r.Last().Labels())
	}
	if _, ok := r.Last().Button("Về menu"); !ok {
		t.Errorf("/digest has no way back; buttons %q", r.Last().Labels())
	}
	if r = official.Tap(label); !strings.Contains(r.Text(), db.h.T("vi", "officials.pick.overview")) {
		t.Errorf("the button under /digest:\n%s", r)
	}
}
