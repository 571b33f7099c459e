package ui

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	"govsearch/index"
)

// Measures the trend and compare pages draw: matching paragraphs,
// occurrences per 10,000 characters, or the share of reports that mention
// the query.
const (
	metricCount  = "count"
	metricPer10k = "per10k"
	metricShare  = "share"
)

// metricOptions names each measure, in the order the switch offers them.
var metricOptions = []struct{ Value, Label, Unit string }{
	{metricCount, "段落数", "个段落"},
	{metricPer10k, "每万字出现次数", "次/万字"},
	{metricShare, "提及报告占比", "的报告提及"},
}

// metricLabel names a measure.
func metricLabel(m string) string {
	for _, o := range metricOptions {
		if o.Value == m {
			return o.Label
		}
	}
	return m
}

// stat sums trend cells: reports covered, those mentioning the query,
// matching paragraphs, occurrences and characters. A stat without reports
// is a year or region with no report, which the pages draw apart from 0.
type stat struct {
	Reports, Mentioning, Paragraphs, Occurrences, Chars int
}

func (s *stat) add(c index.TrendCell) {
	s.Reports += c.Reports
	s.Mentioning += c.MentioningReports
	s.Paragraphs += c.Paragraphs
	s.Occurrences += c.Occurrences
	s.Chars += c.Chars
}

// plus returns the sum of two stats.
func (s stat) plus(o stat) stat {
	return stat{s.Reports + o.Reports, s.Mentioning + o.Mentioning, s.Paragraphs + o.Paragraphs, s.Occurrences + o.Occurrences, s.Chars + o.Chars}
}

// Per10k is the stat's occurrences per 10,000 characters.
func (s stat) Per10k() float64 { return index.Per10k(s.Occurrences, s.Chars) }

// NoData reports whether no report stands behind the stat.
func (s stat) NoData() bool { return s.Reports == 0 }

// value is the stat in a measure: for a sum of cells, occurrences per
// 10,000 of all their characters and the share of all their reports.
func (s stat) value(metric string) float64 {
	switch metric {
	case metricPer10k:
		return index.Per10k(s.Occurrences, s.Chars)
	case metricShare:
		if s.Reports == 0 {
			return 0
		}
		return 100 * float64(s.Mentioning) / float64(s.Reports)
	}
	return float64(s.Paragraphs)
}

// label writes the stat in a measure as the pages show it: — for no
// report, a whole number of paragraphs, two decimals per 10,000
// characters, a whole percentage of reports.
func (s stat) label(metric string) string {
	if s.NoData() {
		return "—"
	}
	return formatValue(metric, s.value(metric))
}

// formatValue writes a value of a measure.
func formatValue(metric string, v float64) string {
	switch metric {
	case metricPer10k:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case metricShare:
		return strconv.FormatFloat(v, 'f', 0, 64) + "%"
	}
	return groupDigits(int(v))
}

// cellView is one region-year (or one year, or a total) as drawn.
type cellView struct {
	stat
	Value float64
	Label string
}

func viewOf(s stat, metric string) cellView {
	return cellView{stat: s, Value: s.value(metric), Label: s.label(metric)}
}

// trendView is everything the trend page draws: per-year values as a bar
// chart, a region × year heat map and the same numbers as a table, in one
// measure. All geometry is computed here so the template only places
// numbers.
type trendView struct {
	Metric  string
	Years   []int
	Regions []regionRow
	PerYear []cellView // aligned with Years
	Total   cellView
	Bars    barChart // for screens wider than a phone
	Narrow  barChart // the same bars laid out for a phone
	Heat    heatMap
	// ByYear lays the table out with one row per year, for long series
	// that would make a table far too wide.
	ByYear bool
	Rows   []yearRow
}

// yearRow is one year of the transposed table.
type yearRow struct {
	Year  int
	Cells []cellView // per region, aligned with trendView.Regions
	Total cellView
}

// regionRow is one region's cells per year, aligned with trendView.Years.
type regionRow struct {
	Region string
	Level  string
	Cells  []cellView
	Total  cellView
}

// barChart is an SVG bar chart in viewBox units.
type barChart struct {
	Width, Height float64
	Left, Top     float64 // plot area origin
	PlotW, PlotH  float64
	Bottom        float64 // y of the baseline
	Max           float64
	Metric        string
	Bars          []bar
	Ticks         []tick
}

type bar struct {
	Year       int
	Value      float64
	Label      string
	Count      int  // matching paragraphs
	NoData     bool // no report that year
	X, Y, W, H float64
	LabelX     float64 // centre of the bar
	ValY       float64 // baseline of the value label
	YearY      float64 // baseline of the year label
	ShowYear   bool    // year label under the bar (thinned when crowded)
	ShowValue  bool    // value label above the bar
}

type tick struct {
	Y, X1, X2      float64
	LabelX, LabelY float64
	Label          string
}

// heatMap is an SVG grid of regions (rows) × years (columns).
type heatMap struct {
	Width, Height float64
	LabelW        float64
	CellW, CellH  float64
	LabelX        float64 // right edge of the region labels
	YearY         float64 // baseline of the year labels
	ShowValues    bool    // cells are big enough for their numbers
	Top           float64
	Rows          []heatRow
	Cols          []heatCol
	Legend        []heatLegend
	LegendY       float64
}

type heatRow struct {
	Region string
	Y      float64
	LabelY float64
	Cells  []heatCell
}

type heatCol struct {
	Year int
	X    float64 // centre
	Show bool
}

type heatCell struct {
	cellView
	Region     string
	Year       int
	URL        string // the search of the query in this region and year
	X, Y, W, H float64
	CX, CY     float64 // where the value is written
	Fill       string
	Light      bool // the value is written in white
}

type heatLegend struct {
	X, Y   float64
	LabelX float64
	LabelY float64
	Fill   string
	Label  string
}

// maxYearGap is the widest span of years filled in on the axis; a wider
// spread keeps only years that occur, so one stray date cannot make the
// chart thousands of bars wide.
const maxYearGap = 150

// noDataFill is the hatched pattern of a cell or bar with no report,
// defined in the SVG that uses it.
const noDataFill = "url(#nodata-heat)"

// buildTrend lays out a trend answer in a measure; cellURL links a heat
// map cell to its search (nil: no links).
func buildTrend(tr *index.Trend, metric string, cellURL func(region string, year int) string) trendView {
	v := trendView{Metric: metric}
	if tr == nil || len(tr.Cells) == 0 {
		return v
	}
	v.Years = axisYears(tr.Cells)
	col := map[int]int{}
	for i, y := range v.Years {
		col[y] = i
	}
	perYear := make([]stat, len(v.Years))
	byRegion := map[string][]stat{}
	levels := map[string]string{}
	var total stat
	for _, c := range tr.Cells {
		if byRegion[c.Region] == nil {
			byRegion[c.Region] = make([]stat, len(v.Years))
			levels[c.Region] = c.Level
		}
		byRegion[c.Region][col[c.Year]].add(c)
		perYear[col[c.Year]].add(c)
		total.add(c)
	}
	for _, s := range perYear {
		v.PerYear = append(v.PerYear, viewOf(s, metric))
	}
	v.Total = viewOf(total, metric)
	for region, stats := range byRegion {
		row := regionRow{Region: region, Level: levels[region]}
		var sum stat
		for _, s := range stats {
			row.Cells = append(row.Cells, viewOf(s, metric))
			sum = sum.plus(s)
		}
		row.Total = viewOf(sum, metric)
		v.Regions = append(v.Regions, row)
	}
	sort.Slice(v.Regions, func(a, b int) bool {
		ra, rb := v.Regions[a], v.Regions[b]
		if ra.Total.Value != rb.Total.Value {
			return ra.Total.Value > rb.Total.Value
		}
		if ra.Total.Paragraphs != rb.Total.Paragraphs {
			return ra.Total.Paragraphs > rb.Total.Paragraphs
		}
		return ra.Region < rb.Region
	})
	if len(v.Years) > 12 && len(v.Years) > len(v.Regions) {
		v.ByYear = true
		for i, y := range v.Years {
			row := yearRow{Year: y, Total: v.PerYear[i]}
			for _, r := range v.Regions {
				row.Cells = append(row.Cells, r.Cells[i])
			}
			v.Rows = append(v.Rows, row)
		}
	}
	v.Bars = layoutBars(v.Years, v.PerYear, metric, 760, 16, 24)
	v.Narrow = layoutBars(v.Years, v.PerYear, metric, 360, 6, 12)
	v.Heat = layoutHeat(v.Years, v.Regions, metric, cellURL)
	return v
}

// axisYears returns the years of the x axis: every year from the first to
// the last cell's, or only the years of cells when they spread too wide.
func axisYears(cells []index.TrendCell) []int {
	set := map[int]bool{}
	minY, maxY := math.MaxInt, math.MinInt
	for _, c := range cells {
		set[c.Year] = true
		minY, maxY = min(minY, c.Year), max(maxY, c.Year)
	}
	var out []int
	if maxY-minY <= maxYearGap {
		for y := minY; y <= maxY; y++ {
			out = append(out, y)
		}
		return out
	}
	for y := range set {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// layoutBars places one bar per year in a chart width units wide; bar
// height is proportional to the value, with the axis topped at a round
// number. A year without a report gets a hatched stub instead of a bar. At
// most maxYears year labels are written, and the values above the bars
// only when there are at most maxValues bars.
func layoutBars(years []int, vals []cellView, metric string, width float64, maxYears, maxValues int) barChart {
	c := barChart{Width: width, Height: 300, Left: 44, Top: 24, Metric: metric}
	if width < 500 {
		c.Height, c.Left = 240, 36
	}
	c.PlotW = c.Width - c.Left - 12
	c.PlotH = c.Height - c.Top - 40
	c.Bottom = c.Top + c.PlotH
	for _, v := range vals {
		c.Max = math.Max(c.Max, v.Value)
	}
	top, step := axisFor(metric, c.Max)
	for i := 0; float64(i)*step <= top+step/1e6; i++ {
		t := float64(i) * step
		y := round1(c.Bottom - t/top*c.PlotH)
		c.Ticks = append(c.Ticks, tick{Y: y, X1: c.Left, X2: c.Left + c.PlotW, LabelX: c.Left - 6, LabelY: y + 4, Label: tickLabel(t, step)})
	}
	n := len(years)
	if n == 0 {
		return c
	}
	slot := c.PlotW / float64(n)
	w := math.Min(slot*0.72, 56)
	labelEvery := int(math.Ceil(float64(n) / float64(maxYears))) // year labels must not collide
	for i, y := range years {
		h := vals[i].Value / top * c.PlotH
		if vals[i].NoData() {
			h = math.Min(6, c.PlotH)
		}
		x := c.Left + slot*float64(i) + (slot-w)/2
		c.Bars = append(c.Bars, bar{
			Year: y, Value: vals[i].Value, Label: vals[i].Label, Count: vals[i].Paragraphs, NoData: vals[i].NoData(),
			X: round1(x), W: round1(w), H: round1(h), Y: round1(c.Bottom - h),
			LabelX:    round1(x + w/2),
			ValY:      round1(c.Bottom - h - 6),
			YearY:     c.Bottom + 18,
			ShowYear:  i%labelEvery == 0,
			ShowValue: !vals[i].NoData() && n <= maxValues, // 0 too: a report without a mention
		})
	}
	// The last year is always labelled; the thinned label before it gives
	// way when the two would collide.
	if last := n - 1; !c.Bars[last].ShowYear {
		c.Bars[last].ShowYear = true
		if prev := last - last%labelEvery; last-prev < labelEvery {
			c.Bars[prev].ShowYear = prev == 0 && labelEvery == 1
		}
	}
	return c
}

// axisFor returns the top and the tick step of a value axis: whole
// numbers for counts, round decimals for the other measures.
func axisFor(metric string, maxV float64) (top, step float64) {
	if metric == metricCount {
		t, s := niceAxis(int(math.Ceil(maxV)))
		return float64(t), float64(s)
	}
	return niceAxisF(maxV)
}

// niceAxis returns an axis maximum ≥ max and a tick step, both round numbers.
func niceAxis(maxV int) (top, step int) {
	if maxV <= 0 {
		return 1, 1
	}
	raw := float64(maxV) / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = int(math.Max(1, m*mag))
			break
		}
	}
	top = (maxV + step - 1) / step * step
	return top, step
}

// niceAxisF is niceAxis for fractional values: a step of 1, 2 or 5 times a
// power of ten, and the smallest multiple of it ≥ maxV.
func niceAxisF(maxV float64) (top, step float64) {
	if maxV <= 0 || math.IsNaN(maxV) || math.IsInf(maxV, 0) {
		return 1, 1
	}
	raw := maxV / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	top = math.Ceil(maxV/step-1e-9) * step
	return top, step
}

// tickLabel writes an axis value with the decimals its step needs.
func tickLabel(v, step float64) string {
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// regionLabelWidth is the width of the region label column: wide enough
// for the longest name at 13 px per character, so no name is cut.
func regionLabelWidth(rows []regionRow) float64 {
	longest := 3
	for _, r := range rows {
		longest = max(longest, utf8.RuneCountInString(r.Region))
	}
	return float64(longest)*14 + 16
}

// layoutHeat places one cell per region and year, coloured on a linear
// scale of the measure from the palest to the darkest blue; a cell without
// a report is hatched, and one with reports and no mention is the palest
// grey. Columns widen when there are few years, so a short series still
// fills the card.
func layoutHeat(years []int, rows []regionRow, metric string, cellURL func(string, int) string) heatMap {
	h := heatMap{LabelW: regionLabelWidth(rows), Top: 28, CellH: 30}
	n := len(years)
	if n == 0 {
		return h
	}
	h.CellW = round1(math.Max(16, math.Min(72, 680/float64(n))))
	h.LabelX = h.LabelW - 8
	h.YearY = h.Top - 8
	h.ShowValues = h.CellW >= 36 || metric == metricCount && h.CellW >= 22
	maxV := 0.0
	for _, r := range rows {
		for _, c := range r.Cells {
			maxV = math.Max(maxV, c.Value)
		}
	}
	labelEvery := int(math.Ceil(34 / h.CellW)) // keep year labels from overlapping
	for i, y := range years {
		h.Cols = append(h.Cols, heatCol{Year: y, X: round1(h.LabelW + h.CellW*(float64(i)+0.5)), Show: i%labelEvery == 0})
	}
	for ri, r := range rows {
		row := heatRow{Region: r.Region, Y: round1(h.Top + h.CellH*float64(ri))}
		row.LabelY = round1(row.Y + h.CellH/2 + 4)
		for i, c := range r.Cells {
			fill, light := heatColour(c.Value, maxV)
			if c.NoData() {
				fill, light = noDataFill, false
			}
			x := round1(h.LabelW + h.CellW*float64(i) + 1)
			cell := heatCell{
				cellView: c, Region: r.Region, Year: years[i],
				X: x, Y: row.Y + 1, W: round1(h.CellW - 2), H: h.CellH - 2,
				CX: round1(x + (h.CellW-2)/2), CY: round1(row.Y + h.CellH/2 + 4),
				Fill: fill, Light: light,
			}
			if cellURL != nil && !c.NoData() {
				cell.URL = cellURL(r.Region, years[i])
			}
			row.Cells = append(row.Cells, cell)
		}
		h.Rows = append(h.Rows, row)
	}
	h.Width = round1(math.Max(h.LabelW+h.CellW*float64(n)+8, h.LabelW+6*64))
	h.LegendY = round1(h.Top + h.CellH*float64(len(rows)) + 14)
	h.Legend = append(h.Legend, heatLegend{Fill: noDataFill, Label: "无报告"})
	for _, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
		if f > 0 && maxV == 0 {
			break
		}
		v := f * maxV
		if metric == metricCount {
			v = math.Round(v)
		}
		fill, _ := heatColour(v, maxV)
		h.Legend = append(h.Legend, heatLegend{Fill: fill, Label: formatValue(metric, v)})
	}
	for i := range h.Legend {
		x := h.LabelW + float64(i)*64
		l := &h.Legend[i]
		l.X, l.Y, l.LabelX, l.LabelY = x, h.LegendY, x+20, h.LegendY+10
	}
	h.Height = h.LegendY + 30
	return h
}

// heatColour returns the fill of a cell with value v, and whether its
// number needs light ink to stay readable.
func heatColour(v, maxV float64) (fill string, light bool) {
	if v <= 0 || maxV <= 0 {
		return "#f1f3f6", false
	}
	// Interpolate from a pale to a deep blue; even a single match is clearly
	// tinted so it is not mistaken for zero.
	t := 0.15 + 0.85*v/maxV
	from := [3]float64{0xe3, 0xec, 0xfa}
	to := [3]float64{0x1d, 0x3f, 0x9a}
	var rgb [3]int
	for i := range rgb {
		rgb[i] = int(math.Round(from[i] + (to[i]-from[i])*t))
	}
	return fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]), t > 0.5
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
