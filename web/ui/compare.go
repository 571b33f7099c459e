package ui

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"govsearch/index"
)

// maxCompared bounds the queries of the compare page.
const maxCompared = 5

// seriesStyles tell the compared queries apart by colour and by dash, so
// that the chart reads without colour too.
var seriesStyles = []struct{ Colour, Dash string }{
	{"#1f4fa0", ""}, {"#c8232c", "6 3"}, {"#2f7d32", "2 3"}, {"#8a5a00", "8 3 2 3"}, {"#6a3d9a", "1 2"},
}

type comparePage struct {
	base
	Queries  []string // the form's inputs: the queries, then one empty
	Form     filterForm
	Metric   string
	Metrics  []metricLink
	Links    researchLinks
	Err      *pageError
	Examples []example
	CSV      string
	Series   []seriesView
	Years    []int
	Table    []compareRow
	Chart    lineChart // for screens wider than a phone
	Narrow   lineChart // the same lines laid out for a phone
	A, B     int
	YearsA   []option
	YearsB   []option
	Changes  []changeView
}

// seriesView is one compared query.
type seriesView struct {
	Query  string
	Colour string
	Dash   string
	Total  cellView
	Years  []cellView // aligned with comparePage.Years
}

// compareRow is one year of the side-by-side table.
type compareRow struct {
	Year  int
	Cells []cellView // per query
}

// lineChart draws one line per query over the years; a year without a
// report breaks the line.
type lineChart struct {
	Width, Height float64
	Left, Bottom  float64
	PlotW         float64
	Ticks         []tick
	XLabels       []curveLabel
	Lines         []chartLine
}

type chartLine struct {
	Query, Colour, Dash string
	Segments            []string // polyline points
	Points              []linePoint
}

type linePoint struct {
	Year  int
	Value float64
	Label string
	X, Y  float64
}

// changeView compares two years for one query: among the regions with a
// report in both, those that started, stopped and kept mentioning it.
type changeView struct {
	Query                     string
	Started, Stopped, Kept    []string
	Neither                   int // regions with reports in both years and no mention in either
	OnlyA, OnlyB              int // regions with a report in only one of the years
	StartedN, StoppedN, KeptN int
}

func (h *handler) compare(c *gin.Context) {
	v := c.Request.URL.Query()
	st, err := parseResearch(v)
	var metric string
	var queries []string
	if err == nil {
		metric, err = metricParam(v)
	}
	if err == nil {
		queries, err = compareQueries(v)
	}
	var a, b int
	if err == nil {
		a, b, err = compareYears(v)
	}
	if err != nil {
		h.renderError(c, h.classify(err))
		return
	}
	st.Q = ""
	firstQ := ""
	if len(queries) > 0 {
		firstQ = queries[0]
	}
	p := comparePage{base: h.base("compare", "对比", firstQ), Metric: metric, Queries: queries}
	if len(p.Queries) < maxCompared {
		p.Queries = append(p.Queries, "")
	}
	if len(p.Queries) < 2 {
		p.Queries = append(p.Queries, "")
	}
	extra := url.Values{}
	if metric != metricCount {
		extra.Set("metric", metric)
	}
	ctx, cancel := h.ctx(c)
	defer cancel()
	ab := url.Values{}
	if a > 0 {
		ab.Set("a", strconv.Itoa(a))
	}
	if b > 0 {
		ab.Set("b", strconv.Itoa(b))
	}
	for k, vs := range ab {
		extra[k] = vs
	}
	if p.Form, err = h.researchForm(ctx, "/compare", st, withQueries(extra, queries)); err != nil {
		h.renderFailed(c, "compare", &p, &p.Err, err)
		return
	}
	if len(queries) == 0 {
		p.Examples = h.examples(c, "/trend")
		h.render(c, http.StatusOK, "compare", p)
		return
	}
	p.Title = strings.Join(queries, " · ") + " - 对比 - " + h.opts.SiteName
	first := State{Q: queries[0], Filters: st.Filters}
	p.Links = linksFor(first)
	p.Metrics = metricLinks("/compare", st, metric, withQueries(ab, queries))
	p.CSV = h.tableCSV("/matrix", st, url.Values{"q": queries})
	var trends []*index.Trend
	for _, q := range queries {
		tr, err := h.s.Trend(ctx, index.Request{Query: q, Filters: st.Filters.Clone()})
		if err != nil {
			h.renderFailed(c, "compare", &p, &p.Err, err)
			return
		}
		trends = append(trends, tr)
	}
	p.build(queries, trends)
	p.compareYears(queries, trends, a, b)
	h.render(c, http.StatusOK, "compare", p)
}

// withQueries returns v with the compared queries as q.
func withQueries(v url.Values, queries []string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	if len(queries) > 0 {
		out["q"] = queries
	}
	return out
}

// compareQueries reads the compared queries: every non-empty q, checked
// with the index's rules, at most maxCompared.
func compareQueries(v url.Values) ([]string, error) {
	var out []string
	for _, raw := range v["q"] {
		q, err := index.QueryParam(raw)
		if err != nil {
			return nil, stateError(err, v)
		}
		if q = strings.TrimSpace(q); q == "" || slices.Contains(out, q) {
			continue
		}
		if _, err := index.ParseQuery(q); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	if len(out) > maxCompared {
		return nil, badParam("q", "", "最多对比 "+strconv.Itoa(maxCompared)+" 个检索式")
	}
	return out, nil
}

// compareYears reads the two years compared (0 when not given).
func compareYears(v url.Values) (a, b int, err error) {
	for _, p := range []struct {
		name string
		to   *int
	}{{"a", &a}, {"b", &b}} {
		s := strings.TrimSpace(v.Get(p.name))
		if s == "" {
			continue
		}
		if *p.to, err = strconv.Atoi(s); err != nil || *p.to < index.MinYear || *p.to > index.MaxYear {
			return 0, 0, badParam(p.name, s, strconv.Quote(index.Clip(s))+" 不是年份")
		}
	}
	return a, b, nil
}

// build lays out the series, the side-by-side table and the chart.
func (p *comparePage) build(queries []string, trends []*index.Trend) {
	var all []index.TrendCell
	for _, tr := range trends {
		all = append(all, tr.Cells...)
	}
	if len(all) == 0 {
		return
	}
	p.Years = axisYears(all)
	col := map[int]int{}
	for i, y := range p.Years {
		col[y] = i
	}
	for i, tr := range trends {
		st := seriesStyles[i%len(seriesStyles)]
		s := seriesView{Query: queries[i], Colour: st.Colour, Dash: st.Dash}
		stats := make([]stat, len(p.Years))
		var total stat
		for _, c := range tr.Cells {
			stats[col[c.Year]].add(c)
			total.add(c)
		}
		for _, x := range stats {
			s.Years = append(s.Years, viewOf(x, p.Metric))
		}
		s.Total = viewOf(total, p.Metric)
		p.Series = append(p.Series, s)
	}
	for i, y := range p.Years {
		row := compareRow{Year: y}
		for _, s := range p.Series {
			row.Cells = append(row.Cells, s.Years[i])
		}
		p.Table = append(p.Table, row)
	}
	p.Chart = layoutLines(p.Years, p.Series, p.Metric, 760, 12)
	p.Narrow = layoutLines(p.Years, p.Series, p.Metric, 360, 5)
}

// layoutLines draws each series as a line over the years, in a chart
// width units wide with at most maxLabels year labels.
func layoutLines(years []int, series []seriesView, metric string, width float64, maxLabels int) lineChart {
	c := lineChart{Width: width, Height: 300, Left: 48}
	if width < 500 {
		c.Height, c.Left = 240, 40
	}
	top := 24.0
	c.PlotW = c.Width - c.Left - 24
	plotH := c.Height - top - 40
	c.Bottom = top + plotH
	maxV := 0.0
	for _, s := range series {
		for _, v := range s.Years {
			maxV = math.Max(maxV, v.Value)
		}
	}
	ymax, step := axisFor(metric, maxV)
	for i := 0; float64(i)*step <= ymax+step/1e6; i++ {
		t := float64(i) * step
		y := round1(c.Bottom - t/ymax*plotH)
		c.Ticks = append(c.Ticks, tick{Y: y, X1: c.Left, X2: c.Left + c.PlotW, LabelX: c.Left - 6, LabelY: y + 4, Label: tickLabel(t, step)})
	}
	n := len(years)
	x := func(i int) float64 {
		if n == 1 {
			return round1(c.Left + c.PlotW/2)
		}
		return round1(c.Left + c.PlotW*float64(i)/float64(n-1))
	}
	labelEvery := int(math.Ceil(float64(n) / float64(maxLabels)))
	for i, y := range years {
		if i%labelEvery == 0 || i == n-1 && 2*(i%labelEvery) >= labelEvery {
			c.XLabels = append(c.XLabels, curveLabel{X: x(i), Label: strconv.Itoa(y)})
		}
	}
	for _, s := range series {
		l := chartLine{Query: s.Query, Colour: s.Colour, Dash: s.Dash}
		var seg []string
		for i, v := range s.Years {
			if v.NoData() {
				if len(seg) > 0 {
					l.Segments = append(l.Segments, strings.Join(seg, " "))
				}
				seg = nil
				continue
			}
			pt := linePoint{Year: years[i], Value: v.Value, Label: v.Label, X: x(i), Y: round1(c.Bottom - v.Value/ymax*plotH)}
			l.Points = append(l.Points, pt)
			seg = append(seg, f1(pt.X)+","+f1(pt.Y))
		}
		if len(seg) > 0 {
			l.Segments = append(l.Segments, strings.Join(seg, " "))
		}
		c.Lines = append(c.Lines, l)
	}
	return c
}

// compareYears fills the year-A-versus-year-B comparison; without a or b
// it compares the last two years with reports.
func (p *comparePage) compareYears(queries []string, trends []*index.Trend, a, b int) {
	reported := map[int]map[string]bool{} // year → regions with a report
	for _, tr := range trends {
		for _, c := range tr.Cells {
			if reported[c.Year] == nil {
				reported[c.Year] = map[string]bool{}
			}
			reported[c.Year][c.Region] = true
		}
	}
	var years []int
	for y := range reported {
		years = append(years, y)
	}
	slices.Sort(years)
	if len(years) < 2 {
		return
	}
	if a == 0 || reported[a] == nil {
		a = years[len(years)-2]
	}
	if b == 0 || reported[b] == nil {
		b = years[len(years)-1]
	}
	p.A, p.B = a, b
	for _, y := range years {
		p.YearsA = append(p.YearsA, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y) + "年", Selected: y == a})
		p.YearsB = append(p.YearsB, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y) + "年", Selected: y == b})
	}
	for i, tr := range trends {
		mention := map[int]map[string]bool{a: {}, b: {}}
		for _, c := range tr.Cells {
			if (c.Year == a || c.Year == b) && c.MentioningReports > 0 {
				mention[c.Year][c.Region] = true
			}
		}
		cv := changeView{Query: queries[i]}
		for region := range union(reported[a], reported[b]) {
			inA, inB := reported[a][region], reported[b][region]
			switch {
			case inA && !inB:
				cv.OnlyA++
			case inB && !inA:
				cv.OnlyB++
			case mention[a][region] && mention[b][region]:
				cv.Kept = append(cv.Kept, region)
			case mention[b][region]:
				cv.Started = append(cv.Started, region)
			case mention[a][region]:
				cv.Stopped = append(cv.Stopped, region)
			default:
				cv.Neither++
			}
		}
		for _, l := range [][]string{cv.Started, cv.Stopped, cv.Kept} {
			slices.Sort(l)
		}
		cv.StartedN, cv.StoppedN, cv.KeptN = len(cv.Started), len(cv.Stopped), len(cv.Kept)
		p.Changes = append(p.Changes, cv)
	}
}

func union(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
