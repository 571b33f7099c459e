package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web/errcode"
)

// formulaStart reports whether a CSV cell would run as a spreadsheet formula.
func formulaStart(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0]))
}

// TestExportDefusesFormulas: an uploaded paragraph that puts formulas at the
// start of the left, match and right cells comes out of the CSV as text, and
// out of the JSON lines exactly as stored.
func TestExportDefusesFormulas(t *testing.T) {
	reports := testReports()
	reports[0].Paragraphs = append(reports[0].Paragraphs, ingest.Paragraph{ID: "r1-3", ReportID: "r1", Ordinal: 3,
		Part: "一、工作回顾", PartKind: ingest.PartReview, Kind: ingest.KindBody,
		Text: `=HYPERLINK("http://evil.example/","点击")+互联网+@SUM(1+1)*cmd|' /C calc'!A0`})
	ts := newTestServer(t, newFakeSearcher(reports...), Options{})
	for q, want := range map[string][3]string{
		"互联网": {`'=HYPERLINK("http://evil.example/","点击")+`, "互联网", "'+@SUM(1+1)*cmd|' /C calc'!A0"},
		"+":   {`'=HYPERLINK("http://evil.example/","点击")`, "'+", "互联网+@SUM(1+1)*cmd|' /C calc'!A0"},
	} {
		w := ts.get(t, "/api/export?q="+url.QueryEscape(q))
		rows, err := csv.NewReader(w.Body).ReadAll()
		if w.Code != 200 || err != nil || len(rows) < 2 {
			t.Fatalf("export %q: %d %v %q", q, w.Code, err, rows)
		}
		for _, row := range rows[1:] {
			for i, cell := range row {
				if formulaStart(cell) {
					t.Errorf("q=%s: column %s = %q begins with a formula character", q, rows[0][i], cell)
				}
			}
		}
		if got := [3]string{rows[1][9], rows[1][10], rows[1][11]}; got != want {
			t.Errorf("q=%s: left, match, right = %q, want %q", q, got, want)
		}
		w = ts.get(t, "/api/export?format=jsonl&q="+url.QueryEscape(q))
		var row index.ExportRow
		if err := json.Unmarshal([]byte(strings.SplitN(w.Body.String(), "\n", 2)[0]), &row); err != nil {
			t.Fatal(err)
		}
		if got := [3]string{"'" + row.Left, row.Match, row.Right}; q == "+" && got != [3]string{want[0], "+", want[2]} {
			t.Errorf("jsonl changed the cells: %+v", row)
		}
	}
}

// TestExportSeedNoFormulaCells: the seed corpus yields cells such as a bare
// "+" (互联网+); none leaves the CSV as a formula.
func TestExportSeedNoFormulaCells(t *testing.T) {
	ts := newTestServer(t, seedIndex(t), Options{})
	for _, q := range []string{"互联网", "一网通办"} {
		rows, err := csv.NewReader(ts.get(t, "/api/export?q="+url.QueryEscape(q)).Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			for i, cell := range row {
				if formulaStart(cell) {
					t.Errorf("q=%s: %s column %s = %q", q, row[0], rows[0][i], cell)
				}
			}
		}
	}
}

// TestCrossSiteWrites: a write from another site is refused with 403 before
// the key is even looked at, and Basic credentials never open a write route.
func TestCrossSiteWrites(t *testing.T) {
	bearer := "Bearer " + adminKey
	basic := func(user, pass string) string {
		hr, _ := http.NewRequest("GET", "/", nil)
		hr.SetBasicAuth(user, pass)
		return hr.Header.Get("Authorization")
	}
	cases := []struct {
		name   string
		header map[string]string
		status int
	}{
		{"cross-site fetch", map[string]string{"Authorization": bearer, "Sec-Fetch-Site": "cross-site"}, 403},
		{"same-site fetch", map[string]string{"Authorization": bearer, "Sec-Fetch-Site": "same-site"}, 403},
		{"user-initiated", map[string]string{"Authorization": bearer, "Sec-Fetch-Site": "none"}, 403},
		{"foreign origin", map[string]string{"Authorization": bearer, "Origin": "https://evil.example"}, 403},
		{"null origin", map[string]string{"Authorization": bearer, "Origin": "null"}, 403},
		{"origin on another port", map[string]string{"Authorization": bearer, "Origin": "http://example.com:8081"}, 403},
		{"form post with basic", map[string]string{"Authorization": basic("admin", adminKey), "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"basic admin key", map[string]string{"Authorization": basic("admin", adminKey)}, 401},
		{"basic admin key same origin", map[string]string{"Authorization": basic("", adminKey), "Sec-Fetch-Site": "same-origin"}, 401},
		{"same-origin fetch", map[string]string{"Authorization": bearer, "Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"}, 0},
		{"same origin, no fetch metadata", map[string]string{"Authorization": bearer, "Origin": "http://example.com"}, 0},
		{"no browser headers", map[string]string{"Authorization": bearer}, 0},
	}
	for _, route := range writeRoutes {
		for _, tc := range cases {
			t.Run(route.method+"_"+route.target+"_"+tc.name, func(t *testing.T) {
				f := newFakeSearcher(testReports()...)
				ts := newTestServer(t, f, Options{AdminKey: adminKey, SearchKey: searchKey})
				h := map[string]string{"Content-Type": "text/plain"}
				maps.Copy(h, tc.header)
				// httptest.NewRequest sends to example.com.
				w := ts.do(t, req{method: route.method, target: route.target, body: strings.NewReader(uploadReport(t)), header: h})
				if tc.status == 0 {
					if w.Code != http.StatusOK && w.Code != http.StatusCreated {
						t.Errorf("%s %s, %s: %d %s", route.method, route.target, tc.name, w.Code, w.Body)
					}
					return
				}
				if w.Code != tc.status {
					t.Errorf("%s %s, %s: %d, want %d (%s)", route.method, route.target, tc.name, w.Code, tc.status, w.Body)
					return
				}
				e := decodeError(t, w)
				if tc.status == 403 && (e.Code != errcode.Forbidden || !strings.Contains(e.Message, "cross-site")) {
					t.Errorf("%s %s, %s: %+v", route.method, route.target, tc.name, e)
				}
				if st := f.Stats(); st.Reports != 2 {
					t.Errorf("%s %s, %s: refused but the index changed", route.method, route.target, tc.name)
				}
			})
		}
	}
	// Reads are not writes: a cross-site GET with the search key still reads.
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{AdminKey: adminKey, SearchKey: searchKey})
	w := ts.do(t, req{target: "/api/search?q=a", header: map[string]string{"Authorization": "Bearer " + searchKey, "Sec-Fetch-Site": "cross-site"}})
	if w.Code != 200 {
		t.Errorf("cross-site read: %d", w.Code)
	}
}

// TestSizeZero: size=0 answers the total and the facets of the query
// without hits, whatever the offset.
func TestSizeZero(t *testing.T) {
	ts := newTestServer(t, seedIndex(t), Options{})
	q := url.QueryEscape("一网通办")
	full := decodeSearch(t, ts.get(t, "/api/search?q="+q).Body.Bytes())
	for _, extra := range []string{"", "&from=10000", "&facets=region", "&search_after=1&search_after=x"} {
		t.Run(extra, func(t *testing.T) {
			w := ts.get(t, "/api/search?size=0&q="+q+extra)
			if w.Code != 200 {
				t.Fatalf("size=0%s: %d %s", extra, w.Code, w.Body)
			}
			got := decodeSearch(t, w.Body.Bytes())
			if got.Total != full.Total || got.Total == 0 || len(got.Hits) != 0 || !strings.Contains(w.Body.String(), `"hits":[]`) {
				t.Errorf("size=0%s: total %d (want %d), %d hits", extra, got.Total, full.Total, len(got.Hits))
			}
			if extra == "" && mustJSON(t, got.Facets) != mustJSON(t, full.Facets) {
				t.Errorf("size=0: facets %v, want %v", got.Facets, full.Facets)
			}
			if extra == "&facets=region" && (len(got.Facets) != 1 || len(got.Facets["region"]) == 0) {
				t.Errorf("size=0&facets=region: facets %v", got.Facets)
			}
		})
	}
}

// TestUnknownParameters: a misspelt or foreign parameter is a 400 naming
// every unknown one; the known ones of each route pass.
func TestUnknownParameters(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{AdminKey: adminKey})
	w := ts.get(t, "/api/search?q=a&sise=3&mode=x")
	e := decodeError(t, w)
	if w.Code != 400 || e.Param != "mode" || !strings.Contains(e.Message, "mode, sise") || !strings.Contains(e.Message, "search_after") {
		t.Errorf("search with mode= and sise=: %d %+v", w.Code, e)
	}
	for _, target := range []string{
		"/api/search?q=a&region=静安区&year=2020&level=district&part=review&kind=body&sort=year&from=0&size=5&facets=region&highlight=false",
		"/api/search?q=a&search_after=1&search_after=x",
		"/api/search?q=a&match=best",
		"/api/trend?q=a&region=静安区&year=2020&level=district&part=review&kind=body&match=all",
		"/api/export?q=a&format=jsonl&bom=false&sort=year&region=静安区&match=all",
		"/api/analyze?text=a", "/api/reports", "/api/lexicon", "/api/reports/r1", "/api/paragraphs/r1-1",
	} {
		t.Run(target, func(t *testing.T) {
			if w := ts.get(t, target); w.Code != 200 {
				t.Errorf("%s: %d %s", target, w.Code, w.Body)
			}
		})
	}
	for _, target := range []string{"/api/trend?q=a&sort=year", "/api/export?q=a&size=3", "/api/analyze?text=a&q=b",
		"/api/lexicon?q=a", "/api/reports/r1?full=1", "/api/paragraphs/r1-1?x"} {
		t.Run(target, func(t *testing.T) {
			if w := ts.get(t, target); w.Code != 400 || decodeError(t, w).Code != errcode.InvalidParameter {
				t.Errorf("%s: %d %s", target, w.Code, w.Body)
			}
		})
	}
	w = ts.do(t, req{method: "DELETE", target: "/api/reports/r1?force=1", header: map[string]string{"Authorization": "Bearer " + adminKey}})
	if w.Code != 400 || decodeError(t, w).Param != "force" {
		t.Errorf("delete with force=: %d %s", w.Code, w.Body)
	}
}

// regionReports are reports whose regions have administrative suffixes.
func regionReports() []ingest.Report {
	var out []ingest.Report
	for i, region := range []string{"上海市", "宁夏回族自治区", "吉林省", "吉林市", "静安区"} {
		id := "g" + strconv.Itoa(i)
		out = append(out, ingest.Report{ID: id, Meta: ingest.Meta{Title: region + "政府工作报告", Region: region, Year: 2020 + i},
			Paragraphs: []ingest.Paragraph{{ID: id + "-1", ReportID: id, Ordinal: 1, Kind: ingest.KindBody, Text: "一网通办在" + region + "推进。"}}})
	}
	return out
}

// TestRegionShortNames: region=上海 filters on 上海市, region:宁夏 in q on
// 宁夏回族自治区; an ambiguous or unknown name is a 400 listing the names.
func TestRegionShortNames(t *testing.T) {
	f := &recordingSearcher{fakeSearcher: newFakeSearcher(regionReports()...)}
	ts := newTestServer(t, f, Options{})
	for typed, want := range map[string][]string{
		"上海": {"上海市"}, "上海市": {"上海市"}, "宁夏": {"宁夏回族自治区"}, "宁夏自治区": {"宁夏回族自治区"},
		"吉林省": {"吉林省"}, "静安": {"静安区"}, "\ufeff上海\u200b": {"上海市"},
	} {
		t.Run(typed, func(t *testing.T) {
			w := ts.get(t, "/api/search?q=a&region="+url.QueryEscape(typed))
			if w.Code != 200 || !slices.Equal(f.last.Filters[index.FacetRegion], want) {
				t.Errorf("region=%q: %d, filters %v, want %v (%s)", typed, w.Code, f.last.Filters[index.FacetRegion], want, w.Body)
			}
		})
	}
	w := ts.get(t, "/api/search?q="+url.QueryEscape("一网通办 region:宁夏 region:上海"))
	if w.Code != 200 || !strings.Contains(f.last.Query, "region:宁夏回族自治区") || !strings.Contains(f.last.Query, "region:上海市") {
		t.Errorf("region: in q: %d, the index got %q", w.Code, f.last.Query)
	}
	if resp := decodeSearch(t, w.Body.Bytes()); resp.Query != "一网通办 region:宁夏 region:上海" {
		t.Errorf("the answer echoes %q, not the query as typed", resp.Query)
	}
	for _, tc := range []struct{ target, param, lists string }{
		{"/api/search?region=" + url.QueryEscape("吉林"), "region", "吉林市, 吉林省"},
		{"/api/search?region=" + url.QueryEscape("火星"), "region", "上海市, 吉林市, 吉林省, 宁夏回族自治区, 静安区"},
		{"/api/search?q=" + url.QueryEscape("region:吉林"), "q", "吉林市, 吉林省"},
		{"/api/trend?q=a&region=" + url.QueryEscape("火星"), "region", "上海市"},
		{"/api/export?q=a&region=" + url.QueryEscape("火星"), "region", "上海市"},
	} {
		t.Run(fmt.Sprintf("%.60s", tc.target), func(t *testing.T) {
			w := ts.get(t, tc.target)
			if w.Code != 400 {
				t.Errorf("%s: %d %s", tc.target, w.Code, w.Body)
				return
			}
			if e := decodeError(t, w); e.Param != tc.param || !strings.Contains(e.Message, tc.lists) {
				t.Errorf("%s: %+v, want param %s listing %s", tc.target, e, tc.param, tc.lists)
			}
		})
	}
	// A full region name without reports filters to nothing; it is no typo.
	if w := ts.get(t, "/api/search?q=a&region="+url.QueryEscape("长宁区")); w.Code != 200 || !slices.Equal(f.last.Filters[index.FacetRegion], []string{"长宁区"}) {
		t.Errorf("region=长宁区: %d, filters %v (%s)", w.Code, f.last.Filters[index.FacetRegion], w.Body)
	}
	if w := ts.get(t, "/api/trend?q=a&region="+url.QueryEscape("宁夏")); w.Code != 200 {
		t.Errorf("trend region=宁夏: %d %s", w.Code, w.Body)
	}
}

// TestInvisibleCharactersInQueries: a byte order mark or a zero-width
// character pasted into a query finds what the clean query finds.
func TestInvisibleCharactersInQueries(t *testing.T) {
	ts := newTestServer(t, seedIndex(t), Options{})
	want := decodeSearch(t, ts.get(t, "/api/search?size=0&q="+url.QueryEscape("一网通办")).Body.Bytes()).Total
	if want == 0 {
		t.Fatal("no hit for 一网通办")
	}
	for _, q := range []string{"\ufeff一网通办", "一网\u200b通办", "一\u200c网\u200d通\u2060办\u00ad", "\u202e一网通办"} {
		t.Run(q, func(t *testing.T) {
			resp := decodeSearch(t, ts.get(t, "/api/search?size=0&q="+url.QueryEscape(q)).Body.Bytes())
			if resp.Total != want {
				t.Errorf("q=%+q: %d hits, want %d", q, resp.Total, want)
			}
		})
	}
	region := url.QueryEscape("\ufeff静安\u200b区")
	if w := ts.get(t, "/api/search?size=0&q="+url.QueryEscape("一网通办")+"&region="+region); w.Code != 200 || decodeSearch(t, w.Body.Bytes()).Total == 0 {
		t.Errorf("region with invisible characters: %d %s", w.Code, w.Body)
	}
}

// TestHeadEverywhere: every GET route of the API answers HEAD with the
// status and headers of GET.
func TestHeadEverywhere(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{})
	for _, target := range []string{"/healthz", "/readyz", "/metrics", "/api/openapi.json", "/api/search?q=a", "/api/reports",
		"/api/reports/r1", "/api/paragraphs/r1-1", "/api/trend?q=a", "/api/export?q=a", "/api/lexicon", "/api/analyze?text=a"} {
		t.Run(target, func(t *testing.T) {
			get := ts.get(t, target)
			head := ts.do(t, req{method: http.MethodHead, target: target})
			if head.Code != get.Code || head.Code != 200 || head.Header().Get("Content-Type") != get.Header().Get("Content-Type") {
				t.Errorf("HEAD %s: %d %q; GET: %d %q", target, head.Code, head.Header().Get("Content-Type"), get.Code, get.Header().Get("Content-Type"))
			}
		})
	}
	if w := ts.do(t, req{method: http.MethodHead, target: "/api/reports/nope"}); w.Code != 404 {
		t.Errorf("HEAD of a missing report: %d", w.Code)
	}
}

// TestAnalyzeLongText: the documented 10,000 Chinese characters fit in a
// POST body; in a URL they pass the header limit, and the 431 is JSON.
func TestAnalyzeLongText(t *testing.T) {
	srv := httptest.NewServer(New(newFakeSearcher(), Options{}))
	defer srv.Close()
	text := strings.Repeat("政府工作报告", maxAnalyzeChars/6) + "一网通办"
	if n := utf8.RuneCountInString(text); n != maxAnalyzeChars {
		t.Fatalf("%d characters", n)
	}
	post := func(t *testing.T, ct, body string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Post(srv.URL+"/api/analyze", ct, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	for ct, body := range map[string]string{
		"text/plain; charset=utf-8":         text,
		"application/json":                  mustJSON(t, map[string]string{"text": text}),
		"application/x-www-form-urlencoded": "text=" + url.QueryEscape(text),
	} {
		t.Run(ct, func(t *testing.T) {
			resp, b := post(t, ct, body)
			var got analyzeBody
			if resp.StatusCode != 200 || json.Unmarshal(b, &got) != nil || got.Text != text || len(got.Tokens) == 0 {
				t.Errorf("POST %s: %d %.200s", ct, resp.StatusCode, b)
			}
		})
	}
	for ct, body := range map[string]string{"text/plain": text + "多", "application/json": "{", "image/png": "x", "text/plain; x": ""} {
		t.Run(ct, func(t *testing.T) {
			resp, b := post(t, ct, body)
			if resp.StatusCode != 400 || !strings.Contains(string(b), `"code":"invalid_parameter"`) {
				t.Errorf("POST %s refused with %d %.200s", ct, resp.StatusCode, b)
			}
		})
	}
	resp, err := http.Get(srv.URL + "/api/analyze?text=" + url.QueryEscape(text))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e errorBody
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || json.Unmarshal(b, &e) != nil || e.Error == nil || e.Error.Code != errcode.HeadersTooLarge {
		t.Errorf("GET with 90 KB of URL: %d %q %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}

// TestUploadNamesRefuseInvisibleCharacters: a file name with a control,
// bidi or zero-width character is a 400 naming the part it came in.
func TestUploadNamesRefuseInvisibleCharacters(t *testing.T) {
	f := newFakeSearcher(testReports()...)
	ts := newTestServer(t, f, Options{AdminKey: adminKey})
	auth := "Bearer " + adminKey
	for _, name := range []string{"a\x00.txt", "a\r\nb.txt", "\u202etxt.exe", "报告\u200b.txt", "a\u2066b.txt", "\ufeffa.txt", "a\x7f.txt"} {
		t.Run(name, func(t *testing.T) {
			w := ts.do(t, req{method: "POST", target: "/api/reports?source=" + url.QueryEscape(name), body: strings.NewReader(uploadReport(t)),
				header: map[string]string{"Authorization": auth, "Content-Type": "text/plain"}})
			if w.Code != 400 {
				t.Errorf("source=%+q: %d %s", name, w.Code, w.Body)
				return
			}
			if e := decodeError(t, w); e.Param != "source" || !strings.Contains(e.Message, "U+") {
				t.Errorf("source=%+q: %+v", name, e)
			}
		})
	}
	body, ct := multipartBody(t, "\u202etxt.exe", uploadReport(t))
	w := ts.do(t, req{method: "POST", target: "/api/reports", body: body, header: map[string]string{"Authorization": auth, "Content-Type": ct}})
	if w.Code != 400 || decodeError(t, w).Param != "file" {
		t.Errorf("multipart with a bidi override in the name: %d %s", w.Code, w.Body)
	}
	if st := f.Stats(); st.Reports != 2 {
		t.Errorf("refused uploads changed the index: %d reports", st.Reports)
	}
	// An ordinary Chinese name with spaces passes.
	w = ts.do(t, req{method: "POST", target: "/api/reports?source=" + url.QueryEscape("2024 嘉定区 报告.txt"), body: strings.NewReader(uploadReport(t)),
		header: map[string]string{"Authorization": auth, "Content-Type": "text/plain"}})
	if w.Code != 201 {
		t.Errorf("plain name: %d %s", w.Code, w.Body)
	}
}

const fakeBlock = "__block__" // blockingSearcher's Search holds until released

// blockingSearcher holds each search for fakeBlock until release is closed,
// announcing on entered that it holds a slot.
type blockingSearcher struct {
	*fakeSearcher
	entered chan struct{}
	release chan struct{}
}

func newBlockingSearcher() *blockingSearcher {
	return &blockingSearcher{fakeSearcher: newFakeSearcher(testReports()...), entered: make(chan struct{}, 1000), release: make(chan struct{})}
}

func (b *blockingSearcher) Search(ctx context.Context, req index.Request) (*index.Response, error) {
	if req.Query == fakeBlock {
		b.entered <- struct{}{}
		select {
		case <-b.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return b.fakeSearcher.Search(ctx, req)
}

func (b *blockingSearcher) Trend(ctx context.Context, req index.Request) (*index.Trend, error) {
	if req.Query == fakeBlock {
		b.entered <- struct{}{}
		<-b.release
	}
	return b.fakeSearcher.Trend(ctx, req)
}

// overloadedServer returns a server whose every search slot is held by a
// blocked search, until the test ends.
func overloadedServer(t *testing.T, slots int) (*testServer, *blockingSearcher) {
	t.Helper()
	b := newBlockingSearcher()
	ts := newTestServer(t, b, Options{MaxSearches: slots, MaxHeavy: slots, QueueWait: -1, SearchTimeout: time.Minute})
	var wg sync.WaitGroup
	for range slots {
		wg.Go(func() { ts.get(t, "/api/search?q="+fakeBlock) })
		<-b.entered
	}
	t.Cleanup(func() { close(b.release); wg.Wait() })
	return ts, b
}

// TestAdmissionRefusesBeyondCapacity: with every search slot held, further
// searches get a fast 503 overloaded with Retry-After, counted in the
// metrics, while trend and export, with slots of their own, still run.
func TestAdmissionRefusesBeyondCapacity(t *testing.T) {
	ts, _ := overloadedServer(t, 2)
	var wg sync.WaitGroup
	codes := make(chan string, 50)
	for range 50 {
		wg.Go(func() {
			w := ts.get(t, "/api/search?q=a")
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
				codes <- fmt.Sprintf("%d Retry-After %q", w.Code, w.Header().Get("Retry-After"))
				return
			}
			codes <- decodeError(t, w).Code
		})
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != errcode.Overloaded {
			t.Errorf("beyond capacity: %s", c)
		}
	}
	if w := ts.get(t, "/api/trend?q=a"); w.Code != 200 {
		t.Errorf("trend while searches are full: %d %s", w.Code, w.Body)
	}
	m := ts.get(t, "/metrics").Body.String()
	for _, series := range []string{`govsearch_http_rejected_total{class="search"} 50`, `govsearch_http_in_flight{class="search"} 2`,
		`govsearch_http_capacity{class="heavy"} 2`, `govsearch_http_queued_total{class="search"} 50`} {
		if !strings.Contains(m, series) {
			t.Errorf("metrics lack %s", series)
		}
	}
}

// TestHeavyAdmission: trend and export share their own, smaller bound.
func TestHeavyAdmission(t *testing.T) {
	b := newBlockingSearcher()
	ts := newTestServer(t, b, Options{MaxSearches: 4, MaxHeavy: 1, QueueWait: -1, SearchTimeout: time.Minute})
	done := make(chan struct{})
	go func() { ts.get(t, "/api/trend?q="+fakeBlock); close(done) }()
	<-b.entered
	for _, target := range []string{"/api/trend?q=a", "/api/export?q=a"} {
		if w := ts.get(t, target); w.Code != 503 || w.Header().Get("Retry-After") == "" {
			t.Errorf("%s with the heavy slot taken: %d", target, w.Code)
		}
	}
	if w := ts.get(t, "/api/search?q=a"); w.Code != 200 {
		t.Errorf("search with the heavy slot taken: %d", w.Code)
	}
	close(b.release)
	<-done
	if w := ts.get(t, "/api/export?q=a"); w.Code != 200 {
		t.Errorf("export once the slot is free: %d", w.Code)
	}
}

// TestFilterValueCap: at most index.MaxFilterValues filter values per request.
func TestFilterValueCap(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{})
	years := func(n int) string { return strings.Repeat("&year=2018..2021", n) }
	if w := ts.get(t, "/api/search?q=a"+years(index.MaxFilterValues)); w.Code != 200 {
		t.Errorf("%d year ranges: %d %s", index.MaxFilterValues, w.Code, w.Body)
	}
	for _, target := range []string{"/api/search?q=a" + years(index.MaxFilterValues+1), "/api/trend?q=a" + years(3800),
		"/api/export?q=a&level=district" + years(index.MaxFilterValues)} {
		t.Run(target[:min(len(target), 60)], func(t *testing.T) {
			w := ts.get(t, target)
			if w.Code != 400 {
				t.Errorf("%.60s…: %d", target, w.Code)
				return
			}
			if e := decodeError(t, w); e.Param != "year" || !strings.Contains(e.Message, "limit is 64") {
				t.Errorf("%.60s…: %+v", target, e)
			}
		})
	}
}

// TestAdmissionBurst sends a burst well beyond capacity to a real server
// over loopback: every answer is 200 or a 503 overloaded with Retry-After,
// never a 504 or another error. Latencies are logged, not asserted, as the
// machine is shared.
func TestAdmissionBurst(t *testing.T) {
	srv := httptest.NewServer(New(seedIndex(t), Options{MaxSearches: 4, MaxHeavy: 1}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 400}}
	queries := []string{"一网通办", "放管服", "营商环境", "五违四必", "城市更新", "互联网"}
	const n = 400
	type result struct {
		heavy bool
		code  int
		d     time.Duration
		err   string
	}
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			q := url.QueryEscape(queries[i%len(queries)])
			target, heavy := "/api/search?size=20&q="+q, false
			switch i % 10 {
			case 3:
				target, heavy = "/api/export?format=jsonl&q="+q, true
			case 7:
				target, heavy = "/api/trend?q="+q, true
			}
			t0 := time.Now()
			resp, err := client.Get(srv.URL + target)
			if err != nil {
				results[i] = result{heavy: heavy, err: err.Error()}
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			r := result{heavy: heavy, code: resp.StatusCode, d: time.Since(t0)}
			switch {
			case resp.StatusCode == 200:
			case resp.StatusCode == 503 && resp.Header.Get("Retry-After") != "" && strings.Contains(string(body), `"code":"overloaded"`):
			default:
				r.err = fmt.Sprintf("%d %q %.200s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
			results[i] = r
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	wall := time.Since(t0)
	var ok, refused []time.Duration
	var okHeavy, refusedHeavy int
	for i, r := range results {
		if r.err != "" {
			t.Errorf("request %d: %s", i, r.err)
			continue
		}
		switch {
		case r.code == 200 && r.heavy:
			okHeavy++
		case r.code == 200:
			ok = append(ok, r.d)
		case r.heavy:
			refusedHeavy++
		default:
			refused = append(refused, r.d)
		}
	}
	pct := func(ds []time.Duration, p float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		slices.Sort(ds)
		return ds[min(len(ds)-1, int(float64(len(ds))*p))]
	}
	t.Logf("%d requests in %v: searches %d admitted (p50 %v, p99 %v), %d refused (p99 %v); trend/export %d admitted, %d refused",
		n, wall.Round(time.Millisecond), len(ok), pct(ok, .5).Round(time.Microsecond), pct(ok, .99).Round(time.Microsecond),
		len(refused), pct(refused, .99).Round(time.Microsecond), okHeavy, refusedHeavy)
}
