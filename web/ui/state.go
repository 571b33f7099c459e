package ui

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"govsearch/index"
)

// pageSize is the number of results on one search page.
const pageSize = index.DefaultSize

// Limits on URL state, checked before the index sees a request so a crafted
// link gets a clear message instead of an expensive search.
const (
	maxFilterValues = 64  // values per facet parameter
	maxFilterLength = 100 // bytes per facet value
)

// State is everything a search page shows, as carried by its URL: the query,
// the facet selections, the sort order and the offset of the first result.
// Every link the UI renders is built from a State, so pages are shareable and
// the back button restores them.
type State struct {
	Q      string
	Region []string
	Year   []string // "2018" or a range such as "2018..2020", as in the URL
	Part   []string
	Kind   []string
	Sort   string // "" (relevance), "year" or "-year"
	From   int
}

// StateError is a URL parameter the UI cannot use.
type StateError struct {
	Param   string
	Message string
}

func (e *StateError) Error() string { return e.Param + ": " + e.Message }

// ParseState reads a State from URL query parameters. Unknown parameters are
// ignored; malformed known ones are errors naming the parameter.
func ParseState(v url.Values) (State, error) {
	var s State
	s.Q = strings.TrimSpace(v.Get("q"))
	if !utf8.ValidString(s.Q) {
		return s, &StateError{"q", "查询不是有效的 UTF-8 文本"}
	}
	if n := utf8.RuneCountInString(s.Q); n > index.MaxQueryLength {
		return s, &StateError{"q", fmt.Sprintf("查询有 %d 个字符，最多 %d 个", n, index.MaxQueryLength)}
	}
	var err error
	if s.Region, err = values(v, "region"); err != nil {
		return s, err
	}
	if s.Year, err = values(v, "year"); err != nil {
		return s, err
	}
	for _, y := range s.Year {
		if _, err := parseYear(y); err != nil {
			return s, err
		}
	}
	if s.Part, err = values(v, "part"); err != nil {
		return s, err
	}
	if s.Kind, err = values(v, "kind"); err != nil {
		return s, err
	}
	switch srt := v.Get("sort"); srt {
	case "", index.SortRelevance:
	case index.SortYearAsc, index.SortYearDesc:
		s.Sort = srt
	default:
		return s, &StateError{"sort", fmt.Sprintf("未知的排序方式 %q，可用 relevance、year、-year", srt)}
	}
	if f := v.Get("from"); f != "" {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return s, &StateError{"from", fmt.Sprintf("%q 不是非负整数", f)}
		}
		if n+pageSize > index.MaxWindow {
			return s, &StateError{"from", fmt.Sprintf("最多只能翻到第 %d 条结果，请加筛选条件缩小范围", index.MaxWindow)}
		}
		s.From = n
	}
	return s, nil
}

// values returns the distinct non-empty values of a repeated parameter in
// URL order.
func values(v url.Values, name string) ([]string, error) {
	raw := v[name]
	if len(raw) > maxFilterValues {
		return nil, &StateError{name, fmt.Sprintf("最多选择 %d 项，收到 %d 项", maxFilterValues, len(raw))}
	}
	var out []string
	seen := map[string]bool{}
	for _, x := range raw {
		x = strings.TrimSpace(x)
		if x == "" || seen[x] {
			continue
		}
		if len(x) > maxFilterLength || !utf8.ValidString(x) {
			return nil, &StateError{name, fmt.Sprintf("取值 %.20q… 过长或不是有效文本", x)}
		}
		seen[x] = true
		out = append(out, x)
	}
	return out, nil
}

// parseYear reads a year parameter as the JSON API does: "2018", or a
// range "2018..2020", "2018.." (from 2018 on) or "..2020" (up to 2020).
func parseYear(s string) (index.YearRange, error) {
	r, err := index.ParseYearRange(s)
	if err != nil {
		return r, &StateError{"year", fmt.Sprintf("%q 不是有效的年份（应为 2018、2018..2020、2018.. 或 ..2020）", s)}
	}
	return r, nil
}

// HasFilters reports whether any facet value is selected.
func (s State) HasFilters() bool {
	return len(s.Region)+len(s.Year)+len(s.Part)+len(s.Kind) > 0
}

// Filters converts the facet selections to index filters. Years were
// validated by ParseState.
func (s State) Filters() index.Filters {
	f := index.Filters{Region: s.Region, Part: s.Part, Kind: s.Kind}
	for _, y := range s.Year {
		if r, err := parseYear(y); err == nil {
			f.Year = append(f.Year, r)
		}
	}
	return f
}

// Request is the index request for the page the State describes.
func (s State) Request() index.Request {
	return index.Request{
		Query:     s.Q,
		Filters:   s.Filters(),
		Sort:      s.sortOrDefault(),
		From:      s.From,
		Size:      pageSize,
		Highlight: true,
	}
}

func (s State) sortOrDefault() string {
	if s.Sort == "" {
		return index.SortRelevance
	}
	return s.Sort
}

// Values encodes the State as URL parameters in a fixed order, leaving out
// defaults, so equal states give equal links.
func (s State) Values() url.Values {
	v := url.Values{}
	if s.Q != "" {
		v.Set("q", s.Q)
	}
	for _, p := range []struct {
		name string
		vals []string
	}{{"region", s.Region}, {"year", s.Year}, {"part", s.Part}, {"kind", s.Kind}} {
		for _, x := range p.vals {
			v.Add(p.name, x)
		}
	}
	if s.Sort != "" {
		v.Set("sort", s.Sort)
	}
	if s.From > 0 {
		v.Set("from", strconv.Itoa(s.From))
	}
	return v
}

// Encode returns the State as a query string (without "?").
func (s State) Encode() string {
	// url.Values.Encode sorts keys, which keeps links canonical.
	return s.Values().Encode()
}

// clone returns a deep copy, so link builders can change one field freely.
func (s State) clone() State {
	c := s
	c.Region = append([]string(nil), s.Region...)
	c.Year = append([]string(nil), s.Year...)
	c.Part = append([]string(nil), s.Part...)
	c.Kind = append([]string(nil), s.Kind...)
	return c
}

// field returns a pointer to the selection list of a facet.
func (s *State) field(facet string) *[]string {
	switch facet {
	case index.FacetRegion:
		return &s.Region
	case index.FacetYear:
		return &s.Year
	case index.FacetPartKind:
		return &s.Part
	case index.FacetKind:
		return &s.Kind
	}
	return nil
}

// selection returns the values ticked in facet.
func (s State) selection(facet string) []string {
	if f := s.field(facet); f != nil {
		return *f
	}
	return nil
}

// Selected reports whether value is ticked in facet.
func (s State) Selected(facet, value string) bool {
	f := s.field(facet)
	if f == nil {
		return false
	}
	for _, x := range *f {
		if x == value {
			return true
		}
	}
	return false
}

// Toggle returns the State with value ticked or unticked in facet, back on
// the first page.
func (s State) Toggle(facet, value string) State {
	c := s.clone()
	c.From = 0
	f := c.field(facet)
	if f == nil {
		return c
	}
	out := (*f)[:0]
	found := false
	for _, x := range *f {
		if x == value {
			found = true
			continue
		}
		out = append(out, x)
	}
	if !found {
		out = append(out, value)
	}
	*f = out
	return c
}

// WithoutFacet returns the State with nothing selected in facet.
func (s State) WithoutFacet(facet string) State {
	c := s.clone()
	c.From = 0
	if f := c.field(facet); f != nil {
		*f = nil
	}
	return c
}

// WithoutFilters returns the State with only the query and sort kept.
func (s State) WithoutFilters() State {
	return State{Q: s.Q, Sort: s.Sort}
}

// Page returns the State showing results from offset from.
func (s State) Page(from int) State {
	c := s.clone()
	c.From = from
	return c
}

// WithQuery returns a fresh State searching q.
func WithQuery(q string) State { return State{Q: q} }
