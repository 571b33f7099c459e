package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/ingest"
)

// parseQuery reads and checks the q parameter.
func parseQuery(v url.Values, required bool) (string, error) {
	q := v.Get("q")
	if !utf8.ValidString(q) {
		return "", &Error{Code: CodeInvalidQuery, Message: "the query is not valid UTF-8", Param: "q"}
	}
	q = cleanText(q)
	if n := utf8.RuneCountInString(q); n > index.MaxQueryLength {
		return "", &Error{Code: CodeInvalidQuery, Param: "q",
			Message: fmt.Sprintf("the query has %d characters; the limit is %d", n, index.MaxQueryLength)}
	}
	if required && strings.TrimSpace(q) == "" {
		return "", &Error{Code: CodeInvalidQuery, Message: "the query is empty", Param: "q"}
	}
	return q, nil
}

// parseFilters reads the repeatable filter parameters region, year, level,
// part and kind.
func parseFilters(v url.Values) (index.Filters, error) {
	var f index.Filters
	var err error
	// Refuse before parsing: thousands of year ranges cost seconds of CPU.
	n, most := 0, ""
	for _, name := range filterParams {
		n += len(v[name])
		if most == "" || len(v[name]) > len(v[most]) {
			most = name
		}
	}
	if n > MaxFilterValues {
		return f, paramError(most, fmt.Sprintf("the request has %d filter values; the limit is %d", n, MaxFilterValues))
	}
	if f.Region, err = listParam(v, "region", nil); err != nil {
		return f, err
	}
	if f.Level, err = listParam(v, "level", ingest.Levels); err != nil {
		return f, err
	}
	if f.Part, err = listParam(v, "part", ingest.PartKinds); err != nil {
		return f, err
	}
	if f.Kind, err = listParam(v, "kind", ingest.Kinds); err != nil {
		return f, err
	}
	for _, s := range v["year"] {
		s = strings.TrimSpace(cleanText(s))
		if s == "" {
			continue
		}
		yr, err := parseYearRange(s)
		if err != nil {
			return f, err
		}
		f.Year = append(f.Year, yr)
	}
	return f, nil
}

// listParam returns the non-empty values of a repeatable parameter, checked
// against allowed when it is not nil.
func listParam(v url.Values, name string, allowed []string) ([]string, error) {
	var out []string
	for _, s := range v[name] {
		if !utf8.ValidString(s) || len(s) > 200 {
			return nil, paramError(name, "the value is not valid UTF-8 text of at most 200 bytes")
		}
		s = strings.TrimSpace(cleanText(s))
		if s == "" {
			continue
		}
		if len(s) > 200 {
			return nil, paramError(name, "the value is not valid UTF-8 text of at most 200 bytes")
		}
		if allowed != nil && !slices.Contains(allowed, s) {
			return nil, paramError(name, fmt.Sprintf("unknown value %q; expected one of %s", s, strings.Join(allowed, ", ")))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// parseYearRange parses "2020", "2018..2021", "2018.." or "..2021" with the
// query language's rules, naming the parameter when it is wrong.
func parseYearRange(s string) (index.YearRange, error) {
	r, err := index.ParseYearRange(s)
	if err != nil {
		return r, paramError("year", fmt.Sprintf("%q: %v; expected a year such as 2020 or a range such as 2018..2021", s, err))
	}
	return r, nil
}

// intParam parses an optional non-negative integer parameter.
func intParam(v url.Values, name string, def, max int) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, paramError(name, fmt.Sprintf("%q is not a non-negative integer", clip(s)))
	}
	if n > max {
		return 0, paramError(name, fmt.Sprintf("%d is above the limit of %d", n, max))
	}
	return n, nil
}

// boolParam parses an optional boolean parameter (true/false/1/0).
func boolParam(v url.Values, name string, def bool) (bool, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, paramError(name, fmt.Sprintf("%q is not true or false", clip(s)))
	}
	return b, nil
}

// parseFacets reads facets as a comma list, repeated, or both. Absent means
// every facet; present but empty means none.
func parseFacets(v url.Values) ([]string, error) {
	raw, present := v["facets"]
	if !present {
		return nil, nil
	}
	out := []string{}
	for _, s := range raw {
		for name := range strings.SplitSeq(s, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !slices.Contains(index.AllFacets, name) {
				return nil, paramError("facets", fmt.Sprintf("unknown facet %q; expected some of %s", clip(name), strings.Join(index.AllFacets, ", ")))
			}
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// parseSort reads sort: relevance (default), year or -year.
func parseSort(v url.Values) (string, error) {
	switch s := strings.TrimSpace(v.Get("sort")); s {
	case "", index.SortRelevance:
		return index.SortRelevance, nil
	case index.SortYearAsc, index.SortYearDesc:
		return s, nil
	default:
		return "", paramError("sort", fmt.Sprintf("%q is not one of relevance, year, -year", clip(s)))
	}
}

// parseSearch turns the query string of /api/search into an index.Request.
// Size 0 asks for the total and facets only; the index reads 0 as its
// default size, so the handler turns it into countOnly.
func parseSearch(v url.Values) (index.Request, error) {
	var req index.Request
	var err error
	if req.Query, err = parseQuery(v, false); err != nil {
		return req, err
	}
	if req.Filters, err = parseFilters(v); err != nil {
		return req, err
	}
	if req.Sort, err = parseSort(v); err != nil {
		return req, err
	}
	if req.Size, err = intParam(v, "size", index.DefaultSize, index.MaxSize); err != nil {
		return req, err
	}
	if req.From, err = intParam(v, "from", 0, index.MaxWindow); err != nil {
		return req, err
	}
	if req.From+req.Size > index.MaxWindow {
		return req, paramError("from", fmt.Sprintf("from + size is %d; the limit is %d (use search_after or /api/export for more)", req.From+req.Size, index.MaxWindow))
	}
	if req.Facets, err = parseFacets(v); err != nil {
		return req, err
	}
	if req.Highlight, err = boolParam(v, "highlight", true); err != nil {
		return req, err
	}
	for _, s := range v["search_after"] {
		if !utf8.ValidString(s) || len(s) > 1024 {
			return req, paramError("search_after", "each value must be UTF-8 text of at most 1024 bytes")
		}
		req.SearchAfter = append(req.SearchAfter, s)
	}
	if len(req.SearchAfter) > 0 && req.From > 0 {
		return req, paramError("search_after", "search_after cannot be combined with from")
	}
	return req, nil
}

// parseFiltered reads q and the filters, for trend and export; q is required.
func parseFiltered(v url.Values) (index.Request, error) {
	var req index.Request
	var err error
	if req.Query, err = parseQuery(v, true); err != nil {
		return req, err
	}
	if req.Filters, err = parseFilters(v); err != nil {
		return req, err
	}
	if req.Sort, err = parseSort(v); err != nil {
		return req, err
	}
	return req, nil
}

// Query parameters of each route; any other is refused, so that a misspelt
// one (match= for q=) is not silently ignored.
var (
	filterParams = []string{"region", "year", "level", "part", "kind"}
	searchParams = append([]string{"q", "sort", "from", "size", "facets", "highlight", "search_after"}, filterParams...)
	trendParams  = append([]string{"q"}, filterParams...)
	exportParams = append([]string{"q", "sort", "format", "bom"}, filterParams...)
)

// onlyParams refuses a request that has a query parameter outside allowed,
// naming every unknown one.
func (s *server) onlyParams(allowed ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var unknown []string
		for name := range c.Request.URL.Query() {
			if !slices.Contains(allowed, name) {
				unknown = append(unknown, clip(name))
			}
		}
		if len(unknown) == 0 {
			c.Next()
			return
		}
		slices.Sort(unknown)
		takes := "no query parameter"
		if len(allowed) > 0 {
			takes = "only " + strings.Join(allowed, ", ")
		}
		s.fail(c, paramError(unknown[0], fmt.Sprintf("unknown query parameter %s; this route takes %s",
			strings.Join(unknown, ", "), takes)))
	}
}

// cleanText removes invisible characters from a query or filter value and
// turns other control characters into spaces, which separate terms.
func cleanText(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return ingest.InvisibleRune(r) || unicode.IsControl(r) }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case ingest.InvisibleRune(r):
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
}

// clip shortens a user-supplied value echoed in an error message.
func clip(s string) string {
	const max = 40
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
