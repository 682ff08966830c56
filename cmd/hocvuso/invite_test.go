package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseValidity(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"7d": 7 * 24 * time.Hour, " 1d ": 24 * time.Hour, "90d": 90 * 24 * time.Hour,
		"36h": 36 * time.Hour, "90m": 90 * time.Minute, "5m": 5 * time.Minute, "1h30m": 90 * time.Minute,
	} {
		if got, err := parseValidity(in); err != nil || got != want {
			t.Errorf("parseValidity(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "0d", "-1d", "+7d", "07d", "7.5d", "91d", "2w", "4m", "2161h", "7 d", "１d", "99999999999999999999d"} {
		if got, err := parseValidity(in); err == nil {
			t.Errorf("parseValidity(%q) = %v; want an error", in, got)
		} else if !strings.HasPrefix(err.Error(), "--valid ") {
			t.Errorf("parseValidity(%q): %v does not name --valid", in, err)
		}
	}
}

// FuzzParseValidity: any --valid is refused with a message, or gives a
// validity within the bounds.
func FuzzParseValidity(f *testing.F) {
	for _, s := range []string{"7d", "36h", "90m", "1h30m", "-1d", "9223372036854775807d", "1e3h", "d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseValidity(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--valid ") {
				t.Fatalf("parseValidity(%q): %v", s, err)
			}
			return
		}
		if d < minInviteValidity || d > maxInviteValidity {
			t.Fatalf("parseValidity(%q) = %v, out of bounds", s, d)
		}
	})
}
