package main

import (
	"strings"
	"testing"
)

func publicURLEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestConfigPublicURL(t *testing.T) {
	c, err := LoadConfig(publicURLEnv(nil))
	if err != nil || c.PublicURL != "" {
		t.Fatalf("unset PUBLIC_URL = %q, %v; want empty", c.PublicURL, err)
	}
	for in, want := range map[string]string{
		"https://hocvuso.example.vn":        "https://hocvuso.example.vn",
		" https://hocvuso.example.vn/ ":     "https://hocvuso.example.vn",
		"http://127.0.0.1:8080":             "http://127.0.0.1:8080",
		"https://sonla.example.vn/hocvuso/": "https://sonla.example.vn/hocvuso",
	} {
		c, err := LoadConfig(publicURLEnv(map[string]string{"PUBLIC_URL": in}))
		if err != nil || c.PublicURL != want {
			t.Errorf("PUBLIC_URL=%q: %q, %v; want %q", in, c.PublicURL, err, want)
		}
		if !strings.Contains(c.String(), want) {
			t.Errorf("the logged config does not show the public URL: %s", c)
		}
	}
	for _, bad := range []string{"hocvuso.example.vn", "ftp://x", "https://", "https://u:pw@x.vn", "https://x.vn/?a=1", "https://x.vn/#top", "://"} {
		_, err := LoadConfig(publicURLEnv(map[string]string{"PUBLIC_URL": bad}))
		if err == nil || !strings.Contains(err.Error(), "PUBLIC_URL") {
			t.Errorf("PUBLIC_URL=%q: err %v; want one naming PUBLIC_URL", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("the error repeats a password: %v", err)
		}
	}
}
