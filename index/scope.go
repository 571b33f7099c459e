package index

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"govsearch/ingest"
)

// The research views (trend, diffusion, matrix) count against the reports
// a request covers, not only the ones that match it: a region-year with a
// report and no mention is a zero, one without a report is absent. A
// report is covered when it passes the request's filters on facets of the
// report (region, level, year); the filters on facets of the paragraph
// (part, kind) narrow the paragraphs counted, so they narrow the
// characters too.

// storedSummary is the stored form of a report's summary: the summary and
// the characters of its paragraphs by facet key (the values of the
// paragraph's facets, keyedFacets, joined by keySep), so that a request
// with paragraph filters knows its characters without reading the text.
type storedSummary struct {
	ReportSummary
	CharsByKey map[string]int `json:"chars_by_key,omitempty"`
}

// keySep joins the values of a paragraph's facets in a chars key.
const keySep = "\x1f"

// Summarize returns the summary of a report: its metadata, the number of
// its paragraphs and the characters (Unicode code points) of their text.
func Summarize(r *ingest.Report) ReportSummary {
	s := ReportSummary{ID: r.ID, Meta: r.Meta, Paragraphs: len(r.Paragraphs)}
	for i := range r.Paragraphs {
		s.Chars += utf8.RuneCountInString(r.Paragraphs[i].Text)
	}
	return s
}

func newStoredSummary(r *ingest.Report) storedSummary {
	ss := storedSummary{ReportSummary: Summarize(r), CharsByKey: map[string]int{}}
	for i := range r.Paragraphs {
		p := &r.Paragraphs[i]
		ss.CharsByKey[paragraphKey(p)] += utf8.RuneCountInString(p.Text)
	}
	return ss
}

// paragraphKey is the chars key of a paragraph.
func paragraphKey(p *ingest.Paragraph) string {
	vals := make([]string, len(keyedFacets))
	for i, f := range keyedFacets {
		vals[i] = f.OfParagraph(p)
	}
	return strings.Join(vals, keySep)
}

// MatchReport reports whether a report passes the filters on facets of the
// report (region, level, year); filters on facets of the paragraph are
// ignored. The filters must be valid (Filters.Validate).
func (f Filters) MatchReport(m *ingest.Meta) bool {
	for i := range facetList {
		fc := &facetList[i]
		if fc.OfReport == nil {
			continue
		}
		if vals := f[fc.Name]; len(vals) > 0 && !slices.ContainsFunc(vals, func(v string) bool { return fc.accepts(v, fc.OfReport(m), m.Year) }) {
			return false
		}
	}
	return true
}

// matchKey reports whether paragraphs of chars key k pass the filters on
// facets of the paragraph.
func (f Filters) matchKey(k string) bool {
	vals := strings.Split(k, keySep)
	for i, fc := range keyedFacets {
		if want := f[fc.Name]; len(want) > 0 && (i >= len(vals) || !slices.Contains(want, vals[i])) {
			return false
		}
	}
	return true
}

// hasParagraphFilters reports whether f filters on a facet of the paragraph.
func (f Filters) hasParagraphFilters() bool {
	for _, fc := range keyedFacets {
		if len(f[fc.Name]) > 0 {
			return true
		}
	}
	return false
}

// accepts reports whether filter value v admits a report whose value of
// the facet is value and whose year is year.
func (f *Facet) accepts(v, value string, year int) bool {
	if f.YearRanges {
		r, err := ParseYearRange(v)
		return err == nil && year >= r.From && year <= r.To
	}
	return v == value
}

// covered is a report a request covers, with the characters of its
// paragraphs that pass the request's paragraph filters.
type covered struct {
	ReportSummary
	chars int
}

// scope returns the reports a request covers, in the order of the report
// list (newest first), after checking its query and filters. The filters
// written in the query and those of the request both apply.
func (ix *Index) scope(ctx context.Context, req Request) ([]covered, error) {
	q, err := ParseQuery(req.Query)
	if err != nil {
		return nil, err
	}
	if err := req.Filters.Validate(); err != nil {
		return nil, err
	}
	sums, err := ix.summaries(ctx)
	if err != nil {
		return nil, err
	}
	var out []covered
	for _, s := range sums.list {
		if !q.Filters.MatchReport(&s.Meta) || !req.Filters.MatchReport(&s.Meta) {
			continue
		}
		c := covered{ReportSummary: s, chars: s.Chars}
		if q.Filters.hasParagraphFilters() || req.Filters.hasParagraphFilters() {
			c.chars = 0
			for k, n := range sums.charsByKey[s.ID] {
				if q.Filters.matchKey(k) && req.Filters.matchKey(k) {
					c.chars += n
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}
