// Package zalo is the Zalo Official Account channel. It turns the events
// Zalo posts to the app's webhook (Webhook) into bot.Update, and renders
// bot.Reply through the OA Open API v3.
//
// There is no Go SDK worth taking: this package speaks the HTTP API
// directly with net/http. The wire formats, limits and error codes are
// those of ../shared/docs/channel-zalo.md; what that brief marks
// unconfirmed is handled defensively and said so where it is used.
package zalo
