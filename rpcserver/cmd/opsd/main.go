package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run runs one command and returns the process's exit code. ctx ends when
// the process is asked to stop.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stdout, stderr, getenv)
	case "migrate":
		err = migrate(ctx, args, stdout, stderr, getenv)
	case "create-org":
		err = createOrg(ctx, args, stdout, stderr, getenv)
	case "help":
		fmt.Fprintln(stdout, "usage: opsd [serve|migrate|create-org] [flags]; opsd COMMAND -h for its flags")
		return 0
	default:
		err = fmt.Errorf("unknown command %q (serve, migrate, create-org)", cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "opsd: %v\n", err)
	return 1
}

// errUsage marks a flag error, already reported by the flag set.
var errUsage = errors.New("usage")

// flags is a flag set whose every flag also reads an environment variable.
type flags struct {
	*flag.FlagSet
	getenv func(string) string
	errs   []error
}

func newFlags(name, usage string, stderr io.Writer, getenv func(string) string) *flags {
	fs := flag.NewFlagSet("opsd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: opsd %s [flags]\n\n%s\n\nFlags (each also set by the environment variable in brackets):\n", name, usage)
		fs.PrintDefaults()
	}
	return &flags{FlagSet: fs, getenv: getenv}
}

func (f *flags) string(name, env, def, usage string) *string {
	if v := f.getenv(env); v != "" {
		def = v
	}
	return f.String(name, def, usage+" ["+env+"]")
}

func (f *flags) duration(name, env string, def time.Duration, usage string) *time.Duration {
	return f.Duration(name, fromEnv(f, env, def, time.ParseDuration), usage+" ["+env+"]")
}

func (f *flags) float(name, env string, def float64, usage string) *float64 {
	parse := func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
	return f.Float64(name, fromEnv(f, env, def, parse), usage+" ["+env+"]")
}

func (f *flags) bool(name, env string, def bool, usage string) *bool {
	return f.Bool(name, fromEnv(f, env, def, strconv.ParseBool), usage+" ["+env+"]")
}

func (f *flags) int(name, env string, def int, usage string) *int {
	return f.Int(name, fromEnv(f, env, def, strconv.Atoi), usage+" ["+env+"]")
}

// fromEnv returns the value of the environment variable env, parsed, or
// def when it is unset; a malformed value is reported by parse.
func fromEnv[T any](f *flags, env string, def T, parse func(string) (T, error)) T {
	s := f.getenv(env)
	if s == "" {
		return def
	}
	v, err := parse(s)
	if err != nil {
		f.errs = append(f.errs, fmt.Errorf("%s: %w", env, err))
		return def
	}
	return v
}

func (f *flags) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if f.NArg() > 0 {
		fmt.Fprintf(f.Output(), "opsd: unexpected arguments %q\n", f.Args())
		return errUsage
	}
	return errors.Join(f.errs...)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}
