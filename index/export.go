package index

import (
	"context"
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2/search/query"

	"govsearch/ingest"
)

// walk calls fn for every paragraph that matches req's query and filters,
// with the paragraph's occurrences of the query terms. Reports come in
// year order (then by id), paragraphs in reading order. Paging, sort and
// facet fields of req are ignored: walk is uncapped. It runs one search to
// find the matching reports and one per report, so memory stays bounded by
// the largest report.
func (ix *Index) walk(ctx context.Context, req Request, fn func(rec *ingest.Record, spans []span) error) error {
	if err := CheckCounting(req.Match); err != nil {
		return err
	}
	p, err := compile(&req)
	if err != nil {
		return err
	}
	q := p.build("")
	_, counts, err := ix.countByReport(ctx, collectSpec{query: q, groups: p.groups, best: p.best, check: p.checker()})
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	type rep struct {
		id    string
		year  int
		count int
	}
	var reps []rep
	sums, err := ix.summaries(ctx)
	if err != nil {
		return err
	}
	for id, n := range counts {
		s, _ := sums.lookup(id)
		reps = append(reps, rep{id: id, year: s.Year, count: n})
	}
	sort.Slice(reps, func(i, j int) bool {
		if reps[i].year != reps[j].year {
			return reps[i].year < reps[j].year
		}
		return reps[i].id < reps[j].id
	})
	m, check := p.spanFinder(), p.checker()
	for _, r := range reps {
		if err := checkCtx(ctx); err != nil {
			return err
		}
		recs, err := ix.records(ctx, restrict(q, r.id), r.count)
		if err != nil {
			return err
		}
		for i := range recs {
			if check != nil && !check.matches(recs[i].Text, nil) {
				continue
			}
			spans := m.find(recs[i].Text)
			if err := fn(&recs[i], spans); err != nil {
				return err
			}
		}
	}
	return nil
}

// records returns the records of the paragraphs q matches, in reading
// order; size is the expected number (a lower bound is fine).
func (ix *Index) records(ctx context.Context, q query.Query, size int) ([]ingest.Record, error) {
	var out []ingest.Record
	var after []string
	var sums *cachedReports
	for {
		sr := ix.newRequest(q, max(size, 100), 0)
		sr.Score = "none"
		sr.SortBy([]string{"_id"})
		sr.Fields = []string{fieldRec}
		sr.SearchAfter = after
		res, err := ix.bi.SearchInContext(ctx, sr)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		for _, dm := range res.Hits {
			rec, err := ix.decodeRecord(ctx, dm, &sums)
			if err != nil {
				return nil, err
			}
			out = append(out, *rec)
		}
		if len(res.Hits) < sr.Size {
			break
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ReportID != out[j].ReportID {
			return out[i].ReportID < out[j].ReportID
		}
		if out[i].Ordinal != out[j].Ordinal {
			return out[i].Ordinal < out[j].Ordinal
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Export implements Reader: it emits one row per occurrence of the query
// terms in every matching paragraph, uncapped, reports in year order and
// paragraphs in reading order. A query without positive terms (filters
// only) emits one row per paragraph with an empty Match and the opening of
// the paragraph as Right.
func (ix *Index) Export(ctx context.Context, req Request, emit func(ExportRow) error) error {
	return ix.walk(ctx, req, func(rec *ingest.Record, spans []span) error {
		row := ExportRow{
			ID: rec.ID, ReportID: rec.ReportID, Title: rec.Title, Region: rec.Region,
			Year: rec.Year, Date: rec.Date, Part: rec.Part, Section: rec.Section, Ordinal: rec.Ordinal,
			Text: rec.Text, Level: rec.Level, Speaker: rec.Speaker, Source: rec.Source,
			URL: ParagraphURL(rec.ReportID, rec.Ordinal), Citation: Citation(rec.Meta, rec.Part, rec.Ordinal),
		}
		ri := newRuneIndex(rec.Text)
		if len(spans) == 0 {
			_, _, row.Right = kwic(ri, span{0, 0}, 2*kwicContext)
			return emit(row)
		}
		for _, sp := range spans {
			row.Left, row.Match, row.Right = kwic(ri, sp, kwicContext)
			if err := emit(row); err != nil {
				return err
			}
		}
		return nil
	})
}
