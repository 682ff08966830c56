package scheduler

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestMain checks, once every test of the package has run, that the help
// of each counter the tests moved names every label value they saw: the
// help is what an operator reads to know what the values mean.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := helpNamesEveryValue(map[string]string{
			"hocvuso_reminders_total": "outcome",
		}); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// helpNamesEveryValue checks that each metric's help names, as a word,
// every value its label took.
func helpNamesEveryValue(labels map[string]string) error {
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		return err
	}
	for _, f := range families {
		label, ok := labels[f.GetName()]
		if !ok {
			continue
		}
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() != label {
					continue
				}
				if !regexp.MustCompile(`\b` + regexp.QuoteMeta(l.GetValue()) + `\b`).MatchString(f.GetHelp()) {
					return fmt.Errorf("%s{%s=%q} is reported, and its help does not say what it is: %q", f.GetName(), label, l.GetValue(), f.GetHelp())
				}
			}
		}
	}
	return nil
}
