package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"hocvuso/flows/report/config"
	"hocvuso/scheduler"
	"hocvuso/store"
)

// reminderConfig is the scheduler's part of the environment (README.md,
// "Reminders").
type reminderConfig struct {
	RulesPath    string
	Rate         float64
	ChatInterval time.Duration
	Workers      int
	MaxAttempts  int
	RetryBackoff time.Duration
	RescueAfter  time.Duration
	PlanEvery    time.Duration
	Plan         bool
}

func loadReminderConfig(getenv func(string) string) (*reminderConfig, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := &reminderConfig{RulesPath: get("REMINDER_RULES", "")}
	rate, err := strconv.ParseFloat(get("REMINDER_RATE", "25"), 64)
	if err != nil || rate <= 0 || rate > 1000 {
		return nil, &configError{"REMINDER_RATE", "must be a number of messages per second, more than 0 and at most 1000, like 25"}
	}
	c.Rate = rate
	durations := []struct {
		name, def string
		lo, hi    time.Duration
		to        *time.Duration
	}{
		{"REMINDER_CHAT_INTERVAL", "1s", 0, time.Minute, &c.ChatInterval},
		{"REMINDER_RETRY_BACKOFF", "30s", 10 * time.Millisecond, time.Hour, &c.RetryBackoff},
		{"REMINDER_RESCUE_AFTER", "5m", 2 * time.Second, 24 * time.Hour, &c.RescueAfter},
		{"REMINDER_PLAN_EVERY", "1m", time.Second, time.Hour, &c.PlanEvery},
	}
	for _, d := range durations {
		v, err := time.ParseDuration(get(d.name, d.def))
		if err != nil || v < d.lo || v > d.hi {
			return nil, &configError{d.name, fmt.Sprintf("must be a duration from %s to %s, like %s", d.lo, d.hi, d.def)}
		}
		*d.to = v
	}
	if c.ChatInterval == 0 {
		c.ChatInterval = time.Nanosecond // no per-chat spacing
	}
	ints := []struct {
		name, def string
		lo, hi    int
		to        *int
	}{
		{"REMINDER_WORKERS", "20", 1, 1000, &c.Workers},
		{"REMINDER_MAX_ATTEMPTS", "8", 1, 100, &c.MaxAttempts},
	}
	for _, n := range ints {
		v, err := strconv.Atoi(get(n.name, n.def))
		if err != nil || v < n.lo || v > n.hi {
			return nil, &configError{n.name, fmt.Sprintf("must be a whole number from %d to %d", n.lo, n.hi)}
		}
		*n.to = v
	}
	switch get("REMINDER_PLANNER", "on") {
	case "on", "true", "1":
		c.Plan = true
	case "off", "false", "0":
	default:
		return nil, &configError{"REMINDER_PLANNER", "must be on or off"}
	}
	return c, nil
}

// newScheduler sets the scheduler up over the app; work false only plans.
func (a *app) newScheduler(work bool) (*scheduler.Scheduler, error) {
	rc := a.cfg.Reminders
	rules, err := scheduler.LoadRules(rc.RulesPath, a.cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("REMINDER_RULES: %w", err)
	}
	reports, err := config.Embedded()
	if err != nil {
		return nil, err
	}
	return scheduler.New(scheduler.Config{
		DB: a.db, Redis: a.rdb, RedisPrefix: a.cfg.RedisPrefix,
		Rules: rules, Reports: reports, Text: a.cat, Reach: a.reach, Digests: a.digests, Menus: a, Log: a.log,
		Rate: rc.Rate, ChatInterval: rc.ChatInterval, Workers: rc.Workers, MaxAttempts: rc.MaxAttempts,
		RetryBackoff: rc.RetryBackoff, RescueAfter: rc.RescueAfter, PlanEvery: rc.PlanEvery, Plan: rc.Plan,
	}, work)
}

// Stopping the scheduler: a Telegram or Zalo send takes a few seconds at
// most, so the deliveries under way get schedulerSoftStop to finish; those
// still running are then cancelled and held back, which takes milliseconds,
// all within the 10 s a container is usually given after SIGTERM.
const (
	schedulerSoftStop = 5 * time.Second
	schedulerStop     = 8 * time.Second
)

// startScheduler starts sending reminders and the officials' notices of
// reports (and planning reminders, when this replica is elected) once the
// channels are set up. Cancelling ctx does not stop it: stop does, letting
// the deliveries under way finish first; it may be called more than once,
// and returns once the scheduler has stopped.
func (a *app) startScheduler(ctx context.Context) (stop func(), err error) {
	s, err := a.newScheduler(true)
	if err != nil {
		return nil, err
	}
	if err := s.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	return sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), schedulerStop)
		defer cancel()
		if err := s.Stop(ctx, schedulerSoftStop); err != nil {
			a.log.Warn("scheduler stop", "err", err)
		}
	}), nil
}

const remindUsage = `usage:
  hocvuso remind --at TIME [--dry-run]
      evaluate the reminder rules as if it were TIME (2025-11-03T08:00, local
      time in BOT_TIMEZONE, or RFC 3339) and plan their deliveries, once:
      running it again plans nothing more. The deliveries go out from the
      serve processes. --dry-run prints who would be reminded and why,
      without planning.
  hocvuso remind status [--rule ID] [--state STATE] [--limit N] [--since DURATION]
      the occurrences planned since DURATION ago (default 168h), counted by
      state, and the last deliveries (of a rule, in a state: planned, sending,
      sent, cancelled, blocked, unreachable, failed) with the reason of their
      state.`

func runRemind(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "status" {
		return runRemindStatus(ctx, e, args[1:])
	}
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	at := fs.String("at", "", "")
	dry := fs.Bool("dry-run", false, "")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(e.stdout, remindUsage)
		return nil
	}
	if err != nil || *at == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, remindUsage)
		if err == nil {
			err = errors.New("remind: --at TIME is required")
		}
		return err
	}
	cfg, err := LoadConfig(e.getenv)
	if err != nil {
		return err
	}
	now, err := parseAt(*at, cfg.Timezone)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, quietLogger(e, cfg)) // warnings only: the output is the report
	if err != nil {
		return err
	}
	defer a.Close()
	s, err := a.newScheduler(false)
	if err != nil {
		return err
	}
	if *dry {
		previews, err := s.Preview(ctx, now)
		if err != nil {
			return err
		}
		printPreview(e.stdout, previews, now, now.Add(-s.Rules().CatchUp), cfg.Timezone)
		return nil
	}
	planned, err := s.Plan(ctx, now, "remind --at "+now.Format(time.RFC3339))
	if err != nil {
		return err
	}
	printPlanned(e.stdout, planned, now, cfg.Timezone)
	return nil
}

// parseAt reads TIME: local time in loc (2025-11-03T08:00, 2025-11-03
// 08:00, with or without seconds) or RFC 3339 with its offset, in the years
// 2000 to 2100.
func parseAt(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	sane := func(t time.Time) bool { return t.Year() >= 2000 && t.Year() <= 2100 }
	if t, err := time.Parse(time.RFC3339, s); err == nil && sane(t) {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil && sane(t) {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("remind: --at %q is not a time like 2025-11-03T08:00 (local time in %s) or 2025-11-03T08:00:00+07:00", s, loc)
}

// why tells in a few words why an occurrence is for its recipients.
func why(o scheduler.Occurrence) string {
	switch o.Rule.Kind {
	case scheduler.KindDeadline:
		if d := o.DaysLeft(); d > 0 {
			return plural(d, "day", "days") + " before the due date, not submitted"
		}
		return "the due date, not submitted"
	case scheduler.KindOverdue:
		return plural(-o.DaysLeft(), "day", "days") + " late, not submitted"
	case scheduler.KindDigest:
		return "weekly digest (" + o.Rule.Cron + "), an official"
	case scheduler.KindEscalation:
		return plural(-o.DaysLeft(), "day", "days") + " after the due date, an official"
	}
	return "learning nudge (" + o.Rule.Cron + "), opted in with an area unfinished"
}

// plural writes n with its noun: "1 day", "3 days".
func plural(n int, one, many string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// printPreview writes what a dry run shows: every occurrence due, each
// recipient a row; an occurrence with nobody to send to (no focal point
// registered, no official) is a row too, as planning it prints "0
// deliveries planned". Nothing due is a line, not bare table headers.
func printPreview(w io.Writer, previews []scheduler.Preview, now, since time.Time, loc *time.Location) {
	const layout = "2006-01-02 15:04"
	fmt.Fprintf(w, "as if it were %s (%s); occurrences after %s\n", now.In(loc).Format(layout), loc, since.In(loc).Format(layout))
	if len(previews) == 0 {
		fmt.Fprintln(w, "no rule falls due then")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "rule\tsend at\tunit\tperiod\tdue\trecipient\twhy")
		for _, p := range previews {
			o := p.Occurrence
			period, due := "-", "-"
			if o.Period != nil {
				period, due = o.Period.ID, o.Due.In(config.Location).Format(time.DateOnly)
			}
			switch {
			case p.Skipped != "":
				fmt.Fprintf(tw, "%s\t%s\t-\t%s\t%s\t-\tskipped: %s\n", o.Rule.ID, o.SendAt.In(loc).Format(layout), period, due, p.Skipped)
				continue
			case p.Planned:
				fmt.Fprintf(tw, "%s\t%s\t-\t%s\t%s\t-\tplanned already: nothing more to plan\n", o.Rule.ID, o.SendAt.In(loc).Format(layout), period, due)
				continue
			case len(p.Recipients) == 0:
				fmt.Fprintf(tw, "%s\t%s\t-\t%s\t%s\tnobody\t%s\n", o.Rule.ID, o.SendAt.In(loc).Format(layout), period, due, why(o))
				continue
			}
			for _, r := range p.Recipients {
				unit := "-"
				if r.UnitCode != "" {
					unit = r.UnitCode + " " + r.UnitName
				}
				to := fmt.Sprintf("user %d (%s) %s:%s", r.UserID, r.Lang, r.Channel, r.ChatID)
				switch {
				case r.Channel == "":
					to = fmt.Sprintf("user %d (%s), no account", r.UserID, r.Lang)
				case r.Blocked:
					to += " blocked the bot"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.Rule.ID, o.SendAt.In(loc).Format(layout), unit, period, due, to, why(o))
			}
		}
		tw.Flush()
	}
	n := 0
	for _, p := range previews {
		if p.Skipped == "" && !p.Planned {
			n += len(p.Recipients)
		}
	}
	fmt.Fprintf(w, "%s would be planned (dry run: nothing planned)\n", plural(n, "delivery", "deliveries"))
}

func printPlanned(w io.Writer, planned []scheduler.Planned, now time.Time, loc *time.Location) {
	const layout = "2006-01-02 15:04"
	fmt.Fprintf(w, "as if it were %s (%s)\n", now.In(loc).Format(layout), loc)
	total := 0
	for _, p := range planned {
		o := p.Occurrence
		what := o.Rule.ID + " " + o.SendAt.In(loc).Format(layout)
		if s := o.Subject(); s != "" { // a digest or a nudge has none
			what += " " + s
		}
		switch {
		case p.Skipped != "":
			fmt.Fprintf(w, "%s: skipped: %s\n", what, p.Skipped)
		case !p.Fresh:
			fmt.Fprintf(w, "%s: planned before\n", what)
		default:
			fmt.Fprintf(w, "%s: %s planned\n", what, plural(p.Deliveries, "delivery", "deliveries"))
			total += p.Deliveries
		}
	}
	fmt.Fprintf(w, "%s planned\n", plural(total, "delivery", "deliveries"))
}

func runRemindStatus(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("remind status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rule := fs.String("rule", "", "")
	state := fs.String("state", "", "")
	limit := fs.Int("limit", 20, "")
	since := fs.Duration("since", 7*24*time.Hour, "")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(e.stdout, remindUsage)
		return nil
	}
	if err != nil || fs.NArg() > 0 || *limit < 0 {
		fmt.Fprintln(e.stderr, remindUsage)
		if err == nil {
			err = errors.New("remind status: unexpected arguments")
		}
		return err
	}
	if *state != "" && !slices.Contains(store.DeliveryStates, *state) {
		// A misspelt state would list nothing, as if all were well.
		return fmt.Errorf("remind status: --state %q is none of %s", *state, strings.Join(store.DeliveryStates, ", "))
	}
	cfg, a, err := loadQuietApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	from := time.Now().Add(-*since)
	counts, err := a.db.DeliveryCounts(ctx, from)
	if err != nil {
		return err
	}
	ds, err := a.db.Deliveries(ctx, *rule, *state, *limit)
	if err != nil {
		return err
	}
	return printStatus(e.stdout, counts, ds, from, *rule, *state, cfg.Timezone)
}

// printStatus writes what "remind status" shows: the deliveries of the
// occurrences planned since from, counted by state, then the last
// deliveries (of rule, in state, when set). A table with nothing to show
// is a line saying so, not its headers alone.
func printStatus(w io.Writer, counts []store.DeliveryCount, ds []store.Delivery, from time.Time, rule, state string, loc *time.Location) error {
	const layout = "2006-01-02 15:04"
	if len(counts) == 0 {
		fmt.Fprintf(w, "no deliveries planned since %s (%s)\n", from.In(loc).Format(layout), loc)
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "rule\toccurs at\tsubject\tstate\tdeliveries")
		for _, c := range counts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", c.Rule, c.OccursAt.In(loc).Format(layout), c.Subject, c.State, c.Count)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	if len(ds) == 0 {
		none := "no deliveries"
		if rule != "" {
			none += " of rule " + rule
		}
		if state != "" {
			none += " in state " + state
		}
		_, err := fmt.Fprintln(w, none)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\trule\toccurs at\tuser\tunit\tstate\tattempts\tto\treason")
	for _, d := range ds {
		to := "-"
		if d.Channel != "" {
			to = string(d.Channel) + ":" + d.ChatID
		}
		unit := d.UnitCode
		if unit == "" {
			unit = "-"
		}
		st := d.State
		if d.Uncertain {
			st += " (uncertain)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Rule, d.OccursAt.In(loc).Format(layout), d.UserID, unit, st, d.Attempts, to, d.Reason)
	}
	return tw.Flush()
}
