// Package report is the conversation of a unit's focal point (đầu mối):
// /report picks one of the user's units and one of its open periods and
// walks the period's form field by field; every answer is saved at once
// into the unit's draft in PostgreSQL; a review shows every answer, any can
// be changed, then the report is submitted and a numbered receipt given; a
// submitted report can be amended, with a reason, into a new version; the
// officials are told of every report and amendment (the scheduler sends
// the notices the submission plans). /status shows where the
// user's units stand in each period.
//
// The session holds only where the user is (unit, period, field, the draft
// version seen): the draft is the record. A lost session, a restart or
// another device continues where the draft is: its first unanswered field,
// or the review once every field is answered. Two focal points of one unit
// fill in the same draft; an answer to a field the other changed since it
// was shown is not saved silently: the user sees the other value and keeps
// it or replaces it.
package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"hocvuso/bot"
	"hocvuso/flows"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// Name is the flow's name.
const Name = "report"

// MenuItem is the main menu's button that opens the reports, shown to the
// focal points.
var MenuItem = flows.MenuItem{Label: "report.menu", Flow: Name, Action: "start", For: flows.FocalPoints}

// Store is what the conversation needs of the records.
type Store interface {
	UserRoles(ctx context.Context, userID int64) ([]store.Role, error)
	Unit(ctx context.Context, code string) (store.Unit, bool, error)
	User(ctx context.Context, id int64) (store.User, error)
	RecordForm(ctx context.Context, f store.StoredForm) error
	Form(ctx context.Context, id string, version int) (store.StoredForm, bool, error)
	Draft(ctx context.Context, unitCode, periodID string) (store.Draft, bool, error)
	OpenDraft(ctx context.Context, s store.DraftStart) (store.Draft, bool, error)
	SaveDraftAnswer(ctx context.Context, a store.DraftAnswer) (store.Draft, error)
	OpenAmendment(ctx context.Context, s store.DraftStart, reason string) (store.Draft, error)
	DiscardAmendment(ctx context.Context, unitCode, periodID string, seen, by int64, at time.Time) error
	SubmitReport(ctx context.Context, s store.Submission) (store.ReportVersion, error)
	ReportVersions(ctx context.Context, unitCode, periodID string) ([]store.ReportVersion, error)
	FindReportVersion(ctx context.Context, unitCode, periodID string, version int) (store.ReportVersion, bool, error)
	UnitStatus(ctx context.Context, unitCode string, periods []store.PeriodDue, now time.Time) ([]store.PeriodStatus, error)
	PutAttachment(ctx context.Context, a store.Attachment) (string, bool, error)
}

// Fetcher downloads a file a user sent on one channel (bot.File.ID),
// refusing one over limit bytes with an error wrapping ErrFileTooLarge.
type Fetcher interface {
	DownloadFile(ctx context.Context, fileID string, limit int64) ([]byte, error)
}

// FetchFunc adapts a function to Fetcher.
type FetchFunc func(ctx context.Context, fileID string, limit int64) ([]byte, error)

// DownloadFile implements Fetcher.
func (f FetchFunc) DownloadFile(ctx context.Context, fileID string, limit int64) ([]byte, error) {
	return f(ctx, fileID, limit)
}

// ErrFileTooLarge is what a Fetcher's error wraps for a file over the limit.
var ErrFileTooLarge = errors.New("report: file too large")

// Config sets the conversation up.
type Config struct {
	// Forms holds the periods and every version of every form. Required.
	Forms *config.Config
	// Fetchers download the files users send, by channel; a channel
	// without one cannot take attachments. SetFetcher adds one later.
	Fetchers map[bot.Channel]Fetcher
	// Location is where times are shown; Asia/Ho_Chi_Minh when nil.
	Location *time.Location
	// Notices queues the officials' notices of each report submitted or
	// amended, in the submission's transaction (*scheduler.Notices): the
	// scheduler sends them. Required.
	Notices store.Enqueuer
}

// Flow is the report conversation.
type Flow struct {
	store   Store
	cfg     *config.Config
	loc     *time.Location
	notices store.Enqueuer

	mu       sync.RWMutex
	fetchers map[bot.Channel]Fetcher
	choices  Choices

	recorded sync.Map // "id/version" of the forms known to be in report_forms
	parsed   sync.Map // "id/version" -> *config.Form read from report_forms
}

// New returns the report flow.
func New(st Store, cfg Config) *Flow {
	if cfg.Forms == nil || cfg.Notices == nil {
		panic("report: Config.Forms and Config.Notices are required")
	}
	if cfg.Location == nil {
		cfg.Location = config.Location
	}
	f := &Flow{store: st, cfg: cfg.Forms, loc: cfg.Location, notices: cfg.Notices, fetchers: map[bot.Channel]Fetcher{}}
	for ch, fe := range cfg.Fetchers {
		f.fetchers[ch] = fe
	}
	return f
}

// SetFetcher sets how files sent on a channel are downloaded; the channel
// is set up after the flows, and may be while updates of another arrive.
func (f *Flow) SetFetcher(ch bot.Channel, fe Fetcher) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetchers[ch] = fe
}

// Choices reads the numbered list a channel last showed in a chat in
// place of buttons (store.ChoiceLists: Zalo shows more than 5 buttons
// so, and the user types the number).
type Choices interface {
	Choices(ctx context.Context, chat bot.ChatKey) (bot.ChoiceList, error)
}

// SetChoices lets the flow read the numbered lists the channels showed,
// to name the number to type where a hint would name a button.
func (f *Flow) SetChoices(ch Choices) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.choices = ch
}

// numberOf is the number the chat's numbered list shows a button of data
// under: 0 when the buttons on show are not numbered (Telegram, or 5 or
// fewer on Zalo) or the list does not hold it.
func (f *Flow) numberOf(c *bot.Conversation, data string) (int, error) {
	f.mu.RLock()
	ch := f.choices
	f.mu.RUnlock()
	if ch == nil || c.Update == nil {
		return 0, nil
	}
	l, err := ch.Choices(c.Ctx, bot.ChatKey{Channel: c.Update.Channel, ChatID: c.Update.ChatID})
	if err != nil {
		return 0, err
	}
	return slices.Index(l.Data, data) + 1, nil
}

func (f *Flow) fetcher(ch bot.Channel) Fetcher {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.fetchers[ch]
}

// Config is the reporting configuration in force.
func (f *Flow) Config() *config.Config { return f.cfg }

func (*Flow) Name() string       { return Name }
func (*Flow) Commands() []string { return []string{"report", "status"} }

// CommandsFor implements flows.ForSome: the reports are the focal points'.
func (*Flow) CommandsFor() flows.Audience { return flows.FocalPoints }

// Steps of the conversation, in the session.
const (
	stepAsk      = "ask"      // a field is asked: typed text and files answer it
	stepConflict = "conflict" // another focal point's answer is shown
	stepReview   = "review"   // every answer is shown, with submit
	stepReason   = "reason"   // the reason of an amendment is asked
	stepChoose   = "choose"   // a list of units, periods or a report is shown
)

// state is where the user is, kept in the session.
type state struct {
	Unit     string `json:"u,omitempty"`
	UnitName string `json:"un,omitempty"`
	Kind     string `json:"t,omitempty"`
	Period   string `json:"p,omitempty"`
	Form     string `json:"f,omitempty"`
	FormV    int    `json:"fv,omitempty"`
	Key      string `json:"k,omitempty"` // the field asked
	Seen     int64  `json:"v,omitempty"` // the draft version the user last saw
	Base     int    `json:"b,omitempty"` // the report version the draft amends
	// Review is set when the field was opened from the review: the
	// answer goes back to it.
	Review bool `json:"r,omitempty"`
	// Mine is the user's answer refused because another focal point had
	// answered the field meanwhile (stepConflict).
	Mine []byte `json:"m,omitempty"`
	// NoSend is set while the review on screen offers no Send: an
	// amendment that does not differ yet from the version it amends.
	NoSend bool `json:"ns,omitempty"`
	// Missing is set while the review on screen lacks required answers:
	// it offers "Answer what is missing", not Send.
	Missing bool `json:"mi,omitempty"`
	// Again is the file field whose saved files the files sent next
	// replace ("Thay các tệp đã gửi" tapped), while it is asked.
	Again string `json:"fa,omitempty"`
	// Album is the album (bot.Update.Group) of the last messages that
	// came in one, AlbumKey the field asked when its first came ("" when
	// none was): every later message of the album goes to that field, or
	// to none, never to a later question. AlbumTold is set once the user
	// was answered about what the album's other files became, so that an
	// album is told so once, not once per photo.
	Album     string `json:"al,omitempty"`
	AlbumKey  string `json:"ak,omitempty"`
	AlbumTold bool   `json:"at,omitempty"`
	// CaptionTold is set once the user was told that the text sent with
	// the album's files (a caption) was not saved: once per album.
	CaptionTold bool `json:"ct,omitempty"`
	// List is what the periods on screen open, in their order ("unit
	// index:period", as their buttons): a number typed opens one
	// (stepChoose, one unit's periods shown).
	List []string `json:"l,omitempty"`
}

func (st *state) kind() config.Kind { return config.Kind(st.Kind) }

// load returns the flow's state from the session, ok false when the
// session is not the flow's.
func load(c *bot.Conversation) (st state, ok bool) {
	if c.Session.Flow != Name {
		return st, false
	}
	if err := c.Session.LoadData(&st); err != nil {
		return state{}, false
	}
	return st, true
}

func save(c *bot.Conversation, step string, st *state) error {
	if step != stepChoose {
		st.List = nil
	}
	return c.Session.Enter(Name, step, st)
}

// Handle implements flows.Flow.
func (f *Flow) Handle(c *bot.Conversation, in flows.Input) error {
	if cb := in.Callback; cb != nil {
		if cb.Action == RemindAction {
			// A reminder's button belongs to no screen of the conversation.
			return f.remindTapped(c, cb.Arg)
		}
		if in.Stale {
			c.Notice(c.T("stale.button"))
			return nil
		}
		return f.tap(c, cb)
	}
	switch in.Command {
	case "report":
		return f.start(c)
	case "status":
		return f.status(c)
	case "stop":
		return f.stop(c)
	case "":
		return f.input(c)
	}
	return f.start(c)
}

// Takes implements flows.Taker: /stop (the quiz's command) typed while a
// report is being filled in, reviewed or amended stops the report.
func (*Flow) Takes(c *bot.Conversation, command string) bool {
	if command != "stop" {
		return false
	}
	switch c.Session.Step {
	case stepAsk, stepConflict, stepReview, stepReason:
		st, ok := load(c)
		return ok && st.Unit != "" && st.Period != ""
	}
	return false
}

// stop answers /stop in a report: at the reason of an amendment as its
// Cancel button does, elsewhere as ⏸ does (every answer is saved already).
func (f *Flow) stop(c *bot.Conversation) error {
	st, _ := load(c)
	if ok, err := f.mayReport(c, st.Unit); err != nil || !ok {
		if err == nil {
			return f.notFocal(c)
		}
		return err
	}
	if c.Session.Step == stepReason {
		return f.reasonCancelled(c, &st)
	}
	return f.pause(c, &st)
}

func (f *Flow) tap(c *bot.Conversation, cb *bot.Callback) error {
	switch cb.Action {
	case "start":
		return f.start(c)
	case "list":
		return f.list(c)
	case "status":
		return f.status(c)
	case "unit":
		return f.chooseUnit(c, cb.Arg)
	case "open":
		return f.openTapped(c, cb.Arg)
	}
	st, ok := load(c)
	if !ok || st.Unit == "" || st.Period == "" {
		c.Notice(c.T("stale.button"))
		return nil
	}
	if ok, err := f.mayReport(c, st.Unit); err != nil || !ok {
		if err == nil {
			return f.notFocal(c)
		}
		return err
	}
	switch cb.Action {
	case "yn", "opt", "skip", "keep", "back", "done", "again", "pause", "cont":
		return f.askTapped(c, &st, cb)
	case "theirs", "mine":
		return f.conflictTapped(c, &st, cb.Action == "mine")
	case "edit":
		return f.editField(c, &st, cb.Arg)
	case "submit":
		return f.submit(c, &st)
	case "review":
		return f.resume(c, &st, true)
	case "amend", "reason":
		return f.askReason(c, &st)
	case "sent":
		return f.showSent(c, &st)
	case "discard":
		return f.discard(c, &st)
	case "noreason":
		return f.reasonCancelled(c, &st)
	case "discardok":
		return f.discardConfirmed(c, &st)
	}
	c.Notice(c.T("stale.button"))
	return nil
}

// Edited implements flows.Editor. An edit is never read, and the general
// "send it again" would give the question asked now the corrected answer
// to an earlier one: the user is told that what they sent first is kept
// and how to change it, and the question asked now is asked again.
func (f *Flow) Edited(c *bot.Conversation) error {
	c.Say("report.edited")
	if st, ok := load(c); ok && st.Unit != "" && st.Period != "" && c.Session.Step == stepAsk {
		return f.reask(c, &st)
	}
	return nil
}

// input is typed text, a file or anything else while the flow owns the
// conversation.
func (f *Flow) input(c *bot.Conversation) error {
	st, ok := load(c)
	if ok && c.Session.Step == stepChoose && len(st.List) > 0 {
		// The periods are on screen, numbered: the number typed is the
		// button of that number.
		if n, isNumber := typedNumber(c.Update.Text); isNumber && n >= 1 && n <= len(st.List) && c.Update.Kind == bot.KindText {
			return f.openTapped(c, st.List[n-1])
		}
		c.Say("report.use_buttons_above")
		return nil
	}
	if !ok || st.Unit == "" || st.Period == "" {
		c.Say("report.use_buttons")
		return f.start(c)
	}
	if ok, err := f.mayReport(c, st.Unit); err != nil || !ok {
		if err == nil {
			return f.notFocal(c)
		}
		return err
	}
	u := c.Update
	more := false
	if u.Group != "" {
		if u.Group == st.Album {
			if c.Session.Step != stepAsk || st.Key != st.AlbumKey {
				return f.albumLeft(c, &st)
			}
			more = true
		} else {
			// The first message of an album: the others follow it to
			// the field asked now. Kept at once: what answers it below
			// does not always save the state.
			st.Album, st.AlbumKey, st.AlbumTold, st.CaptionTold = u.Group, "", false, false
			if c.Session.Step == stepAsk {
				st.AlbumKey = st.Key
			} else {
				st.AlbumTold = true // by the answer below
			}
			if err := save(c, c.Session.Step, &st); err != nil {
				return err
			}
		}
	}
	switch c.Session.Step {
	case stepAsk:
		switch u.Kind {
		case bot.KindText:
			return f.typedAnswer(c, &st, u.Text)
		case bot.KindFile:
			return f.fileAnswer(c, &st, u.Files(), more)
		}
		// A sticker, a location, a video…: said in the terms of the
		// question asked.
		if _, fl, err := f.field(c, &st); err == nil && fl.Type == config.TypeFile {
			c.Reply(bot.Reply{Text: c.T("report.input.file.expected", "Kinds", fl.AcceptedKinds())})
		} else if more {
			// An album's video at a question that takes no file: said to
			// the album's first message already.
			return save(c, stepAsk, &st)
		} else {
			st.AlbumTold = u.Group != ""
			c.Say("report.input.unsupported")
		}
		return f.reask(c, &st)
	case stepReason:
		if u.Kind == bot.KindText {
			return f.reasonTyped(c, &st, u.Text)
		}
		c.Say("report.reason.ask")
		return nil
	}
	// A list, the review or a conflict is on screen: buttons answer it,
	// on the message above. Typed at the review, it is most likely a
	// correction: say how to make one.
	if c.Session.Step == stepReview {
		if st.Missing {
			// Send is not shown yet: the hint points to the button that
			// asks what is missing (on Zalo, its number).
			n, err := f.numberOf(c, c.Button("", Name, "cont", "").Data)
			if err != nil {
				return err
			}
			if n > 0 {
				c.Reply(bot.Reply{Text: c.T("report.review.typed_missing_numbered", "N", n)})
				return nil
			}
			c.Say("report.review.typed_missing")
			return nil
		}
		if st.NoSend {
			c.Reply(bot.Reply{Text: c.T("report.review.typed_no_change", "Version", st.Base)})
			return nil
		}
		// On Zalo the review's buttons are a numbered list: the hint says
		// which number sends the report.
		n, err := f.numberOf(c, c.Button("", Name, "submit", "").Data)
		if err != nil {
			return err
		}
		if n > 0 {
			c.Reply(bot.Reply{Text: c.T("report.review.typed_numbered", "N", n)})
			return nil
		}
		c.Say("report.review.typed")
		return nil
	}
	c.Say("report.use_buttons_above")
	return nil
}

// ---- who may report ----

// units lists the units the user is a focal point of, by code.
func (f *Flow) units(c *bot.Conversation) ([]string, error) {
	if c.Session.UserID == 0 {
		return nil, nil
	}
	roles, err := f.store.UserRoles(c.Ctx, c.Session.UserID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range roles {
		if r.Role == store.RoleFocal && !slices.Contains(out, r.UnitCode) {
			out = append(out, r.UnitCode)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (f *Flow) mayReport(c *bot.Conversation, unit string) (bool, error) {
	units, err := f.units(c)
	return slices.Contains(units, unit), err
}

// notFocal explains how to become a focal point; an official is shown
// their own commands instead.
func (f *Flow) notFocal(c *bot.Conversation) error {
	if c.Session.Flow == Name {
		c.Session.Reset()
	}
	text := c.T("report.not_focal")
	if c.Session.UserID != 0 {
		roles, err := f.store.UserRoles(c.Ctx, c.Session.UserID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(roles, func(r store.Role) bool { return r.Role == store.RoleOfficial }) {
			text = c.T("report.official_not_focal")
		}
	}
	c.NextScreen()
	c.Reply(bot.Reply{Text: text, Buttons: [][]bot.Button{flows.BackToMenu(c)}})
	return nil
}

// ---- forms ----

// form returns a form version: from the configuration, else as recorded
// with the drafts and reports made with it.
func (f *Flow) form(ctx context.Context, id string, version int) (*config.Form, error) {
	if fm, ok := f.cfg.Form(id, version); ok {
		return fm, nil
	}
	key := fmt.Sprintf("%s/%d", id, version)
	if fm, ok := f.parsed.Load(key); ok {
		return fm.(*config.Form), nil
	}
	sf, ok, err := f.store.Form(ctx, id, version)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("report: form %s v%d is neither configured nor recorded", id, version)
	}
	fm, err := config.ParseForm(config.File{Name: key, Data: sf.Content})
	if err != nil {
		return nil, fmt.Errorf("report: recorded form %s v%d: %w", id, version, err)
	}
	f.parsed.Store(key, fm)
	return fm, nil
}

// record makes sure a form version is in report_forms before a draft
// names it; once per process and version.
func (f *Flow) record(c *bot.Conversation, fm *config.Form) error {
	key := fmt.Sprintf("%s/%d", fm.ID, fm.Version)
	if _, ok := f.recorded.Load(key); ok {
		return nil
	}
	if err := f.store.RecordForm(c.Ctx, store.StoredForm{ID: fm.ID, Version: fm.Version, Hash: fm.Hash, Content: fm.Content, RecordedAt: c.Now}); err != nil {
		return err
	}
	f.recorded.Store(key, true)
	return nil
}

// period returns a period the unit reports in and that is open.
func (f *Flow) period(c *bot.Conversation, id string, kind config.Kind) (*config.Period, bool) {
	p, ok := f.cfg.Period(id)
	if !ok || !p.AppliesTo(kind) || !p.IsOpen(c.Now) {
		return nil, false
	}
	return p, true
}

func (f *Flow) start(c *bot.Conversation) error {
	units, err := f.units(c)
	if err != nil {
		return err
	}
	if len(units) == 0 {
		return f.notFocal(c)
	}
	// Where the user was, when the session remembers it and the draft is
	// still there.
	if st, ok := load(c); ok && st.Unit != "" && st.Period != "" && slices.Contains(units, st.Unit) {
		if _, ok := f.period(c, st.Period, st.kind()); ok {
			if _, has, err := f.store.Draft(c.Ctx, st.Unit, st.Period); err != nil {
				return err
			} else if has {
				return f.openDraft(c, st.Unit, st.Period, true)
			}
		}
	}
	// Else the one draft under way, if there is exactly one.
	var drafts [][2]string
	for _, code := range units {
		u, ok, err := f.store.Unit(c.Ctx, code)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		statuses, err := f.store.UnitStatus(c.Ctx, code, f.dues(c, config.Kind(u.Kind)), c.Now)
		if err != nil {
			return err
		}
		for _, s := range statuses {
			if s.HasDraft {
				drafts = append(drafts, [2]string{code, s.PeriodID})
			}
		}
	}
	if len(drafts) == 1 {
		return f.openDraft(c, drafts[0][0], drafts[0][1], true)
	}
	return f.list(c)
}

// dues lists the open periods units of kind report in, with their due dates.
func (f *Flow) dues(c *bot.Conversation, kind config.Kind) []store.PeriodDue {
	var out []store.PeriodDue
	for _, p := range f.cfg.PeriodsFor(kind, c.Now) {
		out = append(out, store.PeriodDue{PeriodID: p.ID, Due: p.DueFor(kind)})
	}
	return out
}
