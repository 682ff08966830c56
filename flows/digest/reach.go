package digest

import (
	"context"
	"time"

	"hocvuso/bot"
	"hocvuso/store"
)

// ZaloWindow is Zalo's rule for free messages: an OA may write to a
// follower only within Window of the follower's last message (7 days).
// It reads the last visit the engine records (store.Account.LastSeenAt,
// written at most hourly). Use it when no template for reminders is
// approved (ZALO_REMINDER_TEMPLATE_ID unset); with one, Zalo accounts are
// reachable outside the window too and no Reach is needed.
type ZaloWindow struct {
	// Window is 7 days when zero.
	Window time.Duration
}

// Unreachable implements Reach: a Zalo account silent for longer than the
// window; every other account is reachable.
func (z ZaloWindow) Unreachable(_ context.Context, accounts []store.Account, now time.Time) ([]bool, error) {
	w := z.Window
	if w <= 0 {
		w = 7 * 24 * time.Hour
	}
	out := make([]bool, len(accounts))
	for i, a := range accounts {
		out[i] = a.Channel == bot.Zalo && now.Sub(a.LastSeenAt) > w
	}
	return out, nil
}
