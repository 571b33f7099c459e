package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"govsearch/analyzer"
)

func init() {
	register(command{
		name:    "analyze",
		summary: "show the word tokens of TEXT with their byte offsets",
		run:     runAnalyze,
	})
}

// runAnalyze prints the word analyzer's tokens of its arguments (joined by
// spaces) as a table, or as JSON with --json.
func runAnalyze(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the tokens as a JSON array")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: govsearch analyze [--json] TEXT\n\nPrints the word tokens of TEXT: normalised term, source text, byte offsets and position.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "govsearch analyze: missing TEXT")
		fs.Usage()
		return 2
	}
	text := strings.Join(fs.Args(), " ")
	tokens := analyzer.Tokens(text)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		if tokens == nil {
			tokens = []analyzer.Token{}
		}
		if err := enc.Encode(tokens); err != nil {
			fmt.Fprintln(stderr, "govsearch analyze:", err)
			return 1
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "POS\tSTART\tEND\tTERM\tTEXT")
	for _, t := range tokens {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\n", t.Position, t.Start, t.End, t.Term, t.Text)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(stderr, "govsearch analyze:", err)
		return 1
	}
	return 0
}
