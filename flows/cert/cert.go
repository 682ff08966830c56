// Package cert issues the certificate of the digital-literacy quizzes to a
// user who passed every competence area, sends it as a PDF, and lets anyone
// check a certificate by its code: /verify in chat, or GET /verify/{code}.
//
// Issuing is idempotent: a user has at most one certificate (the store
// checks under a lock on the user's row), so a redelivered or repeated tap
// resends the same record, never a second one.
package cert

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"hocvuso/bot"
	"hocvuso/certificate"
	"hocvuso/flows"
	"hocvuso/store"
)

// quizFlow is the quiz's flow name, whose "start" shows its areas.
const quizFlow = "quiz"

// Name is the flow's name; the quiz shows Callback{Flow: Name, Action: "start"}.
const Name = "cert"

// Store is what the certificate flows need of the records.
type Store interface {
	User(ctx context.Context, id int64) (store.User, error)
	CertificateAreas(ctx context.Context, userID int64) ([]store.CertificateArea, error)
	IssueCertificate(ctx context.Context, n store.NewCertificate) (store.Certificate, bool, error)
	CertificateOf(ctx context.Context, userID int64) (store.Certificate, bool, error)
	CertificateByCode(ctx context.Context, code string) (store.Certificate, bool, error)
}

// Areas are the competence areas of the question bank.
type Areas interface {
	// AreaIDs lists every area a user must pass, in the order printed.
	AreaIDs() []string
	// AreaName is an area's full name in lang, or "" for an area unknown to
	// the bank (one removed since the certificate was issued).
	AreaName(lang, id string) string
}

// Config is what both flows and the web page share.
type Config struct {
	Store Store
	Areas Areas
	// Text is the catalogue; the PDF and the web page draw their labels from it.
	Text bot.Translator
	// Location is the time zone of printed dates (BOT_TIMEZONE).
	Location *time.Location
	// PublicURL is the bot's public base URL (PUBLIC_URL); empty when unset,
	// and then only the /verify command is printed.
	PublicURL string
}

// VerifyURL is where a code can be checked on the web, or "".
func (cfg *Config) VerifyURL(code string) string {
	if cfg.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(cfg.PublicURL, "/") + "/verify/" + url.PathEscape(certificate.FormatCode(code))
}

// Flow is the certificate flow.
type Flow struct{ cfg *Config }

// New returns the certificate flow.
func New(cfg *Config) *Flow { return &Flow{cfg: cfg} }

func (*Flow) Name() string       { return Name }
func (*Flow) Transient() bool    { return true } // its questions end with another command
func (*Flow) Commands() []string { return []string{"certificate"} }

// Steps of the conversation while the session belongs to the flow.
const (
	stepName    = "name"    // waiting for the name to print
	stepConfirm = "confirm" // the name shown back, waiting for "issue"
)

// state is the flow's session data.
type state struct {
	Suggest string `json:"s,omitempty"` // the display name, offered as a button
	Name    string `json:"n,omitempty"` // the name to print, once typed
}

// Handle implements flows.Flow.
func (f *Flow) Handle(c *bot.Conversation, in flows.Input) error {
	if c.Session.UserID == 0 {
		// The router lets only consenting users here; a session that lost
		// its user (erased from another channel) starts over.
		c.Session.Reset()
		c.Say("consent.required")
		return nil
	}
	mine := c.Session.Flow == Name
	var st state
	if mine {
		if err := c.Session.LoadData(&st); err != nil {
			st = state{}
		}
	}
	if cb := in.Callback; cb != nil {
		if cb.Action == "start" && !(in.Stale && mine) {
			// Whatever its screen (the quiz's button, an old menu), asking for
			// the certificate only shows where the user stands; a second tap
			// while the flow already asks for the name changes nothing.
			return f.start(c)
		}
		if in.Stale {
			// A double tap, or a button of an older message: nothing happens.
			c.Notice(c.T("stale.button"))
			return nil
		}
		switch {
		case cb.Action == "resend":
			return f.resend(c)
		case !mine:
			// The conversation has moved on to another flow.
		case cb.Action == "suggest" && c.Session.Step == stepName && st.Suggest != "":
			return f.takeName(c, st, st.Suggest)
		case cb.Action == "issue" && c.Session.Step == stepConfirm:
			return f.issue(c, st)
		case cb.Action == "capitals" && c.Session.Step == stepConfirm:
			capital, _ := Capitalized(st.Name)
			return f.takeName(c, st, capital)
		case cb.Action == "edit" && c.Session.Step == stepConfirm:
			return f.askName(c, st, "cert.name.again")
		case cb.Action == "cancel":
			c.Session.Reset()
			c.NextScreen()
			c.Reply(bot.Reply{Text: c.T("cert.cancelled"), Edit: true, Buttons: [][]bot.Button{flows.BackToMenu(c)}})
			return nil
		}
		c.Notice(c.T("stale.button"))
		return nil
	}
	if in.Command != "" || !mine {
		return f.start(c)
	}
	// Typed input while the flow waits for the name: at the confirmation
	// too, a typed name replaces the one shown.
	if c.Update.Kind != bot.KindText {
		c.Say("cert.name.not_text")
		return nil
	}
	return f.takeName(c, st, c.Update.Text)
}

// start checks what the user has: a certificate to resend, areas still to
// pass, or everything passed and a name to ask for.
func (f *Flow) start(c *bot.Conversation) error {
	uid := c.Session.UserID
	if have, ok, err := f.cfg.Store.CertificateOf(c.Ctx, uid); err != nil {
		return err
	} else if ok {
		if c.Session.Flow == Name {
			c.Session.Reset()
		}
		c.NextScreen()
		c.Reply(bot.Reply{Text: c.T("cert.have", "Name", have.Name, "Date", f.date(c.Lang(), have.IssuedAt),
			"Code", certificate.FormatCode(have.Code)), Buttons: [][]bot.Button{
			{c.Button(c.T("cert.resend"), Name, "resend", "")},
			flows.BackToMenu(c),
		}})
		return nil
	}
	passed, missing, err := f.progress(c.Ctx, uid)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		if c.Session.Flow == Name {
			c.Session.Reset()
		}
		c.NextScreen()
		total := len(f.cfg.Areas.AreaIDs())
		var text string
		if len(passed) == 0 {
			text = c.T("cert.missing.all", "Total", total)
		} else {
			lines := []string{c.T("cert.missing", "Total", total, "Passed", len(passed), "Left", len(missing))}
			for _, id := range missing {
				lines = append(lines, c.T("cert.missing.area", "Title", f.cfg.areaTitle(c.Lang(), id)))
			}
			// "Nearly there" only when it is true: one area left.
			hint := "cert.missing.hint"
			if len(missing) == 1 {
				hint = "cert.missing.hint.last"
			}
			lines = append(lines, "", c.T(hint))
			text = strings.Join(lines, "\n")
		}
		// The quiz's own button, so the way on is one tap, not a command.
		c.Reply(bot.Reply{Text: text, Buttons: [][]bot.Button{
			{c.Button(c.T("quiz.start.button"), quizFlow, "start", "")},
			flows.BackToMenu(c),
		}})
		return nil
	}
	st := state{}
	if u, err := f.cfg.Store.User(c.Ctx, uid); err == nil {
		st.Suggest = SuggestedName(u.DisplayName)
	} else {
		return err
	}
	return f.askName(c, st, "cert.name.ask")
}

// progress splits the bank's areas into passed (with the best attempt) and
// missing, in the bank's order.
func (f *Flow) progress(ctx context.Context, uid int64) (passed []store.CertificateArea, missing []string, err error) {
	got, err := f.cfg.Store.CertificateAreas(ctx, uid)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]store.CertificateArea, len(got))
	for _, a := range got {
		byID[a.Area] = a
	}
	for _, id := range f.cfg.Areas.AreaIDs() {
		if a, ok := byID[id]; ok {
			passed = append(passed, a)
		} else {
			missing = append(missing, id)
		}
	}
	return passed, missing, nil
}

func (f *Flow) askName(c *bot.Conversation, st state, id string) error {
	st.Name = ""
	if err := c.Session.Enter(Name, stepName, st); err != nil {
		return err
	}
	c.NextScreen()
	text := c.T(id)
	var rows [][]bot.Button
	if st.Suggest != "" {
		text += "\n" + c.T("cert.name.suggest")
		rows = append(rows, []bot.Button{c.Button(st.Suggest, Name, "suggest", "")})
	}
	rows = append(rows, []bot.Button{c.Button(c.T("cert.cancel"), Name, "cancel", "")})
	c.Reply(bot.Reply{Text: text, Buttons: rows})
	return nil
}

// takeName checks a name and shows it back for confirmation; a name that
// cannot be printed is explained and asked for again.
func (f *Flow) takeName(c *bot.Conversation, st state, typed string) error {
	name, problem, bad := CleanName(typed)
	switch problem {
	case NameTooShort:
		c.Say("cert.name.too_short")
		return nil
	case NameTooLong:
		c.Reply(bot.Reply{Text: c.T("cert.name.too_long", "Max", MaxNameLen)})
		return nil
	case NameBadChars:
		c.Reply(bot.Reply{Text: c.T("cert.name.bad_chars", "Chars", strings.Join(bad, " "))})
		return nil
	case NameNotPrintable:
		c.Reply(bot.Reply{Text: c.T("cert.name.not_printable", "Chars", strings.Join(bad, " "))})
		return nil
	}
	st.Name = name
	if err := c.Session.Enter(Name, stepConfirm, st); err != nil {
		return err
	}
	c.NextScreen()
	text := c.T("cert.name.confirm", "Name", name)
	rows := [][]bot.Button{{c.Button(c.T("cert.confirm.yes"), Name, "issue", "")}}
	if capital, ok := Capitalized(name); ok {
		text += "\n" + c.T("cert.name.capitals", "Name", capital)
		rows = append(rows, []bot.Button{c.Button(capital, Name, "capitals", "")})
	}
	rows = append(rows,
		[]bot.Button{c.Button(c.T("cert.confirm.edit"), Name, "edit", "")},
		[]bot.Button{c.Button(c.T("cert.cancel"), Name, "cancel", "")},
	)
	c.Reply(bot.Reply{Text: text, Buttons: rows})
	return nil
}

// issue records the certificate (or finds the one already issued) and sends it.
func (f *Flow) issue(c *bot.Conversation, st state) error {
	uid := c.Session.UserID
	passed, missing, err := f.progress(c.Ctx, uid)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		// The bank gained an area since the name was asked.
		return f.start(c)
	}
	rec, _, err := f.cfg.Store.IssueCertificate(c.Ctx, store.NewCertificate{
		UserID: uid, Name: st.Name, Areas: passed, At: c.Now, NewCode: certificate.NewCode,
	})
	if errors.Is(err, store.ErrCertificateUserGone) {
		c.Session.Reset()
		c.Say("consent.required")
		return nil
	}
	if err != nil {
		return err
	}
	c.Session.Reset()
	c.NextScreen()
	c.Reply(bot.Reply{Text: c.T("cert.name.chosen", "Name", rec.Name), Edit: true})
	if err := f.send(c, rec); err != nil {
		return err
	}
	c.Reply(bot.Reply{Text: c.T("cert.issued", "Code", certificate.FormatCode(rec.Code), "URL", f.cfg.VerifyURL(rec.Code)),
		Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	return nil
}

// resend regenerates the PDF from the stored record: same name, same code.
func (f *Flow) resend(c *bot.Conversation) error {
	rec, ok, err := f.cfg.Store.CertificateOf(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	if !ok {
		return f.start(c)
	}
	if c.Session.Flow == Name {
		c.Session.Reset()
	}
	c.NextScreen()
	if err := f.send(c, rec); err != nil {
		return err
	}
	c.Reply(bot.Reply{Text: c.T("cert.resent", "Code", certificate.FormatCode(rec.Code)), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	return nil
}

// send queues the certificate's PDF, in the language of the conversation.
func (f *Flow) send(c *bot.Conversation, rec store.Certificate) error {
	pdf, err := f.cfg.Render(c.Lang(), rec)
	if err != nil {
		return err
	}
	c.Reply(bot.Reply{Document: &bot.Document{
		Name: c.T("cert.file_name"), MIME: "application/pdf", Bytes: pdf,
		Caption: c.T("cert.caption", "Name", rec.Name, "Code", certificate.FormatCode(rec.Code)),
	}})
	return nil
}

// Render draws a stored certificate as a PDF in lang.
func (cfg *Config) Render(lang string, rec store.Certificate) ([]byte, error) {
	areas := make([]certificate.Area, len(rec.Areas))
	for i, a := range rec.Areas {
		areas[i] = certificate.Area{Title: cfg.areaTitle(lang, a.Area), Score: a.Score, Total: a.Total, PassedAt: a.PassedAt}
	}
	return certificate.Render(certificate.Data{
		Lang: lang, Name: rec.Name, Areas: areas, IssuedAt: rec.IssuedAt.In(cfg.Location),
		Code: rec.Code, VerifyURL: cfg.VerifyURL(rec.Code),
	}, cfg.Text)
}

// areaTitle names an area in lang, even one the bank no longer has.
func (cfg *Config) areaTitle(lang, id string) string {
	if name := cfg.Areas.AreaName(lang, id); name != "" {
		return name
	}
	return cfg.Text.Text(lang, "cert.area.unknown", map[string]any{"ID": id})
}

// date formats a time in the bot's zone, the language's way.
func (cfg *Config) date(lang string, t time.Time) string {
	return t.In(cfg.Location).Format(cfg.Text.Text(lang, "cert.date.layout", nil))
}

func (f *Flow) date(lang string, t time.Time) string { return f.cfg.date(lang, t) }
