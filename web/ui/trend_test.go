package ui

import (
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

func TestBuildTrend(t *testing.T) {
	tr := &index.Trend{Cells: []index.TrendCell{
		{Year: 2018, Region: "静安区", Paragraphs: 4, Occurrences: 5},
		{Year: 2018, Region: "长宁区", Paragraphs: 2, Occurrences: 2},
		{Year: 2021, Region: "静安区", Paragraphs: 8, Occurrences: 9},
	}}
	v := buildTrend(tr)
	if len(v.Years) != 4 || v.Years[0] != 2018 || v.Years[3] != 2021 {
		t.Fatalf("years %v: gaps must be filled so the axis is a time line", v.Years)
	}
	if v.Total != 14 || v.TotalOc != 16 || v.Totals[0] != 6 || v.Totals[1] != 0 || v.Totals[3] != 8 {
		t.Errorf("totals %v %d %d", v.Totals, v.Total, v.TotalOc)
	}
	if v.Regions[0].Region != "静安区" || v.Regions[0].Total != 12 || v.Regions[1].Counts[0] != 2 {
		t.Errorf("regions %+v", v.Regions)
	}
	// Bar heights are proportional to the counts.
	b := v.Bars
	tallest := b.Bars[3]
	for _, bar := range b.Bars {
		want := tallest.H * float64(bar.Count) / float64(tallest.Count)
		if d := bar.H - want; d > 0.11 || d < -0.11 {
			t.Errorf("bar %d: height %.1f, want %.1f", bar.Year, bar.H, want)
		}
		if bar.Y+bar.H-b.Bottom > 0.11 || bar.Y+bar.H-b.Bottom < -0.11 {
			t.Errorf("bar %d does not stand on the baseline", bar.Year)
		}
	}
	// The heat map has one row per region and the darkest cell is the largest.
	h := v.Heat
	if len(h.Rows) != 2 || len(h.Rows[0].Cells) != 4 {
		t.Fatalf("heat map %d rows", len(h.Rows))
	}
	if h.Rows[0].Cells[3].Fill != "#1d3f9a" || h.Rows[0].Cells[1].Fill != "#f1f3f6" || !h.Rows[0].Cells[3].Light {
		t.Errorf("cell colours %q %q", h.Rows[0].Cells[3].Fill, h.Rows[0].Cells[1].Fill)
	}
	if v.ByYear {
		t.Error("a four-year trend is laid out by year")
	}
	// A long series: the table turns to one row per year, and year labels
	// are thinned without two colliding at the end.
	var cells []index.TrendCell
	for y := 1954; y <= 2025; y++ {
		cells = append(cells, index.TrendCell{Year: y, Region: "全国", Paragraphs: y % 7, Occurrences: y % 7})
	}
	long := buildTrend(&index.Trend{Cells: cells})
	if !long.ByYear || len(long.Rows) != 72 || long.Rows[0].Year != 1954 || long.Rows[0].Counts[0] != 1954%7 {
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
	if empty := buildTrend(&index.Trend{}); empty.Total != 0 || len(empty.Bars.Bars) != 0 {
		t.Error("empty trend draws bars")
	}
	// A stray far-away year does not make the axis thousands of bars wide.
	wide := buildTrend(&index.Trend{Cells: []index.TrendCell{{Year: 1, Region: "a", Paragraphs: 1}, {Year: 2020, Region: "a", Paragraphs: 1}}})
	if len(wide.Years) != 2 {
		t.Errorf("wide spread: %d years on the axis", len(wide.Years))
	}
}

func TestPager(t *testing.T) {
	p := makePager(State{Q: "x", From: 50}, 200)
	if p.First != 51 || p.Last != 60 || p.Prev == "" || p.Next == "" {
		t.Errorf("pager %+v", p)
	}
	var ns []int
	gaps := 0
	for _, l := range p.Pages {
		ns = append(ns, l.N)
		if l.Gap {
			gaps++
		}
	}
	if len(ns) != 7 || ns[0] != 1 || ns[len(ns)-1] != 20 || gaps != 2 {
		t.Errorf("pages %v gaps %d", ns, gaps)
	}
	if p := makePager(State{Q: "x"}, 5); len(p.Pages) != 0 || p.Next != "" || p.Last != 5 {
		t.Errorf("single page %+v", p)
	}
	deep := makePager(State{Q: "x", From: index.MaxWindow - pageSize}, 50000)
	if deep.Next != "" {
		t.Error("pager links past the index's window")
	}
}
