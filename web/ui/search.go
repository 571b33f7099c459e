package ui

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"govsearch/analyzer"
	"govsearch/index"
	"govsearch/ingest"
)

// facetShown is how many values of a facet are listed before "更多".
const facetShown = 10

// facetView is one facet group of the sidebar.
type facetView struct {
	Param    string
	Title    string
	Items    []facetItem
	More     []facetItem // listed inside a <details>
	Selected int
	ClearURL string
}

type facetItem struct {
	ID      string // element id of the checkbox
	Param   string // URL parameter of the facet
	Value   string
	Label   string
	Count   int
	HasCnt  bool
	Checked bool
	URL     string // the page with this value toggled, for links and no-JS use
}

// result is one hit as the search page shows it.
type result struct {
	Title     string
	Fragments []template.HTML
	Citation  string
	ReaderURL string
	CiteURL   string // the paragraph's permanent link, without the query
	Cite      string // the paragraph's GB/T 7714 citation, which 复制引用 copies
	Hit       index.Hit
	Kind      string
}

// chip is an active filter shown above the results with a link removing it.
type chip struct{ Label, URL string }

type pager struct {
	Prev, Next string
	Pages      []pageLink
	First      int // 1-based rank of the first result shown
	Last       int
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis before this link
}

type sortOpt struct {
	Value, Label string
	Selected     bool
	URL          string
}

type glossaryEntry struct {
	Term       string
	Definition template.HTML
	Citation   string
	ReaderURL  string
}

type searchPage struct {
	base
	State     State
	Resp      *index.Response
	Took      string
	Results   []result
	Facets    []facetView
	Chips     []chip
	ClearAll  string
	Pager     pager
	Sorts     []sortOpt
	Glossary  []glossaryEntry
	Err       *pageError
	CSV       string
	JSONL     string
	TrendURL  string
	Links     researchLinks
	Examples  []example
	List      reportList
	Syntax    []string
	Home      bool
	FirstPage string
	// Fallback is set when nothing contains the whole query and the
	// best-match results are shown instead; ExactURL, under best-match,
	// links the exact search.
	Fallback bool
	ExactURL string
	// BestURL links the best-match results of an exact search without any.
	BestURL string
}

func (h *handler) search(c *gin.Context) {
	st, err := ParseState(c.Request.URL.Query())
	if err != nil {
		h.renderError(c, h.classify(err))
		return
	}
	p := searchPage{base: h.base("search", "", st.Q), State: st, Syntax: syntaxTips}
	ctx, cancel := h.ctx(c)
	defer cancel()
	if st.Q == "" && !st.HasFilters() {
		p.Home = true
		filters, order, err := parseReportList(c.Request.URL.Query())
		if err != nil {
			h.renderError(c, h.classify(err))
			return
		}
		p.Examples = h.examples(c, "/")
		reports, err := h.s.Reports(ctx)
		if err != nil {
			p.Err = h.classify(err)
		}
		p.List = buildReportList(reports, filters, order)
		h.render(c, http.StatusOK, "search", p)
		return
	}
	if st.Q != "" {
		p.Title = st.Q + " - 检索"
	} else {
		p.Title = "浏览"
	}
	resp, err := h.s.Search(ctx, st.Request())
	if err != nil {
		p.Err = h.classify(err)
		h.render(c, p.Err.Status, "search", p)
		return
	}
	if resp.Total == 0 && st.Match == "" && st.Q != "" {
		// Nothing contains the whole query: show the paragraphs that
		// come closest, and say so. Their links stay in best-match mode.
		best := st.clone()
		best.Match = index.MatchBest
		if bresp, err := h.s.Search(ctx, best.Request()); err == nil && bresp.Total > 0 {
			st, resp = best, bresp
			p.State = st
			p.Fallback = true
		}
	}
	if resp.Total == 0 {
		p.Examples = h.examples(c, "/")
	}
	switch {
	case st.Match == index.MatchBest:
		exact := st.clone()
		exact.Match, exact.From = index.MatchAll, 0
		p.ExactURL = "/?" + exact.Encode()
	case st.Match == index.MatchAll && resp.Total == 0 && st.Q != "":
		best := st.clone()
		best.Match, best.From = index.MatchBest, 0
		p.BestURL = "/?" + best.Encode()
	}
	p.Resp = resp
	p.Took = formatMS(resp.TookMS)
	for _, hit := range resp.Hits {
		p.Results = append(p.Results, makeResult(hit, st))
	}
	p.Facets = h.facets(st, resp.Facets)
	p.Chips, p.ClearAll = chips(st)
	p.Pager = makePager(st, resp.Total)
	p.FirstPage = "/?" + st.Page(0).Encode()
	for _, o := range sortOptions {
		v := o.Value
		if v == index.SortRelevance {
			v = ""
		}
		s := st.clone()
		s.Sort, s.From = v, 0
		p.Sorts = append(p.Sorts, sortOpt{Value: o.Value, Label: o.Label, Selected: st.Sort == v, URL: "/?" + s.Encode()})
	}
	if st.Match != index.MatchBest {
		// Trend, export and the research views count exact matches only.
		exp := st.clone()
		exp.From = 0
		p.CSV = h.opts.APIBase + "/export?format=csv&bom=true&" + exp.Encode()
		p.JSONL = h.opts.APIBase + "/export?format=jsonl&" + exp.Encode()
		p.TrendURL = trendURL(st)
		p.Links = linksFor(st)
	}
	if st.Q != "" && st.From == 0 {
		p.Glossary = h.glossary(ctx, st.Q)
	}
	h.render(c, http.StatusOK, "search", p)
}

// makeResult prepares one hit of the search of st: its highlighted
// fragments (already escaped by the index, with only <mark> tags) and its
// citation.
func makeResult(hit index.Hit, st State) result {
	q := st.Q
	r := result{Hit: hit, Kind: KindLabel(hit.Kind)}
	r.Title = index.ReportTitle(hit.Meta)
	for _, f := range hit.Highlights {
		if !safeFragment(f) {
			// The index promises escaped text with only <mark> tags; if a
			// fragment breaks that promise, show our own rendering instead
			// of trusting it.
			r.Fragments = nil
			break
		}
		r.Fragments = append(r.Fragments, template.HTML(f))
	}
	if len(r.Fragments) == 0 {
		// No fragment (e.g. a filter-only search): show the start of the
		// paragraph, escaped by the template.
		frag, _ := MarkText(truncate(hit.Text, 160), HighlightTerms(q))
		r.Fragments = []template.HTML{frag}
	}
	r.Citation = citation(hit.Record)
	r.Cite = hit.Citation
	r.ReaderURL = readerMatchURL(hit.ReportID, hit.Ordinal, q, st.Match)
	r.CiteURL = readerURL(hit.ReportID, hit.Ordinal, "")
	return r
}

// safeFragment reports whether a highlight fragment is escaped text with
// no markup but <mark> and </mark>.
func safeFragment(f string) bool {
	rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(f)
	return !strings.ContainsAny(rest, "<>\"'") && utf8.ValidString(f)
}

// citation is the line 地区 · 年份 · 报告部分 · 第N段 under a result.
func citation(r ingest.Record) string {
	parts := make([]string, 0, 4)
	if r.Region != "" {
		parts = append(parts, r.Region)
	}
	if r.Year > 0 {
		parts = append(parts, strconv.Itoa(r.Year)+"年")
	}
	part := strings.TrimSpace(r.Part)
	if part == "" {
		part = PartLabel(r.PartKind)
	} else {
		part = truncate(part, 24)
	}
	parts = append(parts, part)
	parts = append(parts, "第"+strconv.Itoa(r.Ordinal)+"段")
	return strings.Join(parts, " · ")
}

// facets builds the sidebar from the index's counts, one group per facet
// of the index's registry. Ticked values are always listed, with count 0
// when the index returned no bucket for them, so they can be unticked.
func (h *handler) facets(st State, counts map[string][]index.FacetValue) []facetView {
	var out []facetView
	for _, f := range index.Facets() {
		out = append(out, h.facetGroup(st, f, counts[f.Name]))
	}
	return out
}

// facetGroup is the sidebar group of facet f with the index's buckets.
func (h *handler) facetGroup(st State, f index.Facet, buckets []index.FacetValue) facetView {
	fv := facetView{Param: f.Param, Title: facetTitle(f), ClearURL: "/?" + st.WithoutFacet(f.Name).Encode()}
	vals := slices.Clone(buckets)
	f.Sort(vals)
	var items []facetItem
	for _, v := range vals {
		items = append(items, h.item(st, f, v.Value, v.Count, true))
	}
	for _, sel := range st.Filters[f.Name] {
		if slices.ContainsFunc(vals, func(v index.FacetValue) bool { return v.Value == sel }) {
			continue
		}
		// A range from the URL has no bucket of its own; a plain value
		// without a bucket simply has no match.
		isRange := f.YearRanges && strings.Contains(sel, "..")
		items = append(items, h.item(st, f, sel, 0, !isRange))
	}
	// Ticked values first among the visible ones, so a selection is
	// never hidden under "更多".
	var ticked, rest []facetItem
	for _, it := range items {
		if it.Checked {
			ticked = append(ticked, it)
			fv.Selected++
		} else {
			rest = append(rest, it)
		}
	}
	all := append(ticked, rest...)
	n := max(facetShown, len(ticked))
	if len(all) > n+2 { // hiding one or two values is not worth a click
		fv.Items, fv.More = all[:n], all[n:]
	} else {
		fv.Items = all
	}
	return fv
}

func (h *handler) item(st State, f index.Facet, value string, count int, hasCount bool) facetItem {
	return facetItem{
		ID:      "f-" + f.Param + "-" + elementID(value),
		Param:   f.Param,
		Value:   value,
		Label:   valueLabel(f, value),
		Count:   count,
		HasCnt:  hasCount,
		Checked: st.Selected(f.Name, value),
		URL:     "/?" + st.Toggle(f.Name, value).Encode(),
	}
}

// elementID turns a facet value into a safe, unique id fragment.
func elementID(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r < 128 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteString("_" + strconv.FormatInt(int64(r), 36))
		}
	}
	return b.String()
}

// chips lists the active filters of a search, each linking to the search
// without it, and the link without any.
func chips(st State) ([]chip, string) {
	out := filterChips(st, "/?")
	if len(out) == 0 {
		return nil, ""
	}
	return out, "/?" + st.WithoutFilters().Encode()
}

// filterChips lists the active filters of st, each linking to page (a
// path with "?") without it.
func filterChips(st State, page string) []chip {
	var out []chip
	for _, f := range index.Facets() {
		for _, v := range st.Filters[f.Name] {
			out = append(out, chip{Label: facetTitle(f) + "：" + valueLabel(f, v), URL: page + st.Toggle(f.Name, v).Encode()})
		}
	}
	return out
}

// makePager links the pages around the current one; the index answers at
// most index.MaxWindow results deep.
func makePager(st State, total int) pager {
	return pagerFor(total, min(total, index.MaxWindow), st.From, pageSize, func(from int) string { return "/?" + st.Page(from).Encode() })
}

// pagerFor links the pages of total results, size a page, around the one
// starting at from; only the first reachable results can be paged to, and
// link gives the URL of the page starting at an offset.
func pagerFor(total, reachable, from, size int, link func(from int) string) pager {
	var p pager
	if total == 0 {
		return p
	}
	p.First = from + 1
	p.Last = min(from+size, total)
	pages := (reachable + size - 1) / size
	cur := from/size + 1
	if cur > 1 {
		p.Prev = link((cur - 2) * size)
	}
	if cur < pages {
		p.Next = link(cur * size)
	}
	if pages <= 1 {
		return p
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < cur-2 || n > cur+2) {
			continue
		}
		p.Pages = append(p.Pages, pageLink{N: n, URL: link((n - 1) * size), Current: n == cur, Gap: last > 0 && n > last+1})
		last = n
	}
	return p
}

// glossary finds 名词解释 entries whose term the query names: the query
// contains the term or a query term contains it, after normalisation.
func (h *handler) glossary(ctx context.Context, q string) []glossaryEntry {
	resp, err := h.s.Search(ctx, index.Request{
		Query:   q,
		Filters: index.Filters{index.FacetKind: {ingest.KindGlossary}},
		Size:    5,
		Facets:  []string{},
	})
	if err != nil {
		return nil // the card is a bonus; the main search reports errors
	}
	terms := HighlightTerms(q)
	nq := analyzer.Normalize(q)
	var out []glossaryEntry
	seen := map[string]bool{}
	for _, hit := range resp.Hits {
		term := strings.TrimSpace(hit.Term)
		nt := analyzer.Normalize(strings.Trim(term, "“”\"「」"))
		if nt == "" || seen[nt] {
			continue
		}
		match := strings.Contains(nq, nt)
		for _, t := range terms {
			match = match || strings.Contains(nt, t)
		}
		if !match {
			continue
		}
		seen[nt] = true
		def := hit.Definition
		if def == "" {
			def = hit.Text
		}
		html, _ := MarkText(def, terms)
		out = append(out, glossaryEntry{Term: term, Definition: html, Citation: citation(hit.Record), ReaderURL: readerURL(hit.ReportID, hit.Ordinal, q)})
		if len(out) == 2 {
			break
		}
	}
	return out
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func formatMS(ms float64) string {
	switch {
	case ms < 1:
		return "不到 1"
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	}
	return strconv.FormatFloat(ms, 'f', 0, 64)
}

func itoa(n int) string { return strconv.Itoa(n) }

// groupDigits writes n with thousands separators.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
