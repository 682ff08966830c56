package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

var hcm = store.ReportZone

func ict(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, hcm)
}

func reportUser(t *testing.T, db *store.DB, ext string) int64 {
	t.Helper()
	id, err := db.CreateUser(context.Background(), store.NewUser{
		Channel: bot.Telegram, ExternalID: ext, ChatID: ext, DisplayName: "Cầm Thị " + ext,
		Language: "vi", ConsentVersion: "test", At: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// reportDB is a database with three units and a form recorded.
func reportDB(t *testing.T) *store.DB {
	t.Helper()
	db := storetest.NewDB(t)
	ctx := context.Background()
	_, _, err := db.UpsertUnits(ctx, []store.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},
		{Code: "03670", Name: "Phường Chiềng Cơi", Kind: "commune"},
		{Code: "03664", Name: "Phường Chiềng An", Kind: "commune"},
	}, "admin", ict(2025, 6, 1, 8, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 2; v++ {
		if err := db.RecordForm(ctx, store.StoredForm{ID: "plan-2025", Version: v, Hash: fmt.Sprintf("h%d", v), Content: []byte("id: plan-2025"), RecordedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// jsonEq compares JSON by meaning: jsonb reorders keys.
func jsonEq(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Errorf("not JSON: %q", got)
		return false
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatalf("bad want %q", want)
	}
	ga, _ := json.Marshal(a)
	gb, _ := json.Marshal(b)
	return string(ga) == string(gb)
}

func TestDaysLate_CountsCalendarDaysInHoChiMinh(t *testing.T) {
	due := ict(2025, 6, 30, 0, 0, 0)
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{ict(2025, 6, 1, 9, 0, 0), 0},
		{ict(2025, 6, 30, 23, 59, 59), 0},
		{ict(2025, 7, 1, 0, 0, 0), 1},
		{time.Date(2025, 6, 30, 16, 59, 59, 0, time.UTC), 0}, // 23:59:59 in Sơn La
		{time.Date(2025, 6, 30, 17, 0, 0, 0, time.UTC), 1},   // 00:00 on 1 July in Sơn La
		{ict(2025, 7, 30, 12, 0, 0), 30},
		{ict(2026, 6, 30, 12, 0, 0), 365},
	} {
		if got := store.DaysLate(due, c.at); got != c.want {
			t.Errorf("DaysLate(30/6, %v) = %d; want %d", c.at, got, c.want)
		}
	}
	// The due date is a day in Sơn La, whatever zone it comes in.
	if got := store.DaysLate(time.Date(2025, 6, 29, 18, 0, 0, 0, time.UTC), ict(2025, 6, 30, 23, 0, 0)); got != 0 {
		t.Errorf("a due date given as 18:00 UTC the day before: %d days late; want 0", got)
	}
}

func TestUpsertUnits_AddsChangesAndLeavesAlone(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := ict(2025, 6, 2, 8, 0, 0)
	created, updated, err := db.UpsertUnits(ctx, []store.Unit{
		{Code: "SNV", Name: "Sở Nội vụ", Kind: "department"},                  // unchanged
		{Code: "03670", Name: "Phường Chiềng Cơi (mới)", Kind: "commune"},     // renamed
		{Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: "department"}, // new
	}, "admin", at)
	if err != nil || created != 1 || updated != 1 {
		t.Fatalf("UpsertUnits = %d created, %d updated, %v; want 1, 1", created, updated, err)
	}
	u, ok, err := db.Unit(ctx, "03670")
	if err != nil || !ok || u.Name != "Phường Chiềng Cơi (mới)" || !u.UpdatedAt.Equal(at) || u.CreatedAt.Equal(at) {
		t.Errorf("Unit(03670) = %+v %v %v", u, ok, err)
	}
	units, err := db.Units(ctx)
	if err != nil || len(units) != 4 {
		t.Errorf("Units = %d, %v; want 4", len(units), err)
	}
	log, _ := db.AuditLog(ctx, "03670")
	if len(log) != 2 || log[1].Action != "unit.update" || !strings.Contains(string(log[1].Detail), `"old_name": "Phường Chiềng Cơi"`) {
		t.Errorf("audit of 03670 = %+v", log)
	}

	// A kind the schema does not know fails the whole import.
	_, _, err = db.UpsertUnits(ctx, []store.Unit{
		{Code: "NEW1", Name: "Một", Kind: "department"},
		{Code: "NEW2", Name: "Hai", Kind: "village"},
	}, "admin", at)
	if !errors.Is(err, store.ErrUnitKind) || !strings.Contains(err.Error(), "NEW2") {
		t.Errorf("unknown kind: %v; want ErrUnitKind naming NEW2", err)
	}
	if _, ok, _ := db.Unit(ctx, "NEW1"); ok {
		t.Error("NEW1 was recorded although the import failed")
	}
}

func TestInvite_SingleUseEvenWhenRacing(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := ict(2025, 6, 21, 8, 0, 0)
	code, inv, err := db.CreateInvite(ctx, store.NewInvite{Role: store.RoleFocal, UnitCode: "03670", CreatedBy: "admin", At: at, ExpiresAt: at.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != store.InviteCodeLength || store.NormalizeInviteCode(code) != code || inv.ID == 0 {
		t.Fatalf("code %q invite %+v", code, inv)
	}
	var stored []byte
	if err := db.Pool.QueryRow(ctx, `SELECT code_hash FROM report_invites WHERE id = $1`, inv.ID).Scan(&stored); err != nil || strings.Contains(string(stored), code) {
		t.Errorf("the code itself is stored: %q (%v)", stored, err)
	}

	const n = 12
	users := make([]int64, n)
	for i := range users {
		users[i] = reportUser(t, db, fmt.Sprint("u", i))
	}
	errs := make([]error, n)
	roles := make([]store.Role, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, roles[i], errs[i] = db.ConsumeInvite(ctx, code, users[i], at.Add(time.Minute))
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner == -1:
			winner = i
		case err == nil:
			t.Errorf("users %d and %d both used the code", winner, i)
		case !errors.Is(err, store.ErrInviteUsed):
			t.Errorf("user %d: %v; want ErrInviteUsed", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("nobody could use the code")
	}
	if r := roles[winner]; r.Role != store.RoleFocal || r.UnitCode != "03670" || r.UserID != users[winner] {
		t.Errorf("role granted = %+v", r)
	}
	focal, _ := db.FocalPoints(ctx, "03670")
	if len(focal) != 1 || focal[0].UserID != users[winner] {
		t.Errorf("focal points = %+v", focal)
	}
	// The winner again (a redelivered update): the same role, nothing more.
	_, again, err := db.ConsumeInvite(ctx, strings.ToLower(store.FormatInviteCode(code)), users[winner], at.Add(time.Hour))
	if err != nil || again.ID != roles[winner].ID {
		t.Errorf("the same user again: %+v, %v; want role %d", again, err, roles[winner].ID)
	}
	if focal, _ := db.FocalPoints(ctx, "03670"); len(focal) != 1 {
		t.Errorf("%d focal points after a repeat", len(focal))
	}
}

func TestInvite_ExpiryAndWrongCodes(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := ict(2025, 6, 21, 8, 0, 0)
	exp := at.Add(24 * time.Hour)
	u1, u2 := reportUser(t, db, "1"), reportUser(t, db, "2")
	code, _, err := db.CreateInvite(ctx, store.NewInvite{Role: store.RoleFocal, UnitCode: "SNV", CreatedBy: "admin", At: at, ExpiresAt: exp})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ConsumeInvite(ctx, code, u1, exp); !errors.Is(err, store.ErrInviteExpired) {
		t.Errorf("at the expiry: %v; want ErrInviteExpired", err)
	}
	if _, _, err := db.ConsumeInvite(ctx, code, u1, exp.Add(time.Hour)); !errors.Is(err, store.ErrInviteExpired) {
		t.Errorf("after the expiry: %v; want ErrInviteExpired", err)
	}
	// Typed by hand: lower case, dashes, O for 0 and l for 1 are fine.
	typed := strings.NewReplacer("0", "o", "1", "l").Replace(strings.ToLower(store.FormatInviteCode(code)))
	if _, r, err := db.ConsumeInvite(ctx, typed, u2, exp.Add(-time.Second)); err != nil || r.UnitCode != "SNV" {
		t.Errorf("just before the expiry, typed %q: %+v, %v", typed, r, err)
	}
	for _, wrong := range []string{"", "abc", "ZZZZZZZZZZZZ", code + "0", "ÀBCDEFGHJKMN"} {
		if _, _, err := db.ConsumeInvite(ctx, wrong, u1, at); !errors.Is(err, store.ErrInviteUnknown) {
			t.Errorf("code %q: %v; want ErrInviteUnknown", wrong, err)
		}
	}
	if _, _, err := db.CreateInvite(ctx, store.NewInvite{Role: store.RoleFocal, UnitCode: "NOPE", CreatedBy: "admin", At: at, ExpiresAt: exp}); !errors.Is(err, store.ErrNoUnit) {
		t.Errorf("invite for an unknown unit: %v; want ErrNoUnit", err)
	}
	if _, _, err := db.CreateInvite(ctx, store.NewInvite{Role: store.RoleOfficial, UnitCode: "SNV", CreatedBy: "admin", At: at, ExpiresAt: exp}); err == nil {
		t.Error("an official's invite for a unit was made")
	}
}

func TestRoles_OfficialsAndRevocation(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := ict(2025, 6, 21, 8, 0, 0)
	u := reportUser(t, db, "1")
	code, _, err := db.CreateInvite(ctx, store.NewInvite{Role: store.RoleOfficial, CreatedBy: "admin", At: at, ExpiresAt: at.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, r, err := db.ConsumeInvite(ctx, code, u, at)
	if err != nil || r.Role != store.RoleOfficial || r.UnitCode != "" {
		t.Fatalf("official invite: %+v, %v", r, err)
	}
	// The same person is also a focal point of two units, by an admin's hand.
	if _, err := db.GrantRole(ctx, u, store.RoleFocal, "SNV", "admin", at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GrantRole(ctx, u, store.RoleFocal, "03670", "admin", at); err != nil {
		t.Fatal(err)
	}
	if again, err := db.GrantRole(ctx, u, store.RoleFocal, "SNV", "admin", at.Add(time.Hour)); err != nil || !again.GrantedAt.Equal(at) {
		t.Errorf("granting a held role again: %+v, %v; want the first grant", again, err)
	}
	roles, _ := db.UserRoles(ctx, u)
	if len(roles) != 3 {
		t.Fatalf("roles = %+v", roles)
	}
	if err := db.RevokeRole(ctx, r.ID, "admin", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeRole(ctx, r.ID, "admin", at.Add(time.Hour)); !errors.Is(err, store.ErrNoRole) {
		t.Errorf("revoking twice: %v; want ErrNoRole", err)
	}
	if officials, _ := db.Officials(ctx); len(officials) != 0 {
		t.Errorf("officials after revocation = %+v", officials)
	}
	// The used code does not give the revoked role back.
	if _, _, err := db.ConsumeInvite(ctx, code, u, at.Add(2*time.Hour)); !errors.Is(err, store.ErrInviteUsed) {
		t.Errorf("the code again after revocation: %v; want ErrInviteUsed", err)
	}
	if _, err := db.GrantRole(ctx, u, store.RoleFocal, "NOPE", "admin", at); !errors.Is(err, store.ErrNoUnit) {
		t.Errorf("focal point of an unknown unit: %v; want ErrNoUnit", err)
	}
	log, _ := db.AuditLog(ctx, "")
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []string{"invite.create", "invite.use", "role.grant", "role.revoke"}) {
		t.Errorf("audit of the official's role = %v", actions)
	}
}

func TestRecordForm_AVersionNeverChanges(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	f := store.StoredForm{ID: "annual", Version: 1, Hash: "aaaa", Content: []byte("id: annual\nversion: 1\n"), RecordedAt: time.Now()}
	if err := db.RecordForm(ctx, f); err != nil {
		t.Fatal(err)
	}
	f2 := f
	f2.Content = []byte("# a comment\n" + string(f.Content)) // same hash: fine, the first content stays
	if err := db.RecordForm(ctx, f2); err != nil {
		t.Errorf("recording again: %v", err)
	}
	got, ok, err := db.Form(ctx, "annual", 1)
	if err != nil || !ok || string(got.Content) != string(f.Content) {
		t.Errorf("Form = %q %v %v", got.Content, ok, err)
	}
	f2.Hash = "bbbb"
	if err := db.RecordForm(ctx, f2); !errors.Is(err, store.ErrFormChanged) {
		t.Errorf("another content under annual v1: %v; want ErrFormChanged", err)
	}
}

func answer(unit, key, value string, seen, by int64, at time.Time) store.DraftAnswer {
	return store.DraftAnswer{
		DraftStart: store.DraftStart{UnitCode: unit, PeriodID: "plan-2025", FormID: "plan-2025", FormVersion: 1, By: by, At: at},
		Key:        key, Value: json.RawMessage(value), Seen: seen,
	}
}

// Two focal points of one unit fill in one draft: different fields merge,
// the same field is never overwritten silently.
func TestSaveDraftAnswer_OptimisticConflicts(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	a, b := reportUser(t, db, "a"), reportUser(t, db, "b")
	at := ict(2025, 6, 25, 9, 0, 0)

	d, err := db.SaveDraftAnswer(ctx, answer("SNV", "doc_number", `{"type":"text","text":"25/KH-SNV"}`, 0, a, at))
	if err != nil || d.Version != 2 || d.FormVersion != 1 || len(d.Answers) != 1 {
		t.Fatalf("first answer: %+v, %v", d, err)
	}
	seenByB := d.Version // B opens the draft now
	d, err = db.SaveDraftAnswer(ctx, answer("SNV", "doc_kind", `{"type":"choice","choice":"plan"}`, d.Version, a, at.Add(time.Minute)))
	if err != nil || d.Version != 3 {
		t.Fatalf("A's second answer: %+v, %v", d, err)
	}
	// B answers another field without having seen A's change: merged.
	d, err = db.SaveDraftAnswer(ctx, answer("SNV", "launch_held", `{"type":"yesno","yes":true}`, seenByB, b, at.Add(2*time.Minute)))
	if err != nil || d.Version != 4 || len(d.Answers) != 3 || d.UpdatedBy != b {
		t.Fatalf("B on another field: %+v, %v", d, err)
	}
	// B changes the field A changed after B looked: refused, with what A wrote.
	_, err = db.SaveDraftAnswer(ctx, answer("SNV", "doc_kind", `{"type":"choice","choice":"letter"}`, seenByB, b, at.Add(3*time.Minute)))
	var conflict *store.DraftConflict
	if !errors.As(err, &conflict) || conflict.Key != "doc_kind" || !jsonEq(t, conflict.Current.Answers["doc_kind"], `{"type":"choice","choice":"plan"}`) {
		t.Fatalf("B overwriting A: %v (%+v); want a conflict on doc_kind showing A's answer", err, conflict)
	}
	// Once B has seen it, B may change it.
	d, err = db.SaveDraftAnswer(ctx, answer("SNV", "doc_kind", `{"type":"choice","choice":"letter"}`, conflict.Current.Version, b, at.Add(4*time.Minute)))
	if err != nil || !jsonEq(t, d.Answers["doc_kind"], `{"type":"choice","choice":"letter"}`) {
		t.Fatalf("B after seeing: %+v, %v", d, err)
	}
	// A draft made with another form version is not written into.
	stale := answer("SNV", "doc_number", `{"type":"text","text":"x"}`, d.Version, a, at.Add(5*time.Minute))
	stale.FormVersion = 2
	if _, err := db.SaveDraftAnswer(ctx, stale); !errors.As(err, &conflict) || conflict.Key != "" || conflict.Current.FormVersion != 1 {
		t.Errorf("answer for form v2 into a v1 draft: %v", err)
	}
	// Nothing typed is lost: the audit log holds every value, old and new.
	log, _ := db.AuditLog(ctx, "SNV")
	var changes []string
	for _, e := range log {
		if e.Action == "draft.answer" && strings.Contains(string(e.Detail), `"doc_kind"`) {
			changes = append(changes, string(e.Detail))
		}
	}
	if len(changes) != 2 {
		t.Fatalf("audit of doc_kind = %q", changes)
	}
	var last struct{ Old, New json.RawMessage }
	if err := json.Unmarshal([]byte(changes[1]), &last); err != nil || !jsonEq(t, last.Old, `{"type":"choice","choice":"plan"}`) || !jsonEq(t, last.New, `{"type":"choice","choice":"letter"}`) {
		t.Errorf("audit of the second change of doc_kind = %s", changes[1])
	}
	if _, err := db.SaveDraftAnswer(ctx, answer("NOPE", "k", `{}`, 0, a, at)); err == nil {
		t.Error("a draft for an unknown unit was saved")
	}
	if _, err := db.SaveDraftAnswer(ctx, answer("SNV", "k", `{not json`, d.Version, a, at)); err == nil {
		t.Error("an answer that is not JSON was saved")
	}
}

// Many saves of one field from the same view at once: one wins, the others
// are told, none is lost without a trace.
func TestSaveDraftAnswer_RacingOnOneField(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	u := reportUser(t, db, "a")
	at := ict(2025, 6, 25, 9, 0, 0)
	d, _, err := db.OpenDraft(ctx, store.DraftStart{UnitCode: "03670", PeriodID: "plan-2025", FormID: "plan-2025", FormVersion: 1, By: u, At: at})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.SaveDraftAnswer(ctx, answer("03670", "doc_number", fmt.Sprintf(`{"type":"text","text":"%d"}`, i), d.Version, u, at))
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		var c *store.DraftConflict
		switch {
		case err == nil:
			wins++
		case !errors.As(err, &c):
			t.Errorf("racing save: %v", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d saves won; want exactly 1", wins)
	}
}

func submit(t *testing.T, db *store.DB, unit string, due, at time.Time, by int64, reason string) store.ReportVersion {
	t.Helper()
	d, ok, err := db.Draft(context.Background(), unit, "plan-2025")
	if err != nil || !ok {
		t.Fatalf("no draft of %s to submit: %v", unit, err)
	}
	v, err := db.SubmitReport(context.Background(), store.Submission{UnitCode: unit, PeriodID: "plan-2025", Seen: d.Version, Due: due, By: by, At: at, Reason: reason})
	if err != nil {
		t.Fatalf("submit %s: %v", unit, err)
	}
	return v
}

// Reports are numbered in the order first submitted; lateness is counted in
// calendar days in Asia/Ho_Chi_Minh; an amendment is a new version with a
// reason, and every version is kept.
func TestSubmitReport_NumbersLatenessAndAmendments(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	u := reportUser(t, db, "a")
	due := ict(2025, 6, 30, 0, 0, 0)
	start := ict(2025, 6, 25, 9, 0, 0)
	for _, unit := range []string{"SNV", "03670"} {
		if _, err := db.SaveDraftAnswer(ctx, answer(unit, "doc_number", `{"type":"text","text":"1/KH"}`, 0, u, start)); err != nil {
			t.Fatal(err)
		}
	}
	// 23:59:59 on the due day in Sơn La (16:59:59 UTC): on time.
	first := submit(t, db, "SNV", due, time.Date(2025, 6, 30, 16, 59, 59, 0, time.UTC), u, "ignored on a first report")
	if first.Seq != 1 || first.Version != 1 || first.DaysLate != 0 || first.Receipt != "plan-2025-0001.1" || first.Reason != "" {
		t.Errorf("first report = %+v", first)
	}
	if y, m, d := first.DueOn.Date(); y != 2025 || m != 6 || d != 30 {
		t.Errorf("DueOn = %v", first.DueOn)
	}
	// One second later it is 1 July in Sơn La: one day late.
	second := submit(t, db, "03670", due, time.Date(2025, 6, 30, 17, 0, 0, 0, time.UTC), u, "")
	if second.Seq != 2 || second.DaysLate != 1 || second.Receipt != "plan-2025-0002.1" {
		t.Errorf("second report = %+v", second)
	}
	if _, ok, _ := db.Draft(ctx, "SNV", "plan-2025"); ok {
		t.Error("the draft is still there after submission")
	}
	if _, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan-2025", Due: due, By: u, At: start}); !errors.Is(err, store.ErrNoDraft) {
		t.Errorf("submitting without a draft: %v; want ErrNoDraft", err)
	}

	// Amend: the draft starts from the submitted answers.
	d, created, err := db.OpenDraft(ctx, store.DraftStart{UnitCode: "SNV", PeriodID: "plan-2025", FormID: "plan-2025", FormVersion: 2, By: u, At: ict(2025, 7, 2, 8, 0, 0)})
	if err != nil || !created || d.BaseVersion != 1 || d.FormVersion != 1 || !jsonEq(t, d.Answers["doc_number"], `{"type":"text","text":"1/KH"}`) {
		t.Fatalf("amendment draft = %+v, %v, %v; want v1's answers and form", d, created, err)
	}
	d, err = db.SaveDraftAnswer(ctx, answer("SNV", "doc_number", `{"type":"text","text":"2/KH"}`, d.Version, u, ict(2025, 7, 2, 8, 1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	// A view older than the last change is not submitted.
	if _, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan-2025", Seen: d.Version - 1, Due: due, By: u, At: ict(2025, 7, 2, 9, 0, 0), Reason: "sửa số"}); !errors.As(err, new(*store.DraftConflict)) {
		t.Errorf("submitting a stale view: %v; want a DraftConflict", err)
	}
	if _, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan-2025", Seen: d.Version, Due: due, By: u, At: ict(2025, 7, 2, 9, 0, 0), Reason: "  "}); !errors.Is(err, store.ErrReasonRequired) {
		t.Errorf("amending without a reason: %v; want ErrReasonRequired", err)
	}
	amended := submit(t, db, "SNV", due, ict(2025, 7, 2, 9, 0, 0), u, "Sửa số văn bản")
	if amended.Seq != 1 || amended.Version != 2 || amended.Receipt != "plan-2025-0001.2" || amended.DaysLate != 2 || amended.Reason != "Sửa số văn bản" {
		t.Errorf("amendment = %+v", amended)
	}
	versions, err := db.ReportVersions(ctx, "SNV", "plan-2025")
	if err != nil || len(versions) != 2 {
		t.Fatalf("versions = %+v, %v", versions, err)
	}
	if !jsonEq(t, versions[0].Answers, `{"doc_number":{"type":"text","text":"1/KH"}}`) || versions[0].DaysLate != 0 || versions[0].Reason != "" {
		t.Errorf("version 1 changed: %+v", versions[0])
	}
	if !strings.Contains(string(versions[1].Answers), "2/KH") || versions[1].SubmittedBy != u {
		t.Errorf("version 2 = %+v", versions[1])
	}
}

// Units submitting at the same moment get distinct numbers, without gaps.
func TestSubmitReport_RacingUnitsGetDistinctNumbers(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	u := reportUser(t, db, "a")
	at := ict(2025, 6, 25, 9, 0, 0)
	var units []store.Unit
	for i := range 10 {
		units = append(units, store.Unit{Code: fmt.Sprintf("U%02d", i), Name: fmt.Sprint("Đơn vị ", i), Kind: "public_service"})
	}
	if _, _, err := db.UpsertUnits(ctx, units, "admin", at); err != nil {
		t.Fatal(err)
	}
	seen := make([]int64, len(units))
	for i, unit := range units {
		d, err := db.SaveDraftAnswer(ctx, answer(unit.Code, "doc_number", `{"type":"text","text":"x"}`, 0, u, at))
		if err != nil {
			t.Fatal(err)
		}
		seen[i] = d.Version
	}
	seqs := make([]int, len(units))
	var wg sync.WaitGroup
	for i, unit := range units {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := db.SubmitReport(ctx, store.Submission{UnitCode: unit.Code, PeriodID: "plan-2025", Seen: seen[i], Due: at, By: u, At: at})
			if err != nil {
				t.Errorf("%s: %v", unit.Code, err)
			}
			seqs[i] = v.Seq
		}()
	}
	wg.Wait()
	slices.Sort(seqs)
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("numbers %v; want 1 to %d", seqs, len(units))
		}
	}
}

func TestUnitStatus_StatesOfEveryPeriod(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	u := reportUser(t, db, "a")
	now := ict(2025, 7, 10, 12, 0, 0)
	periods := []string{"not-started", "draft", "overdue", "on-time", "late", "amended"}
	due := map[string]time.Time{
		"not-started": ict(2025, 11, 10, 0, 0, 0),
		"draft":       ict(2025, 7, 10, 0, 0, 0), // today: still on time
		"overdue":     ict(2025, 7, 9, 0, 0, 0),
		"on-time":     ict(2025, 7, 30, 0, 0, 0),
		"late":        ict(2025, 7, 1, 0, 0, 0),
		"amended":     ict(2025, 7, 30, 0, 0, 0),
	}
	save := func(period string, seen int64, at time.Time) int64 {
		a := answer("03670", "k", `{"type":"yesno","yes":true}`, seen, u, at)
		a.PeriodID = period
		d, err := db.SaveDraftAnswer(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return d.Version
	}
	sub := func(period string, seen int64, at time.Time, reason string) {
		if _, err := db.SubmitReport(ctx, store.Submission{UnitCode: "03670", PeriodID: period, Seen: seen, Due: due[period], By: u, At: at, Reason: reason}); err != nil {
			t.Fatal(err)
		}
	}
	save("draft", 0, now)
	save("overdue", 0, now)
	sub("on-time", save("on-time", 0, now), now, "")
	sub("late", save("late", 0, now), now, "")
	sub("amended", save("amended", 0, now), now, "")
	sub("amended", save("amended", 0, now.Add(time.Hour)), now.Add(time.Hour), "sửa")

	var in []store.PeriodDue
	for _, p := range periods {
		in = append(in, store.PeriodDue{PeriodID: p, Due: due[p]})
	}
	got, err := db.UnitStatus(ctx, "03670", in, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]store.ReportState{
		"not-started": store.StateNotStarted, "draft": store.StateDraft, "overdue": store.StateOverdue,
		"on-time": store.StateSubmitted, "late": store.StateSubmittedLate, "amended": store.StateAmended,
	}
	for i, s := range got {
		if s.PeriodID != periods[i] || s.State != want[s.PeriodID] {
			t.Errorf("%s: state %s; want %s", s.PeriodID, s.State, want[s.PeriodID])
		}
	}
	byID := map[string]store.PeriodStatus{}
	for _, s := range got {
		byID[s.PeriodID] = s
	}
	if s := byID["draft"]; !s.HasDraft || s.DraftAnswers != 1 || s.DaysLeft != 0 || s.DraftUpdatedBy != u {
		t.Errorf("draft = %+v", s)
	}
	if s := byID["overdue"]; !s.HasDraft || s.DaysLeft != -1 {
		t.Errorf("overdue = %+v", s)
	}
	if s := byID["late"]; s.DaysLate != 9 || s.Version != 1 || s.Receipt != "late-0001.1" {
		t.Errorf("late = %+v", s)
	}
	if s := byID["amended"]; s.Version != 2 || s.Receipt != "amended-0001.2" || !s.LastSubmittedAt.After(s.FirstSubmittedAt) || s.HasDraft {
		t.Errorf("amended = %+v", s)
	}
	if s := byID["not-started"]; s.DaysLeft != 123 || s.HasDraft || s.Version != 0 {
		t.Errorf("not started = %+v", s)
	}
}

func TestAttachments_StoredOnceByContent(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	u := reportUser(t, db, "a")
	at := ict(2025, 6, 25, 9, 0, 0)
	content := []byte("%PDF-1.7 kế hoạch")
	sha, created, err := db.PutAttachment(ctx, store.Attachment{Name: "ke-hoach.pdf", MIME: "application/pdf", Content: content, UploadedBy: u, UploadedAt: at})
	if err != nil || !created || len(sha) != 64 {
		t.Fatalf("PutAttachment = %q %v %v", sha, created, err)
	}
	again, created, err := db.PutAttachment(ctx, store.Attachment{Name: "copy.pdf", MIME: "application/pdf", Content: content, UploadedBy: u, UploadedAt: at})
	if err != nil || created || again != sha {
		t.Errorf("the same content again: %q %v %v", again, created, err)
	}
	a, ok, err := db.Attachment(ctx, sha)
	if err != nil || !ok || string(a.Content) != string(content) || a.Name != "ke-hoach.pdf" || a.Size != int64(len(content)) || a.UploadedBy != u {
		t.Errorf("Attachment = %+v %v %v", a, ok, err)
	}
	if _, ok, _ := db.Attachment(ctx, strings.Repeat("0", 64)); ok {
		t.Error("an unknown attachment was found")
	}
}

// A focal point who erases their data loses their roles; what they reported
// for their unit stays, no longer linked to them.
func TestDeleteUser_KeepsTheUnitsReports(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	u := reportUser(t, db, "a")
	at := ict(2025, 6, 25, 9, 0, 0)
	if _, err := db.GrantRole(ctx, u, store.RoleFocal, "SNV", "admin", at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveDraftAnswer(ctx, answer("SNV", "doc_number", `{"type":"text","text":"1/KH"}`, 0, u, at)); err != nil {
		t.Fatal(err)
	}
	submit(t, db, "SNV", at, at, u, "")
	if err := db.DeleteUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if focal, _ := db.FocalPoints(ctx, "SNV"); len(focal) != 0 {
		t.Errorf("focal points after erasure = %+v", focal)
	}
	versions, err := db.ReportVersions(ctx, "SNV", "plan-2025")
	if err != nil || len(versions) != 1 || versions[0].SubmittedBy != 0 || !strings.Contains(string(versions[0].Answers), "1/KH") {
		t.Errorf("report after erasure = %+v, %v", versions, err)
	}
}

func TestInviteCodes(t *testing.T) {
	if got := store.FormatInviteCode("ABCDEFGHJKMN"); got != "ABCD-EFGH-JKMN" {
		t.Errorf("FormatInviteCode = %q", got)
	}
	for in, want := range map[string]string{
		"abcd-efgh-jkmn":   "ABCDEFGHJKMN",
		" ABCD EFGH JKMN ": "ABCDEFGHJKMN",
		"o1l0-IIII-OOOO":   "011011110000",
		"ABCD-EFGH-JKMU":   "", // U is not in the alphabet
		"ABCD-EFGH-JKM":    "",
		"ABCD-EFGH-JKMNP":  "",
		"ÁBCD-EFGH-JKMN":   "",
		// As a phone or a document writes what was typed or copied.
		"ABCD–EFGH–JKMN":           "ABCDEFGHJKMN", // en dashes
		"ABCD—EFGH\u2011JKMN":      "ABCDEFGHJKMN", // em dash, no-break hyphen
		"ABCD\u00a0EFGH\u202fJKMN": "ABCDEFGHJKMN", // no-break spaces
		"ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ":           "ABCDEFGHJKMN", // full width
		"ABCD.EFGH.JKMN":           "ABCDEFGHJKMN",
	} {
		if got := store.NormalizeInviteCode(in); got != want {
			t.Errorf("NormalizeInviteCode(%q) = %q; want %q", in, got, want)
		}
	}
}

// A code is typed on a phone with a Vietnamese keyboard (on Zalo it always
// is): it holds no vowel, D or W, which Telex and VNI turn into marked
// letters ("AS" → "Á", "DD" → "Đ", "W" → "Ư", "Y1" → "Ý"), and no look-alike.
func TestInviteCodesAreTypableOnAVietnameseKeyboard(t *testing.T) {
	seen := map[rune]int{}
	for range 3000 {
		code := store.NewInviteCode()
		if len(code) != store.InviteCodeLength || store.NormalizeInviteCode(code) != code {
			t.Fatalf("code %q is not read back as itself", code)
		}
		if i := strings.IndexAny(code, "AEIOUYDWL"); i >= 0 {
			t.Fatalf("code %q holds %c", code, code[i])
		}
		for _, r := range code {
			seen[r]++
		}
	}
	if len(seen) != 27 {
		t.Errorf("codes use %d characters; want 27: %v", len(seen), seen)
	}
}

// FuzzNormalizeInviteCode: whatever is typed, a code comes out valid or not
// at all, and reading it again changes nothing.
func FuzzNormalizeInviteCode(f *testing.F) {
	for _, s := range []string{"abcd-efgh-jkmn", "o1l0-IIII-OOOO", "", "ÁBCD", "\xff", "ABCD EFGH JKMN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := store.NormalizeInviteCode(s)
		if c == "" {
			return
		}
		if len(c) != store.InviteCodeLength || store.NormalizeInviteCode(c) != c || store.NormalizeInviteCode(store.FormatInviteCode(c)) != c {
			t.Fatalf("NormalizeInviteCode(%q) = %q", s, c)
		}
	})
}
