// Package bench measures govsearch side by side with a baseline bleve index
// that uses bleve's built-in cjk analyzer: build time and throughput, index
// size, peak memory, query latency and throughput per query class and
// concurrency, and the time from process start to the first answered query.
// It also measures the floor an index build stands on: gse's raw
// segmentation throughput on the same text and cores.
//
// Every build, query run and start-up runs in a child process (Config.Child
// re-executes the program), so memory peaks of different builds never mix
// and start-up is measured from a fresh process. cmd/govsearch-bench is the
// command; docs/performance.md holds a run's tables.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Config is one benchmark run.
type Config struct {
	Corpora  []string // corpus names, in order
	Shared   string   // the shared folder (holds corpus/national, corpus/national-noisy)
	ScaleMB  int      // size of the scale corpus in MiB
	Queries  string   // query file; "" means DefaultQueries
	Duration time.Duration
	Conc     []int // concurrencies of the query runs
	// FirstRuns is how many fresh processes per engine measure start-up
	// to the first answer; the report shows the median.
	FirstRuns int
	// BuildRuns and QueryRuns are how many times each engine builds and
	// runs the query set; the report shows medians. Default 1 and 3.
	BuildRuns, QueryRuns int
	// WorkDir holds the indexes; "" means a new temporary directory that
	// is removed at the end.
	WorkDir string
	// SkipSegment leaves out the segmentation floor measurement.
	SkipSegment bool
	// Child returns the command that runs ChildMain with args in a fresh
	// process.
	Child func(args ...string) *exec.Cmd
	// Serve, when set, returns the command that runs `govsearch serve` with
	// args; start-up and memory of the real server are then measured too.
	Serve func(args ...string) *exec.Cmd
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// Done, when set, is called after each corpus with the report so far.
	Done func(r *Report, c *CorpusResult)
}

// Report is the result of Run.
type Report struct {
	Corpora []*CorpusResult
	Queries []Query
	Config  Config
}

// CorpusResult is everything measured on one corpus.
type CorpusResult struct {
	Name    string
	Skipped string // why the corpus was skipped; empty when it ran
	Segment *segmentOut
	Build   map[string]*BuildMeasure
	Query   map[string]*queryOut
	First   map[string][]time.Duration // engine → start-to-answer per run
	Serve   *ServeMeasure
}

// BuildMeasure is one build as its child reported it plus what the parent
// saw of the process.
type BuildMeasure struct {
	buildOut
	Wall time.Duration // process start to exit
	CPU  time.Duration // user + system time of the child
}

// ServeMeasure is the real server's start-up and memory.
type ServeMeasure struct {
	First  []time.Duration // process start to the first 200 from /api/search
	PeakKB int64           // VmHWM after the dictionary loaded and the query set ran once
	RSSKB  int64
}

// Run measures every corpus of cfg in turn. A corpus that needs the shared
// folder when it is absent is skipped with a message, not an error.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Child == nil {
		return nil, errors.New("bench: Config.Child is required")
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 2 * time.Second
	}
	if len(cfg.Conc) == 0 {
		cfg.Conc = []int{1, 8}
	}
	if cfg.FirstRuns <= 0 {
		cfg.FirstRuns = 5
	}
	if cfg.BuildRuns <= 0 {
		cfg.BuildRuns = 1
	}
	if cfg.QueryRuns <= 0 {
		cfg.QueryRuns = 3
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	qs, err := loadQueries(cfg.Queries)
	if err != nil {
		return nil, err
	}
	work := cfg.WorkDir
	if work == "" {
		if work, err = os.MkdirTemp("", "govsearch-bench-*"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(work)
	}
	rep := &Report{Queries: qs, Config: cfg}
	for _, name := range cfg.Corpora {
		cr, err := runCorpus(ctx, cfg, name, work, qs)
		if err != nil {
			return rep, fmt.Errorf("corpus %s: %w", name, err)
		}
		rep.Corpora = append(rep.Corpora, cr)
		if cfg.Done != nil {
			cfg.Done(rep, cr)
		}
	}
	return rep, nil
}

func runCorpus(ctx context.Context, cfg Config, name, work string, qs []Query) (*CorpusResult, error) {
	cr := &CorpusResult{Name: name, Build: map[string]*BuildMeasure{}, Query: map[string]*queryOut{}, First: map[string][]time.Duration{}}
	spec := CorpusSpec{Name: name, Shared: cfg.Shared, ScaleMB: cfg.ScaleMB}
	if _, err := spec.Inputs(); err != nil {
		if errors.Is(err, ErrNoShared) {
			cr.Skipped = err.Error()
			fmt.Fprintf(cfg.Log, "bench: skipping corpus %s: %v\n", name, err)
			return cr, nil
		}
		return nil, err
	}
	corpusArgs := []string{"--corpus", name, "--shared", cfg.Shared, "--scale-mb", strconv.Itoa(cfg.ScaleMB)}
	if !cfg.SkipSegment {
		fmt.Fprintf(cfg.Log, "bench: %s: segmentation floor\n", name)
		var seg segmentOut
		if _, err := runChild(ctx, cfg, &seg, append([]string{modeSegment}, corpusArgs...)...); err != nil {
			return nil, err
		}
		cr.Segment = &seg
	}
	dirs := map[string]string{}
	for _, engine := range Engines {
		dirs[engine] = filepath.Join(work, name+"-"+engine)
	}
	// Engines alternate in every phase, so that a burst of other work on
	// the machine hits both alike; each cell reports the median of the runs.
	builds := map[string][]*BuildMeasure{}
	for r := 0; r < cfg.BuildRuns; r++ {
		for _, engine := range Engines {
			dir := dirs[engine]
			if err := os.RemoveAll(dir); err != nil {
				return nil, err
			}
			fmt.Fprintf(cfg.Log, "bench: %s: building the %s index (run %d of %d)\n", name, engine, r+1, cfg.BuildRuns)
			var bo buildOut
			ps, err := runChild(ctx, cfg, &bo, append([]string{modeBuild, "--engine", engine, "--dir", dir}, corpusArgs...)...)
			if err != nil {
				return nil, err
			}
			builds[engine] = append(builds[engine], &BuildMeasure{buildOut: bo, Wall: ps.wall, CPU: ps.cpu})
		}
	}
	for _, engine := range Engines {
		cr.Build[engine] = medianBuild(builds[engine])
	}

	runs := map[string][]*queryOut{}
	for r := 0; r < cfg.QueryRuns; r++ {
		for _, engine := range Engines {
			fmt.Fprintf(cfg.Log, "bench: %s: querying the %s index (run %d of %d)\n", name, engine, r+1, cfg.QueryRuns)
			var qo queryOut
			args := []string{modeQuery, "--engine", engine, "--dir", dirs[engine], "--duration", cfg.Duration.String(), "--conc", formatConc(cfg.Conc)}
			if cfg.Queries != "" {
				args = append(args, "--queries", cfg.Queries)
			}
			if _, err := runChild(ctx, cfg, &qo, args...); err != nil {
				return nil, err
			}
			runs[engine] = append(runs[engine], &qo)
		}
	}
	for _, engine := range Engines {
		cr.Query[engine] = mergeQueries(runs[engine])
	}

	fmt.Fprintf(cfg.Log, "bench: %s: start-up\n", name)
	for i := 0; i < cfg.FirstRuns; i++ {
		for _, engine := range Engines {
			d, err := startToAnswer(ctx, cfg, engine, dirs[engine], qs[0].Text)
			if err != nil {
				return nil, err
			}
			cr.First[engine] = append(cr.First[engine], d)
		}
	}
	if cfg.Serve != nil {
		fmt.Fprintf(cfg.Log, "bench: %s: govsearch serve\n", name)
		sm, err := measureServe(ctx, cfg, dirs[EngineOurs], qs)
		if err != nil {
			return nil, err
		}
		cr.Serve = sm
	}
	return cr, nil
}

// medianBuild combines build runs: every time and size is the median over
// the runs, the memory peak the largest.
func medianBuild(runs []*BuildMeasure) *BuildMeasure {
	if len(runs) == 0 {
		return nil
	}
	m := *runs[0]
	pick := func(get func(*BuildMeasure) time.Duration) time.Duration {
		ds := make([]time.Duration, len(runs))
		for i, r := range runs {
			ds[i] = get(r)
		}
		return median(ds)
	}
	m.Elapsed = pick(func(b *BuildMeasure) time.Duration { return b.Elapsed })
	m.buildOut.CPU = pick(func(b *BuildMeasure) time.Duration { return b.buildOut.CPU })
	m.DictLoad = pick(func(b *BuildMeasure) time.Duration { return b.DictLoad })
	m.Wall = pick(func(b *BuildMeasure) time.Duration { return b.Wall })
	m.CPU = pick(func(b *BuildMeasure) time.Duration { return b.CPU })
	m.IndexBytes = int64(pick(func(b *BuildMeasure) time.Duration { return time.Duration(b.IndexBytes) }))
	for _, r := range runs {
		m.PeakKB = max(m.PeakKB, r.PeakKB)
	}
	m.Runs = len(runs)
	return &m
}

// mergeQueries combines query runs: each latency cell is the median over
// the runs, the memory peak the largest, hit counts those of the first run.
func mergeQueries(runs []*queryOut) *queryOut {
	if len(runs) == 0 {
		return nil
	}
	out := &queryOut{Hits: runs[0].Hits, Runs: len(runs)}
	opens := make([]time.Duration, len(runs))
	for i, r := range runs {
		opens[i] = r.Open
		out.PeakKB = max(out.PeakKB, r.PeakKB)
		out.RSSKB = max(out.RSSKB, r.RSSKB)
	}
	out.Open = median(opens)
	for _, l := range runs[0].Latencies {
		var cells []Latency
		for _, r := range runs {
			if c := findLatency(r.Latencies, l.Class, l.Concurrency); c != nil {
				cells = append(cells, *c)
			}
		}
		out.Latencies = append(out.Latencies, medianLatency(cells))
	}
	return out
}

// medianLatency is the cell-wise median of latency summaries of one class
// and concurrency; queries and errors are summed.
func medianLatency(ls []Latency) Latency {
	m := Latency{Class: ls[0].Class, Concurrency: ls[0].Concurrency}
	field := func(get func(Latency) time.Duration) time.Duration {
		ds := make([]time.Duration, len(ls))
		for i, l := range ls {
			ds[i] = get(l)
		}
		return median(ds)
	}
	m.P50 = field(func(l Latency) time.Duration { return l.P50 })
	m.P95 = field(func(l Latency) time.Duration { return l.P95 })
	m.P99 = field(func(l Latency) time.Duration { return l.P99 })
	m.Max = field(func(l Latency) time.Duration { return l.Max })
	// Rates go through the same median as durations, in millihertz.
	m.QPS = float64(field(func(l Latency) time.Duration { return time.Duration(l.QPS * 1000) })) / 1000
	for _, l := range ls {
		m.Queries += l.Queries
		m.Errors += l.Errors
	}
	return m
}

// procStats is what the parent sees of a finished child.
type procStats struct {
	wall, cpu time.Duration
}

// runChild runs a child and decodes its JSON report into out.
func runChild(ctx context.Context, cfg Config, out any, args ...string) (procStats, error) {
	cmd := cfg.Child(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := runCtx(ctx, cmd)
	ps := procStats{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		ps.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return ps, fmt.Errorf("%s %s: %w: %s", modeOf(args), strings.Join(args[1:], " "), err, strings.TrimSpace(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return ps, fmt.Errorf("%s: reading the child's report: %w", modeOf(args), err)
	}
	return ps, nil
}

func modeOf(args []string) string {
	if len(args) == 0 {
		return "child"
	}
	return args[0]
}

// runCtx runs cmd and interrupts it when ctx ends.
func runCtx(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		return ctx.Err()
	}
}

// startToAnswer starts a "first" child and returns the time from starting
// the process to reading its answer line.
func startToAnswer(ctx context.Context, cfg Config, engine, dir, q string) (time.Duration, error) {
	cmd := cfg.Child(modeFirst, "--engine", engine, "--dir", dir, "--query", q)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	line, rerr := bufio.NewReader(pipe).ReadString('\n')
	d := time.Since(start)
	_, _ = io.Copy(io.Discard, pipe)
	werr := cmd.Wait()
	if !strings.HasPrefix(line, firstAnswer) {
		return 0, fmt.Errorf("first answer (%s): no answer (%v, %v): %s", engine, rerr, werr, strings.TrimSpace(stderr.String()))
	}
	if werr != nil {
		return 0, fmt.Errorf("first answer (%s): %w: %s", engine, werr, strings.TrimSpace(stderr.String()))
	}
	return d, nil
}

// measureServe runs `govsearch serve` on the index at dir FirstRuns times,
// each time measuring from process start to the first successful search.
// On the last run it waits for the dictionary to load in the background,
// runs the query set once over HTTP and reads the server's memory.
func measureServe(ctx context.Context, cfg Config, dir string, qs []Query) (*ServeMeasure, error) {
	sm := &ServeMeasure{}
	for i := 0; i < cfg.FirstRuns; i++ {
		last := i == cfg.FirstRuns-1
		d, hwm, rss, err := serveOnce(ctx, cfg, dir, qs, last)
		if err != nil {
			return nil, err
		}
		sm.First = append(sm.First, d)
		if last {
			sm.PeakKB, sm.RSSKB = hwm, rss
		}
	}
	return sm, nil
}

func serveOnce(ctx context.Context, cfg Config, dir string, qs []Query, load bool) (first time.Duration, hwm, rss int64, err error) {
	cmd := cfg.Serve("serve", "--index", dir, "--addr", "127.0.0.1:0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, pipe); _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	line, err := bufio.NewReader(pipe).ReadString('\n')
	if err != nil {
		return 0, 0, 0, fmt.Errorf("serve: no address line: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "govsearch: serving on http://"), "/")
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return 0, 0, 0, fmt.Errorf("serve: unexpected first line %q", line)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(q string) (int, error) {
		resp, err := client.Get("http://" + addr + "/api/search?q=" + url.QueryEscape(q))
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, err := get(qs[0].Text)
		if err == nil && code == http.StatusOK {
			first = time.Since(start)
			break
		}
		if err == nil && code != http.StatusServiceUnavailable {
			return 0, 0, 0, fmt.Errorf("serve: first search answered %d", code)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return 0, 0, 0, fmt.Errorf("serve: no answer within 2 minutes: %s", strings.TrimSpace(stderr.String()))
		}
		time.Sleep(time.Millisecond)
	}
	if load {
		// The dictionary loads in the background after start-up; the
		// server's steady memory includes it.
		time.Sleep(5 * time.Second)
		for _, q := range qs {
			if code, err := get(q.Text); err != nil || code != http.StatusOK {
				return 0, 0, 0, fmt.Errorf("serve: query %q: status %d, %v", q.Text, code, err)
			}
		}
		hwm, rss = procStatus(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	}
	return first, hwm, rss, nil
}

// ParseConc parses a comma-separated list of positive concurrencies.
func ParseConc(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("concurrency %q is not a number from 1 to 1024", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func formatConc(cs []int) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ",")
}
