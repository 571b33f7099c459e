package index

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"

	"govsearch/ingest"
)

// Facet names: the keys of Response.Facets and Filters, and the keyword
// fields that hold each paragraph's value.
const (
	FacetRegion   = "region"
	FacetLevel    = "level"
	FacetYear     = "year"
	FacetPartKind = "part_kind"
	FacetKind     = "kind"
)

// ValueOrder is the order of a facet's buckets.
type ValueOrder int

const (
	// ByCount puts the value with the most paragraphs first, ties by value.
	ByCount ValueOrder = iota
	// NewestFirst orders by value, descending: the newest year first.
	NewestFirst
)

// Facet describes one facet: a field of every paragraph that searches filter
// on and count. The registry below is the only list of facets; the query
// parser, the filters, the index mapping, the facet counts, the API's
// parameters and the pages' sidebar all iterate over it, so a new facet is
// one entry here plus the ingest field its value comes from.
type Facet struct {
	// Name keys Response.Facets and Filters and names the keyword field.
	Name string
	// Param is the parameter of the HTTP API and of the pages' URLs that
	// filters on the facet.
	Param string
	// Prefix is the query-language field: Prefix:value filters on it.
	Prefix string
	// LabelKey is the key of the facet's title and value labels in a user
	// interface's label tables (web/ui/labels.go).
	LabelKey string
	// Order is the order of the facet's buckets.
	Order ValueOrder
	// MultiSelect facets are counted without their own filter, so that
	// the other values can still be ticked.
	MultiSelect bool
	// Values lists the values a filter may name; nil allows any text.
	Values []string
	// YearRanges makes the values years or year ranges (ParseYearRange):
	// the one kind of filter value that is not matched as a keyword.
	YearRanges bool
	// Exactly one of OfReport and OfParagraph gives a paragraph's value:
	// from its report's metadata (searches read it from the cached report
	// summaries) or from the paragraph itself (its facet key, keyTable).
	OfReport    func(m *ingest.Meta) string
	OfParagraph func(p *ingest.Paragraph) string
}

// facetList is the registry, in display order.
var facetList = []Facet{
	{Name: FacetRegion, Param: "region", Prefix: "region", LabelKey: "region", Order: ByCount, MultiSelect: true,
		OfReport: func(m *ingest.Meta) string { return m.Region }},
	{Name: FacetLevel, Param: "level", Prefix: "level", LabelKey: "level", Order: ByCount, MultiSelect: true,
		Values: ingest.Levels, OfReport: func(m *ingest.Meta) string { return m.Level }},
	{Name: FacetYear, Param: "year", Prefix: "year", LabelKey: "year", Order: NewestFirst, MultiSelect: true,
		YearRanges: true, OfReport: func(m *ingest.Meta) string { return YearValue(m.Year) }},
	{Name: FacetPartKind, Param: "part", Prefix: "part", LabelKey: "part", Order: ByCount, MultiSelect: true,
		Values: ingest.PartKinds, OfParagraph: func(p *ingest.Paragraph) string { return p.PartKind }},
	{Name: FacetKind, Param: "kind", Prefix: "kind", LabelKey: "kind", Order: ByCount, MultiSelect: true,
		Values: ingest.Kinds, OfParagraph: func(p *ingest.Paragraph) string { return p.Kind }},
}

// AllFacets lists every facet's name in display order.
var AllFacets = func() []string {
	names := make([]string, len(facetList))
	for i, f := range facetList {
		names[i] = f.Name
	}
	return names
}()

// keyedFacets are the facets whose value comes from the paragraph; a
// paragraph's facet key holds their values in this order.
var keyedFacets = func() []*Facet {
	var out []*Facet
	for i := range facetList {
		if facetList[i].OfParagraph != nil {
			out = append(out, &facetList[i])
		}
	}
	return out
}()

// Facets returns the registry: every facet, in display order.
func Facets() []Facet { return slices.Clone(facetList) }

// FacetNamed returns the facet called name.
func FacetNamed(name string) (Facet, bool) {
	f := facetNamed(name)
	if f == nil {
		return Facet{}, false
	}
	return *f, true
}

func facetNamed(name string) *Facet {
	for i := range facetList {
		if facetList[i].Name == name {
			return &facetList[i]
		}
	}
	return nil
}

// facetWithPrefix returns the facet of a query-language field, or nil.
func facetWithPrefix(prefix string) *Facet {
	for i := range facetList {
		if facetList[i].Prefix == prefix {
			return &facetList[i]
		}
	}
	return nil
}

// prefixes lists the query-language fields, for error messages.
func prefixes() string {
	out := make([]string, len(facetList))
	for i, f := range facetList {
		out[i] = f.Prefix
	}
	return strings.Join(out, ", ")
}

// Value returns the facet's value for a paragraph with its report's metadata.
func (f *Facet) Value(rec *ingest.Record) string {
	if f.OfReport != nil {
		return f.OfReport(&rec.Meta)
	}
	return f.OfParagraph(&rec.Paragraph)
}

// valueIn returns the facet's value for paragraph p of report r.
func (f *Facet) valueIn(r *ingest.Report, p *ingest.Paragraph) string {
	if f.OfReport != nil {
		return f.OfReport(&r.Meta)
	}
	return f.OfParagraph(p)
}

// Sort puts buckets in the facet's order.
func (f *Facet) Sort(vs []FacetValue) {
	sort.SliceStable(vs, func(i, j int) bool {
		if f.Order == NewestFirst {
			return vs[i].Value > vs[j].Value
		}
		if vs[i].Count != vs[j].Count {
			return vs[i].Count > vs[j].Count
		}
		return vs[i].Value < vs[j].Value
	})
}

// checkValue tells whether the facet accepts a filter value, with a
// message naming the value when it does not. A value names one of Values,
// or a year or year range, or else is any non-empty text.
func (f *Facet) checkValue(v string) (Rule, error) {
	switch {
	case v == "":
		return RuleText, fmt.Errorf("empty %s", f.Prefix)
	case f.YearRanges:
		if _, err := ParseYearRange(v); err != nil {
			return RuleSyntax, err
		}
	case f.Values != nil && !slices.Contains(f.Values, v):
		return RuleUnknown, fmt.Errorf("unknown %s %q; expected one of %s", f.Prefix, v, strings.Join(f.Values, ", "))
	}
	return "", nil
}

// clause returns the query that matches paragraphs with one of values,
// which checkValue accepted.
func (f *Facet) clause(values []string) query.Query {
	alts := make([]query.Query, len(values))
	for i, v := range values {
		alts[i] = termQ(f.Name, v)
		if f.YearRanges {
			alts[i] = yearClause(v)
		}
	}
	return orOf(alts)
}

// yearClause matches a year by its keyword and a range by the year's number.
func yearClause(v string) query.Query {
	r, _ := ParseYearRange(v)
	if r.From == r.To {
		return termQ(fieldYear, YearValue(r.From))
	}
	lo, hi := float64(r.From), float64(r.To)
	incl := true
	nq := query.NewNumericRangeInclusiveQuery(&lo, &hi, &incl, &incl)
	nq.SetField(fieldYearNum)
	return nq
}

// YearValue is a year as facets and filters write it: four digits ("0000"
// when a report's year is unknown), so that keyword order is numeric order.
func YearValue(y int) string {
	s := strconv.Itoa(y)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// Filters restrict a search: values by facet name. Values of one facet are
// ORed, facets are ANDed. A value is written as in the query language: a
// keyword, or for the year facet a year or an inclusive range ("2020",
// "2018..2021", "2018..", "..2020"). Request.Filters and the filters
// written in the query are both applied (ANDed); a multi-select facet is
// counted without either kind of filter on itself.
type Filters map[string][]string

// Add appends values to the filter on facet name.
func (f *Filters) Add(name string, values ...string) {
	if len(values) == 0 {
		return
	}
	if *f == nil {
		*f = Filters{}
	}
	(*f)[name] = append((*f)[name], values...)
}

// Len returns the number of values of all filters together.
func (f Filters) Len() int {
	n := 0
	for _, vs := range f {
		n += len(vs)
	}
	return n
}

// Clone returns a copy that shares no slice with f.
func (f Filters) Clone() Filters {
	if f == nil {
		return nil
	}
	out := make(Filters, len(f))
	for k, vs := range f {
		out[k] = slices.Clone(vs)
	}
	return out
}
