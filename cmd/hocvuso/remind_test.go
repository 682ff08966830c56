package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"hocvuso/store"
)

func TestReminderConfigDefaultsAndMistakes(t *testing.T) {
	c, err := loadReminderConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.Rate != 25 || c.ChatInterval != time.Second || c.Workers != 20 || c.MaxAttempts != 8 || c.RetryBackoff != 30*time.Second ||
		c.RescueAfter != 5*time.Minute || c.PlanEvery != time.Minute || !c.Plan || c.RulesPath != "" {
		t.Errorf("defaults %+v", c)
	}
	for name, value := range map[string]string{
		"REMINDER_RATE":          "0",
		"REMINDER_CHAT_INTERVAL": "soon",
		"REMINDER_WORKERS":       "0",
		"REMINDER_MAX_ATTEMPTS":  "many",
		"REMINDER_RETRY_BACKOFF": "1ms",
		"REMINDER_RESCUE_AFTER":  "1s",
		"REMINDER_PLAN_EVERY":    "2h",
		"REMINDER_PLANNER":       "maybe",
	} {
		_, err := loadReminderConfig(func(k string) string {
			if k == name {
				return value
			}
			return ""
		})
		var ce *configError
		if !errors.As(err, &ce) || ce.name != name {
			t.Errorf("%s=%s: %v, want an error naming it", name, value, err)
		}
	}
}

// remind status names every state a delivery can be in, and refuses one it
// does not know rather than list nothing, as if all were well.
func TestRemindStatusKnowsEveryState(t *testing.T) {
	for _, st := range store.DeliveryStates {
		if !regexp.MustCompile(`\b` + st + `\b`).MatchString(remindUsage) {
			t.Errorf("the usage does not list the state %s:\n%s", st, remindUsage)
		}
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"remind", "status", "--state", "unreachabel"}, &env{
		getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr,
	})
	if code == 0 || !strings.Contains(stderr.String(), "unreachabel") || !strings.Contains(stderr.String(), strings.Join(store.DeliveryStates, ", ")) {
		t.Errorf("remind status --state unreachabel: code %d, stderr %q", code, stderr.String())
	}
}

func TestParseAtReadsLocalTimeOrAnOffset(t *testing.T) {
	hcm, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	want := time.Date(2025, 11, 3, 8, 0, 0, 0, hcm)
	for _, s := range []string{"2025-11-03T08:00", "2025-11-03 08:00", "2025-11-03T08:00:00", " 2025-11-03 08:00:00 ", "2025-11-03T01:00:00Z", "2025-11-03T08:00:00+07:00"} {
		got, err := parseAt(s, hcm)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseAt(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "tomorrow", "2025-13-01T08:00", "03/11/2025 08:00", "2025-11-03", "0001-01-01T00:00:00Z", "2101-01-01T00:00"} {
		if _, err := parseAt(s, hcm); err == nil || !strings.Contains(err.Error(), "is not a time like") {
			t.Errorf("parseAt(%q) = %v, want a plain error", s, err)
		}
	}
}

// FuzzParseAt: whatever is typed after --at, a time or a plain error.
func FuzzParseAt(f *testing.F) {
	hcm, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	for _, s := range []string{"2025-11-03T08:00", "2025-11-03T08:00:00+07:00", "2025-02-30 08:00", "9999-12-31T23:59:59Z", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseAt(s, hcm)
		if err != nil {
			if !strings.Contains(err.Error(), "is not a time like") {
				t.Fatalf("parseAt(%q): %v", s, err)
			}
			return
		}
		if got.Year() < 2000 || got.Year() > 2100 {
			t.Fatalf("parseAt(%q) = %v, out of 2000-2100", s, got)
		}
	})
}
