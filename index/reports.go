package index

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"

	"govsearch/ingest"
)

// cachedReports is the list of report summaries at one epoch.
type cachedReports struct {
	epoch uint64
	list  []ReportSummary
	byID  map[string]ReportSummary
	// gone holds the summaries of reports the previous load had and this
	// one has not: a search that ran on the index before a report was
	// deleted still finds its metadata.
	gone map[string]ReportSummary
	// charsByKey holds each report's characters by paragraph facet key
	// (storedSummary.CharsByKey).
	charsByKey map[string]map[string]int
}

// lookup returns the summary of report id, also of one deleted since the
// previous load.
func (c *cachedReports) lookup(id string) (ReportSummary, bool) {
	if s, ok := c.byID[id]; ok {
		return s, true
	}
	s, ok := c.gone[id]
	return s, ok
}

// summaries returns the report summaries, loading them once per epoch.
func (ix *Index) summaries(ctx context.Context) (*cachedReports, error) {
	epoch := ix.epoch.Load()
	ix.cacheMu.Lock()
	c := ix.reports
	ix.cacheMu.Unlock()
	if c != nil && c.epoch == epoch {
		return c, nil
	}
	// One load at a time: a search arriving while another (or the warm-up)
	// loads waits for that load.
	ix.sumLoadMu.Lock()
	defer ix.sumLoadMu.Unlock()
	ix.cacheMu.Lock()
	c = ix.reports
	ix.cacheMu.Unlock()
	if c != nil && c.epoch == epoch {
		return c, nil
	}
	return ix.loadSummaries(ctx, epoch)
}

// rememberWritten records the summaries of reports about to be written.
func (ix *Index) rememberWritten(reports []ingest.Report) {
	ix.cacheMu.Lock()
	defer ix.cacheMu.Unlock()
	if ix.written == nil {
		ix.written = map[string]ReportSummary{}
	}
	for _, r := range reports {
		ix.written[r.ID] = Summarize(&r)
	}
}

// loadSummaries reads the report summaries and caches them for epoch.
func (ix *Index) loadSummaries(ctx context.Context, epoch uint64) (*cachedReports, error) {
	n := ix.man.Load().Reports
	sr := ix.newRequest(termQ(fieldType, typeReport), max(n, 1)+16, 0)
	sr.Score = "none"
	sr.Fields = []string{fieldRec}
	res, err := ix.bi.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	c := &cachedReports{epoch: epoch, byID: make(map[string]ReportSummary, len(res.Hits)),
		charsByKey: make(map[string]map[string]int, len(res.Hits))}
	for _, dm := range res.Hits {
		raw, _ := dm.Fields[fieldRec].(string)
		var ss storedSummary
		if err := json.Unmarshal([]byte(raw), &ss); err != nil {
			return nil, fmt.Errorf("reports: document %q: %w", dm.ID, err)
		}
		s := ss.ReportSummary
		c.list = append(c.list, s)
		c.byID[s.ID] = s
		c.charsByKey[s.ID] = ss.CharsByKey
	}
	sort.Slice(c.list, func(i, j int) bool {
		a, b := c.list[i], c.list[j]
		if a.Year != b.Year {
			return a.Year > b.Year
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.ID < b.ID
	})
	ix.cacheMu.Lock()
	keepGone := func(known map[string]ReportSummary) {
		for id, s := range known {
			if _, ok := c.byID[id]; !ok {
				if c.gone == nil {
					c.gone = map[string]ReportSummary{}
				}
				c.gone[id] = s
			}
		}
	}
	if prev := ix.reports; prev != nil {
		keepGone(prev.byID)
	}
	keepGone(ix.written)
	if ix.reports == nil || ix.reports.epoch <= epoch {
		ix.reports = c
	}
	ix.cacheMu.Unlock()
	return c, nil
}

// Reports implements Reader: every report, newest year first, then by
// region and id.
func (ix *Index) Reports(ctx context.Context) ([]ReportSummary, error) {
	c, err := ix.summaries(ctx)
	if err != nil {
		return nil, err
	}
	return append([]ReportSummary(nil), c.list...), nil
}

// Report implements Reader: the report's metadata and all its paragraphs
// in reading order, or ErrNotFound.
func (ix *Index) Report(ctx context.Context, id string) (*ingest.Report, error) {
	c, err := ix.summaries(ctx)
	if err != nil {
		return nil, err
	}
	s, ok := c.byID[id]
	if !ok {
		return nil, fmt.Errorf("report %q: %w", id, ErrNotFound)
	}
	recs, err := ix.records(ctx, termQ(fieldReportID, id), s.Paragraphs)
	if err != nil {
		return nil, err
	}
	r := &ingest.Report{ID: id, Meta: s.Meta, Paragraphs: make([]ingest.Paragraph, len(recs))}
	for i, rec := range recs {
		r.Paragraphs[i] = rec.Paragraph
	}
	return r, nil
}

// Paragraph implements Reader: one paragraph with its report's metadata,
// or ErrNotFound.
func (ix *Index) Paragraph(ctx context.Context, id string) (*ingest.Record, error) {
	sr := ix.newRequest(query.NewConjunctionQuery([]query.Query{
		query.NewDocIDQuery([]string{id}), termQ(fieldType, typeParagraph),
	}), 1, 0)
	sr.Score = "none"
	sr.Fields = []string{fieldRec}
	res, err := ix.bi.SearchInContext(ctx, sr)
	if err != nil {
		return nil, fmt.Errorf("paragraph: %w", err)
	}
	if len(res.Hits) == 0 {
		return nil, fmt.Errorf("paragraph %q: %w", id, ErrNotFound)
	}
	var sums *cachedReports
	return ix.decodeRecord(ctx, res.Hits[0], &sums)
}

// Verify checks the index more deeply than Open: every report's stored
// paragraph count must equal the number of paragraph documents carrying
// its id, and no paragraph may belong to an unknown report. A mismatch is
// an error wrapping ErrStale that names the first few reports concerned.
// It reads every paragraph's report key once (the table the first search
// of the same snapshot then reuses), so it takes longer than Open.
func (ix *Index) Verify(ctx context.Context) error {
	sums, err := ix.summaries(ctx)
	if err != nil {
		return err
	}
	counts, err := ix.paragraphsPerReport(ctx)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	keyed := 0
	for _, n := range counts {
		keyed += n
	}
	docs, err := ix.bi.DocCount()
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	paragraphs := int(docs) - len(sums.list)
	var bad []string
	if keyed != paragraphs {
		bad = append(bad, fmt.Sprintf("%d of %d paragraph documents carry a report key", keyed, paragraphs))
	}
	for _, s := range sums.list {
		if counts[s.ID] != s.Paragraphs {
			bad = append(bad, fmt.Sprintf("report %s lists %d paragraphs, the index holds %d", s.ID, s.Paragraphs, counts[s.ID]))
		}
		delete(counts, s.ID)
	}
	for id, n := range counts {
		bad = append(bad, fmt.Sprintf("%d paragraphs belong to unknown report %s", n, id))
	}
	if m := ix.man.Load(); len(sums.list) != m.Reports || paragraphs != m.Paragraphs {
		bad = append(bad, fmt.Sprintf("manifest counts %d reports and %d paragraphs, the index holds %d and %d", m.Reports, m.Paragraphs, len(sums.list), paragraphs))
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	if len(bad) > 5 {
		bad = append(bad[:5], fmt.Sprintf("and %d more", len(bad)-5))
	}
	return fmt.Errorf("%s: %w: %s", ix.gen, ErrStale, strings.Join(bad, "; "))
}
