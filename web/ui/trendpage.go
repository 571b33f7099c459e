package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"govsearch/index"
)

type trendPage struct {
	base
	State     State
	View      trendView
	Err       *pageError
	SearchURL string
	Examples  []example
	Chips     []chip
	Hidden    []hiddenInput // the filters a new query keeps
}

// hiddenInput is a form field that carries a filter.
type hiddenInput struct{ Name, Value string }

// trendFilters lists the filters of st as form fields, without the year
// (the trend's own axis: a trend over one year says nothing).
func trendFilters(st State) []hiddenInput {
	var out []hiddenInput
	for _, f := range index.Facets() {
		if f.YearRanges {
			continue
		}
		for _, v := range st.Filters[f.Name] {
			out = append(out, hiddenInput{f.Param, v})
		}
	}
	return out
}

func (h *handler) trend(c *gin.Context) {
	st, err := ParseState(c.Request.URL.Query())
	if err != nil {
		h.renderError(c, h.classify(err))
		return
	}
	p := trendPage{base: h.base("trend", "趋势", st.Q), State: st, Examples: trendExamples, Hidden: trendFilters(st)}
	if st.Q == "" {
		h.render(c, http.StatusOK, "trend", p)
		return
	}
	p.Title = st.Q + " - 趋势 - " + h.opts.SiteName
	p.SearchURL = "/?" + st.Encode()
	p.Chips = chipsFor(st)
	ctx, cancel := h.ctx(c)
	defer cancel()
	tr, err := h.s.Trend(ctx, index.Request{Query: st.Q, Filters: st.Filters.Clone()})
	if err != nil {
		p.Err = h.classify(err)
		h.render(c, p.Err.Status, "trend", p)
		return
	}
	p.View = buildTrend(tr)
	h.render(c, http.StatusOK, "trend", p)
}

// chipsFor lists the active filters of a trend, each linking to the trend
// without it.
func chipsFor(st State) []chip { return filterChips(st, "/trend?") }

var trendExamples = func() []example {
	var out []example
	for _, q := range []string{"一网通办", "放管服", "五违四必", "营商环境", "垃圾分类", "PM2.5"} {
		out = append(out, example{Q: q, URL: "/trend?" + WithQuery(q).Encode()})
	}
	return out
}()
