package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"govsearch/index"
)

type trendPage struct {
	base
	researchHead
	Metric  string
	Metrics []metricLink
	View    trendView
}

// metricLink is one choice of the measure switch.
type metricLink struct {
	Label, URL string
	Current    bool
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

// metricParam reads the measure of a trend or compare page; an unknown
// one is a *StateError.
func metricParam(v url.Values) (string, error) {
	m := strings.TrimSpace(v.Get("metric"))
	if m == "" {
		return metricCount, nil
	}
	for _, o := range metricOptions {
		if o.Value == m {
			return m, nil
		}
	}
	return "", badParam("metric", m, "未知的统计口径 "+strconv.Quote(index.Clip(m))+"，可用 count、per10k、share")
}

// metricLinks are the links of the measure switch on the page at path.
func metricLinks(path string, st State, current string, extra url.Values) []metricLink {
	var out []metricLink
	for _, o := range metricOptions {
		e := url.Values{"metric": {o.Value}}
		if o.Value == metricCount {
			e = url.Values{}
		}
		for k, vs := range extra {
			e[k] = vs
		}
		out = append(out, metricLink{Label: o.Label, URL: pageURL(path, st, e), Current: o.Value == current})
	}
	return out
}

func (h *handler) trend(c *gin.Context) {
	v := c.Request.URL.Query()
	st, err := parseResearch(v)
	if err == nil {
		_, err = metricParam(v)
	}
	if err != nil {
		h.renderError(c, h.classify(err))
		return
	}
	metric, _ := metricParam(v)
	p := trendPage{base: h.base("trend", "趋势", st.Q), researchHead: researchHead{State: st}, Metric: metric}
	ctx, cancel := h.ctx(c)
	defer cancel()
	extra := url.Values{}
	if metric != metricCount {
		extra.Set("metric", metric)
	}
	if h.openResearch(c, ctx, "trend", &p.researchHead, &p, extra, "/trend", nil) {
		return
	}
	p.Title = st.Q + " - 趋势 - " + h.opts.SiteName
	p.Metrics = metricLinks("/trend", st, metric, nil)
	tr, err := h.s.Trend(ctx, index.Request{Query: st.Q, Filters: st.Filters.Clone()})
	if err != nil {
		h.renderFailed(c, "trend", &p, &p.Err, err)
		return
	}
	p.View = buildTrend(tr, metric, func(region string, year int) string {
		s := State{Q: st.Q, Filters: st.Filters.Clone()}
		s.setFilter(index.FacetRegion, []string{region})
		s.setFilter(index.FacetYear, []string{index.YearValue(year)})
		return "/?" + s.Encode()
	})
	if p.View.Total.Paragraphs == 0 {
		p.Examples = h.examples(c, "/trend")
	}
	h.render(c, http.StatusOK, "trend", p)
}
