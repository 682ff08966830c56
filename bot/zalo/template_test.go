package zalo_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/zalo"
	"hocvuso/bot/zalo/fakezalo"
)

func TestSendTemplateReachesAUserOutsideTheWindow(t *testing.T) {
	f := newFixture(t, nil)
	f.fake.ApproveTemplate("tpl-123", "deadline", "unit")
	f.fake.EnforceWindow(true)
	f.fake.SetInteraction(user, time.Now().Add(-8*24*time.Hour))
	ctx := context.Background()
	// A consultation message is refused outside the window...
	if err := f.client.Send(ctx, target("vi"), bot.Reply{Text: "Nhắc hạn nộp báo cáo"}); !errors.Is(err, zalo.ErrWindowClosed) {
		t.Fatalf("cs message outside the window: %v, want ErrWindowClosed", err)
	}
	// ...a template is not. Its data is sent in NFC.
	err := f.client.SendTemplate(ctx, user, zalo.Template{ID: "tpl-123",
		Data: map[string]string{"deadline": "10/11/2026", "unit": "U\u0309y ban"}, TrackingID: "annual-2026:42:d7"})
	if err != nil {
		t.Fatal(err)
	}
	got := f.fake.TemplatesTo(user)
	want := fakezalo.Template{ID: "tpl-123", Data: map[string]string{"deadline": "10/11/2026", "unit": "Ủy ban"}, TrackingID: "annual-2026:42:d7"}
	if len(got) != 1 || got[0].ID != want.ID || got[0].TrackingID != want.TrackingID || !maps.Equal(got[0].Data, want.Data) {
		t.Fatalf("templates recorded %+v, want %+v", got, want)
	}
	// The wire format: user_id at the top, template_id, template_data.
	calls := f.fake.Calls("message/template")
	var body map[string]any
	if err := json.Unmarshal(calls[len(calls)-1].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body["user_id"] != user || body["template_id"] != "tpl-123" || body["tracking_id"] != "annual-2026:42:d7" {
		t.Errorf("body %s", calls[len(calls)-1].Body)
	}
}

func TestSendTemplateErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("refused before any request", func(t *testing.T) {
		f := newFixture(t, nil)
		for name, tc := range map[string]struct {
			user string
			tpl  zalo.Template
		}{
			"no user":           {"", zalo.Template{ID: "t"}},
			"no template":       {user, zalo.Template{ID: " "}},
			"tracking too long": {user, zalo.Template{ID: "t", TrackingID: strings.Repeat("x", 49)}},
		} {
			if err := f.client.SendTemplate(ctx, tc.user, tc.tpl); err == nil {
				t.Errorf("%s: no error", name)
			}
		}
		if n := len(f.fake.Calls("message/template")); n != 0 {
			t.Errorf("%d requests made", n)
		}
	})
	t.Run("wrong parameters", func(t *testing.T) {
		f := newFixture(t, nil)
		f.fake.ApproveTemplate("tpl", "deadline")
		err := f.client.SendTemplate(ctx, user, zalo.Template{ID: "tpl", Data: map[string]string{"due": "x"}})
		var ae *zalo.APIError
		if !errors.As(err, &ae) || ae.Code != fakezalo.BadParameter || ae.Method != "message/template" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("classified", func(t *testing.T) {
		for code, blocked := range map[int]bool{fakezalo.NotByUserID: false, fakezalo.OutOfQuota: false, fakezalo.NotFollowing: true, fakezalo.Banned: true} {
			f := newFixture(t, nil)
			f.fake.Fail(fakezalo.Fault{Path: "message/template", Code: code, Times: 1})
			err := f.client.SendTemplate(ctx, user, zalo.Template{ID: "tpl"})
			var ae *zalo.APIError
			if !errors.As(err, &ae) || ae.Code != code || errors.Is(err, bot.ErrBlocked) != blocked {
				t.Errorf("%d: %v (blocked %v)", code, err, errors.Is(err, bot.ErrBlocked))
			}
		}
	})
	t.Run("token renewed", func(t *testing.T) {
		f := newFixture(t, nil)
		if err := f.client.Ready(ctx); err != nil {
			t.Fatal(err)
		}
		f.fake.ExpireAccessTokens()
		if err := f.client.SendTemplate(ctx, user, zalo.Template{ID: "tpl"}); err != nil {
			t.Fatal(err)
		}
		if n := f.fake.RefreshCalls(); n != 2 {
			t.Errorf("%d refreshes, want 2", n)
		}
	})
}
