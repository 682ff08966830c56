package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hocvuso/bot"
	"hocvuso/bot/console"
	"hocvuso/bot/telegram"
	"hocvuso/downloads"
	"hocvuso/flows/cert"
	"hocvuso/flows/report"
	"hocvuso/scheduler"
)

// serveGCPercent is serve's GOGC unless the environment sets one. The live
// heap is small (about 10 MiB with 200 users at once), so the heap's growth
// between collections is most of the process's anonymous memory: 75 instead
// of Go's 100 keeps peak RSS about 3 MiB lower, for about 5% more of the
// bot's CPU per update (hocvuso-load -scenario quiz -bot-env GOGC=100
// against the default, 3 alternated runs each: 57.6-58.3 MiB against
// 60.6-61.0; bot CPU per update 4.30-4.33 times the load tool's against
// 4.04-4.14, the load tool's own cost being the gauge of the machine's speed).
const serveGCPercent = 75

// handleTimeout bounds the handling of one update. Telegram waits 60 s for a
// webhook answer; past that it redelivers anyway.
const handleTimeout = 25 * time.Second

// startTelegram registers the Telegram sender and starts receiving: the
// webhook on our HTTP server when TELEGRAM_WEBHOOK_URL is set, else the
// long-polling loop.
func (a *app) startTelegram(ctx context.Context, mux *http.ServeMux, errc chan<- error) error {
	client, err := telegram.New(ctx, telegram.Config{Token: a.cfg.TelegramToken, APIURL: a.cfg.TelegramAPIURL, Log: a.log})
	if err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	a.engine.SetSender(bot.Telegram, client)
	// Files sent for a report are fetched through the configured API URL.
	a.report.SetFetcher(bot.Telegram, report.FetchFunc(func(ctx context.Context, id string, limit int64) ([]byte, error) {
		data, err := client.DownloadFile(ctx, id, limit)
		if errors.Is(err, telegram.ErrFileTooLarge) {
			err = fmt.Errorf("%w: %w", report.ErrFileTooLarge, err)
		}
		return data, err
	}))
	// A handling outlives a dropped request: the work is finished and made
	// durable, so the redelivery finds it done.
	handle := func(ctx context.Context, u *bot.Update) error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
		defer cancel()
		return a.engine.Handle(ctx, u)
	}
	setup := telegram.SetupConfig{Commands: a.commandMenu(), WebhookURL: a.cfg.TelegramWebhookURL, Secret: a.cfg.TelegramWebhookSecret}
	if a.cfg.TelegramWebhookURL != "" {
		wh, err := telegram.NewWebhook(a.cfg.TelegramWebhookSecret, handle, a.log)
		if err != nil {
			return &configError{"TELEGRAM_WEBHOOK_SECRET", err.Error()}
		}
		mux.Handle("POST "+a.cfg.WebhookPath(), wh)
	}
	if err := client.Setup(ctx, setup); err != nil {
		return fmt.Errorf("telegram setup: %w", err)
	}
	// The chats of role holders, and of users who chose their language in
	// the bot, have menus of their own: set once per version of them, by
	// the scheduler (one replica).
	menus, err := scheduler.NewMenuQueue(a.db)
	if err == nil {
		err = menus.All(ctx, a.menusVersion())
	}
	if err != nil {
		a.log.Warn("the chats' own command menus are not queued", "err", err)
	}
	a.log.Info("telegram ready", "bot", client.Username(), "webhook", a.cfg.TelegramWebhookURL != "")
	if a.cfg.TelegramWebhookURL == "" {
		go func() { errc <- (&telegram.Poller{Client: client, Handle: handle}).Run(ctx) }()
	}
	return nil
}

func runServe(ctx context.Context, e *env, _ []string) error {
	cfg, err := LoadConfig(e.getenv)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogLevel, true)
	log.Info("starting", "config", cfg)
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", promhttp.Handler())
	// Anyone shown a certificate checks it here: 200 if genuine, 404 otherwise.
	mux.Handle(cert.VerifyPattern, &cert.VerifyPage{Config: a.certs, Log: log})
	// Files a channel could not carry, by the links sent instead: 404 once expired.
	mux.Handle(downloads.Route, a.downloads)
	if cfg.DebugPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return &configError{"HTTP_ADDR", err.Error()}
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("http server listening", "addr", ln.Addr().String())

	if cfg.TelegramToken != "" {
		if err := a.startTelegram(ctx, mux, errc); err != nil {
			_ = srv.Close()
			return err
		}
	}
	if cfg.ZaloEnabled() {
		if err := a.startZalo(ctx, mux); err != nil {
			_ = srv.Close()
			return err
		}
	}
	if cfg.TelegramToken == "" && !cfg.ZaloEnabled() {
		log.Warn("TELEGRAM_TOKEN and ZALO_APP_ID are not set: Telegram and Zalo are off; chat in this terminal (the console channel)")
		go func() {
			if err := a.runConsole(ctx, e); err != nil {
				log.Error("console", "err", err)
			}
		}()
	}

	// Reminders, digests, nudges and the officials' notices of reports go
	// out through the senders set above.
	stopScheduler, err := a.startScheduler(ctx)
	if err != nil {
		_ = srv.Close()
		return err
	}
	defer stopScheduler()

	a.started.Store(true)
	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = srv.Close()
			return err
		}
	}
	log.Info("shutting down")
	// The scheduler stops beside the HTTP server, its time counted from now
	// (the deferred call waits for it).
	go stopScheduler()
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// ready answers 200 only once the channels are set up and while PostgreSQL
// and Redis both answer.
func (a *app) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var problems []string
	if !a.started.Load() {
		problems = append(problems, "starting")
	}
	if err := a.db.Ping(ctx); err != nil {
		problems = append(problems, "postgres")
	}
	if err := a.state.Ping(ctx); err != nil {
		problems = append(problems, "redis")
	}
	if len(problems) > 0 {
		http.Error(w, "unavailable: "+strings.Join(problems, ", "), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

func (a *app) runConsole(ctx context.Context, e *env) error {
	user := e.getenv("USER")
	if user == "" {
		user = "local"
	}
	tag := e.getenv("LANG")
	con := console.New(e.stdin, e.stdout, user, tag)
	// The files the bot sends (a workbook, a certificate) go where the
	// terminal is, as "hocvuso export --out" writes them.
	con.SaveIn(".")
	a.engine.SetSender(bot.Console, con)
	// "/file PATH" sends a file: a report's file question takes it.
	a.report.SetFetcher(bot.Console, report.FetchFunc(func(_ context.Context, path string, limit int64) ([]byte, error) {
		data, err := console.ReadFile(path, limit)
		if errors.Is(err, console.ErrFileTooLarge) {
			err = fmt.Errorf("%w: %w", report.ErrFileTooLarge, err)
		}
		return data, err
	}))
	// The intro comes before the conversation: in the language this
	// terminal's user chose (/language) when they have an account, as the
	// bot's replies will be; LANG is only a first guess for a newcomer.
	lang := bot.LangFromTag(tag)
	acc, ok, err := a.db.FindAccount(ctx, bot.Console, user)
	if err != nil {
		return err
	}
	if ok && acc.Lang != "" {
		lang = acc.Lang
	}
	fmt.Fprintln(e.stdout, a.cat.Text(lang, "console.intro", nil))
	// What the console says itself follows the conversation's language.
	con.SetText(a.cat, lang)
	return con.Run(ctx, a.engine.Handle)
}
