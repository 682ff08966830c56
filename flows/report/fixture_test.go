package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/telegram"
	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/flows"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/report"
	"hocvuso/flows/report/config"
	"hocvuso/reach"
	"hocvuso/scheduler"
	"hocvuso/store"
)

const botToken = "123456:REPORT-test_token"

var hcm = config.Location

func ict(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }

// The test configuration: two open periods for departments and communes,
// and a form with a field of every type, some optional, one asked of
// communes only.
const testPeriods = `periods:
  - id: plan
    name: {vi: "Kế hoạch năm 2025", en: "2025 plan"}
    opens_at: 2025-06-01
    due: 2025-06-30
    due_by_kind:
      commune: 2025-07-30
    kinds: [department, commune]
    form: t
    form_version: 1
  - id: annual
    name: {vi: "Báo cáo năm 2025", en: "2025 annual report"}
    opens_at: 2025-06-01
    due: 2025-11-10
    kinds: [department, commune]
    form: t
    form_version: 1
`

const testForm = `id: t
version: 1
title: {vi: "Biểu mẫu thử", en: "Test form"}
sections:
  - key: general
    title: {vi: "Thông tin chung", en: "General"}
    fields:
      - key: doc_kind
        type: choice
        required: true
        label: {vi: "Loại văn bản", en: "Kind of document"}
        help: {vi: "Chọn một loại.", en: "Choose one."}
        options:
          - key: plan
            label: {vi: "Kế hoạch", en: "Plan"}
          - key: decision
            label: {vi: "Quyết định", en: "Decision"}
          - key: letter
            label: {vi: "Công văn", en: "Letter"}
      - key: classes
        type: number
        required: true
        max: 1000
        unit: {vi: "lớp", en: "classes"}
        label: {vi: "Số lớp đã mở", en: "Classes held"}
        help: {vi: "Cả năm.", en: "In the whole year."}
      - key: share
        type: percent
        label: {vi: "Tỉ lệ cán bộ đạt kỹ năng số", en: "Share of staff with digital skills"}
        help: {vi: "Không bắt buộc.", en: "Optional."}
      - key: launched
        type: yesno
        required: true
        label: {vi: "Đã phát động chưa?", en: "Launched?"}
        help: {vi: "Có hoặc không.", en: "Yes or no."}
      - key: held_on
        type: date
        required: true
        min: 2025-01-01
        max: 2030-12-31
        label: {vi: "Ngày phát động", en: "Launch date"}
        help: {vi: "Ngày/tháng/năm.", en: "Day/month/year."}
      - key: wards
        type: number
        kinds: [commune]
        label: {vi: "Số thôn, bản", en: "Villages"}
        help: {vi: "Chỉ xã, phường.", en: "Communes only."}
      - key: doc_number
        type: text
        required: true
        max_length: 20
        label: {vi: "Số văn bản", en: "Document number"}
        help: {vi: "Ví dụ: 25/KH-UBND.", en: "For example: 25/KH-UBND."}
  - key: a
    title: {vi: "a) Nhận thức", en: "a) Awareness"}
    fields:
      - key: summary
        type: longtext
        label: {vi: "Kết quả nổi bật", en: "Main results"}
        help: {vi: "Không bắt buộc.", en: "Optional."}
      - key: evidence
        type: file
        accept: [pdf, word, excel, image]
        max_files: 2
        label: {vi: "Tài liệu kèm theo", en: "Attached documents"}
        help: {vi: "Không bắt buộc.", en: "Optional."}
      - key: notes
        type: longtext
        kinds: [commune]
        label: {vi: "Ghi chú của xã, phường", en: "Notes of the commune"}
        help: {vi: "Không bắt buộc.", en: "Optional."}
`

func testConfig(t testing.TB, extra ...config.File) *config.Config {
	t.Helper()
	files := append([]config.File{
		{Name: "periods.yaml", Data: []byte(testPeriods)},
		{Name: "forms/t.v1.yaml", Data: []byte(testForm)},
	}, extra...)
	c, err := config.Load(files...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixture is a bot with the report flow over its own PostgreSQL and Redis,
// files downloaded from a fake Bot API by the real Telegram client, two
// units (a department and a commune), and a clock set in the plan period.
type fixture struct {
	t      testing.TB
	h      *flowtest.Harness
	fake   *fakeapi.Server
	client *telegram.Client
	clock  *flowtest.Clock
	cfg    *config.Config
	flow   *report.Flow
}

func newFixture(t testing.TB, cfg *config.Config) *fixture {
	t.Helper()
	if cfg == nil {
		cfg = testConfig(t)
	}
	f := &fixture{t: t, fake: fakeapi.Start(botToken), clock: flowtest.NewClock(ict(2025, 6, 25, 9, 0)), cfg: cfg}
	t.Cleanup(f.fake.Close)
	client, err := telegram.New(context.Background(), telegram.Config{Token: botToken, APIURL: f.fake.URL, Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	f.client = client
	fetch := report.FetchFunc(func(ctx context.Context, id string, limit int64) ([]byte, error) {
		data, err := client.DownloadFile(ctx, id, limit)
		if errors.Is(err, telegram.ErrFileTooLarge) {
			err = fmt.Errorf("%w: %w", report.ErrFileTooLarge, err)
		}
		return data, err
	})
	f.h = flowtest.New(t, flowtest.WithMenu(report.MenuItem), flowtest.WithClock(f.clock.Now),
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			// The officials' notices are river jobs, queued with the report.
			if err := scheduler.Migrate(context.Background(), h.DB.Pool, quiet()); err != nil {
				t.Fatal(err)
			}
			notices, err := scheduler.NewNotices(h.DB, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.flow = report.New(h.DB, report.Config{Forms: cfg, Fetchers: map[bot.Channel]report.Fetcher{bot.Telegram: fetch}, Notices: notices})
			return f.flow
		}))
	if _, _, err := f.h.DB.UpsertUnits(context.Background(), []store.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
	}, "admin", ict(2025, 6, 1, 8, 0)); err != nil {
		t.Fatal(err)
	}
	return f
}

// focal is a focal point of the units.
func (f *fixture) focal(name, lang string, units ...string) *flowtest.User {
	f.t.Helper()
	u := f.h.Agreed(name, lang)
	for _, code := range units {
		if _, err := f.h.DB.GrantRole(context.Background(), u.UserID(), store.RoleFocal, code, "admin", f.clock.Now()); err != nil {
			f.t.Fatal(err)
		}
	}
	return u
}

// official is an official of Sở Nội vụ or Sở KH&CN.
func (f *fixture) official(name, lang string) *flowtest.User {
	f.t.Helper()
	u := f.h.Agreed(name, lang)
	if _, err := f.h.DB.GrantRole(context.Background(), u.UserID(), store.RoleOfficial, "", "admin", f.clock.Now()); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// sendNotices starts a scheduler as serve runs one, which sends the
// officials' notices through the real Telegram client to the fake Bot API
// (plans no reminder, keeps no quiet hours); change adjusts it.
func (f *fixture) sendNotices(change ...func(*scheduler.Config)) {
	f.t.Helper()
	rules, err := scheduler.LoadRules("", hcm)
	if err != nil {
		f.t.Fatal(err)
	}
	rules.Quiet = nil
	cfg := scheduler.Config{
		DB: f.h.DB, Redis: f.h.Redis.Client, RedisPrefix: f.h.Redis.Prefix, Rules: rules, Reports: f.cfg, Text: f.h.Catalog, Log: quiet(),
		Reach:        &reach.Reacher{Accounts: f.h.DB, Senders: reach.SenderMap{bot.Telegram: f.client}},
		RetryBackoff: 20 * time.Millisecond, ChatInterval: time.Millisecond, Rate: 1000,
	}
	for _, c := range change {
		c(&cfg)
	}
	s, err := scheduler.New(cfg, true)
	if err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() {
		stop, c := context.WithTimeout(context.Background(), 20*time.Second)
		defer c()
		_ = s.Stop(stop, 10*time.Second)
		cancel()
	})
}

// notices counts the officials' notices by state.
func (f *fixture) notices() map[string]int {
	f.t.Helper()
	rows, err := f.h.DB.Pool.Query(context.Background(), `SELECT state, count(*) FROM deliveries WHERE kind = 'report' GROUP BY state`)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			f.t.Fatal(err)
		}
		out[state] = n
	}
	return out
}

// settled waits until no notice is waiting to be sent or being sent, and
// returns their counts by state.
func (f *fixture) settled() map[string]int {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := f.notices()
		if n[store.DeliveryPlanned] == 0 && n[store.DeliverySending] == 0 {
			return n
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("notices not sent within 30 s: %v", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// told lists what the official's chat received from the Bot API.
func (f *fixture) told(o *flowtest.User) []fakeapi.Message {
	f.t.Helper()
	id, err := strconv.ParseInt(o.ID, 10, 64)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.fake.MessagesTo(id)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// sendFile sends a document (or a photo, name "") held by the fake Bot API;
// declared is the size the channel reports.
func (f *fixture) sendFile(u *flowtest.User, name, mime string, data []byte, declared int64) flowtest.Result {
	f.t.Helper()
	upd := u.Update(bot.KindFile)
	upd.File = &bot.File{ID: f.fake.PutFile(name, data), Name: name, MIME: mime, Size: declared}
	return u.Do(upd)
}

// T renders a catalogue message.
func (f *fixture) T(lang, id string, kv ...any) string { return f.h.T(lang, id, kv...) }

func (f *fixture) draft(unit, period string) (store.Draft, bool) {
	f.t.Helper()
	d, ok, err := f.h.DB.Draft(context.Background(), unit, period)
	if err != nil {
		f.t.Fatal(err)
	}
	return d, ok
}

func (f *fixture) versions(unit, period string) []store.ReportVersion {
	f.t.Helper()
	v, err := f.h.DB.ReportVersions(context.Background(), unit, period)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// mustContain fails unless text holds every part.
func mustContain(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, text)
		}
	}
}

// Sample files of each allowed kind, by their first bytes.
var (
	pdfFile  = append([]byte("%PDF-1.7\n"), make([]byte, 2000)...)
	docxFile = append([]byte("PK\x03\x04"), make([]byte, 3000)...)
	xlsFile  = append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 1500)...)
	jpegFile = append([]byte("\xFF\xD8\xFF\xE0"), make([]byte, 4000)...)
	pngFile  = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 500)...)
)

// values decodes one stored answer.
func values(t *testing.T, raw []byte) config.Value {
	t.Helper()
	var v config.Value
	if len(raw) == 0 {
		return v
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// answerOf picks one answer out of a version's answers.
func answerOf(t *testing.T, answers []byte, key string) []byte {
	t.Helper()
	var all map[string]json.RawMessage
	if err := json.Unmarshal(answers, &all); err != nil {
		t.Fatal(err)
	}
	return all[key]
}
