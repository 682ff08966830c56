package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hocvuso/store"
	"hocvuso/store/storetest"
)

// A focal point reports through the console to the end: the plan's signed
// document, a required file question, is sent with "/file PATH", and the
// report gets its receipt. Without a way to send a file no report could be
// submitted in the console: every form ends with one.
func TestConsole_ReportWithAFile(t *testing.T) {
	t.Parallel()
	dbURL := storetest.NewDatabaseURL(t)
	rdb := storetest.NewRedis(t)
	for _, args := range [][]string{{"import", "units", filepath.Join("..", "..", "docs", "units.sample.csv")}} {
		if code, out, errOut := runCmd(t, dbURL, args...); code != 0 {
			t.Fatalf("hocvuso %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	code, out, errOut := runCmd(t, dbURL, "invite", "--unit", "SNV")
	m := printedCode.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("invite: exit %d\n%s%s", code, out, errOut)
	}
	pdf := filepath.Join(t.TempDir(), "ke-hoach-da-ky.pdf")
	if err := os.WriteFile(pdf, append([]byte("%PDF-1.7\n"), make([]byte, 3000)...), 0o644); err != nil {
		t.Fatal(err)
	}

	lines := []string{"/start", "1", "/join " + m[1], "/report", "1", // the plan, the first period
		"1", "25/KH-SNV", "27/6/2025", "Bỏ qua", "có"} // kind, number, date, no subject, launched
	for range 11 { // the launch date, the registrations and the eight areas' targets
		lines = append(lines, "Bỏ qua")
	}
	none := filepath.Join(t.TempDir(), "none.pdf")
	lines = append(lines, "/file "+none, "/file "+pdf, "Xong, sang câu sau", "Gửi báo cáo")
	var stdout bytes.Buffer
	stderr := &syncBuffer{}
	vars := map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": storetest.RedisURL(), "REDIS_PREFIX": rdb.Prefix,
		"USER": "Cầm Văn Hùng", "LANG": "vi_VN.UTF-8",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = run(ctx, []string{"console"}, &env{getenv: func(k string) string { return vars[k] },
		stdin: strings.NewReader(strings.Join(lines, "\n") + "\n"), stdout: &stdout, stderr: stderr})
	got := stdout.String()
	if code != 0 || stderr.String() != "" {
		t.Fatalf("console exited %d; stderr:\n%s\nstdout:\n%s", code, stderr.String(), got)
	}
	// The missing file is said in the terminal, and nothing is sent.
	if n := strings.Count(got, "> ! "); n != 1 || !strings.Contains(got, "> ! Không có tệp nào ở "+none+".\n") {
		t.Errorf("%d errors in the session, want the missing file's:\n%s", n, got)
	}
	for _, want := range []string{"Từ nay bạn là đầu mối của Sở Nội vụ.", "Phụ lục · Câu 17/17",
		"📎 Đã nhận tệp ke-hoach-da-ky.pdf (3 kB).", "17. Văn bản triển khai đã ký\nke-hoach-da-ky.pdf",
		"✅ Đã nhận báo cáo.", "Số biên nhận: plan-2025-0001.1"} {
		if !strings.Contains(got, want) {
			t.Errorf("the session lacks %q:\n%s", want, got)
		}
	}

	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var versions, size int
	if err := db.Pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM report_versions WHERE receipt = 'plan-2025-0001.1'),
		(SELECT coalesce(sum(size), 0) FROM report_attachments)`).Scan(&versions, &size); err != nil {
		t.Fatal(err)
	}
	if versions != 1 || size != 3009 {
		t.Errorf("%d versions and %d bytes of attachments; want 1 and the file's 3009", versions, size)
	}
}
