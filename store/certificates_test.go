package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

func certUser(t *testing.T, db *store.DB, ext string) int64 {
	t.Helper()
	id, err := db.CreateUser(context.Background(), store.NewUser{
		Channel: bot.Telegram, ExternalID: ext, ChatID: ext, DisplayName: "Lò Thị Hương",
		Language: "vi", ConsentVersion: "test", At: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func attempt(t *testing.T, db *store.DB, user int64, area string, score, total int, passed bool, at time.Time) {
	t.Helper()
	_, err := db.Pool.Exec(context.Background(), `INSERT INTO quiz_attempts
		(user_id, bank_version, area, question_ids, option_orders, total, score, passed, started_at, finished_at)
		VALUES ($1, 'v1', $2, '{}', '[]', $3, $4, $5, $6, $6)`, user, area, total, score, passed, at)
	if err != nil {
		t.Fatal(err)
	}
}

func TestCertificateAreas_BestPassedAttemptPerAreaFirstReached(t *testing.T) {
	db := storetest.NewDB(t)
	ctx := context.Background()
	u := certUser(t, db, "1")
	other := certUser(t, db, "2")
	day := func(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }

	attempt(t, db, u, "0", 8, 10, true, day(1))
	attempt(t, db, u, "0", 10, 10, true, day(3)) // best: 100%
	attempt(t, db, u, "0", 10, 10, true, day(5)) // same score later: the first counts
	attempt(t, db, u, "1", 5, 10, false, day(2)) // failed: not counted
	attempt(t, db, u, "2", 9, 10, true, day(4))
	attempt(t, db, u, "", 10, 10, true, day(4)) // the quick test is no area
	attempt(t, db, other, "3", 10, 10, true, day(4))
	// An unfinished attempt is not a pass.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO quiz_attempts (user_id, bank_version, area, question_ids, option_orders, total, started_at)
		VALUES ($1, 'v1', '4', '{}', '[]', 10, now())`, u); err != nil {
		t.Fatal(err)
	}

	got, err := db.CertificateAreas(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.CertificateArea{
		{Area: "0", Score: 10, Total: 10, PassedAt: day(3)},
		{Area: "2", Score: 9, Total: 10, PassedAt: day(4)},
	}
	if len(got) != len(want) {
		t.Fatalf("CertificateAreas = %+v; want %+v", got, want)
	}
	for i := range want {
		if got[i].Area != want[i].Area || got[i].Score != want[i].Score || got[i].Total != want[i].Total || !got[i].PassedAt.Equal(want[i].PassedAt) {
			t.Errorf("area %d = %+v; want %+v", i, got[i], want[i])
		}
	}
}

func TestIssueCertificate_OncePerUserEvenWhenRacing(t *testing.T) {
	db := storetest.NewDB(t)
	ctx := context.Background()
	u := certUser(t, db, "1")
	areas := []store.CertificateArea{{Area: "0", Score: 9, Total: 10, PassedAt: time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)}}
	at := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)

	codes := []string{"AAAAAAAAAAAA", "BBBBBBBBBBBB", "CCCCCCCCCCCC", "DDDDDDDDDDDD"}
	var mu sync.Mutex
	next := func() string {
		mu.Lock()
		defer mu.Unlock()
		c := codes[0]
		codes = codes[1:]
		return c
	}
	type result struct {
		c       store.Certificate
		created bool
		err     error
	}
	results := make([]result, 4)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			c, created, err := db.IssueCertificate(ctx, store.NewCertificate{UserID: u, Name: "Lò Thị Hương", Areas: areas, At: at, NewCode: next})
			results[i] = result{c, created, err}
		})
	}
	wg.Wait()
	created := 0
	for _, r := range results {
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.created {
			created++
		}
		if r.c.Code != results[0].c.Code {
			t.Errorf("two issues returned different codes: %q and %q", r.c.Code, results[0].c.Code)
		}
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM certificates WHERE user_id = $1`, u).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if created != 1 || n != 1 {
		t.Errorf("4 concurrent issues created %d (rows %d); want exactly 1", created, n)
	}

	c, ok, err := db.CertificateByCode(ctx, results[0].c.Code)
	if err != nil || !ok {
		t.Fatalf("CertificateByCode = %v, %v", ok, err)
	}
	if c.Name != "Lò Thị Hương" || c.UserID != u || !c.IssuedAt.Equal(at) || len(c.Areas) != 1 || c.Areas[0].Score != 9 || !c.Areas[0].PassedAt.Equal(areas[0].PassedAt) {
		t.Errorf("stored certificate = %+v", c)
	}
}

func TestIssueCertificate_DrawsAgainWhenTheCodeIsTaken(t *testing.T) {
	db := storetest.NewDB(t)
	ctx := context.Background()
	a, b := certUser(t, db, "1"), certUser(t, db, "2")
	areas := []store.CertificateArea{{Area: "0", Score: 9, Total: 10, PassedAt: time.Now()}}
	if _, _, err := db.IssueCertificate(ctx, store.NewCertificate{UserID: a, Name: "A B", Areas: areas, At: time.Now(),
		NewCode: func() string { return "AAAAAAAAAAAA" }}); err != nil {
		t.Fatal(err)
	}
	draws := []string{"AAAAAAAAAAAA", "BBBBBBBBBBBB"}
	c, created, err := db.IssueCertificate(ctx, store.NewCertificate{UserID: b, Name: "C D", Areas: areas, At: time.Now(),
		NewCode: func() string { d := draws[0]; draws = draws[1:]; return d }})
	if err != nil || !created || c.Code != "BBBBBBBBBBBB" {
		t.Errorf("issue with a taken code = %q, %v, %v; want the second draw BBBBBBBBBBBB", c.Code, created, err)
	}
}

func TestIssueCertificate_ErasedUserGetsNone(t *testing.T) {
	db := storetest.NewDB(t)
	ctx := context.Background()
	u := certUser(t, db, "1")
	areas := []store.CertificateArea{{Area: "0", Score: 9, Total: 10, PassedAt: time.Now()}}
	c, _, err := db.IssueCertificate(ctx, store.NewCertificate{UserID: u, Name: "A B", Areas: areas, At: time.Now(), NewCode: func() string { return "AAAAAAAAAAAA" }})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.CertificateByCode(ctx, c.Code); err != nil || ok {
		t.Errorf("the certificate of an erased user is still found (%v, %v)", ok, err)
	}
	if _, _, err := db.IssueCertificate(ctx, store.NewCertificate{UserID: u, Name: "A B", Areas: areas, At: time.Now(), NewCode: func() string { return "BBBBBBBBBBBB" }}); !errors.Is(err, store.ErrCertificateUserGone) {
		t.Errorf("issuing for an erased user: err = %v; want ErrCertificateUserGone", err)
	}
}
