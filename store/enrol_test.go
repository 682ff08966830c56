package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// A code is looked up without being spent, in any form typed, and shows
// whether and by whom it was used.
func TestInviteByCode(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := ict(2025, 6, 2, 9, 0, 0)
	code, made, err := db.CreateInvite(ctx, store.NewInvite{Role: store.RoleFocal, UnitCode: "SNV", CreatedBy: "admin", At: at, ExpiresAt: at.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{code, strings.ToLower(store.FormatInviteCode(code))} {
		inv, ok, err := db.InviteByCode(ctx, typed)
		if err != nil || !ok || inv.ID != made.ID || inv.UnitCode != "SNV" || inv.Role != store.RoleFocal || !inv.UsedAt.IsZero() || !inv.ExpiresAt.Equal(at.Add(time.Hour)) {
			t.Fatalf("InviteByCode(%q) = %+v, %v, %v", typed, inv, ok, err)
		}
	}
	for _, wrong := range []string{"", "nope", "ZZZZ-ZZZZ-ZZZZ"} {
		if _, ok, err := db.InviteByCode(ctx, wrong); ok || err != nil {
			t.Errorf("InviteByCode(%q) = %v, %v; want not found", wrong, ok, err)
		}
	}
	u := reportUser(t, db, "41")
	if _, _, err := db.ConsumeInvite(ctx, code, u, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	inv, ok, err := db.InviteByCode(ctx, code)
	if err != nil || !ok || inv.UsedBy != u || !inv.UsedAt.Equal(at.Add(time.Minute)) {
		t.Fatalf("after use: %+v, %v, %v", inv, ok, err)
	}
}

// The admin's list: who holds which role, on which channel; a revoked role
// leaves the list but is still found by its id.
func TestActiveRolesAndRoleByID(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := ict(2025, 6, 2, 9, 0, 0)
	lan, hoa := reportUser(t, db, "51"), reportUser(t, db, "52")
	focal, err := db.GrantRole(ctx, lan, store.RoleFocal, "SNV", "admin", at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.GrantRole(ctx, hoa, store.RoleFocal, "03670", "admin", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	official, err := db.GrantRole(ctx, hoa, store.RoleOfficial, "", "admin", at.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.ActiveRoles(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range all {
		got = append(got, r.Role.Role+"/"+r.UnitCode+"/"+r.UnitName+"/"+r.DisplayName)
	}
	want := "official///Cầm Thị 52 focal/03670/Phường Chiềng Cơi/Cầm Thị 52 focal/SNV/Sở Nội vụ/Cầm Thị 51"
	if strings.Join(got, " ") != want {
		t.Fatalf("ActiveRoles:\n%q\nwant\n%q", strings.Join(got, " "), want)
	}
	if a := all[2].Accounts; len(a) != 1 || a[0] != (store.RoleAccount{Channel: bot.Telegram, ExternalID: "51"}) {
		t.Errorf("accounts %+v", a)
	}
	snv, err := db.ActiveRoles(ctx, "SNV")
	if err != nil || len(snv) != 1 || snv[0].ID != focal.ID || snv[0].UserID != lan {
		t.Fatalf("ActiveRoles(SNV) = %+v, %v", snv, err)
	}
	if err := db.RevokeRole(ctx, focal.ID, "Lò Văn Minh", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if snv, err := db.ActiveRoles(ctx, "SNV"); err != nil || len(snv) != 0 {
		t.Fatalf("after revoking: %+v, %v", snv, err)
	}
	r, ok, err := db.RoleByID(ctx, focal.ID)
	if err != nil || !ok || !r.RevokedAt.Equal(at.Add(time.Hour)) || r.RevokedBy != "Lò Văn Minh" || r.UnitName != "Sở Nội vụ" {
		t.Fatalf("RoleByID(revoked) = %+v, %v, %v", r, ok, err)
	}
	if r, ok, err := db.RoleByID(ctx, official.ID); err != nil || !ok || !r.RevokedAt.IsZero() || r.UnitCode != "" {
		t.Fatalf("RoleByID(official) = %+v, %v, %v", r, ok, err)
	}
	if _, ok, err := db.RoleByID(ctx, 999999); ok || err != nil {
		t.Fatalf("RoleByID(unknown) = %v, %v", ok, err)
	}
}

// The chats with a menu of their own are those of the role holders and of
// the users who chose their language in the bot: not a citizen's with
// their app's language, nor one whose role was revoked and who never chose.
func TestMenuHolderIDs(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := ict(2025, 6, 2, 9, 0, 0)
	focal, official, citizen, chose, revoked := reportUser(t, db, "61"), reportUser(t, db, "62"), reportUser(t, db, "63"), reportUser(t, db, "64"), reportUser(t, db, "65")
	for _, g := range []struct {
		user       int64
		role, unit string
	}{{focal, store.RoleFocal, "SNV"}, {official, store.RoleOfficial, ""}, {official, store.RoleFocal, "03670"}, {revoked, store.RoleFocal, "03664"}} {
		if _, err := db.GrantRole(ctx, g.user, g.role, g.unit, "admin", at); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetLanguage(ctx, chose, "vi"); err != nil {
		t.Fatal(err)
	}
	r, err := db.ActiveRoles(ctx, "03664")
	if err != nil || len(r) != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	if err := db.RevokeRole(ctx, r[0].ID, "admin", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := db.MenuHolderIDs(ctx)
	if want := []int64{focal, official, chose}; err != nil || !slices.Equal(got, want) {
		t.Errorf("MenuHolderIDs = %v, %v; want %v (not %d, a citizen, nor %d, revoked)", got, err, want, citizen, revoked)
	}
}

// The throttle refuses a key after Limit failures in the window, for the
// rest of the window, on every replica; other keys are not affected; a
// success clears it.
func TestThrottle(t *testing.T) {
	r := storetest.NewRedis(t)
	ctx := context.Background()
	th := store.NewThrottle(r.Client, r.Prefix, "enrol", 3, time.Minute)
	other := store.NewThrottle(r.Client, r.Prefix, "enrol", 3, time.Minute) // another replica
	if wait, err := th.Wait(ctx, "telegram:1"); wait != 0 || err != nil {
		t.Fatalf("fresh key: %v, %v", wait, err)
	}
	for want := 2; want >= 1; want-- {
		left, wait, err := th.Fail(ctx, "telegram:1")
		if left != want || wait != 0 || err != nil {
			t.Fatalf("Fail = %d, %v, %v; want %d left", left, wait, err, want)
		}
	}
	left, wait, err := other.Fail(ctx, "telegram:1")
	if left != 0 || wait <= 0 || wait > time.Minute || err != nil {
		t.Fatalf("third failure: %d, %v, %v; want refused for the rest of the minute", left, wait, err)
	}
	if w, err := th.Wait(ctx, "telegram:1"); w <= 0 || w > time.Minute || err != nil {
		t.Fatalf("Wait after the limit: %v, %v", w, err)
	}
	if w, err := th.Wait(ctx, "zalo:1"); w != 0 || err != nil {
		t.Fatalf("another account: %v, %v", w, err)
	}
	if err := th.Clear(ctx, "telegram:1"); err != nil {
		t.Fatal(err)
	}
	if w, err := th.Wait(ctx, "telegram:1"); w != 0 || err != nil {
		t.Fatalf("after Clear: %v, %v", w, err)
	}
	// Failures at the same moment are all counted.
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { _, _, _ = th.Fail(ctx, "zalo:2") })
	}
	wg.Wait()
	if n, err := r.Client.Get(ctx, r.Prefix+"throttle:enrol:{zalo:2}").Int(); n != 10 || err != nil {
		t.Fatalf("count %d, %v; want 10", n, err)
	}
}
