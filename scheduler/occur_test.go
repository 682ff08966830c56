package scheduler

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hocvuso/flows/report/config"
)

func embeddedConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, hcm)
	if err != nil {
		panic(err)
	}
	return t
}

// describe writes occurrences one a line: "send time rule subject (days left)".
func describe(os []Occurrence) string {
	var b strings.Builder
	for _, o := range os {
		fmt.Fprintf(&b, "%s %s %s", o.SendAt.In(hcm).Format("2006-01-02 15:04"), o.Rule.ID, o.Subject())
		if o.Period != nil {
			fmt.Fprintf(&b, " left=%d", o.DaysLeft())
		}
		if !o.SendAt.Equal(o.At) {
			fmt.Fprintf(&b, " (due %s)", o.At.In(hcm).Format("2006-01-02 15:04"))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestDeadlineAndOverdueOccurrencesOfTheAnnualReport(t *testing.T) {
	rs, err := LoadRules("", hcm)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := embeddedConfig(t).Period("annual-2025")
	var got []string
	for _, o := range rs.Between([]*config.Period{p}, at("2025-10-01 00:00"), at("2025-12-31 00:00")) {
		if o.Period != nil && (o.UnitKinds[0] == config.KindCommune || o.Rule.Kind == KindEscalation) {
			got = append(got, describe([]Occurrence{o}))
		}
	}
	want := []string{
		"2025-10-27 08:00 deadline annual-2025:commune left=14\n",
		"2025-11-03 08:00 deadline annual-2025:commune left=7\n",
		"2025-11-07 08:00 deadline annual-2025:commune left=3\n",
		"2025-11-09 08:00 deadline annual-2025:commune left=1\n",
		"2025-11-10 08:00 deadline annual-2025:commune left=0\n",
		"2025-11-11 08:00 escalation annual-2025@2025-11-10 left=-1\n",
		"2025-11-13 08:00 overdue annual-2025:commune left=-3\n",
		"2025-11-16 08:00 overdue annual-2025:commune left=-6\n",
		"2025-11-19 08:00 overdue annual-2025:commune left=-9\n",
		"2025-11-22 08:00 overdue annual-2025:commune left=-12\n",
		"2025-11-25 08:00 overdue annual-2025:commune left=-15\n",
	}
	if strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("occurrences:\n%s\nwant:\n%s", strings.Join(got, ""), strings.Join(want, ""))
	}
}

func TestPerKindDueDatesAndPeriodsNotYetOpen(t *testing.T) {
	rs, err := LoadRules("", hcm)
	if err != nil {
		t.Fatal(err)
	}
	// plan-2025 opens on 21/6 and is due on 30/6, on 30/7 for communes:
	// 14 days before 30/6 it cannot be filled in yet, so no reminder.
	p, _ := embeddedConfig(t).Period("plan-2025")
	var got strings.Builder
	for _, o := range rs.Between([]*config.Period{p}, at("2025-06-01 00:00"), at("2025-08-01 00:00")) {
		if o.Rule.Kind == KindOverdue || o.Period == nil {
			continue
		}
		if o.Rule.Kind == KindDeadline && o.UnitKinds[0] != config.KindDepartment && o.UnitKinds[0] != config.KindCommune {
			continue
		}
		got.WriteString(describe([]Occurrence{o}))
	}
	want := `2025-06-23 08:00 deadline plan-2025:department left=7
2025-06-27 08:00 deadline plan-2025:department left=3
2025-06-29 08:00 deadline plan-2025:department left=1
2025-06-30 08:00 deadline plan-2025:department left=0
2025-07-01 08:00 escalation plan-2025@2025-06-30 left=-1
2025-07-16 08:00 deadline plan-2025:commune left=14
2025-07-23 08:00 deadline plan-2025:commune left=7
2025-07-27 08:00 deadline plan-2025:commune left=3
2025-07-29 08:00 deadline plan-2025:commune left=1
2025-07-30 08:00 deadline plan-2025:commune left=0
2025-07-31 08:00 escalation plan-2025@2025-07-30 left=-1
`
	if got.String() != want {
		t.Errorf("occurrences:\n%s\nwant:\n%s", got.String(), want)
	}
	// The escalation of 30/6 is about every kind but communes.
	for _, o := range rs.Between([]*config.Period{p}, at("2025-07-01 00:00"), at("2025-07-01 08:00")) {
		if o.Rule.Kind == KindEscalation && (len(o.UnitKinds) != 6 || o.Subject() != "plan-2025@2025-06-30") {
			t.Errorf("escalation of 30/6: %+v", o.UnitKinds)
		}
	}
}

func TestQuietHoursMoveOccurrencesToTheMorning(t *testing.T) {
	rs, err := parse(t, `quiet_hours: {from: "21:00", until: "07:00"}
catch_up: 1h
rules:
  - {id: late, kind: deadline, days_before: [1], at: "22:30"}
  - {id: early, kind: escalation, days_after: 1, at: "06:59"}
  - {id: edge, kind: escalation, days_after: 2, at: "21:00"}
  - {id: open, kind: escalation, days_after: 3, at: "20:59"}
  - {id: morning, kind: escalation, days_after: 4, at: "07:00"}
  - {id: night, kind: digest, cron: "30 2 * * *"}
`)
	if err != nil {
		t.Fatal(err)
	}
	p := &config.Period{ID: "p", OpensAt: at("2025-01-01 00:00"), Due: at("2025-03-10 00:00"), Kinds: []config.Kind{config.KindCommune}}
	got := describe(rs.Between([]*config.Period{p}, at("2025-03-09 00:00"), at("2025-03-15 00:00")))
	want := `2025-03-09 07:00 night  (due 2025-03-09 02:30)
2025-03-10 07:00 late p:commune left=1 (due 2025-03-09 22:30)
2025-03-10 07:00 night  (due 2025-03-10 02:30)
2025-03-11 07:00 night  (due 2025-03-11 02:30)
2025-03-11 07:00 early p@2025-03-10 left=-1 (due 2025-03-11 06:59)
2025-03-12 07:00 night  (due 2025-03-12 02:30)
2025-03-13 07:00 edge p@2025-03-10 left=-2 (due 2025-03-12 21:00)
2025-03-13 07:00 night  (due 2025-03-13 02:30)
2025-03-13 20:59 open p@2025-03-10 left=-3
2025-03-14 07:00 night  (due 2025-03-14 02:30)
2025-03-14 07:00 morning p@2025-03-10 left=-4
`
	if got != want {
		t.Errorf("occurrences:\n%s\nwant:\n%s", got, want)
	}
}

func TestQuietHoursWithoutMidnightAndInAZoneWithDaylightSaving(t *testing.T) {
	// A window within one day: 12:00-13:30.
	lunch := &QuietHours{From: Clock{12, 0}, Until: Clock{13, 30}}
	for in, want := range map[string]string{
		"2025-05-05 11:59": "2025-05-05 11:59",
		"2025-05-05 12:00": "2025-05-05 13:30",
		"2025-05-05 13:29": "2025-05-05 13:30",
		"2025-05-05 13:30": "2025-05-05 13:30",
	} {
		if got := lunch.Shift(at(in)).Format("2006-01-02 15:04"); got != want {
			t.Errorf("Shift(%s) = %s, want %s", in, got, want)
		}
	}
	// Europe/Paris moves its clocks on 30/3/2025 at 02:00: the night is an
	// hour shorter, and the morning is still 07:00 on the wall clock.
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	night := &QuietHours{From: Clock{21, 0}, Until: Clock{7, 0}}
	got := night.Shift(time.Date(2025, 3, 29, 23, 0, 0, 0, paris))
	if want := time.Date(2025, 3, 30, 7, 0, 0, 0, paris); !got.Equal(want) || got.Hour() != 7 {
		t.Errorf("Shift across the change = %v, want %v", got, want)
	}
	// Asia/Ho_Chi_Minh has no daylight saving: a night is always 10 hours.
	for d := range 365 {
		start := time.Date(2025, 1, 1+d, 21, 0, 0, 0, hcm)
		if got := night.Shift(start).Sub(start); got != 10*time.Hour {
			t.Fatalf("night of %s lasts %s", start.Format(time.DateOnly), got)
		}
	}
}

func TestBetweenTakesTheWindowOpenAtTheStartClosedAtTheEnd(t *testing.T) {
	rs, err := LoadRules("", hcm)
	if err != nil {
		t.Fatal(err)
	}
	monday := at("2025-11-03 08:00")
	count := func(from, to time.Time) int {
		n := 0
		for _, o := range rs.Between(nil, from, to) {
			if o.Rule.ID == "weekly-digest" {
				n++
			}
		}
		return n
	}
	if n := count(monday.Add(-time.Minute), monday); n != 1 {
		t.Errorf("window ending at 08:00: %d digests, want 1", n)
	}
	if n := count(monday, monday.Add(time.Hour)); n != 0 {
		t.Errorf("window starting at 08:00: %d digests, want 0", n)
	}
	if n := count(monday.Add(-rs.CatchUp), monday.Add(-time.Second)); n != 0 {
		t.Errorf("window before it: %d digests, want 0", n)
	}
}
