// Package privacy lets a user see what the bot holds about them and erase it
// (Law 91/2025/QH15 on personal data protection).
package privacy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
	"hocvuso/certificate"
	"hocvuso/flows"
	"hocvuso/flows/home"
	"hocvuso/flows/profile"
	"hocvuso/store"
)

// Users is what the privacy flow needs of the records.
type Users interface {
	User(ctx context.Context, id int64) (store.User, error)
	// PersonalData is everything else kept about the user.
	PersonalData(ctx context.Context, id int64, at time.Time) (store.PersonalData, error)
	DeleteUser(ctx context.Context, id int64) error
}

// Sessions forgets the user in the conversations of their other chats
// (store.State.MoveSession with to 0).
type Sessions interface {
	MoveSession(ctx context.Context, chat bot.ChatKey, from, to int64) error
}

// Flow is the privacy flow.
type Flow struct {
	users Users
	loc   *time.Location
	// Sessions, when set, makes an erasure forget the user in their other
	// linked chats too (/link), so that those chats start again as a
	// stranger's instead of naming a user who is gone.
	Sessions Sessions
	// Menus, when set, gives every chat of a user erased the default
	// command menu again, a role holder's as anyone's.
	Menus *flows.CommandMenus
}

// New returns the privacy flow; times are shown in loc.
func New(users Users, loc *time.Location) *Flow { return &Flow{users: users, loc: loc} }

func (*Flow) Name() string       { return "privacy" }
func (*Flow) Commands() []string { return []string{"mydata", "deleteme"} }

// Public: someone who never agreed may still ask what is kept about them.
func (*Flow) Public() bool { return true }

// Handle implements flows.Flow.
func (f *Flow) Handle(c *bot.Conversation, in flows.Input) error {
	if cb := in.Callback; cb != nil {
		switch cb.Action {
		case "mydata":
			return f.myData(c)
		case "erase":
			if in.Stale {
				c.Notice(c.T("stale.button"))
				return nil
			}
			if cb.Arg == "yes" {
				return f.erase(c)
			}
			c.NextScreen()
			c.Reply(bot.Reply{Text: c.T("deleteme.cancelled"), Edit: true, Buttons: [][]bot.Button{flows.BackToMenu(c)}})
			return nil
		}
		c.Notice(c.T("stale.button"))
		return nil
	}
	switch in.Command {
	case "deleteme":
		return f.confirmErase(c)
	default:
		return f.myData(c)
	}
}

// load reads what is kept about the session's user; ok is false when there
// is nobody: never agreed, or erased elsewhere (another linked channel, an
// administrator) while the session still named them, which is then
// forgotten.
func (f *Flow) load(c *bot.Conversation) (store.User, store.PersonalData, bool, error) {
	if c.Session.UserID == 0 {
		return store.User{}, store.PersonalData{}, false, nil
	}
	u, err := f.users.User(c.Ctx, c.Session.UserID)
	if errors.Is(err, pgx.ErrNoRows) {
		*c.Session = bot.Session{Version: c.Session.Version, Lang: c.Session.Lang, Screen: c.Session.Screen}
		return u, store.PersonalData{}, false, nil
	}
	if err != nil {
		return u, store.PersonalData{}, false, err
	}
	p, err := f.users.PersonalData(c.Ctx, u.ID, c.Now)
	return u, p, err == nil, err
}

// nothingKept tells someone the bot keeps no record of that it has none,
// or only what they brought before agreeing (an invite code), which lives
// in the conversation until they agree.
func nothingKept(c *bot.Conversation) {
	if _, ok := home.Keeps(c.Session); ok {
		c.Say("mydata.none.kept")
		return
	}
	c.Say("mydata.none")
}

func (f *Flow) myData(c *bot.Conversation) error {
	u, p, ok, err := f.load(c)
	if err != nil {
		return err
	}
	if !ok {
		nothingKept(c)
		return nil
	}
	lines := []string{
		c.T("mydata.header"),
		c.T("mydata.name", "Name", u.DisplayName),
		c.T("mydata.language", "Language", c.T("language."+u.Language)),
		c.T("mydata.consent", "At", f.when(c, u.ConsentAt)),
	}
	lines = append(lines, profile.MyData(c, u.CommuneCode, u.UserGroup)...)
	lines = append(lines, c.T("mydata.quiz", "Attempts", u.QuizAttempts, "Answers", u.QuizAnswers))
	for _, cert := range u.Certificates {
		lines = append(lines, c.T("mydata.certificate", "Code", certificate.FormatCode(cert.Code), "Name", cert.Name))
	}
	if p.Nudge.Chosen() {
		lines = append(lines, c.T("mydata.nudge", "On", p.Nudge.OptedIn, "At", f.when(c, p.Nudge.ChosenAt)))
	}
	for _, a := range u.Accounts {
		lines = append(lines, c.T("mydata.account", "Channel", a.Channel.Title(), "ID", a.ExternalID,
			"Seen", f.when(c, a.LastSeenAt), "Blocked", a.BlockedAt != nil))
	}
	for _, until := range p.LinkCodes {
		lines = append(lines, c.T("mydata.link.code", "Until", f.when(c, until)))
	}
	if p.LinkHistory > 0 {
		lines = append(lines, c.T("mydata.link.history", "N", p.LinkHistory))
	}
	for _, r := range p.Roles {
		lines = append(lines, c.T("mydata.role", "Role", roleName(c, r), "Since", f.when(c, r.GrantedAt),
			"Ended", !r.Active(), "Until", f.when(c, r.RevokedAt)))
	}
	if p.Reminders > 0 {
		lines = append(lines, c.T("mydata.reminders", "N", p.Reminders))
	}
	if p.Downloads > 0 {
		lines = append(lines, c.T("mydata.downloads", "N", p.Downloads))
	}
	if p.Reports > 0 {
		lines = append(lines, c.T("mydata.reports", "N", p.Reports, "Units", strings.Join(p.ReportUnits, ", ")))
	}
	if p.ReportFiles > 0 {
		lines = append(lines, c.T("mydata.reports.files", "N", p.ReportFiles))
	}
	if p.ReportLog > 0 {
		lines = append(lines, c.T("mydata.reports.log", "N", p.ReportLog))
	}
	lines = append(lines, "")
	if reportsForAUnit(p) {
		lines = append(lines, c.T("mydata.reports.note"))
	}
	lines = append(lines, c.T("mydata.footer"))
	c.NextScreen()
	c.Reply(bot.Reply{Text: strings.Join(lines, "\n"), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	return nil
}

// reportsForAUnit reports whether the user reported, or may have reported,
// for a unit, or is named in a unit's log: what they gave it stays with it
// after an erasure.
func reportsForAUnit(p store.PersonalData) bool {
	return p.Reports > 0 || p.ReportFiles > 0 || p.ReportLog > 0 || slices.ContainsFunc(p.Roles, func(r store.RoleRecord) bool { return r.Role.Role == store.RoleFocal })
}

// roleName names a role for people: "focal point of Sở Nội vụ".
func roleName(c *bot.Conversation, r store.RoleRecord) string {
	if r.Role.Role == store.RoleOfficial {
		return c.T("mydata.role.official")
	}
	unit := r.UnitName
	if unit == "" {
		unit = r.UnitCode
	}
	return c.T("mydata.role.focal", "Unit", unit)
}

// confirmErase says what an erasure removes, what it leaves with the units
// and what the user stops being, and asks.
func (f *Flow) confirmErase(c *bot.Conversation) error {
	u, p, ok, err := f.load(c)
	if err != nil {
		return err
	}
	if !ok {
		nothingKept(c)
		return nil
	}
	text := []string{c.T("deleteme.confirm")}
	var roles []string
	for _, r := range p.Roles {
		if r.Active() {
			roles = append(roles, roleName(c, r))
		}
	}
	if len(roles) > 0 {
		text = append(text, c.T("deleteme.roles", "Roles", strings.Join(roles, ", ")))
	}
	if len(u.Certificates) > 0 {
		text = append(text, c.T("deleteme.certificate", "N", len(u.Certificates), "Several", len(u.Certificates) > 1))
	}
	if reportsForAUnit(p) {
		text = append(text, c.T("deleteme.reports"))
	}
	text = append(text, c.T("deleteme.final"))
	c.NextScreen()
	c.Reply(bot.Reply{Text: strings.Join(text, "\n\n"), Buttons: [][]bot.Button{
		{c.Button(c.T("deleteme.yes"), f.Name(), "erase", "yes")},
		{c.Button(c.T("deleteme.no"), f.Name(), "erase", "no")},
	}})
	return nil
}

func (f *Flow) erase(c *bot.Conversation) error {
	if id := c.Session.UserID; id != 0 {
		var accounts []store.Account
		if f.Sessions != nil || f.Menus != nil {
			u, err := f.users.User(c.Ctx, id)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			accounts = u.Accounts
		}
		if err := f.users.DeleteUser(c.Ctx, id); err != nil {
			return err
		}
		// This chat's menu is reset whatever: a redelivery finds no
		// account left.
		f.Menus.Reset(c, store.Account{Channel: c.Update.Channel, ChatID: c.Update.ChatID})
		for _, a := range accounts {
			if a.Channel == c.Update.Channel && a.ExternalID == c.Update.UserID {
				continue
			}
			f.Menus.Reset(c, a)
			if f.Sessions == nil {
				continue
			}
			if err := f.Sessions.MoveSession(c.Ctx, bot.ChatKey{Channel: a.Channel, ChatID: a.ChatID}, id, 0); err != nil {
				return err
			}
		}
	}
	lang := c.Session.Lang
	*c.Session = bot.Session{Version: c.Session.Version, Lang: lang, Screen: c.Session.Screen + 1}
	c.Reply(bot.Reply{Text: c.T("deleteme.done"), Edit: true})
	return nil
}

// when writes a moment in the bot's zone and the user's language: the
// layout is the catalogue's (mydata.time.layout), "27/11/2026 16:36" in
// Vietnamese, "27 Nov 2026, 16:36" in English, where "05/03" would be 3 May
// to some readers and 5 March to others.
func (f *Flow) when(c *bot.Conversation, t time.Time) string {
	return t.In(f.loc).Format(c.T("mydata.time.layout"))
}
