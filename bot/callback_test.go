package bot_test

import (
	"strings"
	"testing"

	"hocvuso/bot"
)

func TestCallback_RoundTrips(t *testing.T) {
	for _, c := range []bot.Callback{
		{Flow: "quiz", Action: "answer", Screen: 3, Arg: "b"},
		{Flow: "home", Action: "menu", Screen: 0, Arg: ""},
		{Flow: "report", Action: "pick", Screen: 999999999, Arg: "unit|42"}, // '|' inside the argument survives
		{Flow: "settings", Action: "lang", Screen: 12, Arg: "Tiếng Việt"},
		{Flow: "a_1", Action: "z_9", Screen: 1, Arg: strings.Repeat("x", bot.MaxCallbackData-len("a_1|z_9|1|"))},
	} {
		s := c.String()
		if len(s) > bot.MaxCallbackData {
			t.Errorf("%+v encodes to %d bytes", c, len(s))
		}
		got, err := bot.ParseCallback(s)
		if err != nil {
			t.Errorf("ParseCallback(%q): %v", s, err)
			continue
		}
		if got != c {
			t.Errorf("ParseCallback(%q) = %+v; want %+v", s, got, c)
		}
	}
}

func TestCallback_EncodesAsFlowActionScreenArg(t *testing.T) {
	c := bot.Callback{Flow: "quiz", Action: "answer", Screen: 7, Arg: "c"}
	if got := c.String(); got != "quiz|answer|7|c" {
		t.Errorf("String() = %q; want %q", got, "quiz|answer|7|c")
	}
}

func TestParseCallback_RejectsMalformedData(t *testing.T) {
	for _, s := range []string{
		"",
		"quiz",
		"quiz|answer",
		"quiz|answer|3",                // missing argument part
		"|answer|3|a",                  // empty flow
		"quiz||3|a",                    // empty action
		"Quiz|answer|3|a",              // upper case name
		"quiz-x|answer|3|a",            // bad character in name
		"quiz|an swer|3|a",             // space in name
		"quiz|đáp|3|a",                 // non-ASCII name
		"abcdefghijklmnopq|answer|3|a", // 17-byte name
		"quiz|answer||a",               // empty screen
		"quiz|answer|-1|a",             // negative screen
		"quiz|answer|+1|a",             // sign
		"quiz|answer|3x|a",             // non-digit screen
		"quiz|answer|٣|a",              // non-ASCII digit
		"quiz|answer|1234567890|a",     // screen too long
		"quiz|answer|3|" + strings.Repeat("a", bot.MaxCallbackData), // too long
	} {
		if c, err := bot.ParseCallback(s); err == nil {
			t.Errorf("ParseCallback(%q) = %+v; want an error", s, c)
		}
	}
}

func TestParseCallback_AcceptsLongestData(t *testing.T) {
	s := "quiz|answer|3|" + strings.Repeat("a", bot.MaxCallbackData-len("quiz|answer|3|"))
	if _, err := bot.ParseCallback(s); err != nil {
		t.Errorf("ParseCallback of %d bytes: %v", len(s), err)
	}
}

func TestCallback_StringPanicsWhenItDoesNotEncode(t *testing.T) {
	for name, c := range map[string]bot.Callback{
		"over 64 bytes":   {Flow: "quiz", Action: "answer", Screen: 1, Arg: strings.Repeat("a", bot.MaxCallbackData)},
		"empty flow":      {Action: "answer", Screen: 1},
		"bad action":      {Flow: "quiz", Action: "Answer", Screen: 1},
		"pipe in flow":    {Flow: "qu|iz", Action: "answer", Screen: 1},
		"negative screen": {Flow: "quiz", Action: "answer", Screen: -1},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%+v.String() did not panic", c)
				}
			}()
			_ = c.String()
		})
	}
}

// FuzzParseCallback checks that ParseCallback never panics on data from
// outside, and that whatever it accepts is a callback that encodes: decoding
// the encoding gives the same callback back, and the encoding is the input
// itself unless the input wrote the screen with leading zeros ("007"), the
// one non-canonical form accepted.
func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{
		"quiz|answer|3|b", "home|menu|0|", "report|pick|12|unit|42", "quiz|answer|007|x",
		"quiz|answer|999999999|", "quiz|answer|1234567890|", "quiz|answer|3", "Quiz|a|1|",
		"", "|||", "a|b|1|Tiếng Việt", "a|b|1|\xff", "quiz|answer|3|" + strings.Repeat("a", 50),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := bot.ParseCallback(s)
		if err != nil {
			return
		}
		if c.Screen < 0 {
			t.Fatalf("ParseCallback(%q) gave a negative screen %d", s, c.Screen)
		}
		enc := c.String() // must not panic: accepted data always encodes
		if len(enc) > len(s) {
			t.Fatalf("ParseCallback(%q).String() = %q: longer than the input", s, enc)
		}
		back, err := bot.ParseCallback(enc)
		if err != nil || back != c {
			t.Fatalf("ParseCallback(%q) = %+v, re-encoded %q parses to %+v, %v", s, c, enc, back, err)
		}
		screen := strings.SplitN(s, "|", 4)[2]
		if canonical := screen == "0" || screen[0] != '0'; canonical && enc != s {
			t.Fatalf("ParseCallback(%q).String() = %q; want the input back", s, enc)
		}
	})
}
