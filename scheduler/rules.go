package scheduler

import (
	_ "embed"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"hocvuso/flows/report/config"
	"hocvuso/internal/yamlcheck"
	"hocvuso/store"
)

// Kind is what a rule sends, and to whom.
type Kind string

// The kinds of rule.
const (
	// KindDeadline reminds the focal points of units that have not
	// submitted a period's report, days before its due date.
	KindDeadline Kind = "deadline"
	// KindOverdue reminds them once late, every few days, a few times.
	KindOverdue Kind = "overdue"
	// KindDigest sends the officials their digest on a cron schedule.
	KindDigest Kind = "digest"
	// KindEscalation sends the officials the late units after a due date.
	KindEscalation Kind = "escalation"
	// KindNudge sends the citizens who asked for it a learning nudge.
	KindNudge Kind = "nudge"
)

var kinds = []Kind{KindDeadline, KindOverdue, KindDigest, KindEscalation, KindNudge}

// Clock is a time of day, local to the rules' zone.
type Clock struct{ Hour, Minute int }

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// minutes is the clock as minutes after midnight.
func (c Clock) minutes() int { return c.Hour*60 + c.Minute }

// On is the clock on the day of date (its year, month and day), in loc.
func (c Clock) On(date time.Time, loc *time.Location) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d, c.Hour, c.Minute, 0, 0, loc)
}

// QuietHours is the part of each night when nothing is sent.
type QuietHours struct {
	From, Until Clock
}

// Rule is one rule of the file.
type Rule struct {
	ID   string
	Kind Kind
	// Line is where the rule starts in its file.
	Line int
	// DaysBefore lists the days before the due date (deadline), 0 being the
	// due date itself.
	DaysBefore []int
	// EveryDays and Times space the overdue reminders: at due + EveryDays,
	// + 2×EveryDays…, Times of them.
	EveryDays, Times int
	// DaysAfter is the day of the escalation, after the due date.
	DaysAfter int
	// At is the time of day of deadline, overdue and escalation rules.
	At Clock
	// Cron is the schedule of digest and nudge rules, as written.
	Cron     string
	schedule cron.Schedule
	// UnitKinds limits a deadline or overdue rule to some kinds of unit;
	// empty means every kind.
	UnitKinds []config.Kind
}

// Rules is a checked rules file.
type Rules struct {
	// Location is BOT_TIMEZONE: every clock and cron is read there.
	Location *time.Location
	// Quiet is nil when the file sets no quiet hours.
	Quiet *QuietHours
	// CatchUp is how long after its time an occurrence is still planned.
	CatchUp time.Duration
	Rules   []*Rule
}

// Rule returns a rule by id.
func (rs *Rules) Rule(id string) (*Rule, bool) {
	for _, r := range rs.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}

//go:embed rules.yaml
var embeddedRules []byte

// EmbeddedRulesName names the built-in rules file in messages.
const EmbeddedRulesName = "scheduler/rules.yaml"

// LoadRules reads the rules file at path, or the embedded one when path is
// empty, and checks it. Times are read in loc.
func LoadRules(path string, loc *time.Location) (*Rules, error) {
	if path == "" {
		return ParseRules(yamlcheck.File{Name: EmbeddedRulesName, Data: embeddedRules}, loc)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reminder rules: %w", err)
	}
	return ParseRules(yamlcheck.File{Name: path, Data: data}, loc)
}

// Bounds of the file's values.
const (
	maxRules      = 50
	maxDaysBefore = 366
	maxEveryDays  = 60
	maxTimes      = 20
	maxDaysAfter  = 60
	minCatchUp    = time.Minute
	maxCatchUp    = 7 * 24 * time.Hour
	// minCronGap is the least time between two occurrences of a cron rule:
	// a schedule firing every minute would flood every recipient.
	minCronGap = time.Hour
)

var (
	ruleIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	clockRE  = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)
)

// cronParser reads the five standard fields and descriptors (@weekly).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseRules reads and checks a rules file. Any problem makes it fail with
// a *yamlcheck.Error listing every problem, each with its line.
func ParseRules(f yamlcheck.File, loc *time.Location) (rs *Rules, err error) {
	defer func() {
		// The YAML and cron parsers are not ours: bad input is an error,
		// never a crash.
		if r := recover(); r != nil {
			rs, err = nil, &yamlcheck.Error{Problems: []yamlcheck.Problem{{File: f.Name, Msg: fmt.Sprintf("cannot read the file: %v", r)}}}
		}
	}()
	if loc == nil {
		loc = time.UTC
	}
	p := &rulesParser{Cursor: yamlcheck.Cursor{Errs: &yamlcheck.Error{}, File: f.Name}}
	rs = &Rules{Location: loc}
	root := yamlcheck.Decode(p.Errs, f)
	if root != nil && p.IsMapping(root, "", "") {
		has := p.Fields(root, "", "", func(key string, _, v *yaml.Node) bool {
			switch key {
			case "quiet_hours":
				rs.Quiet = p.quiet(v)
			case "catch_up":
				rs.CatchUp = p.duration(v, "", "catch_up", minCatchUp, maxCatchUp)
			case "rules":
				rs.Rules = p.rules(v)
			default:
				return false
			}
			return true
		})
		p.Required(root, "", "", has, "catch_up", "rules")
	}
	if len(p.Errs.Problems) > 0 {
		return nil, p.Errs
	}
	return rs, nil
}

type rulesParser struct {
	yamlcheck.Cursor
}

func (p *rulesParser) scalar(n *yaml.Node, subject, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.Add(n, subject, field, "must be a single value, not %s", yamlcheck.KindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *rulesParser) clock(n *yaml.Node, subject, field string) Clock {
	s, ok := p.scalar(n, subject, field)
	if !ok {
		return Clock{}
	}
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		p.Add(n, subject, field, "%q is not a time of day written like \"08:00\" (00:00 to 23:59, in quotes)", s)
		return Clock{}
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	return Clock{h, mm}
}

func (p *rulesParser) integer(n *yaml.Node, subject, field string, lo, hi int) (int, bool) {
	s, ok := p.scalar(n, subject, field)
	if !ok {
		return 0, false
	}
	k, err := strconv.Atoi(s)
	if err != nil || n.Tag != "!!int" {
		p.Add(n, subject, field, "%q is not a whole number", s)
		return 0, false
	}
	if k < lo || k > hi {
		p.Add(n, subject, field, "%d is out of range: give %d to %d", k, lo, hi)
		return 0, false
	}
	return k, true
}

func (p *rulesParser) duration(n *yaml.Node, subject, field string, lo, hi time.Duration) time.Duration {
	s, ok := p.scalar(n, subject, field)
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.Add(n, subject, field, "%q is not a duration like 12h or 90m", s)
		return 0
	}
	if d < lo || d > hi {
		p.Add(n, subject, field, "%s is out of range: give %s to %s", d, lo, hi)
		return 0
	}
	return d
}

func (p *rulesParser) list(n *yaml.Node, subject, field string, each func(n *yaml.Node, field string)) {
	if n.Kind != yaml.SequenceNode {
		p.Add(n, subject, field, "must be a list (lines starting with \"- \", or [a, b]), not %s", yamlcheck.KindName(n))
		return
	}
	for i, item := range n.Content {
		name := fmt.Sprintf("%s[%d]", field, i)
		if item.Kind == yaml.AliasNode {
			p.Add(item, subject, name, "anchors and aliases (*name) are not allowed; write the value out")
			continue
		}
		each(item, name)
	}
}

func (p *rulesParser) quiet(n *yaml.Node) *QuietHours {
	if !p.IsMapping(n, "", "quiet_hours") {
		return nil
	}
	q := &QuietHours{}
	has := p.Fields(n, "", "quiet_hours", func(key string, _, v *yaml.Node) bool {
		switch key {
		case "from":
			q.From = p.clock(v, "", "quiet_hours.from")
		case "until":
			q.Until = p.clock(v, "", "quiet_hours.until")
		default:
			return false
		}
		return true
	})
	p.Required(n, "", "quiet_hours", has, "from", "until")
	if has["from"] && has["until"] && q.From == q.Until {
		p.Add(n, "", "quiet_hours", "from and until are the same time; remove quiet_hours to send at any hour")
	}
	return q
}

func (p *rulesParser) rules(n *yaml.Node) []*Rule {
	var out []*Rule
	seen := map[string]int{}
	p.list(n, "", "rules", func(item *yaml.Node, field string) {
		r := p.rule(item, field)
		if r == nil {
			return
		}
		if line, dup := seen[r.ID]; dup {
			p.Add(item, fmt.Sprintf("rule %q", r.ID), "id", "is used twice (first at line %d)", line)
			return
		}
		if r.ID == store.RuleReportSubmitted || r.ID == store.RuleReportAmended {
			// Their deliveries and metrics are the officials' notices.
			p.Add(item, fmt.Sprintf("rule %q", r.ID), "id", "is taken by the officials' notices of reports; choose another")
			return
		}
		seen[r.ID] = r.Line
		out = append(out, r)
	})
	if n.Kind == yaml.SequenceNode && len(out) > maxRules {
		p.Add(n, "", "rules", "%d rules; at most %d are allowed", len(out), maxRules)
	}
	return out
}

// fieldsOf lists the fields each kind needs (first) and allows.
var fieldsOf = map[Kind]struct{ required, optional []string }{
	KindDeadline:   {[]string{"days_before", "at"}, []string{"unit_kinds"}},
	KindOverdue:    {[]string{"every_days", "times", "at"}, []string{"unit_kinds"}},
	KindDigest:     {[]string{"cron"}, nil},
	KindEscalation: {[]string{"days_after", "at"}, nil},
	KindNudge:      {[]string{"cron"}, nil},
}

func (p *rulesParser) rule(n *yaml.Node, field string) *Rule {
	if !p.IsMapping(n, "", field) {
		return nil
	}
	r := &Rule{Line: n.Line}
	subject := field
	// The id and kind first: they name the rule and decide its fields.
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Value == "id" && v.Kind == yaml.ScalarNode:
			if ruleIDRE.MatchString(v.Value) {
				r.ID = v.Value
				subject = fmt.Sprintf("rule %q", r.ID)
			}
		case k.Value == "kind" && v.Kind == yaml.ScalarNode:
			r.Kind = Kind(v.Value)
		}
	}
	ok := true
	type value struct {
		key  string
		node *yaml.Node
	}
	var values []value
	has := p.Fields(n, subject, "", func(key string, _, v *yaml.Node) bool {
		switch key {
		case "id":
			if s, _ := p.scalar(v, subject, "id"); r.ID == "" {
				p.Add(v, subject, "id", "%q is not an id: 1 to 40 of a-z 0-9 _ -, starting with a letter or digit", s)
				ok = false
			}
		case "kind":
			if s, _ := p.scalar(v, subject, "kind"); !slices.Contains(kinds, Kind(s)) {
				p.Add(v, subject, "kind", "%q is not a kind of rule; give one of %s", s, kindList())
				ok = false
			}
		case "days_before", "every_days", "times", "days_after", "at", "cron", "unit_kinds":
			values = append(values, value{key, v})
		default:
			return false
		}
		return true
	})
	p.Required(n, subject, "", has, "id", "kind")
	if !ok || !has["id"] || !has["kind"] {
		return nil
	}
	want := fieldsOf[r.Kind]
	p.Required(n, subject, "", has, want.required...)
	for _, kv := range values {
		key, v := kv.key, kv.node
		if !slices.Contains(want.required, key) && !slices.Contains(want.optional, key) {
			p.Add(v, subject, key, "is not a field of a %s rule (it has %s)", r.Kind, strings.Join(append(slices.Clone(want.required), want.optional...), ", "))
			ok = false
			continue
		}
		switch key {
		case "days_before":
			r.DaysBefore = p.daysBefore(v, subject)
		case "every_days":
			r.EveryDays, _ = p.integer(v, subject, key, 1, maxEveryDays)
		case "times":
			r.Times, _ = p.integer(v, subject, key, 1, maxTimes)
		case "days_after":
			r.DaysAfter, _ = p.integer(v, subject, key, 0, maxDaysAfter)
		case "at":
			r.At = p.clock(v, subject, key)
		case "cron":
			r.Cron, r.schedule = p.cron(v, subject)
		case "unit_kinds":
			r.UnitKinds = p.unitKinds(v, subject)
		}
	}
	if !ok {
		return nil
	}
	return r
}

func kindList() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func (p *rulesParser) daysBefore(n *yaml.Node, subject string) []int {
	var out []int
	seen := map[int]bool{}
	p.list(n, subject, "days_before", func(item *yaml.Node, field string) {
		d, ok := p.integer(item, subject, field, 0, maxDaysBefore)
		if !ok {
			return
		}
		if seen[d] {
			p.Add(item, subject, field, "%d is given twice", d)
			return
		}
		seen[d] = true
		out = append(out, d)
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		p.Add(n, subject, "days_before", "is empty; give at least one number of days, 0 for the due date")
	}
	return out
}

func (p *rulesParser) unitKinds(n *yaml.Node, subject string) []config.Kind {
	var out []config.Kind
	p.list(n, subject, "unit_kinds", func(item *yaml.Node, field string) {
		s, ok := p.scalar(item, subject, field)
		if !ok {
			return
		}
		k := config.Kind(s)
		if !k.Valid() {
			names := make([]string, len(config.Kinds))
			for i, k := range config.Kinds {
				names[i] = string(k)
			}
			p.Add(item, subject, field, "%q is not a kind of unit; give one of %s", s, strings.Join(names, ", "))
			return
		}
		if slices.Contains(out, k) {
			p.Add(item, subject, field, "%q is given twice", s)
			return
		}
		out = append(out, k)
	})
	return out
}

// cron reads a schedule of the five standard fields (or a descriptor such
// as @weekly) in the rules' zone.
func (p *rulesParser) cron(n *yaml.Node, subject string) (string, cron.Schedule) {
	s, ok := p.scalar(n, subject, "cron")
	if !ok {
		return "", nil
	}
	spec := strings.TrimSpace(s)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		p.Add(n, subject, "cron", "%q names a time zone; every rule is in BOT_TIMEZONE, remove the TZ= part", s)
		return "", nil
	}
	if strings.HasPrefix(spec, "@every") {
		p.Add(n, subject, "cron", "%q is an interval, not a time of the calendar; write the five fields, like \"0 8 * * MON\"", s)
		return "", nil
	}
	sched, err := cronParser.Parse(spec)
	if err != nil {
		p.Add(n, subject, "cron", "%q is not a cron schedule (minute hour day-of-month month day-of-week, like \"0 8 * * MON\"): %v", s, err)
		return "", nil
	}
	// Two occurrences in a row, from a fixed day, tell whether it ever
	// fires and how often.
	t := sched.Next(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if t.IsZero() {
		p.Add(n, subject, "cron", "%q never fires (no such date)", s)
		return "", nil
	}
	for range 50 {
		next := sched.Next(t)
		if next.IsZero() {
			break
		}
		if next.Sub(t) < minCronGap {
			p.Add(n, subject, "cron", "%q fires more often than once an hour; every occurrence messages every recipient", s)
			return "", nil
		}
		t = next
	}
	return spec, sched
}
