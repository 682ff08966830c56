package reach_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"strconv"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/bottest"
	"hocvuso/bot/zalo"
	"hocvuso/bot/zalo/fakezalo"
	"hocvuso/reach"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// now is the real time: the fake platform judges its 7-day window by it.
var now = time.Now().UTC().Truncate(time.Second)

// world is a database, Telegram as a recorder, Zalo as the fake platform
// spoken to by the real client, and a Reacher over them.
type world struct {
	t        *testing.T
	db       *store.DB
	telegram *bottest.Recorder
	fake     *fakezalo.Server
	client   *zalo.Client
	reacher  *reach.Reacher
	next     int
}

// TestReach runs the specifications on one database; each has its own users.
func TestReach(t *testing.T) {
	db := storetest.NewDB(t)
	for _, spec := range []struct {
		name string
		run  func(t *testing.T, w *world)
	}{
		{"TelegramAlone", testTelegramAlone},
		{"ZaloInsideTheWindowGetsAMessage", testZaloInside},
		{"ZaloOutsideTheWindowGetsTheTemplate", testZaloOutsideTemplate},
		{"TheSevenDayBoundary", testBoundary},
		{"ZaloOutsideWithoutTemplateFallsBackToTelegram", testFallbackToTelegram},
		{"ZaloOutsideWithoutTemplateOrOtherAccountIsUnreachable", testUnreachable},
		{"ADigestCannotBeATemplate", testDigestOutside},
		{"ADigestGoesToTelegramWhenZaloIsOutside", testDigestToTelegram},
		{"ZaloRefusingAMessageAsOutsideSendsTheTemplate", testRefusedThenTemplate},
		{"ZaloRefusingWithoutTemplateIsUnreachable", testRefusedUnreachable},
		{"AnUnfollowedZaloIsMarkedAndTelegramReached", testBlockedThenOther},
		{"NoAccountToWriteTo", testNoAccount},
	} {
		t.Run(spec.name, func(t *testing.T) { spec.run(t, newWorld(t, db)) })
	}
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{t: t, db: db, telegram: &bottest.Recorder{}, fake: fakezalo.Start(fakezalo.Config{})}
	t.Cleanup(w.fake.Close)
	cfg := w.fake.Config()
	var err error
	w.client, err = zalo.New(zalo.Config{AppID: cfg.AppID, AppSecret: cfg.AppSecret, APIURL: w.fake.URL, OAuthURL: w.fake.URL,
		Tokens: &zalo.MemoryTokens{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.client.Seed(context.Background(), w.fake.Grant()); err != nil {
		t.Fatal(err)
	}
	w.fake.ApproveTemplate("tpl-remind", "unit", "due")
	w.fake.EnforceWindow(true)
	w.reacher = &reach.Reacher{Accounts: db, Senders: reach.SenderMap{bot.Telegram: w.telegram, bot.Zalo: w.client},
		Zalo: w.client, TemplateID: "tpl-remind", Now: func() time.Time { return now }}
	return w
}

// user makes a user with accounts on the channels given, each last seen
// ago before now; Zalo ids are returned for the fake.
func (w *world) user(lang string, seen map[bot.Channel]time.Duration) (int64, map[bot.Channel]string) {
	w.t.Helper()
	ctx := context.Background()
	ids := map[bot.Channel]string{}
	var user int64
	for _, ch := range []bot.Channel{bot.Telegram, bot.Zalo} {
		ago, ok := seen[ch]
		if !ok {
			continue
		}
		w.next++
		ext := storetest.Name(string(ch)) + strconv.Itoa(w.next)
		ids[ch] = ext
		if user == 0 {
			var err error
			user, err = w.db.CreateUser(ctx, store.NewUser{Channel: ch, ExternalID: ext, ChatID: ext, Language: lang,
				ConsentVersion: "t", At: now.Add(-ago)})
			if err != nil {
				w.t.Fatal(err)
			}
			continue
		}
		if _, err := w.db.Pool.Exec(ctx, `INSERT INTO accounts (channel, external_id, user_id, chat_id, last_seen_at)
			VALUES ($1, $2, $3, $2, $4)`, ch, ext, user, now.Add(-ago)); err != nil {
			w.t.Fatal(err)
		}
	}
	if z, ok := ids[bot.Zalo]; ok {
		// Zalo's own record of the interaction agrees with ours.
		w.fake.SetInteraction(z, now.Add(-seen[bot.Zalo]))
	}
	return user, ids
}

func reminder(lang string) reach.Message {
	text := "Nhắc: hạn nộp báo cáo năm là 10/11."
	if lang == "en" {
		text = "Reminder: the annual report is due on 10/11."
	}
	return reach.Message{Replies: []bot.Reply{{Text: text}}, Template: map[string]string{"unit": "Phường Chiềng Cơi", "due": "10/11/2026"}, TrackingID: "annual-2026:d7"}
}

const day = 24 * time.Hour

func testTelegramAlone(t *testing.T, w *world) {
	u, _ := w.user("en", map[bot.Channel]time.Duration{bot.Telegram: 90 * day})
	route, err := w.reacher.Push(context.Background(), u, reminder)
	if err != nil || route.Channel() != bot.Telegram || route.Via != reach.ViaMessage || route.Lang != "en" {
		t.Fatalf("%+v %v", route, err)
	}
	if got := w.telegram.Texts(); len(got) != 1 || got[0] != "Reminder: the annual report is due on 10/11." {
		t.Errorf("telegram got %q", got)
	}
}

func testZaloInside(t *testing.T, w *world) {
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Telegram: 20 * day, bot.Zalo: 6 * day})
	route, err := w.reacher.Push(context.Background(), u, reminder)
	if err != nil || route.Channel() != bot.Zalo || route.Via != reach.ViaMessage {
		t.Fatalf("%+v %v", route, err)
	}
	if got := w.fake.Texts(ids[bot.Zalo]); len(got) != 1 || got[0] != "Nhắc: hạn nộp báo cáo năm là 10/11." {
		t.Errorf("zalo got %q", got)
	}
	if len(w.fake.TemplatesTo(ids[bot.Zalo])) != 0 || len(w.telegram.Sent()) != 0 {
		t.Error("sent elsewhere too")
	}
}

func testZaloOutsideTemplate(t *testing.T, w *world) {
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Telegram: 20 * day, bot.Zalo: 8 * day})
	route, err := w.reacher.Push(context.Background(), u, reminder)
	if err != nil || route.Channel() != bot.Zalo || route.Via != reach.ViaTemplate {
		t.Fatalf("%+v %v", route, err)
	}
	got := w.fake.TemplatesTo(ids[bot.Zalo])
	if len(got) != 1 || got[0].ID != "tpl-remind" || got[0].TrackingID != "annual-2026:d7" ||
		!maps.Equal(got[0].Data, map[string]string{"unit": "Phường Chiềng Cơi", "due": "10/11/2026"}) {
		t.Fatalf("templates %+v", got)
	}
	if len(w.fake.Texts(ids[bot.Zalo])) != 0 || len(w.telegram.Sent()) != 0 {
		t.Error("an ordinary message was sent too")
	}
}

func testBoundary(t *testing.T, w *world) {
	for _, tc := range []struct {
		ago time.Duration
		via reach.Via
	}{{7*day - time.Second, reach.ViaMessage}, {7 * day, reach.ViaTemplate}} {
		u, _ := w.user("vi", map[bot.Channel]time.Duration{bot.Zalo: tc.ago})
		route, err := w.reacher.Route(context.Background(), u)
		if err != nil || route.Via != tc.via {
			t.Errorf("last seen %v ago: %v %v, want %v", tc.ago, route.Via, err, tc.via)
		}
	}
}

func testFallbackToTelegram(t *testing.T, w *world) {
	w.reacher.TemplateID = ""
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Telegram: 60 * day, bot.Zalo: 8 * day})
	route, err := w.reacher.Push(context.Background(), u, reminder)
	if err != nil || route.Channel() != bot.Telegram || route.Via != reach.ViaMessage {
		t.Fatalf("%+v %v", route, err)
	}
	if len(w.fake.MessagesTo(ids[bot.Zalo])) != 0 || len(w.telegram.Sent()) != 1 {
		t.Error("not sent on Telegram alone")
	}
}

func testUnreachable(t *testing.T, w *world) {
	w.reacher.TemplateID = ""
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Zalo: 8 * day})
	_, err := w.reacher.Push(context.Background(), u, reminder)
	if !errors.Is(err, reach.ErrUnreachableOnZalo) {
		t.Fatalf("err %v, want ErrUnreachableOnZalo", err)
	}
	if len(w.fake.Calls("message/cs")) != 0 || len(w.fake.MessagesTo(ids[bot.Zalo])) != 0 {
		t.Error("something was sent")
	}
	// Zalo off altogether: the same.
	w.reacher.TemplateID, w.reacher.Zalo = "tpl-remind", nil
	if _, err := w.reacher.Route(context.Background(), u); !errors.Is(err, reach.ErrUnreachableOnZalo) {
		t.Errorf("no template sender: %v", err)
	}
}

func testDigestOutside(t *testing.T, w *world) {
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Zalo: 9 * day})
	digest := func(string) reach.Message { return reach.Message{Replies: []bot.Reply{{Text: "Tổng hợp tuần"}}} }
	if _, err := w.reacher.Push(context.Background(), u, digest); !errors.Is(err, reach.ErrUnreachableOnZalo) {
		t.Fatalf("err %v, want ErrUnreachableOnZalo", err)
	}
	if len(w.fake.MessagesTo(ids[bot.Zalo])) != 0 {
		t.Error("something was sent")
	}
}

// A message that cannot be a template, to someone on Zalo outside the
// window and on Telegram too, goes to Telegram though a template is
// configured.
func testDigestToTelegram(t *testing.T, w *world) {
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Telegram: 30 * day, bot.Zalo: 9 * day})
	route, err := w.reacher.RouteMessage(context.Background(), u)
	if err != nil || route.Channel() != bot.Telegram || route.Via != reach.ViaMessage {
		t.Fatalf("RouteMessage: %+v %v", route, err)
	}
	if route, err := w.reacher.Route(context.Background(), u); err != nil || route.Via != reach.ViaTemplate {
		t.Errorf("Route, for a reminder: %+v %v; want the template", route, err)
	}
	digest := func(string) reach.Message { return reach.Message{Replies: []bot.Reply{{Text: "Tổng hợp tuần"}}} }
	if route, err := w.reacher.Push(context.Background(), u, digest); err != nil || route.Channel() != bot.Telegram {
		t.Fatalf("Push: %+v %v", route, err)
	}
	if got := w.telegram.Texts(); len(got) != 1 || got[0] != "Tổng hợp tuần" {
		t.Errorf("telegram got %q", got)
	}
	if len(w.fake.MessagesTo(ids[bot.Zalo])) != 0 || len(w.fake.TemplatesTo(ids[bot.Zalo])) != 0 {
		t.Error("something went to Zalo")
	}
}

// Our record says 6 days, Zalo's says 8 (an interaction we never saw
// recorded): Zalo answers -230 and the template goes instead.
func testRefusedThenTemplate(t *testing.T, w *world) {
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Zalo: 6 * day})
	w.fake.SetInteraction(ids[bot.Zalo], now.Add(-8*day))
	route, err := w.reacher.Push(context.Background(), u, reminder)
	if err != nil || route.Via != reach.ViaTemplate {
		t.Fatalf("%+v %v", route, err)
	}
	if calls := w.fake.Calls("message/cs"); len(calls) != 1 || calls[0].Error != fakezalo.WindowClosed {
		t.Errorf("cs calls %+v", calls)
	}
	if len(w.fake.TemplatesTo(ids[bot.Zalo])) != 1 {
		t.Error("no template")
	}
}

func testRefusedUnreachable(t *testing.T, w *world) {
	w.reacher.TemplateID = ""
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Zalo: 6 * day})
	w.fake.SetInteraction(ids[bot.Zalo], now.Add(-8*day))
	if _, err := w.reacher.Push(context.Background(), u, reminder); !errors.Is(err, reach.ErrUnreachableOnZalo) || !errors.Is(err, zalo.ErrWindowClosed) {
		t.Fatalf("err %v", err)
	}
}

func testBlockedThenOther(t *testing.T, w *world) {
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Telegram: 30 * day, bot.Zalo: day})
	w.fake.UnfollowEvent(ids[bot.Zalo])
	route, err := w.reacher.Push(context.Background(), u, reminder)
	if err != nil || route.Channel() != bot.Telegram {
		t.Fatalf("%+v %v", route, err)
	}
	blocked, err := w.db.IsBlocked(context.Background(), bot.Zalo, ids[bot.Zalo])
	if err != nil || !blocked {
		t.Errorf("the unfollowed Zalo account not marked blocked: %v %v", blocked, err)
	}
	if len(w.telegram.Sent()) != 1 {
		t.Error("telegram not reached")
	}
}

func testNoAccount(t *testing.T, w *world) {
	ctx := context.Background()
	u, ids := w.user("vi", map[bot.Channel]time.Duration{bot.Telegram: day})
	if err := w.db.SetBlocked(ctx, bot.Telegram, ids[bot.Telegram], true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.reacher.Push(ctx, u, reminder); !errors.Is(err, reach.ErrNoAccount) {
		t.Errorf("all blocked: %v", err)
	}
	if _, err := w.reacher.Route(ctx, 99999999); !errors.Is(err, reach.ErrNoAccount) {
		t.Errorf("no such user: %v", err)
	}
	// A channel this process does not serve is skipped.
	w.reacher.Senders = reach.SenderMap{bot.Zalo: w.client}
	u, _ = w.user("vi", map[bot.Channel]time.Duration{bot.Telegram: day})
	if _, err := w.reacher.Route(ctx, u); !errors.Is(err, reach.ErrNoAccount) {
		t.Errorf("telegram not served: %v", err)
	}
}
