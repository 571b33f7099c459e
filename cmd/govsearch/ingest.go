package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"govsearch/ingest"
	"govsearch/internal/cli"
)

func init() {
	register(command{
		name:    "ingest",
		summary: "parse report files, print reports (or paragraphs as JSON lines)",
		run:     runIngest,
	})
}

// runIngest implements `govsearch ingest [--json] PATH...`: it parses files
// and directories without indexing. It prints a table per report, warnings
// and drop counts, or with --json one ingest.Record per paragraph per line.
// A file that fails gets one line on stderr; the exit status is 1 if any
// file failed.
func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fl.SetOutput(stderr)
	asJSON := fl.Bool("json", false, "print one JSON record per paragraph per line")
	listDropped := fl.Bool("dropped", false, "also list every dropped line with its rule")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: govsearch ingest [--json] [--dropped] PATH...\n\nParse report files (directories: every %s below them) without indexing.\n", ingest.ReportFiles)
		fl.PrintDefaults()
	}
	if code, ok := cli.ParseFlags(fl, args); !ok {
		return code
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return 2
	}
	files, errs := ingest.ReadPaths(fl.Args())
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if *asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, f := range files {
			for i := range f.Reports {
				for _, rec := range f.Reports[i].Records() {
					if ctx.Err() != nil {
						return 1
					}
					if err := enc.Encode(rec); err != nil {
						fmt.Fprintf(stderr, "govsearch ingest: %v\n", err)
						return 1
					}
				}
			}
		}
	} else {
		printIngestTable(w, files, *listDropped)
	}
	w.Flush()
	for _, err := range errs {
		fmt.Fprintf(stderr, "govsearch ingest: %s\n", oneLine(err.Error()))
	}
	if len(errs) > 0 {
		return 1
	}
	return 0
}

func printIngestTable(w io.Writer, files []*ingest.File, listDropped bool) {
	for _, f := range files {
		fmt.Fprintf(w, "%s (%s): %d reports\n", f.Source, f.Encoding, len(f.Reports))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ID\tREGION\tLEVEL\tYEAR\tDATE\tSPEAKER\tPARAGRAPHS\tCHARACTERS")
		for _, r := range f.Reports {
			chars := 0
			for _, p := range r.Paragraphs {
				chars += utf8.RuneCountInString(p.Text)
			}
			speaker := strings.TrimSpace(r.SpeakerTitle + " " + r.Speaker)
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\t%s\t%d\t%d\n", r.ID, r.Region, r.Level, r.Year, dash(r.Date), dash(speaker), len(r.Paragraphs), chars)
		}
		tw.Flush()
		for _, warn := range f.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
		if f.Dropped > 0 {
			rules := make([]string, 0, len(f.DroppedBy))
			for k, n := range f.DroppedBy {
				if n > 0 {
					rules = append(rules, fmt.Sprintf("%s=%d", k, n))
				}
			}
			sort.Strings(rules)
			fmt.Fprintf(w, "  dropped %d: %s\n", f.Dropped, strings.Join(rules, " "))
		}
		if listDropped {
			drops := append([]ingest.Drop(nil), f.Drops...)
			sort.SliceStable(drops, func(i, j int) bool { return drops[i].Line < drops[j].Line })
			for _, d := range drops {
				fmt.Fprintf(w, "    line %d %s: %s\n", d.Line, d.Rule, oneLine(d.Text))
			}
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps an error message on a single line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
