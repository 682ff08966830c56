package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/bottest"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// ids renders a catalogue message as its id.
type ids struct{}

func (ids) Text(_, id string, _ map[string]any) string { return id }

// engineFixture is an engine on the real Redis and PostgreSQL of the test.
type engineFixture struct {
	t      *testing.T
	db     *store.DB
	redis  storetest.Redis
	state  *store.State
	sender *bottest.Recorder
	engine *bot.Engine
	user   string // the chat and the Telegram account of the test's own

	mu      sync.Mutex
	now     time.Time
	handler bot.Handler
	calls   atomic.Int64
}

// TestEngine runs the engine's specifications on one database (making one
// takes seconds); each has its own Redis prefix and its own user.
func TestEngine(t *testing.T) {
	db := storetest.NewDB(t)
	for _, spec := range []struct {
		name string
		run  func(t *testing.T, f *engineFixture)
	}{
		{"RedeliveredUpdateIsAppliedOnce", testRedeliveredUpdateIsAppliedOnce},
		{"SessionCarriesOverBetweenUpdates", testSessionCarriesOverBetweenUpdates},
		{"SendFailureResendsOnlyWhatWasNotDelivered", testSendFailureResendsOnlyWhatWasNotDelivered},
		{"FailingHandlerIsRetriedThenDroppedWithAnApology", testFailingHandlerIsRetriedThenDroppedWithAnApology},
		{"HandlerThatRecoversIsNotPoison", testHandlerThatRecoversIsNotPoison},
		{"PanickingHandlerIsAFailureNotACrash", testPanickingHandlerIsAFailureNotACrash},
		{"BlockedRecipientIsMarkedAndGetsNothingMore", testBlockedRecipientIsMarkedAndGetsNothingMore},
		{"BlockedAndUnblockedUpdatesAreRecorded", testBlockedAndUnblockedUpdatesAreRecorded},
		{"UserWhoWritesAfterAFailedDeliveryIsUnblocked", testUserWhoWritesAfterAFailedDeliveryIsUnblocked},
		{"KnownUserGetsALostSessionAfterRedisIsFlushed", testKnownUserGetsALostSessionAfterRedisIsFlushed},
		{"StrangerGetsAFreshSession", testStrangerGetsAFreshSession},
		{"KnownUserWithAnUnreadableSessionIsRestoredFromPostgres", testKnownUserWithAnUnreadableSessionIsRestoredFromPostgres},
		{"CallbackIsAnsweredExactlyOnce", testCallbackIsAnsweredExactlyOnce},
		{"EditReplyToACallbackTargetsTheTappedMessage", testEditReplyToACallbackTargetsTheTappedMessage},
		{"UpdatesOfOneChatRunOneAtATimeInSeqOrder", testUpdatesOfOneChatRunOneAtATimeInSeqOrder},
		{"DifferentChatsDoNotWaitForEachOther", testDifferentChatsDoNotWaitForEachOther},
		{"LastSeenIsRecordedAtMostHourly", testLastSeenIsRecordedAtMostHourly},
		{"ChannelWithoutSenderIsAnError", testChannelWithoutSenderIsAnError},
		{"ReplyToAnotherChatGoesThroughTheSenderOfItsChannel", testReplyToAnotherChatGoesThroughTheSenderOfItsChannel},
		{"UnreachableOtherChatIsMarkedBlockedAndTheUpdateIsDone", testUnreachableOtherChatIsMarkedBlockedAndTheUpdateIsDone},
		{"FailingOtherChatDoesNotHoldTheUpdateBack", testFailingOtherChatDoesNotHoldTheUpdateBack},
		{"ReplyToAChannelWithoutSenderIsDropped", testReplyToAChannelWithoutSenderIsDropped},
		{"BlockedUserStillLetsTheOtherChatsBeTold", testBlockedUserStillLetsTheOtherChatsBeTold},
		{"FlowsAskTheChannelWhichDocumentsItCarries", testFlowsAskTheChannelWhichDocumentsItCarries},
		{"RefusedDocumentIsReplacedByANoteNotRetried", testRefusedDocumentIsReplacedByANoteNotRetried},
		{"MenusAreSetAfterTheRepliesWhereTheChannelHasThem", testMenusAreSetAfterTheRepliesWhereTheChannelHasThem},
		{"MenuNotSetNeverFailsTheUpdate", testMenuNotSetNeverFailsTheUpdate},
		{"SlowMenuDoesNotEatTheUpdatesTime", testSlowMenuDoesNotEatTheUpdatesTime},
	} {
		t.Run(spec.name, func(t *testing.T) { spec.run(t, newEngine(t, db)) })
	}
}

func newEngine(t *testing.T, db *store.DB) *engineFixture {
	t.Helper()
	f := &engineFixture{
		t:      t,
		db:     db,
		redis:  storetest.NewRedis(t),
		sender: &bottest.Recorder{},
		now:    time.Date(2025, 9, 5, 8, 0, 0, 0, time.UTC),
		user:   storetest.Name("u"),
	}
	f.state = store.NewState(f.redis.Client, f.redis.Prefix)
	f.handler = bot.HandlerFunc(func(c *bot.Conversation) error { return nil })
	f.engine = &bot.Engine{
		State:    f.state,
		Accounts: f.db,
		Text:     ids{},
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:      f.clock,
		Handler: bot.HandlerFunc(func(c *bot.Conversation) error {
			f.calls.Add(1)
			f.mu.Lock()
			h := f.handler
			f.mu.Unlock()
			return h.Handle(c)
		}),
	}
	f.engine.SetSender(bot.Telegram, f.sender)
	return f
}

func (f *engineFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *engineFixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *engineFixture) handle(h func(c *bot.Conversation) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handler = bot.HandlerFunc(h)
}

// say makes a handler that replies with these texts.
func say(texts ...string) func(c *bot.Conversation) error {
	return func(c *bot.Conversation) error {
		for _, s := range texts {
			c.Reply(bot.Reply{Text: s})
		}
		return nil
	}
}

func (f *engineFixture) run(u *bot.Update) error {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return f.engine.Handle(ctx, u)
}

func (f *engineFixture) mustRun(u *bot.Update) {
	f.t.Helper()
	if err := f.run(u); err != nil {
		f.t.Fatalf("Handle(%s): %v", u.ID, err)
	}
}

// createUser records a consented user for the Telegram account ext.
func (f *engineFixture) createUser(ext, lang string) int64 {
	f.t.Helper()
	id, err := f.db.CreateUser(context.Background(), store.NewUser{
		Channel: bot.Telegram, ExternalID: ext, ChatID: ext, DisplayName: "Trần Văn Minh",
		Language: lang, ConsentVersion: "test", At: f.clock().Add(-48 * time.Hour),
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *engineFixture) account(ext string) store.Account {
	f.t.Helper()
	acc, ok, err := f.db.FindAccount(context.Background(), bot.Telegram, ext)
	if err != nil || !ok {
		f.t.Fatalf("FindAccount(%s) = %v, %v", ext, ok, err)
	}
	u, err := f.db.User(context.Background(), acc.UserID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, a := range u.Accounts {
		if a.Channel == bot.Telegram && a.ExternalID == ext {
			return a
		}
	}
	f.t.Fatalf("no account %s", ext)
	return store.Account{}
}

func (f *engineFixture) isBlocked(ext string) bool {
	f.t.Helper()
	b, err := f.db.IsBlocked(context.Background(), bot.Telegram, ext)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// text is a message the test's user typed.
func (f *engineFixture) text(id string, seq int64, s string) *bot.Update {
	return &bot.Update{Channel: bot.Telegram, ID: id, Seq: seq, ChatID: f.user, UserID: f.user,
		Kind: bot.KindText, Text: s, LanguageCode: "vi"}
}

// tap is a button the test's user tapped on message 777.
func (f *engineFixture) tap(id string, seq int64, data string) *bot.Update {
	return &bot.Update{Channel: bot.Telegram, ID: id, Seq: seq, ChatID: f.user, UserID: f.user,
		Kind: bot.KindCallback, CallbackID: "cb" + id, Data: data, MessageID: "777"}
}

func testRedeliveredUpdateIsAppliedOnce(t *testing.T, f *engineFixture) {
	f.handle(func(c *bot.Conversation) error {
		c.Session.Screen++
		c.Reply(bot.Reply{Text: "chào"})
		return nil
	})
	u := f.text("1", 1, "xin chào")
	f.mustRun(u)
	f.mustRun(u)
	f.mustRun(f.text("1", 1, "xin chào")) // redelivered: a new value, the same id

	if n := f.calls.Load(); n != 1 {
		t.Errorf("handler called %d times; want 1", n)
	}
	if got := f.sender.Texts(); !slices.Equal(got, []string{"chào"}) {
		t.Errorf("sent %q; want one greeting", got)
	}
	var screen int
	f.handle(func(c *bot.Conversation) error { screen = c.Session.Screen; return nil })
	f.mustRun(f.text("2", 2, "?"))
	if screen != 1 {
		t.Errorf("session applied %d times; want once", screen)
	}
}

func testSessionCarriesOverBetweenUpdates(t *testing.T, f *engineFixture) {
	type quiz struct{ Asked []string }
	f.handle(func(c *bot.Conversation) error {
		var q quiz
		if err := c.Session.LoadData(&q); err != nil {
			return err
		}
		q.Asked = append(q.Asked, c.Update.Text)
		c.Reply(bot.Reply{Text: strings.Join(q.Asked, ",")})
		return c.Session.Enter("quiz", "ask", q)
	})
	for i, s := range []string{"a", "b", "c"} {
		f.mustRun(f.text(fmt.Sprint(i+1), int64(i+1), s))
	}
	if got := f.sender.Texts(); !slices.Equal(got, []string{"a", "a,b", "a,b,c"}) {
		t.Errorf("sent %q; want the session to grow with each update", got)
	}
}

// failOn fails the first send of one text, once, and records the rest.
type failOn struct {
	*bottest.Recorder
	text   string
	err    error
	failed atomic.Bool
}

func (s *failOn) Send(ctx context.Context, t bot.Target, r bot.Reply) error {
	if r.Text == s.text && s.failed.CompareAndSwap(false, true) {
		return s.err
	}
	return s.Recorder.Send(ctx, t, r)
}

func testSendFailureResendsOnlyWhatWasNotDelivered(t *testing.T, f *engineFixture) {
	f.engine.SetSender(bot.Telegram, &failOn{Recorder: f.sender, text: "hai", err: bottest.ErrUnavailable})
	f.handle(say("một", "hai", "ba"))
	u := f.text("1", 1, "?")

	if err := f.run(u); !errors.Is(err, bottest.ErrUnavailable) {
		t.Fatalf("Handle with a failing send: err = %v; want it to be redelivered", err)
	}
	if got := f.sender.Texts(); !slices.Equal(got, []string{"một"}) {
		t.Fatalf("sent %q before the failure; want [một]", got)
	}
	f.mustRun(u)
	if got := f.sender.Texts(); !slices.Equal(got, []string{"một", "hai", "ba"}) {
		t.Errorf("sent %q after the redelivery; want each reply once, in order", got)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("handler called %d times; want 1: a redelivery only resends", n)
	}
	f.mustRun(u)
	if got := f.sender.Texts(); len(got) != 3 {
		t.Errorf("a third delivery sent more: %q", got)
	}
}

func testFailingHandlerIsRetriedThenDroppedWithAnApology(t *testing.T, f *engineFixture) {
	boom := errors.New("database down")
	f.handle(func(c *bot.Conversation) error {
		c.Reply(bot.Reply{Text: "half done"})
		c.Session.Flow = "broken"
		return boom
	})
	u := f.text("1", 1, "?")
	for attempt := 1; attempt < store.MaxAttempts; attempt++ {
		if err := f.run(u); !errors.Is(err, boom) {
			t.Fatalf("attempt %d: err = %v; want the handler's error, for a redelivery", attempt, err)
		}
		if got := f.sender.Texts(); len(got) != 0 {
			t.Fatalf("attempt %d sent %q; want nothing from a failed attempt", attempt, got)
		}
	}
	if err := f.run(u); err != nil {
		t.Fatalf("attempt %d: err = %v; want the update acknowledged", store.MaxAttempts, err)
	}
	if got := f.sender.Texts(); !slices.Equal(got, []string{"error.generic"}) {
		t.Errorf("sent %q; want the apology only", got)
	}
	f.mustRun(u)
	if n := f.calls.Load(); n != store.MaxAttempts {
		t.Errorf("handler called %d times; want %d, then never again", n, store.MaxAttempts)
	}
	if got := f.sender.Texts(); len(got) != 1 {
		t.Errorf("sent %q; want one apology", got)
	}

	// The failed attempts left the conversation as it was.
	var flow string
	f.handle(func(c *bot.Conversation) error { flow = c.Session.Flow; return nil })
	f.mustRun(f.text("2", 2, "?"))
	if flow != "" {
		t.Errorf("flow = %q after failed attempts; want their changes discarded", flow)
	}
}

func testHandlerThatRecoversIsNotPoison(t *testing.T, f *engineFixture) {
	var attempts int
	f.handle(func(c *bot.Conversation) error {
		if attempts++; attempts < store.MaxAttempts {
			return errors.New("flaky")
		}
		c.Reply(bot.Reply{Text: "ok"})
		return nil
	})
	u := f.text("1", 1, "?")
	for range store.MaxAttempts - 1 {
		if err := f.run(u); err == nil {
			t.Fatal("a failed attempt was acknowledged")
		}
	}
	f.mustRun(u)
	if got := f.sender.Texts(); !slices.Equal(got, []string{"ok"}) {
		t.Errorf("sent %q; want the reply and no apology", got)
	}
}

func testPanickingHandlerIsAFailureNotACrash(t *testing.T, f *engineFixture) {
	f.handle(func(c *bot.Conversation) error {
		answer := c.Update.Text[10] // a runtime panic: the text is shorter
		return c.Session.SetData(answer)
	})
	u := f.text("1", 1, "?")
	for attempt := 1; attempt < store.MaxAttempts; attempt++ {
		err := f.run(u)
		if err == nil || !strings.Contains(err.Error(), "panic") {
			t.Fatalf("attempt %d: err = %v; want the panic as an error", attempt, err)
		}
	}
	if err := f.run(u); err != nil {
		t.Fatalf("last attempt: %v; want the update dropped", err)
	}
	if got := f.sender.Texts(); !slices.Equal(got, []string{"error.generic"}) {
		t.Errorf("sent %q; want the apology", got)
	}
	// The chat is free again.
	f.handle(say("next"))
	f.mustRun(f.text("2", 2, "?"))
}

func testBlockedRecipientIsMarkedAndGetsNothingMore(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	f.sender.FailNext(fmt.Errorf("telegram: 403 Forbidden: bot was blocked by the user: %w", bot.ErrBlocked))
	f.handle(say("một", "hai", "ba"))

	u := f.text("1", 1, "?")
	if err := f.run(u); err != nil {
		t.Fatalf("Handle: %v; want the update acknowledged, there is no one to deliver to", err)
	}
	if got := f.sender.Texts(); len(got) != 0 {
		t.Errorf("sent %q to a user who blocked the bot", got)
	}
	if !f.isBlocked(f.user) {
		t.Error("account not marked blocked")
	}
	f.mustRun(u)
	if got := f.sender.Texts(); len(got) != 0 {
		t.Errorf("the redelivery sent %q", got)
	}
}

func testBlockedAndUnblockedUpdatesAreRecorded(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	upd := func(id string, seq int64, k bot.Kind) *bot.Update {
		return &bot.Update{Channel: bot.Telegram, ID: id, Seq: seq, ChatID: f.user, UserID: f.user, Kind: k}
	}

	f.mustRun(upd("1", 1, bot.KindBlocked))
	if a := f.account(f.user); a.BlockedAt == nil {
		t.Error("blocked_at not set by a blocked update")
	}
	f.mustRun(upd("2", 2, bot.KindUnblocked))
	if a := f.account(f.user); a.BlockedAt != nil {
		t.Errorf("blocked_at = %v after an unblocked update; want NULL", a.BlockedAt)
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("flows saw %d block/unblock updates; want none", n)
	}
	if got := f.sender.Texts(); len(got) != 0 {
		t.Errorf("sent %q", got)
	}

	// A user who writes has evidently unblocked the bot.
	f.mustRun(upd("3", 3, bot.KindBlocked))
	f.mustRun(f.text("4", 4, "hi"))
	if f.isBlocked(f.user) {
		t.Error("still blocked after the user wrote")
	}
}

func testUserWhoWritesAfterAFailedDeliveryIsUnblocked(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	f.handle(say("reply"))
	f.sender.FailNext(bot.ErrBlocked)
	f.mustRun(f.text("1", 1, "?"))
	if !f.isBlocked(f.user) {
		t.Fatal("account not marked blocked")
	}
	f.mustRun(f.text("2", 2, "back again"))
	if f.isBlocked(f.user) {
		t.Error("account still marked blocked although the user wrote; reminders would never reach them")
	}
	if got := f.sender.Texts(); !slices.Equal(got, []string{"reply"}) {
		t.Errorf("sent %q; want the reply to the second message", got)
	}
}

func testKnownUserGetsALostSessionAfterRedisIsFlushed(t *testing.T, f *engineFixture) {
	id := f.createUser(f.user, "en")
	var seen []bot.Session
	f.handle(func(c *bot.Conversation) error {
		seen = append(seen, *c.Session)
		c.Session.Flow = "quiz"
		return nil
	})

	f.mustRun(f.text("1", 1, "?")) // Redis never knew this chat
	f.mustRun(f.text("2", 2, "?"))
	f.redis.Flush(t)
	f.mustRun(f.text("3", 3, "?"))

	if len(seen) != 3 {
		t.Fatalf("handler saw %d updates; want 3", len(seen))
	}
	for i, want := range []struct {
		lost bool
		flow string
	}{{true, ""}, {false, "quiz"}, {true, ""}} {
		s := seen[i]
		if s.UserID != id || s.Lang != "en" || s.Lost != want.lost || s.Flow != want.flow {
			t.Errorf("update %d: session = %+v; want user %d, lang en (from PostgreSQL, not the vi client), lost %v, flow %q",
				i+1, s, id, want.lost, want.flow)
		}
	}
}

func testStrangerGetsAFreshSession(t *testing.T, f *engineFixture) {
	var got bot.Session
	f.handle(func(c *bot.Conversation) error { got = *c.Session; return nil })
	u := f.text("1", 1, "/start")
	u.LanguageCode = "en-US"
	f.mustRun(u)
	if got.UserID != 0 || got.Lost || got.Lang != "en" {
		t.Errorf("session = %+v; want a new visitor in en, not lost", got)
	}
}

func testKnownUserWithAnUnreadableSessionIsRestoredFromPostgres(t *testing.T, f *engineFixture) {
	id := f.createUser(f.user, "en")
	f.handle(func(c *bot.Conversation) error { c.Session.Flow = "quiz"; return nil })
	f.mustRun(f.text("1", 1, "?"))
	var conv string
	for _, k := range f.redis.Keys(t) {
		if strings.Contains(k, "conv:") {
			conv = k
		}
	}
	if err := f.redis.Client.HSet(context.Background(), conv, "d", "{garbage").Err(); err != nil {
		t.Fatal(err)
	}

	var got bot.Session
	f.handle(func(c *bot.Conversation) error { got = *c.Session; c.Session.Flow = "home"; return nil })
	f.mustRun(f.text("2", 2, "?"))
	if got.UserID != id || got.Lang != "en" || !got.Lost {
		t.Errorf("session = %+v; want user %d in en, lost", got, id)
	}
	f.mustRun(f.text("3", 3, "?"))
	if got.Flow != "home" || got.Lost {
		t.Errorf("session after the repair = %+v; want flow home", got)
	}
}

func testCallbackIsAnsweredExactlyOnce(t *testing.T, f *engineFixture) {
	answers := func(id string) []bottest.Answered {
		var out []bottest.Answered
		for _, a := range f.sender.Answered() {
			if a.UpdateID == id {
				out = append(out, a)
			}
		}
		return out
	}

	t.Run("handled", func(t *testing.T) {
		f.handle(func(c *bot.Conversation) error { c.Notice("Đã lưu"); c.Say("saved"); return nil })
		f.mustRun(f.tap("1", 1, "quiz|a|1|x"))
		if got := answers("1"); len(got) != 1 || got[0].Notice != "Đã lưu" {
			t.Errorf("answers = %+v; want one, with the notice", got)
		}
	})
	t.Run("handler fails", func(t *testing.T) {
		f.handle(func(c *bot.Conversation) error { return errors.New("boom") })
		if err := f.run(f.tap("2", 2, "quiz|a|1|x")); err == nil {
			t.Fatal("want an error")
		}
		if got := answers("2"); len(got) != 1 {
			t.Errorf("answers = %+v; want one", got)
		}
	})
	t.Run("handler panics", func(t *testing.T) {
		f.handle(func(c *bot.Conversation) error { panic("boom") })
		_ = f.run(f.tap("3", 3, "quiz|a|1|x"))
		if got := answers("3"); len(got) != 1 {
			t.Errorf("answers = %+v; want one", got)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		f.handle(say("ok"))
		f.mustRun(f.tap("4", 4, "quiz|a|1|x"))
		f.mustRun(f.tap("4", 4, "quiz|a|1|x"))
		if got := answers("4"); len(got) != 2 {
			t.Errorf("answers = %+v; want one per delivery", got)
		}
	})
	t.Run("delivery fails", func(t *testing.T) {
		f.sender.FailNext(bottest.ErrUnavailable)
		if err := f.run(f.tap("5", 5, "quiz|a|1|x")); err == nil {
			t.Fatal("want an error")
		}
		if got := answers("5"); len(got) != 1 {
			t.Errorf("answers = %+v; want one", got)
		}
	})
}

func testEditReplyToACallbackTargetsTheTappedMessage(t *testing.T, f *engineFixture) {
	f.handle(func(c *bot.Conversation) error {
		c.Reply(bot.Reply{Text: "edited", Edit: true})
		c.NextScreen()
		c.Reply(bot.Reply{Text: "new"})
		return nil
	})
	f.mustRun(f.tap("1", 1, "quiz|a|1|x"))
	f.mustRun(f.text("2", 2, "typed"))

	// Each target carries the conversation's language (Vietnamese by
	// default), the screen the update left on show, and the update.
	want := []bot.Target{
		{Channel: bot.Telegram, ChatID: f.user, EditMessageID: "777", Lang: "vi", Screen: 1, UpdateID: "1"},
		{Channel: bot.Telegram, ChatID: f.user, Lang: "vi", Screen: 1, UpdateID: "1"},
		{Channel: bot.Telegram, ChatID: f.user, Lang: "vi", Screen: 2, UpdateID: "2"}, // typed text has no message to edit
		{Channel: bot.Telegram, ChatID: f.user, Lang: "vi", Screen: 2, UpdateID: "2"},
	}
	sent := f.sender.Sent()
	if len(sent) != len(want) {
		t.Fatalf("sent %d replies; want %d", len(sent), len(want))
	}
	for i, s := range sent {
		if s.Target != want[i] {
			t.Errorf("reply %d (%q) went to %+v; want %+v", i, s.Reply.Text, s.Target, want[i])
		}
	}
}

func testUpdatesOfOneChatRunOneAtATimeInSeqOrder(t *testing.T, f *engineFixture) {
	f.state.OrderWindow = 50 * time.Millisecond // room to queue under the race detector
	var (
		mu      sync.Mutex
		order   []string
		running atomic.Int32
		overlap atomic.Bool
	)
	f.handle(func(c *bot.Conversation) error {
		if running.Add(1) > 1 {
			overlap.Store(true)
		}
		defer running.Add(-1)
		mu.Lock()
		order = append(order, c.Update.Text)
		mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		return nil
	})
	for round := range 3 {
		mu.Lock()
		order = nil
		mu.Unlock()
		// A double tap: the later update reaches the replicas first.
		base := int64(round * 10)
		updates := []*bot.Update{
			f.text(fmt.Sprint(base+4), base+4, "4"), f.text(fmt.Sprint(base+3), base+3, "3"),
			f.text(fmt.Sprint(base+2), base+2, "2"), f.text(fmt.Sprint(base+1), base+1, "1"),
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, u := range updates {
			wg.Go(func() {
				<-start
				if err := f.run(u); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		if !slices.Equal(order, []string{"1", "2", "3", "4"}) {
			t.Errorf("round %d: handled in order %v; want by seq", round, order)
		}
	}
	if overlap.Load() {
		t.Error("two updates of one chat were handled at once")
	}
}

func testDifferentChatsDoNotWaitForEachOther(t *testing.T, f *engineFixture) {
	bStarted := make(chan struct{})
	f.handle(func(c *bot.Conversation) error {
		if c.Update.ChatID == "a" {
			select { // chat a's handler waits for chat b's to start
			case <-bStarted:
			case <-time.After(5 * time.Second):
				return errors.New("chat b never started while chat a was busy")
			}
		} else {
			close(bStarted)
		}
		return nil
	})
	a, b := f.text("1", 1, "?"), f.text("2", 2, "?")
	a.ChatID, b.ChatID = "a", "b"
	done := make(chan error, 1)
	go func() { done <- f.run(a) }()
	time.Sleep(20 * time.Millisecond)
	f.mustRun(b)
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func testLastSeenIsRecordedAtMostHourly(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	lastSeen := func() time.Time { return f.account(f.user).LastSeenAt }

	first := f.clock()
	f.mustRun(f.text("1", 1, "?"))
	if got := lastSeen(); !got.Equal(first) {
		t.Fatalf("last_seen_at = %v after a visit at %v", got, first)
	}
	f.advance(time.Minute)
	f.mustRun(f.text("2", 2, "?"))
	if got := lastSeen(); !got.Equal(first) {
		t.Errorf("last_seen_at = %v after a visit a minute later; want it left at %v", got, first)
	}
	f.advance(time.Hour)
	f.mustRun(f.text("3", 3, "?"))
	if got, want := lastSeen(), f.clock(); !got.Equal(want) {
		t.Errorf("last_seen_at = %v after a visit an hour later; want %v", got, want)
	}
}

func testChannelWithoutSenderIsAnError(t *testing.T, f *engineFixture) {
	u := f.text("1", 1, "?")
	u.Channel = bot.Zalo
	if err := f.run(u); err == nil {
		t.Error("Handle on a channel without sender: want an error")
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("handler called %d times", n)
	}
}

// otherChat is a chat on Zalo, with its own recording sender, that a flow
// tells something to (Conversation.ReplyTo), as /link tells a linked chat.
func (f *engineFixture) otherChat() (bot.Target, *bottest.Recorder) {
	f.t.Helper()
	ext := storetest.Name("z")
	if _, err := f.db.CreateUser(context.Background(), store.NewUser{
		Channel: bot.Zalo, ExternalID: ext, ChatID: ext, DisplayName: "Cầm Thị Lan",
		Language: "en", ConsentVersion: "test", At: f.clock().Add(-48 * time.Hour),
	}); err != nil {
		f.t.Fatal(err)
	}
	zalo := &bottest.Recorder{}
	f.engine.SetSender(bot.Zalo, zalo)
	return bot.Target{Channel: bot.Zalo, ChatID: ext, Lang: "en"}, zalo
}

func tellOtherChat(to bot.Target) func(c *bot.Conversation) error {
	return func(c *bot.Conversation) error {
		c.Reply(bot.Reply{Text: "linked", Edit: true})
		c.ReplyTo(to, bot.Reply{Text: c.TextIn(to.Lang, "link.told"), Edit: true})
		c.Reply(bot.Reply{Text: "menu"})
		return nil
	}
}

func testReplyToAnotherChatGoesThroughTheSenderOfItsChannel(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	to, zalo := f.otherChat()
	f.handle(tellOtherChat(to))
	f.mustRun(f.tap("1", 1, "link|ok|1|"))

	if got := f.sender.Texts(); !slices.Equal(got, []string{"linked", "menu"}) {
		t.Errorf("this chat got %q; want its own replies only, in order", got)
	}
	for _, s := range f.sender.Sent() {
		if s.Target.Channel != bot.Telegram || s.Target.ChatID != f.user {
			t.Errorf("a reply to this chat went to %+v", s.Target)
		}
	}
	sent := zalo.Sent()
	if len(sent) != 1 {
		t.Fatalf("the other chat's channel got %d replies; want 1", len(sent))
	}
	if sent[0].Target != (bot.Target{Channel: bot.Zalo, ChatID: to.ChatID, Lang: "en"}) || sent[0].Reply.Edit {
		t.Errorf("the other chat's reply went to %+v (edit %v); want a new message to %+v", sent[0].Target, sent[0].Reply.Edit, to)
	}
	if sent[0].Reply.Text != "link.told" {
		t.Errorf("the other chat got %q", sent[0].Reply.Text)
	}
	// A redelivery of the done update sends nothing again.
	f.mustRun(f.tap("1", 1, "link|ok|1|"))
	if n := len(zalo.Sent()); n != 1 {
		t.Errorf("the redelivery told the other chat again: %d replies", n)
	}
}

func testUnreachableOtherChatIsMarkedBlockedAndTheUpdateIsDone(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	to, zalo := f.otherChat()
	zalo.FailNext(fmt.Errorf("zalo: -213 not following: %w", bot.ErrBlocked))
	f.handle(tellOtherChat(to))
	f.mustRun(f.text("1", 1, "link"))

	if got := f.sender.Texts(); !slices.Equal(got, []string{"linked", "menu"}) {
		t.Errorf("this chat got %q", got)
	}
	blocked, err := f.db.IsBlocked(context.Background(), bot.Zalo, to.ChatID)
	if err != nil || !blocked {
		t.Errorf("the other chat's account blocked = %v, %v; want marked blocked", blocked, err)
	}
	if f.isBlocked(f.user) {
		t.Error("the user was marked blocked for the other chat's failure")
	}
}

func testFailingOtherChatDoesNotHoldTheUpdateBack(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	to, zalo := f.otherChat()
	zalo.FailNext(bottest.ErrUnavailable)
	f.handle(tellOtherChat(to))
	if err := f.run(f.text("1", 1, "link")); err != nil {
		t.Fatalf("Handle: %v; want the update done although another chat failed", err)
	}
	if got := f.sender.Texts(); !slices.Equal(got, []string{"linked", "menu"}) {
		t.Errorf("this chat got %q", got)
	}
	f.mustRun(f.text("1", 1, "link"))
	if got := f.sender.Texts(); len(got) != 2 {
		t.Errorf("the redelivery sent again: %q", got)
	}
	if blocked, _ := f.db.IsBlocked(context.Background(), bot.Zalo, to.ChatID); blocked {
		t.Error("a passing failure marked the other chat blocked")
	}
}

func testReplyToAChannelWithoutSenderIsDropped(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	f.handle(tellOtherChat(bot.Target{Channel: bot.Console, ChatID: "someone", Lang: "vi"}))
	f.mustRun(f.text("1", 1, "link"))
	if got := f.sender.Texts(); !slices.Equal(got, []string{"linked", "menu"}) {
		t.Errorf("this chat got %q", got)
	}
}

func testBlockedUserStillLetsTheOtherChatsBeTold(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	to, zalo := f.otherChat()
	f.sender.FailNext(bot.ErrBlocked)
	f.handle(tellOtherChat(to))
	f.mustRun(f.text("1", 1, "link"))
	if got := f.sender.Texts(); len(got) != 0 {
		t.Errorf("sent %q to a user who blocked the bot", got)
	}
	if !f.isBlocked(f.user) {
		t.Error("the user not marked blocked")
	}
	if n := len(zalo.Sent()); n != 1 {
		t.Errorf("the other chat got %d replies; want it told anyway", n)
	}
}

// pdfOnly is a channel that carries PDF files only, as a Sender with a
// DocumentChecker does: it refuses anything else before sending.
type pdfOnly struct{ *bottest.Recorder }

func (pdfOnly) CanSendDocument(d *bot.Document) bool { return d.MIME == "application/pdf" }

func (s pdfOnly) Send(ctx context.Context, t bot.Target, r bot.Reply) error {
	if r.Document != nil && !s.CanSendDocument(r.Document) {
		return fmt.Errorf("%w: %s", bot.ErrDocumentRefused, r.Document.MIME)
	}
	return s.Recorder.Send(ctx, t, r)
}

var (
	pdfDoc  = &bot.Document{Name: "chung-nhan.pdf", MIME: "application/pdf", Bytes: []byte("%PDF")}
	xlsxDoc = &bot.Document{Name: "bao-cao.xlsx", MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Bytes: []byte("PK"), Caption: "Kỳ 2025: 3/4"}
)

func testFlowsAskTheChannelWhichDocumentsItCarries(t *testing.T, f *engineFixture) {
	var pdf, xlsx bool
	f.handle(func(c *bot.Conversation) error {
		pdf, xlsx = c.CanSendDocument(pdfDoc), c.CanSendDocument(xlsxDoc)
		return nil
	})
	f.mustRun(f.text("1", 1, "/export"))
	if !pdf || !xlsx {
		t.Errorf("a channel without a DocumentChecker: pdf %v, xlsx %v; want both carried", pdf, xlsx)
	}
	f.engine.SetSender(bot.Telegram, pdfOnly{f.sender})
	f.mustRun(f.text("2", 2, "/export"))
	if !pdf || xlsx {
		t.Errorf("a PDF-only channel: pdf %v, xlsx %v; want the PDF only", pdf, xlsx)
	}
}

func testRefusedDocumentIsReplacedByANoteNotRetried(t *testing.T, f *engineFixture) {
	f.engine.SetSender(bot.Telegram, pdfOnly{f.sender})
	f.handle(func(c *bot.Conversation) error {
		c.Reply(bot.Reply{Text: "Bảng tổng hợp", Document: xlsxDoc, Buttons: [][]bot.Button{{{Label: "Menu", Data: "m"}}}})
		c.Reply(bot.Reply{Document: pdfDoc})
		c.Reply(bot.Reply{Text: "xong"})
		return nil
	})
	f.mustRun(f.text("1", 1, "/export"))
	sent := f.sender.Sent()
	if len(sent) != 3 {
		t.Fatalf("sent %+v; want the note, the PDF and the last text", sent)
	}
	// ids{} renders "files.refused" as its id.
	if r := sent[0].Reply; r.Document != nil || r.Text != "Bảng tổng hợp\n\nKỳ 2025: 3/4\n\nfiles.refused" || len(r.Buttons) != 1 {
		t.Errorf("the refused reply went as %+v; want its text, caption, the note and its buttons, no document", r)
	}
	if sent[1].Reply.Document != pdfDoc || sent[2].Reply.Text != "xong" {
		t.Errorf("the rest: %+v", sent[1:])
	}
	f.mustRun(f.text("1", 1, "/export")) // a redelivery: done already
	if n := len(f.sender.Sent()); n != 3 || f.calls.Load() != 1 {
		t.Errorf("after a redelivery: %d sent, handler called %d times", n, f.calls.Load())
	}
}

// sendOnly is a channel without command menus (Zalo): a Sender and
// nothing more.
type sendOnly struct{ rec *bottest.Recorder }

func (s sendOnly) Send(ctx context.Context, t bot.Target, r bot.Reply) error {
	return s.rec.Send(ctx, t, r)
}
func (s sendOnly) Answer(ctx context.Context, u *bot.Update, n string) error {
	return s.rec.Answer(ctx, u, n)
}

var focalMenu = bot.Menu{Commands: []bot.Command{{Name: "report", Description: "Báo cáo"}}}

// A flow's command menus (a role gained) go out after every reply, each
// through the sender of its chat's channel where that channel has command
// menus; on a channel without (Zalo) or not served here, nothing is done
// and nothing fails.
func testMenusAreSetAfterTheRepliesWhereTheChannelHasThem(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	zalo := &bottest.Recorder{}
	f.engine.SetSender(bot.Zalo, sendOnly{zalo})
	f.handle(func(c *bot.Conversation) error {
		c.SetMenu(bot.Target{Channel: bot.Telegram, ChatID: f.user, Lang: "vi", Screen: 4, UpdateID: "x", EditMessageID: "9"}, focalMenu)
		c.Reply(bot.Reply{Text: "Từ nay bạn là đầu mối"})
		c.SetMenu(bot.Target{Channel: bot.Zalo, ChatID: "z1", Lang: "vi"}, focalMenu)
		c.SetMenu(bot.Target{Channel: bot.Console, ChatID: "someone"}, bot.Menu{})
		c.Reply(bot.Reply{Text: "menu"})
		return nil
	})
	f.mustRun(f.text("1", 1, "/join"))
	if got := f.sender.Texts(); !slices.Equal(got, []string{"Từ nay bạn là đầu mối", "menu"}) {
		t.Errorf("this chat got %q", got)
	}
	menus := f.sender.Menus()
	if len(menus) != 1 {
		t.Fatalf("%d menus set on Telegram, want 1: %+v", len(menus), menus)
	}
	if want := (bot.Target{Channel: bot.Telegram, ChatID: f.user, Lang: "vi"}); menus[0].Target != want {
		t.Errorf("menu set for %+v, want %+v", menus[0].Target, want)
	}
	if !slices.Equal(menus[0].Menu.Commands, focalMenu.Commands) || menus[0].After != 2 {
		t.Errorf("menu %+v set after %d replies; want %+v after both", menus[0].Menu, menus[0].After, focalMenu)
	}
	if n := len(zalo.Sent()); n != 0 {
		t.Errorf("a menu went to Zalo as %d messages", n)
	}
	// Done: a redelivery sets nothing again.
	f.mustRun(f.text("1", 1, "/join"))
	if n := len(f.sender.Menus()); n != 1 {
		t.Errorf("the redelivery set the menu again: %d", n)
	}
}

// A command menu the channel refuses is logged: the user's action stands,
// the update is done, and its replies are not sent again.
func testMenuNotSetNeverFailsTheUpdate(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	f.sender.FailNextMenus(bottest.ErrUnavailable)
	f.handle(func(c *bot.Conversation) error {
		c.Reply(bot.Reply{Text: "Từ nay bạn là đầu mối"})
		c.SetMenu(bot.Target{Channel: bot.Telegram, ChatID: f.user, Lang: "vi"}, focalMenu)
		return nil
	})
	if err := f.run(f.text("1", 1, "/join")); err != nil {
		t.Fatalf("Handle: %v; want the update done although its menu was not set", err)
	}
	f.mustRun(f.text("1", 1, "/join"))
	if got := f.sender.Texts(); len(got) != 1 {
		t.Errorf("this chat got %q; want the reply once", got)
	}
	if n := len(f.sender.Menus()); n != 0 {
		t.Errorf("%d menus set; want the failed one not retried", n)
	}
}

// stuckMenus is a channel whose command menus never go through: each
// call waits until it is given up.
type stuckMenus struct{ sendOnly }

func (stuckMenus) SetMenu(ctx context.Context, _ bot.Target, _ bot.Menu) error {
	<-ctx.Done()
	return ctx.Err()
}

// A menu the channel is slow to take (a rate limit waited out) is given
// up in time for the update to be acknowledged.
func testSlowMenuDoesNotEatTheUpdatesTime(t *testing.T, f *engineFixture) {
	f.createUser(f.user, "vi")
	f.engine.SetSender(bot.Telegram, stuckMenus{sendOnly{f.sender}})
	f.handle(func(c *bot.Conversation) error {
		c.Reply(bot.Reply{Text: "Từ nay bạn là đầu mối"})
		c.SetMenu(bot.Target{Channel: bot.Telegram, ChatID: f.user, Lang: "vi"}, focalMenu)
		return nil
	})
	start := time.Now()
	if err := f.run(f.text("1", 1, "/join")); err != nil {
		t.Fatalf("Handle: %v; want the update done, its menu given up", err)
	}
	// The update had 10 s (run); the menu took no more than its own 5.
	if took := time.Since(start); took > 8*time.Second {
		t.Errorf("the update took %v, waiting for its menu", took)
	}
	if got := f.sender.Texts(); len(got) != 1 {
		t.Errorf("this chat got %q", got)
	}
}
