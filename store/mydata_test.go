package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

// someone fills every table that keeps something about a person: roles
// (one ended), a nudge choice, link codes (the live one first: a new code
// withdraws the expired ones), a line of link history, a reminder, a
// download file, a draft answer, a file and a submitted report for their
// unit.
// It returns the user.
func someone(t *testing.T, db *store.DB, ext string, at time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	u := reportUser(t, db, ext)
	if _, err := db.GrantRole(ctx, u, store.RoleFocal, "SNV", "admin", at); err != nil {
		t.Fatal(err)
	}
	official, err := db.GrantRole(ctx, u, store.RoleOfficial, "", "admin", at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeRole(ctx, official.ID, "admin", at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.SetNudge(ctx, u, true, at); err != nil {
		t.Fatal(err)
	}
	for i, expires := range []time.Time{at.Add(10 * time.Minute), at.Add(-time.Minute)} {
		if err := db.CreateLinkCode(ctx, store.NewLinkCode{Hash: hashOf(fmt.Sprintf("%s-%d", ext, i)), UserID: u,
			Channel: bot.Telegram, ExternalID: ext, ChatID: ext, At: expires.Add(-10 * time.Minute), ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO account_link_audit (at, action, user_id, channel, external_id)
		VALUES ($1, 'attach', $2, 'zalo', $3)`, at, u, "z-"+ext); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO reminder_occurrences (rule, occurs_at, subject, send_at, planned_at, planned_by)
		VALUES ('nudge', $1, $2, $1, $1, 'test') ON CONFLICT DO NOTHING`, at, ext); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO deliveries (rule, kind, occurs_at, send_at, user_id, subject, planned_at, updated_at)
		VALUES ('nudge', 'nudge', $1, $1, $2, $3, $1, $1)`, at, u, ext); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDownload(ctx, store.Download{TokenHash: randomHash(t), UserID: u, Name: "bang.xlsx", MIME: "application/octet-stream",
		Content: []byte("PK"), CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveDraftAnswer(ctx, answer("SNV", "doc_number", `{"type":"text","text":"1/KH-`+ext+`"}`, 0, u, at)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.PutAttachment(ctx, store.Attachment{MIME: "application/pdf", Name: "ke-hoach-" + ext + ".pdf",
		Content: []byte("%PDF-1.7 " + ext), UploadedBy: u, UploadedAt: at}); err != nil {
		t.Fatal(err)
	}
	submit(t, db, "SNV", at, at, u, "")
	return u
}

// PersonalData lists every role (the ended one too, with its end), the
// nudge choice, the live link codes, and counts what else is kept.
func TestPersonalData_ListsEverythingKept(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := ict(2025, 6, 25, 9, 0, 0)
	u := someone(t, db, "a", at)
	stranger := reportUser(t, db, "b")

	p, err := db.PersonalData(ctx, u, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Roles) != 2 {
		t.Fatalf("roles = %+v; want the focal point and the ended official", p.Roles)
	}
	focal, official := p.Roles[0], p.Roles[1]
	if focal.Role.Role != store.RoleFocal || focal.UnitCode != "SNV" || focal.UnitName != "Sở Nội vụ" || !focal.Active() || !focal.GrantedAt.Equal(at) {
		t.Errorf("focal role = %+v", focal)
	}
	if official.Role.Role != store.RoleOfficial || official.UnitName != "" || official.Active() || !official.RevokedAt.Equal(at.Add(2*time.Hour)) {
		t.Errorf("official role = %+v; want ended at %v", official, at.Add(2*time.Hour))
	}
	if !p.Nudge.OptedIn || !p.Nudge.ChosenAt.Equal(at) {
		t.Errorf("nudge = %+v", p.Nudge)
	}
	if len(p.LinkCodes) != 1 || !p.LinkCodes[0].Equal(at.Add(10*time.Minute)) {
		t.Errorf("live link codes = %v; want the one expiring at %v", p.LinkCodes, at.Add(10*time.Minute))
	}
	if p.LinkHistory != 2 || p.Reminders != 1 || p.Downloads != 1 || p.Reports != 1 || !slices.Equal(p.ReportUnits, []string{"Sở Nội vụ"}) {
		t.Errorf("history %d, reminders %d, downloads %d, reports %d %q; want 2 (a line, an expired code), 1, 1, 1 [Sở Nội vụ]",
			p.LinkHistory, p.Reminders, p.Downloads, p.Reports, p.ReportUnits)
	}

	// The unit's log names them: two roles given, one taken away, the
	// draft opened, its answer, the file and the report sent.
	if p.ReportLog != 7 || p.ReportFiles != 1 {
		t.Errorf("report log lines %d, files %d; want 7 and 1", p.ReportLog, p.ReportFiles)
	}

	none, err := db.PersonalData(ctx, stranger, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Roles) != 0 || none.Nudge.Chosen() || len(none.LinkCodes) != 0 || none.LinkHistory+none.Reminders+none.Downloads+none.Reports+none.ReportLog+none.ReportFiles != 0 || len(none.ReportUnits) != 0 {
		t.Errorf("someone else's data shows as the stranger's: %+v", none)
	}
}

// Erasing a person erases every row about them; their unit keeps its
// report, its draft history and its audit log, with no trace of who.
func TestDeleteUser_ErasesThePersonKeepsTheUnitsRecords(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := ict(2025, 6, 25, 9, 0, 0)
	u := someone(t, db, "a", at)
	other := reportUser(t, db, "b")
	if err := db.SetNudge(ctx, other, true, at); err != nil {
		t.Fatal(err)
	}
	auditBefore := count(t, db, `SELECT count(*) FROM report_audit`)

	if err := db.DeleteUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM users WHERE id = $1`,
		`SELECT count(*) FROM accounts WHERE user_id = $1`,
		`SELECT count(*) FROM report_roles WHERE user_id = $1`,
		`SELECT count(*) FROM nudge_prefs WHERE user_id = $1`,
		`SELECT count(*) FROM link_codes WHERE user_id = $1`,
		`SELECT count(*) FROM account_link_audit WHERE user_id = $1`,
		`SELECT count(*) FROM deliveries WHERE user_id = $1`,
		`SELECT count(*) FROM downloads WHERE user_id = $1`,
		`SELECT count(*) FROM report_versions WHERE submitted_by = $1`,
		`SELECT count(*) FROM report_audit WHERE user_id = $1 OR detail->>'user' = ($1::bigint)::text`,
		`SELECT count(*) FROM report_invites WHERE used_by = $1`,
		`SELECT count(*) FROM report_attachments WHERE uploaded_by = $1`,
	} {
		if n := count(t, db, q, u); n != 0 {
			t.Errorf("%d rows after erasure: %s", n, q)
		}
	}
	versions, err := db.ReportVersions(ctx, "SNV", "plan-2025")
	if err != nil || len(versions) != 1 || versions[0].SubmittedBy != 0 || !strings.Contains(string(versions[0].Answers), "1/KH-a") {
		t.Errorf("the unit's report after erasure = %+v, %v", versions, err)
	}
	if n := count(t, db, `SELECT count(*) FROM report_audit`); n != auditBefore {
		t.Errorf("the unit's audit log has %d lines after erasure, %d before", n, auditBefore)
	}
	if n := count(t, db, `SELECT count(*) FROM report_audit WHERE action = 'role.revoke' AND detail ? 'role_id'`); n != 1 {
		t.Errorf("the revocation's line lost more than the user: %d lines", n)
	}
	if p, err := db.NudgePref(ctx, other); err != nil || !p.OptedIn {
		t.Errorf("someone else's nudge choice after the erasure: %+v %v", p, err)
	}
}

// Every reference to a user is settled for an erasure: rows about the
// person go with them (CASCADE, and /mydata shows them: store.PersonalData),
// rows that belong to a unit stay without them (SET NULL). A new column
// referencing users must be added here, and decided.
func TestDeleteUser_EveryReferenceToUsersIsDecided(t *testing.T) {
	db := storetest.NewDB(t)
	rows, err := db.Pool.Query(context.Background(), `SELECT c.conrelid::regclass::text || '.' || a.attname, c.confdeltype::text
		FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var col, action string
		if err := rows.Scan(&col, &action); err != nil {
			t.Fatal(err)
		}
		got[col] = action
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	const cascade, setNull = "c", "n"
	want := map[string]string{
		// The person's own: erased with them.
		"accounts.user_id":           cascade,
		"quiz_attempts.user_id":      cascade,
		"certificates.user_id":       cascade,
		"report_roles.user_id":       cascade,
		"deliveries.user_id":         cascade,
		"link_codes.user_id":         cascade,
		"account_link_audit.user_id": cascade,
		"nudge_prefs.user_id":        cascade,
		"downloads.user_id":          cascade,
		// The unit's: kept, unlinked from the person.
		"report_invites.used_by":         setNull,
		"report_drafts.updated_by":       setNull,
		"report_versions.submitted_by":   setNull,
		"report_attachments.uploaded_by": setNull,
		"report_audit.user_id":           setNull,
	}
	for col, action := range got {
		switch w, ok := want[col]; {
		case !ok:
			t.Errorf("%s references users (on delete %q): decide what an erasure does with it, show it in /mydata if it is the person's, and list it here", col, action)
		case w != action:
			t.Errorf("%s: on delete %q, want %q", col, action, w)
		}
	}
	for col := range want {
		if _, ok := got[col]; !ok {
			t.Errorf("%s no longer references users: update this list", col)
		}
	}
}
