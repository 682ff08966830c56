package zalo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Secrets never leave the package in an error's text, whatever wraps them;
// the redacted error still unwraps to its first cause free of them, so that
// errors.Is keeps working; an error without a secret is left as it is.
func TestRedactKeepsSecretsOutOfErrors(t *testing.T) {
	const token, secret = "AT-0123456789abcdef", "app-secret-XYZ"
	cause := fmt.Errorf("dial tcp: %w", context.Canceled)
	err := fmt.Errorf("Post \"https://proxy.example/?access_token=%s&k=%s\": %w", token, secret, cause)

	r := redact(err, "", token, secret)
	if msg := r.Error(); strings.Contains(msg, token) || strings.Contains(msg, secret) || !strings.Contains(msg, "proxy.example") {
		t.Errorf("redacted text %q", msg)
	}
	if !errors.Is(r, context.Canceled) || errors.Unwrap(r) != cause {
		t.Errorf("redacted error unwraps to %v; want %v", errors.Unwrap(r), cause)
	}

	// A secret in every error of the chain: no cause is kept.
	deep := redact(fmt.Errorf("outer %s: %w", token, errors.New("inner "+token)), token)
	if strings.Contains(deep.Error(), token) || errors.Unwrap(deep) != nil {
		t.Errorf("deep chain: %q, cause %v", deep, errors.Unwrap(deep))
	}

	plain := errors.New("connection refused")
	if redact(plain, token, secret) != plain || redact(nil, token) != nil {
		t.Error("an error without a secret was changed")
	}
}
