package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"hocvuso/store/storetest"
)

// The console's intro, printed before the conversation, is in the language
// the user chose with /language, as the bot's replies are: LANG only
// guesses a newcomer's.
func TestConsole_IntroFollowsTheChosenLanguage(t *testing.T) {
	t.Parallel()
	dbURL := storetest.NewDatabaseURL(t)
	rdb := storetest.NewRedis(t)
	vars := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": storetest.RedisURL(), "REDIS_PREFIX": rdb.Prefix,
		"USER": "mai", "LANG": "en_US.UTF-8",
	}
	console := func(script string) string {
		t.Helper()
		var stdout bytes.Buffer
		stderr := &syncBuffer{}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		code := run(ctx, []string{"console"}, &env{getenv: func(k string) string { return vars[k] },
			stdin: strings.NewReader(script), stdout: &stdout, stderr: stderr})
		if code != 0 || stderr.String() != "" {
			t.Fatalf("console exited %d; stderr:\n%s\nstdout:\n%s", code, stderr.String(), stdout.String())
		}
		return stdout.String()
	}
	const en, vi = "Học vụ số: chat in the terminal.", "Học vụ số: trò chuyện trong cửa sổ dòng lệnh."
	// What the console says itself (a /file without its path) follows the
	// conversation's language too.
	out := console("/start\n/file\n1\n/language\nTiếng Việt\n/file\n")
	if !strings.HasPrefix(out, en) || !strings.Contains(out, "Đã chuyển sang tiếng Việt.") {
		t.Fatalf("a newcomer with LANG=en: want the English intro, then the switch to Vietnamese:\n%s", out)
	}
	const fileEN, fileVI = "> ! Type /file and the path of the file, for example: /file report.pdf\n", "> ! Gõ /file rồi đường dẫn của tệp, ví dụ: /file bao-cao.pdf\n"
	if i, j := strings.Index(out, fileEN), strings.Index(out, fileVI); i < 0 || j < 0 || i > strings.Index(out, "Đã chuyển sang tiếng Việt.") || j < i {
		t.Errorf("/file without a path: want it said in English, then in Vietnamese after /language:\n%s", out)
	}
	out = console("/menu\n")
	if !strings.HasPrefix(out, vi) || !strings.Contains(out, "📋 Bạn muốn làm gì?") {
		t.Errorf("back after choosing Tiếng Việt, LANG=en: want the intro in Vietnamese, as the menu:\n%s", out)
	}
}
