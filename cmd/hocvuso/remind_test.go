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

	"hocvuso/flows/report/config"
	"hocvuso/scheduler"
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

// What "remind" prints counts in plain English: "1 day", "1 delivery",
// and a digest, which has no subject, is not followed by a stray space.
func TestRemindPrintsOneAsOne(t *testing.T) {
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	annual, _ := cfg.Period("annual-2026")
	hcm := config.Location
	due := time.Date(2026, 11, 10, 0, 0, 0, 0, hcm)
	day := func(d int) time.Time { return due.AddDate(0, 0, d).Add(8 * time.Hour) }
	occ := func(kind scheduler.Kind, id string, d int) scheduler.Occurrence {
		o := scheduler.Occurrence{Rule: &scheduler.Rule{ID: id, Kind: kind}, At: day(d), SendAt: day(d)}
		if kind != scheduler.KindDigest {
			o.Period, o.Due, o.UnitKinds = annual, due, []config.Kind{config.KindDepartment}
		}
		return o
	}
	for o, want := range map[*scheduler.Occurrence]string{
		ptr(occ(scheduler.KindDeadline, "deadline", -1)):    "1 day before the due date, not submitted",
		ptr(occ(scheduler.KindDeadline, "deadline", -7)):    "7 days before the due date, not submitted",
		ptr(occ(scheduler.KindOverdue, "overdue", 1)):       "1 day late, not submitted",
		ptr(occ(scheduler.KindOverdue, "overdue", 3)):       "3 days late, not submitted",
		ptr(occ(scheduler.KindEscalation, "escalation", 1)): "1 day after the due date, an official",
	} {
		if got := why(*o); got != want {
			t.Errorf("why %s at %s = %q, want %q", o.Rule.ID, o.At, got, want)
		}
	}

	var out bytes.Buffer
	printPreview(&out, []scheduler.Preview{{Occurrence: occ(scheduler.KindOverdue, "overdue", 1),
		Recipients: []store.PreviewRecipient{{UserID: 1, Lang: "vi", Channel: "telegram", ChatID: "5", UnitCode: "SNV", UnitName: "Sở Nội vụ"}}}},
		day(1), day(1).Add(-12*time.Hour), hcm)
	if s := out.String(); !strings.Contains(s, "  1 day late, not submitted\n") || !strings.HasSuffix(s, "\n1 delivery would be planned (dry run: nothing planned)\n") {
		t.Errorf("dry run:\n%s", s)
	}
	out.Reset()
	printPlanned(&out, []scheduler.Planned{
		{Occurrence: occ(scheduler.KindDigest, "weekly-digest", 13), Deliveries: 1, Fresh: true},
		{Occurrence: occ(scheduler.KindOverdue, "overdue", 3), Deliveries: 0, Fresh: true},
	}, day(13), hcm)
	want := "as if it were 2026-11-23 08:00 (Asia/Ho_Chi_Minh)\n" +
		"weekly-digest 2026-11-23 08:00: 1 delivery planned\n" +
		"overdue 2026-11-13 08:00 annual-2026:department: 0 deliveries planned\n" +
		"1 delivery planned\n"
	if out.String() != want {
		t.Errorf("planned:\n%s\nwant:\n%s", out.String(), want)
	}
}

func ptr[T any](v T) *T { return &v }

// A dry run shows every occurrence due, one with nobody to send to
// included (no focal point registered yet, no official), as the planning
// shows "0 deliveries planned": an empty table would not tell a rule that
// fires for nobody from one that does not fire. Nothing due at all is
// said in a line, not shown as bare headers.
func TestRemindDryRunShowsAnOccurrenceWithNobodyToSendTo(t *testing.T) {
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	annual, _ := cfg.Period("annual-2026")
	hcm := config.Location
	due := time.Date(2026, 11, 10, 0, 0, 0, 0, hcm)
	at := due.AddDate(0, 0, 1).Add(8 * time.Hour)
	esc := scheduler.Occurrence{Rule: &scheduler.Rule{ID: "escalation", Kind: scheduler.KindEscalation}, At: at, SendAt: at,
		Period: annual, Due: due, UnitKinds: []config.Kind{config.KindDepartment}}
	var out bytes.Buffer
	printPreview(&out, []scheduler.Preview{{Occurrence: esc}}, at, at.Add(-12*time.Hour), hcm)
	if !regexp.MustCompile(`\nescalation +2026-11-11 08:00 +- +annual-2026 +2026-11-10 +nobody +1 day after the due date, an official\n`).MatchString(out.String()) ||
		!strings.HasSuffix(out.String(), "\n0 deliveries would be planned (dry run: nothing planned)\n") {
		t.Errorf("dry run of an occurrence for nobody:\n%s", out.String())
	}

	out.Reset()
	printPreview(&out, nil, at, at.Add(-12*time.Hour), hcm)
	want := "as if it were 2026-11-11 08:00 (Asia/Ho_Chi_Minh); occurrences after 2026-11-10 20:00\n" +
		"no rule falls due then\n" +
		"0 deliveries would be planned (dry run: nothing planned)\n"
	if out.String() != want {
		t.Errorf("dry run with nothing due:\n%s\nwant:\n%s", out.String(), want)
	}
}
