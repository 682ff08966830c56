package main

// End-to-end specs of files a channel cannot carry, through `serve` and
// the fake Zalo platform: an official's XLSX export on Zalo comes as a
// download link served by serve's own HTTP server under PUBLIC_URL (Zalo's
// OA takes only PDF, DOC and DOCX files), or, without PUBLIC_URL, with the
// other ways to get it; the certificate, a PDF, still comes as a file.

import (
	"context"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/flows/report/reporttest"
	"hocvuso/store"
)

var downloadLinkRE = regexp.MustCompile(`https?://\S+/files/[A-Za-z0-9_-]{43}`)

// send delivers an event and waits until the user has a message that
// satisfies ok. A handling slower than Zalo's 2 s is answered 503 and
// finished anyway, so the answer alone does not say it is done.
func (s *zserved) send(user string, ev []byte, ok func(fakezalo.Message) bool) fakezalo.Message {
	s.t.Helper()
	before := len(s.fake.MessagesTo(user))
	if status, err := s.fake.Deliver(ev); err != nil || (status != http.StatusOK && status != http.StatusServiceUnavailable) {
		s.t.Fatalf("webhook: %d %v; log:\n%s", status, err, s.stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var found fakezalo.Message
	err := s.fake.WaitFor(ctx, user, func(msgs []fakezalo.Message) bool {
		for _, m := range msgs[min(before, len(msgs)):] {
			if ok(m) {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		s.t.Fatalf("%v; messages:\n%s\nlog:\n%s", err, strings.Join(s.fake.Texts(user), "\n---\n"), s.stderr.String())
	}
	return found
}

// zaloOfficial follows the OA, agrees, and is made an official.
func (s *zserved) zaloOfficial(user string) int64 {
	s.t.Helper()
	s.onboard(user)
	var id int64
	if err := s.db.Pool.QueryRow(context.Background(), `SELECT user_id FROM accounts WHERE channel = 'zalo' AND external_id = $1`, user).Scan(&id); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.db.GrantRole(context.Background(), id, store.RoleOfficial, "", "admin", time.Now()); err != nil {
		s.t.Fatal(err)
	}
	return id
}

// askExport sends /export and picks the 2025 plan from the numbered list
// (more periods than Zalo's 5 buttons), returning the answer.
func (s *zserved) askExport(user string) fakezalo.Message {
	s.t.Helper()
	s.send(user, s.fake.TextEvent(user, "/export"), func(m fakezalo.Message) bool {
		return strings.Contains(m.Text, "Bạn muốn tải bảng tổng hợp của kỳ nào?")
	})
	msgs := s.fake.MessagesTo(user)
	var number string
	for _, line := range strings.Split(msgs[len(msgs)-1].Text, "\n") {
		if n, label, ok := strings.Cut(line, ". "); ok && label == planName {
			number = n
		}
	}
	if number == "" {
		s.t.Fatalf("no %q in the list: %q", planName, msgs[len(msgs)-1].Text)
	}
	return s.send(user, s.fake.TextEvent(user, number), func(m fakezalo.Message) bool {
		return strings.Contains(m.Text, "đơn vị đã gửi") || m.File != nil
	})
}

func TestZalo_ExportComesAsADownloadLink(t *testing.T) {
	addr := freeAddr(t)
	s := startZaloServe(t, nil, map[string]string{"HTTP_ADDR": addr, "PUBLIC_URL": "http://" + addr + "/"})
	const user = "7401"
	official := s.zaloOfficial(user)
	seedReports(t, s.db)

	m := s.askExport(user)
	if m.File != nil {
		t.Fatalf("a file reached Zalo: %+v", m.File)
	}
	if n := len(s.fake.Calls("upload/file")); n != 0 {
		t.Errorf("%d uploads: the XLSX was tried as a file", n)
	}
	for _, want := range []string{planName + ": 3/4 đơn vị đã gửi.", "Zalo không gửi được tệp bao-cao-plan-2025-", "Bạn bấm vào đường dẫn này để tải về:", "Đường dẫn dùng được đến "} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("message %q lacks %q", m.Text, want)
		}
	}
	link := downloadLinkRE.FindString(m.Text)
	if !strings.HasPrefix(link, s.base+"/files/") {
		t.Fatalf("link %q in %q; want one under PUBLIC_URL", link, m.Text)
	}

	// The official opens it: serve's own HTTP server gives the workbook.
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the link: %d %v", resp.StatusCode, err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || !strings.HasPrefix(params["filename"], "bao-cao-plan-2025-") || !strings.HasSuffix(params["filename"], ".xlsx") {
		t.Errorf("Content-Disposition %q", resp.Header.Get("Content-Disposition"))
	}
	units, history := reporttest.Workbook(t, data)
	if len(units) != 5 || len(history) != 5 {
		t.Fatalf("%d unit rows and %d history rows; want 1+4 and 1+4", len(units), len(history))
	}
	for _, c := range []struct {
		row          int
		header, want string
	}{
		{2, "Mã đơn vị", "SNV"},
		{2, "Trạng thái", "Đã gửi đúng hạn, đã sửa đổi"},
		{2, "Số, ký hiệu văn bản (doc_number)", "13/KH-SNV"},
		{3, "Số ngày trễ", "3"},
	} {
		if got := reporttest.Cell(t, units, c.row, c.header); got != c.want {
			t.Errorf("units row %d %s = %q; want %q", c.row, c.header, got, c.want)
		}
	}
	if n := s.count(`SELECT count(*) FROM downloads WHERE user_id = $1 AND expires_at BETWEEN now() + interval '23 hours' AND now() + interval '25 hours'`, official); n != 1 {
		t.Errorf("%d files kept for the official for a day; want 1", n)
	}

	// Another token, or the listing: nothing.
	for _, path := range []string{"/files/" + strings.Repeat("A", 43), "/files/"} {
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "PK") {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	// Once expired, the link is gone.
	if _, err := s.db.Pool.Exec(context.Background(), `UPDATE downloads SET expires_at = now() - interval '1 second', created_at = now() - interval '1 day'`); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(link); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("an expired link: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
}

func TestZalo_ExportWithoutPublicURLSaysWhereElse(t *testing.T) {
	s := startZaloServe(t, nil, nil)
	const user = "7402"
	s.zaloOfficial(user)
	seedReports(t, s.db)
	m := s.askExport(user)
	if m.File != nil || downloadLinkRE.MatchString(m.Text) {
		t.Fatalf("without PUBLIC_URL: %+v", m)
	}
	for _, want := range []string{"Zalo không gửi được tệp Excel", "Telegram rồi gõ /export", "/link", "hocvuso export --period plan-2025"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("message %q lacks %q", m.Text, want)
		}
	}
	if n := s.count(`SELECT count(*) FROM downloads`); n != 0 {
		t.Errorf("%d files kept with no link to them", n)
	}
}

// The certificate is a PDF, which Zalo takes: it still comes as a file.
func TestZalo_CertificateStillComesAsAFile(t *testing.T) {
	addr := freeAddr(t)
	s := startZaloServe(t, nil, map[string]string{"HTTP_ADDR": addr, "PUBLIC_URL": "http://" + addr})
	const user = "7403"
	s.onboard(user)
	var id int64
	if err := s.db.Pool.QueryRow(context.Background(), `SELECT user_id FROM accounts WHERE channel = 'zalo' AND external_id = $1`, user).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.db.IssueCertificate(context.Background(), store.NewCertificate{UserID: id, Name: "Lò Thị Mai",
		Areas: []store.CertificateArea{{Area: "1", Score: 9, Total: 10, PassedAt: time.Now().Add(-time.Hour)}},
		At:    time.Now(), NewCode: func() string { return "K7QX2M9B" }}); err != nil {
		t.Fatal(err)
	}
	s.send(user, s.fake.TextEvent(user, "/certificate"), func(m fakezalo.Message) bool { return len(m.Buttons) > 0 })
	m, _ := s.fake.LastWithButtons(user)
	var resend fakezalo.Button
	for _, b := range m.Buttons {
		if strings.Contains(b.Title, "Gửi lại giấy chứng nhận") {
			resend = b
		}
	}
	if resend.Payload == "" {
		t.Fatalf("no resend button in %+v", m)
	}
	file := s.send(user, s.fake.TapEvent(user, resend.Payload), func(m fakezalo.Message) bool { return m.File != nil })
	if file.File.MIME != "application/pdf" || file.File.Name != "chung-nhan-hocvuso.pdf" || !strings.HasPrefix(string(file.File.Bytes), "%PDF") {
		t.Errorf("file %q %q, %d bytes", file.File.Name, file.File.MIME, len(file.File.Bytes))
	}
	if n := s.count(`SELECT count(*) FROM downloads`); n != 0 {
		t.Errorf("the PDF went as a link too")
	}
	mustContain(t, s.fake.Texts(user), "Mã xác minh")
}
