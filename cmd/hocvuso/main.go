// Command hocvuso is the Học vụ số chat-bot of Sơn La: one binary, with
// subcommands to serve, chat in the terminal and administer.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name, usage string
	run         func(ctx context.Context, env *env, args []string) error
	noArgs      bool // the command takes no argument
}

// env is the process's outside world, so tests can run subcommands in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

var commands []command

func init() {
	commands = []command{
		{"serve", "run the bot: HTTP server, Telegram and/or Zalo (or the console when neither is set)", runServe, true},
		{"console", "chat with the bot in this terminal", runConsole, true},
		{"migrate", "apply the database migrations and exit", runMigrate, true},
		{"import", "load content from files: import quiz|units FILE (hocvuso import help)", runImport, false},
		{"invite", "make a one-time code: invite --unit CODE | --role official [--valid 7d] [--by NAME]", runInvite, false},
		{"focal", "list who holds a role: focal list [--unit CODE]", runFocal, false},
		{"revoke", "end a role: revoke ROLE_ID [--by NAME]", runRevoke, false},
		{"export", "write a period's reports as XLSX: export --period ID --out FILE", runExport, false},
		{"remind", "plan reminders as if it were a time, or preview them: remind --at TIME [--dry-run]; remind status", runRemind, false},
		{"help", "list the subcommands", runHelp, true},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], &env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

func run(ctx context.Context, args []string, e *env) int {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if isHelpFlag(name) {
		name = "help"
	}
	if name == "help" && len(args) == 1 && !isHelpFlag(args[0]) {
		// hocvuso help invite: the command's own usage.
		name, args = args[0], []string{"--help"}
	}
	for _, c := range commands {
		if c.name == name {
			if c.noArgs && len(args) > 0 {
				// serve, console, migrate and help take no argument:
				// ignoring one would start a server on `serve --help`.
				if len(args) == 1 && isHelpFlag(args[0]) {
					fmt.Fprintf(e.stdout, "usage: hocvuso %s\n  %s\n", c.name, c.usage)
					return 0
				}
				fmt.Fprintf(e.stderr, "hocvuso: %s takes no argument, not %q (configuration comes from the environment: see README.md)\n", c.name, args[0])
				return 2
			}
			if err := c.run(ctx, e, args); err != nil && !errors.Is(err, context.Canceled) {
				fmt.Fprintln(e.stderr, "hocvuso:", err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(e.stderr, "hocvuso: unknown command %q\n\n", name)
	_ = runHelp(ctx, &env{stdout: e.stderr}, nil)
	return 2
}

func isHelpFlag(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

func runHelp(_ context.Context, e *env, _ []string) error {
	fmt.Fprintln(e.stdout, "usage: hocvuso <command> [arguments]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(e.stdout, "  %-10s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(e.stdout, "\nConfiguration comes from the environment: see README.md.")
	return nil
}

func newLogger(w io.Writer, level slog.Level, json bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// quietLogger logs warnings and errors only, for the commands whose output
// is what the user reads: the chat, a report, a list.
func quietLogger(e *env, cfg *Config) *slog.Logger {
	return newLogger(e.stderr, max(cfg.LogLevel, slog.LevelWarn), false)
}

// loadQuietApp reads the configuration, then opens the app with a
// quietLogger.
func loadQuietApp(ctx context.Context, e *env) (*Config, *app, error) {
	cfg, err := LoadConfig(e.getenv)
	if err != nil {
		return nil, nil, err
	}
	a, err := openApp(ctx, cfg, quietLogger(e, cfg))
	return cfg, a, err
}

func runMigrate(ctx context.Context, e *env, _ []string) error {
	cfg, err := LoadConfig(e.getenv)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogLevel, false)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	a.Close()
	log.Info("database is up to date")
	return nil
}

func runConsole(ctx context.Context, e *env, _ []string) error {
	// Logs stay quiet so they do not mix with the chat.
	_, a, err := loadQuietApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.runConsole(ctx, e)
}
