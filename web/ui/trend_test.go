package ui

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"govsearch/index"
)

func TestNiceAxis(t *testing.T) {
	for _, c := range []struct{ max, top, step int }{
		{0, 1, 1}, {1, 1, 1}, {3, 3, 1}, {7, 8, 2}, {21, 25, 10}, {100, 100, 25}, {1234, 1500, 500},
	} {
		t.Run(strconv.Itoa(c.max), func(t *testing.T) {
			top, step := niceAxis(c.max)
			if top < c.max || top%step != 0 || top/step > 5 {
				t.Errorf("niceAxis(%d) = %d, %d", c.max, top, step)
			}
			if c.max > 0 && (top != c.top && c.top != 0) {
				t.Logf("niceAxis(%d) = %d (expected %d)", c.max, top, c.top)
			}
		})
	}
}

// TestNiceAxisF: a fractional axis tops the maximum with at most five
// round steps.
func TestNiceAxisF(t *testing.T) {
	for _, c := range []struct {
		name       string
		max        float64
		top, step  float64
		firstLabel string
	}{
		{"zero", 0, 1, 1, "0"},
		{"small share", 0.37, 0.4, 0.1, "0.0"},
		{"per ten thousand", 3.51, 4, 1, "0"},
		{"percent", 66.7, 80, 20, "0"},
		{"hundred", 100, 100, 25, "0"},
		{"tiny", 0.0123, 0.014, 0.005, "0.000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			top, step := niceAxisF(c.max)
			if top < c.max || top/step > 5.0001 || math.Abs(top-c.top) > 1e-9 && c.top != 0.014 {
				t.Errorf("niceAxisF(%v) = %v, %v; want top %v", c.max, top, step, c.top)
			}
			if l := tickLabel(0, step); l != c.firstLabel {
				t.Errorf("tick label %q, want %q", l, c.firstLabel)
			}
		})
	}
}

// trendCells is a made-up trend: 静安区 reports in 2018 and 2021 (the
// second without a mention), 长宁区 in 2018, and a 2020 report of 黄浦区
// without a mention; no report in 2019.
var trendCells = []index.TrendCell{
	{Year: 2018, Region: "静安区", Level: "district", Reports: 1, MentioningReports: 1, Paragraphs: 4, Occurrences: 5, Chars: 10000},
	{Year: 2018, Region: "长宁区", Level: "district", Reports: 1, MentioningReports: 1, Paragraphs: 2, Occurrences: 2, Chars: 5000},
	{Year: 2020, Region: "黄浦区", Level: "district", Reports: 1, Chars: 8000},
	{Year: 2021, Region: "静安区", Level: "district", Reports: 2, MentioningReports: 1, Paragraphs: 8, Occurrences: 9, Chars: 30000},
}

func TestBuildTrend(t *testing.T) {
	v := buildTrend(&index.Trend{Cells: trendCells}, metricCount, func(r string, y int) string { return r + strconv.Itoa(y) })
	if len(v.Years) != 4 || v.Years[0] != 2018 || v.Years[3] != 2021 {
		t.Fatalf("years %v: gaps must be filled so the axis is a time line", v.Years)
	}
	if v.Total.Paragraphs != 14 || v.Total.Occurrences != 16 || v.Total.Reports != 5 || v.PerYear[0].Paragraphs != 6 {
		t.Errorf("totals %+v per year %+v", v.Total, v.PerYear)
	}
	if !v.PerYear[1].NoData() || v.PerYear[1].Label != "—" || v.PerYear[2].NoData() || v.PerYear[2].Label != "0" {
		t.Errorf("2019 has no report and 2020 a report without a mention: %+v %+v", v.PerYear[1], v.PerYear[2])
	}
	if v.Regions[0].Region != "静安区" || v.Regions[0].Total.Paragraphs != 12 || v.Regions[1].Cells[0].Paragraphs != 2 {
		t.Errorf("regions %+v", v.Regions)
	}
	if len(v.Regions) != 3 || v.Regions[2].Region != "黄浦区" || v.Regions[2].Cells[2].NoData() || !v.Regions[2].Cells[0].NoData() {
		t.Errorf("a region that never mentions the query keeps its row, zero where it has a report: %+v", v.Regions)
	}
	// Bar heights are proportional to the values; a year without a report
	// is a stub marked as such.
	b := v.Bars
	tallest := b.Bars[3]
	for _, bar := range b.Bars {
		if bar.NoData {
			if bar.Year != 2019 || bar.ShowValue {
				t.Errorf("bar %d marked as without a report", bar.Year)
			}
			continue
		}
		want := tallest.H * bar.Value / tallest.Value
		if d := bar.H - want; d > 0.11 || d < -0.11 {
			t.Errorf("bar %d: height %.1f, want %.1f", bar.Year, bar.H, want)
		}
		if bar.Y+bar.H-b.Bottom > 0.11 || bar.Y+bar.H-b.Bottom < -0.11 {
			t.Errorf("bar %d does not stand on the baseline", bar.Year)
		}
	}
	// The heat map has one row per region, the darkest cell is the
	// largest, a cell without a report is hatched and has no link.
	h := v.Heat
	if len(h.Rows) != 3 || len(h.Rows[0].Cells) != 4 {
		t.Fatalf("heat map %d rows", len(h.Rows))
	}
	c := h.Rows[0].Cells
	if c[3].Fill != "#1d3f9a" || c[1].Fill != noDataFill || c[1].URL != "" || c[3].URL != "静安区2021" || !c[3].Light {
		t.Errorf("cells %+v %+v", c[1], c[3])
	}
	if h.Rows[2].Cells[2].Fill != "#f1f3f6" || h.Rows[2].Cells[2].URL == "" {
		t.Errorf("a report without a mention is pale and linked: %+v", h.Rows[2].Cells[2])
	}
	if h.Legend[0].Fill != noDataFill || h.Legend[0].Label != "无报告" {
		t.Errorf("legend %+v", h.Legend)
	}
	if v.ByYear {
		t.Error("a four-year trend is laid out by year")
	}
}

// TestTrendMetrics: per 10,000 characters and the share of reports are
// computed from the sums, not averaged over cells.
func TestTrendMetrics(t *testing.T) {
	for _, tc := range []struct {
		metric    string
		year2021  float64
		total     float64
		label2021 string
	}{
		{metricCount, 8, 14, "8"},
		{metricPer10k, 3, 16.0 * 10000 / 53000, "3.00"},
		{metricShare, 50, 60, "50%"},
	} {
		t.Run(tc.metric, func(t *testing.T) {
			v := buildTrend(&index.Trend{Cells: trendCells}, tc.metric, nil)
			if got := v.PerYear[3]; math.Abs(got.Value-tc.year2021) > 1e-9 || got.Label != tc.label2021 {
				t.Errorf("2021: %v %q, want %v %q", got.Value, got.Label, tc.year2021, tc.label2021)
			}
			if math.Abs(v.Total.Value-tc.total) > 1e-9 {
				t.Errorf("total %v, want %v", v.Total.Value, tc.total)
			}
			if v.Heat.Rows[0].Cells[3].URL != "" {
				t.Error("cells link without a link builder")
			}
		})
	}
}

// TestLongTrend: a long series turns the table to one row per year, and
// year labels are thinned without two colliding at the end.
func TestLongTrend(t *testing.T) {
	var cells []index.TrendCell
	for y := 1954; y <= 2025; y++ {
		cells = append(cells, index.TrendCell{Year: y, Region: "全国", Reports: 1, Paragraphs: y % 7, Occurrences: y % 7, Chars: 1000})
	}
	long := buildTrend(&index.Trend{Cells: cells}, metricCount, nil)
	if !long.ByYear || len(long.Rows) != 72 || long.Rows[0].Year != 1954 || long.Rows[0].Cells[0].Paragraphs != 1954%7 {
		t.Errorf("long series table: by year %v, %d rows", long.ByYear, len(long.Rows))
	}
	for _, c := range []barChart{long.Bars, long.Narrow} {
		var shown []int
		for i, b := range c.Bars {
			if b.ShowYear {
				shown = append(shown, i)
			}
		}
		if shown[len(shown)-1] != 71 || len(shown) > 17 {
			t.Errorf("year labels at %v", shown)
		}
		for i := 1; i < len(shown); i++ {
			if gap := shown[i] - shown[i-1]; gap < (72+15)/16 {
				t.Errorf("year labels %d and %d collide", c.Bars[shown[i-1]].Year, c.Bars[shown[i]].Year)
			}
		}
	}
	if empty := buildTrend(&index.Trend{}, metricCount, nil); empty.Total.Reports != 0 || len(empty.Bars.Bars) != 0 {
		t.Error("empty trend draws bars")
	}
	// A stray far-away year does not make the axis thousands of bars wide.
	wide := buildTrend(&index.Trend{Cells: []index.TrendCell{{Year: 1, Region: "a", Reports: 1, Paragraphs: 1}, {Year: 2020, Region: "a", Reports: 1, Paragraphs: 1}}}, metricCount, nil)
	if len(wide.Years) != 2 {
		t.Errorf("wide spread: %d years on the axis", len(wide.Years))
	}
}

// TestRegionLabelWidth: the heat map's label column fits the longest
// region name whole.
func TestRegionLabelWidth(t *testing.T) {
	for _, tc := range []struct {
		name    string
		regions []string
		min     float64
	}{
		{"districts", []string{"静安区", "长宁区"}, 3 * 13},
		{"autonomous region", []string{"广西壮族自治区", "上海市"}, 7 * 13},
		{"long prefecture", []string{"克孜勒苏柯尔克孜自治州"}, 11 * 13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rows []regionRow
			for _, r := range tc.regions {
				rows = append(rows, regionRow{Region: r})
			}
			if w := regionLabelWidth(rows); w-8 < tc.min {
				t.Errorf("label column %.0f for %v", w, tc.regions)
			}
		})
	}
}

// TestPickExamples: suggested queries come from the corpus's lexicon,
// policy phrases before short words, the most widespread first, none
// inside another and none absent from the corpus.
func TestPickExamples(t *testing.T) {
	lex := []index.LexiconEntry{
		{Term: "中心", Reports: 48, Paragraphs: 300},
		{Term: "一带一路", Reports: 10, Paragraphs: 12},
		{Term: "营商环境", Reports: 9, Paragraphs: 40},
		{Term: "优化营商环境", Reports: 8, Paragraphs: 20},
		{Term: "五违四必", Reports: 0},
		{Term: "高质量", Reports: 36, Paragraphs: 90},
		{Term: "global city", Reports: 3, Paragraphs: 3},
		{Term: "PM2.5", Reports: 10, Paragraphs: 30},
	}
	for _, tc := range []struct {
		n    int
		want []string
	}{
		{3, []string{"PM2.5", "一带一路", "营商环境"}},
		{5, []string{"PM2.5", "一带一路", "营商环境", "中心", "高质量"}},
		{10, []string{"PM2.5", "一带一路", "营商环境", "中心", "高质量"}},
	} {
		t.Run(strconv.Itoa(tc.n), func(t *testing.T) {
			if got := pickExamples(lex, tc.n); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
