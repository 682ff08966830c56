// Package certificate renders the certificate of the digital-literacy quizzes
// as a PDF, and makes and reads its verification codes.
//
// It knows nothing of chats or of the database: the caller gives the record,
// the texts come from the message catalogue in the holder's language, and
// Vietnamese is drawn with an embedded UTF-8 font (DejaVu Sans), so every
// diacritic shows on any PDF reader.
package certificate

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// Area is one passed competence area as printed.
type Area struct {
	Title    string // in the holder's language
	Score    int
	Total    int
	PassedAt time.Time
}

// Data is what a certificate shows.
type Data struct {
	Lang string // catalogue language of the labels
	Name string // as the holder gave it
	// Areas in the order printed.
	Areas []Area
	// IssuedAt in the time zone to print; PassedAt are shown in the same zone.
	IssuedAt time.Time
	Code     string // canonical (see NormalizeCode)
	// VerifyURL is where the certificate can be checked on the web; empty
	// when the bot has no public address, and only /verify is printed.
	VerifyURL string
}

// Translator renders a catalogue message (locales.Catalog is one).
type Translator interface {
	Text(lang, id string, data map[string]any) string
}

// Page geometry, in millimetres: A4 landscape.
const (
	pageW, pageH = 297.0, 210.0
	family       = "dejavu"
)

// Colours of the certificate: a deep red title, navy text, a gold frame.
var (
	red   = [3]int{0xA3, 0x1F, 0x24}
	navy  = [3]int{0x1B, 0x2F, 0x55}
	grey  = [3]int{0x55, 0x5D, 0x6B}
	gold  = [3]int{0xB8, 0x8A, 0x1E}
	paper = [3]int{0xFF, 0xFD, 0xF6}
	band  = [3]int{0xF3, 0xEC, 0xD8}
)

// Render draws the certificate and returns the PDF. The same data gives the
// same bytes, so a resent certificate is the one first sent.
func Render(d Data, tr Translator) ([]byte, error) {
	if d.Code == "" || len(d.Areas) == 0 {
		return nil, errors.New("certificate: a certificate needs a code and its areas")
	}
	t := func(id string, kv ...any) string {
		var data map[string]any
		if len(kv) > 0 {
			data = make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				data[kv[i].(string)] = kv[i+1]
			}
		}
		return norm.NFC.String(tr.Text(d.Lang, id, data))
	}
	d.Name = norm.NFC.String(d.Name)
	layout := t("cert.date.layout")
	date := func(at time.Time) string { return at.In(d.IssuedAt.Location()).Format(layout) }
	code := FormatCode(d.Code)

	p := fpdf.New("L", "mm", "A4", "")
	p.SetCreationDate(d.IssuedAt.UTC())
	p.SetModificationDate(d.IssuedAt.UTC())
	p.SetCatalogSort(true)
	p.SetCompression(true)
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(0, 0, 0)
	p.SetTitle(t("cert.pdf.meta_title"), true)
	p.SetAuthor(t("cert.pdf.meta_author"), true)
	p.SetSubject(d.Name+" — "+code, true)
	p.SetCreator("hocvuso", true)
	p.SetProducer("hocvuso", true)
	p.SetLang(d.Lang)
	p.AddUTF8FontFromBytes(family, "", fontRegular)
	p.AddUTF8FontFromBytes(family, "B", fontBold)
	p.AddPage()

	// Paper and frame: a gold double rule with small corner squares.
	fill(p, paper)
	p.Rect(0, 0, pageW, pageH, "F")
	draw(p, gold)
	p.SetLineWidth(1.6)
	p.Rect(9, 9, pageW-18, pageH-18, "D")
	p.SetLineWidth(0.35)
	p.Rect(12.5, 12.5, pageW-25, pageH-25, "D")
	fill(p, gold)
	for _, c := range [][2]float64{{9, 9}, {pageW - 9, 9}, {9, pageH - 9}, {pageW - 9, pageH - 9}} {
		p.Rect(c[0]-2.2, c[1]-2.2, 4.4, 4.4, "F")
	}

	inner := pageW - 2*30 // text column, centred
	text(p, 23, inner, "", 11, grey, t("cert.pdf.header"))
	text(p, 31, inner, "B", 32, red, t("cert.pdf.title"))
	text(p, 48, inner, "", 11.5, navy, t("cert.pdf.subtitle"))
	draw(p, gold)
	p.SetLineWidth(0.4)
	p.Line(pageW/2-32, 56.5, pageW/2+32, 56.5)
	text(p, 61, inner, "", 11, grey, t("cert.pdf.certifies"))
	text(p, 68, inner, "B", 26, navy, d.Name)
	y := paragraph(p, 83, 200, "", 10.5, navy, t("cert.pdf.statement", "Count", len(d.Areas)), 5)
	y += 3

	// The areas: a table with a tinted header.
	colArea, colScore, colDate := 150.0, 30.0, 36.0
	tableW := colArea + colScore + colDate
	x0 := (pageW - tableW) / 2
	rowH := min(7.4, (152-y)/float64(len(d.Areas)+1))
	p.SetXY(x0, y)
	fill(p, band)
	draw(p, gold)
	p.SetLineWidth(0.25)
	p.SetFont(family, "B", 10)
	color(p, navy)
	p.CellFormat(colArea, rowH, "  "+t("cert.pdf.col_area"), "TB", 0, "L", true, 0, "")
	p.CellFormat(colScore, rowH, t("cert.pdf.col_score"), "TB", 0, "C", true, 0, "")
	p.CellFormat(colDate, rowH, t("cert.pdf.col_date"), "TB", 1, "C", true, 0, "")
	y += rowH
	for i, a := range d.Areas {
		a.Title = norm.NFC.String(a.Title)
		border := ""
		if i == len(d.Areas)-1 {
			border = "B"
		}
		p.SetXY(x0, y)
		fitFont(p, "", 10, 7, colArea-6, a.Title)
		p.CellFormat(colArea, rowH, "  "+a.Title, border, 0, "L", false, 0, "")
		p.SetFont(family, "", 10)
		p.CellFormat(colScore, rowH, t("cert.pdf.score", "Score", a.Score, "Total", a.Total, "Percent", percent(a.Score, a.Total)), border, 0, "C", false, 0, "")
		p.CellFormat(colDate, rowH, date(a.PassedAt), border, 1, "C", false, 0, "")
		y += rowH
	}

	// Issue date and code on the left; how to verify on the right.
	y = max(y+8, 159)
	left, half := 30.0, (pageW-60)/2-6
	p.SetXY(left, y)
	p.SetFont(family, "", 10)
	color(p, navy)
	p.CellFormat(half, 5.5, t("cert.pdf.issued", "Date", date(d.IssuedAt)), "", 2, "L", false, 0, "")
	p.SetFont(family, "", 9)
	color(p, grey)
	p.CellFormat(half, 5.5, t("cert.pdf.code_label"), "", 2, "L", false, 0, "")
	p.SetFont(family, "B", 14)
	color(p, red)
	p.CellFormat(half, 7, code, "", 2, "L", false, 0, "")

	right := pageW/2 + 6
	p.SetXY(right, y)
	p.SetFont(family, "B", 9.5)
	color(p, navy)
	p.CellFormat(half, 5.5, t("cert.pdf.verify_title"), "", 2, "R", false, 0, "")
	p.SetFont(family, "", 9.5)
	p.CellFormat(half, 5.5, t("cert.pdf.verify_bot", "Command", "/verify "+code), "", 2, "R", false, 0, "")
	if d.VerifyURL != "" {
		p.SetX(right)
		fitFont(p, "", 9.5, 6, half, t("cert.pdf.verify_url", "URL", d.VerifyURL))
		p.CellFormat(half, 5.5, t("cert.pdf.verify_url", "URL", d.VerifyURL), "", 2, "R", false, 0, d.VerifyURL)
	}

	// What this is, and what it is not.
	paragraph(p, pageH-29, 225, "", 7.5, grey, t("cert.pdf.note"), 3.6)

	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	var out bytes.Buffer
	if err := p.Output(&out); err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	return out.Bytes(), nil
}

func percent(score, total int) string {
	if total <= 0 {
		return "0"
	}
	return strconv.Itoa(score * 100 / total)
}

func fill(p *fpdf.Fpdf, c [3]int)  { p.SetFillColor(c[0], c[1], c[2]) }
func draw(p *fpdf.Fpdf, c [3]int)  { p.SetDrawColor(c[0], c[1], c[2]) }
func color(p *fpdf.Fpdf, c [3]int) { p.SetTextColor(c[0], c[1], c[2]) }

// fitFont sets the largest size from size down to least at which s fits in w.
func fitFont(p *fpdf.Fpdf, style string, size, least, w float64, s string) {
	p.SetFont(family, style, size)
	for size > least && p.GetStringWidth(s) > w {
		size -= 0.5
		p.SetFont(family, style, size)
	}
}

// text draws one centred line at y, shrunk to fit width w.
func text(p *fpdf.Fpdf, y, w float64, style string, size float64, c [3]int, s string) {
	fitFont(p, style, size, 7, w, s)
	color(p, c)
	p.SetXY((pageW-w)/2, y)
	p.CellFormat(w, size*0.45, s, "", 0, "C", false, 0, "")
}

// paragraph draws centred lines wrapped at width w and returns the y below them.
func paragraph(p *fpdf.Fpdf, y, w float64, style string, size float64, c [3]int, s string, lineH float64) float64 {
	p.SetFont(family, style, size)
	color(p, c)
	p.SetXY((pageW-w)/2, y)
	p.MultiCell(w, lineH, s, "", "C", false)
	return p.GetY()
}
