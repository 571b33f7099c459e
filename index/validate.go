package index

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"govsearch/ingest"
)

// The request rules. Search applies them to every request; the HTTP API
// (web) and the pages (web/ui) apply the same functions to their
// parameters before a request reaches the index, and only word their
// messages their own way.

// Request limits.
const (
	MaxSize        = 100
	MaxWindow      = 10000 // from + size
	DefaultSize    = 10
	MaxQueryLength = 256 // characters
	MaxQueryTerms  = 16
	// MaxFilterValues bounds the filter values of one request, all facets
	// together: each year range costs a query clause.
	MaxFilterValues = 64
	// MaxFilterValueBytes bounds one filter value.
	MaxFilterValueBytes = 100
	// MaxSearchAfterBytes bounds one search_after value.
	MaxSearchAfterBytes = 1024
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortYearAsc   = "year"
	SortYearDesc  = "-year"
)

// Match modes (Request.Match).
const (
	MatchAll  = "all"
	MatchBest = "best"
)

// MatchParam returns the Request.Match a match parameter names: empty or
// "all" is MatchAll, "best" is MatchBest.
func MatchParam(s string) (string, error) {
	switch s = strings.TrimSpace(s); s {
	case "", MatchAll:
		return MatchAll, nil
	case MatchBest:
		return MatchBest, nil
	}
	return "", invalid("match", s, RuleUnknown, fmt.Sprintf("%q is not one of %s, %s", Clip(s), MatchAll, MatchBest))
}

// CheckCounting refuses MatchBest for a counting request (trend, export):
// best-match ranks paragraphs that need not contain every term, and a count
// must be reproducible from the text.
func CheckCounting(match string) error {
	m, err := MatchParam(match)
	if err != nil {
		return err
	}
	if m == MatchBest {
		return invalid("match", m, RuleConflict, "match=best ranks paragraphs that need not contain every term; the counting views (trend, export, diffusion, concordance, matrix) count exact matches only (use match=all)")
	}
	return nil
}

// Rule names the kind of rule a request argument breaks, for callers that
// word their own message (the pages answer in Chinese).
type Rule string

// Rules.
const (
	RuleText     Rule = "text"     // not valid UTF-8, empty, or too long a value
	RuleLimit    Rule = "limit"    // beyond a limit: length, count, page depth
	RuleSyntax   Rule = "syntax"   // not of the argument's form (a year range, a score)
	RuleUnknown  Rule = "unknown"  // not one of the argument's values
	RuleConflict Rule = "conflict" // cannot go with another argument
)

// ValidationError is a bad argument of a request other than a syntax error
// in the query: Param names it ("size", "sort", "year", "reports", …),
// Value is the value at fault when one is, and Message says what is wrong.
type ValidationError struct {
	Param   string
	Value   string
	Rule    Rule
	Message string
}

func (e *ValidationError) Error() string { return e.Param + ": " + e.Message }

// QueryError is a syntax error in a query (the "q" parameter), with a
// message naming the offending part. It unwraps to a *ValidationError on
// "q", so that a caller which only tells bad requests from failures tests
// for *ValidationError alone.
type QueryError struct {
	Message string
}

func (e *QueryError) Error() string { return "q: " + e.Message }

// Unwrap returns the error as a *ValidationError on "q".
func (e *QueryError) Unwrap() error {
	return &ValidationError{Param: "q", Rule: RuleSyntax, Message: e.Message}
}

func invalid(param, value string, rule Rule, msg string) *ValidationError {
	return &ValidationError{Param: param, Value: value, Rule: rule, Message: msg}
}

func syntaxError(msg string) *QueryError { return &QueryError{Message: msg} }

// QueryParam reads the text of a query parameter: it must be valid UTF-8,
// loses the invisible characters that documents lose too (CleanText), and
// may have at most MaxQueryLength characters besides surrounding space.
// Errors are *ValidationError on "q".
func QueryParam(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", invalid("q", raw, RuleText, "the query is not valid UTF-8")
	}
	q := CleanText(raw)
	if err := checkQueryLength(strings.TrimSpace(q)); err != nil {
		return "", err
	}
	return q, nil
}

func checkQueryLength(q string) *ValidationError {
	if n := utf8.RuneCountInString(q); n > MaxQueryLength {
		return invalid("q", q, RuleLimit, fmt.Sprintf("the query is %d characters long; the limit is %d", n, MaxQueryLength))
	}
	return nil
}

// CleanText removes the invisible characters ingest removes from documents
// (zero-width characters, byte order marks, bidirectional controls, …)
// from a parameter and turns other control characters into spaces, which
// separate terms.
func CleanText(s string) string {
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

// FilterParams reads the filters of a request from its parameters (as
// url.Values holds them): each facet's values from its Param. Values are
// cleaned (CleanText) and trimmed; empty ones and repeats are dropped.
// More than MaxFilterValues values in all, a value that is not UTF-8 text
// of at most MaxFilterValueBytes bytes, and one the facet does not accept
// are a *ValidationError naming the parameter.
func FilterParams(params map[string][]string) (Filters, error) {
	// Refuse before reading: thousands of year ranges cost seconds of CPU.
	n, most := 0, ""
	for _, f := range facetList {
		n += len(params[f.Param])
		if most == "" || len(params[f.Param]) > len(params[most]) {
			most = f.Param
		}
	}
	if n > MaxFilterValues {
		return nil, invalid(most, "", RuleLimit, fmt.Sprintf("the request has %d filter values; the limit is %d", n, MaxFilterValues))
	}
	var out Filters
	for i := range facetList {
		f := &facetList[i]
		for _, raw := range params[f.Param] {
			if !utf8.ValidString(raw) {
				return nil, invalid(f.Param, raw, RuleText, fmt.Sprintf("the value is not valid UTF-8 text of at most %d bytes", MaxFilterValueBytes))
			}
			v := strings.TrimSpace(CleanText(raw))
			if v == "" || slices.Contains(out[f.Name], v) {
				continue
			}
			if err := f.checkParam(v); err != nil {
				return nil, err
			}
			out.Add(f.Name, v)
		}
	}
	return out, nil
}

// checkParam checks one filter value given as a parameter.
func (f *Facet) checkParam(v string) *ValidationError {
	if len(v) > MaxFilterValueBytes || !utf8.ValidString(v) {
		return invalid(f.Param, v, RuleText, fmt.Sprintf("the value is not valid UTF-8 text of at most %d bytes", MaxFilterValueBytes))
	}
	rule, err := f.checkValue(v)
	switch {
	case err == nil:
		return nil
	case f.YearRanges:
		return invalid(f.Param, v, rule, fmt.Sprintf("%q: %v; expected a year such as 2020 or a range such as 2018..2021", v, err))
	}
	return invalid(f.Param, v, rule, err.Error())
}

// Validate checks filters given directly (Request.Filters): known facets,
// at most MaxFilterValues values, each accepted by its facet.
func (f Filters) Validate() error {
	if n := f.Len(); n > MaxFilterValues {
		return invalid("filters", "", RuleLimit, fmt.Sprintf("the request has %d filter values; the limit is %d", n, MaxFilterValues))
	}
	for name := range f {
		if facetNamed(name) == nil {
			return invalid("filters", name, RuleUnknown, fmt.Sprintf("unknown facet %q; expected some of %s", Clip(name), strings.Join(AllFacets, ", ")))
		}
	}
	for i := range facetList {
		for _, v := range f[facetList[i].Name] {
			if err := facetList[i].checkParam(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// SortParam returns the Request.Sort that a sort parameter names: empty or
// "relevance" is SortRelevance; "year" and "-year" sort by year.
func SortParam(s string) (string, error) {
	switch s = strings.TrimSpace(s); s {
	case "", SortRelevance:
		return SortRelevance, nil
	case SortYearAsc, SortYearDesc:
		return s, nil
	}
	return "", invalid("sort", s, RuleUnknown, fmt.Sprintf("%q is not one of %s, %s, %s", Clip(s), SortRelevance, SortYearAsc, SortYearDesc))
}

// CheckPage checks paging: size at most MaxSize, from at most MaxWindow,
// neither negative, and from + size at most MaxWindow.
func CheckPage(from, size int) error {
	switch {
	case size < 0:
		return invalid("size", strconv.Itoa(size), RuleLimit, fmt.Sprintf("%d is negative", size))
	case size > MaxSize:
		return invalid("size", strconv.Itoa(size), RuleLimit, fmt.Sprintf("%d is above the limit of %d", size, MaxSize))
	case from < 0:
		return invalid("from", strconv.Itoa(from), RuleLimit, fmt.Sprintf("%d is negative", from))
	case from > MaxWindow:
		return invalid("from", strconv.Itoa(from), RuleLimit, fmt.Sprintf("%d is above the limit of %d", from, MaxWindow))
	case from+size > MaxWindow:
		return invalid("from", strconv.Itoa(from), RuleLimit, fmt.Sprintf("from + size is %d; the limit is %d (use search_after or the export for more)", from+size, MaxWindow))
	}
	return nil
}

// CheckSearchAfter checks search_after values on their own: each UTF-8
// text of at most MaxSearchAfterBytes bytes, and none together with from.
// Whether they fit the sort order is checked by Search (checkCursor).
func CheckSearchAfter(after []string, from int) error {
	for _, s := range after {
		if !utf8.ValidString(s) || len(s) > MaxSearchAfterBytes {
			return invalid("search_after", "", RuleText, fmt.Sprintf("each value must be UTF-8 text of at most %d bytes", MaxSearchAfterBytes))
		}
	}
	if len(after) > 0 && from > 0 {
		return invalid("search_after", "", RuleConflict, "search_after cannot be combined with from")
	}
	return nil
}

// checkCursor checks that search_after values name a hit of the sort
// order: a year first when sorting by year, then a score and an id.
func checkCursor(after []string, order []string) error {
	if len(after) != len(order) {
		return invalid("search_after", "", RuleSyntax, fmt.Sprintf("search_after needs %d values for this sort, got %d", len(order), len(after)))
	}
	for i, o := range order {
		switch o {
		case "-_score":
			if _, err := strconv.ParseFloat(after[i], 64); err != nil {
				return invalid("search_after", after[i], RuleSyntax, fmt.Sprintf("value %d must be a score", i+1))
			}
		case orderTier:
			if after[i] != "0" && after[i] != "1" {
				return invalid("search_after", after[i], RuleSyntax, fmt.Sprintf("value %d must be a tier, 0 or 1", i+1))
			}
		case fieldYear, "-" + fieldYear:
			if _, err := strconv.Atoi(after[i]); err != nil {
				return invalid("search_after", after[i], RuleSyntax, fmt.Sprintf("value %d must be a year, got %q", i+1, Clip(after[i])))
			}
		}
	}
	return nil
}

// CheckFacets checks the names of the facets a request asks for.
func CheckFacets(names []string) error {
	for _, n := range names {
		if facetNamed(n) == nil {
			return invalid("facets", n, RuleUnknown, fmt.Sprintf("unknown facet %q; expected some of %s", Clip(n), strings.Join(AllFacets, ", ")))
		}
	}
	return nil
}

// validate applies the rules to a request given to Search, fills in the
// default size and sort, and returns the sort order.
func (req *Request) validate() ([]string, error) {
	if req.Size == 0 {
		req.Size = DefaultSize
	}
	if err := CheckPage(req.From, req.Size); err != nil {
		return nil, err
	}
	if err := CheckSearchAfter(req.SearchAfter, req.From); err != nil {
		return nil, err
	}
	sort, err := SortParam(req.Sort)
	if err != nil {
		return nil, err
	}
	req.Sort = sort
	if req.Match, err = MatchParam(req.Match); err != nil {
		return nil, err
	}
	order := sortOrder(sort, req.Match)
	if req.SearchAfter != nil {
		if err := checkCursor(req.SearchAfter, order); err != nil {
			return nil, err
		}
	}
	if err := CheckFacets(req.Facets); err != nil {
		return nil, err
	}
	return order, nil
}

// sortOrder returns the order of hits for a sort order (SortParam's) and
// match mode: the year when sorting by it, under MatchBest the tier
// (whether a paragraph contains the whole query text), then the score and
// the id.
func sortOrder(s, match string) []string {
	var order []string
	switch s {
	case SortYearAsc:
		order = append(order, fieldYear)
	case SortYearDesc:
		order = append(order, "-"+fieldYear)
	}
	if match == MatchBest {
		order = append(order, orderTier)
	}
	return append(order, "-_score", "_id")
}

// orderTier names the best-match tier in a sort order: 1 for a paragraph
// that contains the whole query text, else 0, higher first.
const orderTier = "-_tier"

// Clip shortens a user-supplied value echoed in an error message to 40
// characters and makes it valid UTF-8.
func Clip(s string) string {
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
