package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hocvuso/bot"
	"hocvuso/bot/telegram"
	"hocvuso/flows"
	"hocvuso/locales"
)

// The command menus (Telegram's): every user's commands for all private
// chats, set at start; the chats of a role holder, or of a user who chose
// their language in the bot, a menu of their own, set by the flows that
// change roles or the language, and by the scheduler's menu jobs where
// roles change outside a conversation (hocvuso revoke) or the menus change
// with a release.

// commandMenu is every user's command menu, per language, for the
// channel's default: a citizen's commands, none of a role. Vietnamese is
// the default ("").
func (a *app) commandMenu() map[string][]telegram.Command {
	menu := map[string][]telegram.Command{}
	for _, lang := range locales.Languages {
		key := lang
		if lang == locales.Languages[0] {
			key = ""
		}
		for _, c := range a.menus.List(flows.Everyone, lang) {
			menu[key] = append(menu[key], telegram.Command{Command: c.Name, Description: c.Description})
		}
	}
	return menu
}

// menusVersion names the chats' own menus as this build writes them (a
// fingerprint of every audience's commands and descriptions in every
// language): a serve whose version no job has set yet has the chats of
// every role holder and of every user who chose their language set
// (scheduler.MenuQueue.All).
func (a *app) menusVersion() string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, who := range []flows.Audience{flows.Everyone, flows.FocalPoints, flows.Officials, flows.FocalPoints | flows.Officials} {
		for _, lang := range locales.Languages {
			_ = enc.Encode(a.menus.List(who, lang)) // a hash.Hash never fails
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// SyncMenus implements scheduler.MenuSyncer: it sets each chat of the user
// to the menu their roles and language give now (flows.CommandMenus.Of),
// through the sender of its channel where that channel has command menus.
// A user erased meanwhile has nothing left to set: their chats were given
// the default menu then.
func (a *app) SyncMenus(ctx context.Context, userID int64) error {
	contact, err := a.db.Contact(ctx, userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	menus, _, err := a.menus.Of(ctx, userID, contact.Lang)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range menus {
		ms, ok := a.engine.Sender(o.Target.Channel).(bot.MenuSetter)
		if !ok {
			continue
		}
		if err := ms.SetMenu(ctx, o.Target, *o.Menu); err != nil {
			errs = append(errs, fmt.Errorf("command menu of user %d on %s: %w", userID, o.Target.Channel, err))
		}
	}
	return errors.Join(errs...)
}
