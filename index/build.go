package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"govsearch/analyzer"
)

// defaultBatchSize is BuildOptions.BatchSize when none is given.
const defaultBatchSize = 10000

// batchBytes is the most raw text a full build puts in one batch. Each
// batch becomes one segment, and segments are merged into one at the end:
// few large batches spend less on merging than many small ones, at the
// price of the analysed batch in memory (docs/performance.md, "Where the
// time and memory go").
const batchBytes = 4 << 20

// Build indexes inputs into a new generation of the index in dir and makes
// it current when it is complete; a reader of dir never sees a half-built
// index. Files that fail to parse or that repeat a report id are skipped and
// listed in the stats. Older generations except the one that was current
// are removed.
func Build(ctx context.Context, dir string, inputs []Input, opts BuildOptions) (*BuildStats, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = defaultBatchSize
	}
	defer tuneCollector(opts.MemoryLimit)()
	// The word dictionary loads while the first files are parsed; the
	// first batch's analysis would otherwise wait for it.
	analyzer.Preload()
	prev, _ := currentGeneration(dir)
	gen, bi, err := createGeneration(dir)
	if err != nil {
		return nil, err
	}
	st, err := fillGeneration(ctx, bi, gen, inputs, opts)
	if err == nil {
		// The heap the batches grew to (up to the memory limit) is
		// garbage now; handing it back before the final merge keeps it
		// from adding to the merge's mapped segment pages at the peak.
		debug.FreeOSMemory()
		// One segment: smaller (one dictionary per field instead of one
		// per segment) and faster to search; a fresh generation is
		// read-mostly.
		if err = forceMerge(ctx, bi); err != nil {
			err = fmt.Errorf("index: merging %s: %w", gen, err)
		}
	}
	if err != nil {
		bi.Close()
		os.RemoveAll(gen)
		return nil, err
	}
	if err := bi.Close(); err != nil {
		os.RemoveAll(gen)
		return nil, fmt.Errorf("index: closing %s: %w", gen, err)
	}
	if err := checkGeneration(dir, gen); err != nil {
		return nil, err
	}
	if err := switchCurrent(dir, gen); err != nil {
		return nil, err
	}
	removeOldGenerations(dir, gen, prev)
	st.Elapsed = time.Since(start)
	return st, nil
}

// fillGeneration writes the documents of inputs and then the manifest into
// the empty index bi of generation gen.
func fillGeneration(ctx context.Context, bi bleve.Index, gen string, inputs []Input, opts BuildOptions) (*BuildStats, error) {
	b, err := newDocBuilder(bi.Mapping())
	if err != nil {
		return nil, err
	}
	w := newBatchWriter(bi)
	g := &genFiller{bi: bi, docs: b, w: w, maxDocs: opts.BatchSize, st: &BuildStats{Generation: gen},
		seen: map[string]string{}, batch: bi.NewBatch()}
	total, done := totalSize(inputs), int64(0)
	// Stopping early must also stop the parser.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for p := range parseAll(pctx, inputs) {
		if w.failed() != nil {
			break
		}
		done += p.in.Size
		indexed, err := g.add(p)
		if err != nil {
			w.wait()
			return nil, err
		}
		if indexed && opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	if err := w.wait(); err != nil {
		return nil, fmt.Errorf("index: writing %s: %w", gen, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(g.pending) > 0 {
		w.flush(g.batch, g.pending)
		if err := w.wait(); err != nil {
			return nil, fmt.Errorf("index: writing %s: %w", gen, err)
		}
	}
	if err := g.writeManifest(w.lengths()); err != nil {
		return nil, err
	}
	return g.st, nil
}

// genFiller adds parsed files to the batches of a new generation.
type genFiller struct {
	bi      bleve.Index
	docs    *docBuilder
	w       *batchWriter
	maxDocs int // paragraphs per batch
	st      *BuildStats
	seen    map[string]string // report id → source file

	batch   *bleve.Batch         // the batch being filled
	pending []*document.Document // its paragraph documents
	inBatch int64                // its raw bytes
}

// add adds the reports of one parsed file to the batch, or records why the
// file is skipped; indexed says which. A full batch is handed to the
// writer. An error is one that ends the build.
func (g *genFiller) add(p parsed) (indexed bool, err error) {
	if p.err != nil {
		g.st.Errors = append(g.st.Errors, p.err)
		return false, nil
	}
	if err := validateReports(p.file.Reports, g.seen, p.in.Name); err != nil {
		g.st.Errors = append(g.st.Errors, err)
		return false, nil
	}
	for i := range p.file.Reports {
		if g.pending, err = addReport(g.batch, g.docs, &p.file.Reports[i], g.pending); err != nil {
			return false, err
		}
	}
	g.st.addFile(p.in, p.file.Reports)
	g.inBatch += p.in.Size
	if len(g.pending) >= g.maxDocs || g.inBatch >= batchBytes {
		g.w.flush(g.batch, g.pending)
		g.batch, g.pending, g.inBatch = g.bi.NewBatch(), nil, 0
	}
	return true, nil
}

// writeManifest writes the manifest and the field statistics, and checks
// that the index holds every document written. The manifest goes last: a
// generation without one is incomplete.
func (g *genFiller) writeManifest(totals fieldStats) error {
	gen := g.st.Generation
	man := currentManifest()
	man.Reports, man.Paragraphs = g.st.Reports, g.st.Paragraphs
	man.Updated = time.Now().UTC().Format(time.RFC3339)
	batch := g.bi.NewBatch()
	if err := setManifest(batch, man); err != nil {
		return err
	}
	if err := setFieldStats(batch, totals); err != nil {
		return err
	}
	if err := g.bi.Batch(batch); err != nil {
		return fmt.Errorf("index: writing %s: %w", gen, err)
	}
	n, err := g.bi.DocCount()
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if n != uint64(man.Reports+man.Paragraphs) {
		return fmt.Errorf("index: %d reports and %d paragraphs were written but the index holds %d documents: paragraph ids repeat across reports", man.Reports, man.Paragraphs, n)
	}
	return nil
}

// batchWriter applies a build's batches on a goroutine of its own, one at
// a time: bleve analyses a batch's documents on all cores, and a second
// batch in flight would double the memory for little gain. It sums the
// field lengths of the paragraphs applied.
type batchWriter struct {
	bi   bleve.Index
	slot chan struct{} // holds the batch being applied
	wg   sync.WaitGroup

	mu     sync.Mutex // guards err and totals
	err    error      // the first failed batch's
	totals fieldStats
}

func newBatchWriter(bi bleve.Index) *batchWriter {
	return &batchWriter{bi: bi, slot: make(chan struct{}, 1), totals: fieldStats{}}
}

// flush applies batch in the background once the previous batch is done;
// docs are its paragraph documents.
func (w *batchWriter) flush(batch *bleve.Batch, docs []*document.Document) {
	w.slot <- struct{}{}
	w.wg.Add(1)
	go func() {
		defer func() { <-w.slot; w.wg.Done() }()
		err := w.bi.Batch(batch)
		w.mu.Lock()
		defer w.mu.Unlock()
		if err != nil {
			w.err = err
			return
		}
		for _, d := range docs {
			addLengths(w.totals, d)
		}
	}()
}

// failed returns the error of a failed batch, if any.
func (w *batchWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// wait waits for the batch in flight and returns failed().
func (w *batchWriter) wait() error {
	w.wg.Wait()
	return w.failed()
}

// lengths returns the field lengths summed so far; call it after wait.
func (w *batchWriter) lengths() fieldStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.totals
}

// forceMerge merges the segments of a scorch index into one.
func forceMerge(ctx context.Context, bi bleve.Index) error {
	adv, err := bi.Advanced()
	if err != nil {
		return err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	return sc.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions)
}

// checkGeneration opens the new generation gen once, which checks it
// before it becomes current and lets bleve delete the segments the merge
// made obsolete. A generation that does not open is removed.
func checkGeneration(dir, gen string) error {
	check, err := openGeneration(dir, gen)
	if err != nil {
		os.RemoveAll(gen)
		return fmt.Errorf("index: checking %s: %w", gen, err)
	}
	// bleve deletes obsolete segment files in the background after open;
	// give it a moment, or the next open finishes the job.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if zaps, _ := filepath.Glob(filepath.Join(gen, bleveDir, "store", "*.zap")); len(zaps) <= 1 {
			break
		}
	}
	if err := check.Close(); err != nil {
		return fmt.Errorf("index: checking %s: %w", gen, err)
	}
	return nil
}
