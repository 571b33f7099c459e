package ui

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"govsearch/analyzer"
	"govsearch/index"
	"govsearch/ingest"
)

// coveredReports returns the reports of the fake that pass the filters on
// facets of the report, as the real index's research views count them.
func (f *fakeSearcher) coveredReports(filters index.Filters) []*ingest.Report {
	var out []*ingest.Report
	for i := range f.reports {
		if filters.MatchReport(&f.reports[i].Meta) {
			out = append(out, &f.reports[i])
		}
	}
	return out
}

// Trend counts, per year and region of the covered reports, the matching
// paragraphs as Search finds them.
func (f *fakeSearcher) Trend(ctx context.Context, req index.Request) (*index.Trend, error) {
	if f.err != nil {
		return nil, f.err
	}
	pos, neg, err := fakeParse(req.Query)
	if err != nil {
		return nil, err
	}
	type key struct {
		y int
		r string
	}
	cells := map[key]*index.TrendCell{}
	for _, rep := range f.coveredReports(req.Filters) {
		k := key{rep.Year, rep.Region}
		c := cells[k]
		if c == nil {
			c = &index.TrendCell{Year: rep.Year, Region: rep.Region, Level: rep.Level}
			cells[k] = c
		}
		c.Reports++
		mentioned := false
		for _, r := range rep.Records() {
			if !passes(r, req.Filters, "") {
				continue
			}
			c.Chars += utf8.RuneCountInString(r.Text)
			if ok, occ := fakeMatch(r, pos, neg); ok {
				mentioned = true
				c.Paragraphs++
				c.Occurrences += occ
			}
		}
		if mentioned {
			c.MentioningReports++
		}
	}
	tr := &index.Trend{Query: req.Query, Cells: []index.TrendCell{}}
	for _, c := range cells {
		c.Per10k = index.Per10k(c.Occurrences, c.Chars)
		tr.Cells = append(tr.Cells, *c)
	}
	sort.Slice(tr.Cells, func(a, b int) bool {
		if tr.Cells[a].Year != tr.Cells[b].Year {
			return tr.Cells[a].Year < tr.Cells[b].Year
		}
		return tr.Cells[a].Region < tr.Cells[b].Region
	})
	return tr, nil
}

// Diffusion finds each covered region's first matching paragraph, reports
// in year order.
func (f *fakeSearcher) Diffusion(ctx context.Context, req index.Request) (*index.Diffusion, error) {
	if f.err != nil {
		return nil, f.err
	}
	pos, neg, err := fakeParse(req.Query)
	if err != nil {
		return nil, err
	}
	reps := f.coveredReports(req.Filters)
	sort.SliceStable(reps, func(a, b int) bool { return reps[a].Year < reps[b].Year })
	d := &index.Diffusion{Query: req.Query, Regions: []index.DiffusionRegion{}, Never: []index.NeverRegion{}, Cumulative: []index.AdoptionYear{}}
	byRegion := map[string]*index.DiffusionRegion{}
	never := map[string]*index.NeverRegion{}
	years := map[int]bool{}
	for _, rep := range reps {
		years[rep.Year] = true
		var first *ingest.Record
		for _, r := range rep.Records() {
			if ok, _ := fakeMatch(r, pos, neg); ok && passes(r, req.Filters, "") {
				first = &r
				break
			}
		}
		g := byRegion[rep.Region]
		if first == nil {
			if g != nil {
				g.Reports++
				g.ReportYears = append(g.ReportYears, rep.Year)
				continue
			}
			n := never[rep.Region]
			if n == nil {
				n = &index.NeverRegion{Region: rep.Region, Level: rep.Level}
				never[rep.Region] = n
			}
			n.Reports++
			n.ReportYears = append(n.ReportYears, rep.Year)
			continue
		}
		if g == nil {
			g = &index.DiffusionRegion{Region: rep.Region, Level: rep.Level, FirstYear: rep.Year, FirstDate: rep.Date,
				FirstReport: rep.ID, FirstParagraph: first.ID, FirstOrdinal: first.Ordinal,
				URL: index.ParagraphURL(rep.ID, first.Ordinal), Citation: index.Citation(rep.Meta, first.Part, first.Ordinal)}
			if n := never[rep.Region]; n != nil {
				g.Reports, g.ReportYears = n.Reports, n.ReportYears
				delete(never, rep.Region)
			}
			if len(pos) > 0 {
				text := first.Text
				if i := strings.Index(analyzer.Normalize(text), pos[0]); i >= 0 && text == analyzer.Normalize(text) {
					g.Left, g.Match, g.Right = text[:i], text[i:i+len(pos[0])], text[i+len(pos[0]):]
				}
			}
			byRegion[rep.Region] = g
		}
		g.Reports++
		g.MentioningReports++
		g.ReportYears = append(g.ReportYears, rep.Year)
		g.Years = append(g.Years, rep.Year)
	}
	for _, g := range byRegion {
		d.Regions = append(d.Regions, *g)
	}
	sort.Slice(d.Regions, func(a, b int) bool {
		if d.Regions[a].FirstYear != d.Regions[b].FirstYear {
			return d.Regions[a].FirstYear < d.Regions[b].FirstYear
		}
		return d.Regions[a].Region < d.Regions[b].Region
	})
	for _, n := range never {
		d.Never = append(d.Never, *n)
	}
	sort.Slice(d.Never, func(a, b int) bool { return d.Never[a].Region < d.Never[b].Region })
	var ys []int
	for y := range years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	for _, y := range ys {
		a := index.AdoptionYear{Year: y}
		for _, g := range d.Regions {
			if g.FirstYear <= y {
				a.Adopted++
			}
		}
		seen := map[string]bool{}
		for _, rep := range reps {
			if rep.Year <= y && !seen[rep.Region] {
				seen[rep.Region] = true
				a.RegionsWithReports++
			}
		}
		d.Cumulative = append(d.Cumulative, a)
	}
	return d, nil
}

// KWIC emits the occurrences of the query's first term, in reading order
// whatever the sort; fixture texts are normalised already.
func (f *fakeSearcher) KWIC(ctx context.Context, req index.Request, opts index.KWICOptions, emit func(index.KWICRow) error) error {
	if f.err != nil {
		return f.err
	}
	pos, neg, err := fakeParse(req.Query)
	if err != nil || len(pos) == 0 {
		return err
	}
	for _, r := range f.records() {
		if ok, _ := fakeMatch(r, pos, neg); !ok || !passes(r, req.Filters, "") {
			continue
		}
		runes := []rune(r.Text)
		term := []rune(pos[0])
		for i := 0; i+len(term) <= len(runes); i++ {
			if string(runes[i:i+len(term)]) != pos[0] {
				continue
			}
			row := index.KWICRow{ID: r.ID, ReportID: r.ReportID, Region: r.Region, Level: r.Level, Year: r.Year, Ordinal: r.Ordinal,
				Offset: i, Left: string(runes[max(0, i-opts.Width):i]), Match: pos[0],
				Right: string(runes[i+len(term) : min(len(runes), i+len(term)+opts.Width)]), URL: index.ParagraphURL(r.ReportID, r.Ordinal)}
			if err := emit(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// Lexicon counts a few policy terms in the fixture reports.
func (f *fakeSearcher) Lexicon(ctx context.Context) ([]index.LexiconEntry, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []index.LexiconEntry
	for _, term := range []string{"一网通办", "放管服", "五违四必", "两旧一村", "营商环境", "一网统管", "12345热线", "通办", "不存在的术语"} {
		e := index.LexiconEntry{Term: term}
		for _, rep := range f.reports {
			found := false
			for _, p := range rep.Paragraphs {
				if strings.Contains(analyzer.Normalize(p.Text), analyzer.Normalize(term)) {
					e.Paragraphs++
					found = true
				}
			}
			if found {
				e.Reports++
			}
		}
		out = append(out, e)
	}
	return out, nil
}
