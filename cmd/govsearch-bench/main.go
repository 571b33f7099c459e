// Command govsearch-bench measures govsearch side by side with a plain
// bleve index that uses bleve's cjk analyzer: build time and throughput,
// index size, peak memory, query latency per class and concurrency, start-up
// to the first answer, and the gse segmentation floor. It prints markdown
// tables; docs/performance.md holds a run's tables and how to read them.
//
// Usage:
//
//	govsearch-bench [--corpus seeds|national|provinces|noisy|scale|all] [--out FILE] [flags]
//	govsearch-bench relevance [--corpus national,provinces] [--queries 500] [--seed 13]
//
// The second form is the relevance benchmark: simulated known-item queries
// answered by govsearch's best-match retrieval and by plain bleve, scored
// by MRR@10 and success@10 (docs/relevance.md).
//
// Every build, query run and start-up runs in a child process (this program
// again, with the hidden first argument _child), so memory peaks never mix.
// The real server's start-up and memory are measured by running the
// govsearch binary (--govsearch). The baseline engine lives here, not in
// govsearch.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"govsearch/bench"
	"govsearch/internal/cli"
)

// childArg, as the first argument, runs one measurement of a benchmark in
// this process; the benchmark re-executes the program with it.
const childArg = "_child"

func main() { cli.Main(run) }

// run is main without the process; it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == childArg {
		return bench.ChildMain(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == relevanceArg {
		return runRelevance(ctx, args[1:], stdout, stderr)
	}
	cfg, out, code, ok := parseArgs(args, stderr)
	if !ok {
		return code
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "govsearch-bench: cannot find this program to re-run it: %v\n", err)
		return 1
	}
	cfg.Child = func(args ...string) *exec.Cmd {
		return exec.Command(exe, append([]string{childArg}, args...)...)
	}
	cfg.Log = stderr
	return measure(ctx, cfg, out, stdout, stderr)
}

// parseArgs reads the flags into a benchmark configuration and the --out
// file. When ok is false the program ends with code: 0 after -h, 2 after
// bad flags (the message is already on stderr).
func parseArgs(args []string, stderr io.Writer) (cfg bench.Config, out string, code int, ok bool) {
	fs := flag.NewFlagSet("govsearch-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: govsearch-bench [--corpus seeds|national|provinces|noisy|scale|all] [--scale-mb 1024] [--out FILE] [--queries FILE] [--govsearch PATH]\n\n"+
			"Builds and queries govsearch's index and a baseline bleve index with bleve's\n"+
			"cjk analyzer on the same corpus and query set, each build, query run and\n"+
			"start-up in a fresh process, and prints markdown tables: build time, MB/s,\n"+
			"index size, peak memory, latency percentiles and throughput per query class\n"+
			"and concurrency, start-up to the first answer, and the gse segmentation floor.\n"+
			"The national, provinces, noisy and scale corpora read ../shared (see --shared).\n"+
			"`govsearch-bench relevance -h` describes the relevance benchmark.\n\n")
		fs.PrintDefaults()
	}
	var corpus, conc, workDir, server string
	var noServe bool
	fs.StringVar(&corpus, "corpus", bench.CorpusAll, "corpus: seeds, national, provinces, noisy, scale, all, or a comma-separated list")
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
	fs.StringVar(&server, "govsearch", "", "the govsearch binary whose `serve` start-up and memory are measured (default: govsearch beside this program, else on $PATH)")
	fs.BoolVar(&noServe, "no-serve", false, "skip the govsearch serve measurement")
	fail := func(format string, a ...any) (bench.Config, string, int, bool) {
		fmt.Fprintf(stderr, "govsearch-bench: "+format+"\n", a...)
		return cfg, out, 2, false
	}
	if code, ok := cli.ParseFlags(fs, args); !ok {
		return cfg, out, code, false
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	if corpus == bench.CorpusAll {
		cfg.Corpora = bench.Corpora
	} else {
		for c := range strings.SplitSeq(corpus, ",") {
			c = strings.TrimSpace(c)
			if !slices.Contains(bench.Corpora, c) {
				return fail("--corpus: unknown corpus %q (known: %s, %s)", c, strings.Join(bench.Corpora, ", "), bench.CorpusAll)
			}
			cfg.Corpora = append(cfg.Corpora, c)
		}
	}
	if cfg.ScaleMB < 1 {
		return fail("--scale-mb must be at least 1, got %d", cfg.ScaleMB)
	}
	var err error
	if cfg.Conc, err = bench.ParseConc(conc); err != nil {
		return fail("--conc: %v", err)
	}
	// Children run in other working directories' terms: make paths absolute.
	for _, p := range []*string{&cfg.Queries, &cfg.Shared, &workDir} {
		if *p != "" {
			if *p, err = filepath.Abs(*p); err != nil {
				return fail("%v", err)
			}
		}
	}
	if cfg.Queries != "" {
		b, err := os.ReadFile(cfg.Queries)
		if err == nil {
			_, err = bench.ParseQueries(cfg.Queries, string(b))
		}
		if err != nil {
			return fail("--queries: %v", err)
		}
	}
	cfg.WorkDir = workDir
	if !noServe {
		if server, err = findServer(server); err != nil {
			return fail("--govsearch: %v", err)
		}
		cfg.Serve = func(args ...string) *exec.Cmd { return exec.Command(server, args...) }
	}
	return cfg, out, 0, true
}

// findServer returns the govsearch binary to measure: the one named, or
// govsearch beside this program, or govsearch on $PATH.
func findServer(named string) (string, error) {
	if named != "" {
		path, err := exec.LookPath(named)
		if err != nil {
			return "", err
		}
		return filepath.Abs(path)
	}
	if exe, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(exe), "govsearch")
		if fi, err := os.Stat(beside); err == nil && fi.Mode().IsRegular() {
			return beside, nil
		}
	}
	if path, err := exec.LookPath("govsearch"); err == nil {
		return filepath.Abs(path)
	}
	return "", errors.New("no govsearch binary beside this program or on $PATH: build one " +
		"(go build -o govsearch ./cmd/govsearch) and name it, or pass --no-serve")
}

// measure runs the benchmark. Each corpus's tables are printed, and the
// out file rewritten, as soon as the corpus is done: a long run shows its
// results early.
func measure(ctx context.Context, cfg bench.Config, out string, stdout, stderr io.Writer) int {
	var all bytes.Buffer
	fmt.Fprintf(&all, "# govsearch-bench\n\n%s\n", bench.Machine())
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
	_, err := bench.Run(ctx, cfg)
	if err == nil {
		err = writeErr
	}
	if err != nil {
		fmt.Fprintf(stderr, "govsearch-bench: %v\n", err)
		return 1
	}
	return 0
}
