package ui

import (
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"govsearch/index"
)

type diffusionPage struct {
	base
	researchHead
	D       *index.Diffusion
	Rows    []diffusionRow
	Never   []neverRow
	Curve   curveChart // for screens wider than a phone
	Narrow  curveChart // the same curve laid out for a phone
	Regions int        // regions with a covered report
	First   *diffusionRow
}

// diffusionRow is a region that mentions the query, as the table shows it.
type diffusionRow struct {
	index.DiffusionRegion
	Quote     template.HTML // the first occurrence with its context, marked
	ReaderURL string        // the reader at the first mention, the query marked
	Years     string        // the years with a mention
}

// neverRow is a region without a mention.
type neverRow struct {
	index.NeverRegion
	Years string
}

// curveChart is the SVG cumulative adoption curve: regions that have
// mentioned the query by each year, against regions with any report by
// then, both as steps.
type curveChart struct {
	Width, Height float64
	Left, Bottom  float64
	PlotW, PlotH  float64
	Adopted       string // polyline points
	Covered       string
	Points        []curvePoint
	Ticks         []tick
	XLabels       []curveLabel
}

type curvePoint struct {
	Year, Adopted, Regions int
	X, Y, YR               float64
}

type curveLabel struct {
	X     float64
	Label string
}

func (h *handler) diffusion(c *gin.Context) {
	st, err := parseResearch(c.Request.URL.Query())
	if err != nil {
		h.renderError(c, h.classify(err))
		return
	}
	p := diffusionPage{base: h.base("diffusion", "首次提及与扩散", st.Q), researchHead: researchHead{State: st}}
	ctx, cancel := h.ctx(c)
	defer cancel()
	if h.openResearch(c, ctx, "diffusion", &p.researchHead, &p, nil, "/diffusion", nil) {
		return
	}
	p.Title = st.Q + " - 首次提及与扩散 - " + h.opts.SiteName
	d, err := h.s.Diffusion(ctx, index.Request{Query: st.Q, Filters: st.Filters.Clone()})
	if err != nil {
		h.renderFailed(c, "diffusion", &p, &p.Err, err)
		return
	}
	p.D = d
	for _, r := range d.Regions {
		p.Rows = append(p.Rows, diffusionRow{
			DiffusionRegion: r,
			Quote:           markedContext(r.Left, r.Match, r.Right),
			ReaderURL:       readerURL(r.FirstReport, r.FirstOrdinal, st.Q),
			Years:           yearList(r.Years),
		})
	}
	for _, n := range d.Never {
		p.Never = append(p.Never, neverRow{NeverRegion: n, Years: yearList(n.ReportYears)})
	}
	p.Regions = len(d.Regions) + len(d.Never)
	if len(p.Rows) > 0 {
		p.First = &p.Rows[0]
	} else {
		p.Examples = h.examples(c, "/diffusion")
	}
	p.Curve = layoutCurve(d.Cumulative, 760, 12)
	p.Narrow = layoutCurve(d.Cumulative, 360, 5)
	h.render(c, http.StatusOK, "diffusion", p)
}

// markedContext is an occurrence in its context as HTML: the match in
// <mark>, everything escaped.
func markedContext(left, match, right string) template.HTML {
	esc := template.HTMLEscapeString
	if match == "" {
		return template.HTML(esc(left + right))
	}
	return template.HTML(esc(left) + "<mark>" + esc(match) + "</mark>" + esc(right))
}

// yearList writes years as 2018、2020、2021.
func yearList(ys []int) string {
	out := make([]string, len(ys))
	for i, y := range ys {
		out[i] = strconv.Itoa(y)
	}
	return strings.Join(out, "、")
}

// layoutCurve draws the cumulative adoption per year as two step lines on
// a common scale: regions with a mention by then, and regions with any
// report by then; in a chart width units wide with at most maxLabels year
// labels.
func layoutCurve(years []index.AdoptionYear, width float64, maxLabels int) curveChart {
	c := curveChart{Width: width, Height: 280, Left: 44}
	if width < 500 {
		c.Height, c.Left = 240, 36
	}
	if len(years) == 0 {
		return c
	}
	top := 24.0
	c.PlotW = c.Width - c.Left - 20
	c.PlotH = c.Height - top - 40
	c.Bottom = top + c.PlotH
	maxR := 0
	for _, y := range years {
		maxR = max(maxR, y.RegionsWithReports)
	}
	ymax, step := niceAxis(maxR)
	for t := 0; t <= ymax; t += step {
		y := round1(c.Bottom - float64(t)/float64(ymax)*c.PlotH)
		c.Ticks = append(c.Ticks, tick{Y: y, X1: c.Left, X2: c.Left + c.PlotW, LabelX: c.Left - 6, LabelY: y + 4, Label: strconv.Itoa(t)})
	}
	n := len(years)
	x := func(i int) float64 {
		if n == 1 {
			return round1(c.Left + c.PlotW/2)
		}
		return round1(c.Left + c.PlotW*float64(i)/float64(n-1))
	}
	y := func(v int) float64 { return round1(c.Bottom - float64(v)/float64(ymax)*c.PlotH) }
	var adopted, covered []string
	labelEvery := int(math.Ceil(float64(n) / float64(maxLabels)))
	for i, a := range years {
		p := curvePoint{Year: a.Year, Adopted: a.Adopted, Regions: a.RegionsWithReports, X: x(i), Y: y(a.Adopted), YR: y(a.RegionsWithReports)}
		if i > 0 {
			// A step: the count holds until the next year's report.
			adopted = append(adopted, f1(p.X)+","+f1(c.Points[i-1].Y))
			covered = append(covered, f1(p.X)+","+f1(c.Points[i-1].YR))
		}
		adopted = append(adopted, f1(p.X)+","+f1(p.Y))
		covered = append(covered, f1(p.X)+","+f1(p.YR))
		c.Points = append(c.Points, p)
		if i == n-1 && i%labelEvery != 0 && 2*(i%labelEvery) < labelEvery && len(c.XLabels) > 1 {
			c.XLabels = c.XLabels[:len(c.XLabels)-1] // the last year's label wins a collision
		}
		if i%labelEvery == 0 || i == n-1 {
			c.XLabels = append(c.XLabels, curveLabel{X: p.X, Label: strconv.Itoa(a.Year)})
		}
	}
	c.Adopted = strings.Join(adopted, " ")
	c.Covered = strings.Join(covered, " ")
	return c
}

func f1(v float64) string { return trimFloat(v) }
