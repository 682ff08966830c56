package cert

import (
	"strings"

	"hocvuso/bot"
	"hocvuso/certificate"
	"hocvuso/flows"
	"hocvuso/store"
)

// VerifyName is the name of the verification flow.
const VerifyName = "verify"

// stepCode: waiting for a code typed after a bare /verify or a malformed one.
const stepCode = "code"

// Verify checks a certificate by its code in chat. It is public: whoever is
// shown a certificate may check it without agreeing to anything first.
type Verify struct{ cfg *Config }

// NewVerify returns the verification flow.
func NewVerify(cfg *Config) *Verify { return &Verify{cfg: cfg} }

func (*Verify) Name() string       { return VerifyName }
func (*Verify) Transient() bool    { return true } // its questions end with another command
func (*Verify) Commands() []string { return []string{"verify"} }
func (*Verify) Public() bool       { return true }

// Handle implements flows.Flow.
func (v *Verify) Handle(c *bot.Conversation, in flows.Input) error {
	if in.Callback != nil {
		c.Notice(c.T("stale.button")) // the flow shows no buttons of its own
		return nil
	}
	if in.Command != "" {
		if strings.TrimSpace(in.Args) == "" {
			return v.ask(c, "verify.ask")
		}
		return v.check(c, in.Args)
	}
	// Typed input while waiting for a code.
	if c.Update.Kind != bot.KindText {
		return v.ask(c, "verify.ask")
	}
	return v.check(c, c.Update.Text)
}

// ask waits for a code: the session belongs to the flow until one comes or
// another command is given.
func (v *Verify) ask(c *bot.Conversation, id string) error {
	if err := c.Session.Enter(VerifyName, stepCode, nil); err != nil {
		return err
	}
	// Someone who only wanted to look has a way out other than a code.
	var rows [][]bot.Button
	if c.Session.UserID != 0 {
		c.NextScreen()
		rows = [][]bot.Button{flows.BackToMenu(c)}
	}
	c.Reply(bot.Reply{Text: c.T(id), Buttons: rows})
	return nil
}

// Claim implements flows.Claimer: at the menu, a certificate's code as
// printed, with its HVS prefix ("HVS-7K2M-9QXD-4T2M"), after a label ("Mã
// xác minh: HVS-…") or in the verification address, gets /verify CODE's
// answer, the forged one too. The same code pasted without the prefix is
// twelve symbols of the alphabet invite codes are written in: that text is
// left to the enrolment flow, which asks Known first (enrol.Certificates).
func (v *Verify) Claim(c *bot.Conversation) (bool, error) {
	text := c.Update.Text
	if _, ok := certificate.NormalizeCode(text); !ok || store.NormalizeInviteCode(strings.TrimSpace(text)) != "" {
		return false, nil
	}
	return true, v.check(c, text)
}

// Known answers text that is the code of an issued certificate as /verify
// CODE does, and returns true; for any other text it replies nothing and
// returns false. It is one lookup, unthrottled as /verify is: certificate
// codes are public, and finding one reveals nothing about invite codes.
func (v *Verify) Known(c *bot.Conversation, text string) (bool, error) {
	code, ok := certificate.NormalizeCode(text)
	if !ok {
		return false, nil
	}
	rec, found, err := v.cfg.Store.CertificateByCode(c.Ctx, code)
	if err != nil || !found {
		return false, err
	}
	return true, v.answer(c, code, rec, true)
}

func (v *Verify) check(c *bot.Conversation, typed string) error {
	code, ok := certificate.NormalizeCode(typed)
	if !ok {
		return v.ask(c, "verify.bad_code")
	}
	rec, found, err := v.cfg.Store.CertificateByCode(c.Ctx, code)
	if err != nil {
		return err
	}
	return v.answer(c, code, rec, found)
}

// answer tells whether a certificate has the code, and if so whose it is.
func (v *Verify) answer(c *bot.Conversation, code string, rec store.Certificate, found bool) error {
	if c.Session.Flow == VerifyName {
		c.Session.Reset()
	}
	var rows [][]bot.Button
	if c.Session.UserID != 0 {
		c.NextScreen()
		rows = [][]bot.Button{flows.BackToMenu(c)}
	}
	shown := certificate.FormatCode(code)
	if !found {
		c.Reply(bot.Reply{Text: c.T("verify.not_found", "Code", shown), Buttons: rows})
		return nil
	}
	lang := c.Lang()
	lines := []string{c.T("verify.genuine", "Name", rec.Name, "Date", v.cfg.date(lang, rec.IssuedAt), "Code", shown)}
	for _, a := range rec.Areas {
		lines = append(lines, c.T("verify.area", "Title", v.cfg.areaTitle(lang, a.Area),
			"Score", a.Score, "Total", a.Total, "Date", v.cfg.date(lang, a.PassedAt)))
	}
	c.Reply(bot.Reply{Text: strings.Join(lines, "\n"), Buttons: rows})
	return nil
}
