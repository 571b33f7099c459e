package ui

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"govsearch/index"
)

// pageSize is the number of results on one search page.
const pageSize = index.DefaultSize

// State is everything a search page shows, as carried by its URL: the query,
// the facet selections, the sort order and the offset of the first result.
// Every link the UI renders is built from a State, so pages are shareable and
// the back button restores them.
type State struct {
	Q string
	// Filters holds the ticked values by facet name, as in the URL (a
	// year may be a range such as "2018..2020").
	Filters index.Filters
	Sort    string // "" (relevance), "year" or "-year"
	From    int
	// Match is "" (exact; when nothing matches, the page shows the
	// best-match results instead), index.MatchAll (exact only) or
	// index.MatchBest.
	Match string
}

// StateError is a URL parameter the UI cannot use. It wraps the index's
// *ValidationError, whose rule it words in Chinese.
type StateError struct {
	Param   string
	Message string
	err     error
}

func (e *StateError) Error() string { return e.Param + ": " + e.Message }

// Unwrap returns the rule's error from the index.
func (e *StateError) Unwrap() error { return e.err }

// badParam is a *StateError for a parameter of a page's own, worded in
// Chinese, that answers 400 like a broken request rule.
func badParam(param, value, message string) *StateError {
	return &StateError{Param: param, Message: message,
		err: &index.ValidationError{Param: param, Value: value, Rule: index.RuleUnknown, Message: message}}
}

// ParseState reads a State from URL query parameters with the index's
// request rules (index.QueryParam, FilterParams, SortParam, CheckPage).
// Unknown parameters are ignored; malformed known ones are a *StateError
// naming the parameter.
func ParseState(v url.Values) (State, error) {
	var s State
	q, err := index.QueryParam(v.Get("q"))
	if err != nil {
		return s, stateError(err, v)
	}
	s.Q = strings.TrimSpace(q)
	if s.Filters, err = index.FilterParams(v); err != nil {
		return s, stateError(err, v)
	}
	if s.Sort, err = index.SortParam(v.Get("sort")); err != nil {
		return s, stateError(err, v)
	}
	if s.Sort == index.SortRelevance {
		s.Sort = ""
	}
	if m := strings.TrimSpace(v.Get("match")); m != "" {
		if s.Match, err = index.MatchParam(m); err != nil {
			return s, stateError(err, v)
		}
	}
	if f := v.Get("from"); f != "" {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return s, stateError(&index.ValidationError{Param: "from", Value: f, Rule: index.RuleSyntax,
				Message: fmt.Sprintf("%q is not a non-negative integer", f)}, v)
		}
		if err := index.CheckPage(n, pageSize); err != nil {
			return s, stateError(err, v)
		}
		s.From = n
	}
	return s, nil
}

// stateError words a broken request rule in Chinese for the error page.
func stateError(err error, v url.Values) error {
	var ve *index.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	se := &StateError{Param: ve.Param, Message: ve.Message, err: err}
	_, isFacet := facetOfParam(ve.Param)
	switch {
	case ve.Param == "q" && ve.Rule == index.RuleText:
		se.Message = "查询不是有效的 UTF-8 文本"
	case ve.Param == "q":
		se.Message = fmt.Sprintf("查询有 %d 个字符，最多 %d 个", utf8.RuneCountInString(ve.Value), index.MaxQueryLength)
	case ve.Param == "sort":
		se.Message = fmt.Sprintf("未知的排序方式 %q，可用 relevance、year、-year", ve.Value)
	case ve.Param == "match":
		se.Message = fmt.Sprintf("未知的匹配方式 %q，可用 all（完整包含）、best（最相关）", ve.Value)
	case ve.Param == "from" && ve.Rule == index.RuleSyntax:
		se.Message = fmt.Sprintf("%q 不是非负整数", ve.Value)
	case ve.Param == "from":
		se.Message = fmt.Sprintf("最多只能翻到第 %d 条结果，请加筛选条件缩小范围", index.MaxWindow)
	case isFacet && ve.Rule == index.RuleLimit:
		se.Message = fmt.Sprintf("最多选择 %d 项，收到 %d 项", index.MaxFilterValues, filterValues(v))
	case isFacet && ve.Rule == index.RuleText:
		se.Message = fmt.Sprintf("取值 %.20q… 过长或不是有效文本", ve.Value)
	case isFacet && ve.Rule == index.RuleSyntax:
		se.Message = fmt.Sprintf("%q 不是有效的年份（应为 2018、2018..2020、2018.. 或 ..2020）", ve.Value)
	case isFacet && ve.Rule == index.RuleUnknown:
		se.Message = fmt.Sprintf("未知的取值 %q", ve.Value)
	}
	return se
}

// facetOfParam returns the facet that URL parameter param filters on.
func facetOfParam(param string) (index.Facet, bool) {
	for _, f := range index.Facets() {
		if f.Param == param {
			return f, true
		}
	}
	return index.Facet{}, false
}

// filterValues counts the filter values of a URL, all facets together.
func filterValues(v url.Values) int {
	n := 0
	for _, f := range index.Facets() {
		n += len(v[f.Param])
	}
	return n
}

// HasFilters reports whether any facet value is selected.
func (s State) HasFilters() bool { return s.Filters.Len() > 0 }

// Request is the index request for the page the State describes.
func (s State) Request() index.Request {
	return index.Request{
		Query:     s.Q,
		Filters:   s.Filters.Clone(),
		Sort:      s.sortOrDefault(),
		From:      s.From,
		Size:      pageSize,
		Highlight: true,
		Match:     s.Match,
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
	for _, f := range index.Facets() {
		for _, x := range s.Filters[f.Name] {
			v.Add(f.Param, x)
		}
	}
	if s.Sort != "" {
		v.Set("sort", s.Sort)
	}
	if s.From > 0 {
		v.Set("from", strconv.Itoa(s.From))
	}
	if s.Match != "" {
		v.Set("match", s.Match)
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
	c.Filters = s.Filters.Clone()
	return c
}

// Selected reports whether value is ticked in facet.
func (s State) Selected(facet, value string) bool {
	return slices.Contains(s.Filters[facet], value)
}

// Toggle returns the State with value ticked or unticked in facet, back on
// the first page. Ticking a value of a facet that is not multi-select
// unticks its other value.
func (s State) Toggle(facet, value string) State {
	c := s.clone()
	c.From = 0
	f, ok := index.FacetNamed(facet)
	if !ok {
		return c
	}
	vals := c.Filters[facet]
	switch {
	case slices.Contains(vals, value):
		vals = slices.DeleteFunc(vals, func(x string) bool { return x == value })
	case f.MultiSelect:
		vals = append(vals, value)
	default:
		vals = []string{value}
	}
	c.setFilter(facet, vals)
	return c
}

// WithoutFacet returns the State with nothing selected in facet.
func (s State) WithoutFacet(facet string) State {
	c := s.clone()
	c.From = 0
	c.setFilter(facet, nil)
	return c
}

// setFilter sets the values ticked in facet; none removes the facet.
func (s *State) setFilter(facet string, vals []string) {
	if len(vals) == 0 {
		delete(s.Filters, facet)
		if len(s.Filters) == 0 {
			s.Filters = nil
		}
		return
	}
	if s.Filters == nil {
		s.Filters = index.Filters{}
	}
	s.Filters[facet] = vals
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
