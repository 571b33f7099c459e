package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/search/query"

	"govsearch/analyzer"
	"govsearch/ingest"
)

// Input is one raw report file to index.
type Input struct {
	Name string // the source name given to ingest.Parse
	Size int64
	Read func() ([]byte, error)
}

// InputsFromPaths lists the files named by paths, the way ingest.ReadPaths
// reads them: a file named directly is taken whatever its name; below a
// directory only *.txt files count, and hidden files and directories are
// skipped. A path that cannot be read is an error.
func InputsFromPaths(paths []string) ([]Input, error) {
	var out []Input
	for _, root := range paths {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != root {
				if strings.HasPrefix(d.Name(), ".") {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if !d.IsDir() && !strings.EqualFold(filepath.Ext(d.Name()), ".txt") {
					return nil
				}
			}
			if !d.Type().IsRegular() {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			p := path
			out = append(out, Input{Name: p, Size: fi.Size(), Read: func() ([]byte, error) { return os.ReadFile(p) }})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
	}
	return out, nil
}

// InputsFromFS lists the *.txt files of fsys (hidden ones skipped), for
// example the embedded seed corpus.
func InputsFromFS(fsys fs.FS) ([]Input, error) {
	var out []Input
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.EqualFold(filepath.Ext(d.Name()), ".txt") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		p := path
		out = append(out, Input{Name: p, Size: fi.Size(), Read: func() ([]byte, error) { return fs.ReadFile(fsys, p) }})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	return out, nil
}

// BuildOptions tune Build and Update.
type BuildOptions struct {
	// BatchSize is the number of paragraphs per bleve batch in a full
	// build (default 10,000); a batch is also cut at batchBytes of text,
	// which bounds the memory analysis takes. Updates write one batch per
	// file.
	BatchSize int
	// Progress, when set, is called after each file with the bytes done
	// and the total.
	Progress func(done, total int64)
	// MemoryLimit is the soft memory limit a full build runs under, in
	// bytes (see runtime/debug.SetMemoryLimit): 0 means DefaultBuildMemory,
	// a negative value none. The collector runs rarely below it. GOGC or
	// GOMEMLIMIT in the environment leave the collector as they set it.
	MemoryLimit int64
}

// DefaultBuildMemory is the soft memory limit of a full build. A build
// allocates mostly short-lived analysis output, so it runs the garbage
// collector at a target of 800% up to this limit, where collection becomes
// more frequent. National corpus, CPU and peak memory: 2.5 s and 0.80 GB
// at the default 100%, 2.1 s and 0.79 GB at 400%, 1.96 s and 0.87 GB at
// 800%. The limit bounds large builds: on a 256 MiB corpus the peak was
// 1.46 GB at 100%, 4.1 GB at 400% alone and 1.8 GB at 400% under the
// limit; at 1 GiB, 2.9 GB, because the final merge's live heap exceeds it.
const DefaultBuildMemory = 1536 << 20

// BuildStats summarises a build or update.
type BuildStats struct {
	Generation string        // the generation directory written
	Files      int           // files indexed
	Reports    int           // reports indexed
	Paragraphs int           // paragraphs indexed
	Bytes      int64         // raw bytes of the files indexed
	Elapsed    time.Duration // wall time
	Errors     []error       // files skipped, each naming its file
}

// MBPerSecond is the raw input throughput.
func (s *BuildStats) MBPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Bytes) / 1e6 / s.Elapsed.Seconds()
}

// buildGCPercent is the garbage collector's target while Build runs; see
// DefaultBuildMemory.
const buildGCPercent = 800

// tuneCollector sets the collector for a build and returns the function
// that restores it. Settings made in the environment are left alone.
func tuneCollector(limit int64) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	if limit == 0 {
		limit = DefaultBuildMemory
	}
	oldLimit := debug.SetMemoryLimit(-1)
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	oldPercent := debug.SetGCPercent(buildGCPercent)
	return func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}

// batchBytes is the most raw text a full build puts in one batch. Each
// batch becomes one segment, and segments are merged into one at the end:
// few large batches spend less on merging than many small ones (on the
// national corpus, 3.3 MB, one batch instead of thirteen saves a third of
// the build's CPU time) at the price of the analysed batch in memory.
const batchBytes = 4 << 20

// parsed is one parsed input.
type parsed struct {
	in   Input
	file *ingest.File
	err  error
}

// parseAll parses inputs in order on a background goroutine, a few files
// ahead of the consumer.
func parseAll(ctx context.Context, inputs []Input) <-chan parsed {
	ch := make(chan parsed, 4)
	go func() {
		defer close(ch)
		for _, in := range inputs {
			if ctx.Err() != nil {
				return
			}
			data, err := in.Read()
			var f *ingest.File
			if err == nil {
				f, err = ingest.Parse(in.Name, data)
			}
			if err != nil {
				var fe *ingest.FileError
				if !errors.As(err, &fe) {
					err = &ingest.FileError{Path: in.Name, Err: err}
				}
			}
			select {
			case ch <- parsed{in: in, file: f, err: err}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// Build indexes inputs into a new generation of the index in dir and makes
// it current when it is complete; a reader of dir never sees a half-built
// index. Files that fail to parse or that repeat a report id are skipped and
// listed in the stats. Older generations except the one that was current
// are removed.
func Build(ctx context.Context, dir string, inputs []Input, opts BuildOptions) (*BuildStats, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 10000
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
	ok := false
	defer func() {
		if !ok {
			bi.Close()
			os.RemoveAll(gen)
		}
	}()
	b, err := newDocBuilder(bi.Mapping())
	if err != nil {
		return nil, err
	}
	st := &BuildStats{Generation: gen}
	var total, done int64
	for _, in := range inputs {
		total += in.Size
	}

	// One batch is written at a time: bleve analyses a batch's documents
	// on all cores, and a second batch in flight would double the memory
	// for little gain.
	var (
		wg       sync.WaitGroup
		slots    = make(chan struct{}, 1)
		errMu    sync.Mutex
		batchErr error
	)
	totals := fieldStats{}
	flush := func(batch *bleve.Batch, docs []*document.Document) {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			err := bi.Batch(batch)
			errMu.Lock()
			defer errMu.Unlock()
			if err != nil {
				batchErr = err
				return
			}
			for _, d := range docs {
				addLengths(totals, d)
			}
		}()
	}
	failed := func() error {
		errMu.Lock()
		defer errMu.Unlock()
		return batchErr
	}

	seen := map[string]string{} // report id → source file
	batch := bi.NewBatch()
	var docs []*document.Document
	var inBatch int64
	man := currentManifest()
	// Stopping early must also stop the parser.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for p := range parseAll(pctx, inputs) {
		if err := failed(); err != nil {
			break
		}
		done += p.in.Size
		if p.err != nil {
			st.Errors = append(st.Errors, p.err)
			continue
		}
		if err := validateReports(p.file.Reports, seen, p.in.Name); err != nil {
			st.Errors = append(st.Errors, err)
			continue
		}
		for i := range p.file.Reports {
			r := &p.file.Reports[i]
			if docs, err = addReport(batch, b, r, docs); err != nil {
				wg.Wait()
				return nil, err
			}
			st.Reports++
			st.Paragraphs += len(r.Paragraphs)
		}
		st.Files++
		st.Bytes += p.in.Size
		inBatch += p.in.Size
		if len(docs) >= opts.BatchSize || inBatch >= batchBytes {
			flush(batch, docs)
			batch, docs, inBatch = bi.NewBatch(), nil, 0
		}
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	wg.Wait()
	if err := failed(); err != nil {
		return nil, fmt.Errorf("index: writing %s: %w", gen, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(docs) > 0 {
		flush(batch, docs)
		wg.Wait()
		if err := failed(); err != nil {
			return nil, fmt.Errorf("index: writing %s: %w", gen, err)
		}
	}
	// The manifest goes last: a generation without one is incomplete.
	batch = bi.NewBatch()
	man.Reports, man.Paragraphs = st.Reports, st.Paragraphs
	man.Updated = time.Now().UTC().Format(time.RFC3339)
	if err := setManifest(batch, man); err != nil {
		return nil, err
	}
	if err := setFieldStats(batch, totals); err != nil {
		return nil, err
	}
	if err := bi.Batch(batch); err != nil {
		return nil, fmt.Errorf("index: writing %s: %w", gen, err)
	}
	n, err := bi.DocCount()
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	if n != uint64(man.Reports+man.Paragraphs) {
		return nil, fmt.Errorf("index: %d reports and %d paragraphs were written but the index holds %d documents: paragraph ids repeat across reports", man.Reports, man.Paragraphs, n)
	}
	// One segment: smaller (one dictionary per field instead of one per
	// segment) and faster to search; a fresh generation is read-mostly.
	if err := forceMerge(ctx, bi); err != nil {
		return nil, fmt.Errorf("index: merging %s: %w", gen, err)
	}
	ok = true
	if err := bi.Close(); err != nil {
		os.RemoveAll(gen)
		return nil, fmt.Errorf("index: closing %s: %w", gen, err)
	}
	// Opening the new generation once checks it before it becomes current
	// and lets bleve delete the segments the merge made obsolete.
	check, err := openGeneration(dir, gen)
	if err != nil {
		os.RemoveAll(gen)
		return nil, fmt.Errorf("index: checking %s: %w", gen, err)
	}
	// bleve deletes obsolete segment files in the background after open;
	// give it a moment, or the next open finishes the job.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if zaps, _ := filepath.Glob(filepath.Join(gen, bleveDir, "store", "*.zap")); len(zaps) <= 1 {
			break
		}
	}
	if err := check.Close(); err != nil {
		return nil, fmt.Errorf("index: checking %s: %w", gen, err)
	}
	if err := switchCurrent(dir, gen); err != nil {
		return nil, err
	}
	removeOldGenerations(dir, gen, prev)
	st.Elapsed = time.Since(start)
	return st, nil
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

// validateReports checks the reports of one file: ids present and unique,
// paragraphs that belong to their report. seen maps report ids already
// taken to their source; it is extended on success.
func validateReports(reports []ingest.Report, seen map[string]string, source string) error {
	local := map[string]bool{}
	for i := range reports {
		r := &reports[i]
		if err := validateReport(r); err != nil {
			return &ingest.FileError{Path: source, Err: err}
		}
		if other, dup := seen[r.ID]; dup {
			return &ingest.FileError{Path: source, Err: fmt.Errorf("report id %q is also produced by %s", r.ID, other)}
		}
		if local[r.ID] {
			return &ingest.FileError{Path: source, Err: fmt.Errorf("report id %q appears twice", r.ID)}
		}
		local[r.ID] = true
	}
	for id := range local {
		seen[id] = source
	}
	return nil
}

// validateReport checks one report; a paragraph without a report id gets
// its report's.
func validateReport(r *ingest.Report) error {
	if r.ID == "" {
		return errors.New("a report has no id")
	}
	if len(r.Paragraphs) == 0 {
		return fmt.Errorf("report %q has no paragraphs", r.ID)
	}
	ids := make(map[string]bool, len(r.Paragraphs))
	for i := range r.Paragraphs {
		p := &r.Paragraphs[i]
		switch {
		case p.ID == "":
			return fmt.Errorf("report %q: paragraph %d has no id", r.ID, i+1)
		case strings.HasPrefix(p.ID, reportDocPrefix):
			return fmt.Errorf("report %q: paragraph id %q is reserved", r.ID, p.ID)
		case ids[p.ID]:
			return fmt.Errorf("report %q: paragraph id %q appears twice", r.ID, p.ID)
		}
		if p.ReportID == "" {
			p.ReportID = r.ID
		} else if p.ReportID != r.ID {
			return fmt.Errorf("report %q: paragraph %q names report %q", r.ID, p.ID, p.ReportID)
		}
		ids[p.ID] = true
	}
	return nil
}

// addReport adds the documents of one report to a batch and returns the
// paragraph documents (their lengths are known once the batch is applied).
func addReport(batch *bleve.Batch, b *docBuilder, r *ingest.Report, docs []*document.Document) ([]*document.Document, error) {
	d, err := reportDoc(r)
	if err != nil {
		return docs, err
	}
	if err := batch.IndexAdvanced(d); err != nil {
		return docs, err
	}
	for i := range r.Paragraphs {
		d, err := b.paragraphDoc(r, &r.Paragraphs[i])
		if err != nil {
			return docs, err
		}
		if err := batch.IndexAdvanced(d); err != nil {
			return docs, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func setManifest(batch *bleve.Batch, m manifest) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	batch.SetInternal([]byte(manifestKey), raw)
	return nil
}

// Update indexes inputs into the open index, one atomic batch per file: the
// reports a file produced before (same source) and reports with the same
// ids are replaced, so re-indexing a file never duplicates. Files that fail
// to parse are skipped and listed in the stats.
func (ix *Index) Update(ctx context.Context, inputs []Input, opts BuildOptions) (*BuildStats, error) {
	start := time.Now()
	st := &BuildStats{Generation: ix.gen}
	var total, done int64
	for _, in := range inputs {
		total += in.Size
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for p := range parseAll(pctx, inputs) {
		done += p.in.Size
		if p.err != nil {
			st.Errors = append(st.Errors, p.err)
			continue
		}
		if err := validateReports(p.file.Reports, map[string]string{}, p.in.Name); err != nil {
			st.Errors = append(st.Errors, err)
			continue
		}
		sources := map[string]bool{}
		for _, r := range p.file.Reports {
			sources[r.Source] = true
		}
		var srcList []string
		for s := range sources {
			srcList = append(srcList, s)
		}
		if err := ix.replace(ctx, srcList, p.file.Reports); err != nil {
			var qe *ValidationError
			if errors.As(err, &qe) {
				st.Errors = append(st.Errors, &ingest.FileError{Path: p.in.Name, Err: errors.New(qe.Message)})
				continue
			}
			return st, err
		}
		st.Files++
		st.Bytes += p.in.Size
		st.Reports += len(p.file.Reports)
		for _, r := range p.file.Reports {
			st.Paragraphs += len(r.Paragraphs)
		}
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// AddReports implements Writer: it adds reports in one atomic batch,
// replacing reports with the same ids. Invalid reports are a
// *ValidationError with Param "reports".
func (ix *Index) AddReports(ctx context.Context, reports []ingest.Report) error {
	if len(reports) == 0 {
		return invalid("reports", "", RuleText, "no reports given")
	}
	if err := validateReports(reports, map[string]string{}, "reports"); err != nil {
		var fe *ingest.FileError
		if errors.As(err, &fe) {
			err = fe.Err
		}
		return invalid("reports", "", RuleSyntax, err.Error())
	}
	return ix.replace(ctx, nil, reports)
}

// DeleteReport implements Writer: it removes a report and all its
// paragraphs in one atomic batch, or returns ErrNotFound.
func (ix *Index) DeleteReport(ctx context.Context, id string) error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	old, err := ix.matchingIDs(ctx, query.NewDisjunctionQuery([]query.Query{termQ(fieldRID, id), termQ(fieldReportID, id)}))
	if err != nil {
		return err
	}
	if len(old) == 0 {
		return fmt.Errorf("report %q: %w", id, ErrNotFound)
	}
	return ix.commit(old, nil)
}

// replace deletes the documents of the reports from sources and of the
// reports with the ids of reports, and adds reports, in one batch.
// The caller has validated reports.
func (ix *Index) replace(ctx context.Context, sources []string, reports []ingest.Report) error {
	b, err := ix.builder()
	if err != nil {
		return err
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.rememberWritten(reports)
	var which []query.Query
	for _, s := range sources {
		which = append(which, termQ(fieldRSource, s), termQ(fieldSource, s))
	}
	for _, r := range reports {
		which = append(which, termQ(fieldRID, r.ID), termQ(fieldReportID, r.ID))
	}
	var old []string
	if len(which) > 0 {
		if old, err = ix.matchingIDs(ctx, query.NewDisjunctionQuery(which)); err != nil {
			return err
		}
	}
	// A new paragraph id must not belong to a report that stays.
	var newIDs []string
	for _, r := range reports {
		for _, p := range r.Paragraphs {
			newIDs = append(newIDs, p.ID)
		}
	}
	var taken []string
	if len(newIDs) > 0 {
		if taken, err = ix.matchingIDs(ctx, query.NewDocIDQuery(newIDs)); err != nil {
			return err
		}
	}
	oldSet := make(map[string]bool, len(old))
	for _, id := range old {
		oldSet[id] = true
	}
	for _, id := range taken {
		if !oldSet[id] {
			rec, err := ix.Paragraph(ctx, id)
			owner := "another report"
			if err == nil {
				owner = fmt.Sprintf("report %q", rec.ReportID)
			}
			return invalid("reports", id, RuleConflict, fmt.Sprintf("paragraph id %q already belongs to %s", id, owner))
		}
	}
	return ix.commit(old, func(batch *bleve.Batch) (int, []*document.Document, error) {
		var docs []*document.Document
		for i := range reports {
			if docs, err = addReport(batch, b, &reports[i], docs); err != nil {
				return 0, nil, err
			}
		}
		return len(reports), docs, nil
	})
}

// commit deletes the documents del, lets add fill the batch, updates the
// manifest in the same batch and applies it. The caller holds wmu.
func (ix *Index) commit(del []string, add func(*bleve.Batch) (reports int, docs []*document.Document, err error)) error {
	batch := ix.bi.NewBatch()
	m := *ix.man.Load()
	deletedParas := 0
	for _, id := range del {
		batch.Delete(id)
		if strings.HasPrefix(id, reportDocPrefix) {
			m.Reports--
		} else {
			m.Paragraphs--
			deletedParas++
		}
	}
	var docs []*document.Document
	if add != nil {
		r, d, err := add(batch)
		if err != nil {
			return err
		}
		docs = d
		m.Reports += r
		m.Paragraphs += len(d)
	}
	m.Updated = time.Now().UTC().Format(time.RFC3339)
	if err := setManifest(batch, m); err != nil {
		return err
	}
	if err := ix.bi.Batch(batch); err != nil {
		// scorch makes a batch visible in memory before it persists it, and
		// persists it later when it can: keep the manifest in step with
		// what the index holds.
		if raw, gerr := ix.bi.GetInternal([]byte(manifestKey)); gerr == nil && raw != nil {
			var cur manifest
			if json.Unmarshal(raw, &cur) == nil {
				ix.man.Store(&cur)
			}
		}
		ix.epoch.Add(1)
		return fmt.Errorf("index: writing: %w", err)
	}
	ix.man.Store(&m)
	ix.epoch.Add(1)

	// Field statistics follow in a batch of their own: they only steer
	// ranking, and the added documents' lengths are known only now. A
	// deleted paragraph is taken to have had the average lengths.
	totals := ix.fieldStats.Load().adjust(deletedParas, ix.Paragraphs()+deletedParas-len(docs))
	for _, d := range docs {
		addLengths(totals, d)
	}
	sb := ix.bi.NewBatch()
	if err := setFieldStats(sb, totals); err != nil {
		return err
	}
	if err := ix.bi.Batch(sb); err != nil {
		return fmt.Errorf("index: writing field statistics: %w", err)
	}
	ix.fieldStats.Store(&totals)
	return nil
}

// matchingIDs returns the ids of every document q matches.
func (ix *Index) matchingIDs(ctx context.Context, q query.Query) ([]string, error) {
	n, err := ix.bi.DocCount()
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	sr := ix.newRequest(q, int(n)+1, 0)
	sr.Score = "none"
	res, err := ix.bi.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	sort.Strings(ids)
	return ids, nil
}
