package bot_test

import (
	"testing"

	"hocvuso/bot"
)

func TestParseCommand_SplitsCommandAndArgs(t *testing.T) {
	for _, tc := range []struct {
		text, cmd, args string
	}{
		{"/start", "start", ""},
		{"/start payload", "start", "payload"},
		{"/start@hocvuso_bot payload", "start", "payload"},
		{"/start@hocvuso_bot", "start", ""},
		{"/Start", "start", ""},
		{"/HELP  me   please ", "help", "me   please"},
		{"/quiz_2 a", "quiz_2", "a"},
		{"/start mã lớp 5A", "start", "mã lớp 5A"},
	} {
		cmd, args, ok := bot.ParseCommand(tc.text)
		if !ok || cmd != tc.cmd || args != tc.args {
			t.Errorf("ParseCommand(%q) = %q, %q, %v; want %q, %q, true", tc.text, cmd, args, ok, tc.cmd, tc.args)
		}
	}
}

func TestParseCommand_RejectsTextThatIsNotACommand(t *testing.T) {
	for _, text := range []string{
		"",
		"hello",
		"/",
		"/ x",
		"/@hocvuso_bot",
		"/dấu",
		"/start-now",
		" /start",
		"//start",
		"/" + string(make([]byte, 33)),
		"/abcdefghijklmnopqrstuvwxyz0123456", // 33 characters: too long a name
	} {
		if cmd, args, ok := bot.ParseCommand(text); ok {
			t.Errorf("ParseCommand(%q) = %q, %q, true; want not a command", text, cmd, args)
		}
	}
}

func TestParseCommand_AcceptsLongestName(t *testing.T) {
	name := "abcdefghijklmnopqrstuvwxyz012345" // 32 characters
	if cmd, _, ok := bot.ParseCommand("/" + name); !ok || cmd != name {
		t.Errorf("ParseCommand of a 32-character name = %q, %v; want accepted", cmd, ok)
	}
}

func TestKind_StringNamesEveryKind(t *testing.T) {
	want := map[bot.Kind]string{
		bot.KindText: "text", bot.KindCommand: "command", bot.KindCallback: "callback",
		bot.KindFile: "file", bot.KindEdited: "edited", bot.KindBlocked: "blocked",
		bot.KindUnblocked: "unblocked", bot.KindOther: "other", 0: "", 200: "unknown",
	}
	for k, s := range want {
		if got := k.String(); got != s {
			t.Errorf("Kind(%d).String() = %q; want %q", k, got, s)
		}
	}
}

func TestLangFromTag_EnglishForEnglishSpeakersVietnameseOtherwise(t *testing.T) {
	for tag, want := range map[string]string{
		"en": "en", "en-US": "en", "EN-gb": "en", "vi": "vi", "vi-VN": "vi", "": "vi", "fr": "vi",
	} {
		if got := bot.LangFromTag(tag); got != want {
			t.Errorf("LangFromTag(%q) = %q; want %q", tag, got, want)
		}
	}
}
