package ui

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"govsearch/index"
)

// trendView is everything the trend page draws: per-year totals as a bar
// chart, a region × year heat map and the same numbers as a table. All
// geometry is computed here so the template only places numbers.
type trendView struct {
	Years   []int
	Regions []regionRow
	Totals  []int // paragraphs per year, aligned with Years
	Occ     []int // occurrences per year, aligned with Years
	Total   int
	TotalOc int
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
	Year   int
	Counts []int // per region, aligned with trendView.Regions
	Total  int
	Occ    int
}

// regionRow is one region's counts per year, aligned with trendView.Years.
type regionRow struct {
	Region string
	Counts []int
	Total  int
}

// barChart is an SVG bar chart in viewBox units.
type barChart struct {
	Width, Height float64
	Left, Top     float64 // plot area origin
	PlotW, PlotH  float64
	Bottom        float64 // y of the baseline
	Max           int
	Bars          []bar
	Ticks         []tick
}

type bar struct {
	Year       int
	Count      int
	X, Y, W, H float64
	LabelX     float64 // centre of the bar
	ValY       float64 // baseline of the value label
	YearY      float64 // baseline of the year label
	ShowYear   bool    // year label under the bar (thinned when crowded)
	ShowCount  bool    // value label above the bar
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
	ShowCounts    bool    // cells are big enough for their numbers
	Top           float64
	Rows          []heatRow
	Cols          []heatCol
	Legend        []heatLegend
	LegendY       float64
}

type heatRow struct {
	Region string
	Label  string // Region shortened to fit the label column
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
	Region     string
	Year       int
	Count      int
	X, Y, W, H float64
	CX, CY     float64 // where the count is written
	Fill       string
	Light      bool // the count is written in white
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

// buildTrend lays out a trend answer.
func buildTrend(tr *index.Trend) trendView {
	var v trendView
	if tr == nil || len(tr.Cells) == 0 {
		return v
	}
	yearSet := map[int]bool{}
	byRegion := map[string]map[int]int{}
	occ := map[int]int{}
	minY, maxY := math.MaxInt, math.MinInt
	for _, c := range tr.Cells {
		yearSet[c.Year] = true
		minY, maxY = min(minY, c.Year), max(maxY, c.Year)
		if byRegion[c.Region] == nil {
			byRegion[c.Region] = map[int]int{}
		}
		byRegion[c.Region][c.Year] += c.Paragraphs
		occ[c.Year] += c.Occurrences
	}
	if maxY-minY <= maxYearGap {
		for y := minY; y <= maxY; y++ {
			v.Years = append(v.Years, y)
		}
	} else {
		for y := range yearSet {
			v.Years = append(v.Years, y)
		}
		sort.Ints(v.Years)
	}
	v.Totals = make([]int, len(v.Years))
	v.Occ = make([]int, len(v.Years))
	for i, y := range v.Years {
		v.Occ[i] = occ[y]
		v.TotalOc += occ[y]
	}
	for region, counts := range byRegion {
		row := regionRow{Region: region, Counts: make([]int, len(v.Years))}
		for i, y := range v.Years {
			row.Counts[i] = counts[y]
			row.Total += counts[y]
			v.Totals[i] += counts[y]
		}
		v.Regions = append(v.Regions, row)
	}
	sort.Slice(v.Regions, func(a, b int) bool {
		ra, rb := v.Regions[a], v.Regions[b]
		if ra.Total != rb.Total {
			return ra.Total > rb.Total
		}
		return ra.Region < rb.Region
	})
	for _, t := range v.Totals {
		v.Total += t
	}
	if len(v.Years) > 12 && len(v.Years) > len(v.Regions) {
		v.ByYear = true
		for i, y := range v.Years {
			row := yearRow{Year: y, Total: v.Totals[i], Occ: v.Occ[i]}
			for _, r := range v.Regions {
				row.Counts = append(row.Counts, r.Counts[i])
			}
			v.Rows = append(v.Rows, row)
		}
	}
	v.Bars = layoutBars(v.Years, v.Totals, 760, 16, 24)
	v.Narrow = layoutBars(v.Years, v.Totals, 360, 6, 12)
	v.Heat = layoutHeat(v.Years, v.Regions)
	return v
}

// layoutBars places one bar per year in a chart width units wide; bar
// height is proportional to the count, with the axis topped at a round
// number. At most maxYears year labels are written, and the values above
// the bars only when there are at most maxValues bars.
func layoutBars(years, counts []int, width float64, maxYears, maxValues int) barChart {
	c := barChart{Width: width, Height: 300, Left: 44, Top: 24}
	if width < 500 {
		c.Height, c.Left = 240, 36
	}
	c.PlotW = c.Width - c.Left - 12
	c.PlotH = c.Height - c.Top - 40
	c.Bottom = c.Top + c.PlotH
	for _, n := range counts {
		c.Max = max(c.Max, n)
	}
	top, step := niceAxis(c.Max)
	for t := 0; t <= top; t += step {
		y := round1(c.Bottom - float64(t)/float64(top)*c.PlotH)
		c.Ticks = append(c.Ticks, tick{Y: y, X1: c.Left, X2: c.Left + c.PlotW, LabelX: c.Left - 6, LabelY: y + 4, Label: strconv.Itoa(t)})
	}
	n := len(years)
	if n == 0 {
		return c
	}
	slot := c.PlotW / float64(n)
	w := math.Min(slot*0.72, 56)
	labelEvery := int(math.Ceil(float64(n) / float64(maxYears))) // year labels must not collide
	for i, y := range years {
		h := float64(counts[i]) / float64(top) * c.PlotH
		x := c.Left + slot*float64(i) + (slot-w)/2
		c.Bars = append(c.Bars, bar{
			Year: y, Count: counts[i],
			X: round1(x), W: round1(w), H: round1(h), Y: round1(c.Bottom - h),
			LabelX:    round1(x + w/2),
			ValY:      round1(c.Bottom - h - 6),
			YearY:     c.Bottom + 18,
			ShowYear:  i%labelEvery == 0,
			ShowCount: counts[i] > 0 && n <= maxValues,
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

// layoutHeat places one cell per region and year, coloured on a linear
// scale from the palest to the darkest blue. Columns widen when there are
// few years, so a short series still fills the card.
func layoutHeat(years []int, rows []regionRow) heatMap {
	h := heatMap{LabelW: 96, Top: 28, CellH: 30}
	n := len(years)
	if n == 0 {
		return h
	}
	h.CellW = round1(math.Max(16, math.Min(72, 680/float64(n))))
	h.LabelX = h.LabelW - 8
	h.YearY = h.Top - 8
	h.ShowCounts = h.CellW >= 22
	maxC := 0
	for _, r := range rows {
		for _, c := range r.Counts {
			maxC = max(maxC, c)
		}
	}
	labelEvery := int(math.Ceil(34 / h.CellW)) // keep year labels from overlapping
	for i, y := range years {
		h.Cols = append(h.Cols, heatCol{Year: y, X: round1(h.LabelW + h.CellW*(float64(i)+0.5)), Show: i%labelEvery == 0})
	}
	for ri, r := range rows {
		row := heatRow{Region: r.Region, Label: truncate(r.Region, 6), Y: round1(h.Top + h.CellH*float64(ri))}
		row.LabelY = round1(row.Y + h.CellH/2 + 4)
		for i, c := range r.Counts {
			fill, light := heatColour(c, maxC)
			x := round1(h.LabelW + h.CellW*float64(i) + 1)
			row.Cells = append(row.Cells, heatCell{
				Region: r.Region, Year: years[i], Count: c,
				X: x, Y: row.Y + 1, W: round1(h.CellW - 2), H: h.CellH - 2,
				CX: round1(x + (h.CellW-2)/2), CY: round1(row.Y + h.CellH/2 + 4),
				Fill: fill, Light: light,
			})
		}
		h.Rows = append(h.Rows, row)
	}
	h.Width = round1(h.LabelW + h.CellW*float64(n) + 8)
	h.LegendY = round1(h.Top + h.CellH*float64(len(rows)) + 14)
	for i, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
		if f > 0 && maxC == 0 {
			break
		}
		v := int(math.Round(f * float64(maxC)))
		fill, _ := heatColour(v, maxC)
		x := h.LabelW + float64(i)*56
		h.Legend = append(h.Legend, heatLegend{X: x, Y: h.LegendY, LabelX: x + 20, LabelY: h.LegendY + 10, Fill: fill, Label: strconv.Itoa(v)})
	}
	h.Height = h.LegendY + 30
	return h
}

// heatColour returns the fill of a cell with count c, and whether its
// number needs light ink to stay readable.
func heatColour(c, maxC int) (fill string, light bool) {
	if c <= 0 || maxC <= 0 {
		return "#f1f3f6", false
	}
	// Interpolate from a pale to a deep blue; even a single match is clearly
	// tinted so it is not mistaken for zero.
	t := 0.15 + 0.85*float64(c)/float64(maxC)
	from := [3]float64{0xe3, 0xec, 0xfa}
	to := [3]float64{0x1d, 0x3f, 0x9a}
	var rgb [3]int
	for i := range rgb {
		rgb[i] = int(math.Round(from[i] + (to[i]-from[i])*t))
	}
	return fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]), t > 0.5
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
