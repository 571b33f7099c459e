package ui

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"govsearch/index"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func init() { gin.SetMode(gin.TestMode) }

func newEngine(s Index, opts Options) *gin.Engine {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) // errors are the point of some tests
	}
	r := gin.New()
	Register(r, s, opts)
	return r
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// assetVersion hides content hashes in golden files, so editing the CSS
// does not rewrite every page.
var assetVersion = regexp.MustCompile(`\?v=[0-9a-f]{16}`)

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = assetVersion.ReplaceAll(got, []byte("?v=HASH"))
	path := filepath.Join("testdata", "golden", name+".html")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from %s; run with -update after checking the change.\n%s", name, path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n- " + x + "\n+ " + y
		}
	}
	return ""
}

func TestPagesGolden(t *testing.T) {
	fake := &fakeSearcher{reports: fixtureReports()}
	r := newEngine(fake, Options{})
	cases := []struct {
		name, url string
		status    int
	}{
		{"home", "/", 200},
		{"search", "/?q=一网通办", 200},
		{"search_region", "/?q=一网通办&region=静安区&sort=-year", 200},
		{"search_page2", "/?q=一网通办&from=5", 200},
		{"search_none", "/?q=不存在的词&region=长宁区", 200},
		{"search_best_fallback", "/?q=如何推进一网通办改革", 200},
		{"search_best", "/?q=如何推进一网通办改革&match=best&region=静安区", 200},
		{"search_exact_only", "/?q=如何推进一网通办改革&match=all", 200},
		{"search_past_end", "/?q=一网通办&from=500", 200},
		{"search_query_error", "/?q=((一网通办", 400},
		{"search_bad_param", "/?q=一网通办&year=abc", 400},
		{"reader", "/reports/ja2018?q=一网通办", 200},
		{"reader_exclude", "/reports/ja2018?q=一网通办+-示例", 200},
		{"reader_best", "/reports/ja2018?q=如何推进一网通办改革&match=best", 200},
		{"reader_plain", "/reports/ja2020", 200},
		{"reader_missing", "/reports/nope?q=x", 404},
		{"reader_query_error", "/reports/ja2018?q=一网通办+year:abc", 400},
		{"trend", "/trend?q=一网通办", 200},
		{"trend_empty", "/trend", 200},
		{"trend_none", "/trend?q=不存在的词", 200},
		{"trend_per10k", "/trend?q=一网通办&metric=per10k&level=district", 200},
		{"trend_share", "/trend?q=一网通办&metric=share&since=2018&until=2020", 200},
		{"trend_bad_metric", "/trend?q=一网通办&metric=mean", 400},
		{"diffusion", "/diffusion?q=一网通办", 200},
		{"diffusion_empty", "/diffusion", 200},
		{"diffusion_none", "/diffusion?q=不存在的词", 200},
		{"kwic", "/kwic?q=一网通办&width=10", 200},
		{"kwic_empty", "/kwic", 200},
		{"kwic_bad_sort", "/kwic?q=一网通办&sort=middle", 400},
		{"compare", "/compare?q=一网通办&q=放管服&metric=share", 200},
		{"compare_years", "/compare?q=一网通办&q=营商环境&a=2018&b=2020", 200},
		{"compare_empty", "/compare", 200},
		{"home_list", "/?list_level=district&list_sort=-chars", 200},
		{"home_list_bad_sort", "/?list_sort=size", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := get(t, r, c.url)
			if w.Code != c.status {
				t.Fatalf("GET %s: status %d, want %d\n%s", c.url, w.Code, c.status, w.Body.String())
			}
			checkGolden(t, c.name, w.Body.Bytes())
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	r := newEngine(&fakeSearcher{reports: fixtureReports()}, Options{})
	for _, u := range []string{"/", "/?q=一网通办", "/reports/ja2018", "/trend?q=一网通办", "/reports/nope", "/?year=bad"} {
		t.Run(u, func(t *testing.T) {
			w := get(t, r, u)
			h := w.Header()
			if got := h.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
				t.Errorf("%s: CSP %q", u, got)
			}
			for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
				if !strings.Contains(h.Get("Content-Security-Policy"), want) {
					t.Errorf("%s: CSP lacks %s", u, want)
				}
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: headers %v", u, h)
			}
			if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: content type %q", u, ct)
			}
		})
	}
}

// TestNoInlineScriptOrStyle checks the pages obey their own CSP: the only
// script is the external app.js and no element carries a style attribute
// or an event handler.
func TestNoInlineScriptOrStyle(t *testing.T) {
	r := newEngine(&fakeSearcher{reports: fixtureReports()}, Options{})
	scriptTag := regexp.MustCompile(`(?i)<script[^>]*>`)
	handler := regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	for _, u := range []string{"/", "/?q=一网通办", "/?q=script", "/?q=引号", "/reports/ja2018?q=script", "/trend?q=一网通办"} {
		t.Run(u, func(t *testing.T) {
			body := get(t, r, u).Body.String()
			tags := scriptTag.FindAllString(body, -1)
			if len(tags) != 1 || !strings.Contains(tags[0], `src="/static/app.js?v=`) {
				t.Errorf("%s: script tags %q", u, tags)
			}
			if strings.Contains(body, "</script>alert") || strings.Contains(body, "<script>alert") {
				t.Errorf("%s: document markup rendered as HTML", u)
			}
			if strings.Contains(body, " style=") || handler.MatchString(body) {
				t.Errorf("%s: inline style or event handler", u)
			}
		})
	}
}

// TestDocumentMarkupEscaped follows the hostile fixture paragraph through
// the results and the reader.
func TestDocumentMarkupEscaped(t *testing.T) {
	r := newEngine(&fakeSearcher{reports: fixtureReports()}, Options{})
	for _, u := range []string{"/?q=示例文本", "/reports/ja2018?q=示例文本"} {
		body := get(t, r, u).Body.String()
		if !strings.Contains(body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`) {
			t.Errorf("%s: escaped script text missing", u)
		}
		if !strings.Contains(body, `<mark>示例文本</mark>`) {
			t.Errorf("%s: no mark", u)
		}
		if !strings.Contains(body, `&amp;amp;`) {
			t.Errorf("%s: entity in text not escaped", u)
		}
	}
}

// TestUnsafeHighlightRejected: a fragment with markup other than <mark>
// is not rendered as HTML, whatever the index returns.
func TestUnsafeHighlightRejected(t *testing.T) {
	r := newEngine(&fakeSearcher{reports: fixtureReports(), badHTML: true}, Options{})
	body := get(t, r, "/?q=一网通办").Body.String()
	if strings.Contains(body, "<img src=x") || strings.Contains(body, "onerror") {
		t.Error("raw markup from a highlight reached the page")
	}
	if !strings.Contains(body, "<mark>一网通办</mark>") {
		t.Error("fallback rendering lost the marks")
	}
}

func TestFacetCountsAndLinks(t *testing.T) {
	fake := &fakeSearcher{reports: fixtureReports()}
	r := newEngine(fake, Options{})
	countRe := regexp.MustCompile(`name="region" value="([^"]+)" form="sf"( checked)?><span class="fi-label">[^<]*</span><span class="count" data-count="(\d+)"`)
	counts := func(u string) (map[string]int, map[string]bool) {
		body := get(t, r, u).Body.String()
		c, checked := map[string]int{}, map[string]bool{}
		for _, m := range countRe.FindAllStringSubmatch(body, -1) {
			c[m[1]], _ = strconv.Atoi(m[3])
			checked[m[1]] = m[2] != ""
		}
		return c, checked
	}
	all, _ := counts("/?q=一网通办")
	resp, err := fake.Search(context.Background(), index.Request{Query: "一网通办"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(resp.Facets[index.FacetRegion]) {
		t.Fatalf("page shows %v, index gives %v", all, resp.Facets[index.FacetRegion])
	}
	for _, fv := range resp.Facets[index.FacetRegion] {
		if all[fv.Value] != fv.Count {
			t.Errorf("region %s: page %d, index %d", fv.Value, all[fv.Value], fv.Count)
		}
	}
	// Ticking a region keeps the other regions' counts (the facet ignores
	// its own selection) and marks only that box.
	narrowed, checked := counts("/?q=一网通办&region=静安区")
	for k, v := range all {
		if narrowed[k] != v {
			t.Errorf("after ticking 静安区, %s count %d, before %d", k, narrowed[k], v)
		}
		if checked[k] != (k == "静安区") {
			t.Errorf("%s checked=%v", k, checked[k])
		}
	}
	last := fake.calls[len(fake.calls)-2] // the main search; the glossary card searches after it
	if regions := last.Filters[index.FacetRegion]; len(regions) != 1 || regions[0] != "静安区" {
		t.Errorf("filters sent %+v", last.Filters)
	}
	body := get(t, r, "/?q=一网通办&region=静安区").Body.String()
	if n := strings.Count(body, `class="hit"`); n != 6 {
		t.Errorf("静安区 results: %d, want 6", n)
	}
	if strings.Contains(body, `data-region="长宁区" data-id`) {
		t.Error("narrowed results contain 长宁区")
	}
}

func TestYearFilterAndRanges(t *testing.T) {
	fake := &fakeSearcher{reports: fixtureReports()}
	r := newEngine(fake, Options{})
	w := get(t, r, "/?q=一网通办&year=2018..2020&year=2023")
	if w.Code != 200 {
		t.Fatal(w.Code, w.Body.String())
	}
	got := fake.calls[0].Filters[index.FacetYear]
	want := []string{"2018..2020", "2023"}
	if !slices.Equal(got, want) {
		t.Errorf("year filters %+v, want %+v", got, want)
	}
	if !strings.Contains(w.Body.String(), "年份：2018–2020年") {
		t.Errorf("range chip missing")
	}
}

func TestErrorStates(t *testing.T) {
	cases := []struct {
		err    error
		status int
		text   string
	}{
		{&index.QueryError{Message: "unexpected )"}, 400, "检索式有误"},
		{context.DeadlineExceeded, 504, "检索超时"},
		{errors.New("disk on fire"), 500, "检索服务出错"},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			r := newEngine(&fakeSearcher{reports: fixtureReports(), err: c.err}, Options{})
			for _, u := range []string{"/?q=一网通办", "/trend?q=一网通办", "/reports/ja2018"} {
				t.Run(u, func(t *testing.T) {
					w := get(t, r, u)
					if w.Code != c.status || !strings.Contains(w.Body.String(), c.text) {
						t.Errorf("%s with %v: status %d, want %d with %q", u, c.err, w.Code, c.status, c.text)
					}
					if strings.Contains(w.Body.String(), "disk on fire") {
						t.Errorf("%s: internal error text shown to the user", u)
					}
				})
			}
		})
	}
}

func TestBadParams(t *testing.T) {
	r := newEngine(&fakeSearcher{reports: fixtureReports()}, Options{})
	for u, want := range map[string]string{
		"/?q=x&sort=price":                "sort",
		"/?q=x&from=-1":                   "from",
		"/?q=x&from=99999":                "from",
		"/?q=x&year=20x8":                 "year",
		"/?q=" + strings.Repeat("长", 300): "q",
		"/trend?q=x&year=1":               "year",
		"/?q=x&year=2020..2018":           "year",
		"/?q=x&year=..":                   "year",
	} {
		t.Run(u[:min(len(u), 60)], func(t *testing.T) {
			w := get(t, r, u)
			if w.Code != 400 || !strings.Contains(w.Body.String(), want+":") {
				t.Errorf("%.40s: status %d, want 400 naming %s", u, w.Code, want)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	r := newEngine(&fakeSearcher{reports: fixtureReports()}, Options{Authorize: func(c *gin.Context) error {
		if c.Query("key") != "k1" {
			return errors.New("缺少或错误的检索密钥")
		}
		return nil
	}})
	if w := get(t, r, "/?q=一网通办"); w.Code != 401 || !strings.Contains(w.Body.String(), "检索密钥") {
		t.Errorf("no key: %d", w.Code)
	}
	if w := get(t, r, "/?q=一网通办&key=k1"); w.Code != 200 {
		t.Errorf("right key: %d", w.Code)
	}
	if w := get(t, r, "/static/app.css"); w.Code != 200 {
		t.Errorf("assets need no key: %d", w.Code)
	}
}

func TestNoIndex(t *testing.T) {
	r := newEngine(nil, Options{})
	for _, u := range []string{"/", "/?q=x", "/reports/a", "/trend?q=x"} {
		t.Run(u, func(t *testing.T) {
			if w := get(t, r, u); w.Code != 503 || !strings.Contains(w.Body.String(), "索引尚未就绪") {
				t.Errorf("%s without an index: %d", u, w.Code)
			}
		})
	}
	if w := get(t, r, "/static/app.css"); w.Code != 200 {
		t.Errorf("assets without an index: %d", w.Code)
	}
}

func TestHead(t *testing.T) {
	r := newEngine(&fakeSearcher{reports: fixtureReports()}, Options{})
	for _, u := range []string{"/", "/?q=一网通办", "/reports/ja2018", "/trend?q=x", "/static/app.css"} {
		t.Run(u, func(t *testing.T) {
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodHead, u, nil))
			if w.Code != 200 {
				t.Errorf("HEAD %s: %d", u, w.Code)
			}
		})
	}
}

func TestStatic(t *testing.T) {
	r := newEngine(&fakeSearcher{}, Options{})
	for name, ct := range map[string]string{"app.css": "text/css", "app.js": "text/javascript", "logo.svg": "image/svg+xml"} {
		t.Run(name, func(t *testing.T) {
			w := get(t, r, "/static/"+name)
			if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), ct) || w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: %d %v", name, w.Code, w.Header())
			}
			req := httptest.NewRequest("GET", "/static/"+name, nil)
			req.Header.Set("If-None-Match", w.Header().Get("ETag"))
			w2 := httptest.NewRecorder()
			r.ServeHTTP(w2, req)
			if w2.Code != 304 {
				t.Errorf("%s: conditional GET %d", name, w2.Code)
			}
		})
	}
	if w := get(t, r, "/static/../ui.go"); w.Code != 404 {
		t.Errorf("traversal: %d", w.Code)
	}
	if w := get(t, r, "/static/nope.js"); w.Code != 404 {
		t.Errorf("missing asset: %d", w.Code)
	}
}

// TestNoExternalReferences checks that no page or asset points outside the
// server: every src, href and url() is a local path or a fragment.
func TestNoExternalReferences(t *testing.T) {
	r := newEngine(&fakeSearcher{reports: fixtureReports()}, Options{})
	ref := regexp.MustCompile(`(?:src|href|action)="([^"]*)"|url\(([^)]*)\)`)
	var bodies []string
	for _, u := range []string{"/", "/?q=一网通办", "/reports/ja2018?q=一网通办", "/trend?q=一网通办", "/static/app.css", "/static/app.js", "/static/logo.svg"} {
		t.Run(u, func(t *testing.T) {
			bodies = append(bodies, get(t, r, u).Body.String())
		})
	}
	for _, b := range bodies {
		for _, m := range ref.FindAllStringSubmatch(b, -1) {
			v := m[1] + m[2]
			if v != "" && !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "?") {
				t.Errorf("external or relative reference %q", v)
			}
			if strings.HasPrefix(v, "//") {
				t.Errorf("protocol-relative reference %q", v)
			}
		}
	}
}
