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
	"fmt"
	"io"
	"sort"

	"govsearch/internal/cli"
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

func main() { cli.Main(run) }

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
