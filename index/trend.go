package index

import (
	"context"
	"sort"

	"govsearch/ingest"
)

// reportMatches is what a walk found in one report.
type reportMatches struct {
	paragraphs  int
	occurrences int
}

// matchesByReport walks every match of req and counts matching paragraphs
// and occurrences per report; each is passed to visit too, when not nil.
func (ix *Index) matchesByReport(ctx context.Context, req Request, visit func(rec *ingest.Record, spans []span) error) (map[string]*reportMatches, error) {
	out := map[string]*reportMatches{}
	err := ix.walk(ctx, req, func(rec *ingest.Record, spans []span) error {
		m := out[rec.ReportID]
		if m == nil {
			m = &reportMatches{}
			out[rec.ReportID] = m
		}
		m.paragraphs++
		m.occurrences += len(spans)
		if visit != nil {
			return visit(rec, spans)
		}
		return nil
	})
	return out, err
}

// Trend implements Reader: one cell for every year and region with at
// least one report the request covers (its filters on region, level and
// year), and none where there is no report, ordered by year, then region.
// A covered report without a match still counts in Reports and Chars.
// Its sums of Paragraphs and Occurrences equal the paragraphs and rows of
// Export for the same request.
func (ix *Index) Trend(ctx context.Context, req Request) (*Trend, error) {
	reps, found, err := ix.coveredMatches(ctx, req, nil)
	if err != nil {
		return nil, err
	}
	return &Trend{Query: req.Query, Cells: trendCells(reps, found)}, nil
}

// coveredMatches returns the reports req covers and what a walk of its
// matches found in them (matchesByReport). The reports are read after the
// walk, so none the walk found is missing unless it was deleted since.
func (ix *Index) coveredMatches(ctx context.Context, req Request, visit func(rec *ingest.Record, spans []span) error) ([]covered, map[string]*reportMatches, error) {
	found, err := ix.matchesByReport(ctx, req, visit)
	if err != nil {
		return nil, nil, err
	}
	reps, err := ix.scope(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	return reps, found, nil
}

// trendCells sums the covered reports and their matches per year and
// region.
func trendCells(reps []covered, found map[string]*reportMatches) []TrendCell {
	type key struct {
		year   int
		region string
	}
	cells := map[key]*TrendCell{}
	for _, r := range reps {
		k := key{r.Year, r.Region}
		c := cells[k]
		if c == nil {
			c = &TrendCell{Year: r.Year, Region: r.Region, Level: r.Level}
			cells[k] = c
		}
		c.Reports++
		c.Chars += r.chars
		if m := found[r.ID]; m != nil {
			c.MentioningReports++
			c.Paragraphs += m.paragraphs
			c.Occurrences += m.occurrences
		}
	}
	out := make([]TrendCell, 0, len(cells))
	for _, c := range cells {
		c.Per10k = Per10k(c.Occurrences, c.Chars)
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Year != out[j].Year {
			return out[i].Year < out[j].Year
		}
		return out[i].Region < out[j].Region
	})
	return out
}

// Per10k is occurrences per 10,000 characters; 0 when there are no
// characters.
func Per10k(occurrences, chars int) float64 {
	if chars == 0 {
		return 0
	}
	return float64(occurrences) * 10000 / float64(chars)
}
