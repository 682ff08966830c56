// Package reporttest submits units' reports through the store as the report
// conversation does, for the tests of what reads them: the officials'
// overview and export, the digests, /mydata, the end-to-end specs.
package reporttest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// Answer is one answer of a draft: the field's key and the value as the
// store keeps it, JSON of a config.Value (`{"type":"text","text":"1/KH"}`).
type Answer struct{ Key, Value string }

// Report is a report to submit.
type Report struct {
	Period  *config.Period // its id, form and due dates
	Unit    string         // the unit's code; the unit must be recorded
	By      int64          // who fills it in and submits it
	At      time.Time      // when it is submitted
	Reason  string         // why it amends the last version; "" for a first one
	Answers []Answer       // saved in this order
}

// Submit saves r's answers in the unit's draft for the period, started a
// minute before r.At, and submits it at r.At, due on the period's date for
// the unit's kind. The form must be recorded (store.DB.RecordForm), and
// there must be an answer: a draft starts with its first.
func Submit(t testing.TB, db *store.DB, r Report) store.ReportVersion {
	t.Helper()
	ctx := context.Background()
	u, ok, err := db.Unit(ctx, r.Unit)
	if err != nil || !ok {
		t.Fatalf("reporttest: unit %s: %v", r.Unit, err)
	}
	p := r.Period
	start := store.DraftStart{UnitCode: r.Unit, PeriodID: p.ID, FormID: p.FormID, FormVersion: p.FormVersion, By: r.By, At: r.At.Add(-time.Minute)}
	var d store.Draft
	for _, a := range r.Answers {
		if d, err = db.SaveDraftAnswer(ctx, store.DraftAnswer{DraftStart: start, Key: a.Key, Value: json.RawMessage(a.Value), Seen: d.Version}); err != nil {
			t.Fatalf("reporttest: answer %s of %s: %v", a.Key, r.Unit, err)
		}
	}
	v, err := db.SubmitReport(ctx, store.Submission{UnitCode: r.Unit, PeriodID: p.ID, Seen: d.Version,
		Due: p.DueFor(config.Kind(u.Kind)), By: r.By, At: r.At, Reason: r.Reason})
	if err != nil {
		t.Fatalf("reporttest: submit %s: %v", r.Unit, err)
	}
	return v
}
