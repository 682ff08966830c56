package scheduler

import (
	"errors"
	"strings"
	"testing"
	"time"

	"hocvuso/flows/report/config"
	"hocvuso/internal/yamlcheck"
)

var hcm = config.Location

func parse(t *testing.T, text string) (*Rules, error) {
	t.Helper()
	return ParseRules(yamlcheck.File{Name: "rules.yaml", Data: []byte(text)}, hcm)
}

func TestEmbeddedRulesAreTheIssueDefaults(t *testing.T) {
	rs, err := LoadRules("", hcm)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Quiet == nil || rs.Quiet.From != (Clock{21, 0}) || rs.Quiet.Until != (Clock{7, 0}) {
		t.Errorf("quiet hours %+v, want 21:00-07:00", rs.Quiet)
	}
	if rs.CatchUp != 12*time.Hour {
		t.Errorf("catch_up %s", rs.CatchUp)
	}
	want := map[string]Kind{"deadline": KindDeadline, "overdue": KindOverdue, "weekly-digest": KindDigest, "escalation": KindEscalation, "learning-nudge": KindNudge}
	if len(rs.Rules) != len(want) {
		t.Fatalf("%d rules, want %d", len(rs.Rules), len(want))
	}
	for id, kind := range want {
		r, ok := rs.Rule(id)
		if !ok || r.Kind != kind {
			t.Errorf("rule %s: %+v", id, r)
		}
	}
	d, _ := rs.Rule("deadline")
	if got := d.DaysBefore; len(got) != 5 || got[0] != 14 || got[1] != 7 || got[2] != 3 || got[3] != 1 || got[4] != 0 || d.At != (Clock{8, 0}) {
		t.Errorf("deadline rule %+v", d)
	}
	o, _ := rs.Rule("overdue")
	if o.EveryDays != 3 || o.Times != 5 || o.At != (Clock{8, 0}) {
		t.Errorf("overdue rule %+v", o)
	}
	w, _ := rs.Rule("weekly-digest")
	if w.Cron != "0 8 * * MON" {
		t.Errorf("digest cron %q", w.Cron)
	}
}

func TestRulesProblemsNameTheirLine(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string // each a problem line, in order
	}{
		{"not yaml", "catch_up: 1h\nrules: [\n", []string{"rules.yaml:2: not valid YAML"}},
		{"empty", "", []string{"rules.yaml: the file is empty"}},
		{"unknown top field", "catch_up: 1h\nrules: []\nwhen: now\n", []string{"rules.yaml:3: field when: unknown field"}},
		{"missing rules", "catch_up: 1h\n", []string{"rules.yaml:1: field rules: is missing"}},
		{"catch up out of range", "catch_up: 30s\nrules: []\n", []string{"rules.yaml:1: field catch_up: 30s is out of range"}},
		{"catch up not a duration", "catch_up: soon\nrules: []\n", []string{`rules.yaml:1: field catch_up: "soon" is not a duration`}},
		{"quiet hours same", "quiet_hours: {from: \"07:00\", until: \"07:00\"}\ncatch_up: 1h\nrules: []\n",
			[]string{"rules.yaml:1: field quiet_hours: from and until are the same time"}},
		{"quiet hours bad clock", "quiet_hours: {from: \"25:00\", until: \"07:00\"}\ncatch_up: 1h\nrules: []\n",
			[]string{`rules.yaml:1: field quiet_hours.from: "25:00" is not a time of day`}},
		{"unknown kind", "catch_up: 1h\nrules:\n  - id: a\n    kind: sms\n", []string{`rules.yaml:4: rule "a": field kind: "sms" is not a kind of rule`}},
		{"bad id", "catch_up: 1h\nrules:\n  - id: Big Rule\n    kind: digest\n    cron: \"0 8 * * MON\"\n",
			[]string{`rules.yaml:3: rules[0]: field id: "Big Rule" is not an id`}},
		{"duplicate id", "catch_up: 1h\nrules:\n  - {id: a, kind: digest, cron: \"0 8 * * MON\"}\n  - {id: a, kind: nudge, cron: \"0 9 * * SAT\"}\n",
			[]string{`rules.yaml:4: rule "a": field id: is used twice (first at line 3)`}},
		{"id of the notices", "catch_up: 1h\nrules:\n  - {id: report-amended, kind: digest, cron: \"0 8 * * MON\"}\n",
			[]string{`rules.yaml:3: rule "report-amended": field id: is taken by the officials' notices of reports`}},
		{"missing field of kind", "catch_up: 1h\nrules:\n  - id: d\n    kind: deadline\n    at: \"08:00\"\n",
			[]string{`rules.yaml:3: rule "d": field days_before: is missing`}},
		{"field of another kind", "catch_up: 1h\nrules:\n  - id: d\n    kind: digest\n    cron: \"0 8 * * MON\"\n    at: \"08:00\"\n",
			[]string{`rules.yaml:6: rule "d": field at: is not a field of a digest rule`}},
		{"days before repeated and negative", "catch_up: 1h\nrules:\n  - id: d\n    kind: deadline\n    at: \"08:00\"\n    days_before: [7, 7, -1]\n",
			[]string{`rules.yaml:6: rule "d": field days_before[1]: 7 is given twice`, `rules.yaml:6: rule "d": field days_before[2]: -1 is out of range`}},
		{"days before empty", "catch_up: 1h\nrules:\n  - id: d\n    kind: deadline\n    at: \"08:00\"\n    days_before: []\n",
			[]string{`rules.yaml:6: rule "d": field days_before: is empty`}},
		{"times zero", "catch_up: 1h\nrules:\n  - {id: o, kind: overdue, at: \"08:00\", every_days: 3, times: 0}\n",
			[]string{`rules.yaml:3: rule "o": field times: 0 is out of range: give 1 to 20`}},
		{"unit kind unknown", "catch_up: 1h\nrules:\n  - {id: o, kind: overdue, at: \"08:00\", every_days: 3, times: 2, unit_kinds: [school]}\n",
			[]string{`rules.yaml:3: rule "o": field unit_kinds[0]: "school" is not a kind of unit`}},
		{"cron broken", "catch_up: 1h\nrules:\n  - {id: w, kind: digest, cron: \"0 8 * *\"}\n",
			[]string{`rules.yaml:3: rule "w": field cron: "0 8 * *" is not a cron schedule`}},
		{"cron with zone", "catch_up: 1h\nrules:\n  - {id: w, kind: digest, cron: \"CRON_TZ=UTC 0 8 * * MON\"}\n",
			[]string{`rules.yaml:3: rule "w": field cron: "CRON_TZ=UTC 0 8 * * MON" names a time zone`}},
		{"cron every minute", "catch_up: 1h\nrules:\n  - {id: w, kind: digest, cron: \"* 8 * * MON\"}\n",
			[]string{`rules.yaml:3: rule "w": field cron: "* 8 * * MON" fires more often than once an hour`}},
		{"cron interval", "catch_up: 1h\nrules:\n  - {id: w, kind: digest, cron: \"@every 2h\"}\n",
			[]string{`rules.yaml:3: rule "w": field cron: "@every 2h" is an interval`}},
		{"cron never", "catch_up: 1h\nrules:\n  - {id: w, kind: digest, cron: \"0 8 30 2 *\"}\n",
			[]string{`rules.yaml:3: rule "w": field cron: "0 8 30 2 *" never fires`}},
		{"alias", "catch_up: 1h\nx: &a \"08:00\"\nrules:\n  - {id: e, kind: escalation, days_after: 1, at: *a}\n",
			[]string{"rules.yaml:2: field x: unknown field", `rules.yaml:4: rule "e": field at: anchors and aliases`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parse(t, c.text)
			var perr *yamlcheck.Error
			if !errors.As(err, &perr) {
				t.Fatalf("err = %v, want a *yamlcheck.Error", err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(c.want) {
				t.Fatalf("problems:\n%s\nwant %d of them: %q", err, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("problem %d = %q, want it to start with %q", i, lines[i], w)
				}
			}
		})
	}
}

func TestRulesWithoutQuietHoursAndWithUnitKinds(t *testing.T) {
	rs, err := parse(t, `catch_up: 2h
rules:
  - id: communes-only
    kind: deadline
    days_before: [2]
    at: "22:30"
    unit_kinds: [commune]
  - id: weekly
    kind: nudge
    cron: "@weekly"
`)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Quiet != nil {
		t.Errorf("quiet hours %+v, want none", rs.Quiet)
	}
	r := rs.Rules[0]
	if r.At != (Clock{22, 30}) || len(r.UnitKinds) != 1 || r.UnitKinds[0] != config.KindCommune || r.Line != 3 {
		t.Errorf("rule %+v", r)
	}
}

// FuzzParseRules: whatever the file, parsing ends with rules or an error
// listing problems, never a panic; and accepted rules are usable.
func FuzzParseRules(f *testing.F) {
	f.Add(string(embeddedRules))
	f.Add("catch_up: 1h\nrules:\n  - {id: w, kind: digest, cron: \"TZ=\"}\n")
	f.Add("catch_up: 1h\nrules:\n  - {id: w, kind: digest, cron: \"0 0 31 2 *\"}\n")
	f.Add("quiet_hours: {from: \"23:59\", until: \"00:00\"}\ncatch_up: 7h\nrules: [{id: x, kind: overdue, at: \"00:00\", every_days: 60, times: 20}]\n")
	f.Add("rules: &r [*r]\n")
	periods := []*config.Period{{ID: "p", OpensAt: time.Date(2025, 1, 1, 0, 0, 0, 0, hcm), Due: time.Date(2025, 3, 1, 0, 0, 0, 0, hcm), Kinds: config.Kinds}}
	f.Fuzz(func(t *testing.T, text string) {
		rs, err := ParseRules(yamlcheck.File{Name: "f.yaml", Data: []byte(text)}, hcm)
		if err != nil {
			var perr *yamlcheck.Error
			if !errors.As(err, &perr) || len(perr.Problems) == 0 {
				t.Fatalf("error %v is not a list of problems", err)
			}
			return
		}
		from := time.Date(2025, 2, 1, 0, 0, 0, 0, hcm)
		for _, o := range rs.Between(periods, from, from.AddDate(0, 2, 0)) {
			if rs.Quiet.Contains(o.SendAt) {
				t.Fatalf("occurrence %v of %s sent within the quiet hours", o.SendAt, o.Rule.ID)
			}
			if o.SendAt.Before(o.At) {
				t.Fatalf("occurrence %v sent before its time %v", o.SendAt, o.At)
			}
		}
	})
}
