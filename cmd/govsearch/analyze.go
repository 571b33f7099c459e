package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"govsearch/analyzer"
	"govsearch/internal/cli"
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
	if code, ok := cli.ParseFlags(fs, args); !ok {
		return code
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
	writeTokenTable(stdout, tokens)
	return 0
}

// writeTokenTable prints tokens in aligned columns. Chinese characters take
// two terminal cells, so the TERM column is padded by display width, and
// control characters in the source text are shown escaped.
func writeTokenTable(w io.Writer, tokens []analyzer.Token) {
	termWidth := len("TERM")
	for _, t := range tokens {
		termWidth = max(termWidth, displayWidth(t.Term))
	}
	fmt.Fprintf(w, "%5s %6s %6s  %s  %s\n", "POS", "START", "END", pad("TERM", termWidth), "TEXT")
	for _, t := range tokens {
		fmt.Fprintf(w, "%5d %6d %6d  %s  %s\n", t.Position, t.Start, t.End, pad(escape(t.Term), termWidth), escape(t.Text))
	}
}

func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-displayWidth(s)))
}

// escape shows control characters as Go escapes and leaves the rest alone.
func escape(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}

// displayWidth counts terminal cells: two for East Asian wide and
// full-width characters, one for the rest.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF && r != 0x303F,
			r >= 0xAC00 && r <= 0xD7A3, r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F,
			r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6, r >= 0x20000 && r <= 0x3FFFD:
			n += 2
		default:
			n++
		}
	}
	return n
}
