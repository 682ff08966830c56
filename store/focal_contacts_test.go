package store_test

import (
	"context"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
)

func TestFocalContacts_ActiveFocalPointsWithEveryAccount(t *testing.T) {
	db := reportDB(t) // units SNV, 03670, 03664
	ctx := context.Background()
	at := ict(2025, 6, 2, 8, 0, 0)
	lan, binh, old := reportUser(t, db, "lan"), reportUser(t, db, "binh"), reportUser(t, db, "old")
	if _, err := db.Pool.Exec(ctx, `INSERT INTO accounts (channel, external_id, user_id, chat_id, last_seen_at)
		VALUES ('zalo', 'z-lan', $1, 'z-lan', $2)`, lan, at); err != nil {
		t.Fatal(err)
	}
	if err := db.SetBlocked(ctx, bot.Telegram, "lan", true); err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		user int64
		unit string
	}{{binh, "SNV"}, {lan, "SNV"}, {lan, "03670"}, {old, "03664"}} {
		if _, err := db.GrantRole(ctx, g.user, store.RoleFocal, g.unit, "admin", at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.GrantRole(ctx, binh, store.RoleOfficial, "", "admin", at); err != nil {
		t.Fatal(err)
	}
	roles, _ := db.FocalPoints(ctx, "03664")
	if err := db.RevokeRole(ctx, roles[0].ID, "admin", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	got, err := db.FocalContacts(ctx, []string{"SNV", "03664", "03670"})
	if err != nil {
		t.Fatal(err)
	}
	// By unit code, then user (lan joined first); the revoked focal point and the official role are left out.
	want := []struct {
		unit     string
		user     int64
		accounts string
	}{{"03670", lan, "telegram:lan:blocked zalo:z-lan"}, {"SNV", lan, "telegram:lan:blocked zalo:z-lan"}, {"SNV", binh, "telegram:binh"}}
	if len(got) != len(want) {
		t.Fatalf("FocalContacts = %+v; want %d contacts", got, len(want))
	}
	for i, c := range got {
		accounts := ""
		for _, a := range c.Accounts {
			if accounts != "" {
				accounts += " "
			}
			accounts += string(a.Channel) + ":" + a.ExternalID
			if a.BlockedAt != nil {
				accounts += ":blocked"
			}
		}
		if c.UnitCode != want[i].unit || c.UserID != want[i].user || accounts != want[i].accounts || c.Name == "" {
			t.Errorf("contact %d = %s %d %q %q; want %s %d %q", i, c.UnitCode, c.UserID, c.Name, accounts, want[i].unit, want[i].user, want[i].accounts)
		}
	}
	if got[0].Accounts[1].LastSeenAt.IsZero() {
		t.Error("the last visit is not read")
	}
}
