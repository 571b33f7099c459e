package ui

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"govsearch/index"
	"govsearch/ingest"
)

// The start page lists the reports of the index, filtered by region, level
// and year and sorted by a column. Its parameters carry a list_ prefix:
// region=… on the start page is a search of that region's paragraphs.
const listPrefix = "list_"

// reportList is the start page's list of reports.
type reportList struct {
	Reports  []index.ReportSummary
	All      int // reports in the index
	Regions  []option
	Levels   []option
	Years    []option
	Columns  []listColumn
	Sort     string
	Filtered bool
	Clear    string
}

// listColumn is a sortable column header.
type listColumn struct {
	Label, URL string
	Numeric    bool
	AriaSort   string // ascending, descending or empty
}

// listColumns are the sortable columns: label, sort key, whether its
// first click sorts descending (newest, largest first), whether it holds
// counts (right-aligned).
var listColumns = []struct {
	Label, Key         string
	DescFirst, Numeric bool
}{
	{"年份", "year", true, false}, {"地区", "region", false, false}, {"段落", "paragraphs", true, true}, {"字数", "chars", true, true},
}

// parseReportList reads the list's filters and order from the start
// page's URL with the index's rules.
func parseReportList(v url.Values) (index.Filters, string, error) {
	params := url.Values{}
	for _, p := range []string{"region", "level", "year"} {
		for _, x := range v[listPrefix+p] {
			if strings.TrimSpace(x) != "" {
				params.Add(p, x)
			}
		}
	}
	f, err := index.FilterParams(params)
	if err != nil {
		return nil, "", stateError(err, params)
	}
	order, err := index.ReportSortParam(v.Get(listPrefix + "sort"))
	if err != nil {
		return nil, "", badParam(listPrefix+"sort", v.Get(listPrefix+"sort"), "未知的排序方式 "+strconv.Quote(index.Clip(v.Get(listPrefix+"sort"))))
	}
	return f, order, nil
}

// buildReportList filters and sorts all for the start page.
func buildReportList(all []index.ReportSummary, f index.Filters, order string) reportList {
	l := reportList{All: len(all), Sort: order, Filtered: f.Len() > 0, Clear: "/"}
	l.Reports = index.SelectReports(all, f, order)
	first := func(facet string) string {
		if vs := f[facet]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	var regions, levels, years []string
	for _, r := range all {
		regions = append(regions, r.Region)
		levels = append(levels, r.Level)
		years = append(years, index.YearValue(r.Year))
	}
	slices.Sort(regions)
	slices.SortFunc(levels, func(a, b string) int { return slices.Index(ingest.Levels, a) - slices.Index(ingest.Levels, b) })
	slices.Sort(years)
	slices.Reverse(years)
	opts := func(vals []string, all, selected string, label func(string) string) []option {
		out := []option{{Value: "", Label: all}}
		for _, v := range slices.Compact(vals) {
			out = append(out, option{Value: v, Label: label(v), Selected: v == selected})
		}
		return out
	}
	l.Regions = opts(regions, "全部地区", first(index.FacetRegion), func(s string) string { return s })
	l.Levels = opts(levels, "全部层级", first(index.FacetLevel), LevelLabel)
	l.Years = opts(years, "全部年份", first(index.FacetYear), yearLabel)
	base := url.Values{}
	for _, p := range []string{index.FacetRegion, index.FacetLevel, index.FacetYear} {
		for _, v := range f[p] {
			base.Add(listPrefix+p, v)
		}
	}
	key, desc := strings.CutPrefix(order, "-")
	for _, c := range listColumns {
		next := c.Key
		if c.DescFirst {
			next = "-" + c.Key
		}
		col := listColumn{Label: c.Label, Numeric: c.Numeric}
		if key == c.Key {
			col.AriaSort = "ascending"
			if desc {
				col.AriaSort = "descending"
			}
			// A second click reverses the order.
			if desc {
				next = c.Key
			} else {
				next = "-" + c.Key
			}
		}
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		if next != "-year" {
			v.Set(listPrefix+"sort", next)
		}
		col.URL = "/#corpus-h"
		if len(v) > 0 {
			col.URL = "/?" + v.Encode() + "#corpus-h"
		}
		l.Columns = append(l.Columns, col)
	}
	return l
}
