package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/ingest"
)

// The research pages (trend, diffusion, concordance, compare) share the
// query language, the URL state of the search page and a filter form:
// level, a range of years and a part of the report, with the other
// filters of the URL kept as removable chips.

// parseResearch reads the State of a research page. Its sort and from
// belong to the page (the concordance's own order and paging), not to a
// search; since and until, the two ends of the form's year range, become
// a year filter.
func parseResearch(v url.Values) (State, error) {
	w := url.Values{}
	for k, vs := range v {
		if k != "sort" && k != "from" && k != "since" && k != "until" {
			w[k] = vs
		}
	}
	since, until := strings.TrimSpace(v.Get("since")), strings.TrimSpace(v.Get("until"))
	if since != "" || until != "" {
		w["year"] = []string{since + ".." + until}
	}
	return ParseState(w)
}

// pageURL links path with the State's query and filters and the page's
// own parameters.
func pageURL(path string, st State, extra url.Values) string {
	v := st.Values()
	v.Del("sort")
	v.Del("from")
	for k, vs := range extra {
		if len(vs) > 0 && vs[0] != "" {
			v[k] = vs
		}
	}
	return path + "?" + v.Encode()
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// filterForm is the filter part of a research page's form.
type filterForm struct {
	Levels []option
	Parts  []option
	Since  []option
	Until  []option
	Hidden []hiddenInput // filters the form has no control for, and page options
	Chips  []chip
}

// pageControls are the page parameters that pages give controls of their
// own in the form (the concordance's width, the compared queries and
// years); the others ride along as hidden fields.
var pageControls = []string{"q", "width", "a", "b"}

// researchForm builds the filter form of the research page at path for
// st, from the levels and years of the index's reports; extra are the
// page's own parameters, kept by the form and by the chips' links.
func (h *handler) researchForm(ctx context.Context, path string, st State, extra url.Values) (filterForm, error) {
	reports, err := h.s.Reports(ctx)
	if err != nil {
		return filterForm{}, err
	}
	var f filterForm
	levels, years := map[string]bool{}, map[int]bool{}
	for _, r := range reports {
		levels[r.Level] = true
		years[r.Year] = true
	}
	sel := func(facet string) string {
		if vs := st.Filters[facet]; len(vs) == 1 {
			return vs[0]
		}
		return ""
	}
	f.Levels = append(f.Levels, option{Value: "", Label: "全部层级"})
	for _, l := range ingest.Levels {
		if levels[l] || sel(index.FacetLevel) == l {
			f.Levels = append(f.Levels, option{Value: l, Label: LevelLabel(l), Selected: sel(index.FacetLevel) == l})
		}
	}
	f.Parts = append(f.Parts, option{Value: "", Label: "全部报告部分"})
	for _, p := range ingest.PartKinds {
		f.Parts = append(f.Parts, option{Value: p, Label: PartLabel(p), Selected: sel(index.FacetPartKind) == p})
	}
	var from, to int
	if r, err := index.ParseYearRange(sel(index.FacetYear)); err == nil {
		from, to = r.From, r.To
	}
	var ys []int
	for y := range years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	f.Since = append(f.Since, option{Value: "", Label: "最早"})
	f.Until = append(f.Until, option{Value: "", Label: "最新"})
	for _, y := range ys {
		f.Since = append(f.Since, option{Value: itoa(y), Label: itoa(y) + "年", Selected: y == from})
		f.Until = append(f.Until, option{Value: itoa(y), Label: itoa(y) + "年", Selected: y == to})
	}
	// Filters the form shows are set by its controls; the others ride
	// along as hidden fields.
	for _, fc := range index.Facets() {
		controlled := fc.Name == index.FacetLevel || fc.Name == index.FacetPartKind || fc.YearRanges
		for _, v := range st.Filters[fc.Name] {
			if !controlled || len(st.Filters[fc.Name]) > 1 {
				f.Hidden = append(f.Hidden, hiddenInput{fc.Param, v})
			}
			f.Chips = append(f.Chips, chip{Label: facetTitle(fc) + "：" + valueLabel(fc, v), URL: pageURL(path, st.Toggle(fc.Name, v), extra)})
		}
	}
	for _, k := range sortedKeys(extra) {
		if slices.Contains(pageControls, k) {
			continue
		}
		for _, v := range extra[k] {
			if v != "" {
				f.Hidden = append(f.Hidden, hiddenInput{k, v})
			}
		}
	}
	return f, nil
}

func sortedKeys(v url.Values) []string {
	out := make([]string, 0, len(v))
	for k := range v {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// researchLinks are the links between the research pages and the search
// of the same query and filters.
type researchLinks struct {
	Search, Trend, Diffusion, KWIC, Compare string
}

func linksFor(st State) researchLinks {
	return researchLinks{
		Search:    "/?" + State{Q: st.Q, Filters: st.Filters}.Encode(),
		Trend:     pageURL("/trend", st, nil),
		Diffusion: pageURL("/diffusion", st, nil),
		KWIC:      pageURL("/kwic", st, nil),
		Compare:   pageURL("/compare", st, nil),
	}
}

// tableCSV links the download of a research route as CSV with the byte
// order mark spreadsheet programs need.
func (h *handler) tableCSV(route string, st State, extra url.Values) string {
	v := url.Values{"format": {"csv"}, "bom": {"true"}}
	for k, vs := range extra {
		v[k] = vs
	}
	return pageURL(h.opts.APIBase+route, st, v)
}

// researchHead is what the research pages share: the URL state, the filter
// form, the links to the other views and to the table's CSV, the examples
// and the error panel.
type researchHead struct {
	State    State
	Form     filterForm
	Links    researchLinks
	Err      *pageError
	Examples []example
	CSV      string
}

// openResearch fills the head of the research page name (its path is
// /name; page is its data, which embeds hd) with the page's own
// parameters extra and the CSV of the API's csvRoute with csvExtra. With
// no query it renders the page's form and examples, on a failure the
// error; it reports whether it rendered the page.
func (h *handler) openResearch(c *gin.Context, ctx context.Context, name string, hd *researchHead, page any, extra url.Values, csvRoute string, csvExtra url.Values) bool {
	var err error
	if hd.Form, err = h.researchForm(ctx, "/"+name, hd.State, extra); err != nil {
		h.renderFailed(c, name, page, &hd.Err, err)
		return true
	}
	if hd.State.Q == "" {
		hd.Examples = h.examples(c, "/"+name)
		h.render(c, http.StatusOK, name, page)
		return true
	}
	hd.Links = linksFor(hd.State)
	hd.CSV = h.tableCSV(csvRoute, hd.State, csvExtra)
	return false
}
