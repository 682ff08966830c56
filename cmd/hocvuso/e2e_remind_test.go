package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hocvuso/bot/telegram/fakeapi"
	reportconfig "hocvuso/flows/report/config"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// testRules are the reminder rules of the e2e tests: the embedded ones
// without quiet hours, so that the tests run at any hour.
const testRules = `catch_up: 12h
rules:
  - {id: deadline, kind: deadline, days_before: [14, 7, 3, 1, 0], at: "08:00"}
  - {id: overdue, kind: overdue, every_days: 3, times: 5, at: "08:00"}
`

func rulesFile(t *testing.T) string {
	t.Helper()
	return writeRules(t, testRules)
}

// enterpriseRules are testRules for enterprises only: the serves' own
// planner, on the real clock, finds no one among the tests' departments,
// whatever the date (the deliveries the tests plan keep their rules).
func enterpriseRules(t *testing.T) string {
	t.Helper()
	return writeRules(t, strings.ReplaceAll(testRules, `at: "08:00"}`, `at: "08:00", unit_kinds: [enterprise]}`))
}

func writeRules(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// seedFocalPoints makes n department units, each with a focal point on
// Telegram in chat chat0+i.
func seedFocalPoints(t *testing.T, db *store.DB, n int, chat0 int64) []int64 {
	t.Helper()
	units := make([]store.Unit, n)
	chats := make([]int64, n)
	for i := range n {
		chats[i] = chat0 + int64(i)
		units[i] = store.Unit{Code: fmt.Sprintf("SO-%d", chats[i]), Name: fmt.Sprintf("Sở số %d", i+1), Kind: "department"}
	}
	storetest.FocalPoints(t, db, units, chat0, "vi")
	return chats
}

// remind runs `hocvuso remind ARGS` in-process against a database.
func remind(t *testing.T, dbURL, rules string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	vars := map[string]string{"DATABASE_URL": dbURL, "REDIS_URL": storetest.RedisURL(), "REMINDER_RULES": rules}
	code = run(context.Background(), append([]string{"remind"}, args...), &env{getenv: func(k string) string { return vars[k] }, stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

func deliveryStates(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT state, count(*) FROM deliveries GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

func TestRemind_DryRunPreviewsThenPlansOnce(t *testing.T) {
	dbURL := storetest.NewDatabaseURL(t)
	rules := rulesFile(t)
	// The first run migrates; a dry run on an empty database lists nothing.
	code, out, errOut := remind(t, dbURL, rules, "--at", "2025-11-03T08:00", "--dry-run")
	if code != 0 || !strings.Contains(out, "0 deliveries would be planned") {
		t.Fatalf("dry run on no data: exit %d\n%s%s", code, out, errOut)
	}
	// Nothing to show is said, not shown as bare table headers.
	code, out, errOut = remind(t, dbURL, rules, "status")
	if code != 0 || !regexp.MustCompile(`^no deliveries planned since \d{4}-\d\d-\d\d \d\d:\d\d \(Asia/Ho_Chi_Minh\)\n\nno deliveries\n$`).MatchString(out) {
		t.Errorf("status on no data: exit %d\n%s%s", code, out, errOut)
	}
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	chats := seedFocalPoints(t, db, 3, 4100)

	code, out, errOut = remind(t, dbURL, rules, "--at", "2025-11-03 08:00", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"as if it were 2025-11-03 08:00 (Asia/Ho_Chi_Minh); occurrences after 2025-11-02 20:00",
		"rule      send at           unit",
		fmt.Sprintf("deadline  2025-11-03 08:00  SO-%d Sở số 1  annual-2025  2025-11-10  user 1 (vi) telegram:%d  7 days before the due date, not submitted", chats[0], chats[0]),
		"3 deliveries would be planned (dry run: nothing planned)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	if st := deliveryStates(t, db); len(st) != 0 {
		t.Fatalf("a dry run planned %v", st)
	}

	// Planning, then planning again: once.
	code, out, errOut = remind(t, dbURL, rules, "--at", "2025-11-03T08:00:00+07:00")
	if code != 0 || !strings.Contains(out, "deadline 2025-11-03 08:00 annual-2025:department: 3 deliveries planned") || !strings.HasSuffix(out, "\n3 deliveries planned\n") {
		t.Fatalf("remind: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = remind(t, dbURL, rules, "--at", "2025-11-03T09:30")
	if code != 0 || !strings.Contains(out, "annual-2025:department: planned before") || !strings.HasSuffix(out, "\n0 deliveries planned\n") {
		t.Fatalf("remind again: exit %d\n%s", code, out)
	}
	code, out, _ = remind(t, dbURL, rules, "--at", "2025-11-03T08:00", "--dry-run")
	if code != 0 || !strings.Contains(out, "planned already: nothing more to plan") {
		t.Errorf("dry run after planning:\n%s", out)
	}
	if st := deliveryStates(t, db); st[store.DeliveryPlanned] != 3 {
		t.Errorf("deliveries %v, want 3 planned", st)
	}

	code, out, _ = remind(t, dbURL, rules, "status", "--since", "1h")
	if code != 0 || !regexp.MustCompile(`deadline +2025-11-03 08:00 +annual-2025:department +planned +3\n`).MatchString(out) ||
		!regexp.MustCompile(fmt.Sprintf(`\d+ +deadline +2025-11-03 08:00 +1 +SO-%d +planned +0 +- +\n`, chats[0])).MatchString(out) {
		t.Errorf("status:\n%s", out)
	}
	code, out, _ = remind(t, dbURL, rules, "status", "--rule", "deadline", "--state", "failed")
	if code != 0 || !strings.Contains(out, "annual-2025:department  planned") || !strings.HasSuffix(out, "\n\nno deliveries of rule deadline in state failed\n") {
		t.Errorf("status of failed deadline deliveries, when there are none:\n%s", out)
	}

	// Mistakes are told plainly.
	for _, bad := range [][]string{{"--at", "tomorrow"}, {}, {"--at", "2025-11-03T08:00", "extra"}} {
		code, _, errOut = remind(t, dbURL, rules, bad...)
		if code == 0 || !strings.Contains(errOut, "usage:") && !strings.Contains(errOut, "is not a time like") {
			t.Errorf("remind %q: exit %d\n%s", bad, code, errOut)
		}
	}
	os.WriteFile(rules, []byte("catch_up: 1h\nrules:\n  - {id: d, kind: deadline, at: \"8:00\", days_before: [1]}\n"), 0o600)
	code, _, errOut = remind(t, dbURL, rules, "--at", "2025-11-03T08:00", "--dry-run")
	if code == 0 || !strings.Contains(errOut, `rules.yaml:3: rule "d": field at: "8:00" is not a time of day`) {
		t.Errorf("a broken rules file: exit %d\n%s", code, errOut)
	}
}

// messagesByChat counts the messages each chat got from any of the fakes.
func messagesByChat(chats []int64, fakes ...*fakeapi.Server) map[int64]int {
	out := map[int64]int{}
	for _, f := range fakes {
		for _, c := range chats {
			out[c] += len(f.MessagesTo(c))
		}
	}
	return out
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRemind_TwoServesOneDatabaseEveryoneRemindedOnce(t *testing.T) {
	dbURL := storetest.NewDatabaseURL(t)
	// Made before the serves, so that its keys are removed after they stop.
	prefix := storetest.NewRedis(t).Prefix
	rules := rulesFile(t)
	// The serves plan by the clock too (one of them, elected), every second.
	extra := map[string]string{"DATABASE_URL": dbURL, "REDIS_PREFIX": prefix, "REMINDER_RULES": enterpriseRules(t),
		"REMINDER_PLANNER": "on", "REMINDER_PLAN_EVERY": "1s", "LOG_LEVEL": "info"}
	a := startServe(t, false, extra)
	b := startServe(t, false, extra)
	chats := seedFocalPoints(t, a.db, 60, 4200)

	// Two operators plan the same campaign at once, with clocks a minute
	// apart; both serves send.
	var wg sync.WaitGroup
	for _, at := range []string{"2025-11-13T08:00", "2025-11-13T08:01"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, out, errOut := remind(t, dbURL, rules, "--at", at); code != 0 {
				t.Errorf("remind --at %s: exit %d\n%s%s", at, code, out, errOut)
			}
		}()
	}
	wg.Wait()
	waitUntil(t, 60*time.Second, "60 reminders sent", func() bool { return deliveryStates(t, a.db)[store.DeliverySent] == 60 })
	time.Sleep(500 * time.Millisecond) // anything extra would show now
	got := messagesByChat(chats, a.fake, b.fake)
	for _, c := range chats {
		if got[c] != 1 {
			t.Errorf("chat %d got %d reminders, want 1", c, got[c])
		}
	}
	if len(a.fake.Calls("sendMessage")) == 0 || len(b.fake.Calls("sendMessage")) == 0 {
		t.Logf("one serve sent everything: a %d, b %d", len(a.fake.Calls("sendMessage")), len(b.fake.Calls("sendMessage")))
	}
	m := a.fake.MessagesTo(chats[0])
	if len(m) == 0 {
		m = b.fake.MessagesTo(chats[0])
	}
	// Planned for 13/11/2025, three days late; sent today, it counts from today.
	late := reportconfig.DaysBetween(time.Date(2025, 11, 10, 0, 0, 0, 0, reportconfig.Location), time.Now())
	if !strings.Contains(m[0].Text, fmt.Sprintf("Đã trễ %d ngày", late)) || len(m[0].Buttons) != 1 {
		t.Errorf("reminder %+v", m[0])
	}

	// The button opens the report form: tapping it on the serve whose
	// fake showed it.
	s := a
	if len(a.fake.MessagesTo(chats[0])) == 0 {
		s = b
	}
	s.fake.UserTap(chats[0], m[0].ID, m[0].Buttons[0][0].CallbackData)
	waitUntil(t, 20*time.Second, "the report form", func() bool {
		for _, x := range s.fake.MessagesTo(chats[0]) {
			if strings.Contains(x.Text, "Sở số 1") && x.ID != m[0].ID {
				return true
			}
		}
		return false
	})

	// Metrics count them, by rule.
	resp, err := http.Get(a.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	if !strings.Contains(body.String(), `hocvuso_reminders_total{outcome="sent",rule="overdue"}`) {
		t.Errorf("metrics lack the reminders sent")
	}
}

// buildBinary builds hocvuso once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "hocvuso-remind-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "hocvuso")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// child is `hocvuso serve` as a process of its own.
type child struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
}

func startChild(t *testing.T, bin string, vars map[string]string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(bin, "serve"), stderr: &syncBuffer{}}
	c.cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range vars {
		c.cmd.Env = append(c.cmd.Env, k+"="+v)
	}
	c.cmd.Stderr = c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	})
	base := "http://" + vars["HTTP_ADDR"]
	waitUntil(t, 30*time.Second, "the child ready", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return c
}

func TestRemind_AServeKilledMidCampaignLosesNothingAndSendsOnce(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	fake := fakeapi.Start(testToken)
	t.Cleanup(fake.Close)
	redis := storetest.NewRedis(t)
	dbURL := storetest.NewDatabaseURL(t)
	rules := rulesFile(t)
	// Migrate, then seed.
	if code, out, errOut := remind(t, dbURL, rules, "--at", "2025-01-01T08:00", "--dry-run"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	chats := seedFocalPoints(t, db, 150, 4400)
	vars := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": storetest.RedisURL(), "REDIS_PREFIX": redis.Prefix,
		"TELEGRAM_TOKEN": testToken, "TELEGRAM_API_URL": fake.URL, "HTTP_ADDR": freeAddr(t),
		"REMINDER_RULES": enterpriseRules(t), "REMINDER_RATE": "25", "REMINDER_RESCUE_AFTER": "4s", "REMINDER_RETRY_BACKOFF": "100ms",
	}
	first := startChild(t, bin, vars)
	if code, out, errOut := remind(t, dbURL, rules, "--at", "2025-11-07T08:00"); code != 0 || !strings.Contains(out, "150 deliveries planned") {
		t.Fatalf("remind: exit %d\n%s%s", code, out, errOut)
	}
	// Killed without warning a second or two into the campaign (25 a second).
	waitUntil(t, 30*time.Second, "the campaign under way", func() bool { return len(fake.Calls("sendMessage")) >= 40 })
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	sentBefore := len(fake.Calls("sendMessage"))
	if sentBefore >= 150 {
		t.Fatalf("the campaign was over before the kill (%d sent)", sentBefore)
	}

	vars["HTTP_ADDR"] = freeAddr(t)
	second := startChild(t, bin, vars)
	waitUntil(t, 150*time.Second, "every reminder sent after the restart", func() bool {
		return deliveryStates(t, db)[store.DeliverySent] == 150
	})
	time.Sleep(500 * time.Millisecond)
	got := messagesByChat(chats, fake)
	// A message whose sending the kill interrupted between the API's
	// answer and our record of it is marked uncertain, and was sent again.
	uncertain := map[int64]bool{}
	rows, err := db.Pool.Query(context.Background(), `SELECT chat_id FROM deliveries WHERE uncertain`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var chat string
		if err := rows.Scan(&chat); err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.ParseInt(chat, 10, 64)
		uncertain[n] = true
	}
	rows.Close()
	if len(uncertain) > 20 { // at most the jobs running at the kill (REMINDER_WORKERS)
		t.Errorf("%d deliveries uncertain", len(uncertain))
	}
	for _, c := range chats {
		switch {
		case got[c] == 1:
		case got[c] == 2 && uncertain[c]:
			t.Logf("chat %d got its reminder twice: its sending was cut by the kill", c)
		default:
			t.Errorf("chat %d got %d reminders (uncertain %v)", c, got[c], uncertain[c])
		}
	}
	if t.Failed() {
		t.Logf("first serve:\n%s\nsecond serve:\n%s", tail(first.stderr.String()), tail(second.stderr.String()))
	}
}

func tail(s string) string {
	if len(s) > 4000 {
		return s[len(s)-4000:]
	}
	return s
}
