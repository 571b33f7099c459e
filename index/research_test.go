package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"govsearch/analyzer"
	"govsearch/ingest"
	"govsearch/internal/testcorpus"
)

// The research views (trend, diffusion, concordance) are checked against a
// recount from the paragraphs the index was built from: no index code
// takes part in the expected numbers but the query parser.

// researchCorpora are the corpora the research views are checked on, with
// queries that occur in them.
var researchCorpora = []struct {
	name, path, shared string
	queries            []string
}{
	{"seeds", seedDir, "", []string{"一网通办", "放管服", "营商环境", "一网通办 OR 放管服", "改革 -开放", "五违四必", "的", "“两旧一村”", "没有这个词组合"}},
	{"national", nationalDir, "national", []string{"改革", "扶贫 OR 脱贫攻坚", "新质生产力", "互联网+", "高质量发展", "人民公社", "的"}},
	{"provinces-2025", provincesDir, "provinces-2025", []string{"低空经济", "新质生产力", "人工智能 OR 数字经济", "一网通办", "没有这个词组合"}},
}

// researchFilters are the filters each query runs with: none, one of the
// report (level, year range) and one of the paragraph (part).
var researchFilters = []Filters{
	nil,
	{FacetLevel: {ingest.LevelDistrict, ingest.LevelProvince}},
	{FacetYear: {"2018..2021"}},
	{FacetPartKind: {ingest.PartPlan}},
}

// openResearch opens a corpus of researchCorpora, skipping when a shared
// one is absent.
func openResearch(t *testing.T, path, shared string) *corpus {
	t.Helper()
	if shared != "" {
		testcorpus.Need(t, shared)
	}
	return openCorpus(t, path)
}

// bruteReport is a report of the corpus as the recount sees it.
type bruteReport struct {
	meta    ingest.Meta
	id      string
	paras   []*ingest.Record
	matches []bruteMatch // in reading order
}

// bruteMatch is a matching paragraph with its occurrences.
type bruteMatch struct {
	rec *ingest.Record
	occ int
}

// recount finds, without the index, the reports a query with filters
// covers and its matching paragraphs in them: the query's terms are
// looked for in the normalised text with strings.Contains, occurrences
// counted left to right without overlap, longest term first.
func (c *corpus) recount(t *testing.T, query string, f Filters) []*bruteReport {
	t.Helper()
	q, err := ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	pass := func(fs Filters, r *ingest.Record) bool {
		for _, fc := range Facets() {
			vals := fs[fc.Name]
			if len(vals) == 0 {
				continue
			}
			ok := false
			for _, v := range vals {
				if fc.YearRanges {
					yr, _ := ParseYearRange(v)
					ok = ok || (r.Year >= yr.From && r.Year <= yr.To)
				} else {
					ok = ok || fc.Value(r) == v
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	reportOnly := func(fs Filters) Filters {
		out := Filters{}
		for _, fc := range Facets() {
			if fc.OfReport != nil && len(fs[fc.Name]) > 0 {
				out[fc.Name] = fs[fc.Name]
			}
		}
		return out
	}
	var terms []string
	for _, g := range q.Groups {
		for _, term := range g {
			terms = append(terms, term.Norm)
		}
	}
	byID := map[string]*bruteReport{}
	var out []*bruteReport
	for i := range c.records {
		r := &c.records[i]
		if !pass(reportOnly(q.Filters), r) || !pass(reportOnly(f), r) {
			continue
		}
		br := byID[r.ReportID]
		if br == nil {
			br = &bruteReport{meta: r.Meta, id: r.ReportID}
			byID[r.ReportID] = br
			out = append(out, br)
		}
		if !pass(q.Filters, r) || !pass(f, r) {
			continue
		}
		br.paras = append(br.paras, r)
		text := analyzer.Normalize(r.Text)
		ok := true
		for _, g := range q.Groups {
			any := false
			for _, term := range g {
				any = any || strings.Contains(text, term.Norm)
			}
			ok = ok && any
		}
		for _, x := range q.Exclude {
			ok = ok && !strings.Contains(text, x.Norm)
		}
		if ok {
			br.matches = append(br.matches, bruteMatch{rec: r, occ: countLongestFirst(text, terms)})
		}
	}
	return out
}

// countLongestFirst counts the occurrences of terms in text from left to
// right, the longest term at a position winning, without overlap.
func countLongestFirst(text string, terms []string) int {
	n := 0
	for i := 0; i < len(text); {
		best := 0
		for _, term := range terms {
			if len(term) > best && strings.HasPrefix(text[i:], term) {
				best = len(term)
			}
		}
		if best > 0 {
			n++
			i += best
			continue
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return n
}

// forResearchQueries runs check on every corpus of researchCorpora, for
// each of its queries with each of filters.
func forResearchQueries(t *testing.T, filters []Filters, check func(t *testing.T, c *corpus, query string, f Filters)) {
	for _, rc := range researchCorpora {
		t.Run(rc.name, func(t *testing.T) {
			c := openResearch(t, rc.path, rc.shared)
			for _, query := range rc.queries {
				for _, f := range filters {
					t.Run(fmt.Sprintf("%s/%v", query, f), func(t *testing.T) { check(t, c, query, f) })
				}
			}
		})
	}
}

// TestTrendRecount: trend cells exist exactly where covered reports exist,
// and every number of every cell equals a recount from the paragraphs.
func TestTrendRecount(t *testing.T) {
	forResearchQueries(t, researchFilters, checkTrend)
}

func checkTrend(t *testing.T, c *corpus, query string, f Filters) {
	got, err := c.ix.Trend(context.Background(), Request{Query: query, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		year   int
		region string
	}
	want := map[key]*TrendCell{}
	for _, r := range c.recount(t, query, f) {
		k := key{r.meta.Year, r.meta.Region}
		w := want[k]
		if w == nil {
			w = &TrendCell{Year: r.meta.Year, Region: r.meta.Region, Level: r.meta.Level}
			want[k] = w
		}
		w.Reports++
		for _, p := range r.paras {
			w.Chars += utf8.RuneCountInString(p.Text)
		}
		if len(r.matches) > 0 {
			w.MentioningReports++
		}
		for _, m := range r.matches {
			w.Paragraphs++
			w.Occurrences += m.occ
		}
	}
	if len(got.Cells) != len(want) {
		t.Errorf("%d cells, %d year-regions with reports", len(got.Cells), len(want))
	}
	for i, cell := range got.Cells {
		if i > 0 {
			prev := got.Cells[i-1]
			if prev.Year > cell.Year || prev.Year == cell.Year && prev.Region >= cell.Region {
				t.Errorf("cell %d (%d %s) out of order after %d %s", i, cell.Year, cell.Region, prev.Year, prev.Region)
			}
		}
		w := want[key{cell.Year, cell.Region}]
		if w == nil {
			t.Errorf("cell %d %s: no report there", cell.Year, cell.Region)
			continue
		}
		w.Per10k = float64(w.Occurrences) * 10000 / float64(max(w.Chars, 1))
		if w.Chars == 0 {
			w.Per10k = 0
		}
		if cell != *w {
			t.Errorf("cell %+v, recount %+v", cell, *w)
		}
	}
}

// TestDiffusionRecount: each region's first mention is the earliest
// matching paragraph a brute-force scan finds, Never holds exactly the
// regions without one, and the cumulative curve recounts.
func TestDiffusionRecount(t *testing.T) {
	forResearchQueries(t, researchFilters, checkDiffusion)
}

func checkDiffusion(t *testing.T, c *corpus, query string, f Filters) {
	got, err := c.ix.Diffusion(context.Background(), Request{Query: query, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	type region struct {
		level       string
		first       *ingest.Record
		years       []int
		reportYears []int
		reports     int
		mentioning  int
	}
	// earlier says whether a precedes b as a first mention: year, then a
	// known date before an unknown one, then report id, then ordinal.
	earlier := func(a, b *ingest.Record) bool {
		switch {
		case a.Year != b.Year:
			return a.Year < b.Year
		case a.Date != b.Date && (a.Date == "" || b.Date == ""):
			return a.Date != ""
		case a.Date != b.Date:
			return a.Date < b.Date
		case a.ReportID != b.ReportID:
			return a.ReportID < b.ReportID
		}
		return a.Ordinal < b.Ordinal
	}
	want := map[string]*region{}
	for _, r := range c.recount(t, query, f) {
		g := want[r.meta.Region]
		if g == nil {
			g = &region{level: r.meta.Level}
			want[r.meta.Region] = g
		}
		g.reports++
		g.reportYears = append(g.reportYears, r.meta.Year)
		if len(r.matches) > 0 {
			g.mentioning++
			g.years = append(g.years, r.meta.Year)
		}
		for _, m := range r.matches {
			if g.first == nil || earlier(m.rec, g.first) {
				g.first = m.rec
			}
		}
	}
	years := func(ys []int) string {
		slices.Sort(ys)
		return fmt.Sprint(slices.Compact(ys))
	}
	seen := map[string]bool{}
	for i, d := range got.Regions {
		seen[d.Region] = true
		g := want[d.Region]
		if g == nil || g.first == nil {
			t.Errorf("region %s listed with a first mention in %d; the recount finds none", d.Region, d.FirstYear)
			continue
		}
		if d.FirstParagraph != g.first.ID || d.FirstYear != g.first.Year || d.FirstReport != g.first.ReportID || d.FirstOrdinal != g.first.Ordinal {
			t.Errorf("%s: first mention %s (%d), recount %s (%d)", d.Region, d.FirstParagraph, d.FirstYear, g.first.ID, g.first.Year)
		}
		if d.Level != g.level || d.Reports != g.reports || d.MentioningReports != g.mentioning ||
			fmt.Sprint(d.Years) != years(g.years) || fmt.Sprint(d.ReportYears) != years(g.reportYears) {
			t.Errorf("%s: %+v; recount level %s, %d reports, %d mentioning, years %v, report years %v", d.Region, d, g.level, g.reports, g.mentioning, years(g.years), years(g.reportYears))
		}
		if d.URL != ParagraphURL(g.first.ReportID, g.first.Ordinal) || !strings.Contains(d.Citation, "[R]") {
			t.Errorf("%s: url %s citation %s", d.Region, d.URL, d.Citation)
		}
		if d.Match != "" && analyzer.Normalize(d.Match) == "" || !strings.Contains(g.first.Text, d.Left+d.Match+d.Right) {
			t.Errorf("%s: context %q|%q|%q is not in the first paragraph", d.Region, d.Left, d.Match, d.Right)
		}
		if i > 0 {
			p := got.Regions[i-1]
			if p.FirstYear > d.FirstYear || p.FirstYear == d.FirstYear && p.FirstDate == d.FirstDate && p.Region > d.Region {
				t.Errorf("region %s (%d) listed after %s (%d)", d.Region, d.FirstYear, p.Region, p.FirstYear)
			}
		}
	}
	for _, n := range got.Never {
		if seen[n.Region] {
			t.Errorf("%s is listed as mentioning and as never", n.Region)
		}
		seen[n.Region] = true
		g := want[n.Region]
		if g == nil || g.first != nil {
			t.Errorf("%s in never; recount %+v", n.Region, g)
			continue
		}
		if n.Reports != g.reports || fmt.Sprint(n.ReportYears) != years(g.reportYears) || n.Level != g.level {
			t.Errorf("never %+v; recount %d reports in %v", n, g.reports, years(g.reportYears))
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("region %s has reports and is in neither list", name)
		}
	}
	var allYears []int
	for _, g := range want {
		allYears = append(allYears, g.reportYears...)
	}
	slices.Sort(allYears)
	allYears = slices.Compact(allYears)
	if len(got.Cumulative) != len(allYears) {
		t.Fatalf("%d cumulative years, %d years with reports", len(got.Cumulative), len(allYears))
	}
	for i, y := range allYears {
		w := AdoptionYear{Year: y}
		for _, g := range want {
			if g.first != nil && g.first.Year <= y {
				w.Adopted++
			}
			if slices.Min(g.reportYears) <= y {
				w.RegionsWithReports++
			}
		}
		if got.Cumulative[i] != w {
			t.Errorf("cumulative %+v, recount %+v", got.Cumulative[i], w)
		}
	}
}

// TestKWICRecount: a concordance has one row per occurrence, each row's
// context is the paragraph's text around the match, and each order holds
// row by row.
func TestKWICRecount(t *testing.T) {
	forResearchQueries(t, researchFilters[:2], checkKWIC)
}

func checkKWIC(t *testing.T, c *corpus, query string, f Filters) {
	want := map[string]int{} // paragraph id → occurrences
	total := 0
	for _, r := range c.recount(t, query, f) {
		for _, m := range r.matches {
			want[m.rec.ID] = m.occ
			total += m.occ
		}
	}
	if total > MaxKWICSorted {
		t.Skipf("%d occurrences: more than a sorted concordance takes", total)
	}
	const width = 12
	byOrder := map[string][]KWICRow{}
	for _, order := range []string{KWICByPosition, KWICByLeft, KWICByRight} {
		var rows []KWICRow
		err := c.ix.KWIC(context.Background(), Request{Query: query, Filters: f}, KWICOptions{Sort: order, Width: width}, func(r KWICRow) error {
			rows = append(rows, r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		byOrder[order] = rows
	}
	pos := byOrder[KWICByPosition]
	if len(pos) != total {
		t.Errorf("%d rows, %d occurrences", len(pos), total)
	}
	perPara := map[string]int{}
	for i, r := range pos {
		perPara[r.ID]++
		rec := c.byID[r.ID]
		if rec == nil {
			t.Fatalf("row of unknown paragraph %s", r.ID)
		}
		runes := []rune(rec.Text)
		lw, mw, rw := utf8.RuneCountInString(r.Left), utf8.RuneCountInString(r.Match), utf8.RuneCountInString(r.Right)
		if r.Offset-lw < 0 || r.Offset+mw+rw > len(runes) ||
			string(runes[r.Offset-lw:r.Offset]) != r.Left || string(runes[r.Offset:r.Offset+mw]) != r.Match || string(runes[r.Offset+mw:r.Offset+mw+rw]) != r.Right {
			t.Errorf("row %+v is not the text of %s at %d", r, r.ID, r.Offset)
		}
		if lw != min(width, r.Offset) || rw != min(width, len(runes)-r.Offset-mw) {
			t.Errorf("row %s@%d: context of %d and %d characters, want %d each where the text allows", r.ID, r.Offset, lw, rw, width)
		}
		if r.Region != rec.Region || r.Year != rec.Year || r.Ordinal != rec.Ordinal || r.ReportID != rec.ReportID || r.Level != rec.Level {
			t.Errorf("row %+v does not describe %s", r, r.ID)
		}
		if i > 0 {
			p := pos[i-1]
			pr := c.byID[p.ID]
			switch {
			case pr.Year > rec.Year, pr.Year == rec.Year && pr.ReportID > rec.ReportID,
				p.ReportID == r.ReportID && p.Ordinal > r.Ordinal,
				p.ID == r.ID && p.Offset+utf8.RuneCountInString(p.Match) > r.Offset:
				t.Errorf("position order broken at %s@%d after %s@%d", r.ID, r.Offset, p.ID, p.Offset)
			}
		}
	}
	for id, n := range want {
		if perPara[id] != n {
			t.Errorf("%s: %d rows, %d occurrences", id, perPara[id], n)
		}
	}
	key := func(r KWICRow) string { return fmt.Sprintf("%s@%d", r.ID, r.Offset) }
	posKeys := make([]string, len(pos))
	for i, r := range pos {
		posKeys[i] = key(r)
	}
	sort.Strings(posKeys)
	for _, order := range []string{KWICByLeft, KWICByRight} {
		rows := byOrder[order]
		keys := make([]string, len(rows))
		for i, r := range rows {
			keys[i] = key(r)
			if i > 0 && contextAfter(rows[i-1], r, order) {
				t.Errorf("sort=%s: %q|%q|%q comes after %q|%q|%q", order, r.Left, r.Match, r.Right, rows[i-1].Left, rows[i-1].Match, rows[i-1].Right)
			}
		}
		sort.Strings(keys)
		if !slices.Equal(keys, posKeys) {
			t.Errorf("sort=%s has other rows than sort=position", order)
		}
	}
}

// contextAfter reports whether row a must come after row b in a
// concordance sorted by order: compared character by character outward
// from the match (leftward for left, rightward for right), a shorter
// context that ends first coming first.
func contextAfter(a, b KWICRow, order string) bool {
	var x, y []rune
	if order == KWICByLeft {
		x, y = []rune(a.Left), []rune(b.Left)
		slices.Reverse(x)
		slices.Reverse(y)
	} else {
		x, y = []rune(a.Right), []rune(b.Right)
	}
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] != y[i] {
			return x[i] > y[i]
		}
	}
	return len(x) > len(y)
}

// TestResearchRequestErrors: the research views refuse what they cannot
// answer, naming the parameter.
func TestResearchRequestErrors(t *testing.T) {
	c := openCorpus(t, seedDir)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		call  func() error
		param string
	}{
		{"kwic of filters only", func() error {
			return c.ix.KWIC(ctx, Request{Query: "year:2020"}, KWICOptions{}, func(KWICRow) error { return nil })
		}, "q"},
		{"kwic sort", func() error {
			return c.ix.KWIC(ctx, Request{Query: "一网通办"}, KWICOptions{Sort: "middle"}, func(KWICRow) error { return nil })
		}, "sort"},
		{"kwic width", func() error {
			return c.ix.KWIC(ctx, Request{Query: "一网通办"}, KWICOptions{Width: MaxKWICWidth + 1}, func(KWICRow) error { return nil })
		}, "width"},
		{"trend query", func() error { _, err := c.ix.Trend(ctx, Request{Query: `"unclosed`}); return err }, "q"},
		{"diffusion filter", func() error {
			_, err := c.ix.Diffusion(ctx, Request{Query: "一网通办", Filters: Filters{FacetLevel: {"planet"}}})
			return err
		}, "level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Param != tc.param {
				t.Errorf("error %v, want a *ValidationError on %s", err, tc.param)
			}
		})
	}
}
