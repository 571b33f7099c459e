package index

import (
	"fmt"
	"slices"
	"strings"
)

// Orders of a report list. The default, newest first, is the order of
// Reports.
var reportSorts = []string{"-year", "year", "region", "-region", "-paragraphs", "paragraphs", "-chars", "chars"}

// ReportSortParam returns the order a sort parameter of a report list
// names: empty is "-year"; "year", "region", "paragraphs" and "chars" sort
// ascending, with a leading "-" descending.
func ReportSortParam(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return reportSorts[0], nil
	}
	if !slices.Contains(reportSorts, s) {
		return "", invalid("sort", s, RuleUnknown, fmt.Sprintf("%q is not one of %s", Clip(s), strings.Join(reportSorts, ", ")))
	}
	return s, nil
}

// ReportSorts lists the orders ReportSortParam takes, the default first.
func ReportSorts() []string { return slices.Clone(reportSorts) }

// SelectReports returns the reports of list that pass the filters on
// facets of the report (MatchReport), in the order a ReportSortParam
// names; ties keep the newest year first, then region, then id.
func SelectReports(list []ReportSummary, f Filters, order string) []ReportSummary {
	var out []ReportSummary
	for _, r := range list {
		if f.MatchReport(&r.Meta) {
			out = append(out, r)
		}
	}
	key, desc := strings.CutPrefix(order, "-")
	slices.SortStableFunc(out, func(a, b ReportSummary) int {
		c := 0
		switch key {
		case "year":
			c = a.Year - b.Year
		case "region":
			c = strings.Compare(a.Region, b.Region)
		case "paragraphs":
			c = a.Paragraphs - b.Paragraphs
		case "chars":
			c = a.Chars - b.Chars
		}
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		if a.Year != b.Year {
			return b.Year - a.Year
		}
		if a.Region != b.Region {
			return strings.Compare(a.Region, b.Region)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
