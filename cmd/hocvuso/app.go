package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/redis/go-redis/v9"

	"hocvuso/bot"
	"hocvuso/downloads"
	"hocvuso/flows"
	"hocvuso/flows/cert"
	"hocvuso/flows/digest"
	"hocvuso/flows/enrol"
	"hocvuso/flows/home"
	"hocvuso/flows/link"
	"hocvuso/flows/officials"
	"hocvuso/flows/privacy"
	"hocvuso/flows/profile"
	"hocvuso/flows/quiz"
	"hocvuso/flows/report"
	reportconfig "hocvuso/flows/report/config"
	"hocvuso/locales"
	"hocvuso/reach"
	"hocvuso/scheduler"
	"hocvuso/store"
)

// app is what every long-running subcommand shares: the stores, the
// catalogue and the engine with its flows.
type app struct {
	cfg    *Config
	log    *slog.Logger
	db     *store.DB
	rdb    *redis.Client
	state  *store.State
	cat    *locales.Catalog
	router *flows.Router
	engine *bot.Engine
	// menus decides the command menus of role holders' chats (Telegram's):
	// the flows that change roles set them, serve sets every user's.
	menus *flows.CommandMenus
	// certs is the certificate flows' configuration, shared with the /verify page.
	certs *cert.Config
	// nudges is the weekly learning nudge's flow.
	nudges *digest.Nudges
	// digests writes what the scheduler sends to officials and citizens
	// (scheduler.DigestBuilder).
	digests digest.Builder
	// report is the focal points' report flow; the channels give it their
	// file downloads as they start.
	report *report.Flow
	// downloads serves the files a channel cannot carry (an XLSX export on
	// Zalo) by links under PUBLIC_URL; without it no link is made.
	downloads *downloads.Links
	// reach routes what the bot sends unasked (reminders, digests) to the
	// chat where each user was last active, within Zalo's 7-day window:
	// the scheduler's way out. startZalo gives it the template sender.
	reach *reach.Reacher
	// started is set once serve has set up every channel.
	started atomic.Bool
}

func openApp(ctx context.Context, cfg *Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log}
	var err error
	if a.db, err = store.Open(ctx, cfg.DatabaseURL); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := a.db.Migrate(ctx, log); err != nil {
		a.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	// River's job tables, for the scheduler's deliveries.
	if err := scheduler.Migrate(ctx, a.db.Pool, log); err != nil {
		a.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		a.Close()
		return nil, &configError{"REDIS_URL", err.Error()}
	}
	// The client's default pool is enough: the state store pipelines the
	// calls of concurrent updates over one connection (store.NewState).
	a.rdb = redis.NewClient(opts)
	if err := a.rdb.Ping(ctx).Err(); err != nil {
		a.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	a.state = store.NewState(a.rdb, cfg.RedisPrefix)
	a.state.SessionTTL = cfg.SessionTTL
	if a.cat, err = locales.Load(); err != nil {
		a.Close()
		return nil, err
	}
	a.cat.OnMissing = func(lang, id string) { log.Error("message missing from catalogue", "lang", lang, "id", id) }

	// The quiz's bank: the one last imported (hocvuso import quiz), else the embedded one.
	quizBank, quizSource, err := quiz.LoadBank(ctx, a.db)
	if err != nil {
		a.Close()
		return nil, err
	}
	log.Info("quiz bank", "version", quizBank.Version, "source", quizSource, "questions", len(quizBank.Questions))
	// The optional profile is offered after a quiz; its list of communes is checked here.
	profileFlow, err := profile.New(a.db, cfg.Timezone)
	if err != nil {
		a.Close()
		return nil, err
	}
	// The weekly learning nudge: turned on and off under a quiz result and /progress.
	a.nudges = digest.NewNudges(a.db, digest.Config{Text: a.cat, Bank: quizBank, PassPercent: cfg.QuizPassPercent})
	quizFlow := quiz.New(a.db, quiz.Config{Bank: quizBank, PassPercent: cfg.QuizPassPercent, AfterAttempt: profileFlow.Offer,
		Buttons: a.nudges.Buttons,
		// Answers arriving together are written in one commit.
		Writer: store.NewQuizWriter(a.db)})

	// The certificate once every area of the bank is passed; /verify in chat and on the web.
	a.certs = &cert.Config{Store: a.db, Areas: quizBank, Text: a.cat, Location: cfg.Timezone, PublicURL: cfg.PublicURL}

	// A role gained or lost shows in the chats' command menus.
	a.menus = flows.NewCommandMenus(a.db, a.cat)

	// Invite codes: /join, and t.me deep links through home's /start.
	enrolFlow := enrol.New(a.db, store.NewThrottle(a.rdb, cfg.RedisPrefix, "enrol", enrol.MaxWrongCodes, enrol.WrongCodeWindow), cfg.Timezone)
	verifyFlow := cert.NewVerify(a.certs)
	// A certificate's code pasted without its prefix looks like an invite code.
	enrolFlow.Certificates = verifyFlow
	enrolFlow.Menus = a.menus

	// The units' reports: periods and forms built into the binary.
	reports, err := reportconfig.Embedded()
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("report configuration: %w", err)
	}
	// The officials' notices of each report are queued with it, in its
	// transaction; the serve processes' schedulers send them. A process
	// that does not serve (the console) leaves them waiting in PostgreSQL.
	notices, err := scheduler.NewNotices(a.db, cfg.Reminders.MaxAttempts)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.report = report.New(a.db, report.Config{Forms: reports, Location: cfg.Timezone, Notices: notices})

	// Officials' /overview and /export; an export the channel cannot carry
	// (Zalo takes no XLSX) goes as a download link when there is a
	// public address to make one with.
	a.downloads = &downloads.Links{Store: a.db, BaseURL: cfg.PublicURL, Text: a.cat, Log: log}
	officialsFlow := officials.New(a.db, reports, cfg.Timezone, a.cat)
	if cfg.PublicURL != "" {
		officialsFlow.SetLinks(a.downloads)
	}

	// The officials' digests: /digest, and what the scheduler sends. Without
	// an approved template for reminders, a focal point on Zalo silent for 7
	// days is out of reach.
	digestCfg := digest.DigestConfig{Text: a.cat, Reports: reports, Location: cfg.Timezone}
	if cfg.ZaloReminderTemplateID == "" {
		digestCfg.Reach = digest.ZaloWindow{}
	}
	digests := digest.NewDigests(a.db, digestCfg)
	a.digests = digest.Builder{Digests: digests, Nudges: a.nudges}

	// An erasure forgets the user in their other linked chats too.
	priv := privacy.New(a.db, cfg.Timezone)
	priv.Sessions, priv.Menus = a.state, a.menus
	// Each menu item shows to its audience: the reports to focal points,
	// the overview and the digest to officials.
	homeFlow := home.New(a.db, append(append([]flows.MenuItem{quiz.MenuItem}, profile.MenuItems()...),
		report.MenuItem, officials.MenuItem, digest.DigestMenuItem), enrolFlow)
	homeFlow.Menus = a.menus
	linkFlow := link.New(a.db, a.state, a.state.LinkTries(), log)
	linkFlow.Menus = a.menus
	a.router = flows.NewRouter(
		homeFlow,
		enrolFlow,
		priv,
		quizFlow,
		cert.New(a.certs),
		verifyFlow,
		profileFlow,
		a.nudges,
		a.report,
		officialsFlow,
		// One person on Telegram and Zalo: /link.
		linkFlow,
		digests,
	)
	a.menus.Use(a.router)
	a.engine = &bot.Engine{State: a.state, Accounts: a.db, Handler: a.router, Text: a.cat, Log: log}
	a.reach = &reach.Reacher{Accounts: a.db, Senders: a.engine, TemplateID: cfg.ZaloReminderTemplateID}
	return a, nil
}

func (a *app) Close() {
	if a.rdb != nil {
		_ = a.rdb.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}
