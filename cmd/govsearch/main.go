// Command govsearch is a full-text search engine for Chinese government work
// reports (政府工作报告).
//
// Usage:
//
//	govsearch serve   [--index DIR] [--addr 127.0.0.1:8080]   run the web UI and JSON API
//	govsearch ingest  [--json] PATH...                         parse report files, print paragraphs
//	govsearch index   --index DIR PATH...                      build or update an index
//	govsearch search  --index DIR [--json] QUERY               search from the terminal
//	govsearch analyze TEXT                                     show word tokens and offsets
//
// Run `govsearch COMMAND -h` for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand. run returns the process exit status.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

// register adds a subcommand; each lives in its own file and registers in init.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("govsearch: duplicate command " + c.name)
	}
	commands[c.name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand; it is main without the process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "govsearch: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

// parseFlags parses a subcommand's flags. When ok is false the command
// ends with code: 0 after -h, 2 after a bad flag (the flag package has
// already printed why).
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: govsearch COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
}
