package index

import (
	"context"
	"sort"
	"testing"
)

// fieldOf returns a record's value of a facet field.
func fieldOf(c *corpus, id, facet string) string {
	r := c.byID[id]
	switch facet {
	case FacetRegion:
		return r.Region
	case FacetYear:
		return yearKey(r.Year)
	case FacetLevel:
		return r.Level
	case FacetPartKind:
		return r.PartKind
	case FacetKind:
		return r.Kind
	}
	return ""
}

// grouped counts the exported paragraphs of req by a facet field.
func grouped(t *testing.T, c *corpus, req Request, facet string) map[string]int {
	ids, _ := exportIDs(t, c.ix, req)
	out := map[string]int{}
	for _, id := range ids {
		out[fieldOf(c, id, facet)]++
	}
	return out
}

func facetMap(vs []FacetValue) map[string]int {
	out := map[string]int{}
	for _, v := range vs {
		out[v.Value] = v.Count
	}
	return out
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestFacetsEqualExportCounts checks every facet against the export of the
// same query grouped by the same field, with and without filters, and the
// multi-select rule: a facet ignores its own filter but not the others.
func TestFacetsEqualExportCounts(t *testing.T) {
	c := openCorpus(t, seedDir)
	ctx := context.Background()
	for _, q := range []string{"一网通办", "发展", "经济 -社会", "的", ""} {
		base := Request{Query: q}
		res, err := c.ix.Search(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range AllFacets {
			if want := grouped(t, c, base, f); !sameCounts(facetMap(res.Facets[f]), want) {
				t.Errorf("%q facet %s = %v, export counts %v", q, f, res.Facets[f], want)
			}
		}
		// Select the biggest value of each facet in turn.
		for _, sel := range AllFacets {
			if len(res.Facets[sel]) == 0 {
				continue
			}
			v := res.Facets[sel][0].Value
			filtered := base
			switch sel {
			case FacetRegion:
				filtered.Filters.Region = []string{v}
			case FacetLevel:
				filtered.Filters.Level = []string{v}
			case FacetPartKind:
				filtered.Filters.Part = []string{v}
			case FacetKind:
				filtered.Filters.Kind = []string{v}
			case FacetYear:
				y, _ := ParseYearRange(v)
				filtered.Filters.Year = []YearRange{y}
			}
			fres, err := c.ix.Search(ctx, filtered)
			if err != nil {
				t.Fatal(err)
			}
			if fres.Total != res.Facets[sel][0].Count {
				t.Errorf("%q with %s=%s: total %d, facet said %d", q, sel, v, fres.Total, res.Facets[sel][0].Count)
			}
			for _, f := range AllFacets {
				var want map[string]int
				if f == sel {
					want = facetMap(res.Facets[f]) // its own filter is ignored
				} else {
					want = grouped(t, c, filtered, f)
				}
				if got := facetMap(fres.Facets[f]); !sameCounts(got, want) {
					t.Errorf("%q with %s=%s: facet %s = %v, want %v", q, sel, v, f, got, want)
				}
			}
		}
	}
}

func TestFacetOrder(t *testing.T) {
	c := openCorpus(t, seedDir)
	res, err := c.ix.Search(context.Background(), Request{Query: "发展"})
	if err != nil {
		t.Fatal(err)
	}
	years := res.Facets[FacetYear]
	if !sort.SliceIsSorted(years, func(i, j int) bool { return years[i].Value > years[j].Value }) {
		t.Errorf("year facet not newest first: %v", years)
	}
	for _, f := range []string{FacetRegion, FacetKind, FacetPartKind, FacetLevel} {
		vs := res.Facets[f]
		if !sort.SliceIsSorted(vs, func(i, j int) bool { return vs[i].Count > vs[j].Count }) {
			t.Errorf("facet %s not by count: %v", f, vs)
		}
	}
	res, err = c.ix.Search(context.Background(), Request{Query: "发展", Facets: []string{FacetKind}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Facets) != 1 || res.Facets[FacetKind] == nil {
		t.Errorf("asked for the kind facet only, got %v", res.Facets)
	}
}

// TestTrendEqualsExport checks that trend cells sum to the export's
// paragraphs and occurrences, cell by cell.
func TestTrendEqualsExport(t *testing.T) {
	c := openCorpus(t, seedDir)
	for _, q := range []string{"一网通办", "发展", "经济 OR 民生", "改革 -开放", "region:" + c.records[0].Region} {
		req := Request{Query: q}
		tr, err := c.ix.Trend(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		type key struct {
			year   int
			region string
		}
		wantP, wantO := map[key]int{}, map[key]int{}
		ids, rows := exportIDs(t, c.ix, req)
		for _, id := range ids {
			r := c.byID[id]
			wantP[key{r.Year, r.Region}]++
		}
		pq, _ := ParseQuery(q)
		for _, r := range rows {
			if len(pq.Terms()) > 0 {
				wantO[key{r.Year, r.Region}]++
			}
		}
		sumP, sumO := 0, 0
		for _, cell := range tr.Cells {
			k := key{cell.Year, cell.Region}
			if cell.Paragraphs != wantP[k] || cell.Occurrences != wantO[k] {
				t.Errorf("%q: cell %v = %d paragraphs %d occurrences, export has %d, %d", q, k, cell.Paragraphs, cell.Occurrences, wantP[k], wantO[k])
			}
			sumP += cell.Paragraphs
			sumO += cell.Occurrences
		}
		if sumP != len(ids) {
			t.Errorf("%q: trend sums to %d paragraphs, export has %d", q, sumP, len(ids))
		}
		if len(pq.Terms()) > 0 && sumO != len(rows) {
			t.Errorf("%q: trend sums to %d occurrences, export has %d rows", q, sumO, len(rows))
		}
	}
}

func TestExportRows(t *testing.T) {
	c := openCorpus(t, seedDir)
	_, rows := exportIDs(t, c.ix, Request{Query: "一网通办"})
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	prev := ExportRow{}
	for i, r := range rows {
		rec := c.byID[r.ID]
		if r.Match == "" || r.Title != rec.Title || r.Ordinal != rec.Ordinal || r.ReportID != rec.ReportID {
			t.Errorf("row %d = %+v does not cite its paragraph", i, r)
		}
		if i > 0 && (r.Year < prev.Year || r.ReportID == prev.ReportID && r.Ordinal < prev.Ordinal) {
			t.Errorf("rows out of order at %d: %+v after %+v", i, r, prev)
		}
		if got := len([]rune(r.Left)); got > kwicContext {
			t.Errorf("left context of %d characters", got)
		}
		prev = r
	}
	// A filter-only export has one row per paragraph.
	region := c.records[0].Region
	ids, rows := exportIDs(t, c.ix, Request{Filters: Filters{Region: []string{region}}})
	if len(ids) != len(rows) {
		t.Errorf("filter-only export: %d rows for %d paragraphs", len(rows), len(ids))
	}
}

func TestRequestValidation(t *testing.T) {
	c := openCorpus(t, seedDir)
	bad := []struct {
		req   Request
		param string
	}{
		{Request{Query: "a", Size: MaxSize + 1}, "size"},
		{Request{Query: "a", Size: -1}, "size"},
		{Request{Query: "a", From: -1}, "from"},
		{Request{Query: "a", From: MaxWindow - 5, Size: 10}, "from"},
		{Request{Query: "a", Sort: "date"}, "sort"},
		{Request{Query: "a", Facets: []string{"speaker"}}, "facets"},
		{Request{Query: "a", SearchAfter: []string{"1"}}, "search_after"},
		{Request{Query: "a", SearchAfter: []string{"x", "id"}}, "search_after"},
		{Request{Query: "a", From: 10, SearchAfter: []string{"1", "id"}}, "search_after"},
		{Request{Query: "a", Filters: Filters{Level: []string{"county"}}}, "level"},
		{Request{Query: "a", Filters: Filters{Kind: []string{"x"}}}, "kind"},
		{Request{Query: "a", Filters: Filters{Part: []string{"x"}}}, "part"},
		{Request{Query: "a", Filters: Filters{Year: []YearRange{{2021, 2018}}}}, "year"},
		{Request{Query: "a", Filters: Filters{Region: []string{""}}}, "region"},
		{Request{Query: "a OR"}, "q"},
	}
	for _, b := range bad {
		_, err := c.ix.Search(context.Background(), b.req)
		qe, ok := err.(*QueryError)
		if !ok || qe.Param != b.param {
			t.Errorf("Search(%+v) = %v, want a QueryError on %s", b.req, err, b.param)
		}
	}
	if _, err := c.ix.Search(context.Background(), Request{Query: "发展", From: MaxWindow - MaxSize, Size: MaxSize}); err != nil {
		t.Errorf("the deepest allowed page: %v", err)
	}
}
