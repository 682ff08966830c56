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
			cfg.Text, cfg.Reports = h.Catalog, reports
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
• Sở Tài chính (STC): trễ 7 ngày
• Sở Y tế (SYT): trễ 7 ngày

📵 Không nhắc được (3):
• Sở Tài chính (STC): Lò Văn Bình đã chặn bot
• Sở Y tế (SYT): chưa có đầu mối đăng ký
• Phường Chiềng Cơi (03670): Quàng Thị Mai không nhận được tin qua Zalo (7 ngày nay không nhắn cho bot)`
	if got := texts(msgs); got != want {
		t.Errorf("weekly digest:\n%s\n\nwant:\n%s", got, want)
	}

	en, err := db.digests.Weekly(context.Background(), db.now, "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"📋 Digest of the reports, 07/07/2025", "Was due 30/06/2025. Days past due: 7.",
		"Submitted: 3 of 6 units.", "• Departments and boards: 2/4", "• Sở Tài chính (STC): days late: 7",
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
• Sở Tài chính (STC): trễ 7 ngày
• Sở Y tế (SYT): trễ 7 ngày

📵 Không nhắc được (2):
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

func TestWeekly_LongListsAreSplitBetweenLines(t *testing.T) {
	t.Parallel()
	const limit = 700
	db := newDigestBot(t, ict(2025, 8, 4, 8, 0), digest.DigestConfig{MaxMessage: limit})
	var units []store.Unit
	for i := range 60 {
		units = append(units, store.Unit{Code: fmt.Sprintf("C%03d", i), Name: fmt.Sprintf("Ủy ban nhân dân xã Mường 😀 số %d", i), Kind: "commune"})
	}
	db.units(units...)
	msgs, err := db.digests.Weekly(context.Background(), db.now, "vi")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 3 {
		t.Fatalf("%d messages for 60 late units and 60 without a focal point under %d units each", len(msgs), limit)
	}
	all := map[string]int{}
	for i, m := range msgs {
		if n := len(utf16.Encode([]rune(m.Text))); n > limit {
			t.Errorf("message %d is %d UTF-16 units long, over %d", i, n, limit)
		}
		if strings.HasPrefix(m.Text, "\n") || strings.HasSuffix(m.Text, "\n") || m.Text == "" {
			t.Errorf("message %d starts or ends with an empty line: %q", i, m.Text)
		}
		for _, line := range strings.Split(m.Text, "\n") {
			all[line]++
		}
	}
	for _, u := range units {
		late := fmt.Sprintf("• %s (%s): trễ 5 ngày", u.Name, u.Code)
		nobody := fmt.Sprintf("• %s (%s): chưa có đầu mối đăng ký", u.Name, u.Code)
		if all[late] != 1 || all[nobody] != 1 {
			t.Errorf("%s: late line %d times, no-focal line %d times; want once each (lines split?)", u.Code, all[late], all[nobody])
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
