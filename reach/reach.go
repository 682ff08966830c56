// Package reach decides how a message the bot sends unasked (a reminder, a
// digest, a nudge) reaches a user, and sends it: on the chat account where
// the user was last active, within Zalo's rules.
//
// Zalo takes ordinary messages to a user only within 7 days of their last
// interaction (store.InZaloWindow). Outside that window a reminder goes as
// the approved template (ZALO_REMINDER_TEMPLATE_ID) by Zalo user id; with
// no template, or for a message that cannot be a template (a digest), the
// user is "unreachable on Zalo" (ErrUnreachableOnZalo) unless another of
// their accounts takes ordinary messages.
//
// For the scheduler and the digests, in short:
//
//	route, err := r.Push(ctx, userID, func(lang string) reach.Message {
//		return reach.Message{
//			Replies:    []bot.Reply{{Text: cat.Text(lang, "remind.due", data)}},
//			Template:   map[string]string{"unit": unitName, "due": "10/11/2026"}, // nil for a digest
//			TrackingID: deliveryID,
//		}
//	})
//	switch {
//	case errors.Is(err, reach.ErrUnreachableOnZalo): // report it in the officials' digest
//	case errors.Is(err, reach.ErrNoAccount):         // nobody to write to (blocked everywhere, erased)
//	case err != nil:                                 // transient: retry later
//	}
//	// route.Channel(), route.Via say how it went.
package reach

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
	"hocvuso/bot/zalo"
	"hocvuso/store"
)

// Via says how a message goes.
type Via uint8

const (
	// ViaMessage: ordinary messages through the channel's sender (Telegram;
	// Zalo within the 7-day window).
	ViaMessage Via = iota + 1
	// ViaTemplate: Zalo outside the window: the approved reminder template,
	// by Zalo user id.
	ViaTemplate
)

func (v Via) String() string {
	switch v {
	case ViaMessage:
		return "message"
	case ViaTemplate:
		return "template"
	}
	return "none"
}

// Errors of Route and Push.
var (
	// ErrUnreachableOnZalo: the user is reachable only on Zalo, has not
	// interacted with the OA in 7 days, and no template can carry the
	// message (ZALO_REMINDER_TEMPLATE_ID unset, or the message has no
	// template data). Report it; retrying does not help until the user
	// writes to the OA again.
	ErrUnreachableOnZalo = errors.New("reach: unreachable on Zalo (no interaction in 7 days, no template)")
	// ErrNoAccount: the user has no account that can be written to: none
	// left (erased), every one blocked the bot, or their channels are not
	// served by this process.
	ErrNoAccount = errors.New("reach: no chat account can be written to")
)

// Accounts is what reach needs of the records (*store.DB).
type Accounts interface {
	Contact(ctx context.Context, userID int64) (store.Contact, error)
	SetBlocked(ctx context.Context, ch bot.Channel, externalID string, blocked bool) error
}

// Senders gives the sender of a channel, nil when it is not served
// (*bot.Engine, or a Senders map).
type Senders interface {
	Sender(ch bot.Channel) bot.Sender
}

// SenderMap is Senders for a process without an engine.
type SenderMap map[bot.Channel]bot.Sender

// Sender implements Senders.
func (m SenderMap) Sender(ch bot.Channel) bot.Sender { return m[ch] }

// TemplateSender sends Zalo template messages (*zalo.Client).
type TemplateSender interface {
	SendTemplate(ctx context.Context, userID string, t zalo.Template) error
}

// Reacher routes and sends. Its fields are set once; it is safe for
// concurrent use.
type Reacher struct {
	Accounts Accounts
	Senders  Senders
	// Zalo sends templates; nil when Zalo is off.
	Zalo TemplateSender
	// TemplateID is ZALO_REMINDER_TEMPLATE_ID; "" means no template.
	TemplateID string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Route is how a user is reached now.
type Route struct {
	UserID int64
	// Lang is the user's language: render the message in it.
	Lang    string
	Account store.Account
	Via     Via
}

// Channel is the channel the route goes through.
func (r Route) Channel() bot.Channel { return r.Account.Channel }

// Target is where ordinary messages of the route go.
func (r Route) Target() bot.Target {
	return bot.Target{Channel: r.Account.Channel, ChatID: r.Account.ChatID, Lang: r.Lang}
}

func (r *Reacher) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Route picks how to reach a user now: their accounts from the most
// recently active, skipping those that blocked the bot and those whose
// channel this process does not serve. The first is taken, with ordinary
// messages, unless it is Zalo outside the window: then the template when
// one is configured, else the next account that takes ordinary messages
// (Telegram has no window), else ErrUnreachableOnZalo. No account at all is
// ErrNoAccount.
func (r *Reacher) Route(ctx context.Context, userID int64) (Route, error) {
	return r.route(ctx, userID, r.templates())
}

// RouteMessage is Route for a message that cannot be a template (a
// digest, an official's notice of a report): a Zalo account outside the
// window is passed over for the next account that takes ordinary
// messages, whether or not a template is configured.
func (r *Reacher) RouteMessage(ctx context.Context, userID int64) (Route, error) {
	return r.route(ctx, userID, false)
}

func (r *Reacher) route(ctx context.Context, userID int64, templates bool) (Route, error) {
	c, err := r.Accounts.Contact(ctx, userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Route{}, fmt.Errorf("%w: user %d does not exist", ErrNoAccount, userID)
	}
	if err != nil {
		return Route{}, err
	}
	now := r.now()
	zaloOutside := false
	for _, a := range c.Accounts {
		if !a.Reachable() || r.Senders.Sender(a.Channel) == nil {
			continue
		}
		route := Route{UserID: userID, Lang: c.Lang, Account: a, Via: ViaMessage}
		if a.InWindow(now) {
			return route, nil
		}
		if !zaloOutside && templates {
			route.Via = ViaTemplate
			return route, nil
		}
		zaloOutside = true
	}
	if zaloOutside {
		return Route{}, fmt.Errorf("%w: user %d", ErrUnreachableOnZalo, userID)
	}
	return Route{}, fmt.Errorf("%w: user %d", ErrNoAccount, userID)
}

func (r *Reacher) templates() bool { return r.TemplateID != "" && r.Zalo != nil }

// Message is what a push carries, in the route's language.
type Message struct {
	// Replies are sent as ordinary messages.
	Replies []bot.Reply
	// Template fills the reminder template's parameters, by the names the
	// template was approved with (see README, ZALO_REMINDER_TEMPLATE_ID). Nil
	// means the message cannot go as a template (a digest): a Zalo user
	// outside the window is then unreachable on Zalo.
	Template map[string]string
	// TrackingID identifies the delivery in Zalo's receipt of a template
	// (at most 48 characters): the delivery's own id, say.
	TrackingID string
}

// Send delivers a message along a route. When Zalo refuses an ordinary
// message as outside the window (our record of the last interaction was
// late), the template is sent instead if possible, else
// ErrUnreachableOnZalo; the route returned says how it went. An error
// wrapping bot.ErrBlocked means the account cannot be reached any more
// (it is marked blocked by Push). Other errors are worth a retry.
func (r *Reacher) Send(ctx context.Context, route Route, m Message) (Route, error) {
	if route.Via == ViaTemplate {
		return route, r.sendTemplate(ctx, route, m)
	}
	s := r.Senders.Sender(route.Channel())
	if s == nil {
		return route, fmt.Errorf("%w: channel %s not served", ErrNoAccount, route.Channel())
	}
	for _, reply := range m.Replies {
		err := s.Send(ctx, route.Target(), reply)
		if errors.Is(err, zalo.ErrWindowClosed) {
			if !r.templates() {
				return route, fmt.Errorf("%w: %w", ErrUnreachableOnZalo, err)
			}
			route.Via = ViaTemplate
			return route, r.sendTemplate(ctx, route, m)
		}
		if err != nil {
			return route, err
		}
	}
	return route, nil
}

func (r *Reacher) sendTemplate(ctx context.Context, route Route, m Message) error {
	if m.Template == nil {
		return fmt.Errorf("%w: user %d: this message cannot be a template", ErrUnreachableOnZalo, route.UserID)
	}
	if !r.templates() || route.Channel() != bot.Zalo {
		return fmt.Errorf("%w: user %d: no template", ErrUnreachableOnZalo, route.UserID)
	}
	return r.Zalo.SendTemplate(ctx, route.Account.ExternalID, zalo.Template{ID: r.TemplateID, Data: m.Template, TrackingID: m.TrackingID})
}

// Push routes and sends: build renders the message in the user's language.
// An account found blocked while sending is marked so and the next route
// tried, so a user who left one app is reached on the other. It returns
// the route that delivered, or the error of the last try (see Route and
// Send).
func (r *Reacher) Push(ctx context.Context, userID int64, build func(lang string) Message) (Route, error) {
	for tries := 0; ; tries++ {
		route, err := r.Route(ctx, userID)
		if err != nil {
			return route, err
		}
		m := build(route.Lang)
		if route.Via == ViaTemplate && m.Template == nil {
			if route, err = r.RouteMessage(ctx, userID); err != nil {
				return route, err
			}
		}
		route, err = r.Send(ctx, route, m)
		if !errors.Is(err, bot.ErrBlocked) || tries >= 3 {
			return route, err
		}
		a := route.Account
		if merr := r.Accounts.SetBlocked(ctx, a.Channel, a.ExternalID, true); merr != nil {
			return route, errors.Join(err, merr)
		}
	}
}
