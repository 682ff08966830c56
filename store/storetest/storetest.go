// Package storetest gives tests their own PostgreSQL database and Redis key
// prefix on the real servers, and removes them afterwards.
//
// TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
// names a server where the tests may create databases; TEST_REDIS_URL
// (default redis://127.0.0.1:6379/0) a Redis they may write to.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"hocvuso/store"
)

// AdminURL is the PostgreSQL server the tests use.
func AdminURL() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the Redis the tests use.
func RedisURL() string {
	if v := os.Getenv("TEST_REDIS_URL"); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379/0"
}

// Name returns a fresh random name with a prefix, for databases and keys.
func Name(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// NewDatabaseURL creates an empty database and returns its URL; it is
// dropped when the test ends.
func NewDatabaseURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := Name("hocvuso_test_")
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("storetest: PostgreSQL is not reachable at %s: %v", AdminURL(), err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			t.Errorf("storetest: drop database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: drop database: %v", err)
		}
	})
	u, _ := url.Parse(AdminURL())
	u.Path = "/" + name
	return u.String()
}

// NewDB returns a migrated database of the test's own.
func NewDB(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, NewDatabaseURL(t))
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(db.Close) // runs before the drop, registered later
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}

// Redis is a client and a key prefix of the test's own.
type Redis struct {
	Client *redis.Client
	Prefix string
}

// NewRedis returns a Redis client and a fresh prefix; every key under the
// prefix is deleted when the test ends.
func NewRedis(t testing.TB) Redis {
	t.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("storetest: TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("storetest: Redis is not reachable at %s: %v", RedisURL(), err)
	}
	r := Redis{Client: c, Prefix: Name("test:") + ":"}
	t.Cleanup(func() {
		r.Flush(t)
		_ = c.Close()
	})
	return r
}

// Flush deletes every key under the prefix, as a Redis restart would.
func (r Redis) Flush(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	iter := r.Client.Scan(ctx, 0, r.Prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("storetest: scan: %v", err)
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := r.Client.Del(ctx, keys[:n]...).Err(); err != nil {
			t.Errorf("storetest: del: %v", err)
		}
		keys = keys[n:]
	}
}

// Keys lists the keys under the prefix.
func (r Redis) Keys(t testing.TB) []string {
	t.Helper()
	keys, err := r.Client.Keys(context.Background(), r.Prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
