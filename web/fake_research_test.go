package web

import (
	"context"
	"strings"
	"unicode/utf8"

	"govsearch/index"
)

// Diffusion lists, for the fake's literal matching, each region's first
// paragraph containing the query; it does not fill the cumulative curve.
func (f *fakeSearcher) Diffusion(ctx context.Context, req index.Request) (*index.Diffusion, error) {
	recs, err := f.records(req)
	if err != nil {
		return nil, err
	}
	d := &index.Diffusion{Query: req.Query, Regions: []index.DiffusionRegion{}, Never: []index.NeverRegion{}, Cumulative: []index.AdoptionYear{}}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.Region] {
			continue
		}
		seen[r.Region] = true
		d.Regions = append(d.Regions, index.DiffusionRegion{Region: r.Region, Level: r.Level, FirstYear: r.Year, FirstReport: r.ReportID,
			FirstParagraph: r.ID, FirstOrdinal: r.Ordinal, Match: req.Query, URL: index.ParagraphURL(r.ReportID, r.Ordinal),
			Citation: index.Citation(r.Meta, r.Part, r.Ordinal), Years: []int{r.Year}, ReportYears: []int{r.Year}, Reports: 1, MentioningReports: 1})
	}
	return d, nil
}

// KWIC emits the fake's literal occurrences in reading order, whatever
// the sort.
func (f *fakeSearcher) KWIC(ctx context.Context, req index.Request, opts index.KWICOptions, emit func(index.KWICRow) error) error {
	recs, err := f.records(req)
	if err != nil {
		return err
	}
	for _, r := range recs {
		for at := 0; ; {
			i := strings.Index(r.Text[at:], req.Query)
			if i < 0 || req.Query == "" {
				break
			}
			start := at + i
			row := index.KWICRow{ID: r.ID, ReportID: r.ReportID, Region: r.Region, Level: r.Level, Year: r.Year, Ordinal: r.Ordinal,
				Offset: utf8.RuneCountInString(r.Text[:start]), Left: r.Text[:start], Match: req.Query,
				Right: r.Text[start+len(req.Query):], URL: index.ParagraphURL(r.ReportID, r.Ordinal)}
			if err := emit(row); err != nil {
				return err
			}
			at = start + len(req.Query)
		}
	}
	return nil
}
