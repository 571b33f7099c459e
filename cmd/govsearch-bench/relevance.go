package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"govsearch/bench"
	"govsearch/internal/cli"
)

// relevanceArg, as the first argument, runs the relevance benchmark
// instead of the performance benchmark.
const relevanceArg = "relevance"

// runRelevance implements `govsearch-bench relevance`.
func runRelevance(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("govsearch-bench relevance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: govsearch-bench relevance [--corpus national,provinces] [--queries 500] [--seed 13] [--out FILE]\n\n"+
			"Draws simulated known-item queries from each corpus (a few pieces of one\n"+
			"paragraph joined by words it lacks, plus one word it lacks; seeded), answers\n"+
			"them with govsearch's match=best and with plain bleve (cjk analyzer, match\n"+
			"query, BM25) over the same paragraphs, and prints MRR@10 and success@10 as\n"+
			"markdown tables. See docs/relevance.md.\n\n")
		fs.PrintDefaults()
	}
	cfg := bench.RelevanceConfig{Log: stderr}
	var corpus, out string
	fs.StringVar(&corpus, "corpus", bench.CorpusNational+","+bench.CorpusProvinces, "comma-separated corpora: "+strings.Join(bench.Corpora, ", "))
	fs.IntVar(&cfg.N, "queries", 500, "queries per corpus")
	fs.Int64Var(&cfg.Seed, "seed", 13, "seed of the query generator")
	fs.StringVar(&cfg.Shared, "shared", "../shared", "the shared folder holding corpus/national and corpus/provinces-2025")
	fs.StringVar(&cfg.WorkDir, "work", "", "directory for the indexes, kept afterwards (default: a temporary directory, removed)")
	fs.StringVar(&out, "out", "", "also write the markdown tables to this file")
	if code, ok := cli.ParseFlags(fs, args); !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "govsearch-bench relevance: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	if cfg.N < 1 {
		return fail("--queries must be at least 1, got %d", cfg.N)
	}
	for c := range strings.SplitSeq(corpus, ",") {
		c = strings.TrimSpace(c)
		if !slices.Contains(bench.Corpora, c) {
			return fail("--corpus: unknown corpus %q (known: %s)", c, strings.Join(bench.Corpora, ", "))
		}
		cfg.Corpora = append(cfg.Corpora, c)
	}
	var err error
	for _, p := range []*string{&cfg.Shared, &cfg.WorkDir} {
		if *p != "" {
			if *p, err = filepath.Abs(*p); err != nil {
				return fail("%v", err)
			}
		}
	}
	results, err := bench.Relevance(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "govsearch-bench relevance: %v\n", err)
		return 1
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# govsearch-bench relevance\n\n%s\n", bench.Machine())
	if err := bench.RelevanceMarkdown(&buf, cfg, results); err != nil {
		fmt.Fprintf(stderr, "govsearch-bench relevance: %v\n", err)
		return 1
	}
	stdout.Write(buf.Bytes())
	if out != "" {
		if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
			fmt.Fprintf(stderr, "govsearch-bench relevance: --out: %v\n", err)
			return 1
		}
	}
	return 0
}
