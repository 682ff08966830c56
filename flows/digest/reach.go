package digest

import (
	"context"
	"time"

	"hocvuso/store"
)

// ZaloWindow is Zalo's rule for free messages, as package reach applies
// it when it sends: a Zalo account is reachable only within 7 days of its
// last interaction (store.Account.InWindow). Use it when no template for
// reminders is approved (ZALO_REMINDER_TEMPLATE_ID unset); with one, a
// reminder reaches Zalo accounts outside the window too and no Reach is
// needed.
type ZaloWindow struct{}

// Unreachable implements Reach: a Zalo account outside the window; every
// account of another channel is reachable.
func (ZaloWindow) Unreachable(_ context.Context, accounts []store.Account, now time.Time) ([]bool, error) {
	out := make([]bool, len(accounts))
	for i, a := range accounts {
		out[i] = !a.InWindow(now)
	}
	return out, nil
}
