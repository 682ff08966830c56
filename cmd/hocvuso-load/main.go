// Command hocvuso-load plays many users through the bot's Telegram webhook
// against the fake Bot API and prints updates/s, reply latency percentiles
// and the bot's peak RSS.
//
// It starts everything itself on this machine: a fresh database and Redis
// prefix (removed afterwards), the fake Bot API, and the hocvuso binary as a
// child process in webhook mode. Every request goes to 127.0.0.1.
//
//	CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /tmp/hocvuso ./cmd/hocvuso
//	go run ./cmd/hocvuso-load -bin /tmp/hocvuso -users 200 -duration 20s -scenario menu
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"hocvuso/bot/telegram/fakeapi"
)

const token = "4242:LOAD-test_token"

// options are the command's flags.
type options struct {
	bin                                  string
	users                                int
	duration, warmup                     time.Duration
	scenario, adminURL, redisURL         string
	botLog, botEnv, dbParams             string
	cpuProfile, heapProfile, selfProfile string
	perf, keepDB, byStep                 bool
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "", "hocvuso binary (built into a temporary file when empty)")
	flag.IntVar(&o.users, "users", 200, "virtual users at once")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to play after the warm-up")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "played but not measured")
	flag.StringVar(&o.scenario, "scenario", "menu", "menu: /start, consent, then menu and help taps; quiz: whole quick tests")
	flag.StringVar(&o.adminURL, "db-admin", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL where a scratch database is created")
	flag.StringVar(&o.redisURL, "redis", "redis://127.0.0.1:6379/0", "Redis")
	flag.StringVar(&o.botLog, "bot-log", "", "file for the bot's log (discarded when empty)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the bot during the measured run to this file")
	flag.StringVar(&o.heapProfile, "heapprofile", "", "write a heap profile of the bot at the end of the measured run to this file")
	flag.StringVar(&o.botEnv, "bot-env", "", "extra environment of the bot, comma-separated KEY=VALUE (GOGC=200,GOMEMLIMIT=40MiB...)")
	flag.StringVar(&o.dbParams, "db-params", "", "query parameters added to the bot's DATABASE_URL, such as pool_max_conns=8")
	flag.StringVar(&o.selfProfile, "selfprofile", "", "write a CPU profile of this load tool (the fake Bot API included) during the measured run to this file")
	flag.BoolVar(&o.keepDB, "keep-db", false, "keep the scratch database afterwards (its name is printed), to look into it")
	flag.BoolVar(&o.perf, "perf", false, "count system calls and context switches per update of each process with perf stat (root, or perf_event_paranoid ≤ 1)")
	flag.BoolVar(&o.byStep, "by-step", false, "print the latency of each step of the scenario apart")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "hocvuso-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	play, ok := scenarios[o.scenario]
	if !ok {
		return fmt.Errorf("unknown scenario %q", o.scenario)
	}
	if o.bin == "" {
		dir, err := os.MkdirTemp("", "hocvuso-load")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.bin = dir + "/hocvuso"
		build := exec.Command("go", "build", "-o", o.bin, "./cmd/hocvuso")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}

	gaugeBefore := gauge()

	// A scratch database and Redis prefix.
	name := fmt.Sprintf("hocvuso_load_%d", time.Now().UnixNano())
	admin, err := pgx.Connect(ctx, o.adminURL)
	if err != nil {
		return err
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	if o.keepDB {
		defer fmt.Printf("database        %s (kept)\n", name)
	} else {
		defer admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	dbURL, _ := url.Parse(o.adminURL)
	dbURL.Path = "/" + name
	if o.dbParams != "" {
		extra, err := url.ParseQuery(o.dbParams)
		if err != nil {
			return fmt.Errorf("-db-params: %w", err)
		}
		q := dbURL.Query()
		for k, v := range extra {
			q[k] = v
		}
		dbURL.RawQuery = q.Encode()
	}
	prefix := "load:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	opts, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	defer deleteKeys(rdb, prefix)

	// The fake Bot API.
	fake := fakeapi.New(token)
	fake.Lean()
	fakeLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// A minimal HTTP/1.1 server: net/http's would cost the load tool more
	// than the fake's answers themselves.
	go fake.ServeLean(fakeLn)
	defer fakeLn.Close()
	defer fake.Close()

	// The bot.
	botAddr, err := freeAddr()
	if err != nil {
		return err
	}
	const secret = "load-secret"
	hook := "http://" + botAddr + "/telegram/webhook"
	cmd := exec.Command(o.bin, "serve")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+dbURL.String(), "REDIS_URL="+o.redisURL, "REDIS_PREFIX="+prefix,
		"HTTP_ADDR="+botAddr, "TELEGRAM_TOKEN="+token, "TELEGRAM_API_URL=http://"+fakeLn.Addr().String(),
		"TELEGRAM_WEBHOOK_URL="+hook, "TELEGRAM_WEBHOOK_SECRET="+secret, "LOG_LEVEL=warn",
		"DEBUG_PPROF="+strconv.FormatBool(o.cpuProfile != "" || o.heapProfile != ""))
	if o.botEnv != "" {
		cmd.Env = append(cmd.Env, strings.Split(o.botEnv, ",")...)
	}
	cmd.Stdin = nil
	if o.botLog != "" {
		f, err := os.Create(o.botLog)
		if err != nil {
			return err
		}
		defer f.Close()
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	if err := waitReady(ctx, "http://"+botAddr+"/readyz"); err != nil {
		return err
	}

	l := &loader{addr: botAddr, path: "/telegram/webhook", secret: secret, fake: fake}
	var measuring atomic.Bool
	var wg sync.WaitGroup
	runCtx, cancel := context.WithTimeout(ctx, o.warmup+o.duration)
	defer cancel()
	results := make([]*userStats, o.users)
	for i := range o.users {
		results[i] = &userStats{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			u := &vuser{l: l, chat: int64(1_000_000 + i), stats: results[i], measuring: &measuring,
				hc: newHookConn(l.addr, l.path, l.secret)}
			defer u.hc.close()
			for runCtx.Err() == nil {
				if err := play(runCtx, u); err != nil && runCtx.Err() == nil {
					u.stats.errors = append(u.stats.errors, err.Error())
					time.Sleep(10 * time.Millisecond)
				}
			}
		}(i)
	}
	sleepCtx(runCtx, o.warmup)
	rssBase := peakRSS(cmd.Process.Pid)
	var profile *bytes.Buffer
	var profileDone chan struct{}
	if o.cpuProfile != "" {
		profile, profileDone = &bytes.Buffer{}, make(chan struct{})
		go func() {
			defer close(profileDone)
			resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", botAddr, int(o.duration.Seconds())))
			if err == nil {
				_, _ = io.Copy(profile, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	if o.selfProfile != "" {
		f, err := os.Create(o.selfProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	srvStart := sampleServers(ctx, rdb, admin, name)
	metStart := botMetrics(botAddr)
	var perf *perfStat
	if o.perf {
		perf = startPerfStat(rolePIDs(cmd.Process.Pid, otherBackends(ctx, admin, name)))
	}
	cpuStart := sampleCPU(cmd.Process.Pid, 0, otherBackends(ctx, admin, name))
	measuring.Store(true)
	start := time.Now()
	wg.Wait()
	elapsed := time.Since(start)
	measuring.Store(false)
	if o.heapProfile != "" {
		// In use as of the last GC, made under load.
		if err := fetchTo(o.heapProfile, "http://"+botAddr+"/debug/pprof/heap"); err != nil {
			return fmt.Errorf("heap profile: %w", err)
		}
	}
	cpuEnd := sampleCPU(cmd.Process.Pid, 0, otherBackends(ctx, admin, name))
	counts := perf.stop()
	srvEnd := sampleServers(ctx, rdb, admin, name)
	metEnd := botMetrics(botAddr)
	if o.selfProfile != "" {
		pprof.StopCPUProfile()
	}
	if profileDone != nil {
		<-profileDone
		if err := os.WriteFile(o.cpuProfile, profile.Bytes(), 0o644); err != nil {
			return err
		}
	}

	var lat []time.Duration
	var errs []string
	bySteps := map[string][]time.Duration{}
	for _, s := range results {
		lat = append(lat, s.latencies...)
		errs = append(errs, s.errors...)
		for i, step := range s.steps {
			bySteps[step] = append(bySteps[step], s.latencies[i])
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("scenario        %s\n", o.scenario)
	fmt.Printf("users           %d\n", o.users)
	fmt.Printf("machine gauge   %s before, %s after (fixed work on one core, best of 25 rounds; lower is faster)\n",
		gaugeBefore.Round(10*time.Nanosecond), gauge().Round(10*time.Nanosecond))
	fmt.Printf("measured        %s (after %s warm-up)\n", elapsed.Round(time.Millisecond), o.warmup)
	fmt.Printf("updates         %d\n", len(lat))
	fmt.Printf("updates/s       %.0f\n", float64(len(lat))/elapsed.Seconds())
	fmt.Printf("latency p50     %s\n", pct(0.50).Round(10*time.Microsecond))
	fmt.Printf("latency p90     %s\n", pct(0.90).Round(10*time.Microsecond))
	fmt.Printf("latency p99     %s\n", pct(0.99).Round(10*time.Microsecond))
	if len(lat) > 0 {
		fmt.Printf("latency max     %s\n", lat[len(lat)-1].Round(10*time.Microsecond))
	}
	if o.byStep {
		printSteps(bySteps)
	}
	fmt.Printf("bot peak RSS    %.1f MiB (%.1f MiB after warm-up)\n", float64(peakRSS(cmd.Process.Pid))/1024, float64(rssBase)/1024)
	shares, perUpdate := cpuReport(cpuStart, cpuEnd, elapsed.Seconds(), len(lat))
	fmt.Printf("cpu (top %%)     %s\n", shares)
	fmt.Printf("cpu per update  %s\n", perUpdate)
	redisLine, pgLine := serverReport(srvStart, srvEnd, len(lat))
	fmt.Printf("bot / update    %s\n", botMetricsReport(metStart, metEnd, len(lat)))
	if o.perf {
		fmt.Printf("syscalls, cs /u %s\n", perfReport(counts, len(lat)))
	}
	fmt.Printf("redis / update  %s\n", redisLine)
	fmt.Printf("pg / update     %s\n", pgLine)
	fmt.Printf("errors          %d\n", len(errs))
	for i, e := range errs {
		if i == 5 {
			fmt.Printf("  …\n")
			break
		}
		fmt.Printf("  %s\n", e)
	}
	return nil
}

type loader struct {
	addr, path string // the bot's webhook
	secret     string
	fake       *fakeapi.Server
	nextID     atomic.Int64
}

type userStats struct {
	latencies []time.Duration
	steps     []string // what each latency was the answer to
	errors    []string
}

// vuser is one virtual user in their own private chat.
type vuser struct {
	l         *loader
	chat      int64
	stats     *userStats
	measuring *atomic.Bool
	started   bool // has agreed to the privacy notice
	hc        *hookConn
	body      []byte // the update being sent
	step      string // what it is, for the latency by step
	stepName  string // names the next tap's step, instead of its prefix
}

// post delivers one update (u.body) and times the answer: the bot answers
// the webhook only after its replies went out, so this is the reply latency.
func (u *vuser) post(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	status, err := u.hc.post(u.body)
	d := time.Since(start)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("webhook answered %d", status)
	}
	// The answer to a tap comes back in the response: Telegram runs it.
	u.l.fake.RunWebhookResponse(u.hc.contentType, u.hc.body)
	if u.measuring.Load() {
		u.stats.latencies = append(u.stats.latencies, d)
		u.stats.steps = append(u.stats.steps, u.step)
	}
	return nil
}

func (u *vuser) say(ctx context.Context, text string) error {
	u.step = text
	u.body = fakeapi.AppendTextUpdate(u.body[:0], u.l.nextID.Add(1), u.l.nextID.Add(1), u.chat, text, time.Now())
	return u.post(ctx)
}

// tap taps the first button of the latest message with buttons whose
// callback data starts with prefix (and ends with suffix, when given).
func (u *vuser) tap(ctx context.Context, prefix string, suffix ...string) error {
	m, ok := u.l.fake.LastWithButtons(u.chat)
	if !ok {
		return errors.New("no message with buttons")
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) && (len(suffix) == 0 || strings.HasSuffix(b.CallbackData, suffix[0])) {
				var q [24]byte
				qid := append(q[:0], 'q')
				qid = strconv.AppendInt(qid, u.l.nextID.Add(1), 10)
				u.step = prefix
				if u.stepName != "" {
					u.step, u.stepName = u.stepName, ""
				}
				u.body = fakeapi.AppendTapUpdate(u.body[:0], u.l.nextID.Add(1), string(qid), u.chat, b.CallbackData, m.ID, m.Text, time.Now())
				return u.post(ctx)
			}
		}
	}
	return fmt.Errorf("no button %q on %q", prefix, m.Text)
}

var scenarios = map[string]func(ctx context.Context, u *vuser) error{
	// The whole quiz path: /quiz, the quick test, ten answers by button, the score.
	"quiz": func(ctx context.Context, u *vuser) error {
		if !u.started {
			if err := u.say(ctx, "/start"); err != nil {
				return err
			}
			if err := u.tap(ctx, "home|agree|"); err != nil {
				return err
			}
			u.started = true
		}
		if err := u.say(ctx, "/quiz"); err != nil {
			return err
		}
		if err := u.tap(ctx, "quiz|go|", "|q"); err != nil {
			return err
		}
		for i := range 10 {
			if i == 9 {
				u.stepName = "quiz|ans| 10th"
			}
			if err := u.tap(ctx, "quiz|ans|"); err != nil {
				return err
			}
		}
		return nil
	},
	// The /start-menu path: /start, consent (the first time), then the menu and help.
	"menu": func(ctx context.Context, u *vuser) error {
		if !u.started {
			if err := u.say(ctx, "/start"); err != nil {
				return err
			}
			if err := u.tap(ctx, "home|agree|"); err != nil {
				return err
			}
			u.started = true
		}
		for _, step := range []func() error{
			func() error { return u.say(ctx, "/start") },
			func() error { return u.tap(ctx, "home|help|") },
			func() error { return u.tap(ctx, "home|menu|") },
			func() error { return u.say(ctx, "/menu") },
			func() error { return u.tap(ctx, "home|help|") },
			func() error { return u.tap(ctx, "home|menu|") },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	},
}

func waitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	return errors.New("the bot did not become ready in 60 s (see -bot-log)")
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// peakRSS reads the process's peak resident set (VmHWM) in KiB.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			n, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return n
		}
	}
	return 0
}

func deleteKeys(rdb *redis.Client, prefix string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 1000 {
			rdb.Del(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

// printSteps prints the latency percentiles of each step, the slowest
// first: where the tail comes from.
func printSteps(bySteps map[string][]time.Duration) {
	type row struct {
		step          string
		n             int
		p50, p99, max time.Duration
	}
	var rows []row
	for step, lat := range bySteps {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		at := func(p float64) time.Duration {
			return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(10 * time.Microsecond)
		}
		rows = append(rows, row{step, len(lat), at(0.5), at(0.99), lat[len(lat)-1].Round(10 * time.Microsecond)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].p99 > rows[j].p99 })
	for _, r := range rows {
		fmt.Printf("  step %-14s n %7d  p50 %9s  p99 %9s  max %9s\n", r.step, r.n, r.p50, r.p99, r.max)
	}
}

// fetchTo writes what a GET of url answers to the file path.
func fetchTo(path, url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
