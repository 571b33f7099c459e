package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-ego/gse"

	"govsearch/analyzer"
	"govsearch/index"
)

// Child modes. Every measurement whose memory peak or start-up time matters
// runs in a child process of its own, so peaks of different builds never
// mix and start-up is measured from a fresh process.
const (
	modeBuild   = "build"   // build one engine's index, report peak memory
	modeQuery   = "query"   // open an index, run the query set at each concurrency
	modeFirst   = "first"   // open an index, answer one query, exit
	modeSegment = "segment" // raw gse segmentation throughput over the corpus
)

// firstAnswer starts the line a "first" child prints once it has answered.
const firstAnswer = "answered "

// ChildMain runs one child measurement. args are the mode and its flags, as
// Run passes them; the result is one JSON object on stdout. It returns the
// exit status.
func ChildMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if err := child(ctx, args, stdout); err != nil {
		fmt.Fprintf(stderr, "bench child %v: %v\n", args, err)
		return 1
	}
	return 0
}

// childFlags are the flags every mode accepts.
type childFlags struct {
	engine   string
	dir      string
	corpus   CorpusSpec
	queries  string // query file; "" means DefaultQueries
	duration time.Duration
	conc     []int
	query    string
	// cpuProfile and memProfile, when set, name files for a CPU profile of
	// the build or query run and a heap profile at its end.
	cpuProfile, memProfile string
}

func parseChildFlags(mode string, args []string) (*childFlags, error) {
	fs := flag.NewFlagSet("bench child "+mode, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := &childFlags{}
	var conc string
	fs.StringVar(&c.engine, "engine", EngineOurs, "")
	fs.StringVar(&c.dir, "dir", "", "")
	fs.StringVar(&c.corpus.Name, "corpus", CorpusSeeds, "")
	fs.StringVar(&c.corpus.Shared, "shared", "../shared", "")
	fs.IntVar(&c.corpus.ScaleMB, "scale-mb", 1024, "")
	fs.StringVar(&c.queries, "queries", "", "")
	fs.DurationVar(&c.duration, "duration", 2*time.Second, "")
	fs.StringVar(&conc, "conc", "1,8", "")
	fs.StringVar(&c.query, "query", "一网通办", "")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "")
	fs.StringVar(&c.memProfile, "memprofile", "", "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.conc, err = ParseConc(conc); err != nil {
		return nil, err
	}
	return c, nil
}

func child(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: a mode is required (%s, %s, %s, %s)", errUsage, modeBuild, modeQuery, modeFirst, modeSegment)
	}
	mode := args[0]
	c, err := parseChildFlags(mode, args[1:])
	if err != nil {
		return err
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if c.memProfile != "" {
		defer writeHeapProfile(c.memProfile)
	}
	var out any
	switch mode {
	case modeBuild:
		out, err = childBuild(ctx, c)
	case modeQuery:
		out, err = childQuery(ctx, c)
	case modeFirst:
		return childFirst(ctx, c, stdout)
	case modeSegment:
		out, err = childSegment(ctx, c)
	default:
		return fmt.Errorf("%w: unknown mode %q", errUsage, mode)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(out)
}

// writeHeapProfile writes the heap profile (in use and allocated since
// the start) to path; a failure only loses the profile.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}

// buildOut is the report of a build child.
type buildOut struct {
	buildResult
	Runs       int   `json:"runs,omitempty"` // set on a median of several runs
	PeakKB     int64 `json:"peak_kb"`
	IndexBytes int64 `json:"index_bytes"`
}

func childBuild(ctx context.Context, c *childFlags) (*buildOut, error) {
	if c.dir == "" {
		return nil, errors.New("--dir is required")
	}
	inputs, err := c.corpus.Inputs()
	if err != nil {
		return nil, err
	}
	res, err := build(ctx, c.engine, c.dir, inputs)
	if err != nil {
		return nil, err
	}
	hwm, _ := procStatus("/proc/self/status")
	return &buildOut{buildResult: *res, PeakKB: hwm, IndexBytes: dirSize(c.dir)}, nil
}

// queryOut is the report of a query child.
type queryOut struct {
	Open      time.Duration  `json:"open"`
	Latencies []Latency      `json:"latencies"`
	Hits      map[string]int `json:"hits"` // query text → total, from the warm-up pass
	PeakKB    int64          `json:"peak_kb"`
	RSSKB     int64          `json:"rss_kb"`
	Runs      int            `json:"runs,omitempty"` // set on a median of several runs
}

func loadQueries(path string) ([]Query, error) {
	if path == "" {
		return ParseQueries("bench/queries.txt", DefaultQueries)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseQueries(path, string(b))
}

func childQuery(ctx context.Context, c *childFlags) (*queryOut, error) {
	qs, err := loadQueries(c.queries)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	s, err := open(c.engine, c.dir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := &queryOut{Open: time.Since(start), Hits: map[string]int{}}
	groups := byClass(qs)
	for _, class := range Classes {
		cq := groups[class]
		if len(cq) == 0 {
			continue
		}
		// Warm-up: every query once, which also records its hit count.
		for _, q := range cq {
			n, err := s.search(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("%s query %q (line %d): %w", class, q.Text, q.Line, err)
			}
			out.Hits[class+" "+q.Text] = n
		}
		for _, conc := range c.conc {
			out.Latencies = append(out.Latencies, measure(ctx, s, cq, conc, c.duration))
		}
	}
	out.PeakKB, out.RSSKB = procStatus("/proc/self/status")
	return out, nil
}

// measure runs qs round-robin on conc goroutines for about d (and at least
// one round) and summarises the latencies.
func measure(ctx context.Context, s searcher, qs []Query, conc int, d time.Duration) Latency {
	var (
		next    atomic.Int64
		errs    atomic.Int64
		mu      sync.Mutex
		samples []time.Duration
		wg      sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if time.Since(start) >= d && i >= int64(len(qs)) {
					break
				}
				t0 := time.Now()
				_, err := s.search(ctx, qs[i%int64(len(qs))])
				if err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return summarize(qs[0].Class, conc, samples, int(errs.Load()), time.Since(start))
}

// childFirst opens the index, answers one full query (facets and
// highlights) and prints firstAnswer and the hit count: the parent
// measures from starting the process to reading that line.
func childFirst(ctx context.Context, c *childFlags, stdout io.Writer) error {
	pq, err := index.ParseQuery(c.query)
	if err != nil {
		return err
	}
	s, err := open(c.engine, c.dir)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.search(ctx, Query{Class: ClassFull, Text: c.query, Parsed: pq})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s%d\n", firstAnswer, n)
	return err
}

// segmentOut is the report of a segment child.
type segmentOut struct {
	Paragraphs int           `json:"paragraphs"`
	TextBytes  int64         `json:"text_bytes"`
	RawBytes   int64         `json:"raw_bytes"`
	Parse      time.Duration `json:"parse"`     // ingest.Parse of every file, one goroutine
	DictLoad   time.Duration `json:"dict_load"` // loading gse's embedded dictionary
	Segment    time.Duration `json:"segment"`   // gse Segment over every paragraph, GOMAXPROCS goroutines
	SegmentCPU time.Duration `json:"segment_cpu"`
	Word       time.Duration `json:"word"` // the word analyzer over every paragraph, GOMAXPROCS goroutines
	WordCPU    time.Duration `json:"word_cpu"`
	Workers    int           `json:"workers"`
}

// childSegment measures the floor under an index build: gse's own
// segmentation of the paragraph text on all cores, with the dictionary
// already loaded. It also times ingest and the project's word analyzer
// (fold, gse, filters) over the same paragraphs.
func childSegment(ctx context.Context, c *childFlags) (*segmentOut, error) {
	inputs, err := c.corpus.Inputs()
	if err != nil {
		return nil, err
	}
	out := &segmentOut{Workers: runtime.GOMAXPROCS(0)}
	var texts [][]byte
	t0 := time.Now()
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := in.Parse()
		if err != nil {
			continue
		}
		out.RawBytes += in.Size
		for _, r := range f.Reports {
			for _, p := range r.Paragraphs {
				texts = append(texts, []byte(p.Text))
				out.TextBytes += int64(len(p.Text))
			}
		}
	}
	out.Parse = time.Since(t0)
	out.Paragraphs = len(texts)

	t0 = time.Now()
	seg := &gse.Segmenter{NotLoadHMM: true, SkipLog: true}
	if err := seg.LoadDictEmbed("zh_s"); err != nil {
		return nil, fmt.Errorf("loading gse dictionary: %w", err)
	}
	out.DictLoad = time.Since(t0)
	cpu0 := cpuTime()
	out.Segment = parallel(ctx, texts, out.Workers, func(b []byte) { seg.Segment(b) })
	out.SegmentCPU = cpuTime() - cpu0

	analyzer.WaitReady() // the word analyzer's own dictionary, not timed
	cpu0 = cpuTime()
	out.Word = parallel(ctx, texts, out.Workers, func(b []byte) { analyzer.Tokens(string(b)) })
	out.WordCPU = cpuTime() - cpu0
	return out, ctx.Err()
}

// parallel runs fn over texts on workers goroutines and returns the wall
// time.
func parallel(ctx context.Context, texts [][]byte, workers int, fn func([]byte)) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(texts)) {
					return
				}
				fn(texts[i])
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}
