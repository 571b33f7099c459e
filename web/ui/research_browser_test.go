package ui_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"govsearch/index"
	"govsearch/ingest"
)

// longRegions are reports of regions with long names, added to the seeds
// so that the pages show that no name is cut, and with mentions in other
// years than the seeds' so that the research views have more to show.
func longRegions() []ingest.Report {
	mk := func(id, region, level string, year int, texts ...string) ingest.Report {
		r := ingest.Report{ID: id, Meta: ingest.Meta{Title: strconv.Itoa(year) + "年" + region + "政府工作报告", Region: region,
			Level: level, Year: year, Date: strconv.Itoa(year) + "-01-20", Speaker: "某某", Session: "第十四届人民代表大会第三次会议",
			Source: id + ".txt"}}
		for i, t := range texts {
			r.Paragraphs = append(r.Paragraphs, ingest.Paragraph{ID: fmt.Sprintf("%s-p%d", id, i+1), ReportID: id, Ordinal: i + 1,
				Part: "一、工作回顾", PartKind: ingest.PartReview, Kind: ingest.KindBody, Text: t, Start: i * 100, End: i*100 + len(t)})
		}
		return r
	}
	return []ingest.Report{
		mk("gx2019", "广西壮族自治区", ingest.LevelProvince, 2019, "推进政务服务“一网通办”，企业开办时间压缩到3个工作日。", "深化放管服改革。"),
		mk("gx2022", "广西壮族自治区", ingest.LevelProvince, 2022, "全面推行一网通办，一网通办事项达到九成。"),
		mk("kz2022", "克孜勒苏柯尔克孜自治州", ingest.LevelCity, 2022, "加强基础设施建设，改善民生。"),
	}
}

// TestResearchPages drives the research pages in Chromium over the seeds
// and the long-named regions: every number a page shows equals the API's,
// its links lead where they say, nothing breaks the CSP or the console,
// and each page fits a phone.
func TestResearchPages(t *testing.T) {
	chrome := findChromium()
	if chrome == "" {
		t.Skip("no Chromium found; install it with `apt-get install -y chromium` or set GOVSEARCH_CHROMIUM")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ix := seedIndex(t)
	ctx := context.Background()
	if err := ix.DeleteReport(ctx, "hostile-test"); err != nil {
		t.Fatal(err)
	}
	if err := ix.AddReports(ctx, longRegions()); err != nil {
		t.Fatal(err)
	}
	base, host := serve(t, ix)
	nl := &netLog{}
	b := &session{t: t, base: base, shots: artifactsDir(t)}
	b.ctx = startBrowser(t, chrome, nl.listen, chromedp.Flag("hide-scrollbars", true))

	const q = "一网通办"
	b.checkTrendNumbers(q)
	b.checkTrendMetricsAndLinks(q)
	b.checkTrendFilters(q)
	b.checkDiffusionPage(q)
	b.checkKWICPage(q)
	b.checkComparePage(q, "放管服")
	b.checkReportList()
	b.checkLongNames(q)
	b.checkResearchPhone(q)
	checkNetwork(t, nl, host)
}

// heatCell is a cell of the trend page's heat map as the page draws it.
type heatCell struct {
	Region                                string
	Year, Reports, Mentioning, Count, Occ int
	Chars                                 int
	Value                                 float64
	NoData                                bool
	Href                                  string
}

const readHeatJS = `[...document.querySelectorAll('#heat .cell')].map(g => ({Region: g.dataset.region, Year: Number(g.dataset.year),
	Reports: Number(g.dataset.reports), Mentioning: Number(g.dataset.mentioning), Count: Number(g.dataset.count), Occ: Number(g.dataset.occ),
	Chars: Number(g.dataset.chars), Value: Number(g.dataset.value), NoData: g.classList.contains('nodata'),
	Href: g.parentElement.tagName.toLowerCase() === 'a' ? g.parentElement.getAttribute('href') : ''}))`

// apiCells returns the API's trend cells by region and year.
func apiCells(t *testing.T, base string, v url.Values) map[string]index.TrendCell {
	tr := apiGet[index.Trend](t, base, "/api/trend", v)
	out := map[string]index.TrendCell{}
	for _, c := range tr.Cells {
		out[c.Region+"/"+strconv.Itoa(c.Year)] = c
	}
	return out
}

// checkTrendNumbers: every heat map cell shows the API's numbers; a cell is
// drawn as without a report exactly where the API has no cell.
func (b *session) checkTrendNumbers(q string) {
	t := b.t
	b.do("trend", chromedp.Navigate(b.base+"/trend?q="+url.QueryEscape(q)))
	b.waitSel("heat map", "#heat .cell")
	want := apiCells(t, b.base, url.Values{"q": {q}})
	var cells []heatCell
	b.eval("heat cells", readHeatJS, &cells)
	seen := 0
	for _, c := range cells {
		w, ok := want[c.Region+"/"+strconv.Itoa(c.Year)]
		if !ok {
			if !c.NoData || c.Href != "" {
				t.Errorf("trend: %s %d has no report but is drawn as %+v", c.Region, c.Year, c)
			}
			continue
		}
		seen++
		if c.NoData || c.Reports != w.Reports || c.Mentioning != w.MentioningReports || c.Count != w.Paragraphs || c.Occ != w.Occurrences ||
			c.Chars != w.Chars || c.Value != float64(w.Paragraphs) {
			t.Errorf("trend: cell %+v, API %+v", c, w)
		}
	}
	if seen != len(want) {
		t.Errorf("trend: %d cells with reports drawn, the API has %d", seen, len(want))
	}
	var total struct{ Reports, Mentioning, Paragraphs int }
	b.eval("trend totals", `({Reports: Number(document.querySelector('[data-reports]').dataset.reports),
		Mentioning: Number(document.querySelector('[data-mentioning]').dataset.mentioning), Paragraphs: Number(document.querySelector('[data-total]').dataset.total)})`, &total)
	var wr, wm, wp int
	for _, c := range want {
		wr, wm, wp = wr+c.Reports, wm+c.MentioningReports, wp+c.Paragraphs
	}
	if total.Reports != wr || total.Mentioning != wm || total.Paragraphs != wp {
		t.Errorf("trend totals %+v, API %d reports, %d mentioning, %d paragraphs", total, wr, wm, wp)
	}
	// The table's cells show the same values, — where there is no report.
	var table []struct {
		Text          string
		Value         float64
		Reports       int
		NoData, Title bool
	}
	b.eval("trend table", `[...document.querySelectorAll('#trend-table tbody td[data-value]')].map(td => ({Text: td.textContent,
		Value: Number(td.dataset.value), Reports: Number(td.dataset.reports), NoData: td.classList.contains('nodata'), Title: td.title === '无报告'}))`, &table)
	if len(table) != len(cells) {
		t.Errorf("trend table has %d cells, the heat map %d", len(table), len(cells))
	}
	for _, c := range table {
		if c.NoData != (c.Reports == 0) || c.NoData && (c.Text != "—" || !c.Title) || !c.NoData && c.Text != strconv.Itoa(int(c.Value)) {
			t.Errorf("trend table cell %+v", c)
		}
	}
	b.shot("research-trend", true)
}

// checkTrendMetricsAndLinks: the measure switch shows per 10,000
// characters and the share of reports as the API computes them; a heat map
// cell leads to the search of its region and year; the CSV link downloads
// the table with a byte order mark.
func (b *session) checkTrendMetricsAndLinks(q string) {
	t := b.t
	want := apiCells(t, b.base, url.Values{"q": {q}})
	for _, m := range []struct{ name, label string }{{"per10k", "每万字出现次数"}, {"share", "提及报告占比"}} {
		b.click("metric "+m.name, fmt.Sprintf(`.metrics a[href*="metric=%s"]`, m.name))
		b.waitLoaded("metric "+m.name, "metric="+m.name)
		var cells []heatCell
		b.eval("heat cells", readHeatJS, &cells)
		for _, c := range cells {
			w, ok := want[c.Region+"/"+strconv.Itoa(c.Year)]
			if !ok {
				continue
			}
			v := w.Per10k
			if m.name == "share" {
				v = 100 * float64(w.MentioningReports) / float64(w.Reports)
			}
			if math.Abs(c.Value-v) > 1e-9 {
				t.Errorf("%s: %s %d shows %v, API %v", m.name, c.Region, c.Year, c.Value, v)
			}
		}
		var current string
		b.eval("current metric", `document.querySelector('.metrics a[aria-current]').textContent`, &current)
		if current != m.label {
			t.Errorf("metric %s: the switch marks %q", m.name, current)
		}
	}
	b.shot("research-trend-share", true)
	// A mentioning cell leads to its search, whose total is the cell's.
	var target heatCell
	b.eval("a mentioning cell", `(() => { const cs = `+readHeatJS+`; return cs.filter(c => c.Count > 0).sort((a, b) => b.Count - a.Count)[0]; })()`, &target)
	b.click("heat cell", fmt.Sprintf(`#heat a[href=%q]`, target.Href))
	b.waitSel("cell search", ".hits .hit")
	b.waitLoaded("cell search", "region="+target.Region)
	var total int
	b.eval("cell search total", `Number(document.querySelector('[data-total]').dataset.total)`, &total)
	if total != target.Count {
		t.Errorf("the cell %s %d says %d paragraphs, its search finds %d", target.Region, target.Year, target.Count, total)
	}
	var regions []string
	b.eval("hit regions", `[...document.querySelectorAll('.hits .hit')].map(h => h.dataset.region)`, &regions)
	for _, r := range regions {
		if r != target.Region {
			t.Errorf("the cell of %s leads to a hit of %s", target.Region, r)
		}
	}
	// The table's CSV.
	b.do("trend", chromedp.Navigate(b.base+"/trend?q="+url.QueryEscape(q)))
	b.waitSel("trend", "#heat")
	var href string
	b.eval("csv link", `document.querySelector('a[href*="format=csv"]').getAttribute('href')`, &href)
	body := fetch(t, b.base+href)
	if !strings.Contains(href, "bom=true") || !strings.HasPrefix(body, "\uFEFFquery,region,level,year") || strings.Count(body, "\n") != len(want)+1 {
		t.Errorf("CSV link %s: %d lines, starts %q", href, strings.Count(body, "\n"), body[:min(len(body), 40)])
	}
}

// fetch returns the body of a GET.
func fetch(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}

// checkTrendFilters: choosing a level in the form narrows the page to the
// API's answer for that level.
func (b *session) checkTrendFilters(q string) {
	t := b.t
	b.do("choose level", chromedp.Evaluate[chromedp.Void](`document.querySelector('.research-form select[name="level"]').value = "province"`))
	b.click("apply", `.research-form .searchbox button`)
	b.waitLoaded("filtered trend", "level=province")
	want := apiCells(t, b.base, url.Values{"q": {q}, "level": {"province"}})
	var cells []heatCell
	b.eval("heat cells", readHeatJS, &cells)
	n := 0
	for _, c := range cells {
		if !c.NoData {
			n++
			if w := want[c.Region+"/"+strconv.Itoa(c.Year)]; w.Paragraphs != c.Count || w.Reports != c.Reports {
				t.Errorf("level=province: cell %+v, API %+v", c, w)
			}
		}
	}
	var loc string
	b.eval("url", `location.search`, &loc)
	if n != len(want) || strings.Contains(loc, "since=") || strings.Contains(loc, "part=") {
		t.Errorf("level=province: %d cells for the API's %d; empty choices left in the URL %s", n, len(want), loc)
	}
}

// checkDiffusionPage: the regions, their first mentions and the curve are
// the API's, and a first mention's link opens the reader at it.
func (b *session) checkDiffusionPage(q string) {
	t := b.t
	b.do("diffusion", chromedp.Navigate(b.base+"/diffusion?q="+url.QueryEscape(q)))
	b.waitSel("diffusion", "#first-table")
	d := apiGet[index.Diffusion](t, b.base, "/api/diffusion", url.Values{"q": {q}})
	var page struct {
		Rows []struct {
			Region, Paragraph, Href string
			Year                    int
		}
		Never  []string
		Points []struct{ Year, Adopted, Regions int }
	}
	b.eval("diffusion page", `({Rows: [...document.querySelectorAll('#first-table tbody tr')].map(r => ({Region: r.dataset.region,
		Year: Number(r.dataset.firstYear), Paragraph: r.dataset.firstParagraph, Href: r.querySelector('td.quote a').getAttribute('href')})),
		Never: [...document.querySelectorAll('.never li')].map(l => l.dataset.region),
		Points: [...document.querySelectorAll('#curve .pt')].map(p => ({Year: Number(p.dataset.year), Adopted: Number(p.dataset.adopted), Regions: Number(p.dataset.regions)}))})`, &page)
	if len(page.Rows) != len(d.Regions) || len(page.Never) != len(d.Never) || len(page.Points) != len(d.Cumulative) {
		t.Fatalf("diffusion page: %d regions, %d never, %d points; API %d, %d, %d", len(page.Rows), len(page.Never), len(page.Points), len(d.Regions), len(d.Never), len(d.Cumulative))
	}
	for i, r := range d.Regions {
		if p := page.Rows[i]; p.Region != r.Region || p.Year != r.FirstYear || p.Paragraph != r.FirstParagraph {
			t.Errorf("diffusion row %d: %+v, API %s %d %s", i, p, r.Region, r.FirstYear, r.FirstParagraph)
		}
	}
	for i, n := range d.Never {
		if page.Never[i] != n.Region {
			t.Errorf("never %d: %s, API %s", i, page.Never[i], n.Region)
		}
	}
	for i, a := range d.Cumulative {
		if p := page.Points[i]; p.Year != a.Year || p.Adopted != a.Adopted || p.Regions != a.RegionsWithReports {
			t.Errorf("curve point %+v, API %+v", p, a)
		}
	}
	b.shot("research-diffusion", true)
	first := d.Regions[0]
	b.click("first mention", `#first-table tbody tr td.quote a`)
	b.waitLoaded("reader at the first mention", "/reports/"+first.FirstReport)
	b.waitSel("target", ".para:target")
	var target struct {
		ID    string
		Marks int
	}
	b.eval("target", `(() => { const p = document.querySelector('.para:target'); return {ID: p.id, Marks: p.querySelectorAll('mark').length}; })()`, &target)
	if target.ID != "p"+strconv.Itoa(first.FirstOrdinal) || target.Marks == 0 {
		t.Errorf("the first mention's link opens %+v, want p%d with the query marked", target, first.FirstOrdinal)
	}
}

// checkKWICPage: the concordance shows the API's rows in the API's order
// for each sort, and a row's source opens the reader at its paragraph.
func (b *session) checkKWICPage(q string) {
	t := b.t
	type row struct {
		ID     string
		Offset int
		Left   string
		Match  string
	}
	readRows := `[...document.querySelectorAll('#kwic-table tbody tr')].map(r => ({ID: r.dataset.id, Offset: Number(r.dataset.offset),
		Left: r.querySelector('.kl').textContent, Match: r.querySelector('.km').textContent}))`
	for _, order := range []string{"position", "left", "right"} {
		u := "/kwic?q=" + url.QueryEscape(q)
		if order != "position" {
			u += "&sort=" + order
		}
		b.do("kwic "+order, chromedp.Navigate(b.base+u))
		b.waitSel("kwic", "#kwic-table")
		api := apiGet[struct {
			Total int
			Rows  []index.KWICRow
		}](t, b.base, "/api/kwic", url.Values{"q": {q}, "sort": {order}, "size": {"50"}})
		var rows []row
		b.eval("kwic rows", readRows, &rows)
		var total int
		b.eval("kwic total", `Number(document.querySelector('[data-total]').dataset.total)`, &total)
		if total != api.Total || len(rows) != len(api.Rows) {
			t.Fatalf("kwic sort=%s: %d of %d rows, API %d of %d", order, len(rows), total, len(api.Rows), api.Total)
		}
		for i, r := range api.Rows {
			if rows[i].ID != r.ID || rows[i].Offset != r.Offset || rows[i].Left != r.Left || rows[i].Match != r.Match {
				t.Errorf("kwic sort=%s row %d: %+v, API %s@%d %q", order, i, rows[i], r.ID, r.Offset, r.Left)
				break
			}
		}
		if order == "left" {
			// The matches line up: every match cell starts at the same x.
			var xs []float64
			b.eval("match x", `[...document.querySelectorAll('#kwic-table tbody td.km mark')].map(m => Math.round(m.getBoundingClientRect().left + m.getBoundingClientRect().width / 2))`, &xs)
			if len(xs) > 0 && slices.Max(xs)-slices.Min(xs) > 1 {
				t.Errorf("kwic: the matches are not aligned: centres from %v to %v", slices.Min(xs), slices.Max(xs))
			}
			b.shot("research-kwic", true)
		}
	}
	var first row
	b.eval("first row", `(`+readRows+`)[0]`, &first)
	b.click("kwic source", `#kwic-table tbody tr td.ks a`)
	b.waitSel("reader", ".para:target")
	var target struct {
		Text string
		Para string
	}
	b.eval("target", `(() => { const p = document.querySelector('.para:target'); return {Text: p.textContent, Para: p.id}; })()`, &target)
	rec := apiGet[ingest.Record](t, b.base, "/api/paragraphs/"+url.PathEscape(first.ID), nil)
	if target.Para != "p"+strconv.Itoa(rec.Ordinal) || !strings.Contains(target.Text, first.Match) {
		t.Errorf("the row of %s opens the reader at %s", first.ID, target.Para)
	}
}

// checkComparePage: each query's column equals its trend, and the
// started/stopped/kept lists follow from the API's cells.
func (b *session) checkComparePage(q1, q2 string) {
	t := b.t
	b.do("compare", chromedp.Navigate(b.base+"/compare?q="+url.QueryEscape(q1)+"&q="+url.QueryEscape(q2)+"&a=2019&b=2022"))
	b.waitSel("compare", "#compare-table")
	var table []struct {
		Year   int
		Values []float64
	}
	b.eval("compare table", `[...document.querySelectorAll('#compare-table tbody tr')].map(r => ({Year: Number(r.dataset.year),
		Values: [...r.querySelectorAll('td')].map(td => Number(td.dataset.value))}))`, &table)
	for i, q := range []string{q1, q2} {
		perYear := map[int]int{}
		for _, c := range apiCells(t, b.base, url.Values{"q": {q}}) {
			perYear[c.Year] += c.Paragraphs
		}
		for _, r := range table {
			if int(r.Values[i]) != perYear[r.Year] {
				t.Errorf("compare: %s %d shows %v, API %d", q, r.Year, r.Values[i], perYear[r.Year])
			}
		}
		// Regions with reports in both years.
		cells := apiCells(t, b.base, url.Values{"q": {q}})
		var started, stopped, kept []string
		for key, c := range cells {
			if c.Year != 2019 {
				continue
			}
			region := strings.TrimSuffix(key, "/2019")
			d, ok := cells[region+"/2022"]
			if !ok {
				continue
			}
			switch a, z := c.MentioningReports > 0, d.MentioningReports > 0; {
			case a && z:
				kept = append(kept, region)
			case z:
				started = append(started, region)
			case a:
				stopped = append(stopped, region)
			}
		}
		var got struct{ Started, Stopped, Kept []string }
		b.eval("changes", fmt.Sprintf(`(() => { const c = document.querySelectorAll('.change')[%d]; const l = i => [...c.querySelectorAll('dd')[i].querySelectorAll('.region')].map(s => s.textContent);
			return {Started: l(0), Stopped: l(1), Kept: l(2)}; })()`, i), &got)
		for _, pair := range [][2][]string{{got.Started, started}, {got.Stopped, stopped}, {got.Kept, kept}} {
			g, w := slices.Clone(pair[0]), slices.Clone(pair[1])
			slices.Sort(g)
			slices.Sort(w)
			if !slices.Equal(g, w) {
				t.Errorf("compare %s 2019→2022: %v, from the API %v", q, g, w)
			}
		}
	}
	b.shot("research-compare", true)
}

// checkReportList: the start page's list, filtered by a select and sorted
// by a column header, shows the API's reports in the API's order.
func (b *session) checkReportList() {
	t := b.t
	b.do("home", chromedp.Navigate(b.base+"/"))
	b.waitSel("report list", "#report-list")
	b.do("choose level and let the page submit", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('select[name="list_level"]');
		s.value = "province"; s.dispatchEvent(new Event('change', {bubbles: true})); })()`))
	b.waitLoaded("filtered list", "list_level=province")
	b.click("sort by characters", `#report-list th a[href*="chars"]`)
	b.waitLoaded("sorted list", "list_sort=-chars")
	want := apiGet[struct{ Reports []index.ReportSummary }](t, b.base, "/api/reports", url.Values{"level": {"province"}, "sort": {"-chars"}})
	var ids []string
	b.eval("listed", `[...document.querySelectorAll('#report-list tbody tr[data-id]')].map(r => r.dataset.id)`, &ids)
	var wantIDs []string
	for _, r := range want.Reports {
		wantIDs = append(wantIDs, r.ID)
	}
	if !slices.Equal(ids, wantIDs) || len(ids) == 0 {
		t.Errorf("report list %v, API %v", ids, wantIDs)
	}
	b.shot("research-home-list", false)
}

// checkLongNames: a long region name is never cut, in the sidebar, the
// heat map, the tables or the diffusion page.
func (b *session) checkLongNames(q string) {
	t := b.t
	for _, p := range []struct{ path, sel string }{
		{"/?q=" + url.QueryEscape(q), `fieldset[data-facet="region"] .fi-label`},
		{"/trend?q=" + url.QueryEscape(q), `#trend-table .region`},
		{"/diffusion?q=" + url.QueryEscape(q), `#first-table .region`},
	} {
		for _, width := range []struct {
			name string
			act  chromedp.Action[chromedp.Void]
		}{{"desktop", chromedp.EmulateViewport(1280, 900)}, {"phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)}} {
			b.do(width.name, width.act)
			b.do("page", chromedp.Navigate(b.base+p.path))
			b.waitSel(p.path, p.sel)
			var cut []string
			b.eval("clipped labels", fmt.Sprintf(`[...document.querySelectorAll(%q)].filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1 && getComputedStyle(e).overflow !== 'visible').map(e => e.textContent)`, p.sel), &cut)
			var names []string
			b.eval("names", fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.textContent.trim())`, p.sel), &names)
			if len(cut) > 0 || !slices.ContainsFunc(names, func(s string) bool { return strings.HasPrefix(s, "广西壮族自治区") }) {
				t.Errorf("%s %s: cut %v among %v", width.name, p.path, cut, names)
			}
		}
	}
	// The heat map's label column holds the longest name.
	b.do("desktop", chromedp.EmulateViewport(1280, 900))
	b.do("trend", chromedp.Navigate(b.base+"/trend?q="+url.QueryEscape(q)))
	b.waitSel("heat", "#heat text.rl")
	var labels []struct {
		Text string
		X    float64
	}
	b.eval("heat labels", `[...document.querySelectorAll('#heat text.rl')].map(e => ({Text: e.textContent, X: e.getBBox().x}))`, &labels)
	for _, l := range labels {
		if l.X < 0 {
			t.Errorf("heat map label %q starts at x=%.0f, outside the chart", l.Text, l.X)
		}
	}
}

// checkResearchPhone: every research page is no wider than a phone.
func (b *session) checkResearchPhone(q string) {
	b.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	for _, p := range []struct{ name, path, ready string }{
		{"phone-trend-per10k", "/trend?metric=per10k&q=" + url.QueryEscape(q), "#heat"},
		{"phone-diffusion", "/diffusion?q=" + url.QueryEscape(q), "#curve"},
		{"phone-kwic", "/kwic?sort=left&q=" + url.QueryEscape(q), "#kwic-table"},
		{"phone-compare", "/compare?q=" + url.QueryEscape(q) + "&q=" + url.QueryEscape("放管服"), "#lines"},
		{"phone-home-list", "/?list_level=district", "#report-list"},
	} {
		b.do(p.name, chromedp.Navigate(b.base+p.path))
		b.waitSel(p.name, p.ready)
		var width int
		b.eval("page width", `document.documentElement.scrollWidth`, &width)
		if width > 390 {
			b.t.Errorf("%s: page is %d px wide on a 390 px screen", p.name, width)
		}
		b.shot(p.name, true)
	}
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
}
