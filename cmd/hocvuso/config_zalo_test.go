package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"testing"
)

var zaloVars = map[string]string{
	"ZALO_APP_ID":        "2553928453557884079",
	"ZALO_APP_SECRET":    "app-Secret-xyz123",
	"ZALO_OA_SECRET_KEY": "oa-Secret-key-456",
	"ZALO_REFRESH_TOKEN": "RT-refresh-token-789",
}

func TestConfigZaloOffByDefault(t *testing.T) {
	c, err := LoadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ZaloEnabled() || c.ZaloAPIURL != "https://openapi.zalo.me" || c.ZaloOAuthURL != "https://oauth.zaloapp.com" ||
		c.ZaloWebhookPath != "/zalo/webhook" || c.ZaloReminderTemplateID != "" {
		t.Fatalf("defaults: %#v", *c)
	}
}

func TestConfigZaloFull(t *testing.T) {
	vars := maps.Clone(zaloVars)
	vars["ZALO_API_URL"] = "http://127.0.0.1:9000/"
	vars["ZALO_OAUTH_URL"] = "http://127.0.0.1:9001"
	vars["ZALO_REMINDER_TEMPLATE_ID"] = "412345"
	vars["ZALO_WEBHOOK_PATH"] = "/hooks/zalo"
	c, err := LoadConfig(envOf(vars))
	if err != nil {
		t.Fatal(err)
	}
	if !c.ZaloEnabled() || c.ZaloAppID != "2553928453557884079" || c.ZaloAppSecret != "app-Secret-xyz123" ||
		c.ZaloOASecretKey != "oa-Secret-key-456" || c.ZaloRefreshToken != "RT-refresh-token-789" ||
		c.ZaloAPIURL != "http://127.0.0.1:9000" || c.ZaloOAuthURL != "http://127.0.0.1:9001" ||
		c.ZaloReminderTemplateID != "412345" || c.ZaloWebhookPath != "/hooks/zalo" {
		t.Fatalf("config: %#v", *c)
	}
	// The refresh token is needed only to seed an empty store: optional here.
	delete(vars, "ZALO_REFRESH_TOKEN")
	if _, err := LoadConfig(envOf(vars)); err != nil {
		t.Fatalf("without ZALO_REFRESH_TOKEN: %v", err)
	}
}

// Some Zalo variables but not all that are required: one line naming the
// first missing one.
func TestConfigZaloAllOrNothing(t *testing.T) {
	required := []string{"ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY"}
	for _, missing := range required {
		vars := maps.Clone(zaloVars)
		delete(vars, missing)
		_, err := LoadConfig(envOf(vars))
		if err == nil || !strings.Contains(err.Error(), "config: "+missing+":") || strings.Contains(err.Error(), "\n") {
			t.Errorf("without %s: %v", missing, err)
		}
	}
	for _, only := range append(required, "ZALO_REFRESH_TOKEN", "ZALO_REMINDER_TEMPLATE_ID") {
		_, err := LoadConfig(envOf(map[string]string{only: "1234"}))
		named := ""
		for _, name := range required {
			if err != nil && strings.HasPrefix(err.Error(), "config: "+name+":") {
				named = name
			}
		}
		if named == "" || named == only {
			t.Errorf("only %s: %v; want a missing variable named", only, err)
		}
	}
}

func TestConfigZaloBadValues(t *testing.T) {
	cases := []struct {
		name, value, want string
	}{
		{"ZALO_APP_ID", "my-app", "ZALO_APP_ID"},
		{"ZALO_API_URL", "openapi.zalo.me", "ZALO_API_URL"},
		{"ZALO_OAUTH_URL", "ftp://oauth.zaloapp.com", "ZALO_OAUTH_URL"},
		{"ZALO_WEBHOOK_PATH", "zalo/webhook", "ZALO_WEBHOOK_PATH"},
		{"ZALO_WEBHOOK_PATH", "/zalo/{x}", "ZALO_WEBHOOK_PATH"},
	}
	for _, tc := range cases {
		vars := maps.Clone(zaloVars)
		vars[tc.name] = tc.value
		if _, err := LoadConfig(envOf(vars)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q: %v", tc.name, tc.value, err)
		}
	}
	vars := maps.Clone(zaloVars)
	vars["TELEGRAM_TOKEN"] = "123456:ABC"
	vars["TELEGRAM_WEBHOOK_URL"] = "https://bot.example.vn/zalo/webhook"
	vars["TELEGRAM_WEBHOOK_SECRET"] = "s3cret"
	if _, err := LoadConfig(envOf(vars)); err == nil || !strings.Contains(err.Error(), "ZALO_WEBHOOK_PATH") {
		t.Errorf("one path for both webhooks: %v", err)
	}
}

func TestConfigZaloSecretsNeverShow(t *testing.T) {
	vars := maps.Clone(zaloVars)
	vars["ZALO_API_URL"] = "https://proxy.example.vn/zalo?token=" + zaloVars["ZALO_OA_SECRET_KEY"]
	c, err := LoadConfig(envOf(vars))
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("starting", "config", c)
	shown := log.String() + c.String() + fmt.Sprintf("%v %+v %#v", *c, *c, *c)
	for _, name := range []string{"ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_REFRESH_TOKEN"} {
		if strings.Contains(shown, zaloVars[name]) {
			t.Errorf("%s shows: %s", name, shown)
		}
	}
	if !strings.Contains(log.String(), `"zalo":true`) || !strings.Contains(log.String(), "2553928453557884079") {
		t.Errorf("the log does not say Zalo is on: %s", log.String())
	}
}
