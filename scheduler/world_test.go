package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/telegram"
	"hocvuso/bot/telegram/fakeapi"
	"hocvuso/flows/report/config"
	"hocvuso/locales"
	"hocvuso/reach"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

const testToken = "123456:TEST-token_remind"

// world is a test's own database, Redis prefix and fake Bot API, with the
// real Telegram client in front of it.
type world struct {
	t       testing.TB
	db      *store.DB
	redis   storetest.Redis
	fake    *fakeapi.Server
	api     *httptest.Server
	client  *telegram.Client
	cat     *locales.Catalog
	reports *config.Config
	rules   *Rules
	// faults of the API in front of the fake (see apiHandler).
	failRate   atomic.Uint64   // chance of a 500, in millionths
	steady     map[string]bool // chats spared the random 500s
	limitCheck *telegramLimits
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, db: storetest.NewDB(t), redis: storetest.NewRedis(t), fake: fakeapi.New(testToken)}
	ctx := context.Background()
	if err := Migrate(ctx, w.db.Pool, quiet()); err != nil {
		t.Fatal(err)
	}
	w.api = httptest.NewServer(w.apiHandler())
	t.Cleanup(w.api.Close)
	t.Cleanup(w.fake.Close)
	var err error
	// The client waits out short 429s itself, as in serve.
	if w.client, err = telegram.New(ctx, telegram.Config{Token: testToken, APIURL: w.api.URL, Log: quiet()}); err != nil {
		t.Fatal(err)
	}
	if w.cat, err = locales.Load(); err != nil {
		t.Fatal(err)
	}
	if w.reports, err = config.Embedded(); err != nil {
		t.Fatal(err)
	}
	// The embedded rules without quiet hours: the tests run at any hour.
	if w.rules, err = LoadRules("", hcm); err != nil {
		t.Fatal(err)
	}
	w.rules.Quiet = nil
	return w
}

// apiHandler is the fake Bot API, failing sendMessage with a 500 at random
// (failRate), and checking Telegram's limits when limitCheck is set.
func (w *world) apiHandler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) > len("/sendMessage") && r.URL.Path[len(r.URL.Path)-len("/sendMessage"):] == "/sendMessage" {
			_ = r.ParseForm()
			if rate := w.failRate.Load(); rate > 0 && !w.steady[r.PostForm.Get("chat_id")] && rand.Uint64N(1_000_000) < rate {
				rw.Header().Set("Content-Type", "application/json")
				rw.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(rw, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
				return
			}
			if w.limitCheck != nil {
				if !w.limitCheck.allow(r.PostForm.Get("chat_id")) {
					rw.Header().Set("Content-Type", "application/json")
					rw.WriteHeader(http.StatusTooManyRequests)
					fmt.Fprint(rw, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`)
					return
				}
			}
		}
		w.fake.ServeHTTP(rw, r)
	})
}

// telegramLimits answers 429 as Telegram would to a bot going faster than
// perSecond messages in any second, or sending two messages to a chat
// within chatInterval.
type telegramLimits struct {
	mu          sync.Mutex
	perSecond   int
	chatEvery   time.Duration
	recent      []time.Time
	lastToChat  map[string]time.Time
	refused     int
	accepted    int
	first, last time.Time
}

func (l *telegramLimits) allow(chat string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for len(l.recent) > 0 && now.Sub(l.recent[0]) >= time.Second {
		l.recent = l.recent[1:]
	}
	if len(l.recent) >= l.perSecond || now.Sub(l.lastToChat[chat]) < l.chatEvery {
		l.refused++
		return false
	}
	l.recent = append(l.recent, now)
	l.lastToChat[chat] = now
	if l.accepted == 0 {
		l.first = now
	}
	l.accepted++
	l.last = now
	return true
}

// scheduler returns a scheduler over the world, sending (work) or only
// planning, with the clock now.
func (w *world) scheduler(work bool, now func() time.Time, change ...func(*Config)) *Scheduler {
	w.t.Helper()
	cfg := Config{
		DB: w.db, Redis: w.redis.Client, RedisPrefix: w.redis.Prefix, Rules: w.rules, Reports: w.reports,
		Text: w.cat, Log: quiet(), Now: now,
		Reach:        &reach.Reacher{Accounts: w.db, Senders: reach.SenderMap{bot.Telegram: w.client}, Now: now},
		RetryBackoff: 20 * time.Millisecond, ChatInterval: time.Millisecond, Rate: 1000,
	}
	for _, c := range change {
		c(&cfg)
	}
	s, err := New(cfg, work)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *world) start(s *Scheduler) {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		stop, c := context.WithTimeout(context.Background(), 20*time.Second)
		defer c()
		_ = s.Stop(stop, 10*time.Second)
		cancel()
	})
}

// focal is a unit's focal point as the tests create them.
type focal struct {
	unit   string
	user   int64
	chatID int64
}

// addUnits creates n units of kind, each with one focal point on Telegram
// (chat ids from chat0), in lang.
func (w *world) addUnits(kind config.Kind, n int, chat0 int64, lang string) []focal {
	w.t.Helper()
	units := make([]store.Unit, n)
	out := make([]focal, n)
	for i := range n {
		code := fmt.Sprintf("%s-%04d", kind, chat0+int64(i))
		units[i] = store.Unit{Code: code, Name: "Đơn vị " + code, Kind: string(kind)}
		out[i] = focal{unit: code, chatID: chat0 + int64(i)}
	}
	for i, id := range storetest.FocalPoints(w.t, w.db, units, chat0, lang) {
		out[i].user = id
	}
	return out
}

// draft opens the unit's draft for the period and returns the submission
// of it, without its Notify.
func (w *world) draft(unit, periodID string, by int64, at time.Time) store.Submission {
	w.t.Helper()
	ctx := context.Background()
	p, _ := w.reports.Period(periodID)
	form := w.reports.PeriodForm(p)
	if err := w.db.RecordForm(ctx, store.StoredForm{ID: form.ID, Version: form.Version, Hash: form.Hash, Content: []byte("form"), RecordedAt: at}); err != nil {
		w.t.Fatal(err)
	}
	d, _, err := w.db.OpenDraft(ctx, store.DraftStart{UnitCode: unit, PeriodID: periodID, FormID: form.ID, FormVersion: form.Version, By: by, At: at})
	if err != nil {
		w.t.Fatal(err)
	}
	return store.Submission{UnitCode: unit, PeriodID: periodID, Seen: d.Version, Due: p.Due, By: by, At: at}
}

// submit submits unit's report for period, through the store as the report
// flow does.
func (w *world) submit(unit, periodID string, by int64) {
	w.t.Helper()
	if _, err := w.db.SubmitReport(context.Background(), w.draft(unit, periodID, by, time.Now())); err != nil {
		w.t.Fatal(err)
	}
}

// messages counts the messages each chat received.
func (w *world) messages(chats []focal) map[int64][]fakeapi.Message {
	out := map[int64][]fakeapi.Message{}
	for _, f := range chats {
		out[f.chatID] = w.fake.MessagesTo(f.chatID)
	}
	return out
}

// states counts deliveries by state.
func (w *world) states() map[string]int {
	w.t.Helper()
	rows, err := w.db.Pool.Query(context.Background(), `SELECT state, count(*) FROM deliveries GROUP BY state`)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]int{}
	var state string
	var n int
	for rows.Next() {
		if err := rows.Scan(&state, &n); err != nil {
			w.t.Fatal(err)
		}
		out[state] = n
	}
	return out
}

// waitFor polls cond until it holds or d passes.
func (w *world) waitFor(d time.Duration, what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting for %s; deliveries: %v", what, w.states())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }
