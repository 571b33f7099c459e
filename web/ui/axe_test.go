package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// findAxe returns the path of axe-core's axe.min.js: $GOVSEARCH_AXE, or the
// copy scripts/test.sh installs under the user cache directory.
func findAxe() string {
	if p := os.Getenv("GOVSEARCH_AXE"); p != "" {
		return p
	}
	if dir, err := os.UserCacheDir(); err == nil {
		p := filepath.Join(dir, "govsearch-axe", "node_modules", "axe-core", "axe.min.js")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

type axeViolation struct {
	ID, Impact, Help string
	Targets          []string
}

// TestAxe runs axe-core (its default rule set: WCAG 2.x A and AA plus best
// practices) over every kind of page at desktop and phone widths, in
// headless Chromium against the real server over the seed index, and fails
// on any violation.
func TestAxe(t *testing.T) {
	chrome := findChromium()
	if chrome == "" {
		t.Skip("no Chromium found; install it with `apt-get install -y chromium` or set GOVSEARCH_CHROMIUM to run the axe-core test")
	}
	axePath := findAxe()
	if axePath == "" {
		t.Skip("axe-core not found; install it with `npm install --ignore-scripts --prefix ~/.cache/govsearch-axe axe-core` " +
			"(scripts/test.sh does) or set GOVSEARCH_AXE to an axe.min.js")
	}
	if testing.Short() {
		t.Skip("axe-core test skipped in -short mode")
	}
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serve(t, seedIndex(t))
	ctx := startBrowser(t, chrome, nil)

	const q = "一网通办"
	// The reader is opened at the first hit, as a user arrives there.
	if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/?q="+url.QueryEscape(q))); err != nil {
		t.Fatal(err)
	}
	reader, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.hits .hit a[href^="/reports/"]').getAttribute('href')`))
	if err != nil {
		t.Fatalf("finding a hit to read: %v", err)
	}
	pages := []struct{ name, path string }{
		{"home", "/"},
		{"search", "/?q=" + url.QueryEscape(q)},
		{"search-facets", "/?q=" + url.QueryEscape(q) + "&region=" + url.QueryEscape("静安区") + "&year=2018..2020&sort=-year"},
		{"search-none", "/?q=" + url.QueryEscape("没有这个词组合")},
		{"trend", "/trend?q=" + url.QueryEscape(q)},
		{"trend-form", "/trend"},
		{"trend-none", "/trend?q=" + url.QueryEscape("没有这个词组合")},
		{"trend-per10k", "/trend?metric=per10k&level=district&q=" + url.QueryEscape(q)},
		{"trend-share", "/trend?metric=share&since=2018&until=2021&q=" + url.QueryEscape(q)},
		{"diffusion", "/diffusion?q=" + url.QueryEscape(q)},
		{"diffusion-form", "/diffusion"},
		{"diffusion-none", "/diffusion?q=" + url.QueryEscape("没有这个词组合")},
		{"kwic", "/kwic?sort=left&q=" + url.QueryEscape(q)},
		{"kwic-form", "/kwic"},
		{"compare", "/compare?q=" + url.QueryEscape(q) + "&q=" + url.QueryEscape("放管服") + "&q=" + url.QueryEscape("营商环境")},
		{"compare-form", "/compare"},
		{"home-list", "/?list_level=district&list_sort=-chars"},
		{"reader", reader},
		{"reader-plain", strings.SplitN(reader, "?", 2)[0]},
		{"error-query", "/?q=" + url.QueryEscape(`"未闭合`)},
		{"error-report", "/reports/no-such-report"},
		{"error-page", "/no-such-page"},
	}
	widths := []struct {
		name string
		act  chromedp.Action[chromedp.Void]
	}{
		{"desktop", chromedp.EmulateViewport(1280, 900)},
		{"phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)},
	}
	for _, w := range widths {
		if _, err := chromedp.Run(ctx, w.act); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			checkAxe(t, ctx, w.name+"/"+p.name, base+p.path, axeSrc)
		}
	}
	checkPhoneTrendKeyboard(t, ctx, base+"/trend?q="+url.QueryEscape(q))
	if err := ctx.Err(); err != nil {
		t.Errorf("the axe-core test hit its time limit: %v", err)
	}
}

// checkAxe opens page and fails the test on every axe-core violation in it.
func checkAxe(t *testing.T, ctx context.Context, name, page string, axeSrc []byte) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	// Evaluated through the DevTools protocol, axe-core is not subject to
	// the page's Content-Security-Policy.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(axeSrc))); err != nil {
		t.Fatalf("%s: loading axe-core: %v", name, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`axe.run(document).then(r => r.violations.map(v => ({
		ID: v.id, Impact: v.impact || "", Help: v.help,
		Targets: v.nodes.map(n => n.target.join(" ") + (n.failureSummary ? " — " + n.failureSummary.replace(/\s+/g, " ") : ""))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running axe-core: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("%s: decoding %s: %v", name, raw, err)
	}
	nodes := 0
	var sum []string
	for _, v := range vs {
		nodes += len(v.Targets)
		sum = append(sum, fmt.Sprintf("%s×%d", v.ID, len(v.Targets)))
	}
	t.Logf("%-22s %s: %d violations (%d elements) %s", name, page, len(vs), nodes, strings.Join(sum, " "))
	for _, v := range vs {
		for i, tg := range v.Targets {
			if i == 5 {
				t.Errorf("%s: %s: … and %d more", name, v.ID, len(v.Targets)-5)
				break
			}
			t.Errorf("%s: %s (%s, %s): %s", name, v.ID, v.Impact, v.Help, tg)
		}
	}
}

// checkPhoneTrendKeyboard checks the keyboard on the phone-width trend
// page, where the heat map and the table are wider than the screen: Tab
// reaches both scroll regions, every focused element shows a focus ring,
// and arrow keys scroll.
func checkPhoneTrendKeyboard(t *testing.T, ctx context.Context, page string) {
	if _, err := chromedp.Run(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	seen := tabThrough(t, ctx)
	for _, want := range []string{"DIV.scroll-x ", "DIV.table-scroll "} {
		if !seen[want] {
			t.Errorf("phone/trend: Tab never reaches %s(focused: %v)", want, seen)
		}
	}
	for _, sel := range []string{".scroll-x", ".trend-table"} {
		checkArrowsScroll(t, ctx, sel)
	}
	t.Logf("phone/trend: Tab visits %d elements, each with a focus ring", len(seen))
}

// tabThrough presses Tab until the focus wraps around, checks that each
// focused element shows a focus indicator, and returns them all.
func tabThrough(t *testing.T, ctx context.Context) map[string]bool {
	type focused struct {
		Desc    string
		Visible bool
	}
	seen := map[string]bool{}
	for i := 0; i < 300; i++ {
		if _, err := chromedp.Run(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		var f focused
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`(() => { const e = document.activeElement, s = getComputedStyle(e);
			return {Desc: e.tagName + (e.id ? "#" + e.id : "") + (typeof e.className === "string" && e.className ? "." + e.className.split(" ")[0] : "") + " " + (e.getAttribute("href") || ""),
				Visible: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"}; })()`))
		if err == nil {
			err = json.Unmarshal(raw, &f)
		}
		if err != nil {
			t.Fatalf("reading the focused element: %v", err)
		}
		if strings.HasPrefix(f.Desc, "BODY") || seen[f.Desc] {
			break // wrapped around
		}
		seen[f.Desc] = true
		if !f.Visible {
			t.Errorf("phone/trend: %s has no visible focus indicator", f.Desc)
		}
	}
	return seen
}

// checkArrowsScroll focuses the scroll region around sel and checks that
// the arrow keys scroll it, when it is wider than the screen.
func checkArrowsScroll(t *testing.T, ctx context.Context, sel string) {
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q).closest("[tabindex]"); e.scrollLeft = 0; e.focus(); return e.scrollWidth > e.clientWidth; })()`, sel)
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		t.Fatal(err)
	}
	if !wide {
		t.Logf("phone/trend: %s fits the screen; no scrolling to check", sel)
		return
	}
	for i := 0; i < 5; i++ {
		if _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.ArrowRight)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond) // smooth scrolling
	moved, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).closest("[tabindex]").scrollLeft > 0`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	if !moved {
		t.Errorf("phone/trend: the arrow keys do not scroll %s", sel)
	}
}
