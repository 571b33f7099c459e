package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"govsearch/analyzer"
	"govsearch/index"
	"govsearch/ingest"
	"govsearch/internal/cli"
)

func init() {
	register(command{
		name:    "index",
		summary: "build or update an index from report files",
		run:     runIndex,
	})
}

// runIndex implements `govsearch index --index DIR [--rebuild] PATH...`:
// index.Refresh builds a new generation when DIR holds no index, a stale
// one or --rebuild asks for it, and otherwise updates the current
// generation in place. A progress bar is drawn on a terminal;
// the summary goes to stdout. The exit status is 1 if the index could not
// be written or any file was skipped.
func runIndex(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("index", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("index", "", "index directory (required)")
	rebuild := fl.Bool("rebuild", false, "build a new generation from PATHs instead of updating the current one")
	batch := fl.Int("batch", 0, "paragraphs per write batch of a full build (0: the index default, about 4 MB of text a batch)")
	memLimit := fl.String("memory-limit", "", "soft memory limit of a full build, e.g. 800MiB or 2GiB, or none (default: 768MiB)")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: govsearch index --index DIR [--rebuild] PATH...\n\nIndex report files (directories: every %s below them).\n", ingest.ReportFiles)
		fl.PrintDefaults()
	}
	if code, ok := cli.ParseFlags(fl, args); !ok {
		return code
	}
	if *dir == "" || fl.NArg() == 0 {
		fl.Usage()
		return 2
	}
	if *batch < 0 {
		fmt.Fprintln(stderr, "govsearch index: --batch must not be negative")
		return 2
	}
	limit, err := parseMemoryLimit(*memLimit)
	if err != nil {
		fmt.Fprintf(stderr, "govsearch index: --memory-limit: %v\n", err)
		return 2
	}
	// The dictionary loads while the files are listed and the index opens.
	analyzer.Preload()
	inputs, err := ingest.InputsFromPaths(fl.Args())
	if err != nil {
		// One line per path that could not be listed.
		for line := range strings.SplitSeq(err.Error(), "\n") {
			fmt.Fprintf(stderr, "govsearch index: %s\n", line)
		}
		return 1
	}
	if len(inputs) == 0 {
		fmt.Fprintf(stderr, "govsearch index: no report files (%s) in %s\n", ingest.ReportFiles, strings.Join(fl.Args(), " "))
		return 1
	}
	// Segmentation needs the dictionary; wait for it here so that the
	// summary measures indexing alone.
	dictStart := time.Now()
	analyzer.WaitReady()
	dictTime := time.Since(dictStart)
	opts := index.RefreshOptions{
		BuildOptions: index.BuildOptions{BatchSize: *batch, MemoryLimit: limit},
		Rebuild:      *rebuild,
		BeforeBuild: func(reason error) error {
			if errors.Is(reason, index.ErrStale) {
				fmt.Fprintf(stderr, "govsearch index: rebuilding: %v\n", reason)
			}
			return nil
		},
	}
	bar := progressBar(stderr, inputs)
	if bar != nil {
		opts.Progress = func(done, _ int64) { _ = bar.Set64(done) }
	}
	res, err := index.Refresh(ctx, *dir, inputs, opts)
	if err == nil {
		err = res.Index.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "govsearch index: %v\n", err)
		return 1
	}
	st, mode := res.Stats, "updated"
	if res.Built {
		mode = "built"
	}
	if bar != nil {
		_ = bar.Finish()
	}
	for _, e := range st.Errors {
		fmt.Fprintf(stderr, "govsearch index: skipped %v\n", e)
	}
	fmt.Fprintf(stdout, "%s %s: %d files, %d reports, %d paragraphs in %.2f s (%.2f MB/s; dictionary %.2f s before)\n",
		mode, st.Generation, st.Files, st.Reports, st.Paragraphs, st.Elapsed.Seconds(), st.MBPerSecond(), dictTime.Seconds())
	if len(st.Errors) > 0 {
		return 1
	}
	return 0
}

// progressBar returns a bar over the inputs' bytes when stderr is a
// terminal, else nil.
func progressBar(stderr io.Writer, inputs []index.Input) *progressbar.ProgressBar {
	if !isTerminal(stderr) {
		return nil
	}
	var total int64
	for _, in := range inputs {
		total += in.Size
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("indexing"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// parseMemoryLimit reads a --memory-limit value: a number of bytes with an
// optional unit (KB, MB, GB, KiB, MiB, GiB), "none" for no limit, or empty
// for the index default. It returns index.BuildOptions.MemoryLimit.
func parseMemoryLimit(s string) (int64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "none":
		return -1, nil
	}
	units := []struct {
		suffix string
		size   float64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"b", 1}}
	num, mult := strings.ToLower(s), 1.0
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.size
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || v <= 0 || math.IsInf(v, 0) || v*mult > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is not a size such as 800MiB, 2GiB or none", s)
	}
	b := int64(v * mult)
	if b < 64<<20 {
		return 0, fmt.Errorf("%s is below the smallest useful limit, 64MiB", s)
	}
	return b, nil
}
