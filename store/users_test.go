package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// consentAt is a fixed moment, whole microseconds as PostgreSQL keeps them.
var consentAt = time.Date(2025, 3, 8, 9, 30, 0, 0, time.UTC)

// TestUsers runs the specifications of the users' records on one database
// (making one takes seconds); each uses accounts of its own.
func TestUsers(t *testing.T) {
	db := storetest.NewDB(t)
	for _, spec := range []struct {
		name string
		run  func(t *testing.T, db *store.DB, acc accounts)
	}{
		{"CreateUserRecordsUserAndAccount", testCreateUserRecordsUserAndAccount},
		{"CreateUserTwiceForOneAccountReturnsTheSameUser", testCreateUserTwiceForOneAccountReturnsTheSameUser},
		{"FindAccount", testFindAccount},
		{"DeleteUserRemovesTheirAccounts", testDeleteUserRemovesTheirAccounts},
		{"SetLanguage", testSetLanguage},
		{"SetBlocked", testSetBlocked},
		{"TouchRecordsTheLastVisit", testTouchRecordsTheLastVisit},
	} {
		t.Run(spec.name, func(t *testing.T) { spec.run(t, db, accounts(storetest.Name("a"))) })
	}
}

// accounts names the external ids of one test: acc.id("1001").
type accounts string

func (a accounts) id(n string) string { return string(a) + "-" + n }

func (a accounts) consent(n string) store.NewUser {
	ext := a.id(n)
	return store.NewUser{
		Channel: bot.Telegram, ExternalID: ext, ChatID: "chat-" + ext,
		DisplayName: "Nguyễn Thị Lan", Language: "vi", ConsentVersion: "2025-01", At: consentAt,
	}
}

func mustCreateUser(t *testing.T, db *store.DB, n store.NewUser) int64 {
	t.Helper()
	id, err := db.CreateUser(context.Background(), n)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return id
}

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func testCreateUserRecordsUserAndAccount(t *testing.T, db *store.DB, acc accounts) {
	id := mustCreateUser(t, db, acc.consent("1001"))

	u, err := db.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != id || u.DisplayName != "Nguyễn Thị Lan" || u.Language != "vi" || u.ConsentVersion != "2025-01" || !u.ConsentAt.Equal(consentAt) {
		t.Errorf("User = %+v; want what was consented", u)
	}
	if len(u.Accounts) != 1 {
		t.Fatalf("Accounts = %+v; want one", u.Accounts)
	}
	a := u.Accounts[0]
	if a.Channel != bot.Telegram || a.ExternalID != acc.id("1001") || a.ChatID != "chat-"+acc.id("1001") || a.BlockedAt != nil || !a.LastSeenAt.Equal(consentAt) {
		t.Errorf("Account = %+v; want telegram 1001, not blocked, last seen at consent", a)
	}
}

func testCreateUserTwiceForOneAccountReturnsTheSameUser(t *testing.T, db *store.DB, acc accounts) {
	before := countRows(t, db, "users")
	first := mustCreateUser(t, db, acc.consent("1001"))
	again := acc.consent("1001") // the consent update, redelivered
	again.DisplayName = "Lan"
	if second := mustCreateUser(t, db, again); second != first {
		t.Errorf("second CreateUser = %d; want the first user %d", second, first)
	}
	if n := countRows(t, db, "users") - before; n != 1 {
		t.Errorf("%d users recorded; want 1", n)
	}
	other := mustCreateUser(t, db, acc.consent("1002"))
	if other == first {
		t.Error("another account got the same user")
	}
}

func testFindAccount(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	n := acc.consent("1001")
	n.Language = "en"
	id := mustCreateUser(t, db, n)

	found, ok, err := db.FindAccount(ctx, bot.Telegram, acc.id("1001"))
	if err != nil || !ok || found.UserID != id || found.Lang != "en" {
		t.Errorf("FindAccount(known) = %+v, %v, %v; want user %d in en", found, ok, err, id)
	}
	for _, k := range []struct {
		ch  bot.Channel
		ext string
	}{{bot.Telegram, acc.id("9999")}, {bot.Zalo, acc.id("1001")}} {
		if found, ok, err := db.FindAccount(ctx, k.ch, k.ext); err != nil || ok {
			t.Errorf("FindAccount(%s, %s) = %+v, %v, %v; want not found, no error", k.ch, k.ext, found, ok, err)
		}
	}
}

func testDeleteUserRemovesTheirAccounts(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	id := mustCreateUser(t, db, acc.consent("1001"))
	keep := mustCreateUser(t, db, acc.consent("1002"))

	if err := db.DeleteUser(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.FindAccount(ctx, bot.Telegram, acc.id("1001")); err != nil || ok {
		t.Errorf("FindAccount after DeleteUser = %v, %v; want not found", ok, err)
	}
	if _, err := db.User(ctx, id); !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("User after DeleteUser: err = %v; want no rows", err)
	}
	var left int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM accounts WHERE user_id = $1`, id).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d accounts of the deleted user remain", left)
	}
	if _, ok, _ := db.FindAccount(ctx, bot.Telegram, acc.id("1002")); !ok {
		t.Errorf("another user's account (user %d) went too", keep)
	}
	// The person may consent again later: a new user.
	if again := mustCreateUser(t, db, acc.consent("1001")); again == id {
		t.Error("consent after deletion revived the deleted user id")
	}
}

// The language set is chosen in the bot: it stays the user's, whatever
// their app's, as one chosen before agreeing does.
func testSetLanguage(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	id := mustCreateUser(t, db, acc.consent("1001"))
	if chosen, err := db.LanguageChosen(ctx, id); err != nil || chosen {
		t.Fatalf("LanguageChosen of a user with their app's language = %v, %v; want false", chosen, err)
	}
	if err := db.SetLanguage(ctx, id, "en"); err != nil {
		t.Fatal(err)
	}
	if found, _, _ := db.FindAccount(ctx, bot.Telegram, acc.id("1001")); found.Lang != "en" {
		t.Errorf("Lang after SetLanguage(en) = %q", found.Lang)
	}
	if chosen, err := db.LanguageChosen(ctx, id); err != nil || !chosen {
		t.Errorf("LanguageChosen after SetLanguage = %v, %v; want true", chosen, err)
	}
	before := acc.consent("1002")
	before.LanguageChosen = true
	if chosen, err := db.LanguageChosen(ctx, mustCreateUser(t, db, before)); err != nil || !chosen {
		t.Errorf("LanguageChosen of a user who chose before agreeing = %v, %v; want true", chosen, err)
	}
	if chosen, err := db.LanguageChosen(ctx, 1<<40); err != nil || chosen {
		t.Errorf("LanguageChosen of no user = %v, %v; want false", chosen, err)
	}
	if err := db.SetLanguage(ctx, id, "fr"); err == nil {
		t.Error("SetLanguage(fr): want an error, there is no such catalogue")
	}
	if u, _ := db.User(ctx, id); u.Language != "en" {
		t.Errorf("Language after a rejected change = %q; want en", u.Language)
	}
}

func testSetBlocked(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	id := mustCreateUser(t, db, acc.consent("1001"))
	blockedAt := func() *time.Time {
		u, err := db.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u.Accounts[0].BlockedAt
	}

	if err := db.SetBlocked(ctx, bot.Telegram, acc.id("1001"), true); err != nil {
		t.Fatal(err)
	}
	first := blockedAt()
	if first == nil {
		t.Fatal("blocked_at not set")
	}
	if b, err := db.IsBlocked(ctx, bot.Telegram, acc.id("1001")); err != nil || !b {
		t.Errorf("IsBlocked = %v, %v; want true", b, err)
	}
	time.Sleep(2 * time.Millisecond)
	if err := db.SetBlocked(ctx, bot.Telegram, acc.id("1001"), true); err != nil {
		t.Fatal(err)
	}
	if again := blockedAt(); again == nil || !again.Equal(*first) {
		t.Errorf("blocked_at moved from %v to %v on a repeated block; want the first time kept", first, again)
	}

	if err := db.SetBlocked(ctx, bot.Telegram, acc.id("1001"), false); err != nil {
		t.Fatal(err)
	}
	if b := blockedAt(); b != nil {
		t.Errorf("blocked_at = %v after unblock; want NULL", b)
	}
	if b, err := db.IsBlocked(ctx, bot.Telegram, acc.id("1001")); err != nil || b {
		t.Errorf("IsBlocked after unblock = %v, %v; want false", b, err)
	}
	// Strangers are neither an error nor blocked.
	if err := db.SetBlocked(ctx, bot.Telegram, acc.id("9999"), true); err != nil {
		t.Errorf("SetBlocked of an unknown account: %v", err)
	}
	if b, err := db.IsBlocked(ctx, bot.Telegram, acc.id("9999")); err != nil || b {
		t.Errorf("IsBlocked of an unknown account = %v, %v; want false, nil", b, err)
	}
}

func testTouchRecordsTheLastVisit(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	id := mustCreateUser(t, db, acc.consent("1001"))
	at := consentAt.Add(36 * time.Hour)
	if err := db.Touch(ctx, bot.Telegram, acc.id("1001"), at); err != nil {
		t.Fatal(err)
	}
	u, err := db.User(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Accounts[0].LastSeenAt; !got.Equal(at) {
		t.Errorf("last_seen_at = %v; want %v", got, at)
	}
}
