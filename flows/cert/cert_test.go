package cert_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"hocvuso/bot"
	"hocvuso/certificate"
	"hocvuso/flows"
	"hocvuso/flows/cert"
	"hocvuso/flows/flowtest"
	"hocvuso/flows/quiz/bank"
)

// The question bank names the areas the certificate needs.
var _ cert.Areas = (*bank.Bank)(nil)

// areas stands for the question bank's areas "0".."6".
type areas struct{}

var areaNames = map[string][2]string{
	"0": {"Sử dụng thiết bị số cơ bản", "Basic use of digital devices"},
	"1": {"Khai thác dữ liệu và thông tin", "Data and information"},
	"2": {"Giao tiếp và hợp tác trong môi trường số", "Communication and collaboration in the digital environment"},
	"3": {"Sáng tạo nội dung số", "Digital content creation"},
	"4": {"An toàn", "Safety"},
	"5": {"Giải quyết vấn đề", "Problem solving"},
	"6": {"Ứng dụng trí tuệ nhân tạo", "Using artificial intelligence"},
}

func (areas) AreaIDs() []string { return []string{"0", "1", "2", "3", "4", "5", "6"} }
func (areas) AreaName(lang, id string) string {
	n, ok := areaNames[id]
	if !ok {
		return ""
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

const publicURL = "https://hocvuso.example.vn"

type testBot struct {
	*flowtest.Harness
	cfg *cert.Config
	web *httptest.Server
}

func newBot(t *testing.T) *testBot {
	t.Helper()
	b := &testBot{}
	b.Harness = flowtest.New(t,
		flowtest.WithFlow(func(h *flowtest.Harness) flows.Flow {
			b.cfg = &cert.Config{Store: h.DB, Areas: areas{}, Text: h.Catalog, Location: hcm, PublicURL: publicURL + "/"}
			return cert.New(b.cfg)
		}),
		flowtest.WithFlow(func(*flowtest.Harness) flows.Flow { return cert.NewVerify(b.cfg) }),
	)
	mux := http.NewServeMux()
	mux.Handle(cert.VerifyPattern, &cert.VerifyPage{Config: b.cfg})
	b.web = httptest.NewServer(mux)
	t.Cleanup(b.web.Close)
	return b
}

// join registers a user through the consent and returns their users.id.
func (b *testBot) join(name, language string) (*flowtest.User, int64) {
	b.TB.Helper()
	u := b.Agreed(name, language)
	return u, u.UserID()
}

// pass records a finished, passed attempt at an area, as the quiz does.
func (b *testBot) pass(user int64, area string, score, total int, at time.Time) {
	b.TB.Helper()
	b.attempt(user, area, score, total, true, at)
}

func (b *testBot) attempt(user int64, area string, score, total int, passed bool, at time.Time) {
	b.TB.Helper()
	_, err := b.DB.Pool.Exec(context.Background(), `INSERT INTO quiz_attempts
		(user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
		VALUES ($1, 'test', $2, '{}', '[]', $3, $4, $5, $6, $6)`, user, area, total, score, passed, at)
	if err != nil {
		b.TB.Fatal(err)
	}
}

func (b *testBot) passAll(user int64) {
	for i, id := range (areas{}).AreaIDs() {
		b.pass(user, id, 8+i%3, 10, time.Date(2026, 11, 2+i, 9, 0, 0, 0, hcm))
	}
}

// documents lists the files sent to a chat so far.
func (b *testBot) documents(u *flowtest.User) []*bot.Document {
	var out []*bot.Document
	for _, s := range b.Sender.Sent() {
		if s.Target.ChatID == u.ID && s.Reply.Document != nil {
			out = append(out, s.Reply.Document)
		}
	}
	return out
}

func (b *testBot) certificates(user int64) int {
	b.TB.Helper()
	var n int
	if err := b.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM certificates WHERE user_id = $1`, user).Scan(&n); err != nil {
		b.TB.Fatal(err)
	}
	return n
}

func (b *testBot) get(path string) (int, string) {
	b.TB.Helper()
	res, err := http.Get(b.web.URL + path)
	if err != nil {
		b.TB.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.TB.Fatal(err)
	}
	return res.StatusCode, string(body)
}

// quizButton is the button the quiz shows once every area is passed.
func quizButton(u *flowtest.User) flowtest.Result {
	return u.Do(u.Callback(bot.Callback{Flow: "cert", Action: "start"}.String(), "quiz-result"))
}

var codeRE = regexp.MustCompile(`HVS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}`)

// pdfText extracts a PDF's text. A missing pdftotext fails the test.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext is not installed: install poppler-utils (apt-get install -y poppler-utils); .ci/test does it")
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestCertificate_RefusedUntilEveryAreaIsPassedWithTheListOfWhatRemains(t *testing.T) {
	b := newBot(t)
	u, id := b.join("Lò Thị Hương", "vi")

	r := u.Send("/certificate")
	if !strings.Contains(r.Text(), "Bạn chưa đạt lĩnh vực nào") {
		t.Errorf("with nothing passed: %s", r)
	}

	b.pass(id, "0", 9, 10, time.Now())
	b.pass(id, "2", 8, 10, time.Now())
	b.attempt(id, "1", 5, 10, false, time.Now()) // failed: still to pass
	b.pass(id, "", 10, 10, time.Now())           // the quick test is no area
	r = quizButton(u)
	text := r.Text()
	if !strings.Contains(text, "Bạn đã đạt 2. Còn 5 lĩnh vực:") {
		t.Errorf("the refusal does not count what is passed and left:\n%s", text)
	}
	for _, id := range []string{"1", "3", "4", "5", "6"} {
		if !strings.Contains(text, "• "+areaNames[id][0]) {
			t.Errorf("area %s (%s) is not listed as remaining:\n%s", id, areaNames[id][0], text)
		}
	}
	for _, id := range []string{"0", "2"} {
		if strings.Contains(text, areaNames[id][0]) {
			t.Errorf("passed area %s is listed as remaining:\n%s", id, text)
		}
	}
	if !strings.Contains(text, "/quiz") {
		t.Errorf("the refusal does not say how to go on:\n%s", text)
	}
	if strings.Contains(text, "sắp xong") || strings.Contains(text, "còn một lĩnh vực") {
		t.Errorf("with 5 areas left, the refusal says the user is nearly done:\n%s", text)
	}
	if btn, ok := r.Last().Button(b.T("vi", "quiz.start.button")); !ok {
		t.Errorf("the refusal has no button to take a quiz; buttons %q", r.Last().Labels())
	} else if cb, err := bot.ParseCallback(btn.Data); err != nil || cb.Flow != "quiz" || cb.Action != "start" {
		t.Errorf("the quiz button leads to %q; want the quiz's start", btn.Data)
	}
	// The flow is not waiting for a name: typed text is not taken as one.
	r = u.Send("Lò Thị Hương")
	if strings.Contains(r.Text(), "Lò Thị Hương") || b.certificates(id) != 0 {
		t.Errorf("typed text after a refusal was taken as a name: %s", r)
	}

	// One area left: now the user is nearly there.
	for _, area := range []string{"1", "3", "4", "5"} {
		b.pass(id, area, 8, 10, time.Now())
	}
	text = quizButton(u).Text()
	if !strings.Contains(text, "Còn 1 lĩnh vực:") || !strings.Contains(text, "Chỉ còn một lĩnh vực nữa thôi, cố lên!") {
		t.Errorf("with one area left, the refusal does not cheer the last step:\n%s", text)
	}
}

func TestCertificate_IssuedOnceWithTheNameAsTypedAndSentAsAPDF(t *testing.T) {
	b := newBot(t)
	u, id := b.join("Hương Lò", "vi")
	b.passAll(id)

	r := quizButton(u)
	ask := r.Last()
	if !strings.Contains(ask.Text, "Chúc mừng") || !strings.Contains(ask.Text, "Tên nào sẽ in") {
		t.Fatalf("all passed, but the name is not asked: %s", r)
	}
	if _, ok := ask.Button("Hương Lò"); !ok {
		t.Errorf("the display name is not offered as a one-tap suggestion: %q", ask.Labels())
	}

	// Decomposed input with stray spaces, as some keyboards send it.
	typed := "  " + norm.NFD.String("Cầm   Bá Thước") + " "
	r = u.Send(typed)
	if !strings.Contains(r.Text(), "Cầm Bá Thước\nĐúng chưa?") {
		t.Fatalf("the cleaned NFC name is not shown back for confirmation: %s", r)
	}
	confirm := u.Screen()

	// A double tap on "issue" issues once.
	issue := b.T("vi", "cert.confirm.yes")
	r = u.Do(u.TapUpdate(confirm, issue), u.TapUpdate(confirm, issue))
	docs := b.documents(u)
	if len(docs) != 1 {
		t.Fatalf("a double tap sent %d documents; want 1: %s", len(docs), r)
	}
	if n := b.certificates(id); n != 1 {
		t.Fatalf("%d certificates recorded; want 1", n)
	}
	doc := docs[0]
	if doc.Name != "chung-nhan-hocvuso.pdf" || doc.MIME != "application/pdf" || !strings.HasPrefix(string(doc.Bytes), "%PDF-") {
		t.Errorf("document = %q %q %q…; want chung-nhan-hocvuso.pdf, a PDF", doc.Name, doc.MIME, doc.Bytes[:min(8, len(doc.Bytes))])
	}
	code := codeRE.FindString(doc.Caption)
	if code == "" || !strings.Contains(doc.Caption, "Cầm Bá Thước") {
		t.Fatalf("the caption does not carry the name and the code: %q", doc.Caption)
	}
	text := pdfText(t, doc.Bytes)
	for _, want := range []string{"GIẤY CHỨNG NHẬN", "Cầm Bá Thước", code, "/verify " + code, publicURL + "/verify/" + code, areaNames["6"][0], "04/11/2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q:\n%s", want, text)
		}
	}
	if !strings.Contains(r.Text(), "/verify "+code) || !strings.Contains(r.Text(), publicURL+"/verify/"+code) {
		t.Errorf("the user is not told how to verify: %s", r)
	}
	var stored string
	if err := b.DB.Pool.QueryRow(context.Background(), `SELECT name FROM certificates WHERE user_id = $1`, id).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != "Cầm Bá Thước" || !norm.NFC.IsNormalString(stored) {
		t.Errorf("stored name %q; want Cầm Bá Thước in NFC", stored)
	}
	// The name step is over: typed text is no longer a name.
	if r := u.Send("Lò Văn Nam"); strings.Contains(r.Text(), "Đúng chưa?") {
		t.Errorf("the flow still takes names after issuing: %s", r)
	}
}

// An update whose certificate was written to PostgreSQL but whose session
// never reached Redis comes again: it must find the certificate, not make a
// second one.
func TestCertificate_RedeliveredIssueDoesNotIssueTwice(t *testing.T) {
	b := newBot(t)
	u, id := b.join("Lò Thị Hương", "vi")
	b.passAll(id)
	quizButton(u)
	u.Send("Lò Thị Hương")
	confirm := u.Screen()

	ctx := context.Background()
	convKey := b.Redis.Prefix + "conv:{telegram:" + u.ID + "}"
	before, err := b.Redis.Client.HGet(ctx, convKey, "d").Result()
	if err != nil {
		t.Fatalf("session record: %v", err)
	}
	issue := b.T("vi", "cert.confirm.yes")
	u.TapOn(confirm, issue)
	// Redis loses what the first delivery committed; PostgreSQL keeps it.
	if err := b.Redis.Client.HSet(ctx, convKey, "d", before).Err(); err != nil {
		t.Fatal(err)
	}
	r := u.TapOn(confirm, issue)

	docs := b.documents(u)
	if len(docs) != 2 {
		t.Fatalf("want the certificate sent again on the redelivery, got %d documents: %s", len(docs), r)
	}
	if n := b.certificates(id); n != 1 {
		t.Errorf("the redelivery made %d certificates; want 1", n)
	}
	if a, c := codeRE.FindString(docs[0].Caption), codeRE.FindString(docs[1].Caption); a == "" || a != c {
		t.Errorf("codes %q and %q; want the same", a, c)
	}
}

func TestCertificate_BadNamesAreExplainedAndAskedAgain(t *testing.T) {
	b := newBot(t)
	u, id := b.join("🌸", "vi") // a display name that cannot be printed is not offered
	b.passAll(id)
	r := u.Send("/certificate")
	for _, l := range r.Last().Labels() {
		if strings.Contains(l, "🌸") {
			t.Errorf("an unprintable display name is offered: %q", r.Last().Labels())
		}
	}

	for _, tc := range []struct{ typed, want string }{
		{"A", "ngắn quá"},
		{"  . - ' ", "ngắn quá"},
		{"Lò Thị Hương 2", "«2»"},
		{"Hương 😀", "«😀»"},
		{"Lò_Thị@Hương", "«_» «@»"},
		{"\uaa8b\uaab1\uaa99 \uaaa9\uaaae", "không in được các chữ này: «\uaa8b»"}, // Tai Viet: DejaVu has no glyph
		{strings.Repeat("Lò Thị Hương ", 5), "tối đa 60 ký tự"},                    // 64 characters
	} {
		r := u.Send(tc.typed)
		text := r.Text()
		if !strings.Contains(text, tc.want) || !strings.Contains(text, "gõ lại") {
			t.Errorf("name %q: want a polite explanation with %q and a new ask; got %s", tc.typed, tc.want, r)
		}
		if strings.Contains(text, "Đúng chưa?") {
			t.Errorf("name %q was accepted", tc.typed)
		}
	}
	r = u.SendFile("photo.jpg", "image/jpeg")
	if !strings.Contains(r.Text(), "tên bằng chữ") {
		t.Errorf("a photo at the name step: %s", r)
	}
	// After all that, a good name is taken; apostrophes and dots are fine.
	r = u.Send("Nguyễn Thị D’Ân Jr.")
	if !strings.Contains(r.Text(), "Nguyễn Thị D'Ân Jr.\nĐúng chưa?") {
		t.Fatalf("a good name after bad ones: %s", r)
	}
	// A name all in small letters: capitals are offered, one tap away.
	r = u.Send("lò thị hương")
	if !strings.Contains(r.Text(), "lò thị hương\nĐúng chưa?") || !strings.Contains(r.Text(), "viết hoa") {
		t.Fatalf("a name in small letters: %s", r)
	}
	r = u.Tap("Lò Thị Hương")
	if !strings.Contains(r.Text(), "Lò Thị Hương\nĐúng chưa?") || strings.Contains(r.Text(), "viết hoa") {
		t.Fatalf("tapping the capitalised name: %s", r)
	}
	// "Change the name" asks again; a typed name at the confirmation replaces it.
	u.Tap(b.T("vi", "cert.confirm.edit"))
	r = u.Send("Quàng Văn Minh")
	if !strings.Contains(r.Text(), "Quàng Văn Minh\nĐúng chưa?") {
		t.Fatalf("a new name after edit: %s", r)
	}
	r = u.Send("Quàng Văn Mình")
	if !strings.Contains(r.Text(), "Quàng Văn Mình\nĐúng chưa?") {
		t.Fatalf("a typed name at the confirmation: %s", r)
	}
	u.Tap(b.T("vi", "cert.confirm.yes"))
	if docs := b.documents(u); len(docs) != 1 || !strings.Contains(docs[0].Caption, "Quàng Văn Mình") {
		t.Errorf("the certificate is not issued with the last name confirmed")
	}
}

// A display name with emoji is offered without them.
func TestCertificate_DisplayNameWithEmojiIsSuggestedWithout(t *testing.T) {
	b := newBot(t)
	u, id := b.join("Quàng Thị Mai 🌸", "vi")
	b.passAll(id)
	r := u.Send("/certificate")
	if _, ok := r.Last().Button("Quàng Thị Mai"); !ok {
		t.Errorf("the display name is not offered without its emoji: %q", r.Last().Labels())
	}
}

func TestCertificate_SuggestedNameCancelAndStaleButtons(t *testing.T) {
	b := newBot(t)
	u, id := b.join("Cầm Bá Thước", "vi")
	b.passAll(id)
	u.Send("/certificate")
	ask := u.Screen()
	u.Tap(b.T("vi", "cert.cancel"))
	if r := u.TapOn(ask, "Cầm Bá Thước"); r.Notice() != b.T("vi", "stale.button") || len(r.Sent) != 0 {
		t.Errorf("a button of a cancelled ask: %s", r)
	}
	if b.certificates(id) != 0 {
		t.Fatal("a cancelled ask issued a certificate")
	}
	u.Send("/certificate")
	r := u.Tap("Cầm Bá Thước")
	if !strings.Contains(r.Text(), "Cầm Bá Thước\nĐúng chưa?") {
		t.Fatalf("the suggestion was not taken: %s", r)
	}
	confirm := u.Screen()
	u.Tap(b.T("vi", "cert.confirm.yes"))
	if r := u.TapOn(confirm, b.T("vi", "cert.confirm.edit")); r.Notice() != b.T("vi", "stale.button") {
		t.Errorf("editing after issue: %s", r)
	}
	if n := b.certificates(id); n != 1 {
		t.Errorf("%d certificates; want 1", n)
	}
}

func TestCertificate_AlreadyIssuedIsResentFromTheRecordWithTheSameCode(t *testing.T) {
	b := newBot(t)
	u, id := b.join("Lò Thị Hương", "vi")
	b.passAll(id)
	quizButton(u)
	u.Send("Lò Thị Hương")
	u.Tap(b.T("vi", "cert.confirm.yes"))
	first := b.documents(u)[0]
	code := codeRE.FindString(first.Caption)

	// Another passed attempt later changes nothing on the certificate.
	b.pass(id, "0", 10, 10, time.Now())
	r := quizButton(u)
	if !strings.Contains(r.Text(), "Bạn đã có giấy chứng nhận") || !strings.Contains(r.Text(), code) {
		t.Fatalf("a holder asking again is not told they have one: %s", r)
	}
	if strings.Contains(r.Text(), "Tên nào") {
		t.Errorf("a holder is asked for a name again: %s", r)
	}
	r = u.Tap(b.T("vi", "cert.resend"))
	docs := b.documents(u)
	if len(docs) != 2 {
		t.Fatalf("resend sent %d documents in all; want 2: %s", len(docs), r)
	}
	if string(docs[1].Bytes) != string(first.Bytes) || docs[1].Caption != first.Caption {
		t.Errorf("the resent certificate differs from the first")
	}
	if !strings.Contains(r.Text(), code) {
		t.Errorf("the resend does not say the code is the same: %s", r)
	}
	if b.certificates(id) != 1 {
		t.Errorf("resending recorded a new certificate")
	}
}

func TestCertificate_EnglishSpeakerGetsAnEnglishCertificate(t *testing.T) {
	b := newBot(t)
	u, id := b.join("Lo Thi Huong", "en")
	b.passAll(id)
	u.Send("/certificate")
	u.Tap("Lo Thi Huong")
	r := u.Tap(b.T("en", "cert.confirm.yes"))
	docs := b.documents(u)
	if len(docs) != 1 {
		t.Fatalf("no certificate: %s", r)
	}
	if docs[0].Name != "certificate-hocvuso.pdf" {
		t.Errorf("file name %q", docs[0].Name)
	}
	text := pdfText(t, docs[0].Bytes)
	for _, want := range []string{"CERTIFICATE", "Lo Thi Huong", "Using artificial intelligence", "not a diploma"} {
		if !strings.Contains(text, want) {
			t.Errorf("the English PDF does not show %q:\n%s", want, text)
		}
	}
}

// issueFor runs the whole flow for a new user and returns the printed code.
func (b *testBot) issueFor(name string) (*flowtest.User, int64, string) {
	b.TB.Helper()
	u, id := b.join(name, "vi")
	b.passAll(id)
	quizButton(u)
	u.Send(name)
	u.Tap(b.T("vi", "cert.confirm.yes"))
	docs := b.documents(u)
	if len(docs) != 1 {
		b.TB.Fatalf("no certificate for %s", name)
	}
	return u, id, codeRE.FindString(docs[0].Caption)
}

func TestVerify_InChatGenuineForgedAndMalformed(t *testing.T) {
	b := newBot(t)
	_, _, code := b.issueFor("Cầm Bá Thước")

	// A stranger who never agreed to anything checks it, typed carelessly.
	s := b.NewUser("Người lạ", "vi")
	careless := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	r := s.Send("/verify " + careless)
	text := r.Text()
	for _, want := range []string{"Giấy chứng nhận thật", "Cầm Bá Thước", code, "• " + areaNames["0"][0] + ": 8/10, ngày 02/11/2026", "• " + areaNames["6"][0]} {
		if !strings.Contains(text, want) {
			t.Errorf("verification of a genuine code does not show %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, b.T("vi", "consent.required")) {
		t.Errorf("verification asked for consent: %s", r)
	}

	// A forged code: well formed, never issued.
	forged := certificate.FormatCode(certificate.NewCode())
	r = s.Send("/verify " + forged)
	if !strings.Contains(r.Text(), "Không tìm thấy") || !strings.Contains(r.Text(), forged) || strings.Contains(r.Text(), "Cầm Bá Thước") {
		t.Errorf("a forged code: %s", r)
	}

	// A malformed code is explained; the code typed next is checked.
	r = s.Send("/verify HVS-123")
	if !strings.Contains(r.Text(), "không đúng dạng") {
		t.Errorf("a malformed code: %s", r)
	}
	r = s.Send(code)
	if !strings.Contains(r.Text(), "Giấy chứng nhận thật") {
		t.Errorf("the code typed after a malformed one: %s", r)
	}
	// A bare /verify asks for the code.
	if r := s.Send("/verify"); !strings.Contains(r.Text(), "mã xác minh") {
		t.Errorf("a bare /verify: %s", r)
	}
	if r := s.Send(code); !strings.Contains(r.Text(), "Giấy chứng nhận thật") {
		t.Errorf("the code typed after /verify: %s", r)
	}
	// Once answered, typed text is no longer asked for as a code (a code
	// pasted at the menu is still checked: TestVerify_CodePastedAtTheMenu).
	if r := s.Send("HVS-123"); strings.Contains(r.Text(), "không đúng dạng") {
		t.Errorf("the verify flow kept the conversation: %s", r)
	}
}

// Someone who typed /verify only to look is not held until they type a
// code: the question, and the answer to a wrong code, carry the way back
// to the menu, after which typed text is no longer taken for a code.
func TestVerify_AskingForACodeOffersTheWayBack(t *testing.T) {
	b := newBot(t)
	u, _ := b.join("Lò Văn Minh", "vi")
	back := b.T("vi", "menu.back")
	r := u.Send("/verify")
	if _, ok := r.Last().Button(back); !ok {
		t.Fatalf("a bare /verify: no way back; buttons %q", r.Last().Labels())
	}
	r = u.Send("thôi")
	if !strings.Contains(r.Text(), "không đúng dạng") {
		t.Fatalf("a word that is no code: %s", r)
	}
	if _, ok := r.Last().Button(back); !ok {
		t.Fatalf("a malformed code: no way back; buttons %q", r.Last().Labels())
	}
	if r = u.Tap(back); r.Last().Text != b.T("vi", "menu.title") {
		t.Fatalf("the way back does not lead to the menu: %s", r)
	}
	if r = u.Send("xin chào"); strings.Contains(r.Text(), "không đúng dạng") {
		t.Errorf("after going back, typed text is still taken for a code: %s", r)
	}
}

// Another command leaves the question for a code as the menu does: the
// name typed after /certificate is not read as a malformed code; nor is the
// question for the name to print kept after /help.
func TestVerify_AnotherCommandLeavesTheQuestionForACode(t *testing.T) {
	b := newBot(t)
	u, id := b.join("Lò Văn Minh", "vi")
	u.Send("/verify")
	u.Send("/certificate") // refused: nothing passed
	if r := u.Send("Lò Văn Minh"); strings.Contains(r.Text(), "không đúng dạng") {
		t.Errorf("after /certificate, typed text is still taken for a code: %s", r)
	}

	b.passAll(id)
	u.Send("/certificate") // asks the name to print
	u.Send("/help")
	if r := u.Send("Lò Văn Minh"); strings.Contains(r.Text(), "Đúng chưa?") {
		t.Errorf("after /help, typed text is still taken for the certificate's name: %s", r)
	}
}

func TestVerify_WebPageGenuineForgedAndEscaped(t *testing.T) {
	b := newBot(t)
	_, _, code := b.issueFor("Lò Thị Hương")

	status, body := b.get("/verify/" + code)
	if status != http.StatusOK {
		t.Fatalf("GET a genuine code: %d\n%s", status, body)
	}
	for _, want := range []string{"Giấy chứng nhận thật", "Genuine certificate", "Lò Thị Hương", code, areaNames["2"][0], areaNames["2"][1], "8/10 (80%)", "02/11/2026", "2 November 2026", `name="robots" content="noindex`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page of a genuine code does not show %q", want)
		}
	}
	// Lower case without dashes works as well.
	if status, _ := b.get("/verify/" + strings.ToLower(strings.ReplaceAll(code, "-", ""))); status != http.StatusOK {
		t.Errorf("GET a genuine code in lower case: %d", status)
	}
	// A slash typed after the code is no part of it.
	if status, body := b.get("/verify/" + code + "/"); status != http.StatusOK || !strings.Contains(body, "Lò Thị Hương") {
		t.Errorf("GET a genuine code with a slash after it: %d\n%s", status, body)
	}

	for _, path := range []string{
		"/verify/" + certificate.FormatCode(certificate.NewCode()), // forged
		"/verify/HVS-0000", // malformed
		"/verify/%3Cscript%3Ealert(1)%3C%2Fscript%3E", // hostile
		"/verify/",               // no code: the page, not the server's bare 404
		"/verify/" + code + "/x", // more than a code
	} {
		status, body := b.get(path)
		if status != http.StatusNotFound {
			t.Errorf("GET %s: %d; want 404", path, status)
		}
		if !strings.Contains(body, "Không tìm thấy giấy chứng nhận") || !strings.Contains(body, "Certificate not found") {
			t.Errorf("GET %s: the page does not say not found in both languages:\n%s", path, body)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "Lò Thị Hương") {
			t.Errorf("GET %s echoes input or leaks a name:\n%s", path, body)
		}
	}

	// Whatever a record holds is escaped on the page.
	if _, err := b.DB.Pool.Exec(context.Background(), `UPDATE certificates SET name = '<b onclick="x">Hương</b>'`); err != nil {
		t.Fatal(err)
	}
	_, body = b.get("/verify/" + code)
	if strings.Contains(body, "<b onclick") || !strings.Contains(body, "&lt;b onclick=&#34;x&#34;&gt;Hương&lt;/b&gt;") {
		t.Errorf("the name is not escaped:\n%s", body)
	}
}

func TestVerify_ErasingTheHolderMakesTheCodeUnknown(t *testing.T) {
	b := newBot(t)
	u, _, code := b.issueFor("Lò Thị Hương")
	if status, _ := b.get("/verify/" + code); status != http.StatusOK {
		t.Fatalf("before erasure: %d", status)
	}

	u.Send("/deleteme")
	u.Tap(b.T("vi", "deleteme.yes"))

	if n := b.Count("certificates"); n != 0 {
		t.Errorf("%d certificates left after /deleteme", n)
	}
	s := b.NewUser("Người lạ", "vi")
	if r := s.Send("/verify " + code); !strings.Contains(r.Text(), "Không tìm thấy") {
		t.Errorf("the code of an erased holder in chat: %s", r)
	}
	if status, body := b.get("/verify/" + code); status != http.StatusNotFound || strings.Contains(body, "Lò Thị Hương") {
		t.Errorf("the code of an erased holder on the web: %d", status)
	}
}
