package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestConfigDefaults(t *testing.T) {
	c, err := LoadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://postgres@127.0.0.1:5432/hocvuso?sslmode=disable" ||
		c.RedisURL != "redis://127.0.0.1:6379/0" || c.RedisPrefix != "hocvuso:" || c.HTTPAddr != ":8080" ||
		c.TelegramToken != "" || c.TelegramAPIURL != "https://api.telegram.org" ||
		c.TelegramWebhookURL != "" || c.TelegramWebhookSecret != "" {
		t.Errorf("defaults: %#v", *c)
	}
	if c.Timezone.String() != "Asia/Ho_Chi_Minh" || c.LogLevel != slog.LevelInfo || c.SessionTTL != 720*time.Hour {
		t.Errorf("defaults: zone %s, level %s, session TTL %s", c.Timezone, c.LogLevel, c.SessionTTL)
	}
	if c.WebhookPath() != "" {
		t.Errorf("a webhook path %q without a webhook", c.WebhookPath())
	}
	// Blank is unset.
	if c, err := LoadConfig(envOf(map[string]string{"LOG_LEVEL": "  ", "BOT_TIMEZONE": ""})); err != nil || c.LogLevel != slog.LevelInfo {
		t.Errorf("blank values: %v", err)
	}
}

func TestConfigFull(t *testing.T) {
	c, err := LoadConfig(envOf(map[string]string{
		"DATABASE_URL":            "postgresql://bot:pw@db.internal:5432/hocvuso",
		"REDIS_URL":               "rediss://:pw@cache.internal:6380/2",
		"REDIS_PREFIX":            "sonla:",
		"HTTP_ADDR":               "127.0.0.1:9000",
		"TELEGRAM_TOKEN":          " 123456:ABC-def_ghi ",
		"TELEGRAM_API_URL":        "http://127.0.0.1:8081/",
		"TELEGRAM_WEBHOOK_URL":    "https://bot.sonla.gov.vn/tg/hook",
		"TELEGRAM_WEBHOOK_SECRET": "s3cr3t_-X",
		"BOT_TIMEZONE":            "UTC",
		"LOG_LEVEL":               "DEBUG",
		"SESSION_TTL":             "1m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramToken != "123456:ABC-def_ghi" || c.TelegramAPIURL != "http://127.0.0.1:8081" ||
		c.WebhookPath() != "/tg/hook" || c.Timezone != time.UTC || c.LogLevel != slog.LevelDebug ||
		c.SessionTTL != time.Minute || c.RedisPrefix != "sonla:" || c.HTTPAddr != "127.0.0.1:9000" {
		t.Errorf("config: %+v", *c)
	}
}

// A wrong value stops start-up with an error naming the variable, and
// without repeating a secret.
func TestConfigErrorsNameTheVariable(t *testing.T) {
	const token, secret = "987654:XYZ-uvw", "s3cr3t"
	webhook := map[string]string{
		"TELEGRAM_TOKEN": token, "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook", "TELEGRAM_WEBHOOK_SECRET": secret,
	}
	with := func(name, value string, base map[string]string) map[string]string {
		m := map[string]string{name: value}
		for k, v := range base {
			if k != name {
				m[k] = v
			}
		}
		return m
	}
	for _, tc := range []struct {
		vars map[string]string
		name string
	}{
		{with("DATABASE_URL", "mysql://root@localhost/hocvuso", nil), "DATABASE_URL"},
		{with("DATABASE_URL", "host=localhost password=hunter2", nil), "DATABASE_URL"},
		{with("DATABASE_URL", "postgres://u:hunter2@[::1/db", nil), "DATABASE_URL"},
		{with("REDIS_URL", "localhost:6379", nil), "REDIS_URL"},
		{with("REDIS_URL", "http://localhost:6379", nil), "REDIS_URL"},
		{with("REDIS_URL", "redis://:hunter2@localhost:6379/cache", nil), "REDIS_URL"},
		{with("REDIS_URL", "redis://:hunter2@local host:6379/0", nil), "REDIS_URL"},
		{with("HTTP_ADDR", "8080", nil), "HTTP_ADDR"},
		{with("TELEGRAM_TOKEN", "hunter2", nil), "TELEGRAM_TOKEN"},
		{with("TELEGRAM_TOKEN", "123456:ABC def", nil), "TELEGRAM_TOKEN"},
		{with("TELEGRAM_TOKEN", "bot123456:ABC", nil), "TELEGRAM_TOKEN"},
		{with("TELEGRAM_API_URL", "api.telegram.org", nil), "TELEGRAM_API_URL"},
		{with("TELEGRAM_WEBHOOK_URL", "ftp://bot.example.org/hook", webhook), "TELEGRAM_WEBHOOK_URL"},
		{with("TELEGRAM_WEBHOOK_URL", "/hook", webhook), "TELEGRAM_WEBHOOK_URL"},
		{with("TELEGRAM_WEBHOOK_SECRET", "", webhook), "TELEGRAM_WEBHOOK_SECRET"},
		{with("TELEGRAM_WEBHOOK_SECRET", "sec ret", webhook), "TELEGRAM_WEBHOOK_SECRET"},
		{with("TELEGRAM_WEBHOOK_SECRET", "bí-mật", webhook), "TELEGRAM_WEBHOOK_SECRET"},
		{with("TELEGRAM_WEBHOOK_SECRET", "a/b", webhook), "TELEGRAM_WEBHOOK_SECRET"},
		{with("TELEGRAM_WEBHOOK_SECRET", strings.Repeat("x", 257), webhook), "TELEGRAM_WEBHOOK_SECRET"},
		{with("TELEGRAM_TOKEN", "", webhook), "TELEGRAM_TOKEN"},
		{with("BOT_TIMEZONE", "Asia/Son_La", nil), "BOT_TIMEZONE"},
		{with("BOT_TIMEZONE", "GMT+7", nil), "BOT_TIMEZONE"},
		{with("LOG_LEVEL", "verbose", nil), "LOG_LEVEL"},
		{with("SESSION_TTL", "30 days", nil), "SESSION_TTL"},
		{with("SESSION_TTL", "30", nil), "SESSION_TTL"},
		{with("SESSION_TTL", "30s", nil), "SESSION_TTL"},
		{with("SESSION_TTL", "-1h", nil), "SESSION_TTL"},
	} {
		c, err := LoadConfig(envOf(tc.vars))
		if err == nil {
			t.Errorf("%q: accepted (%+v)", tc.vars, c)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.name) {
			t.Errorf("%q: error %q does not name %s", tc.vars, msg, tc.name)
		}
		for _, s := range []string{"hunter2", secret, "sec ret", "bí-mật", token} {
			if strings.Contains(msg, s) {
				t.Errorf("%q: error %q repeats the secret %q", tc.vars, msg, s)
			}
		}
	}
}

// Telegram posts to the URL registered with setWebhook, and serve answers on
// that URL's path only: a URL whose path serve could not listen on as
// written is refused, naming the variable and what to write instead.
func TestConfigWebhookURLNeedsAPathServeAnswersOn(t *testing.T) {
	const token, secret = "987654:XYZ-uvw", "s3cr3t"
	load := func(hook string) (*Config, error) {
		return LoadConfig(envOf(map[string]string{
			"TELEGRAM_TOKEN": token, "TELEGRAM_WEBHOOK_URL": hook, "TELEGRAM_WEBHOOK_SECRET": secret,
		}))
	}
	for _, hook := range []string{
		"https://bot.sonla.gov.vn",
		"https://bot.sonla.gov.vn/",
		"https://bot.sonla.gov.vn?from=telegram",
		"https://bot.sonla.gov.vn//",
		"https://bot.sonla.gov.vn/tg//hook",
		"https://bot.sonla.gov.vn/tg/../hook",
		"https://bot.sonla.gov.vn/tg/./hook",
		"https://bot.sonla.gov.vn/{hook}",
		"https://bot.sonla.gov.vn/tg%2Fhook",
		"https://bot.sonla.gov.vn/h%C3%B3ok",
		"https://bot.sonla.gov.vn/hóok",
	} {
		c, err := load(hook)
		if err == nil {
			t.Errorf("%s: accepted, serve would answer on %q", hook, c.WebhookPath())
			continue
		}
		var ce *configError
		if !errors.As(err, &ce) || ce.name != "TELEGRAM_WEBHOOK_URL" {
			t.Errorf("%s: error %v does not name TELEGRAM_WEBHOOK_URL", hook, err)
		}
		if !strings.Contains(err.Error(), "https://bot.sonla.gov.vn/telegram/webhook") {
			t.Errorf("%s: error %q does not say what to write", hook, err)
		}
	}
	for hook, path := range map[string]string{
		"https://bot.sonla.gov.vn/telegram/webhook":         "/telegram/webhook",
		"http://127.0.0.1:8080/hook":                        "/hook",
		"https://bot.sonla.gov.vn/tg/hook/":                 "/tg/hook/",
		"https://bot.sonla.gov.vn/tg/hook?from=telegram":    "/tg/hook",
		"https://bot.sonla.gov.vn/telegram/" + token:        "/telegram/" + token,
		"https://bot.sonla.gov.vn/v1.2/~bot/hook_a-b.c:d":   "/v1.2/~bot/hook_a-b.c:d",
		"https://bot.sonla.gov.vn:8443/.well-known/tg-hook": "/.well-known/tg-hook",
	} {
		c, err := load(hook)
		if err != nil {
			t.Errorf("%s: %v", hook, err)
			continue
		}
		if c.TelegramWebhookURL != hook || c.WebhookPath() != path {
			t.Errorf("%s: registers %q and answers on %q, want the URL as written and %q", hook, c.TelegramWebhookURL, c.WebhookPath(), path)
		}
	}
}

// The configuration is logged at start-up; tokens, secrets and passwords
// never show, whether logged through slog or printed with fmt.
func TestConfigLogHidesSecrets(t *testing.T) {
	const token, secret = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "Wh00k_s3cret-value"
	for _, tc := range []struct {
		name string
		vars map[string]string
	}{
		{"passwords in the URLs", map[string]string{
			"DATABASE_URL": "postgres://bot:pgpassw0rd@db.internal:5432/hocvuso?sslmode=require",
			"REDIS_URL":    "redis://default:redispassw0rd@cache.internal:6379/0",
		}},
		{"password as a query parameter", map[string]string{
			"DATABASE_URL": "postgres://bot@db.internal:5432/hocvuso?sslmode=require&password=pgpassw0rd",
		}},
		{"token in the webhook path", map[string]string{
			"TELEGRAM_WEBHOOK_URL": "https://bot.sonla.gov.vn/telegram/" + token,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"TELEGRAM_TOKEN": token, "TELEGRAM_WEBHOOK_URL": "https://bot.sonla.gov.vn/hook", "TELEGRAM_WEBHOOK_SECRET": secret}
			for k, v := range tc.vars {
				vars[k] = v
			}
			c, err := LoadConfig(envOf(vars))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, nil))
			log.Info("starting", "config", c)
			log.Info("starting", "config", *c)
			log.Info("starting", slog.Any("config", c))
			fmt.Fprintf(&buf, "%v %+v %s %#v %v %+v", c, c, c, c, *c, *c)
			out := buf.String()
			for _, line := range strings.Split(out, "\n") {
				for _, s := range []string{"AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", secret, "pgpassw0rd", "redispassw0rd"} {
					if strings.Contains(line, s) {
						t.Errorf("the log shows %q:\n%s", s, line)
					}
				}
			}
			// What helps to diagnose still shows.
			for _, s := range []string{"bot.sonla.gov.vn", "Asia/Ho_Chi_Minh", `"telegram":true`, `"database":"postgres://`} {
				if !strings.Contains(out, s) {
					t.Errorf("the log lacks %q:\n%s", s, out)
				}
			}
		})
	}
}
