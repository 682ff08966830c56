package quiz_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/home"
	"hocvuso/flows/quiz"
	"hocvuso/flows/quiz/bank"
	"hocvuso/locales"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// lastButtons is a sender that keeps only each chat's latest buttons.
type lastButtons struct{ m sync.Map }

func (s *lastButtons) Send(_ context.Context, t bot.Target, r bot.Reply) error {
	if len(r.Buttons) > 0 {
		var flat []bot.Button
		for _, row := range r.Buttons {
			flat = append(flat, row...)
		}
		s.m.Store(t.ChatID, flat)
	}
	return nil
}

func (s *lastButtons) Answer(context.Context, *bot.Update, string) error { return nil }

func (s *lastButtons) find(chat, prefix string) (string, bool) {
	v, ok := s.m.Load(chat)
	if !ok {
		return "", false
	}
	for _, b := range v.([]bot.Button) {
		if strings.HasPrefix(b.Data, prefix) {
			return b.Data, true
		}
	}
	return "", false
}

// BenchmarkQuizPath plays whole quick tests (/quiz, the quick test, ten
// answers) for 200 users at once through the engine, with the sessions in
// Redis and every answer written to PostgreSQL; one op is one update. It
// reports updates/s and the latency percentiles of handling an update.
//
//	go test -run '^$' -bench QuizPath -benchtime 20000x ./flows/quiz
func BenchmarkQuizPath(b *testing.B) {
	const users = 200
	ctx := context.Background()
	db := benchDB(b)
	rd := storetest.NewRedis(b)
	bk, err := bank.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	cat, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	cfg := quiz.Config{Bank: bk, Rand: rand.New(rand.NewPCG(1, 2))}
	if os.Getenv("BENCH_BATCH") != "" {
		cfg.Writer = store.NewQuizWriter(db)
	}
	flow := quiz.New(db, cfg)
	sender := &lastButtons{}
	e := &bot.Engine{
		State: store.NewState(rd.Client, rd.Prefix), Accounts: db, Text: cat,
		Handler: flows.NewRouter(home.New(db, []flows.MenuItem{quiz.MenuItem}), flow),
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	e.SetSender(bot.Telegram, sender)
	for i := range users {
		id := strconv.Itoa(10000 + i)
		if _, err := db.CreateUser(ctx, store.NewUser{Channel: bot.Telegram, ExternalID: id, ChatID: id,
			DisplayName: "Người dùng " + id, Language: "vi", ConsentVersion: home.ConsentVersion, At: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}

	var seq atomic.Int64
	remaining := atomic.Int64{}
	remaining.Store(int64(b.N))
	lat := make([][]time.Duration, users)
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range users {
		wg.Go(func() {
			chat := strconv.Itoa(10000 + i)
			step, answered := 0, 0
			for remaining.Add(-1) >= 0 {
				n := seq.Add(1)
				u := &bot.Update{Channel: bot.Telegram, ID: strconv.FormatInt(n, 10), Seq: n, ChatID: chat, UserID: chat,
					LanguageCode: "vi", Received: time.Now(), MessageID: "1"}
				switch step {
				case 0:
					u.Kind, u.Text, u.Command = bot.KindCommand, "/quiz", "quiz"
					step = 1
				case 1:
					data, ok := sender.find(chat, "quiz|go|")
					if !ok {
						b.Errorf("user %s: no quick test button", chat)
						return
					}
					u.Kind, u.CallbackID, u.Data = bot.KindCallback, "cb"+u.ID, data // the first: the quick test
					step, answered = 2, 0
				case 2:
					data, ok := sender.find(chat, "quiz|ans|")
					if !ok {
						b.Errorf("user %s: no answer button after %d answers", chat, answered)
						return
					}
					u.Kind, u.CallbackID, u.Data = bot.KindCallback, "cb"+u.ID, data
					if answered++; answered == 10 {
						step = 0
					}
				}
				t0 := time.Now()
				if err := e.Handle(ctx, u); err != nil {
					b.Errorf("user %s: %v", chat, err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "updates/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// benchDB is a migrated database of the benchmark's own, with a pool as
// large as BENCH_PG_POOL asks (the pgx default, 4 on 2 cores, when unset):
// with synchronous commits, many connections let PostgreSQL flush the
// answers of many users in one WAL write.
func benchDB(b *testing.B) *store.DB {
	u := storetest.NewDatabaseURL(b)
	if n := os.Getenv("BENCH_PG_POOL"); n != "" {
		u += "&pool_max_conns=" + n
	}
	db, err := store.Open(context.Background(), u)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	if err := db.Migrate(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		b.Fatal(err)
	}
	return db
}
