package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"hocvuso/bot"
	"hocvuso/bot/zalo"
	"hocvuso/flows/report"
	"hocvuso/store"
)

// The store keeps what the Zalo channel needs kept, without knowing it.
var (
	_ zalo.TokenStore = (*store.ZaloTokens)(nil)
	_ zalo.Choices    = (*store.ChoiceLists)(nil)
)

// zaloKeepFresh is how often a replica checks that the OA access token is
// not due; the token is renewed within the hour before it expires.
const zaloKeepFresh = 10 * time.Minute

// startZalo registers the Zalo sender and mounts the webhook at
// ZALO_WEBHOOK_PATH. The token store is seeded from ZALO_REFRESH_TOKEN on
// the first start; the grant is checked (an access token obtained) before
// the server reports ready.
func (a *app) startZalo(ctx context.Context, mux *http.ServeMux) error {
	choices := a.state.ChoiceLists()
	client, err := zalo.New(zalo.Config{
		AppID:     a.cfg.ZaloAppID,
		AppSecret: a.cfg.ZaloAppSecret,
		APIURL:    a.cfg.ZaloAPIURL,
		OAuthURL:  a.cfg.ZaloOAuthURL,
		Tokens:    a.db.ZaloTokens(a.cfg.ZaloAppID),
		Choices:   choices,
		Text:      a.cat,
		Log:       a.log,
	})
	if err != nil {
		return fmt.Errorf("zalo: %w", err)
	}
	if seeded, err := client.Seed(ctx, a.cfg.ZaloRefreshToken); err != nil {
		return err
	} else if seeded {
		a.log.Info("zalo: token store seeded from ZALO_REFRESH_TOKEN")
	}
	if err := client.Ready(ctx); err != nil {
		if errors.Is(err, zalo.ErrNoGrant) {
			return &configError{"ZALO_REFRESH_TOKEN", "the Zalo token store is empty: set it to the refresh token of the OA's grant"}
		}
		return fmt.Errorf("zalo: %w", err)
	}
	a.engine.SetSender(bot.Zalo, client)
	// Reminders outside the 7-day window go as the approved template.
	a.reach.Zalo = client
	// The review's hint names the number that sends the report.
	a.report.SetChoices(choices)
	a.report.SetFetcher(bot.Zalo, report.FetchFunc(func(ctx context.Context, url string, limit int64) ([]byte, error) {
		data, err := client.DownloadFile(ctx, url, limit)
		if errors.Is(err, zalo.ErrFileTooLarge) {
			err = fmt.Errorf("%w: %w", report.ErrFileTooLarge, err)
		}
		return data, err
	}))
	wh, err := zalo.NewWebhook(zalo.WebhookConfig{
		AppID:         a.cfg.ZaloAppID,
		OASecretKey:   a.cfg.ZaloOASecretKey,
		Handle:        a.engine.Handle,
		Choices:       choices,
		Log:           a.log,
		HandleTimeout: handleTimeout,
	})
	if err != nil {
		return fmt.Errorf("zalo: %w", err)
	}
	mux.Handle("POST "+a.cfg.ZaloWebhookPath, wh)
	go client.KeepFresh(ctx, zaloKeepFresh)
	a.log.Info("zalo ready", "webhook_path", a.cfg.ZaloWebhookPath)
	return nil
}
