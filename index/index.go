package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"govsearch/analyzer"
	"govsearch/index/compact"
)

// Directory layout. An index directory DIR holds generations, each a
// complete bleve index, and a pointer naming the one in use:
//
//	DIR/CURRENT        the name of the current generation, e.g. "gen-3\n"
//	DIR/gen-3/index/   the bleve (scorch) index of generation 3
//
// A full rebuild writes a new generation and then replaces CURRENT through
// a temporary file, fsync and rename, so a reader opens either the old or
// the new generation and never a half-built one. Updates (Update,
// AddReports, DeleteReport) change the current generation in place, one
// atomic bleve batch per file or call, each carrying the updated manifest.
const (
	currentFile = "CURRENT"
	genPrefix   = "gen-"
	bleveDir    = "index"
	manifestKey = "govsearch_manifest"
)

// LockTimeout is how long Open waits for an index that another process has
// open before it gives up with ErrLocked.
var LockTimeout = 3 * time.Second

// Errors callers can test for with errors.Is.
var (
	// ErrNoIndex means the directory holds no index yet.
	ErrNoIndex = errors.New("no index")
	// ErrStale means the index exists but was written by another analyzer
	// or layout version, or its documents disagree with its manifest: it
	// must be rebuilt before it is served.
	ErrStale = errors.New("index is stale")
	// ErrLocked means another process has the index open.
	ErrLocked = errors.New("index is in use by another process")
)

// analyzerPanics counts recovered panics of the word analyzer.
var analyzerPanics atomic.Int64

// AnalyzerPanics returns how many paragraphs' word analysis panicked in
// this process. Such a paragraph is still matched exactly (through its
// n-grams); it only lacks the whole-word ranking signal.
func AnalyzerPanics() int64 { return analyzerPanics.Load() }

func init() {
	// bleve analyses a batch's documents on a shared queue of 4 workers;
	// on a bigger machine give it one per core.
	if n := runtime.NumCPU(); n > 4 {
		bleve.Config.SetAnalysisQueueSize(n)
	}
}

// manifest is stored inside the index (internal key manifestKey) and
// checked when the index is opened.
type manifest struct {
	Format     string `json:"format"`
	Analyzer   string `json:"analyzer"`
	Reports    int    `json:"reports"`
	Paragraphs int    `json:"paragraphs"`
	Updated    string `json:"updated"`
}

func (m manifest) version() string { return "format " + m.Format + ", analyzer " + m.Analyzer }

func currentManifest() manifest {
	return manifest{Format: FormatVersion, Analyzer: analyzer.Version()}
}

// Index is an open generation of a govsearch index. It is safe for
// concurrent use; writes are serialised.
type Index struct {
	root string // the index directory
	gen  string // the generation directory
	bi   bleve.Index

	// life guards closed and closeErr, and keeps Close from closing the
	// bleve index under a search that reads it directly (collect takes it
	// for reading).
	life     sync.RWMutex
	closed   bool
	closeErr error

	// wmu serialises writes; the manifest, the field statistics and
	// docBuild change only under it (the first two are read without it).
	wmu        sync.Mutex
	man        atomic.Pointer[manifest]
	fieldStats atomic.Pointer[fieldStats]
	docBuild   *docBuilder // built by the first write: it needs the word analyzer

	// epoch changes with every write; caches remember the epoch they were
	// computed at.
	epoch atomic.Uint64

	// cacheMu guards the caches searches read and writes replace: lexicon,
	// reports and written. It is never held while a cache is computed.
	cacheMu sync.Mutex
	lexicon *cachedLexicon
	reports *cachedReports
	// written holds the summaries of reports this process wrote: a search
	// whose snapshot holds a report that a later write removed again, before
	// any summary load saw it, still finds its metadata.
	written map[string]ReportSummary
	// sumLoadMu lets one goroutine at a time load the report summaries:
	// concurrent first searches wait for one load instead of each reading
	// every report.
	sumLoadMu sync.Mutex

	// keyMu serialises building the facet key table, for the same reason;
	// keys is the table of the last snapshot a search asked about.
	keyMu sync.Mutex
	keys  *keyTable
	// textMu guards texts, the stored records of the last snapshot a
	// check read them from.
	textMu sync.Mutex
	texts  *textCache
}

// Open opens the current generation of the index in dir. It fails with an
// error wrapping ErrNoIndex when dir holds no index, ErrLocked when another
// process has it open (after LockTimeout), and ErrStale when its manifest
// does not match this program's analyzer and layout version or its
// document count. Open does not load the segmentation dictionary.
func Open(dir string) (*Index, error) {
	gen, err := currentGeneration(dir)
	if err != nil {
		return nil, err
	}
	ix, err := openGeneration(dir, gen)
	if err != nil {
		return nil, err
	}
	ix.warm()
	return ix, nil
}

// warm reads, in the background, what the first search needs and Open does
// not: the report summaries and the facet key table, one on each core. The
// first search waits for them instead of reading them itself
// (docs/performance.md, "Facet keys from the keyword postings").
func (ix *Index) warm() {
	go func() { _, _ = ix.summaries(context.Background()) }()
	go func() { _, _ = ix.paragraphsPerReport(context.Background()) }()
}

// currentGeneration returns the path of the generation CURRENT names.
func currentGeneration(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%s: %w (run `govsearch index --index %s PATH...`)", dir, ErrNoIndex, dir)
	}
	if err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, genPrefix) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%s: %w: CURRENT names %q, not a generation", dir, ErrStale, name)
	}
	return filepath.Join(dir, name), nil
}

func openGeneration(root, gen string) (*Index, error) {
	path := filepath.Join(gen, bleveDir)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: %w: generation %s is missing", root, ErrStale, filepath.Base(gen))
	}
	bi, err := bleve.OpenUsing(path, map[string]interface{}{"bolt_timeout": LockTimeout.String()})
	if err != nil {
		if strings.Contains(err.Error(), "timeout") {
			return nil, fmt.Errorf("%s: %w (gave up after %s; is `govsearch serve` or `govsearch index` running on it?)", gen, ErrLocked, LockTimeout)
		}
		return nil, fmt.Errorf("%s: %w: %v", gen, ErrStale, err)
	}
	ix := &Index{root: root, gen: gen, bi: bi}
	if err := ix.loadManifest(); err != nil {
		bi.Close()
		return nil, err
	}
	return ix, nil
}

// loadManifest reads and checks the manifest against this program and the
// document count.
func (ix *Index) loadManifest() error {
	raw, err := ix.bi.GetInternal([]byte(manifestKey))
	if err != nil {
		return fmt.Errorf("%s: reading manifest: %w", ix.gen, err)
	}
	if raw == nil {
		return fmt.Errorf("%s: %w: no manifest", ix.gen, ErrStale)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s: %w: manifest: %v", ix.gen, ErrStale, err)
	}
	want := currentManifest()
	if m.Format != want.Format || m.Analyzer != want.Analyzer {
		return fmt.Errorf("%s: %w: written with %s, this program uses %s", ix.gen, ErrStale, m.version(), want.version())
	}
	n, err := ix.bi.DocCount()
	if err != nil {
		return fmt.Errorf("%s: counting documents: %w", ix.gen, err)
	}
	if n != uint64(m.Reports+m.Paragraphs) {
		return fmt.Errorf("%s: %w: manifest counts %d reports and %d paragraphs, the index holds %d documents", ix.gen, ErrStale, m.Reports, m.Paragraphs, n)
	}
	ix.man.Store(&m)
	fs := fieldStats{}
	if raw, err := ix.bi.GetInternal([]byte(fieldStatsKey)); err == nil && raw != nil {
		// Missing or unreadable statistics only degrade ranking.
		_ = json.Unmarshal(raw, &fs)
	}
	ix.fieldStats.Store(&fs)
	return nil
}

// Close closes the index; closing it again returns the first Close's
// result.
func (ix *Index) Close() error {
	ix.life.Lock()
	defer ix.life.Unlock()
	if !ix.closed {
		ix.closed = true
		ix.closeErr = ix.bi.Close()
	}
	return ix.closeErr
}

// Dir returns the generation directory the index was opened from.
func (ix *Index) Dir() string { return ix.gen }

// Stats implements Reader.
func (ix *Index) Stats() Stats {
	m := ix.man.Load()
	n, _ := ix.bi.DocCount()
	return Stats{
		Documents: n,
		Reports:   m.Reports,
		SizeBytes: dirSize(ix.gen),
		Version:   m.version(),
	}
}

// Paragraphs returns the number of paragraphs in the index.
func (ix *Index) Paragraphs() int { return ix.man.Load().Paragraphs }

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// Generations.

// generations lists the generation numbers present in dir, ascending.
func generations(dir string) []int {
	ents, _ := os.ReadDir(dir)
	var out []int
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), genPrefix) {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(e.Name(), genPrefix)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// newGeneration creates the directory of a new generation in dir.
func newGeneration(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	next := 1
	if g := generations(dir); len(g) > 0 {
		next = g[len(g)-1] + 1
	}
	for ; ; next++ {
		gen := filepath.Join(dir, genPrefix+strconv.Itoa(next))
		err := os.Mkdir(gen, 0o755)
		if err == nil {
			return gen, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("index: %w", err)
		}
	}
}

// switchCurrent points dir/CURRENT at gen atomically and durably.
func switchCurrent(dir, gen string) error {
	tmp, err := os.CreateTemp(dir, ".CURRENT-*")
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(filepath.Base(gen) + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("index: writing CURRENT: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("index: writing CURRENT: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("index: writing CURRENT: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, currentFile)); err != nil {
		return fmt.Errorf("index: switching CURRENT: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("index: syncing %s: %w", dir, err)
	}
	return nil
}

// removeOldGenerations deletes the generations older than keep except prev
// (a server may still be reading the one that was current). Newer ones may
// belong to a build still running in another process and are left alone.
func removeOldGenerations(dir, keep, prev string) {
	mine, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(keep), genPrefix))
	if err != nil {
		return
	}
	for _, n := range generations(dir) {
		gen := filepath.Join(dir, genPrefix+strconv.Itoa(n))
		if n >= mine || gen == prev {
			continue
		}
		_ = os.RemoveAll(gen)
	}
}

// segmentConfig is the scorch configuration of a new generation: segments
// in the compact format (registered in mapping.go). Tests replace it to
// write an index as an older format did.
var segmentConfig = compact.IndexConfig

// createGeneration creates an empty bleve index in a new generation of dir.
func createGeneration(dir string) (string, bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return "", nil, err
	}
	gen, err := newGeneration(dir)
	if err != nil {
		return "", nil, err
	}
	bi, err := bleve.NewUsing(filepath.Join(gen, bleveDir), m, scorch.Name, scorch.Name, segmentConfig())
	if err != nil {
		os.RemoveAll(gen)
		return "", nil, fmt.Errorf("index: creating %s: %w", gen, err)
	}
	return gen, bi, nil
}

// builder returns the document builder, constructing it on first use. The
// caller holds wmu.
func (ix *Index) builder() (*docBuilder, error) {
	if ix.docBuild == nil {
		b, err := newDocBuilder(ix.bi.Mapping())
		if err != nil {
			return nil, err
		}
		ix.docBuild = b
	}
	return ix.docBuild, nil
}

// checkCtx returns ctx's error, if any.
func checkCtx(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}
