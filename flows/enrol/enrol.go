// Package enrol binds a chat account to a role of the units' reports with a
// one-time invite code an admin made (`hocvuso invite`): a unit's focal
// point (đầu mối), or an official who follows the reports. The code comes
// through a Telegram deep link (/start CODE), or typed: /join CODE, or
// /join and then the code, or at the menu the code alone or after "join"
// or "tham gia" without the slash (Claim). Wrong codes are counted per chat account in
// Redis, and too many are refused for a while before any database lookup.
// A certificate's code pasted at the menu without its HVS prefix is
// answered as /verify answers it (Certificates), and is no wrong code.
package enrol

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/home"
	"hocvuso/store"
)

// Name is the flow's name.
const Name = "enrol"

// How many wrong codes a chat account may type in how long before it is
// refused until the window ends: 5 in 15 minutes makes guessing one of the
// 27^12 (about 2^57) codes hopeless, and leaves room for typos.
const (
	MaxWrongCodes   = 5
	WrongCodeWindow = 15 * time.Minute
)

// Store is what the flow needs of the records.
type Store interface {
	InviteByCode(ctx context.Context, code string) (store.Invite, bool, error)
	ConsumeInvite(ctx context.Context, code string, userID int64, at time.Time) (store.Invite, store.Role, error)
	UserRoles(ctx context.Context, userID int64) ([]store.Role, error)
	Unit(ctx context.Context, code string) (store.Unit, bool, error)
}

// Throttle counts wrong codes per chat account (store.Throttle).
type Throttle interface {
	Wait(ctx context.Context, key string) (time.Duration, error)
	Fail(ctx context.Context, key string) (left int, wait time.Duration, err error)
	Clear(ctx context.Context, key string) error
}

// stepCode: waiting for a typed code.
const stepCode = "code"

// Flow is the enrolment flow.
type Flow struct {
	st    Store
	tries Throttle
	loc   *time.Location
	// Menus, when set, gives the chats of whoever takes a role the
	// command menu of their roles.
	Menus *flows.CommandMenus
	// Certificates, when set, is asked first about a code pasted at the
	// menu (Claim): a certificate's code without its HVS prefix is twelve
	// symbols of the invite codes' alphabet, and is answered as /verify
	// CODE answers it, not counted as a wrong invite code.
	Certificates Certificates
}

// Certificates tells a certificate's code (cert.Verify).
type Certificates interface {
	// Known answers text that is the code of an issued certificate as
	// /verify CODE does and returns true; else it replies nothing.
	Known(c *bot.Conversation, text string) (bool, error)
}

// New returns the flow; times are shown in loc (Asia/Ho_Chi_Minh when nil).
func New(st Store, tries Throttle, loc *time.Location) *Flow {
	if loc == nil {
		loc = store.ReportZone
	}
	return &Flow{st: st, tries: tries, loc: loc}
}

func (*Flow) Name() string       { return Name }
func (*Flow) Transient() bool    { return true } // its questions end with another command
func (*Flow) Commands() []string { return []string{"join"} }

// Public: someone who has not agreed to the privacy notice yet may bring a
// code; it is kept until they agree, and only then used.
func (*Flow) Public() bool { return true }

// ClaimsStart implements home.Starter: a deep link's payload that is an
// invite code.
func (*Flow) ClaimsStart(payload string) bool { return store.NormalizeInviteCode(payload) != "" }

// Handle implements flows.Flow.
func (f *Flow) Handle(c *bot.Conversation, in flows.Input) error {
	if in.Callback != nil {
		c.Notice(c.T("stale.button"))
		return nil
	}
	if in.Command == "join" {
		if strings.TrimSpace(in.Args) == "" {
			return f.ask(c, "enrol.ask")
		}
		return f.Start(c, in.Args)
	}
	// Typed while the code is asked for.
	if c.Update.Kind != bot.KindText {
		return f.ask(c, "enrol.ask")
	}
	return f.Start(c, c.Update.Text)
}

// Claim implements flows.Claimer: at the menu, where no question waits for
// it, a message that is an invite code alone (as the invite prints it, or
// pasted from it), or "join" or "tham gia" and a code, goes where /join
// CODE goes. On Zalo codes are typed or pasted, and the slash forgotten.
// A mistyped code in that shape gets /join's answer too. A certificate's
// code pasted without its HVS prefix has an invite code's shape: it gets
// /verify's answer instead (Certificates), and no wrong try is counted. The
// two kinds of code are drawn at random from 2^57 and more, and never
// coincide in practice; if one ever did, the pasted code would show the
// certificate, which is public, and not take the role, which /join CODE
// still does. A code that is neither is a wrong invite code, counted as
// one (else pasting would be a way round the limit), and the answer adds
// that no certificate has it either.
func (f *Flow) Claim(c *bot.Conversation) (bool, error) {
	code, ok := Pasted(c.Update.Text)
	if !ok {
		return false, nil
	}
	if f.Certificates == nil {
		return true, f.Start(c, code)
	}
	if done, err := f.Certificates.Known(c, code); done || err != nil {
		return true, err
	}
	return true, f.start(c, code, true)
}

// joinWords are what may stand for /join before a code: the command
// without its slash, in either language.
var joinWords = []string{"join", "tham gia"}

// Pasted tells whether text typed at the menu is plainly meant as an
// invite code: a code alone, written as people write it (ABCD-EFGH-JKMN in
// any case, with spaces, en dashes, full-width characters), in a code's
// shape (codeShaped), or "join" or "tham gia" followed by one. It returns
// the part that is the code, for Start (which says that a malformed one is
// no code). Other text is not claimed: a sentence, a quiz letter, a
// 12-digit ID number.
func Pasted(text string) (string, bool) {
	t := strings.TrimSpace(norm.NFKC.String(text))
	if len(t) > 200 {
		return "", false
	}
	lower := strings.ToLower(t)
	for _, w := range joinWords {
		if rest, ok := strings.CutPrefix(lower, w); ok && rest != "" && (rest[0] == ' ' || rest[0] == ':') {
			rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
			if codeShaped(rest, true) {
				return rest, true
			}
			return "", false
		}
	}
	if codeShaped(t, false) {
		return t, true
	}
	return "", false
}

// codeShaped tells whether s (in NFKC) looks like an invite code, maybe
// mistyped: groups of ASCII letters and digits between dashes or spaces.
// After "join", a well-formed code, or about as long as one with a digit
// or dashes. Alone it must look more so, not to take a word or a number
// for one: a well-formed code with a letter and either a digit or three
// groups of four, or three groups of four between dashes (digits alone:
// not spaced, as a 12-digit ID number is written); mistyped, three groups
// of three to five between dashes, with a letter.
func codeShaped(s string, joined bool) bool {
	s = strings.Trim(s, ".!?\"'()«»“”")
	var groups []string
	letter, digit := false, false
	for _, g := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '\u2212'
	}) {
		for _, r := range g {
			switch {
			case r >= '0' && r <= '9':
				digit = true
			case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
				letter = true
			default:
				return false
			}
		}
		groups = append(groups, g)
	}
	n := 0
	for _, g := range groups {
		n += len(g)
	}
	fours := len(groups) == 3
	dashed := strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Pd, r) || r == '\u2212' })
	loose := len(groups) == 3 && dashed
	for _, g := range groups {
		fours = fours && len(g) == 4
		loose = loose && len(g) >= 3 && len(g) <= 5
	}
	if store.NormalizeInviteCode(s) != "" {
		return joined || letter && (digit || fours) || fours && dashed
	}
	if joined {
		// A code mistyped after "join": as long as about a code, and
		// written like one (a digit, or dashes between its groups).
		return n >= store.InviteCodeLength-3 && n <= store.InviteCodeLength+3 && (digit || dashed)
	}
	return loose && letter
}

// Start implements home.Starter: it takes a code as typed or as a deep
// link gives it. Before the consent the code is only kept.
func (f *Flow) Start(c *bot.Conversation, text string) error {
	return f.start(c, text, false)
}

// start is Start; noCert tells that no certificate has the code either,
// to say so if no invite has it.
func (f *Flow) start(c *bot.Conversation, text string, noCert bool) error {
	code := FindCode(text)
	if code == "" {
		return f.ask(c, "enrol.malformed")
	}
	if c.Session.UserID == 0 {
		c.Say("enrol.consent.first")
		return home.AwaitConsent(c, Name, code)
	}
	return f.redeem(c, code, noCert)
}

// ask asks for the code (again), after the message id, with a way back.
func (f *Flow) ask(c *bot.Conversation, id string) error {
	if err := c.Session.Enter(Name, stepCode, nil); err != nil {
		return err
	}
	c.NextScreen()
	text := c.T(id)
	if id != "enrol.ask" {
		text += "\n" + c.T("enrol.ask")
	}
	c.Reply(bot.Reply{Text: text, Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	return nil
}

// again tells why a code did not work and asks for another one.
func (f *Flow) again(c *bot.Conversation, text string) error {
	if err := c.Session.Enter(Name, stepCode, nil); err != nil {
		return err
	}
	c.NextScreen()
	c.Reply(bot.Reply{Text: text, Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	return nil
}

func (f *Flow) redeem(c *bot.Conversation, code string, noCert bool) error {
	key := string(c.Update.Channel) + ":" + c.Update.UserID
	shown := store.FormatInviteCode(code)
	// Refused first: a chat account that guessed too often gets no lookup.
	wait, err := f.tries.Wait(c.Ctx, key)
	if err != nil {
		return err
	}
	if wait > 0 {
		return f.refuse(c, f.slow(c, wait))
	}
	inv, found, err := f.st.InviteByCode(c.Ctx, code)
	if err != nil {
		return err
	}
	if !found {
		return f.wrong(c, key, shown, noCert)
	}
	user := c.Session.UserID
	held, err := f.holds(c.Ctx, user, inv)
	if err != nil {
		return err
	}
	switch {
	case held:
		// Not spent: the admin may give it to someone else.
		return f.already(c, inv)
	case !inv.UsedAt.IsZero():
		return f.again(c, c.T("enrol.used", "Code", shown))
	case !c.Now.Before(inv.ExpiresAt):
		return f.expired(c, shown, inv.ExpiresAt)
	}
	inv, role, err := f.st.ConsumeInvite(c.Ctx, code, user, c.Now)
	switch {
	case errors.Is(err, store.ErrInviteUsed):
		return f.again(c, c.T("enrol.used", "Code", shown))
	case errors.Is(err, store.ErrInviteExpired):
		return f.expired(c, shown, inv.ExpiresAt)
	case errors.Is(err, store.ErrInviteUnknown):
		return f.wrong(c, key, shown, noCert)
	case err != nil:
		return err
	}
	if err := f.tries.Clear(c.Ctx, key); err != nil {
		return err
	}
	if err := f.Menus.Follow(c, user); err != nil {
		return err
	}
	c.Session.Reset()
	c.NextScreen()
	var text string
	if role.Role == store.RoleOfficial {
		text = c.T("enrol.official.done")
	} else {
		name, err := f.unitName(c.Ctx, role.UnitCode)
		if err != nil {
			return err
		}
		text = c.T("enrol.focal.done", "Unit", name)
	}
	c.Reply(bot.Reply{Text: text, Buttons: [][]bot.Button{roleButton(c, role.Role), flows.BackToMenu(c)}})
	return nil
}

// roleButton opens what the role is for: the unit's reports for a focal
// point, the units' overview for an official. The text names the command
// too, but on Zalo a command is typed, not tapped.
func roleButton(c *bot.Conversation, role string) []bot.Button {
	if role == store.RoleOfficial {
		return []bot.Button{c.Button(c.T("officials.menu"), "officials", "start", "")}
	}
	return []bot.Button{c.Button(c.T("report.menu"), "report", "start", "")}
}

// holds reports whether the user already holds the role the invite gives.
func (f *Flow) holds(ctx context.Context, user int64, inv store.Invite) (bool, error) {
	roles, err := f.st.UserRoles(ctx, user)
	if err != nil {
		return false, err
	}
	for _, r := range roles {
		if r.Role == inv.Role && r.UnitCode == inv.UnitCode {
			return true, nil
		}
	}
	return false, nil
}

func (f *Flow) already(c *bot.Conversation, inv store.Invite) error {
	// Set again: a menu that did not go through the first time does now.
	if err := f.Menus.Follow(c, c.Session.UserID); err != nil {
		return err
	}
	c.Session.Reset()
	c.NextScreen()
	var text string
	if inv.Role == store.RoleOfficial {
		text = c.T("enrol.official.already")
	} else {
		name, err := f.unitName(c.Ctx, inv.UnitCode)
		if err != nil {
			return err
		}
		text = c.T("enrol.focal.already", "Unit", name)
	}
	if inv.UsedAt.IsZero() && c.Now.Before(inv.ExpiresAt) {
		// Not spent: the admin may give it to someone else. Said only
		// when true: not of the code the user joined with, nor of an
		// expired one.
		text += "\n" + c.T("enrol.unused")
	}
	c.Reply(bot.Reply{Text: text, Buttons: [][]bot.Button{roleButton(c, inv.Role), flows.BackToMenu(c)}})
	return nil
}

func (f *Flow) unitName(ctx context.Context, code string) (string, error) {
	u, ok, err := f.st.Unit(ctx, code)
	if err != nil || !ok {
		return code, err
	}
	return u.Name, nil
}

// wrong counts an unknown code; the last one allowed starts the wait.
func (f *Flow) wrong(c *bot.Conversation, key, shown string, noCert bool) error {
	left, wait, err := f.tries.Fail(c.Ctx, key)
	if err != nil {
		return err
	}
	text := c.T("enrol.unknown", "Code", shown)
	if noCert {
		text += "\n" + c.T("enrol.unknown.cert")
	}
	if wait > 0 {
		return f.refuse(c, text+"\n"+f.slow(c, wait))
	}
	return f.again(c, text+"\n"+c.T("enrol.retry", "Left", left))
}

// expired says the code's expiry in the user's language, with the
// catalogue's layout (enrol.expired.layout): "15:04 04/06/2025" in
// Vietnamese, "09:00 on 4 Jun 2025" in English, where 04/06 would be read
// as April by some.
func (f *Flow) expired(c *bot.Conversation, shown string, at time.Time) error {
	return f.again(c, c.T("enrol.expired", "Code", shown, "At", at.In(f.loc).Format(c.T("enrol.expired.layout"))))
}

// slow tells how long to wait, in whole minutes and as the time of day,
// both rounded up.
func (f *Flow) slow(c *bot.Conversation, wait time.Duration) string {
	minutes := max(int(math.Ceil(wait.Minutes())), 1)
	at := c.Now.Add(wait)
	if up := at.Truncate(time.Minute); up.Before(at) {
		at = up.Add(time.Minute)
	}
	return c.T("enrol.slow", "Minutes", minutes, "At", at.In(f.loc).Format("15:04"))
}

// refuse answers while the account must wait: nothing more is asked.
func (f *Flow) refuse(c *bot.Conversation, text string) error {
	c.Session.Reset()
	c.NextScreen()
	c.Reply(bot.Reply{Text: text, Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	return nil
}

// FindCode finds an invite code in what someone typed or pasted: the whole
// text ("abcd efgh jkmn", "ABCD-EFGH-JKMN"), else one of its words ("Mã:
// ABCD-EFGH-JKMN."). It returns the code normalised, or "".
func FindCode(text string) string {
	if code := store.NormalizeInviteCode(strings.TrimSpace(text)); code != "" {
		return code
	}
	var found string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == ':' || r == ',' || r == ';' }) {
		w = strings.TrimRight(w, ".!?)\"'»”")
		w = strings.TrimLeft(w, "(\"'«“")
		if code := store.NormalizeInviteCode(w); code != "" {
			if found != "" && found != code {
				return "" // two codes: not for us to choose
			}
			found = code
		}
	}
	return found
}
