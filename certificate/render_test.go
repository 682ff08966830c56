package certificate_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"hocvuso/certificate"
	"hocvuso/locales"
)

// -sample DIR writes the sample certificates there (to look at them with
// pdftoppm -png).
var sampleDir = flag.String("sample", "", "write sample certificates to this directory")

func catalog(t *testing.T) *locales.Catalog {
	t.Helper()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat.OnMissing = func(lang, id string) { t.Errorf("message %q is missing from the %s catalogue", id, lang) }
	return cat
}

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// sample is a certificate as the flow would make it.
func sample(lang, name string) certificate.Data {
	titles := map[string][]string{
		"vi": {
			"Sử dụng thiết bị số và phần mềm cơ bản",
			"Khai thác dữ liệu và thông tin",
			"Giao tiếp và hợp tác trong môi trường số",
			"Sáng tạo nội dung số",
			"An toàn",
			"Giải quyết vấn đề",
			"Ứng dụng trí tuệ nhân tạo",
		},
		"en": {
			"Using digital devices and basic software",
			"Information and data literacy",
			"Communication and collaboration",
			"Digital content creation",
			"Safety",
			"Problem solving",
			"Using artificial intelligence",
		},
	}[lang]
	first := time.Date(2026, 11, 3, 9, 30, 0, 0, hcm)
	areas := make([]certificate.Area, len(titles))
	for i, title := range titles {
		areas[i] = certificate.Area{Title: title, Score: 8 + i%3, Total: 10, PassedAt: first.AddDate(0, 0, 2*i)}
	}
	return certificate.Data{
		Lang: lang, Name: name, Areas: areas,
		IssuedAt:  time.Date(2026, 11, 26, 23, 40, 0, 0, time.UTC).In(hcm), // 27/11 in Sơn La
		Code:      "7K2M9QXD4T2M",
		VerifyURL: "https://hocvuso.sonla.example/verify/HVS-7K2M-9QXD-4T2M",
	}
}

// pdfText extracts a PDF's text with pdftotext. Missing poppler-utils fails
// the test: the check of the rendered name must not be skipped silently.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext is not installed: install poppler-utils (apt-get install -y poppler-utils); .ci/test does it")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "c.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", "-layout", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func render(t *testing.T, d certificate.Data) []byte {
	t.Helper()
	pdf, err := certificate.Render(d, catalog(t))
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("Render did not return a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	if *sampleDir != "" {
		name := d.Lang + "-" + strings.ReplaceAll(nfc(d.Name), " ", "_") + ".pdf"
		if err := os.WriteFile(filepath.Join(*sampleDir, name), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pdf
}

func nfc(s string) string { return norm.NFC.String(s) }

func TestRender_NameWithDiacriticsIsInTheTextExactlyInNFC(t *testing.T) {
	for _, name := range []string{
		"Lò Thị Hương",
		"Cầm Bá Thước",
		"Hoàng Văn Đức",
		"Quàng Thị Ngọc Ánh",
		"Nguyễn Thị Thuỷ Tiên",
	} {
		for _, form := range []norm.Form{norm.NFC, norm.NFD} {
			in := form.String(name)
			text := pdfText(t, render(t, sample("vi", in)))
			if !strings.Contains(text, name) {
				t.Errorf("name %q (given in %v) is not in the PDF's text in NFC:\n%s", name, form, text)
			}
			if form == norm.NFD && in != name && strings.Contains(text, in) {
				t.Errorf("the PDF carries the decomposed form of %q", name)
			}
		}
	}
}

func TestRender_ShowsEveryLabelAreaDateAndTheCode(t *testing.T) {
	cat := catalog(t)
	d := sample("vi", "Lò Thị Hương")
	text := pdfText(t, render(t, d))
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"GIẤY CHỨNG NHẬN",
		"Bình dân học vụ số — tỉnh Sơn La",
		"Đây không phải văn bằng, chứng chỉ do cơ quan nhà nước cấp.",
		"HVS-7K2M-9QXD-4T2M",
		"/verify HVS-7K2M-9QXD-4T2M",
		d.VerifyURL,
		"Cấp ngày 27/11/2026",      // issued 26/11 23:40 UTC: already the 27th in Sơn La
		"03/11/2026", "15/11/2026", // first and last area passed
		"8/10 (80%)", "10/10 (100%)",
		cat.Text("vi", "cert.pdf.col_area", nil),
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the certificate does not show %q:\n%s", want, text)
		}
	}
	for _, a := range d.Areas {
		if !strings.Contains(flat, a.Title) {
			t.Errorf("area %q missing:\n%s", a.Title, text)
		}
	}
}

func TestRender_EnglishLabelsForAnEnglishSpeaker(t *testing.T) {
	d := sample("en", "Cầm Bá Thước")
	text := strings.Join(strings.Fields(pdfText(t, render(t, d))), " ")
	for _, want := range []string{"CERTIFICATE", "Cầm Bá Thước", "Issued on 27 November 2026", "Using artificial intelligence",
		"It is not a diploma or a certificate issued by a state agency."} {
		if !strings.Contains(text, want) {
			t.Errorf("the English certificate does not show %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "GIẤY CHỨNG NHẬN") {
		t.Errorf("the English certificate carries the Vietnamese title:\n%s", text)
	}
}

func TestRender_WithoutPublicURLOnlyTheCommandIsPrinted(t *testing.T) {
	d := sample("vi", "Lò Thị Hương")
	d.VerifyURL = ""
	text := pdfText(t, render(t, d))
	if !strings.Contains(text, "/verify HVS-7K2M-9QXD-4T2M") {
		t.Errorf("the /verify command is missing:\n%s", text)
	}
	if strings.Contains(text, "http") || strings.Contains(text, "hoặc mở") {
		t.Errorf("a URL line is printed without a public URL:\n%s", text)
	}
}

func TestRender_IsOnePageOfA4Landscape(t *testing.T) {
	bin, err := exec.LookPath("pdfinfo")
	if err != nil {
		t.Fatalf("pdfinfo is not installed: install poppler-utils (apt-get install -y poppler-utils)")
	}
	long := sample("vi", strings.Repeat("Nguyễn ", 6)+"Thị Minh Khai") // 55 characters
	for _, d := range []certificate.Data{sample("vi", "Lò Thị Hương"), long} {
		path := filepath.Join(t.TempDir(), "c.pdf")
		if err := os.WriteFile(path, render(t, d), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, path).CombinedOutput()
		if err != nil {
			t.Fatalf("pdfinfo: %v\n%s", err, out)
		}
		info := strings.Join(strings.Fields(string(out)), " ")
		if !strings.Contains(info, "Pages: 1 ") || !strings.Contains(info, "Page size: 841.89 x 595.28 pts (A4)") {
			t.Errorf("want one A4 landscape page:\n%s", info)
		}
		if text := pdfText(t, render(t, d)); !strings.Contains(strings.Join(strings.Fields(text), " "), strings.Join(strings.Fields(d.Name), " ")) {
			t.Errorf("the long name %q does not show whole:\n%s", d.Name, text)
		}
	}
}

func TestRender_SameRecordSameBytes(t *testing.T) {
	d := sample("vi", "Cầm Bá Thước")
	a, b := render(t, d), render(t, d)
	if !bytes.Equal(a, b) {
		t.Error("rendering the same record twice gave different PDFs; a resent certificate must be the same file")
	}
}

func TestRender_RefusesACertificateWithoutCodeOrAreas(t *testing.T) {
	d := sample("vi", "Lò Thị Hương")
	d.Code = ""
	if _, err := certificate.Render(d, catalog(t)); err == nil {
		t.Error("a certificate without a code rendered")
	}
	d = sample("vi", "Lò Thị Hương")
	d.Areas = nil
	if _, err := certificate.Render(d, catalog(t)); err == nil {
		t.Error("a certificate without areas rendered")
	}
}
