package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"

	"govsearch/ingest"
)

// Update indexes inputs into the open index, one atomic batch per file: the
// reports a file produced before (same source) and reports with the same
// ids are replaced, so re-indexing a file never duplicates. Files that fail
// to parse are skipped and listed in the stats.
func (ix *Index) Update(ctx context.Context, inputs []Input, opts BuildOptions) (*BuildStats, error) {
	start := time.Now()
	st := &BuildStats{Generation: ix.gen}
	total, done := totalSize(inputs), int64(0)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for p := range parseAll(pctx, inputs) {
		done += p.in.Size
		err := ix.updateFile(ctx, p)
		var fe *ingest.FileError
		switch {
		case errors.As(err, &fe):
			st.Errors = append(st.Errors, err)
			continue
		case err != nil:
			return st, err
		}
		st.addFile(p.in, p.file.Reports)
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

// updateFile replaces what one parsed file produced before with its
// reports. A file that cannot be indexed is an *ingest.FileError; any
// other error ends the update.
func (ix *Index) updateFile(ctx context.Context, p parsed) error {
	if p.err != nil {
		return p.err
	}
	if err := validateReports(p.file.Reports, map[string]string{}, p.in.Name); err != nil {
		return err
	}
	var sources []string
	for _, r := range p.file.Reports {
		if !slices.Contains(sources, r.Source) {
			sources = append(sources, r.Source)
		}
	}
	err := ix.replace(ctx, sources, p.file.Reports)
	var qe *QueryError
	if errors.As(err, &qe) {
		return &ingest.FileError{Path: p.in.Name, Err: errors.New(qe.Message)}
	}
	return err
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
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	b, err := ix.builder()
	if err != nil {
		return err
	}
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
