package index

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
)

// fieldOf returns a record's value of a facet field.
func fieldOf(c *corpus, id, facet string) string {
	f, _ := FacetNamed(facet)
	return f.Value(c.byID[id])
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
		t.Run(q, func(t *testing.T) {
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
				filtered.Filters = Filters{sel: {v}}
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
		})
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
		t.Run(f, func(t *testing.T) {
			vs := res.Facets[f]
			if !sort.SliceIsSorted(vs, func(i, j int) bool { return vs[i].Count > vs[j].Count }) {
				t.Errorf("facet %s not by count: %v", f, vs)
			}
		})
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
		t.Run(q, func(t *testing.T) {
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
		})
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
	ids, rows := exportIDs(t, c.ix, Request{Filters: Filters{FacetRegion: {region}}})
	if len(ids) != len(rows) {
		t.Errorf("filter-only export: %d rows for %d paragraphs", len(rows), len(ids))
	}
}

func TestRequestValidation(t *testing.T) {
	c := openCorpus(t, seedDir)
	for _, tc := range []struct {
		name  string
		req   Request
		param string
	}{
		{"size over the limit", Request{Query: "a", Size: MaxSize + 1}, "size"},
		{"negative size", Request{Query: "a", Size: -1}, "size"},
		{"negative from", Request{Query: "a", From: -1}, "from"},
		{"past the window", Request{Query: "a", From: MaxWindow - 5, Size: 10}, "from"},
		{"unknown sort", Request{Query: "a", Sort: "date"}, "sort"},
		{"unknown facet", Request{Query: "a", Facets: []string{"speaker"}}, "facets"},
		{"search_after too short", Request{Query: "a", SearchAfter: []string{"1"}}, "search_after"},
		{"search_after without a score", Request{Query: "a", SearchAfter: []string{"x", "id"}}, "search_after"},
		{"search_after with from", Request{Query: "a", From: 10, SearchAfter: []string{"1", "id"}}, "search_after"},
		{"search_after without a year", Request{Query: "a", Sort: SortYearAsc, SearchAfter: []string{"x", "1", "id"}}, "search_after"},
		{"unknown level", Request{Query: "a", Filters: Filters{FacetLevel: {"county"}}}, "level"},
		{"unknown kind", Request{Query: "a", Filters: Filters{FacetKind: {"x"}}}, "kind"},
		{"unknown part", Request{Query: "a", Filters: Filters{FacetPartKind: {"x"}}}, "part"},
		{"backwards years", Request{Query: "a", Filters: Filters{FacetYear: {"2021..2018"}}}, "year"},
		{"not a year", Request{Query: "a", Filters: Filters{FacetYear: {"20x1"}}}, "year"},
		{"empty region", Request{Query: "a", Filters: Filters{FacetRegion: {""}}}, "region"},
		{"unknown facet filter", Request{Query: "a", Filters: Filters{"speaker": {"x"}}}, "filters"},
		{"bad query", Request{Query: "a OR"}, "q"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ix.Search(context.Background(), tc.req)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Param != tc.param {
				t.Errorf("Search(%+v) = %v, want a ValidationError on %s", tc.req, err, tc.param)
			}
			var qe *QueryError
			if errors.As(err, &qe) != (tc.param == "q") {
				t.Errorf("Search(%+v) = %#v: a QueryError is for q alone", tc.req, err)
			}
		})
	}
	if _, err := c.ix.Search(context.Background(), Request{Query: "发展", From: MaxWindow - MaxSize, Size: MaxSize}); err != nil {
		t.Errorf("the deepest allowed page: %v", err)
	}
}

// facetsOfFormat lists, for the index formats written since the facet
// registry, the facets (names and so keyword fields) their documents carry.
var facetsOfFormat = map[string][]string{
	"9":  {FacetRegion, FacetLevel, FacetYear, FacetPartKind, FacetKind},
	"10": {FacetRegion, FacetLevel, FacetYear, FacetPartKind, FacetKind},
	"11": {FacetRegion, FacetLevel, FacetYear, FacetPartKind, FacetKind},
}

// TestFormatVersionCoversFacets: a facet adds a keyword field to every
// paragraph document, so an index written before it is stale. Adding a
// facet without a new FormatVersion fails here.
func TestFormatVersionCoversFacets(t *testing.T) {
	want, ok := facetsOfFormat[FormatVersion]
	if !ok {
		t.Fatalf("format %s is not in facetsOfFormat: add it with the facets %v", FormatVersion, AllFacets)
	}
	if !slices.Equal(want, AllFacets) {
		t.Errorf("format %s was written with the facets %v, the registry has %v: bump FormatVersion (index/mapping.go)", FormatVersion, want, AllFacets)
	}
}

// TestFacetRegistry: every facet has its name, parameter, prefix and label
// key, each unique, and exactly one source of its value.
func TestFacetRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Facets() {
		t.Run(f.Name, func(t *testing.T) {
			for _, id := range []string{"name " + f.Name, "param " + f.Param, "prefix " + f.Prefix, "label " + f.LabelKey} {
				if strings.HasSuffix(id, " ") || seen[id] {
					t.Errorf("%s: empty or taken", id)
				}
				seen[id] = true
			}
			if (f.OfReport == nil) == (f.OfParagraph == nil) {
				t.Errorf("%s: needs exactly one of OfReport and OfParagraph", f.Name)
			}
			if f.Name == fieldReportID || f.Name == fieldSource || f.Name == fieldType || f.Name == fieldRec {
				t.Errorf("%s: the name of a field the index uses for itself", f.Name)
			}
		})
	}
}
