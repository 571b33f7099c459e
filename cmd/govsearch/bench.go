package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"govsearch/bench"
)

func init() {
	register(command{
		name:    "bench",
		summary: "measure build, query and start-up against a bleve cjk baseline",
		run:     runBench,
	})
}

// benchChildArg, as the first argument of bench, runs one measurement of a
// benchmark in this process; bench re-executes the program with it.
const benchChildArg = "_child"

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == benchChildArg {
		return bench.ChildMain(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: govsearch bench [--corpus seeds|national|noisy|scale|all] [--scale-mb 1024] [--out FILE] [--queries FILE]\n\n"+
			"Builds and queries govsearch's index and a baseline bleve index with bleve's\n"+
			"cjk analyzer on the same corpus and query set, each build, query run and\n"+
			"start-up in a fresh process, and prints markdown tables: build time, MB/s,\n"+
			"index size, peak memory, latency percentiles and throughput per query class\n"+
			"and concurrency, start-up to the first answer, and the gse segmentation floor.\n"+
			"The noisy, national and scale corpora read ../shared (see --shared).\n\n")
		fs.PrintDefaults()
	}
	var (
		corpus  string
		out     string
		conc    string
		workDir string
		cfg     bench.Config
	)
	fs.StringVar(&corpus, "corpus", bench.CorpusAll, "corpus: seeds, national, noisy, scale, all, or a comma-separated list")
	fs.IntVar(&cfg.ScaleMB, "scale-mb", 1024, "size of the synthetic scale corpus in MiB")
	fs.StringVar(&out, "out", "", "also write the markdown tables to this file")
	fs.StringVar(&cfg.Queries, "queries", "", "query file, one \"CLASS QUERY\" per line (default: the built-in bench/queries.txt)")
	fs.StringVar(&cfg.Shared, "shared", "../shared", "the shared folder holding corpus/national and corpus/national-noisy")
	fs.DurationVar(&cfg.Duration, "duration", 3*time.Second, "time per query class and concurrency")
	fs.StringVar(&conc, "conc", "1,8", "comma-separated query concurrencies")
	fs.IntVar(&cfg.FirstRuns, "startups", 5, "fresh processes per engine measuring start-up (the median is reported)")
	fs.IntVar(&cfg.BuildRuns, "build-runs", 1, "builds per engine (medians are reported)")
	fs.IntVar(&cfg.QueryRuns, "query-runs", 3, "query-set runs per engine, alternating engines (medians are reported)")
	fs.StringVar(&workDir, "work", "", "directory for the indexes, kept afterwards (default: a temporary directory, removed)")
	fs.BoolVar(&cfg.SkipSegment, "no-segment", false, "skip the gse segmentation floor")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "govsearch bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if corpus == bench.CorpusAll {
		cfg.Corpora = bench.Corpora
	} else {
		for c := range strings.SplitSeq(corpus, ",") {
			c = strings.TrimSpace(c)
			if !contains(bench.Corpora, c) {
				fmt.Fprintf(stderr, "govsearch bench: --corpus: unknown corpus %q (known: %s, %s)\n", c, strings.Join(bench.Corpora, ", "), bench.CorpusAll)
				return 2
			}
			cfg.Corpora = append(cfg.Corpora, c)
		}
	}
	if cfg.ScaleMB < 1 {
		fmt.Fprintf(stderr, "govsearch bench: --scale-mb must be at least 1, got %d\n", cfg.ScaleMB)
		return 2
	}
	var err error
	if cfg.Conc, err = bench.ParseConc(conc); err != nil {
		fmt.Fprintf(stderr, "govsearch bench: --conc: %v\n", err)
		return 2
	}
	// Children run in other working directories' terms: make paths absolute.
	for _, p := range []*string{&cfg.Queries, &cfg.Shared, &workDir} {
		if *p != "" {
			if *p, err = filepath.Abs(*p); err != nil {
				fmt.Fprintf(stderr, "govsearch bench: %v\n", err)
				return 2
			}
		}
	}
	if cfg.Queries != "" {
		b, err := os.ReadFile(cfg.Queries)
		if err == nil {
			_, err = bench.ParseQueries(cfg.Queries, string(b))
		}
		if err != nil {
			fmt.Fprintf(stderr, "govsearch bench: --queries: %v\n", err)
			return 2
		}
	}
	cfg.WorkDir = workDir
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "govsearch bench: cannot find this program to re-run it: %v\n", err)
		return 1
	}
	cfg.Child = func(args ...string) *exec.Cmd {
		return exec.Command(exe, append([]string{"bench", benchChildArg}, args...)...)
	}
	cfg.Serve = func(args ...string) *exec.Cmd { return exec.Command(exe, args...) }
	cfg.Log = stderr

	// Each corpus's tables are printed, and the --out file rewritten, as
	// soon as the corpus is done: a long run shows its results early.
	var all bytes.Buffer
	fmt.Fprintf(&all, "# govsearch bench\n\n%s\n", bench.Machine())
	stdout.Write(all.Bytes())
	var writeErr error
	cfg.Done = func(rep *bench.Report, c *bench.CorpusResult) {
		var buf bytes.Buffer
		if err := rep.CorpusMarkdown(&buf, c); err != nil && writeErr == nil {
			writeErr = err
		}
		stdout.Write(buf.Bytes())
		all.Write(buf.Bytes())
		if out != "" {
			if err := os.WriteFile(out, all.Bytes(), 0o644); err != nil && writeErr == nil {
				writeErr = fmt.Errorf("--out: %w", err)
			}
		}
	}
	_, err = bench.Run(ctx, cfg)
	if err == nil {
		err = writeErr
	}
	if err != nil {
		fmt.Fprintf(stderr, "govsearch bench: %v\n", err)
		return 1
	}
	return 0
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
