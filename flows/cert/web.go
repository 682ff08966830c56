package cert

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"hocvuso/certificate"
)

// WebLangs are the languages of the verification page, one after the other.
var WebLangs = []string{"vi", "en"}

// VerifyPattern is the route of VerifyPage. It takes the rest of the path,
// so that a link typed with a slash after the code (or none at all) still
// gets the page in both languages rather than the server's bare 404.
const VerifyPattern = "GET /verify/{code...}"

// VerifyPage serves GET /verify/{code}: a small page in Vietnamese and
// English saying whether a certificate with this code was issued. It answers
// 200 for a genuine code and 404 for any other, malformed ones included, and
// never echoes what was typed.
type VerifyPage struct {
	Config *Config
	Log    *slog.Logger
}

type webArea struct{ Title, Score, Date string }

type webLang struct {
	Lang                                     string
	Title, Genuine, GenuineText              string
	NotFound, NotFoundText                   string
	NameLabel, IssuedLabel, CodeLabel, Areas string
	ColArea, ColScore, ColDate               string
	Issued                                   string
	Rows                                     []webArea
	Note                                     string
}

type webPage struct {
	Found bool
	Name  string
	Code  string
	Langs []webLang
}

var pageTmpl = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{(index .Langs 0).Title}}</title>
<style>
body{margin:0;background:#fffdf6;color:#1b2f55;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
main{max-width:44rem;margin:0 auto;padding:1.2rem}
section{border:2px solid #b88a1e;border-radius:.5rem;padding:1rem 1.2rem;margin:0 0 1.2rem;background:#fff}
h1{font-size:1.35rem;margin:.2rem 0 .6rem}
.ok{color:#1e6b34}.no{color:#a31f24}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.6rem 0}
dt{color:#555d6b}dd{margin:0;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.4rem 0;font-size:.95rem}
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #e8dfc6}
th{background:#f3ecd8}
.note{color:#555d6b;font-size:.85rem}
</style>
</head>
<body>
<main>
{{range .Langs}}<section lang="{{.Lang}}">
{{if $.Found}}<h1 class="ok">✅ {{.Genuine}}</h1>
<p>{{.GenuineText}}</p>
<dl>
<dt>{{.NameLabel}}</dt><dd>{{$.Name}}</dd>
<dt>{{.IssuedLabel}}</dt><dd>{{.Issued}}</dd>
<dt>{{.CodeLabel}}</dt><dd>{{$.Code}}</dd>
</dl>
<table>
<caption>{{.Areas}}</caption>
<tr><th>{{.ColArea}}</th><th>{{.ColScore}}</th><th>{{.ColDate}}</th></tr>
{{range .Rows}}<tr><td>{{.Title}}</td><td>{{.Score}}</td><td>{{.Date}}</td></tr>
{{end}}</table>
{{else}}<h1 class="no">❌ {{.NotFound}}</h1>
<p>{{.NotFoundText}}</p>
{{end}}<p class="note">{{.Note}}</p>
</section>
{{end}}</main>
</body>
</html>
`))

// ServeHTTP implements http.Handler; the code is the path value "code".
func (p *VerifyPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow") // a holder's name is not for search engines
	h.Set("Cache-Control", "no-store")         // a certificate erased with its holder disappears at once

	page := webPage{}
	if code, ok := certificate.NormalizeCode(strings.Trim(r.PathValue("code"), "/")); ok {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		rec, found, err := p.Config.Store.CertificateByCode(ctx, code)
		if err != nil {
			p.log().Error("verify page: look up certificate", "err", err)
			http.Error(w, p.Config.Text.Text("vi", "error.generic", nil)+"\n"+p.Config.Text.Text("en", "error.generic", nil), http.StatusServiceUnavailable)
			return
		}
		if found {
			page.Found, page.Name, page.Code = true, rec.Name, certificate.FormatCode(rec.Code)
			for _, lang := range WebLangs {
				l := p.labels(lang)
				l.Issued = p.Config.date(lang, rec.IssuedAt)
				for _, a := range rec.Areas {
					l.Rows = append(l.Rows, webArea{
						Title: p.Config.areaTitle(lang, a.Area),
						Score: p.t(lang, "cert.pdf.score", "Score", a.Score, "Total", a.Total, "Percent", percent(a.Score, a.Total)),
						Date:  p.Config.date(lang, a.PassedAt),
					})
				}
				page.Langs = append(page.Langs, l)
			}
		}
	}
	if !page.Found {
		for _, lang := range WebLangs {
			page.Langs = append(page.Langs, p.labels(lang))
		}
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, page); err != nil {
		p.log().Error("verify page: render", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if !page.Found {
		w.WriteHeader(http.StatusNotFound)
	}
	_, _ = w.Write(buf.Bytes())
}

func (p *VerifyPage) labels(lang string) webLang {
	return webLang{
		Lang: lang, Title: p.t(lang, "verify.web.title"),
		Genuine: p.t(lang, "verify.web.genuine"), GenuineText: p.t(lang, "verify.web.genuine_text"),
		NotFound: p.t(lang, "verify.web.not_found"), NotFoundText: p.t(lang, "verify.web.not_found_text"),
		NameLabel: p.t(lang, "verify.web.name"), IssuedLabel: p.t(lang, "verify.web.issued"),
		CodeLabel: p.t(lang, "verify.web.code"), Areas: p.t(lang, "verify.web.areas"),
		ColArea: p.t(lang, "cert.pdf.col_area"), ColScore: p.t(lang, "cert.pdf.col_score"), ColDate: p.t(lang, "cert.pdf.col_date"),
		Note: p.t(lang, "cert.pdf.note"),
	}
}

func (p *VerifyPage) t(lang, id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			data[kv[i].(string)] = kv[i+1]
		}
	}
	return p.Config.Text.Text(lang, id, data)
}

func (p *VerifyPage) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

func percent(score, total int) int {
	if total <= 0 {
		return 0
	}
	return score * 100 / total
}
