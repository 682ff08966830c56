// Package privacy lets a user see what the bot holds about them and erase it
// (Law 91/2025/QH15 on personal data protection).
package privacy

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
	"hocvuso/certificate"
	"hocvuso/flows"
	"hocvuso/flows/profile"
	"hocvuso/store"
)

// Users is what the privacy flow needs of the records.
type Users interface {
	User(ctx context.Context, id int64) (store.User, error)
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
		if c.Session.UserID == 0 {
			c.Say("mydata.none")
			return nil
		}
		c.NextScreen()
		c.Reply(bot.Reply{Text: c.T("deleteme.confirm"), Buttons: [][]bot.Button{
			{c.Button(c.T("deleteme.yes"), f.Name(), "erase", "yes")},
			{c.Button(c.T("deleteme.no"), f.Name(), "erase", "no")},
		}})
		return nil
	default:
		return f.myData(c)
	}
}

func (f *Flow) myData(c *bot.Conversation) error {
	if c.Session.UserID == 0 {
		c.Say("mydata.none")
		return nil
	}
	u, err := f.users.User(c.Ctx, c.Session.UserID)
	if errors.Is(err, pgx.ErrNoRows) {
		// Erased elsewhere (another linked channel, an administrator): the
		// session still named them.
		*c.Session = bot.Session{Version: c.Session.Version, Lang: c.Session.Lang, Screen: c.Session.Screen}
		c.Say("mydata.none")
		return nil
	}
	if err != nil {
		return err
	}
	lines := []string{
		c.T("mydata.header"),
		c.T("mydata.name", "Name", u.DisplayName),
		c.T("mydata.language", "Language", c.T("language."+u.Language)),
		c.T("mydata.consent", "At", f.when(u.ConsentAt)),
	}
	lines = append(lines, profile.MyData(c, u.CommuneCode, u.UserGroup)...)
	lines = append(lines, c.T("mydata.quiz", "Attempts", u.QuizAttempts, "Answers", u.QuizAnswers))
	if u.CertificateCode != "" {
		lines = append(lines, c.T("mydata.certificate", "Code", certificate.FormatCode(u.CertificateCode), "Name", u.CertificateName))
	}
	for _, a := range u.Accounts {
		lines = append(lines, c.T("mydata.account", "Channel", channelName(a.Channel), "ID", a.ExternalID, "Blocked", a.BlockedAt != nil))
	}
	lines = append(lines, "", c.T("mydata.footer"))
	c.NextScreen()
	c.Reply(bot.Reply{Text: strings.Join(lines, "\n"), Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	return nil
}

func (f *Flow) erase(c *bot.Conversation) error {
	if id := c.Session.UserID; id != 0 {
		var others []store.Account
		if f.Sessions != nil {
			u, err := f.users.User(c.Ctx, id)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			for _, a := range u.Accounts {
				if a.Channel != c.Update.Channel || a.ExternalID != c.Update.UserID {
					others = append(others, a)
				}
			}
		}
		if err := f.users.DeleteUser(c.Ctx, id); err != nil {
			return err
		}
		for _, a := range others {
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

func (f *Flow) when(t time.Time) string { return t.In(f.loc).Format("02/01/2006 15:04") }

func channelName(ch bot.Channel) string {
	switch ch {
	case bot.Telegram:
		return "Telegram"
	case bot.Zalo:
		return "Zalo"
	}
	return string(ch)
}
