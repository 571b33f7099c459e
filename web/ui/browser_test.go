package ui_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"govsearch"
	_ "govsearch/analyzer"
	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web"
)

// findChromium returns the path of a Chromium-compatible browser, or "".
func findChromium() string {
	if p := os.Getenv("GOVSEARCH_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifactsDir is where screenshots go: $GOVSEARCH_ARTIFACTS, or a fresh
// temporary directory that outlives the test so the images can be viewed.
func artifactsDir(t *testing.T) string {
	dir := os.Getenv("GOVSEARCH_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "govsearch-ui-artifacts-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// seedIndex builds a real index of the embedded seed corpus, plus one
// hostile report whose text carries markup that must never run.
func seedIndex(t *testing.T) *index.Index {
	t.Helper()
	dir := t.TempDir()
	inputs, err := ingest.InputsFromFS(govsearch.SeedReports())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := index.Build(ctx, dir, inputs, index.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Errors) > 0 {
		t.Fatalf("seed build errors: %v", st.Errors)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	hostile := ingest.Report{ID: "hostile-test", Meta: ingest.Meta{
		Title: "政府工作报告", Region: "测试区", Level: ingest.LevelDistrict, Year: 2024, Source: "hostile.txt",
	}}
	for i, text := range []string{
		"一、恶意脚本测试",
		`恶意脚本测试 <script>window.__pwned = 1</script> 后文。`,
		`恶意脚本测试 <img src=x onerror="window.__pwned = 2"> 与 "引号" 和 &amp; 实体。`,
		`恶意脚本测试 </mark><script>window.__pwned = 3</script><mark> 标签逃逸。`,
	} {
		kind := ingest.KindBody
		if i == 0 {
			kind = ingest.KindHeading
		}
		hostile.Paragraphs = append(hostile.Paragraphs, ingest.Paragraph{
			ID: fmt.Sprintf("hostile-test-%d", i+1), ReportID: "hostile-test", Ordinal: i + 1,
			Part: "一、恶意脚本测试", PartKind: ingest.PartReview, Kind: kind, Text: text,
			Start: i * 100, End: i*100 + len(text),
		})
	}
	if err := ix.AddReports(ctx, []ingest.Report{hostile}); err != nil {
		t.Fatalf("adding the hostile report: %v", err)
	}
	return ix
}

// apiGet fetches a JSON API answer from the test server.
func apiGet[T any](t *testing.T, base, path string, q url.Values) T {
	t.Helper()
	var v T
	resp, err := http.Get(base + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// netLog records every request the browser makes and every console error.
type netLog struct {
	mu       sync.Mutex
	requests []string
	problems []string
}

func (n *netLog) listen(ev any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		n.requests = append(n.requests, e.Request.URL)
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
			n.problems = append(n.problems, string(e.Entry.Source)+": "+e.Entry.Text)
		}
	case *runtime.EventExceptionThrown:
		n.problems = append(n.problems, "exception: "+e.ExceptionDetails.Text)
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			n.problems = append(n.problems, "console.error")
		}
	}
}

func (n *netLog) snapshot() (reqs, problems []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.requests...), append([]string(nil), n.problems...)
}

// TestBrowser drives headless Chromium through the pages over a real index
// of the seed corpus and the real HTTP server (JSON API and pages).
func TestBrowser(t *testing.T) {
	chrome := findChromium()
	if chrome == "" {
		t.Skip("no Chromium found (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome); " +
			"install it with `apt-get install -y chromium` or set GOVSEARCH_CHROMIUM to run the browser test")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ix := seedIndex(t)
	base, host := serve(t, ix)
	nl := &netLog{}
	b := &session{t: t, base: base, shots: artifactsDir(t)}
	b.ctx = startBrowser(t, chrome, nl.listen, chromedp.Flag("hide-scrollbars", true))

	const q = "一网通办"
	const district = "静安区"
	page1 := b.checkSearchPage(q)
	apiNarrow := b.checkTickDistrict(q, district, page1)
	b.checkCopyCitation(district)
	b.checkBackForward(district, page1)
	first := b.checkReader(q)
	b.checkTrendPage(q)
	b.checkWithoutScript(q, district, apiNarrow.Total)
	b.checkGlossaryCard()
	b.checkHostileDocuments()
	// The hostile report has served its purpose; the remaining pages and
	// screenshots show the seed corpus alone.
	if err := ix.DeleteReport(context.Background(), "hostile-test"); err != nil {
		t.Fatal(err)
	}
	b.checkPhoneWidth(q, first)
	b.checkSlashFocusesSearch()
	checkNetwork(t, nl, host)
	if err := b.ctx.Err(); errors.Is(err, context.Canceled) {
		t.Error("the browser test hit its time limit")
	}
}

// serve runs the real HTTP server (API and pages) over ix on a free port
// and returns its base URL and host:port.
func serve(t *testing.T, ix *index.Index) (base, host string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: web.New(ix, web.Options{}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), ln.Addr().String()
}

// startBrowser starts headless Chromium, with listen (if not nil) hearing
// its events, and returns the context of its first tab. A hung browser is
// stopped after four minutes, so that it cannot hang the suite.
func startBrowser(t *testing.T, chrome string, listen func(any), extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromeOptions(t, chrome, extra...)...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelCtx)
	// The first call starts the browser; it must not carry a timeout.
	var err error
	if listen != nil {
		err = chromedp.Listen(ctx, listen)
	} else {
		_, err = chromedp.Run(ctx, chromedp.Navigate("about:blank"))
	}
	if err != nil {
		t.Fatalf("starting %s: %v", chrome, err)
	}
	deadline := time.AfterFunc(4*time.Minute, cancelCtx)
	t.Cleanup(func() { deadline.Stop() })
	return ctx
}

// session is a browser tab on the test server, with the steps the tests
// take in it; each failing step ends the test.
type session struct {
	t     *testing.T
	ctx   context.Context
	base  string // the server's URL
	shots string // where screenshots go
}

// do runs browser actions.
func (b *session) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval runs JavaScript and decodes its JSON result into out.
func (b *session) eval(what, js string, out any) {
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](js))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		b.t.Fatalf("%s: decoding %s: %v", what, raw, err)
	}
}

// shot saves the whole page, or only the screen when full is false (the
// reader: a whole report is metres long).
func (b *session) shot(name string, full bool) {
	b.t.Helper()
	act := chromedp.CaptureScreenshot()
	if full {
		act = chromedp.FullScreenshot(100)
	}
	buf, err := chromedp.Run(b.ctx, act)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// waitFor waits until the current page is loaded, not marked busy by a
// click that left it, and cond (JavaScript) holds.
func (b *session) waitFor(what, cond string) {
	b.t.Helper()
	js := `document.readyState === "complete" && !document.body.classList.contains("busy") && (` + cond + `)`
	var last error
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		// Evaluating while the page navigates fails; that is expected
		// until the new page is there.
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		last = err
	}
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	b.t.Fatalf("%s: no page with %s (at %s): %v", what, cond, loc, last)
}

// waitSel waits for an element on the current page.
func (b *session) waitSel(what, sel string) {
	b.t.Helper()
	b.waitFor(what, fmt.Sprintf(`document.querySelector(%q) !== null`, sel))
}

// click clicks the centre of the first element matching sel with real
// mouse events, found by script rather than chromedp's DOM mirror, which
// a page restored from the back-forward cache leaves stale.
func (b *session) click(what, sel string) {
	b.t.Helper()
	var pt struct{ X, Y float64 }
	b.eval(what, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`, sel), &pt)
	b.do(what, chromedp.MouseClickXY(pt.X, pt.Y))
}

// waitLoaded waits for a loaded page whose URL contains urlPart and that
// is not the page a click left behind (which the script marks busy).
func (b *session) waitLoaded(what, urlPart string) {
	b.t.Helper()
	b.waitFor(what, fmt.Sprintf(`decodeURIComponent(location.href).includes(%q)`, urlPart))
}

// pageState is what readPageJS reads of a search page.
type pageState struct {
	Total   int
	Hits    int
	Marks   int
	Regions map[string]int
	Facets  map[string]map[string]int // URL parameter → value → count
	Checked []string
}

// readPageJS reads the total, the hits, their marks, the sidebar's counts
// and the ticked districts of a search page.
const readPageJS = `(() => {
	const facets = {}, checked = [];
	document.querySelectorAll('fieldset[data-facet] input[type="checkbox"]').forEach(el => {
		const c = el.closest('label').querySelector('.count');
		(facets[el.name] = facets[el.name] || {})[el.value] = c ? Number(c.dataset.count) : -1;
		if (el.checked && el.name === "region") checked.push(el.value);
	});
	return {
		Total: Number(document.querySelector('[data-total]').dataset.total),
		Hits: document.querySelectorAll('.hits .hit').length,
		Marks: document.querySelectorAll('.hits .frag mark').length,
		Regions: facets.region || {}, Facets: facets, Checked: checked,
	};
})()`

// checkSearchPage: highlighted results, and sidebar counts equal to the
// API's for every facet of the registry.
func (b *session) checkSearchPage(q string) pageState {
	t := b.t
	api := apiGet[index.Response](t, b.base, "/api/search", url.Values{"q": {q}})
	if api.Total == 0 {
		t.Fatalf("the API finds no %s in the seed corpus", q)
	}
	b.do("open search page", chromedp.Navigate(b.base+"/?q="+url.QueryEscape(q)))
	b.waitSel("search results", ".hits .hit")
	b.waitLoaded("search page", "q="+q)
	var page pageState
	b.eval("read search page", readPageJS, &page)
	if page.Total != api.Total {
		t.Errorf("page total %d, API total %d", page.Total, api.Total)
	}
	if page.Hits == 0 || page.Marks < page.Hits {
		t.Errorf("%d hits with %d <mark>s: every result should show a highlighted fragment", page.Hits, page.Marks)
	}
	var markText []string
	b.eval("mark text", `[...document.querySelectorAll('.hits .frag mark')].map(m => m.textContent.replace(/\s+/g, ''))`, &markText)
	for _, m := range markText {
		if m != q {
			t.Errorf("highlighted %q, want %q", m, q)
		}
	}
	// Every facet of the index's registry has its group in the sidebar.
	for _, f := range index.Facets() {
		want := map[string]int{}
		for _, fv := range api.Facets[f.Name] {
			want[fv.Value] = fv.Count
		}
		if len(want) == 0 || fmt.Sprint(page.Facets[f.Param]) != fmt.Sprint(want) {
			t.Errorf("%s counts on the page %v, API %v", f.Name, page.Facets[f.Param], want)
		}
	}
	b.shot("desktop-search", true)
	return page
}

// checkTickDistrict ticks a district: the results narrow to it and the
// other districts keep their counts. It returns the API's answer for it.
func (b *session) checkTickDistrict(q, district string, page1 pageState) index.Response {
	t := b.t
	if _, ok := page1.Regions[district]; !ok {
		t.Fatalf("no %s among the page's districts %v: the seed corpus metadata is not parsed", district, page1.Regions)
	}
	b.click("tick "+district, fmt.Sprintf(`input[name="region"][value=%q]`, district))
	b.waitLoaded("after ticking", "region="+district)
	var page2 pageState
	b.eval("read narrowed page", readPageJS, &page2)
	apiNarrow := apiGet[index.Response](t, b.base, "/api/search", url.Values{"q": {q}, "region": {district}})
	if page2.Total != apiNarrow.Total || page2.Total >= page1.Total || page2.Total != page1.Regions[district] {
		t.Errorf("after ticking %s: total %d (API %d, before %d, facet said %d)", district, page2.Total, apiNarrow.Total, page1.Total, page1.Regions[district])
	}
	if fmt.Sprint(page2.Regions) != fmt.Sprint(page1.Regions) {
		t.Errorf("district counts changed after ticking %s: %v, before %v", district, page2.Regions, page1.Regions)
	}
	if len(page2.Checked) != 1 || page2.Checked[0] != district {
		t.Errorf("ticked boxes %v", page2.Checked)
	}
	var hitRegions []string
	b.eval("hit regions", `[...document.querySelectorAll('.hits .hit')].map(h => h.dataset.region)`, &hitRegions)
	for _, r := range hitRegions {
		if r != district {
			t.Errorf("result from %s after ticking %s", r, district)
		}
	}
	b.shot("desktop-search-district", true)
	return apiNarrow
}

// checkCopyCitation: "复制引用" puts the citation and the paragraph's
// permanent link on the clipboard.
func (b *session) checkCopyCitation(district string) {
	t := b.t
	for _, perm := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(b.ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: perm}, Setting: browser.PermissionSettingGranted, Origin: b.base,
		}); err != nil {
			t.Fatalf("granting %s: %v", perm, err)
		}
	}
	b.click("copy citation", `.hits .hit button.copy`)
	b.waitFor("copied", `document.querySelector('.hits .hit button.copy').textContent === "已复制"`)
	copied, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("reading the clipboard: %v", err)
	}
	var shown struct{ ID, Href string }
	b.eval("citation", `(() => { const h = document.querySelector('.hits .hit'); return {ID: h.dataset.id, Href: h.querySelector('button.copy').dataset.href}; })()`, &shown)
	para := apiGet[struct{ Citation, URL string }](t, b.base, "/api/paragraphs/"+url.PathEscape(shown.ID), nil)
	if copied != para.Citation+" "+b.base+para.URL || shown.Href != para.URL || !strings.Contains(copied, district) || !strings.Contains(copied, "[R]") {
		t.Errorf("copied %q; want the GB/T 7714 citation %q and the link %s", copied, para.Citation, b.base+para.URL)
	}
}

// checkBackForward: the back button restores the unfiltered page, forward
// the district's.
func (b *session) checkBackForward(district string, page1 pageState) {
	// history.back rather than chromedp.NavigateBack: a page restored from
	// the back-forward cache fires no load event to wait for.
	b.do("back", chromedp.Evaluate[chromedp.Void](`history.back()`))
	b.waitFor("back", `!location.search.includes("region=")`)
	var back struct {
		Total   int
		Checked []string
	}
	b.eval("read page after back", readPageJS, &back)
	if back.Total != page1.Total || len(back.Checked) != 0 {
		b.t.Errorf("after back: total %d ticked %v, want %d and none", back.Total, back.Checked, page1.Total)
	}
	b.do("forward", chromedp.Evaluate[chromedp.Void](`history.forward()`))
	b.waitLoaded("forward", "region="+district)
}

// checkReader opens the first result in the reader at the cited paragraph
// and steps to the next occurrences. It returns the result's link.
func (b *session) checkReader(q string) string {
	t := b.t
	var first struct{ Href, ID, Cite string }
	b.eval("first result", `(() => { const h = document.querySelector('.hits .hit'); return {Href: h.querySelector('a.read').getAttribute('href'), ID: h.dataset.id, Cite: h.querySelector('.cite-text').textContent}; })()`, &first)
	anchor := first.Href[strings.LastIndex(first.Href, "#")+1:]
	ordinal, _ := strconv.Atoi(strings.TrimPrefix(anchor, "p"))
	para := apiGet[ingest.Record](t, b.base, "/api/paragraphs/"+url.PathEscape(first.ID), nil)
	if para.Ordinal != ordinal || !strings.Contains(first.Cite, "第"+strconv.Itoa(para.Ordinal)+"段") || !strings.Contains(first.Cite, para.Region) {
		t.Errorf("result link %s / citation %q do not match paragraph %s (ordinal %d, %s)", first.Href, first.Cite, para.ID, para.Ordinal, para.Region)
	}
	b.click("open reader", `.hits .hit a.read`)
	b.waitLoaded("reader", "/reports/"+para.ReportID)
	b.waitSel("reader target", ".para:target")
	var reader struct {
		Target   string
		Top      float64
		Height   float64
		Bg       string
		TextOK   bool
		Marks    int
		InTarget int
		TOC      int
	}
	b.eval("read reader", fmt.Sprintf(`(() => {
		const t = document.querySelector('.para:target');
		const r = t.getBoundingClientRect();
		return {Target: t.id, Top: r.top, Height: window.innerHeight, Bg: getComputedStyle(t).backgroundColor,
			TextOK: t.textContent.replace(/\s+/g, '').includes(%q),
			Marks: document.querySelectorAll('.paras mark').length, InTarget: t.querySelectorAll('mark').length,
			TOC: document.querySelectorAll('.toc li').length};
	})()`, q), &reader)
	if reader.Target != anchor {
		t.Errorf("reader :target is %q, want %q", reader.Target, anchor)
	}
	if reader.Top < 0 || reader.Top > reader.Height*0.6 {
		t.Errorf("target paragraph at y=%.0f of a %.0f px window: not scrolled to", reader.Top, reader.Height)
	}
	if reader.Bg == "rgba(0, 0, 0, 0)" || reader.Bg == "" {
		t.Errorf("target paragraph is not marked (background %s)", reader.Bg)
	}
	if !reader.TextOK || reader.InTarget == 0 {
		t.Errorf("target paragraph lacks the highlighted query (text ok %v, marks %d)", reader.TextOK, reader.InTarget)
	}
	if reader.Marks < reader.InTarget || reader.TOC == 0 {
		t.Errorf("reader: %d marks, %d toc entries", reader.Marks, reader.TOC)
	}
	b.shot("desktop-reader", false)
	// Next-occurrence navigation moves the current mark.
	var cur []int
	b.eval("next occurrence", `(() => {
		const next = document.querySelector('[data-nav="next"]');
		const marks = [...document.querySelectorAll('.paras mark')];
		const idx = () => marks.findIndex(m => m.classList.contains('current'));
		const out = [idx()]; next.click(); out.push(idx()); next.click(); out.push(idx());
		return out;
	})()`, &cur)
	if len(cur) != 3 || (reader.Marks > 2 && (cur[2] != (cur[1]+1)%reader.Marks || cur[1] < 0)) {
		t.Errorf("next-occurrence steps %v over %d marks", cur, reader.Marks)
	}
	return first.Href
}

// checkTrendPage opens the trend view from the search page: the bars'
// heights follow the API's counts and the heat map is drawn.
func (b *session) checkTrendPage(q string) {
	t := b.t
	b.do("back to search", chromedp.Navigate(b.base+"/?q="+url.QueryEscape(q)))
	b.waitLoaded("search again", "q="+q)
	b.click("open trend", `.actions a[href^="/trend?"]`)
	b.waitLoaded("trend", "/trend?q="+q)
	b.waitSel("bars", "#bars")
	trend := apiGet[index.Trend](t, b.base, "/api/trend", url.Values{"q": {q}})
	perYear := map[int]int{}
	for _, c := range trend.Cells {
		perYear[c.Year] += c.Paragraphs
	}
	reported := map[int]bool{}
	for _, c := range trend.Cells {
		reported[c.Year] = true
	}
	var bars []struct {
		Year, Count int
		H           float64
		NoData      bool
	}
	b.eval("bars", `[...document.querySelectorAll('#bars .bar')].map(g => ({Year: Number(g.dataset.year), Count: Number(g.dataset.count),
		H: g.querySelector('rect').getBBox().height, NoData: g.classList.contains('nodata')}))`, &bars)
	if len(bars) == 0 {
		t.Fatal("no bars drawn")
	}
	var maxCount int
	var maxH float64
	for _, bar := range bars {
		if bar.Count != perYear[bar.Year] {
			t.Errorf("bar %d shows %d, API %d", bar.Year, bar.Count, perYear[bar.Year])
		}
		if bar.NoData == reported[bar.Year] {
			t.Errorf("bar %d is drawn as without a report: %v; the API has cells that year: %v", bar.Year, bar.NoData, reported[bar.Year])
		}
		if bar.Count > maxCount {
			maxCount, maxH = bar.Count, bar.H
		}
	}
	for _, bar := range bars {
		if bar.NoData {
			continue // a stub, not a count
		}
		want := maxH * float64(bar.Count) / float64(maxCount)
		if math.Abs(bar.H-want) > 0.6 {
			t.Errorf("bar %d: height %.1f for %d, want %.1f (proportional to the tallest)", bar.Year, bar.H, bar.Count, want)
		}
	}
	for y, n := range perYear {
		found := false
		for _, bar := range bars {
			found = found || bar.Year == y
		}
		if !found && n > 0 {
			t.Errorf("year %d (%d paragraphs) has no bar", y, n)
		}
	}
	var cells int
	b.eval("heat cells", `document.querySelectorAll('#heat .cell').length`, &cells)
	if cells == 0 {
		t.Error("no heat map cells")
	}
	b.shot("desktop-trend", true)
}

// checkWithoutScript: with JavaScript off the same flow works: tick,
// apply, sort.
func (b *session) checkWithoutScript(q, district string, narrowTotal int) {
	t := b.t
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b.do("no-JS search", chromedp.Navigate(b.base+"/?q="+url.QueryEscape(q)))
	b.waitSel("no-JS results", ".hits .hit")
	var noJS struct{ Script, Apply bool }
	b.eval("no-JS state", `({Script: document.documentElement.classList.contains('js'), Apply: document.querySelector('.apply').offsetParent !== null})`, &noJS)
	if noJS.Script || !noJS.Apply {
		t.Errorf("with scripts off: script ran=%v, apply button shown=%v", noJS.Script, noJS.Apply)
	}
	b.click("no-JS tick", fmt.Sprintf(`input[name="region"][value=%q]`, district))
	b.click("no-JS apply", `.apply`)
	b.waitLoaded("no-JS filtered", "region="+district)
	var noJSTotal int
	b.eval("no-JS total", `Number(document.querySelector('[data-total]').dataset.total)`, &noJSTotal)
	if noJSTotal != narrowTotal {
		t.Errorf("no-JS filtered total %d, API %d", noJSTotal, narrowTotal)
	}
	b.click("no-JS sort", `.sorts a[href*="sort=-year"]`)
	b.waitFor("no-JS sorted", fmt.Sprintf(`location.search.includes("sort=-year") && decodeURIComponent(location.search).includes(%q)`, "region="+district))
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
}

// checkGlossaryCard: a query naming a glossary term shows its 名词解释
// card above the results.
func (b *session) checkGlossaryCard() {
	t := b.t
	gl := apiGet[index.Response](t, b.base, "/api/search", url.Values{"kind": {"glossary"}, "size": {"1"}, "facets": {""}})
	if len(gl.Hits) == 0 || gl.Hits[0].Term == "" {
		t.Fatalf("the seed corpus has no glossary entries with terms: %+v", gl.Hits)
	}
	term := gl.Hits[0].Term
	b.do("glossary", chromedp.Navigate(b.base+"/?q="+url.QueryEscape(term)))
	b.waitSel("glossary card", ".glossary h2")
	var card struct{ Term, Def string }
	b.eval("glossary card", `({Term: document.querySelector('.glossary h2').textContent, Def: document.querySelector('.glossary p:not([class])').textContent})`, &card)
	if card.Term != term || card.Def == "" {
		t.Errorf("glossary card %+v, want term %q", card, term)
	}
	b.shot("desktop-glossary", false)
}

// checkHostileDocuments: in documents with markup nothing runs, and the
// text shows literally.
func (b *session) checkHostileDocuments() {
	for _, u := range []string{"/?q=" + url.QueryEscape("恶意脚本测试"), "/reports/hostile-test?q=" + url.QueryEscape("恶意脚本测试") + "#p2"} {
		b.do("hostile page", chromedp.Navigate(b.base+u))
		b.waitSel("hostile page", "mark")
		var res struct {
			Pwned   bool
			Scripts int
			Imgs    int
			Literal bool
		}
		b.eval("hostile check", `({Pwned: window.__pwned !== undefined,
			Scripts: document.querySelectorAll('script:not([src^="/static/"])').length,
			Imgs: document.querySelectorAll('main img').length,
			Literal: document.body.textContent.includes('<script>window.__pwned = 1</script>') || document.body.textContent.includes('<script>window.__pwned = 3</script>')})`, &res)
		if res.Pwned || res.Scripts > 0 || res.Imgs > 0 || !res.Literal {
			b.t.Errorf("%s: script ran=%v, foreign script tags=%d, img tags=%d, markup shown as text=%v", u, res.Pwned, res.Scripts, res.Imgs, res.Literal)
		}
	}
}

// checkPhoneWidth: at phone width the pages are no wider than the screen.
func (b *session) checkPhoneWidth(q, readerPath string) {
	b.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	for _, p := range []struct {
		name, path, ready string
		full              bool
	}{
		{"phone-search", "/?q=" + url.QueryEscape(q), ".hits .hit", false},
		{"phone-reader", readerPath, ".para:target", false},
		{"phone-trend", "/trend?q=" + url.QueryEscape(q), "#bars", true},
		{"phone-home", "/", ".hero", false},
	} {
		b.do(p.name, chromedp.Navigate(b.base+p.path))
		b.waitSel(p.name, p.ready)
		var width int
		b.eval("page width", `document.documentElement.scrollWidth`, &width)
		if width > 390 {
			b.t.Errorf("%s: page is %d px wide on a 390 px screen", p.name, width)
		}
		b.shot(p.name, p.full)
	}
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
}

// checkSlashFocusesSearch: on the home page "/" focuses the search box,
// and typing then searches.
func (b *session) checkSlashFocusesSearch() {
	t := b.t
	b.do("home", chromedp.Navigate(b.base+"/"))
	b.waitSel("home", ".hero")
	b.shot("desktop-home", true)
	// One keyDown carrying the text, as a real key press arrives; chromedp's
	// KeyEvent sends a separate char event that preventDefault cannot stop.
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191}
		if typ == input.DispatchKeyEventTypeKeyDown {
			p.Text = "/"
		}
		if _, err := chromedp.Call(b.ctx, input.DispatchKeyEvent, p); err != nil {
			t.Fatal(err)
		}
	}
	var focused string
	b.eval("focus", `document.activeElement ? document.activeElement.id : ""`, &focused)
	if focused != "q" {
		t.Errorf(`after "/", focus is on %q, want the search box`, focused)
	}
	b.do("type query", chromedp.KeyEvent("放管服\r"))
	b.waitLoaded("typed search", "q=放管服")
	b.waitSel("typed search results", ".hits .hit")
}

// checkNetwork: nothing left the machine, and no page broke its own CSP.
func checkNetwork(t *testing.T, nl *netLog, host string) {
	reqs, problems := nl.snapshot()
	for _, r := range reqs {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Host != host) {
			t.Errorf("request left the test server: %s", r)
		}
	}
	if len(reqs) < 10 {
		t.Errorf("only %d requests recorded: the network listener is not working", len(reqs))
	}
	for _, p := range problems {
		if strings.Contains(p, "favicon") {
			continue
		}
		t.Errorf("browser reported: %s", p)
	}
}

// chromeOptions starts Debian's Chromium headless, sandbox-free and with
// every background connection off (the machine has no network), in a fresh
// profile at a desktop window size.
func chromeOptions(t testing.TB, chrome string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	return append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}, extra...)
}
