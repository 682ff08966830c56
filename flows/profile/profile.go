// Package profile keeps the optional profile: the commune or ward a user
// lives in and their group. It is asked once, after the first finished quiz,
// and can be changed any time with /profile. The communes' participation
// makes the leaderboard (/leaderboard) of the emulation movement.
package profile

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/store"
)

// Name is the flow's name.
const Name = "profile"

// Groups are the groups a user may say they belong to, as stored.
var Groups = []string{"citizen", "public_employee", "student", "worker"}

// Store is what the flow needs of the records.
type Store interface {
	Profile(ctx context.Context, userID int64) (store.Profile, error)
	MarkProfileAsked(ctx context.Context, userID int64, at time.Time) (bool, error)
	SetCommune(ctx context.Context, userID int64, code string, at time.Time) error
	SetGroup(ctx context.Context, userID int64, group string, at time.Time) error
	CommuneParticipation(ctx context.Context, from, to time.Time) ([]store.CommuneCount, error)
}

// Steps of the conversation, while the flow owns it.
const (
	stepCommune = "commune" // waiting for a typed name or a tapped unit
	stepGroup   = "group"   // waiting for a tapped group
)

// state is the flow's session data.
type state struct {
	// Offer is set for the question asked after a quiz: the commune, then
	// the group, then a thank-you. Otherwise a change made from /profile,
	// which returns to the profile.
	Offer bool `json:"o,omitempty"`
}

// DefaultCacheTTL is how long a ranking is reused in a process.
const DefaultCacheTTL = 60 * time.Second

// Flow is the profile and leaderboard flow.
type Flow struct {
	st       Store
	loc      *time.Location
	communes *Communes
	// CacheTTL is how long a computed ranking is reused; zero reads it
	// afresh every time.
	CacheTTL time.Duration
	cache    rankCache
}

// embedded is the list shipped in the binary, read and checked once.
var embedded = sync.OnceValues(LoadCommunes)

// New returns the flow; "this month" is the month in loc. It fails when the
// embedded list of communes is not valid.
func New(st Store, loc *time.Location) (*Flow, error) {
	cs, err := embedded()
	if err != nil {
		return nil, err
	}
	return &Flow{st: st, loc: loc, communes: cs, CacheTTL: DefaultCacheTTL}, nil
}

func (*Flow) Name() string       { return Name }
func (*Flow) Transient() bool    { return true } // its questions end with another command
func (*Flow) Commands() []string { return []string{"profile", "leaderboard"} }

// MenuItems are the main-menu entries of the flow: the profile and the leaderboard.
func MenuItems() []flows.MenuItem {
	return []flows.MenuItem{
		{Label: "menu.profile", Flow: Name, Action: "show"},
		{Label: "menu.leaderboard", Flow: Name, Action: "leaderboard"},
	}
}

// Offer asks the optional profile, once per user: it is the quiz's
// AfterAttempt hook. It reads whether the profile was asked while the quiz
// writes the attempt's end; what it returns asks, after the result. The
// question counts as asked as soon as it is shown, so skipping it, or
// ignoring it, is never met with it again.
func (f *Flow) Offer(ctx context.Context, userID int64) (func(c *bot.Conversation) error, error) {
	if userID == 0 {
		return nil, nil
	}
	p, err := f.st.Profile(ctx, userID)
	if err != nil || p.AskedAt != nil {
		return nil, err
	}
	return func(c *bot.Conversation) error {
		// Marked now, once the result is shown; only one of the user's
		// chats finishing at once asks.
		first, err := f.st.MarkProfileAsked(c.Ctx, userID, c.Now)
		if err != nil || !first {
			return err
		}
		if err := c.Session.Enter(Name, stepCommune, state{Offer: true}); err != nil {
			return err
		}
		// No new screen: the buttons of the quiz's result, just shown, stay live.
		c.Reply(bot.Reply{Text: c.T("profile.offer") + "\n\n" + c.T("profile.commune.ask"), Buttons: f.askRows(c)})
		return nil
	}, nil
}

// Handle implements flows.Flow.
func (f *Flow) Handle(c *bot.Conversation, in flows.Input) error {
	if cb := in.Callback; cb != nil {
		return f.tap(c, cb)
	}
	switch in.Command {
	case "profile":
		return f.summary(c, "", false)
	case "leaderboard":
		return f.leaderboard(c, periodMonth, false)
	}
	if c.Session.Flow != Name {
		return f.summary(c, "", false)
	}
	switch c.Session.Step {
	case stepCommune:
		if c.Update.Kind != bot.KindText {
			c.Reply(bot.Reply{Text: c.T("unsupported.input") + "\n\n" + c.T("profile.commune.ask"), Buttons: f.askRows(c)})
			return nil
		}
		return f.search(c, c.Update.Text)
	case stepGroup:
		c.Reply(bot.Reply{Text: c.T("profile.group.tap"), Buttons: f.groupRows(c)})
		return nil
	}
	c.Session.Reset()
	return f.summary(c, "", false)
}

// tap handles a button. Choices (a unit, a group, skipping) count while the
// question they answer is open, from whichever of its messages: a list
// shown before a new search is still a fair answer. Once it is answered,
// they are stale.
func (f *Flow) tap(c *bot.Conversation, cb *bot.Callback) error {
	s := c.Session
	asking := func(step string) bool { return s.Flow == Name && s.Step == step }
	switch cb.Action {
	case "show":
		return f.summary(c, "", true)
	case "leaderboard":
		return f.leaderboard(c, cb.Arg, true)
	case "change":
		switch cb.Arg {
		case "commune":
			if err := s.Enter(Name, stepCommune, state{}); err != nil {
				return err
			}
			c.Reply(bot.Reply{Text: c.T("profile.commune.ask"), Buttons: f.askRows(c), Edit: true})
			return nil
		case "group":
			if err := s.Enter(Name, stepGroup, state{}); err != nil {
				return err
			}
			c.Reply(bot.Reply{Text: c.T("profile.group.ask"), Buttons: f.groupRows(c), Edit: true})
			return nil
		}
	case "clear":
		if err := f.st.SetCommune(c.Ctx, s.UserID, "", c.Now); err != nil {
			return err
		}
		if err := f.st.SetGroup(c.Ctx, s.UserID, "", c.Now); err != nil {
			return err
		}
		return f.summary(c, c.T("profile.cleared"), true)
	case "letters":
		if asking(stepCommune) {
			c.Reply(bot.Reply{Text: c.T("profile.commune.ask"), Buttons: f.askRows(c), Edit: true})
			return nil
		}
	case "letter":
		if asking(stepCommune) {
			letter, page := parseLetterArg(cb.Arg)
			if units := f.communes.WithLetter(letter); len(units) > 0 {
				c.Reply(f.letterReply(c, letter, units, page, true))
				return nil
			}
		}
	case "pick":
		if u, ok := f.communes.Unit(cb.Arg); ok && asking(stepCommune) {
			if err := f.st.SetCommune(c.Ctx, s.UserID, u.Code, c.Now); err != nil {
				return err
			}
			return f.afterCommune(c, c.T("profile.commune.saved", "Unit", f.unitName(c, u)))
		}
	case "skip":
		if cb.Arg == stepCommune && asking(stepCommune) {
			return f.afterCommune(c, "")
		}
		if cb.Arg == stepGroup && asking(stepGroup) {
			return f.afterGroup(c, "")
		}
	case "group":
		if slices.Contains(Groups, cb.Arg) && asking(stepGroup) {
			if err := f.st.SetGroup(c.Ctx, s.UserID, cb.Arg, c.Now); err != nil {
				return err
			}
			return f.afterGroup(c, c.T("profile.group.saved", "Group", c.T("profile.group."+cb.Arg)))
		}
	}
	c.Notice(c.T("stale.button"))
	return nil
}

// afterCommune goes on once the commune is chosen or skipped: to the group
// when asking after a quiz, else back to the profile. saved confirms the
// choice, replacing the list it was made from.
func (f *Flow) afterCommune(c *bot.Conversation, saved string) error {
	var st state
	if err := c.Session.LoadData(&st); err != nil {
		return err
	}
	if !st.Offer {
		return f.summary(c, saved, true)
	}
	if err := c.Session.Enter(Name, stepGroup, st); err != nil {
		return err
	}
	text := c.T("profile.group.ask")
	if saved != "" {
		text = saved + "\n\n" + text
	}
	c.Reply(bot.Reply{Text: text, Buttons: f.groupRows(c), Edit: true})
	return nil
}

// afterGroup ends the question: a thank-you after a quiz, else the profile.
func (f *Flow) afterGroup(c *bot.Conversation, saved string) error {
	var st state
	if err := c.Session.LoadData(&st); err != nil {
		return err
	}
	if !st.Offer {
		return f.summary(c, saved, true)
	}
	c.Session.Reset()
	p, err := f.st.Profile(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	text := c.T("profile.skipped")
	if p.CommuneCode != "" || p.Group != "" {
		text = c.T("profile.done")
	}
	if saved != "" {
		text = saved + "\n\n" + text
	}
	c.NextScreen()
	c.Reply(bot.Reply{Text: text, Edit: true, Buttons: [][]bot.Button{
		{c.Button(c.T("menu.leaderboard"), Name, "leaderboard", "")},
		flows.BackToMenu(c),
	}})
	return nil
}

// summary shows the profile with what can be done with it; note (a
// confirmation) comes first.
func (f *Flow) summary(c *bot.Conversation, note string, edit bool) error {
	if c.Session.Flow == Name {
		c.Session.Reset()
	}
	p, err := f.st.Profile(c.Ctx, c.Session.UserID)
	if err != nil {
		return err
	}
	commune, group := c.T("profile.none"), c.T("profile.none")
	if p.CommuneCode != "" {
		commune = f.describe(c, p.CommuneCode)
	}
	if p.Group != "" {
		group = c.T("profile.group." + p.Group)
	}
	text := c.T("profile.summary", "Commune", commune, "Group", group)
	if note != "" {
		text = note + "\n\n" + text
	}
	c.NextScreen()
	rows := [][]bot.Button{
		{c.Button(c.T("profile.change.commune"), Name, "change", "commune")},
		{c.Button(c.T("profile.change.group"), Name, "change", "group")},
	}
	if p.CommuneCode != "" || p.Group != "" {
		rows = append(rows, []bot.Button{c.Button(c.T("profile.clear"), Name, "clear", "")})
	}
	rows = append(rows, []bot.Button{c.Button(c.T("menu.leaderboard"), Name, "leaderboard", "")}, flows.BackToMenu(c))
	c.Reply(bot.Reply{Text: text, Buttons: rows, Edit: edit})
	return nil
}

// search answers a typed name with the units it may mean, as buttons.
func (f *Flow) search(c *bot.Conversation, text string) error {
	m := f.communes.Search(text)
	if m.TooLong {
		c.Reply(bot.Reply{Text: c.T("profile.commune.toolong"), Buttons: f.askRows(c)})
		return nil
	}
	words := queryWords(text)
	if len(words) == 1 && utf8.RuneCountInString(words[0]) == 1 {
		// One letter: the units starting with it.
		for _, l := range f.communes.Letters() {
			if bot.Fold(l) == words[0] {
				c.Reply(f.letterReply(c, l, f.communes.WithLetter(l), 0, false))
				return nil
			}
		}
	}
	query := shorten(strings.Join(strings.Fields(text), " "), 40)
	if len(m.Units) == 0 {
		id := "profile.commune.none"
		if len(words) == 0 {
			id = "profile.commune.empty"
		}
		c.Reply(bot.Reply{Text: c.T(id, "Query", query, "Merged", c.T("profile.commune.merged")), Buttons: f.askRows(c)})
		return nil
	}
	var lines []string
	switch {
	case m.Near:
		lines = append(lines, c.T("profile.commune.near", "Query", query, "Merged", c.T("profile.commune.merged")))
	case m.Total > len(m.Units):
		lines = append(lines, c.T("profile.commune.many", "Total", m.Total, "Shown", len(m.Units)))
	default:
		lines = append(lines, c.T("profile.commune.found"))
	}
	rows := make([][]bot.Button, 0, len(m.Units)+2)
	for _, u := range m.Units {
		rows = append(rows, []bot.Button{c.Button(f.unitName(c, u), Name, "pick", u.Code)})
	}
	rows = append(rows,
		[]bot.Button{c.Button(c.T("profile.commune.byletter"), Name, "letters", "")},
		[]bot.Button{c.Button(c.T("profile.skip"), Name, "skip", stepCommune)})
	c.Reply(bot.Reply{Text: strings.Join(lines, "\n"), Buttons: rows})
	return nil
}

// letterPageSize is how many units a page of a letter shows, two a row.
const letterPageSize = 10

func (f *Flow) letterReply(c *bot.Conversation, letter string, units []Unit, page int, edit bool) bot.Reply {
	pages := (len(units) + letterPageSize - 1) / letterPageSize
	page = max(0, min(page, pages-1))
	shown := units[page*letterPageSize : min(len(units), (page+1)*letterPageSize)]
	var rows [][]bot.Button
	for i := 0; i < len(shown); i += 2 {
		row := []bot.Button{c.Button(shown[i].Name, Name, "pick", shown[i].Code)}
		if i+1 < len(shown) {
			row = append(row, c.Button(shown[i+1].Name, Name, "pick", shown[i+1].Code))
		}
		rows = append(rows, row)
	}
	var nav []bot.Button
	if page > 0 {
		nav = append(nav, c.Button(c.T("profile.page.prev"), Name, "letter", fmt.Sprintf("%s.%d", letter, page-1)))
	}
	if page < pages-1 {
		nav = append(nav, c.Button(c.T("profile.page.next"), Name, "letter", fmt.Sprintf("%s.%d", letter, page+1)))
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows,
		[]bot.Button{c.Button(c.T("profile.commune.otherletter"), Name, "letters", "")},
		[]bot.Button{c.Button(c.T("profile.skip"), Name, "skip", stepCommune)})
	text := c.T("profile.commune.letter", "Letter", letter)
	if pages > 1 {
		text += " " + c.T("profile.page", "Page", page+1, "Pages", pages)
	}
	return bot.Reply{Text: text, Buttons: rows, Edit: edit}
}

// parseLetterArg reads "M.1" (letter, page); a bad page is the first.
func parseLetterArg(arg string) (string, int) {
	letter, p, _ := strings.Cut(arg, ".")
	page := 0
	for _, r := range p {
		if r < '0' || r > '9' || page > 100 {
			return letter, 0
		}
		page = page*10 + int(r-'0')
	}
	return letter, page
}

// askRows are the buttons under the commune question: the first letters,
// four a row, and skip.
func (f *Flow) askRows(c *bot.Conversation) [][]bot.Button {
	var rows [][]bot.Button
	var row []bot.Button
	for _, l := range f.communes.Letters() {
		row = append(row, c.Button(l, Name, "letter", l))
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return append(rows, []bot.Button{c.Button(c.T("profile.skip"), Name, "skip", stepCommune)})
}

func (f *Flow) groupRows(c *bot.Conversation) [][]bot.Button {
	rows := make([][]bot.Button, 0, len(Groups)+1)
	for _, g := range Groups {
		rows = append(rows, []bot.Button{c.Button(c.T("profile.group."+g), Name, "group", g)})
	}
	return append(rows, []bot.Button{c.Button(c.T("profile.skip"), Name, "skip", stepGroup)})
}

// unitName is "Xã Mường La", "Phường Chiềng Cơi" (in English "Mường La
// commune").
func (f *Flow) unitName(c *bot.Conversation, u Unit) string {
	return c.T("profile.unit."+u.Kind, "Name", u.Name)
}

// describe names a unit by its code; a code no longer in the list shows as is.
func (f *Flow) describe(c *bot.Conversation, code string) string {
	if u, ok := f.communes.Unit(code); ok {
		return f.unitName(c, u)
	}
	return code
}

// MyData lists what the profile holds, for /mydata.
func MyData(c *bot.Conversation, communeCode, group string) []string {
	commune, grp := c.T("profile.none"), c.T("profile.none")
	if communeCode != "" {
		commune = communeCode
		if cs, err := embedded(); err == nil {
			if u, ok := cs.Unit(communeCode); ok {
				commune = c.T("profile.unit."+u.Kind, "Name", u.Name)
			}
		}
	}
	if group != "" {
		grp = c.T("profile.group." + group)
	}
	return []string{c.T("mydata.commune", "Commune", commune), c.T("mydata.group", "Group", grp)}
}

// shorten cuts s to n runes, with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
