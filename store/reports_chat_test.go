package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/store"
)

// An amendment starts with its reason, from the last submitted answers; the
// reason is what the new version records, and the amendment can be thrown
// away without touching the report.
func TestOpenAmendment_ReasonKeptUntilSubmitted(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	a, b := reportUser(t, db, "a"), reportUser(t, db, "b")
	due := ict(2025, 6, 30, 0, 0, 0)
	at := ict(2025, 6, 25, 9, 0, 0)
	start := store.DraftStart{UnitCode: "SNV", PeriodID: "plan-2025", FormID: "plan-2025", FormVersion: 1, By: a, At: at}

	if _, err := db.OpenAmendment(ctx, start, "sửa số"); !errors.Is(err, store.ErrNotAmendment) {
		t.Fatalf("amending a report never submitted: %v; want ErrNotAmendment", err)
	}
	if _, ok, _ := db.Draft(ctx, "SNV", "plan-2025"); ok {
		t.Fatal("a refused amendment left a draft behind")
	}
	if _, err := db.SaveDraftAnswer(ctx, answer("SNV", "doc_number", `{"type":"text","text":"1/KH"}`, 0, a, at)); err != nil {
		t.Fatal(err)
	}
	submit(t, db, "SNV", due, at.Add(time.Hour), a, "")

	if _, err := db.OpenAmendment(ctx, start, "  "); !errors.Is(err, store.ErrReasonRequired) {
		t.Errorf("an amendment without a reason: %v; want ErrReasonRequired", err)
	}
	d, err := db.OpenAmendment(ctx, start, " Sai số văn bản ")
	if err != nil || d.BaseVersion != 1 || d.Reason != "Sai số văn bản" || !jsonEq(t, d.Answers["doc_number"], `{"type":"text","text":"1/KH"}`) {
		t.Fatalf("OpenAmendment = %+v, %v; want the submitted answers and the reason", d, err)
	}
	// B joins and rewords the reason: a change of the draft.
	startB := start
	startB.By = b
	d2, err := db.OpenAmendment(ctx, startB, "Sai số và ngày văn bản")
	if err != nil || d2.Version <= d.Version || d2.Reason != "Sai số và ngày văn bản" || d2.UpdatedBy != b {
		t.Fatalf("B's reason: %+v, %v", d2, err)
	}
	got, _, _ := db.Draft(ctx, "SNV", "plan-2025")
	if got.Reason != d2.Reason || got.Version != d2.Version {
		t.Errorf("stored draft %+v; want reason %q at version %d", got, d2.Reason, d2.Version)
	}
	// A discards from what A saw before B's change: refused.
	var conflict *store.DraftConflict
	if err := db.DiscardAmendment(ctx, "SNV", "plan-2025", d.Version, a, at); !errors.As(err, &conflict) {
		t.Errorf("discarding a draft changed since: %v; want a conflict", err)
	}
	// Submitted without a reason in the submission: the draft's is used.
	v, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan-2025", Seen: got.Version, Due: due, By: b, At: at.Add(2 * time.Hour)})
	if err != nil || v.Version != 2 || v.Reason != "Sai số và ngày văn bản" {
		t.Fatalf("submitted amendment = %+v, %v", v, err)
	}

	// A third version is started and thrown away: the report stays at 2.
	d3, err := db.OpenAmendment(ctx, start, "thử")
	if err != nil || d3.BaseVersion != 2 {
		t.Fatalf("third amendment: %+v, %v", d3, err)
	}
	if err := db.DiscardAmendment(ctx, "SNV", "plan-2025", d3.Version, a, at); err != nil {
		t.Fatalf("discard: %v", err)
	}
	if _, ok, _ := db.Draft(ctx, "SNV", "plan-2025"); ok {
		t.Error("the discarded amendment is still there")
	}
	versions, _ := db.ReportVersions(ctx, "SNV", "plan-2025")
	if len(versions) != 2 {
		t.Errorf("%d versions after a discarded amendment; want 2", len(versions))
	}
	if err := db.DiscardAmendment(ctx, "SNV", "plan-2025", 1, a, at); !errors.Is(err, store.ErrNoDraft) {
		t.Errorf("discarding nothing: %v; want ErrNoDraft", err)
	}
	// A first draft is never thrown away.
	if _, err := db.SaveDraftAnswer(ctx, answer("03670", "doc_number", `{"type":"text","text":"2/KH"}`, 0, a, at)); err != nil {
		t.Fatal(err)
	}
	first, _, _ := db.Draft(ctx, "03670", "plan-2025")
	if err := db.DiscardAmendment(ctx, "03670", "plan-2025", first.Version, a, at); !errors.Is(err, store.ErrNotAmendment) {
		t.Errorf("discarding a first draft: %v; want ErrNotAmendment", err)
	}
	var actions []string
	log, _ := db.AuditLog(ctx, "SNV")
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"draft.reason", "report.amend", "draft.discard"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit log %q lacks %s", actions, want)
		}
	}
}

// A draft version names one draft: a focal point's view of a draft that was
// sent or dropped never matches the amendment started after it, however
// far that one goes, so neither sending nor dropping it goes through.
func TestDraftVersions_NeverRepeatForAUnitAndPeriod(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	a := reportUser(t, db, "a")
	due := ict(2025, 6, 30, 0, 0, 0)
	at := ict(2025, 6, 25, 9, 0, 0)
	start := store.DraftStart{UnitCode: "SNV", PeriodID: "plan-2025", FormID: "plan-2025", FormVersion: 1, By: a, At: at}
	var conflict *store.DraftConflict

	// catchUp changes the draft until it is at least at version seen, the
	// number someone saw on an older draft.
	catchUp := func(seen int64) store.Draft {
		t.Helper()
		d, _, _ := db.Draft(ctx, "SNV", "plan-2025")
		for i := 0; d.Version < seen; i++ {
			var err error
			if d, err = db.SaveDraftAnswer(ctx, answer("SNV", "classes", fmt.Sprintf(`{"type":"number","number":"%d"}`, i), d.Version, a, at)); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}

	var d store.Draft
	for _, key := range []string{"doc_number", "classes", "share"} {
		var err error
		if d, err = db.SaveDraftAnswer(ctx, answer("SNV", key, `{"type":"text","text":"1"}`, d.Version, a, at)); err != nil {
			t.Fatal(err)
		}
	}
	sent := d.Version
	submit(t, db, "SNV", due, at, a, "")

	// Sent, then amended: the amendment starts above what was sent.
	d, err := db.OpenAmendment(ctx, start, "sửa số lớp")
	if err != nil {
		t.Fatal(err)
	}
	if d.Version <= sent {
		t.Errorf("the amendment after version %d of the sent draft is at version %d", sent, d.Version)
	}
	d = catchUp(sent)
	if _, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan-2025", Seen: sent, Due: due, By: a, At: at}); !errors.As(err, &conflict) {
		t.Fatalf("sending the amendment from the view of the sent draft: %v; want a conflict", err)
	}

	// Dropped, then amended again from the same version: the same.
	dropped := d.Version
	if err := db.DiscardAmendment(ctx, "SNV", "plan-2025", dropped, a, at); err != nil {
		t.Fatal(err)
	}
	d, err = db.OpenAmendment(ctx, start, "sửa lại")
	if err != nil || d.BaseVersion != 1 {
		t.Fatalf("the amendment after the dropped one: %+v, %v", d, err)
	}
	if d.Version <= dropped {
		t.Errorf("the amendment after version %d of the dropped one is at version %d", dropped, d.Version)
	}
	d = catchUp(dropped)
	if err := db.DiscardAmendment(ctx, "SNV", "plan-2025", dropped, a, at); !errors.As(err, &conflict) {
		t.Errorf("dropping the amendment from the view of the dropped one: %v; want a conflict", err)
	}
	if _, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan-2025", Seen: dropped, Due: due, By: a, At: at}); !errors.As(err, &conflict) {
		t.Errorf("sending the amendment from the view of the dropped one: %v; want a conflict", err)
	}
	if versions, _ := db.ReportVersions(ctx, "SNV", "plan-2025"); len(versions) != 1 {
		t.Fatalf("%d versions; want the first alone", len(versions))
	}
	// From its own view it goes.
	if v, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan-2025", Seen: d.Version, Due: due, By: a, At: at}); err != nil || v.Version != 2 || v.Reason != "sửa lại" {
		t.Errorf("sending the amendment as seen: %+v, %v", v, err)
	}
}

// heldEnqueuer holds a submission's transaction open at its end, before
// the commit, until released.
type heldEnqueuer struct{ entered, release chan struct{} }

func (h heldEnqueuer) Enqueue(ctx context.Context, tx pgx.Tx, rule string, ids []int64) error {
	close(h.entered)
	<-h.release
	return nil
}

// A draft opened while the unit's draft is being sent is made after the
// submission commits: it amends the version sent, and goes on from the sent
// draft's version, not from what a snapshot taken before the wait held.
func TestOpenDraft_WaitsForASubmissionUnderWay(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	a, b := reportUser(t, db, "a"), reportUser(t, db, "b")
	if _, err := db.GrantRole(ctx, reportUser(t, db, "official"), store.RoleOfficial, "", "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	at := ict(2025, 6, 25, 9, 0, 0)
	d, err := db.SaveDraftAnswer(ctx, answer("SNV", "doc_number", `{"type":"text","text":"1/KH"}`, 0, a, at))
	if err != nil {
		t.Fatal(err)
	}

	held := heldEnqueuer{entered: make(chan struct{}), release: make(chan struct{})}
	submitted := make(chan error, 1)
	go func() {
		_, err := db.SubmitReport(ctx, store.Submission{UnitCode: "SNV", PeriodID: "plan-2025", Seen: d.Version,
			Due: ict(2025, 6, 30, 0, 0, 0), By: a, At: at, Notify: held})
		submitted <- err
	}()
	<-held.entered
	type opened struct {
		d       store.Draft
		created bool
		err     error
	}
	open := make(chan opened, 1)
	go func() {
		d, created, err := db.OpenDraft(ctx, store.DraftStart{UnitCode: "SNV", PeriodID: "plan-2025", FormID: "plan-2025", FormVersion: 1, By: b, At: at})
		open <- opened{d, created, err}
	}()
	// B's open waits on the draft's lock before the submission commits.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var waiting int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("B's open never waited for the submission")
		}
	}
	close(held.release)
	if err := <-submitted; err != nil {
		t.Fatal(err)
	}
	o := <-open
	if o.err != nil || !o.created || o.d.BaseVersion != 1 || o.d.Version <= d.Version || !jsonEq(t, o.d.Answers["doc_number"], `{"type":"text","text":"1/KH"}`) {
		t.Errorf("the draft opened during the submission of version %d: %+v, created %v, %v; want an amendment of version 1 above it",
			d.Version, o.d, o.created, o.err)
	}
}
