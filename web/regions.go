package web

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web/errcode"
)

// regionSuffixes are the administrative suffixes a short name leaves off:
// 上海 for 上海市, 宁夏 for 宁夏回族自治区. Longer forms come first.
var regionSuffixes = []string{"特别行政区", "自治区", "省", "市"}

// maxListedRegions bounds the names an unknown-region error lists.
const maxListedRegions = 40

// shortRegion strips one administrative suffix from name, keeping at least
// one character.
func shortRegion(name string) string {
	for _, suf := range regionSuffixes {
		if base, ok := strings.CutSuffix(name, suf); ok && base != "" {
			return base
		}
	}
	return name
}

// resolveRegion maps a region as typed to the stored region it names: the
// name itself when it is stored, else the one stored region that starts with
// the typed name less its suffix, else a full region name as typed.
// Otherwise it returns the candidates (more than one) or nil (none).
func resolveRegion(typed string, known []string) (string, []string) {
	if slices.Contains(known, typed) {
		return typed, nil
	}
	base := shortRegion(typed)
	var cands []string
	for _, k := range known {
		if strings.HasPrefix(k, base) {
			cands = append(cands, k)
		}
	}
	if len(cands) == 1 {
		return cands[0], nil
	}
	// A full region name that no report has yet (静安区 in a national
	// index) is a filter with no hits, not a typo.
	if _, ok := ingest.ParseRegion(typed); ok && len(cands) == 0 {
		return typed, nil
	}
	return "", cands
}

// regionError is the 400 of a region that names no stored region, or
// several: it lists the candidates, or else the names that exist.
func regionError(param, typed string, cands, known []string) error {
	e := paramError(param, "")
	if param == "q" {
		e.Code = errcode.InvalidQuery
	}
	switch {
	case len(cands) > 1:
		e.Message = fmt.Sprintf("region %q is ambiguous: it may be %s", index.Clip(typed), listNames(cands))
	case len(known) == 0:
		e.Message = fmt.Sprintf("no region %q: the index holds no report", index.Clip(typed))
	default:
		e.Message = fmt.Sprintf("no region %q; the regions are %s", index.Clip(typed), listNames(known))
	}
	return e
}

func listNames(names []string) string {
	if len(names) > maxListedRegions {
		return strings.Join(names[:maxListedRegions], ", ") + fmt.Sprintf(", … (%d in all)", len(names))
	}
	return strings.Join(names, ", ")
}

// knownRegions lists the distinct regions of the index's reports, sorted.
func knownRegions(ctx context.Context, ix index.Reader) ([]string, error) {
	list, err := ix.Reports(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range list {
		if r.Region != "" {
			out = append(out, r.Region)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// resolveRegions replaces the short region names of req — in the region
// parameter and in region: filters of q — by the stored names, so that
// region=上海 finds 上海市 instead of nothing. It returns the query as the
// client wrote it, for the response to echo.
func (s *server) resolveRegions(c *gin.Context, req *index.Request) (string, error) {
	typedQuery := req.Query
	var parsed *index.Query
	if strings.Contains(req.Query, "region:") {
		// A query that does not parse is left for the index to report.
		parsed, _ = index.ParseQuery(req.Query)
	}
	if len(req.Filters[index.FacetRegion]) == 0 && (parsed == nil || len(parsed.Filters[index.FacetRegion]) == 0) {
		return typedQuery, nil
	}
	known, err := ask(s, c, knownRegions)
	if err != nil {
		return typedQuery, err
	}
	resolve := func(param string, vals []string) ([]string, bool, error) {
		changed := false
		out := make([]string, 0, len(vals))
		for _, v := range vals {
			r, cands := resolveRegion(v, known)
			if r == "" {
				return nil, false, regionError(param, v, cands, known)
			}
			changed = changed || r != v
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
		return out, changed, nil
	}
	if regions := req.Filters[index.FacetRegion]; len(regions) > 0 {
		if req.Filters[index.FacetRegion], _, err = resolve("region", regions); err != nil {
			return typedQuery, err
		}
	}
	if parsed != nil && len(parsed.Filters[index.FacetRegion]) > 0 {
		regions, changed, err := resolve("q", parsed.Filters[index.FacetRegion])
		if err != nil {
			return typedQuery, err
		}
		if changed {
			parsed.SetFilter(index.FacetRegion, regions)
			req.Query = parsed.String()
		}
	}
	return typedQuery, nil
}
