package main

import (
	"log/slog"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the static binary carries the zone database

	"github.com/redis/go-redis/v9"
)

// Config is read from the environment only; README.md documents every
// variable. Secrets are kept out of String and of every log.
type Config struct {
	DatabaseURL           string
	RedisURL              string
	RedisPrefix           string
	HTTPAddr              string
	TelegramToken         string
	TelegramAPIURL        string
	TelegramWebhookURL    string
	TelegramWebhookSecret string
	Timezone              *time.Location
	LogLevel              slog.Level
	SessionTTL            time.Duration
	// QuizPassPercent is the share of right answers that passes a quiz area (the bot's own mark).
	QuizPassPercent int
	// DebugPprof serves net/http/pprof under /debug/pprof/ (for load runs; keep it off in production).
	DebugPprof bool
	// PublicURL is the bot's public base URL, without a trailing slash:
	// certificates print <PublicURL>/verify/CODE. Empty: only /verify CODE.
	PublicURL string
	// Zalo OA: on when ZaloAppID is set, with ZaloAppSecret and
	// ZaloOASecretKey. ZaloRefreshToken seeds an empty token store.
	ZaloAppID              string
	ZaloAppSecret          string
	ZaloOASecretKey        string
	ZaloRefreshToken       string
	ZaloAPIURL             string
	ZaloOAuthURL           string
	ZaloReminderTemplateID string
	ZaloWebhookPath        string
	// Reminders is the scheduler's part (REMINDER_*): what it sends unasked,
	// and the officials' notices of reports, which any process may queue.
	Reminders *reminderConfig
}

var secretTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// webhookPathRE is a Telegram webhook path serve can listen on as written:
// not "/" (which would catch every POST), no wildcard braces, no escapes.
var webhookPathRE = regexp.MustCompile(`^(/[A-Za-z0-9._~:-]+)+/?$`)

// configError names the variable that stops start-up.
type configError struct{ name, msg string }

func (e *configError) Error() string { return "config: " + e.name + ": " + e.msg }

// LoadConfig reads and checks the configuration.
func LoadConfig(getenv func(string) string) (*Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		DatabaseURL:           get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocvuso?sslmode=disable"),
		RedisURL:              get("REDIS_URL", "redis://127.0.0.1:6379/0"),
		RedisPrefix:           get("REDIS_PREFIX", "hocvuso:"),
		HTTPAddr:              get("HTTP_ADDR", ":8080"),
		TelegramToken:         get("TELEGRAM_TOKEN", ""),
		TelegramAPIURL:        strings.TrimRight(get("TELEGRAM_API_URL", "https://api.telegram.org"), "/"),
		TelegramWebhookURL:    get("TELEGRAM_WEBHOOK_URL", ""),
		TelegramWebhookSecret: get("TELEGRAM_WEBHOOK_SECRET", ""),
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, &configError{"DATABASE_URL", "must be a postgres:// URL"}
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return nil, &configError{"REDIS_URL", "must be a redis:// or rediss:// URL"}
	}
	// What the client would refuse at start-up (a database that is not a
	// number...) is refused here, before anything is opened. Its errors
	// name the faulty part, never the password.
	if _, err := redis.ParseURL(c.RedisURL); err != nil {
		return nil, &configError{"REDIS_URL", strings.TrimPrefix(err.Error(), "redis: ")}
	}
	if !strings.Contains(c.HTTPAddr, ":") {
		return nil, &configError{"HTTP_ADDR", "must be host:port or :port"}
	}
	if c.TelegramToken != "" && !regexp.MustCompile(`^\d+:[A-Za-z0-9_-]+$`).MatchString(c.TelegramToken) {
		return nil, &configError{"TELEGRAM_TOKEN", "is not a bot token of the form 123456:ABC-def"}
	}
	if u, err := url.Parse(c.TelegramAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &configError{"TELEGRAM_API_URL", "must be an http(s) URL"}
	}
	if c.TelegramWebhookURL != "" {
		u, err := url.Parse(c.TelegramWebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, &configError{"TELEGRAM_WEBHOOK_URL", "must be an https URL"}
		}
		// Telegram posts to exactly this URL and serve answers on its path
		// only: a URL without a plain path of its own cannot be both.
		if !webhookPathRE.MatchString(u.Path) || u.RawPath != "" || path.Clean(u.Path) != strings.TrimSuffix(u.Path, "/") {
			return nil, &configError{"TELEGRAM_WEBHOOK_URL", "needs a path for the webhook, like " + u.Scheme + "://" + u.Host + "/telegram/webhook (letters, digits and . _ ~ : - between the slashes)"}
		}
		if c.TelegramToken == "" {
			return nil, &configError{"TELEGRAM_TOKEN", "is required when TELEGRAM_WEBHOOK_URL is set"}
		}
		if !secretTokenRE.MatchString(c.TelegramWebhookSecret) {
			return nil, &configError{"TELEGRAM_WEBHOOK_SECRET", "is required with a webhook: 1-256 characters of A-Z a-z 0-9 _ -"}
		}
	}
	tz, err := time.LoadLocation(get("BOT_TIMEZONE", "Asia/Ho_Chi_Minh"))
	if err != nil {
		return nil, &configError{"BOT_TIMEZONE", "unknown time zone"}
	}
	c.Timezone = tz
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		return nil, &configError{"LOG_LEVEL", "must be debug, info, warn or error"}
	}
	ttl, err := time.ParseDuration(get("SESSION_TTL", "720h"))
	if err != nil || ttl < time.Minute {
		return nil, &configError{"SESSION_TTL", "must be a duration of at least 1m, like 720h"}
	}
	c.SessionTTL = ttl
	pass, err := strconv.Atoi(get("QUIZ_PASS_PERCENT", "80"))
	if err != nil || pass < 1 || pass > 100 {
		return nil, &configError{"QUIZ_PASS_PERCENT", "must be a whole number from 1 to 100"}
	}
	c.QuizPassPercent = pass
	switch v := get("DEBUG_PPROF", "false"); v {
	case "1", "true":
		c.DebugPprof = true
	case "0", "false":
	default:
		return nil, &configError{"DEBUG_PPROF", "must be true or false"}
	}
	if v := get("PUBLIC_URL", ""); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, &configError{"PUBLIC_URL", "must be the bot's public http(s) address, like https://hocvuso.example.vn, without query or password"}
		}
		c.PublicURL = strings.TrimRight(v, "/")
	}
	if err := c.loadZalo(get); err != nil {
		return nil, err
	}
	if c.Reminders, err = loadReminderConfig(getenv); err != nil {
		return nil, err
	}
	return c, nil
}

var zaloAppIDRE = regexp.MustCompile(`^[0-9]{1,32}$`)

// loadZalo reads the Zalo OA variables: all of the app id, app secret and
// OA secret key, or none (Zalo off).
func (c *Config) loadZalo(get func(name, def string) string) error {
	c.ZaloAppID = get("ZALO_APP_ID", "")
	c.ZaloAppSecret = get("ZALO_APP_SECRET", "")
	c.ZaloOASecretKey = get("ZALO_OA_SECRET_KEY", "")
	c.ZaloRefreshToken = get("ZALO_REFRESH_TOKEN", "")
	c.ZaloAPIURL = strings.TrimRight(get("ZALO_API_URL", "https://openapi.zalo.me"), "/")
	c.ZaloOAuthURL = strings.TrimRight(get("ZALO_OAUTH_URL", "https://oauth.zaloapp.com"), "/")
	c.ZaloReminderTemplateID = get("ZALO_REMINDER_TEMPLATE_ID", "")
	c.ZaloWebhookPath = get("ZALO_WEBHOOK_PATH", "/zalo/webhook")
	for _, v := range []struct{ name, value string }{{"ZALO_API_URL", c.ZaloAPIURL}, {"ZALO_OAUTH_URL", c.ZaloOAuthURL}} {
		if u, err := url.Parse(v.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &configError{v.name, "must be an http(s) URL"}
		}
	}
	if !strings.HasPrefix(c.ZaloWebhookPath, "/") || strings.ContainsAny(c.ZaloWebhookPath, " {}?#") {
		return &configError{"ZALO_WEBHOOK_PATH", "must be a path like /zalo/webhook"}
	}
	if c.ZaloAppID == "" && c.ZaloAppSecret == "" && c.ZaloOASecretKey == "" && c.ZaloRefreshToken == "" && c.ZaloReminderTemplateID == "" {
		return nil
	}
	for _, v := range []struct{ name, value string }{
		{"ZALO_APP_ID", c.ZaloAppID}, {"ZALO_APP_SECRET", c.ZaloAppSecret}, {"ZALO_OA_SECRET_KEY", c.ZaloOASecretKey},
	} {
		if v.value == "" {
			return &configError{v.name, "is required for Zalo: set ZALO_APP_ID, ZALO_APP_SECRET and ZALO_OA_SECRET_KEY together, or none of the ZALO_ variables"}
		}
	}
	if !zaloAppIDRE.MatchString(c.ZaloAppID) {
		return &configError{"ZALO_APP_ID", "is the Zalo app's numeric id"}
	}
	if c.TelegramWebhookURL != "" && c.WebhookPath() == c.ZaloWebhookPath {
		return &configError{"ZALO_WEBHOOK_PATH", "is the path of the Telegram webhook too"}
	}
	return nil
}

// ZaloEnabled reports whether the Zalo OA channel is configured.
func (c *Config) ZaloEnabled() bool { return c.ZaloAppID != "" }

// WebhookPath is the path of the Telegram webhook on our HTTP server: the
// path of the URL registered with setWebhook, which LoadConfig checked.
// Empty without a webhook.
func (c *Config) WebhookPath() string {
	u, err := url.Parse(c.TelegramWebhookURL)
	if err != nil {
		return ""
	}
	return u.Path
}

// LogValue keeps secrets out of logs. A value receiver, so that a Config
// logged by value is redacted too.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("database", c.redact(c.DatabaseURL)),
		slog.String("redis", c.redact(c.RedisURL)),
		slog.String("http_addr", c.HTTPAddr),
		slog.Bool("telegram", c.TelegramToken != ""),
		slog.String("telegram_api", c.redact(c.TelegramAPIURL)),
		slog.String("telegram_webhook", c.redact(c.TelegramWebhookURL)),
		slog.String("timezone", c.Timezone.String()),
		slog.String("public_url", c.PublicURL),
		slog.Bool("zalo", c.ZaloEnabled()),
		slog.String("zalo_app_id", c.ZaloAppID),
		slog.String("zalo_api", c.redact(c.ZaloAPIURL)),
		slog.String("zalo_oauth", c.redact(c.ZaloOAuthURL)),
		slog.String("zalo_webhook_path", c.redact(c.ZaloWebhookPath)),
		slog.Bool("zalo_reminder_template", c.ZaloReminderTemplateID != ""),
	)
}

// String and GoString keep secrets out of fmt's verbs (%v, %+v, %s, %#v).
func (c Config) String() string   { return c.LogValue().String() }
func (c Config) GoString() string { return c.String() }

// redact hides what is secret in a URL: the password of its user, query
// parameters such as password=, and the bot token or webhook secret wherever
// they appear (the webhook path may well carry the token).
func (c Config) redact(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	if q := u.Query(); len(q) > 0 {
		changed := false
		for k := range q {
			if l := strings.ToLower(k); strings.Contains(l, "pass") || strings.Contains(l, "secret") || strings.Contains(l, "token") {
				q.Set(k, "xxxxx")
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	s = u.Redacted()
	for _, secret := range []string{c.TelegramToken, c.TelegramWebhookSecret, c.ZaloAppSecret, c.ZaloOASecretKey, c.ZaloRefreshToken} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "xxxxx")
			s = strings.ReplaceAll(s, url.PathEscape(secret), "xxxxx")
			s = strings.ReplaceAll(s, url.QueryEscape(secret), "xxxxx")
		}
	}
	return s
}
