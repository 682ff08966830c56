package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
	"hocvuso/store/storetest"
)

func randomHash(t *testing.T) []byte {
	t.Helper()
	h := make([]byte, 32)
	if _, err := rand.Read(h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestDownloads(t *testing.T) {
	db := storetest.NewDB(t)
	ctx := context.Background()
	at := time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)
	user, err := db.CreateUser(ctx, store.NewUser{Channel: bot.Zalo, ExternalID: "z1", ChatID: "z1", DisplayName: "Cán bộ",
		Language: "vi", ConsentVersion: "test", At: at})
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("PK\x03\x04 bảng tổng hợp")
	d := store.Download{TokenHash: randomHash(t), UserID: user, Name: "Báo cáo kỳ 2025.xlsx",
		MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Content: content,
		CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour)}
	if err := db.PutDownload(ctx, d); err != nil {
		t.Fatal(err)
	}

	// Found by its hash while the link lasts, to the last moment.
	got, ok, err := db.Download(ctx, d.TokenHash, at.Add(24*time.Hour-time.Second))
	if err != nil || !ok {
		t.Fatalf("Download within the day: %v %v", ok, err)
	}
	if got.Name != d.Name || got.MIME != d.MIME || !bytes.Equal(got.Content, content) || got.UserID != user ||
		!got.ExpiresAt.Equal(d.ExpiresAt) || !got.CreatedAt.Equal(at) {
		t.Errorf("read back %+v", got)
	}
	// Expired, or unknown: not found.
	if _, ok, err := db.Download(ctx, d.TokenHash, at.Add(24*time.Hour)); ok || err != nil {
		t.Errorf("Download at expiry: %v %v; want not found", ok, err)
	}
	if _, ok, err := db.Download(ctx, randomHash(t), at); ok || err != nil {
		t.Errorf("Download of an unknown hash: %v %v; want not found", ok, err)
	}
	// The same token twice is an error, never a silent overwrite.
	if err := db.PutDownload(ctx, d); err == nil {
		t.Errorf("a second file under the same token was stored")
	}
	// Incomplete ones are refused.
	for _, bad := range []store.Download{
		{TokenHash: []byte("short"), Name: "a", MIME: "b", CreatedAt: at, ExpiresAt: at.Add(time.Hour)},
		{TokenHash: randomHash(t), MIME: "b", CreatedAt: at, ExpiresAt: at.Add(time.Hour)},
		{TokenHash: randomHash(t), Name: "a", CreatedAt: at, ExpiresAt: at.Add(time.Hour)},
		{TokenHash: randomHash(t), Name: "a", MIME: "b", CreatedAt: at, ExpiresAt: at},
	} {
		if err := db.PutDownload(ctx, bad); err == nil {
			t.Errorf("stored %+v", bad)
		}
	}

	// A file made by nobody in particular; making a link a day later
	// deletes the expired ones.
	anon := store.Download{TokenHash: randomHash(t), Name: "x.xlsx", MIME: "application/octet-stream", Content: []byte{1},
		CreatedAt: at.Add(24 * time.Hour), ExpiresAt: at.Add(48 * time.Hour)}
	if err := db.PutDownload(ctx, anon); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM downloads`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d rows after the first link expired (%v); want only the new one", n, err)
	}
	if got, ok, _ := db.Download(ctx, anon.TokenHash, anon.CreatedAt); !ok || got.UserID != 0 {
		t.Errorf("the anonymous file: %v %+v", ok, got)
	}

	// Erasing a user erases the files made for them.
	mine := d
	mine.TokenHash, mine.CreatedAt, mine.ExpiresAt = randomHash(t), anon.CreatedAt, anon.ExpiresAt
	if err := db.PutDownload(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Download(ctx, mine.TokenHash, mine.CreatedAt); ok {
		t.Errorf("a file made for an erased user is still served")
	}
	if _, ok, _ := db.Download(ctx, anon.TokenHash, anon.CreatedAt); !ok {
		t.Errorf("someone else's file went with the erased user")
	}
}
