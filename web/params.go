package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/web/errcode"
)

// parseQuery reads and checks the q parameter (index.QueryParam).
func parseQuery(v url.Values, required bool) (string, error) {
	q, err := index.QueryParam(v.Get("q"))
	if err != nil {
		return "", err
	}
	if required && strings.TrimSpace(q) == "" {
		return "", &Error{Code: errcode.InvalidQuery, Message: "the query is empty", Param: "q"}
	}
	return q, nil
}

// intParam parses an optional non-negative integer parameter; its bounds
// are the index's rules (index.CheckPage).
func intParam(v url.Values, name string, def int) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, paramError(name, fmt.Sprintf("%q is not a non-negative integer", index.Clip(s)))
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
		return false, paramError(name, fmt.Sprintf("%q is not true or false", index.Clip(s)))
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
			if name = strings.TrimSpace(name); name != "" && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out, index.CheckFacets(out)
}

// parseSearch turns the query string of /api/search into an index.Request.
// Size 0 asks for the total and facets only; the index reads 0 as its
// default size, so the handler turns it into countOnly.
func parseSearch(v url.Values) (index.Request, error) {
	req, err := parseFiltered(v, false)
	if err != nil {
		return req, err
	}
	if req.Size, err = intParam(v, "size", index.DefaultSize); err != nil {
		return req, err
	}
	if req.From, err = intParam(v, "from", 0); err != nil {
		return req, err
	}
	if err = index.CheckPage(req.From, req.Size); err != nil {
		return req, err
	}
	if req.Facets, err = parseFacets(v); err != nil {
		return req, err
	}
	if req.Highlight, err = boolParam(v, "highlight", true); err != nil {
		return req, err
	}
	req.SearchAfter = v["search_after"]
	return req, index.CheckSearchAfter(req.SearchAfter, req.From)
}

// parseFiltered reads q, the filters, the sort and the match mode, which
// trend and export take too; they need a q.
func parseFiltered(v url.Values, required bool) (index.Request, error) {
	var req index.Request
	var err error
	if req.Query, err = parseQuery(v, required); err != nil {
		return req, err
	}
	if req.Filters, err = index.FilterParams(v); err != nil {
		return req, err
	}
	if req.Sort, err = index.SortParam(v.Get("sort")); err != nil {
		return req, err
	}
	if req.Match, err = index.MatchParam(v.Get("match")); err != nil {
		return req, err
	}
	return req, nil
}

// parseCounting reads the parameters of a route that counts matches
// (trend, export): those of parseFiltered with q required, and match=all
// only (index.CheckCounting).
func parseCounting(v url.Values) (index.Request, error) {
	req, err := parseFiltered(v, true)
	if err != nil {
		return req, err
	}
	return req, index.CheckCounting(req.Match)
}

// Query parameters of each route; any other is refused, so that a misspelt
// one (query= for q=) is not silently ignored.
var (
	filterParams = func() []string {
		var out []string
		for _, f := range index.Facets() {
			out = append(out, f.Param)
		}
		return out
	}()
	searchParams = append([]string{"q", "match", "sort", "from", "size", "facets", "highlight", "search_after"}, filterParams...)
	exportParams = append([]string{"q", "match", "sort", "format", "bom"}, filterParams...)
)

// onlyParams refuses a request that has a query parameter outside allowed,
// naming every unknown one.
func (s *server) onlyParams(allowed ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var unknown []string
		for name := range c.Request.URL.Query() {
			if !slices.Contains(allowed, name) {
				unknown = append(unknown, index.Clip(name))
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
