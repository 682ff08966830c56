package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"hocvuso/bot/telegram"
	"hocvuso/flows/report/config"
	"hocvuso/scheduler"
	"hocvuso/store"
)

// The admin's side of the units' roles: invite codes, the list of focal
// points and officials, and revoking one. The chat side is flows/enrol.

// Bounds of an invite's validity.
const (
	defaultInviteValidity = 7 * 24 * time.Hour
	minInviteValidity     = 5 * time.Minute
	maxInviteValidity     = 90 * 24 * time.Hour
)

// parseValidity reads --valid: whole days ("7d") or a Go duration ("36h",
// "90m", "1h30m").
func parseValidity(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || days != strconv.Itoa(n) {
			return 0, fmt.Errorf("--valid %q: write whole days like 7d, or hours and minutes like 36h or 90m", s)
		}
		if n > int(maxInviteValidity/(24*time.Hour)) {
			return 0, fmt.Errorf("--valid %q: at most %dd", s, int(maxInviteValidity/(24*time.Hour)))
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("--valid %q: write whole days like 7d, or hours and minutes like 36h or 90m", s)
		}
	}
	if d < minInviteValidity || d > maxInviteValidity {
		return 0, fmt.Errorf("--valid %q: an invite is valid from %v to %dd", s, minInviteValidity, int(maxInviteValidity/(24*time.Hour)))
	}
	return d, nil
}

// parseFlags parses flags given before, between or after the positional
// arguments, and returns the positional ones. ok false means the command
// stops there: after -h with err nil (the usage is printed), else with err
// named after the flag set.
func parseFlags(fs *flag.FlagSet, args []string) (rest []string, ok bool, err error) {
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, true, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

func newFlagSet(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

var botUsernameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{4,31}$`)

// botUsername is the bot's name for t.me links: TELEGRAM_BOT_USERNAME, else
// getMe with TELEGRAM_TOKEN. "" with the reason when there is none.
func botUsername(ctx context.Context, e *env, cfg *Config) (name, why string, err error) {
	if v := strings.TrimPrefix(strings.TrimSpace(e.getenv("TELEGRAM_BOT_USERNAME")), "@"); v != "" {
		if !botUsernameRE.MatchString(v) {
			return "", "", &configError{"TELEGRAM_BOT_USERNAME", "is not a Telegram username (5-32 letters, digits and _, starting with a letter)"}
		}
		return v, "", nil
	}
	if cfg.TelegramToken == "" {
		return "", "neither TELEGRAM_BOT_USERNAME nor TELEGRAM_TOKEN is set", nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	client, err := telegram.New(ctx, telegram.Config{Token: cfg.TelegramToken, APIURL: cfg.TelegramAPIURL, Log: newLogger(io.Discard, 0, false)})
	if err != nil {
		// The error is redacted by the client: no token in it.
		return "", fmt.Sprintf("Telegram's getMe failed (%v); set TELEGRAM_BOT_USERNAME", err), nil
	}
	return client.Username(), "", nil
}

func runInvite(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("invite", e)
	unit := fs.String("unit", "", "code of the unit whose focal point the invite makes")
	role := fs.String("role", "", "official: the invite makes an official of Sở Nội vụ or Sở KH&CN")
	valid := fs.String("valid", "7d", "how long the code works: 7d, 36h, 90m")
	by := fs.String("by", "", "who makes the invite, for the audit log (default: $USER)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: hocvuso invite --unit CODE | --role official [--valid 7d] [--by NAME]")
		fs.PrintDefaults()
	}
	rest, ok, err := parseFlags(fs, args)
	if !ok {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("invite: unexpected %q; usage: hocvuso invite --unit CODE | --role official [--valid 7d] [--by NAME]", rest[0])
	}
	n := store.NewInvite{UnitCode: strings.TrimSpace(*unit)}
	switch r := strings.ToLower(strings.TrimSpace(*role)); {
	case r == store.RoleOfficial && n.UnitCode != "":
		return errors.New("invite: an official belongs to no unit: give --role official or --unit CODE, not both")
	case r == store.RoleOfficial:
		n.Role = store.RoleOfficial
	case r != "" && r != store.RoleFocal:
		return fmt.Errorf("invite: --role %q: the roles are official, or focal with --unit CODE", *role)
	case n.UnitCode == "":
		return errors.New("invite: say whom for: --unit CODE (a unit's focal point) or --role official")
	default:
		n.Role = store.RoleFocal
	}
	validity, err := parseValidity(*valid)
	if err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	if n.CreatedBy, err = adminName(e, *by); err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	cfg, err := LoadConfig(e.getenv)
	if err != nil {
		return err
	}
	username, noLink, err := botUsername(ctx, e, cfg)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	whom := "an official (Sở Nội vụ, Sở Khoa học và Công nghệ)"
	if n.Role == store.RoleFocal {
		u, err := findUnit(ctx, db, n.UnitCode)
		if err != nil {
			return fmt.Errorf("invite: %w", err)
		}
		n.UnitCode = u.Code
		whom = fmt.Sprintf("a focal point of %s (%s)", u.Name, u.Code)
	}
	n.At = time.Now()
	n.ExpiresAt = n.At.Add(validity)
	code, inv, err := db.CreateInvite(ctx, n)
	if err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	shown := store.FormatInviteCode(code)
	w := e.stdout
	fmt.Fprintf(w, "Invite %d for %s, made by %s.\n", inv.ID, whom, n.CreatedBy)
	fmt.Fprintf(w, "Code:     %s\n", shown)
	// As the chat writes it (enrol.expired): the admin passes it on.
	fmt.Fprintf(w, "Expires:  %s (%s). It works once.\n", stamp(inv.ExpiresAt, cfg.Timezone), cfg.Timezone)
	if username != "" {
		fmt.Fprintf(w, "Telegram: https://t.me/%s?start=%s\n", username, code)
	} else {
		fmt.Fprintf(w, "Telegram: no link (%s); in the bot's chat, type /join %s\n", noLink, shown)
	}
	fmt.Fprintf(w, "Zalo:     in the Official Account's chat, type /join %s (Zalo has no such link)\n", shown)
	fmt.Fprintln(w, "The code is shown only now: only its hash is stored. Send it to one person.")
	return nil
}

// findUnit finds a unit by its code, or says what is known instead.
func findUnit(ctx context.Context, db *store.DB, code string) (store.Unit, error) {
	u, ok, err := db.Unit(ctx, code)
	if err != nil || ok {
		return u, err
	}
	units, err := db.Units(ctx)
	if err != nil {
		return u, err
	}
	if len(units) == 0 {
		return u, fmt.Errorf("no unit %q: no unit is recorded yet; import them first: hocvuso import units FILE", code)
	}
	for _, x := range units {
		if strings.EqualFold(x.Code, code) {
			return u, fmt.Errorf("no unit %q; did you mean %s (%s)?", code, x.Code, x.Name)
		}
	}
	return u, fmt.Errorf("no unit %q among the %d recorded; see the file you imported, or add it with hocvuso import units FILE", code, len(units))
}

func runFocal(ctx context.Context, e *env, args []string) error {
	usage := "usage: hocvuso focal list [--unit CODE]"
	if len(args) == 1 && isHelpFlag(args[0]) {
		fmt.Fprintln(e.stdout, usage)
		return nil
	}
	if len(args) == 0 || args[0] != "list" {
		return errors.New("focal: " + usage)
	}
	fs := newFlagSet("focal list", e)
	unit := fs.String("unit", "", "only the focal points of this unit")
	rest, ok, err := parseFlags(fs, args[1:])
	if !ok {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("focal list: unexpected %q; %s", rest[0], usage)
	}
	cfg, db, err := loadStore(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	code := strings.TrimSpace(*unit)
	if code != "" {
		u, err := findUnit(ctx, db, code)
		if err != nil {
			return fmt.Errorf("focal list: %w", err)
		}
		code = u.Code
	}
	roles, err := db.ActiveRoles(ctx, code)
	if err != nil {
		return err
	}
	if len(roles) == 0 {
		if code != "" {
			fmt.Fprintf(e.stdout, "Unit %s has no focal point. Make an invite: hocvuso invite --unit %s\n", code, code)
		} else {
			fmt.Fprintln(e.stdout, "Nobody holds a role yet. Make an invite: hocvuso invite --unit CODE, or --role official")
		}
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tUNIT\tUSER\tCHANNEL\tGRANTED\tBY")
	for _, r := range roles {
		unit := "-"
		if r.UnitCode != "" {
			unit = r.UnitCode + " " + r.UnitName
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Role.Role, unit, holderName(r), channels(r),
			stamp(r.GrantedAt, cfg.Timezone), r.GrantedBy)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "To revoke one: hocvuso revoke ID")
	return nil
}

// stamp writes an instant in loc as the chat writes one, so that an admin
// passes on what users read: 09:15 25/06/2025.
func stamp(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("15:04 " + config.DateLayout)
}

// holderName is a role holder as an admin recognises them: the display
// name and the user's number.
func holderName(r store.RoleHolder) string {
	name := strings.Join(strings.Fields(r.DisplayName), " ")
	if name == "" {
		name = "(no name)"
	}
	return fmt.Sprintf("%s #%d", name, r.UserID)
}

func channels(r store.RoleHolder) string {
	if len(r.Accounts) == 0 {
		return "-"
	}
	out := make([]string, len(r.Accounts))
	for i, a := range r.Accounts {
		out[i] = string(a.Channel) + ":" + a.ExternalID
	}
	return strings.Join(out, ",")
}

func runRevoke(ctx context.Context, e *env, args []string) error {
	usage := "usage: hocvuso revoke ROLE_ID [--by NAME] (the ids: hocvuso focal list)"
	fs := newFlagSet("revoke", e)
	by := fs.String("by", "", "who revokes, for the audit log (default: $USER)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	rest, ok, err := parseFlags(fs, args)
	if !ok {
		return err
	}
	if len(rest) != 1 {
		return errors.New("revoke: " + usage)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(rest[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("revoke: %q is not a role id; %s", rest[0], usage)
	}
	name, err := adminName(e, *by)
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	cfg, db, err := loadStore(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	r, ok, err := db.RoleByID(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("revoke: there is no role %d; the ids: hocvuso focal list", id)
	}
	if !r.RevokedAt.IsZero() {
		return fmt.Errorf("revoke: role %d was revoked already, at %s by %s", id, stamp(r.RevokedAt, cfg.Timezone), r.RevokedBy)
	}
	if err := db.RevokeRole(ctx, id, name, time.Now()); err != nil {
		if errors.Is(err, store.ErrNoRole) {
			return fmt.Errorf("revoke: role %d was revoked meanwhile", id)
		}
		return err
	}
	what := "an official"
	if r.UnitCode != "" {
		what = fmt.Sprintf("a focal point of %s (%s)", r.UnitName, r.UnitCode)
	}
	fmt.Fprintf(e.stdout, "Role %d revoked: %s, %s, is no longer %s.\n", id, holderName(r), channels(r), what)
	// Their Telegram chats' command menus follow, set by a serve's
	// scheduler; the revocation stands whatever becomes of them.
	if err := queueMenus(ctx, e, cfg, db, r.UserID); err != nil {
		fmt.Fprintf(e.stderr, "revoke: the command menus of their chats are not queued (they show the role's commands until it is done): %v\n", err)
	}
	return nil
}

// queueMenus queues the setting of a user's chats' command menus, for the
// serve processes' schedulers.
func queueMenus(ctx context.Context, e *env, cfg *Config, db *store.DB, userID int64) error {
	// River's tables, should no serve have made them yet.
	if err := scheduler.Migrate(ctx, db.Pool, quietLogger(e, cfg)); err != nil {
		return err
	}
	q, err := scheduler.NewMenuQueue(db)
	if err != nil {
		return err
	}
	return q.User(ctx, userID)
}
