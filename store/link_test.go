package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

var linkAt = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// TestLink runs the specifications of linking accounts on one database;
// each uses accounts of its own.
func TestLink(t *testing.T) {
	db := reportDB(t) // units SNV, 03670, 03664: roles need them
	for _, spec := range []struct {
		name string
		run  func(t *testing.T, db *store.DB, acc accounts)
	}{
		{"AccountWithoutAUserJoinsTheCodesUser", testLinkAttaches},
		{"ACodeWorksOnceAndARedeliveryIsRecognised", testLinkCodeWorksOnce},
		{"WrongExpiredAndOwnCodes", testLinkWrongExpiredAndOwnCodes},
		{"AccountsOfOneUserAlready", testLinkAlready},
		{"MergeKeepsTheOlderUserAndEveryRecordOfBoth", testLinkMergeKeepsEverything},
		{"MergeKeepsTheOlderUserWhicheverSideTypesTheCode", testLinkMergeOlderWins},
		{"CrossingLinksMergeOnce", testLinkCrossing},
		{"AUserHoldsAtMostThreeLiveCodes", testLinkLiveCodes},
		{"UnlinkKeepsTheDataWithTheUser", testUnlink},
		{"UnlinkWithdrawsTheCodesTheAccountAskedFor", testUnlinkWithdrawsCodes},
		{"ErasingAUserErasesTheirCodesAndAudit", testLinkErasure},
	} {
		t.Run(spec.name, func(t *testing.T) { spec.run(t, db, accounts(storetest.Name("l"))) })
	}
}

func hashOf(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// newCode stores a code asked for by a user's Telegram account n.
func newCode(t testing.TB, db *store.DB, acc accounts, user int64, asker, code string) {
	t.Helper()
	err := db.CreateLinkCode(context.Background(), store.NewLinkCode{Hash: hashOf(acc.id(code)), UserID: user,
		Channel: bot.Telegram, ExternalID: acc.id(asker), ChatID: "chat-" + acc.id(asker), At: linkAt, ExpiresAt: linkAt.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
}

func typed(acc accounts, code string, ch bot.Channel, n string, at time.Time) store.LinkRequest {
	return store.LinkRequest{CodeHash: hashOf(acc.id(code)), Channel: ch, ExternalID: acc.id(n), ChatID: "chat-" + acc.id(n), At: at}
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func testLinkAttaches(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	u := mustCreateUser(t, db, acc.consent("tg"))
	newCode(t, db, acc, u, "tg", "C1")
	res, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt.Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != store.LinkAttached || res.UserID != u || res.Repeated || res.Lang != "vi" {
		t.Fatalf("result %+v", res)
	}
	if res.Asker.Channel != bot.Telegram || res.Asker.ExternalID != acc.id("tg") || res.Asker.ChatID != "chat-"+acc.id("tg") {
		t.Errorf("asker %+v", res.Asker)
	}
	if len(res.Accounts) != 2 || res.Accounts[1].Channel != bot.Zalo || res.Accounts[1].ExternalID != acc.id("zl") {
		t.Fatalf("accounts %+v", res.Accounts)
	}
	if !res.Accounts[1].LastSeenAt.Equal(linkAt.Add(time.Minute)) {
		t.Errorf("the new account was last seen %v, want when it typed the code", res.Accounts[1].LastSeenAt)
	}
	found, ok, err := db.FindAccount(ctx, bot.Zalo, acc.id("zl"))
	if err != nil || !ok || found.UserID != u {
		t.Fatalf("FindAccount(zalo) = %+v %v %v", found, ok, err)
	}
	audit, err := db.LinkAuditOf(ctx, u)
	if err != nil || len(audit) != 1 || audit[0].Action != "attach" || audit[0].Channel != bot.Zalo || audit[0].ExternalID != acc.id("zl") {
		t.Fatalf("audit %+v %v", audit, err)
	}
}

func testLinkCodeWorksOnce(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	u := mustCreateUser(t, db, acc.consent("tg"))
	newCode(t, db, acc, u, "tg", "C1")
	first, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt))
	if err != nil {
		t.Fatal(err)
	}
	// The same account again (the update redelivered): the first result, nothing more.
	again, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt.Add(time.Minute)))
	if err != nil || !again.Repeated || again.Outcome != first.Outcome || again.UserID != u || len(again.Accounts) != 2 {
		t.Fatalf("again: %+v %v", again, err)
	}
	// Anyone else: spent.
	if _, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "other", linkAt)); !errors.Is(err, store.ErrLinkCodeSpent) {
		t.Fatalf("another account with a used code: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM accounts WHERE user_id = $1`, u); n != 2 {
		t.Errorf("%d accounts, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM account_link_audit WHERE user_id = $1`, u); n != 1 {
		t.Errorf("%d audit lines, want 1", n)
	}
}

func testLinkWrongExpiredAndOwnCodes(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	u := mustCreateUser(t, db, acc.consent("tg"))
	newCode(t, db, acc, u, "tg", "C1")
	if _, err := db.Link(ctx, typed(acc, "nope", bot.Zalo, "zl", linkAt)); !errors.Is(err, store.ErrLinkCodeUnknown) {
		t.Errorf("unknown code: %v", err)
	}
	if _, err := db.Link(ctx, typed(acc, "C1", bot.Telegram, "tg", linkAt)); !errors.Is(err, store.ErrLinkOwnCode) {
		t.Errorf("own code: %v", err)
	}
	if _, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt.Add(10*time.Minute))); !errors.Is(err, store.ErrLinkCodeSpent) {
		t.Errorf("at its expiry: %v", err)
	}
	// None of these used it up: a second before expiry it works.
	if res, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt.Add(10*time.Minute-time.Second))); err != nil || res.Outcome != store.LinkAttached {
		t.Fatalf("in time: %+v %v", res, err)
	}
}

func testLinkAlready(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	u := mustCreateUser(t, db, acc.consent("tg"))
	newCode(t, db, acc, u, "tg", "C1")
	if _, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt)); err != nil {
		t.Fatal(err)
	}
	newCode(t, db, acc, u, "tg", "C2")
	res, err := db.Link(ctx, typed(acc, "C2", bot.Zalo, "zl", linkAt))
	if err != nil || res.Outcome != store.LinkAlready || res.UserID != u || len(res.Accounts) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
}

// userWithData makes a user on an account, with a finished and an
// unfinished attempt, a certificate, roles and an audit line of theirs.
type userData struct {
	id                 int64
	finished, progress int64 // attempt ids
	cert               string
}

func userWithData(t *testing.T, db *store.DB, n store.NewUser, certCode string, roles [][2]string, startedAt time.Time) userData {
	t.Helper()
	ctx := context.Background()
	d := userData{id: mustCreateUser(t, db, n), cert: certCode}
	var err error
	for i, finish := range []bool{true, false} {
		id, err := db.CreateAttempt(ctx, store.NewQuizAttempt{UserID: d.id, BankVersion: "b1", Area: "4",
			QuestionIDs: []string{"q1", "q2"}, OptionOrders: [][]int{{0, 1, 2}, {2, 1, 0}}, StartedAt: startedAt.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordAnswer(ctx, store.QuizAnswer{AttemptID: id, Position: 0, QuestionID: "q1", Chosen: 1, Correct: true, At: startedAt}); err != nil {
			t.Fatal(err)
		}
		if finish {
			d.finished = id
			if _, err := db.FinishAttempt(ctx, id, 50, startedAt.Add(30*time.Second)); err != nil {
				t.Fatal(err)
			}
		} else {
			d.progress = id
		}
	}
	_, _, err = db.IssueCertificate(ctx, store.NewCertificate{UserID: d.id, Name: n.DisplayName, At: startedAt,
		Areas: []store.CertificateArea{{Area: "4", Score: 1, Total: 2, PassedAt: startedAt}}, NewCode: func() string { return certCode }})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		if _, err := db.GrantRole(ctx, d.id, r[0], r[1], "admin", startedAt); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func testLinkMergeKeepsEverything(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	// The older user, on Telegram: no name given, no profile, focal point of SNV.
	oldN := acc.consent("tg")
	oldN.DisplayName = ""
	old := userWithData(t, db, oldN, acc.id("CERTOLD"), [][2]string{{store.RoleFocal, "SNV"}}, linkAt.Add(-48*time.Hour))
	// The newer one, on Zalo: a name, a profile, a later consent, focal
	// point of SNV too and of 03670, and an official.
	newN := acc.consent("zl")
	newN.Channel, newN.DisplayName, newN.Language, newN.ConsentVersion, newN.At = bot.Zalo, "Lò Văn Minh", "en", "2026-v2", consentAt.Add(time.Hour)
	young := userWithData(t, db, newN, acc.id("CERTNEW"), [][2]string{{store.RoleFocal, "SNV"}, {store.RoleFocal, "03670"}, {store.RoleOfficial, ""}}, linkAt.Add(-24*time.Hour))
	if err := db.SetCommune(ctx, young.id, "03670", linkAt); err != nil {
		t.Fatal(err)
	}
	if err := db.SetGroup(ctx, young.id, "public_employee", linkAt); err != nil {
		t.Fatal(err)
	}
	// Records of the newer user in the reports' tables.
	if _, _, err := db.PutAttachment(ctx, store.Attachment{Size: 3, MIME: "text/plain", Name: "a.txt", Content: []byte("abc"), UploadedBy: young.id, UploadedAt: linkAt}); err != nil {
		t.Fatal(err)
	}
	// Both chose about the learning nudge: the older user turned it on, the newer one off later.
	if err := db.SetNudge(ctx, old.id, true, linkAt.Add(-10*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.ClaimNudge(ctx, old.id, linkAt.Add(-9*time.Hour)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := db.SetNudge(ctx, young.id, false, linkAt.Add(-5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET created_at = $2 WHERE id = $1`, young.id, linkAt.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE users SET created_at = $2 WHERE id = $1`, old.id, linkAt.Add(-72*time.Hour)); err != nil {
		t.Fatal(err)
	}

	// The older user asks on Telegram; the code is typed on Zalo.
	newCode(t, db, acc, old.id, "tg", "C1")
	res, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != store.LinkMerged || res.UserID != old.id || res.MergedUserID != young.id {
		t.Fatalf("result %+v; want %d kept, %d merged", res, old.id, young.id)
	}
	if n := count(t, db, `SELECT count(*) FROM users WHERE id = $1`, young.id); n != 0 {
		t.Fatal("the newer user still exists")
	}
	u, err := db.User(ctx, old.id)
	if err != nil {
		t.Fatal(err)
	}
	// The older user's own values win; the newer one fills the gaps; the later consent is kept.
	if u.DisplayName != "Lò Văn Minh" || u.Language != "vi" || u.CommuneCode != "03670" || u.UserGroup != "public_employee" ||
		u.ConsentVersion != "2026-v2" || !u.ConsentAt.Equal(consentAt.Add(time.Hour)) {
		t.Errorf("merged user %+v", u)
	}
	if len(u.Accounts) != 2 || u.QuizAttempts != 4 || u.QuizAnswers != 4 {
		t.Errorf("accounts %d, attempts %d, answers %d; want 2, 4, 4", len(u.Accounts), u.QuizAttempts, u.QuizAnswers)
	}
	// Both certificates stay, each verifiable, both now the older user's.
	for _, code := range []string{old.cert, young.cert} {
		c, ok, err := db.CertificateByCode(ctx, code)
		if err != nil || !ok || c.UserID != old.id {
			t.Errorf("certificate %s: %+v %v %v", code, c, ok, err)
		}
	}
	// One attempt in progress at most: the later one goes on, the other is abandoned, answers kept.
	if a, ok, err := db.UnfinishedAttempt(ctx, old.id); err != nil || !ok || a.ID != young.progress || len(a.Answers) != 1 {
		t.Errorf("unfinished attempt %+v %v %v; want %d", a.ID, ok, err, young.progress)
	}
	if n := count(t, db, `SELECT count(*) FROM quiz_attempts WHERE id = $1 AND abandoned_at = $2`, old.progress, linkAt); n != 1 {
		t.Error("the older attempt in progress is not abandoned at the merge")
	}
	// Roles: every one active once; the duplicate focal role of SNV kept, revoked by the merge.
	roles, err := db.UserRoles(ctx, old.id)
	if err != nil {
		t.Fatal(err)
	}
	active := map[string]int{}
	for _, r := range roles {
		active[r.Role+":"+r.UnitCode]++
	}
	if len(roles) != 3 || active["focal:SNV"] != 1 || active["focal:03670"] != 1 || active["official:"] != 1 {
		t.Errorf("active roles %v", active)
	}
	if n := count(t, db, `SELECT count(*) FROM report_roles WHERE user_id = $1 AND revoked_by = 'merge' AND role = 'focal' AND unit_code = 'SNV'`, old.id); n != 1 {
		t.Errorf("%d duplicate roles kept as revoked by the merge, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM report_attachments WHERE uploaded_by = $1`, old.id); n != 1 {
		t.Error("the attachment's uploader was not moved")
	}
	// The audit says who and what moved.
	audit, err := db.LinkAuditOf(ctx, old.id)
	if err != nil {
		t.Fatal(err)
	}
	last := audit[len(audit)-1]
	if last.Action != "merge" || last.MergedUserID != young.id || last.Channel != bot.Zalo || last.ExternalID != acc.id("zl") {
		t.Fatalf("audit %+v", audit)
	}
	moved, _ := last.Detail["moved"].(map[string]any)
	if moved["quiz_attempts.user_id"] != float64(2) || moved["accounts.user_id"] != float64(1) || moved["certificates.user_id"] != float64(1) ||
		moved["report_roles.user_id"] != float64(3) || moved["report_attachments.uploaded_by"] != float64(1) {
		t.Errorf("moved %v", moved)
	}
	if res.Moved["quiz_attempts.user_id"] != 2 {
		t.Errorf("result moved %v", res.Moved)
	}
	if p, err := db.NudgePref(ctx, old.id); err != nil || p.OptedIn || !p.ChosenAt.Equal(linkAt.Add(-5*time.Hour)) || !p.LastSentAt.Equal(linkAt.Add(-9*time.Hour)) {
		t.Errorf("nudge choice %+v %v; want the later choice (off) and the nudge sent", p, err)
	}
	// The newer user's Zalo account now finds the older user.
	if a, ok, err := db.FindAccount(ctx, bot.Zalo, acc.id("zl")); err != nil || !ok || a.UserID != old.id || a.Lang != "vi" {
		t.Errorf("FindAccount(zalo) %+v %v %v", a, ok, err)
	}
}

func testLinkMergeOlderWins(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	older := mustCreateUser(t, db, acc.consent("tg"))
	n := acc.consent("zl")
	n.Channel = bot.Zalo
	younger := mustCreateUser(t, db, n)
	// The younger asks (on Zalo), the older's account types it.
	err := db.CreateLinkCode(ctx, store.NewLinkCode{Hash: hashOf(acc.id("C1")), UserID: younger, Channel: bot.Zalo,
		ExternalID: acc.id("zl"), ChatID: acc.id("zl"), At: linkAt, ExpiresAt: linkAt.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Link(ctx, typed(acc, "C1", bot.Telegram, "tg", linkAt))
	if err != nil || res.Outcome != store.LinkMerged || res.UserID != older || res.MergedUserID != younger {
		t.Fatalf("%+v %v; want %d kept", res, err, older)
	}
	if res.Asker.Channel != bot.Zalo || len(res.Accounts) != 2 {
		t.Errorf("%+v", res)
	}
}

// Each account types the other's code at the same moment: one merge, and
// the other link finds the accounts one user's already.
func testLinkCrossing(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	a := mustCreateUser(t, db, acc.consent("tg"))
	n := acc.consent("zl")
	n.Channel = bot.Zalo
	b := mustCreateUser(t, db, n)
	newCode(t, db, acc, a, "tg", "CA")
	err := db.CreateLinkCode(ctx, store.NewLinkCode{Hash: hashOf(acc.id("CB")), UserID: b, Channel: bot.Zalo,
		ExternalID: acc.id("zl"), ChatID: acc.id("zl"), At: linkAt, ExpiresAt: linkAt.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	{
		var wg sync.WaitGroup
		results := make([]store.LinkResult, 2)
		errs := make([]error, 2)
		wg.Go(func() { results[0], errs[0] = db.Link(ctx, typed(acc, "CA", bot.Zalo, "zl", linkAt)) })
		wg.Go(func() { results[1], errs[1] = db.Link(ctx, typed(acc, "CB", bot.Telegram, "tg", linkAt)) })
		wg.Wait()
		outcomes := map[store.LinkOutcome]int{}
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("link %d: %v", i, errs[i])
			}
			outcomes[results[i].Outcome]++
			if results[i].UserID != a {
				t.Errorf("link %d: user %d, want the older %d", i, results[i].UserID, a)
			}
		}
		if outcomes[store.LinkMerged] != 1 || outcomes[store.LinkAlready] != 1 {
			t.Errorf("outcomes %v; want one merge and one already", outcomes)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM accounts WHERE user_id = $1`, a); n != 2 {
		t.Errorf("%d accounts", n)
	}
}

func testLinkLiveCodes(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	u := mustCreateUser(t, db, acc.consent("tg"))
	for i, code := range []string{"C1", "C2", "C3", "C4"} {
		err := db.CreateLinkCode(ctx, store.NewLinkCode{Hash: hashOf(acc.id(code)), UserID: u, Channel: bot.Telegram,
			ExternalID: acc.id("tg"), ChatID: acc.id("tg"), At: linkAt.Add(time.Duration(i) * time.Second), ExpiresAt: linkAt.Add(10 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt.Add(time.Minute))); !errors.Is(err, store.ErrLinkCodeUnknown) {
		t.Errorf("the oldest of four codes: %v, want withdrawn", err)
	}
	if _, err := db.Link(ctx, typed(acc, "C2", bot.Zalo, "zl", linkAt.Add(time.Minute))); err != nil {
		t.Errorf("the second of four codes: %v", err)
	}
}

func testUnlink(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	u := mustCreateUser(t, db, acc.consent("tg"))
	other := mustCreateUser(t, db, acc.consent("x"))
	if _, err := db.Unlink(ctx, u, bot.Telegram, acc.id("tg"), linkAt); !errors.Is(err, store.ErrLastAccount) {
		t.Fatalf("only account: %v", err)
	}
	newCode(t, db, acc, u, "tg", "C1")
	if _, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Unlink(ctx, other, bot.Zalo, acc.id("zl"), linkAt); !errors.Is(err, store.ErrNotLinked) {
		t.Fatalf("someone else's account: %v", err)
	}
	gone, err := db.Unlink(ctx, u, bot.Zalo, acc.id("zl"), linkAt.Add(time.Hour))
	if err != nil || gone.Channel != bot.Zalo || gone.ExternalID != acc.id("zl") {
		t.Fatalf("unlink: %+v %v", gone, err)
	}
	if _, ok, _ := db.FindAccount(ctx, bot.Zalo, acc.id("zl")); ok {
		t.Error("the unlinked account still finds a user")
	}
	accs, err := db.AccountsOf(ctx, u)
	if err != nil || len(accs) != 1 || accs[0].Channel != bot.Telegram {
		t.Errorf("accounts left %+v %v", accs, err)
	}
	audit, _ := db.LinkAuditOf(ctx, u)
	if len(audit) != 2 || audit[1].Action != "unlink" || audit[1].ExternalID != acc.id("zl") {
		t.Errorf("audit %+v", audit)
	}
}

// A code asked for in a chat is written in that chat. Once the chat is
// unlinked (a phone given away, lost, shared), the codes it asked for and
// did not use must no longer link anyone to the person: whoever reads that
// chat would otherwise type one elsewhere and see the person's data, and
// the chat that is no longer theirs would be told of the link.
func testUnlinkWithdrawsCodes(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	u := mustCreateUser(t, db, acc.consent("tg"))
	newCode(t, db, acc, u, "tg", "C1")
	if _, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		code string
		ch   bot.Channel
		ext  string
	}{{"Z1", bot.Zalo, "zl"}, {"T2", bot.Telegram, "tg"}} {
		if err := db.CreateLinkCode(ctx, store.NewLinkCode{Hash: hashOf(acc.id(c.code)), UserID: u, Channel: c.ch,
			ExternalID: acc.id(c.ext), ChatID: "chat-" + acc.id(c.ext), At: linkAt, ExpiresAt: linkAt.Add(10 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Unlink(ctx, u, bot.Zalo, acc.id("zl"), linkAt.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if res, err := db.Link(ctx, typed(acc, "Z1", bot.Telegram, "someone", linkAt.Add(2*time.Minute))); err == nil {
		t.Errorf("the code the unlinked Zalo chat asked for still links to the person: %+v (asker told on %s:%s)",
			res, res.Asker.Channel, res.Asker.ChatID)
	}
	res, err := db.Link(ctx, typed(acc, "T2", bot.Zalo, "zl2", linkAt.Add(2*time.Minute)))
	if err != nil || res.UserID != u || res.Outcome != store.LinkAttached {
		t.Errorf("the code the Telegram account still linked asked for: %+v %v", res, err)
	}
	if n := count(t, db, `SELECT count(*) FROM link_codes WHERE user_id = $1 AND external_id = $2 AND used_at IS NULL`, u, acc.id("zl")); n != 0 {
		t.Errorf("%d unused codes of the unlinked account kept", n)
	}
}

func testLinkErasure(t *testing.T, db *store.DB, acc accounts) {
	ctx := context.Background()
	u := mustCreateUser(t, db, acc.consent("tg"))
	newCode(t, db, acc, u, "tg", "C1")
	if _, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt)); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM link_codes WHERE user_id = $1 OR used_by_external_id = $2`, u, acc.id("zl")); n != 0 {
		t.Errorf("%d codes left after erasure", n)
	}
	if n := count(t, db, `SELECT count(*) FROM account_link_audit WHERE external_id IN ($1, $2)`, acc.id("tg"), acc.id("zl")); n != 0 {
		t.Errorf("%d audit lines left after erasure", n)
	}
}

// A table added later with a key to users is moved by a merge like the
// known ones; one whose unique key both users fill makes the merge fail
// whole, changing nothing.
func TestLink_MergeMovesTablesAddedLater(t *testing.T) {
	db := storetest.NewDB(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `CREATE TABLE later_notes (user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE, note text);
		CREATE TABLE later_deliveries (recipient bigint REFERENCES users (id) ON DELETE CASCADE, occurrence text, UNIQUE (recipient, occurrence));
		ALTER TABLE users ADD COLUMN later_phone text`); err != nil {
		t.Fatal(err)
	}
	acc := accounts("later")
	a := mustCreateUser(t, db, acc.consent("tg"))
	n := acc.consent("zl")
	n.Channel = bot.Zalo
	b := mustCreateUser(t, db, n)
	for _, q := range []string{`INSERT INTO later_notes VALUES ($1, 'a'), ($2, 'b')`,
		`INSERT INTO later_deliveries VALUES ($1, '2026-11'), ($2, '2026-11')`,
		`UPDATE users SET later_phone = '0912' WHERE id = $2 AND id <> $1`} {
		if _, err := db.Pool.Exec(ctx, q, a, b); err != nil {
			t.Fatal(err)
		}
	}
	newCode(t, db, acc, a, "tg", "C1")
	_, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt))
	var conflict *store.MergeConflictError
	if !errors.As(err, &conflict) || conflict.Column != "later_deliveries.recipient" {
		t.Fatalf("err %v; want a conflict on later_deliveries.recipient", err)
	}
	if n := count(t, db, `SELECT count(*) FROM users`); n != 2 {
		t.Fatalf("%d users after a failed merge, want both", n)
	}
	if n := count(t, db, `SELECT count(*) FROM link_codes WHERE used_at IS NULL`); n != 1 {
		t.Fatal("the code was used by a merge that failed")
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM later_deliveries WHERE recipient = $1`, b); err != nil {
		t.Fatal(err)
	}
	res, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt))
	if err != nil || res.UserID != a {
		t.Fatalf("%+v %v", res, err)
	}
	if n := count(t, db, `SELECT count(*) FROM later_notes WHERE user_id = $1`, a); n != 2 {
		t.Errorf("%d notes moved to the kept user, want 2", n)
	}
	var phone string
	if err := db.Pool.QueryRow(ctx, `SELECT later_phone FROM users WHERE id = $1`, a).Scan(&phone); err != nil || phone != "0912" {
		t.Errorf("a users column added later: %q %v; want the merged user's value", phone, err)
	}
}

func TestMoveSession(t *testing.T) {
	r := storetest.NewRedis(t)
	state := store.NewState(r.Client, r.Prefix)
	ctx := context.Background()
	chat := bot.ChatKey{Channel: bot.Zalo, ChatID: "z1"}
	// A session of user 7 in the quiz.
	lease, err := state.Acquire(ctx, chat, "u1", 1, false)
	if err != nil {
		t.Fatal(err)
	}
	sess := &bot.Session{UserID: 7, Lang: "en", Flow: "quiz", Step: "q", Screen: 4, Data: []byte(`{"attempt":12}`)}
	if err := lease.Commit(ctx, sess, nil); err != nil {
		t.Fatal(err)
	}
	if err := lease.Done(ctx); err != nil {
		t.Fatal(err)
	}
	load := func() *bot.Session {
		t.Helper()
		l, err := state.Acquire(ctx, chat, storetest.Name("u"), 2, false)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Release(ctx)
		return l.Session()
	}
	// Another user's move leaves it alone.
	if err := state.MoveSession(ctx, chat, 8, 9); err != nil {
		t.Fatal(err)
	}
	if s := load(); s.UserID != 7 || s.Version != 1 {
		t.Fatalf("moved for another user: %+v", s)
	}
	// A merge: the chat keeps its place, now as user 3's.
	if err := state.MoveSession(ctx, chat, 7, 3); err != nil {
		t.Fatal(err)
	}
	s := load()
	if s.UserID != 3 || s.Flow != "quiz" || s.Step != "q" || string(s.Data) != `{"attempt":12}` || s.Lang != "en" || s.Version != 2 {
		t.Fatalf("after the move: %+v", s)
	}
	// An update holding the chat meanwhile cannot commit the old record.
	held, err := state.Acquire(ctx, chat, "u3", 3, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := state.MoveSession(ctx, chat, 3, 0); err != nil {
		t.Fatal(err)
	}
	if err := held.Commit(ctx, held.Session(), nil); !errors.Is(err, bot.ErrConflict) {
		t.Fatalf("commit over a moved session: %v, want ErrConflict", err)
	}
	held.Release(ctx)
	// Unlinked: a stranger's chat again, in its language, buttons stale.
	if s := load(); s.UserID != 0 || s.Flow != "" || s.Data != nil || s.Lang != "en" || s.Screen != 5 {
		t.Fatalf("after unlinking: %+v", s)
	}
	// No session: nothing to do.
	if err := state.MoveSession(ctx, bot.ChatKey{Channel: bot.Zalo, ChatID: "none"}, 1, 2); err != nil {
		t.Fatal(err)
	}
}

func TestLinkTries(t *testing.T) {
	r := storetest.NewRedis(t)
	tries := store.NewState(r.Client, r.Prefix).LinkTries()
	tries.PerAccount, tries.Overall = 3, 5
	ctx := context.Background()
	wait := func(ext string) time.Duration {
		t.Helper()
		d, err := tries.Wait(ctx, bot.Telegram, ext)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for i := range 3 {
		if d := wait("a"); d != 0 {
			t.Fatalf("after %d wrong codes: wait %v", i, d)
		}
		if err := tries.Wrong(ctx, bot.Telegram, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if d := wait("a"); d <= time.Hour-time.Minute || d > time.Hour {
		t.Errorf("after 3 wrong codes: wait %v, want about an hour", d)
	}
	if d := wait("b"); d != 0 {
		t.Errorf("another account waits %v", d)
	}
	// Over all accounts: 5 in the window.
	for _, ext := range []string{"b", "c"} {
		if err := tries.Wrong(ctx, bot.Telegram, ext); err != nil {
			t.Fatal(err)
		}
	}
	if d := wait("d"); d == 0 {
		t.Error("after 5 wrong codes over all accounts, a fresh account may still try")
	}
}

func TestInZaloWindow_SevenDaysToTheNanosecond(t *testing.T) {
	seen := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		after time.Duration
		in    bool
	}{
		{0, true},
		{6 * 24 * time.Hour, true},
		{7*24*time.Hour - time.Nanosecond, true},
		{7 * 24 * time.Hour, false},
		{7*24*time.Hour + time.Second, false},
		{30 * 24 * time.Hour, false},
	} {
		if got := store.InZaloWindow(seen, seen.Add(tc.after)); got != tc.in {
			t.Errorf("%v after the last interaction: in window %v, want %v", tc.after, got, tc.in)
		}
	}
	if store.InZaloWindow(time.Time{}, seen) {
		t.Error("never seen: in window")
	}
	tg := store.Account{Channel: bot.Telegram, LastSeenAt: seen}
	if !tg.InWindow(seen.Add(365 * 24 * time.Hour)) {
		t.Error("Telegram has no window")
	}
}

func TestContact_AccountsByLastActivity(t *testing.T) {
	db := storetest.NewDB(t)
	ctx := context.Background()
	acc := accounts("contact")
	u := mustCreateUser(t, db, acc.consent("tg"))
	newCode(t, db, acc, u, "tg", "C1")
	if _, err := db.Link(ctx, typed(acc, "C1", bot.Zalo, "zl", linkAt)); err != nil {
		t.Fatal(err)
	}
	if err := db.Touch(ctx, bot.Telegram, acc.id("tg"), linkAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	c, err := db.Contact(ctx, u)
	if err != nil || c.Lang != "vi" || len(c.Accounts) != 2 || c.Accounts[0].Channel != bot.Telegram || c.Accounts[1].Channel != bot.Zalo {
		t.Fatalf("%+v %v; want Telegram (seen last) first", c, err)
	}
	if !c.Accounts[1].Reachable() {
		t.Error("Zalo account unreachable")
	}
	if err := db.SetBlocked(ctx, bot.Telegram, acc.id("tg"), true); err != nil {
		t.Fatal(err)
	}
	if c, _ = db.Contact(ctx, u); c.Accounts[0].Reachable() {
		t.Error("a blocked account is reachable")
	}
	if _, err := db.Contact(ctx, 987654); !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("no such user: %v", err)
	}
}

// BenchmarkLinkMerge merges two users of 200 finished attempts (2,000
// answers) each, in a database of 50 such users: one merge per iteration.
func BenchmarkLinkMerge(b *testing.B) {
	db := storetest.NewDB(b)
	ctx := context.Background()
	acc := accounts("bench")
	mk := func(n string, ch bot.Channel) int64 {
		u := acc.consent(n)
		u.Channel = ch
		id, err := db.CreateUser(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `WITH a AS (
				INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
				SELECT $1, 'b', (g % 7)::text, '{q}', '[[0]]', 10, 8, true, now(), now() FROM generate_series(1, 200) g RETURNING id)
			INSERT INTO quiz_answers (attempt_id, position, question_id, chosen, correct, answered_at)
			SELECT a.id, p, 'q', 0, true, now() FROM a, generate_series(0, 9) p`, id); err != nil {
			b.Fatal(err)
		}
		return id
	}
	for i := range 50 {
		mk("filler"+strconv.Itoa(i), bot.Telegram)
	}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		n := strconv.Itoa(i)
		older := mk("tg"+n, bot.Telegram)
		mk("zl"+n, bot.Zalo)
		newCode(b, db, acc, older, "tg"+n, "C"+n)
		b.StartTimer()
		res, err := db.Link(ctx, typed(acc, "C"+n, bot.Zalo, "zl"+n, linkAt))
		if err != nil || res.Outcome != store.LinkMerged {
			b.Fatal(res, err)
		}
	}
}
