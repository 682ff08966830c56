package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hocvuso/bot"
	"hocvuso/bot/console"
)

func runServe(ctx context.Context, e *env, _ []string) error {
	cfg, err := LoadConfig(e.getenv)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogLevel, true)
	log.Info("starting", "config", cfg)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", promhttp.Handler())

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return &configError{"HTTP_ADDR", err.Error()}
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("http server listening", "addr", ln.Addr().String())

	if cfg.TelegramToken == "" {
		log.Warn("TELEGRAM_TOKEN is not set: Telegram is off; chat in this terminal (the console channel)")
		go func() {
			if err := a.runConsole(ctx, e); err != nil {
				log.Error("console", "err", err)
			}
		}()
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// ready answers 200 only when PostgreSQL and Redis both answer.
func (a *app) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var problems []string
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
	a.engine.SetSender(bot.Console, con)
	fmt.Fprintln(e.stdout, a.cat.Text(bot.LangFromTag(tag), "console.intro", nil))
	return con.Run(ctx, a.engine.Handle)
}
