// Package cli holds what the project's commands share: a main that ends
// its context on an interrupt, and flag parsing with the commands' exit
// statuses.
package cli

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Main runs run with the program's arguments, standard output and error
// and a context that ends on SIGINT or SIGTERM, and exits with the status
// run returns.
func Main(run func(ctx context.Context, args []string, stdout, stderr io.Writer) int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// ParseFlags parses args into fs. When ok is false the command ends with
// code: 0 after -h, 2 after a bad flag (the flag package has already
// printed why).
func ParseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}
