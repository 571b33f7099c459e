package web

import (
	"cmp"
	"context"
	"errors"
	"html"
	"slices"
	"strconv"
	"strings"
	"sync"

	"govsearch/index"
	"govsearch/ingest"
)

// fakeSearcher is an in-memory index.ReadWriter for testing the HTTP layer
// without bleve: a query matches paragraphs containing it literally. A few
// magic queries make it misbehave on purpose.
type fakeSearcher struct {
	addErr  error // when set, AddReports fails with it
	mu      sync.Mutex
	reports map[string]ingest.Report
	order   []string
}

// Magic queries of fakeSearcher.
const (
	fakePanic = "__panic__" // Search panics
	fakeSlow  = "__slow__"  // Search waits for its context to end
	fakeBoom  = "__boom__"  // Search fails with an internal error
	fakeCut   = "__cut__"   // Export fails after many rows
)

var errBoom = errors.New("/secret/path/index: disk exploded")

func newFakeSearcher(reports ...ingest.Report) *fakeSearcher {
	f := &fakeSearcher{reports: map[string]ingest.Report{}}
	_ = f.AddReports(context.Background(), reports)
	return f
}

func (f *fakeSearcher) records(req index.Request) ([]ingest.Record, error) {
	q := strings.TrimSpace(req.Query)
	switch q {
	case fakePanic:
		panic("fake panic at /secret/path/fake.go:42")
	case fakeBoom:
		return nil, errBoom
	}
	if strings.Count(q, `"`)%2 == 1 {
		return nil, &index.QueryError{Message: "unbalanced quote"}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ingest.Record
	for _, id := range f.order {
		r := f.reports[id]
		for _, rec := range r.Records() {
			if q != "" && !strings.Contains(rec.Text, q) {
				continue
			}
			if !matchFilters(req.Filters, &rec) {
				continue
			}
			out = append(out, rec)
		}
	}
	return out, nil
}

// matchFilters applies the filters of every facet of the registry; a
// year value may be a range.
func matchFilters(f index.Filters, rec *ingest.Record) bool {
	for _, fc := range index.Facets() {
		vals := f[fc.Name]
		if len(vals) == 0 {
			continue
		}
		ok := slices.ContainsFunc(vals, func(v string) bool {
			if fc.YearRanges {
				y, err := index.ParseYearRange(v)
				return err == nil && rec.Year >= y.From && rec.Year <= y.To
			}
			return fc.Value(rec) == v
		})
		if !ok {
			return false
		}
	}
	return true
}

func (f *fakeSearcher) Search(ctx context.Context, req index.Request) (*index.Response, error) {
	if strings.TrimSpace(req.Query) == fakeSlow {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	recs, err := f.records(req)
	if err != nil {
		return nil, err
	}
	switch req.Sort {
	case index.SortYearAsc:
		slices.SortStableFunc(recs, func(a, b ingest.Record) int { return cmp.Compare(a.Year, b.Year) })
	case index.SortYearDesc:
		slices.SortStableFunc(recs, func(a, b ingest.Record) int { return cmp.Compare(b.Year, a.Year) })
	}
	resp := &index.Response{Query: req.Query, Total: len(recs), TookMS: 1.5, Hits: []index.Hit{}, Facets: map[string][]index.FacetValue{}}
	size := cmp.Or(req.Size, index.DefaultSize)
	for i := req.From; i < len(recs) && i < req.From+size; i++ {
		h := index.Hit{Record: recs[i], Score: 1, Occurrences: strings.Count(recs[i].Text, req.Query), Highlights: []string{}}
		if req.Highlight && req.Query != "" {
			esc := html.EscapeString(recs[i].Text)
			h.Highlights = []string{strings.ReplaceAll(esc, html.EscapeString(req.Query), "<mark>"+html.EscapeString(req.Query)+"</mark>")}
		}
		resp.Hits = append(resp.Hits, h)
	}
	facets := req.Facets
	if facets == nil {
		facets = index.AllFacets
	}
	for _, name := range facets {
		counts := map[string]int{}
		for _, r := range recs {
			fc, _ := index.FacetNamed(name)
			counts[fc.Value(&r)]++
		}
		vals := []index.FacetValue{}
		for v, n := range counts {
			vals = append(vals, index.FacetValue{Value: v, Count: n})
		}
		slices.SortFunc(vals, func(a, b index.FacetValue) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
		})
		resp.Facets[name] = vals
	}
	return resp, nil
}

func (f *fakeSearcher) Trend(ctx context.Context, req index.Request) (*index.Trend, error) {
	recs, err := f.records(req)
	if err != nil {
		return nil, err
	}
	t := &index.Trend{Query: req.Query, Cells: []index.TrendCell{}}
	for _, r := range recs {
		i := slices.IndexFunc(t.Cells, func(c index.TrendCell) bool { return c.Year == r.Year && c.Region == r.Region })
		if i < 0 {
			t.Cells = append(t.Cells, index.TrendCell{Year: r.Year, Region: r.Region})
			i = len(t.Cells) - 1
		}
		t.Cells[i].Paragraphs++
		t.Cells[i].Occurrences += strings.Count(r.Text, req.Query)
	}
	return t, nil
}

func (f *fakeSearcher) Export(ctx context.Context, req index.Request, emit func(index.ExportRow) error) error {
	if req.Query == fakeCut {
		for i := range 1000 {
			if err := emit(index.ExportRow{ID: strconv.Itoa(i), Match: "x"}); err != nil {
				return err
			}
		}
		return errBoom
	}
	recs, err := f.records(req)
	if err != nil {
		return err
	}
	for _, r := range recs {
		rest := r.Text
		for {
			i := strings.Index(rest, req.Query)
			if i < 0 {
				break
			}
			row := index.ExportRow{ID: r.ID, ReportID: r.ReportID, Title: r.Title, Region: r.Region, Year: r.Year, Date: r.Date,
				Part: r.Part, Section: r.Section, Ordinal: r.Ordinal, Left: rest[:i], Match: req.Query, Right: rest[i+len(req.Query):]}
			if err := emit(row); err != nil {
				return err
			}
			rest = rest[i+len(req.Query):]
		}
	}
	return nil
}

func (f *fakeSearcher) Paragraph(ctx context.Context, id string) (*ingest.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.reports {
		for _, rec := range r.Records() {
			if rec.ID == id {
				return &rec, nil
			}
		}
	}
	return nil, index.ErrNotFound
}

func (f *fakeSearcher) Reports(ctx context.Context) ([]index.ReportSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []index.ReportSummary
	for _, id := range f.order {
		r := f.reports[id]
		out = append(out, index.ReportSummary{ID: r.ID, Meta: r.Meta, Paragraphs: len(r.Paragraphs)})
	}
	return out, nil
}

func (f *fakeSearcher) Report(ctx context.Context, id string) (*ingest.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.reports[id]
	if !ok {
		return nil, index.ErrNotFound
	}
	return &r, nil
}

func (f *fakeSearcher) Lexicon(ctx context.Context) ([]index.LexiconEntry, error) {
	return []index.LexiconEntry{{Term: "一网通办", Paragraphs: 3, Reports: 2}}, nil
}

func (f *fakeSearcher) AddReports(ctx context.Context, reports []ingest.Report) error {
	if f.addErr != nil {
		return f.addErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range reports {
		if _, ok := f.reports[r.ID]; !ok {
			f.order = append(f.order, r.ID)
		}
		f.reports[r.ID] = r
	}
	return nil
}

func (f *fakeSearcher) DeleteReport(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.reports[id]; !ok {
		return index.ErrNotFound
	}
	delete(f.reports, id)
	f.order = slices.DeleteFunc(f.order, func(s string) bool { return s == id })
	return nil
}

func (f *fakeSearcher) Stats() index.Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.reports {
		n += len(r.Paragraphs)
	}
	return index.Stats{Documents: uint64(n), Reports: len(f.reports), SizeBytes: 12345, Version: "fake"}
}

// testReports are two small reports for the fake index.
func testReports() []ingest.Report {
	mk := func(id, region string, year int, texts ...string) ingest.Report {
		r := ingest.Report{ID: id, Meta: ingest.Meta{Title: strconv.Itoa(year) + "年" + region + "政府工作报告", Region: region,
			Level: ingest.LevelDistrict, Parent: "上海市", Year: year, Source: id + ".txt"}}
		for i, t := range texts {
			r.Paragraphs = append(r.Paragraphs, ingest.Paragraph{ID: id + "-" + strconv.Itoa(i+1), ReportID: id, Ordinal: i + 1,
				Part: "一、工作回顾", PartKind: ingest.PartReview, Kind: ingest.KindBody, Text: t})
		}
		return r
	}
	return []ingest.Report{
		mk("r1", "静安区", 2020, "深化“一网通办”改革，推进政务服务。", "加强<script>alert(1)</script>治理。"),
		mk("r2", "徐汇区", 2021, "一网通办和一网统管协同推进。", "环境治理持续改善。"),
	}
}
