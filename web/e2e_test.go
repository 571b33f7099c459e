package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"govsearch"
	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web/errcode"
)

// tempRoot holds the indexes the end-to-end tests build; TestMain removes it.
var tempRoot string

func TestMain(m *testing.M) {
	var err error
	tempRoot, err = os.MkdirTemp("", "govsearch-web-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	sharedIndex.close()
	closeSharedCorpora()
	os.RemoveAll(tempRoot)
	os.Exit(code)
}

// seedIndex is a real index of the embedded seed corpus, built once per
// test binary; tests that write to an index build their own.
type onceIndex struct {
	once sync.Once
	ix   *index.Index
	err  error
}

var sharedIndex onceIndex

func (o *onceIndex) close() {
	if o.ix != nil {
		o.ix.Close()
	}
}

func buildSeedIndex(t testing.TB, name string) *index.Index {
	t.Helper()
	dir := filepath.Join(tempRoot, name)
	inputs, err := ingest.InputsFromFS(govsearch.SeedReports())
	if err != nil {
		t.Fatal(err)
	}
	st, err := index.Build(context.Background(), dir, inputs, index.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Errors) > 0 {
		t.Fatalf("seed files skipped: %v", st.Errors)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func seedIndex(t testing.TB) *index.Index {
	t.Helper()
	sharedIndex.once.Do(func() {
		defer func() {
			if sharedIndex.ix == nil && sharedIndex.err == nil {
				sharedIndex.err = fmt.Errorf("building the seed index failed")
			}
		}()
		sharedIndex.ix = buildSeedIndex(t, "shared")
	})
	if sharedIndex.err != nil {
		t.Fatal(sharedIndex.err)
	}
	return sharedIndex.ix
}

func decodeSearch(t testing.TB, body []byte) index.Response {
	t.Helper()
	var resp index.Response
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&resp); err != nil {
		t.Fatalf("search body: %v\n%s", err, body)
	}
	return resp
}

var markRE = regexp.MustCompile(`</?mark>`)

// TestSearchSeed checks the checked-for behaviour: 一网通办 over the seed
// corpus gives highlighted hits from several districts and facet counts.
func TestSearchSeed(t *testing.T) {
	ts := newTestServer(t, seedIndex(t), Options{})
	w := ts.get(t, "/api/search?q="+url.QueryEscape("一网通办")+"&size=100")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	resp := decodeSearch(t, w.Body.Bytes())
	if resp.Query != "一网通办" || resp.Total < 10 || len(resp.Hits) != min(resp.Total, 100) {
		t.Fatalf("query %q total %d hits %d", resp.Query, resp.Total, len(resp.Hits))
	}
	regions := map[string]bool{}
	for _, h := range resp.Hits {
		regions[h.Region] = true
		if !strings.Contains(h.Text, "一网通办") {
			t.Errorf("hit %s does not contain the query: %.60s", h.ID, h.Text)
		}
		if len(h.Highlights) == 0 || h.Occurrences < 1 {
			t.Errorf("hit %s: %d highlights, %d occurrences", h.ID, len(h.Highlights), h.Occurrences)
		}
		for _, f := range h.Highlights {
			if !strings.Contains(f, "<mark>一网通办</mark>") {
				t.Errorf("hit %s: fragment without a whole mark: %s", h.ID, f)
			}
			plain := html.UnescapeString(markRE.ReplaceAllString(f, ""))
			if !strings.Contains(strings.Join(strings.Fields(h.Text), ""), strings.Join(strings.Fields(strings.Trim(plain, "…")), "")) {
				t.Errorf("hit %s: fragment is not from the paragraph: %s", h.ID, f)
			}
		}
	}
	if len(regions) < 3 {
		t.Errorf("hits from %d regions, want several", len(regions))
	}
	for _, name := range index.AllFacets {
		if len(resp.Facets[name]) == 0 {
			t.Errorf("facet %s is empty", name)
		}
	}
	sum := 0
	for _, v := range resp.Facets[index.FacetRegion] {
		sum += v.Count
	}
	if sum != resp.Total {
		t.Errorf("region facet counts sum to %d, total is %d", sum, resp.Total)
	}
}

// TestGolden records representative responses of the real index; a change
// of ranking, highlighting or shape shows as a diff (refresh with -update).
func TestGolden(t *testing.T) {
	ts := newTestServer(t, seedIndex(t), Options{})
	for _, tc := range []struct{ name, target string }{
		// Two districts selected: their hits, and every district's count.
		{"search_yiwangtongban.golden", "/api/search?q=" + url.QueryEscape("一网通办") + "&region=" + url.QueryEscape("静安区") +
			"&region=" + url.QueryEscape("徐汇区") + "&size=100"},
		{"search_filtered.golden", "/api/search?q=" + url.QueryEscape("一网通办") + "&region=" + url.QueryEscape("静安区") +
			"&year=2018..2020&sort=-year&size=3&facets=region,year"},
		{"trend_yiwangtongban.golden", "/api/trend?q=" + url.QueryEscape("一网通办")},
		{"reports.golden", "/api/reports"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := ts.get(t, tc.target)
			if w.Code != http.StatusOK {
				t.Errorf("%s: status %d %s", tc.target, w.Code, w.Body)
				return
			}
			body := w.Body.Bytes()
			if strings.HasPrefix(tc.target, "/api/search") {
				body = withoutRanking(t, body)
			}
			golden(t, tc.name, body)
		})
	}
}

// withoutRanking re-encodes a search body with scores zeroed and hits in id
// order: ranking has its own golden files in the index package, and these
// record the API's shape and the set of hits.
func withoutRanking(t *testing.T, body []byte) []byte {
	t.Helper()
	resp := decodeSearch(t, body)
	if resp.Total > len(resp.Hits) {
		t.Fatalf("golden searches must return every hit: total %d, %d hits", resp.Total, len(resp.Hits))
	}
	resp.TookMS = 0
	for i := range resp.Hits {
		resp.Hits[i].Score = 0
		resp.Hits[i].Sort = nil
	}
	slices.SortFunc(resp.Hits, func(a, b index.Hit) int { return strings.Compare(a.ID, b.ID) })
	var buf bytes.Buffer
	if err := index.WriteJSON(&buf, resp); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGoldenErrors records one response of every error code.
func TestGoldenErrors(t *testing.T) {
	real := newTestServer(t, seedIndex(t), Options{AdminKey: adminKey, SearchKey: searchKey, MaxBodyBytes: 100})
	fake := newTestServer(t, newFakeSearcher(testReports()...), Options{SearchTimeout: 500 * time.Millisecond}) // long enough for a loaded machine; only __slow__ waits it out
	none := newTestServer(t, nil, Options{})
	busy, _ := overloadedServer(t, 1)
	noAdmin := newTestServer(t, seedIndex(t), Options{})
	full := &fakeSearcher{reports: map[string]ingest.Report{}, addErr: &os.PathError{Op: "write", Path: "/srv/index/000.zap", Err: syscall.ENOSPC}}
	fullDisk := newTestServer(t, full, Options{AdminKey: adminKey})
	auth := map[string]string{"Authorization": "Bearer " + searchKey}
	cases := []struct {
		code string
		ts   *testServer
		r    req
	}{
		{errcode.InvalidQuery, real, req{target: "/api/search?q=%22unclosed", header: auth}},
		{errcode.InvalidParameter, real, req{target: "/api/search?q=a&size=abc", header: auth}},
		{errcode.Unauthorized, real, req{target: "/api/search?q=a"}},
		{errcode.Forbidden, noAdmin, req{method: "DELETE", target: "/api/reports/x"}},
		{errcode.NotFound, real, req{target: "/api/reports/no-such-report", header: auth}},
		{errcode.MethodNotAllowed, real, req{method: "PUT", target: "/api/search"}},
		{errcode.PayloadTooLarge, real, req{method: "POST", target: "/api/reports", body: strings.NewReader(strings.Repeat("x", 101)),
			header: map[string]string{"Authorization": "Bearer " + adminKey, "Content-Type": "text/plain"}}},
		{errcode.HeadersTooLarge, real, req{target: "/api/search?q=a", header: map[string]string{"X-Padding": strings.Repeat("x", DefaultMaxHeaderBytes)}}},
		{errcode.Internal, fake, req{target: "/api/search?q=" + fakeBoom}},
		{errcode.IndexUnavailable, none, req{target: "/api/search?q=a"}},
		{errcode.Overloaded, busy, req{target: "/api/search?q=a"}},
		{errcode.Timeout, fake, req{target: "/api/search?q=" + fakeSlow}},
		{errcode.InsufficientDisk, fullDisk, req{method: "POST", target: "/api/reports", body: strings.NewReader(uploadReport(t)),
			header: map[string]string{"Authorization": "Bearer " + adminKey, "Content-Type": "text/plain"}}},
	}
	var out strings.Builder
	out.WriteString("[")
	seen := map[string]bool{}
	for i, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			w := tc.ts.do(t, tc.r)
			if e := decodeError(t, w); e.Code != tc.code {
				t.Errorf("%s %s: code %s, want %s", tc.r.method, tc.r.target, e.Code, tc.code)
			}
			seen[tc.code] = true
			if i > 0 {
				out.WriteString(",")
			}
			fmt.Fprintf(&out, `{"status":%d,"body":%s}`, w.Code, strings.TrimSpace(w.Body.String()))
		})
	}
	out.WriteString("]")
	for _, code := range errcode.Codes() {
		if !seen[code] {
			t.Errorf("no golden response for code %s", code)
		}
	}
	golden(t, "errors.golden", []byte(out.String()))
}

func TestMalformedRequestsSeed(t *testing.T) {
	checkMalformed(t, newTestServer(t, seedIndex(t), Options{}))
}

func TestReadRoutesSeed(t *testing.T) {
	ix := seedIndex(t)
	ts := newTestServer(t, ix, Options{})

	var reports reportsBody
	w := ts.get(t, "/api/reports")
	if err := json.Unmarshal(w.Body.Bytes(), &reports); err != nil || len(reports.Reports) < 5 {
		t.Fatalf("reports %d: %v %s", len(reports.Reports), err, w.Body)
	}
	first := reports.Reports[0]

	var rep ingest.Report
	w = ts.get(t, "/api/reports/"+url.PathEscape(first.ID))
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil || rep.ID != first.ID || len(rep.Paragraphs) != first.Paragraphs {
		t.Fatalf("report %s: %d paragraphs, summary says %d: %v", first.ID, len(rep.Paragraphs), first.Paragraphs, err)
	}
	for i, p := range rep.Paragraphs {
		if p.Ordinal != i+1 {
			t.Fatalf("paragraph %d has ordinal %d: not in order", i, p.Ordinal)
		}
	}

	p := rep.Paragraphs[len(rep.Paragraphs)/2]
	var rec ingest.Record
	w = ts.get(t, "/api/paragraphs/"+url.PathEscape(p.ID))
	if err := json.Unmarshal(w.Body.Bytes(), &rec); err != nil || rec.Paragraph != p || rec.Meta != rep.Meta {
		t.Errorf("paragraph %s: %v %s", p.ID, err, w.Body)
	}

	var lex lexiconBody
	w = ts.get(t, "/api/lexicon")
	if err := json.Unmarshal(w.Body.Bytes(), &lex); err != nil || len(lex.Terms) == 0 {
		t.Errorf("lexicon: %v %.200s", err, w.Body)
	}

	var an analyzeBody
	text := "静安区区长于勇推进一网通办"
	w = ts.get(t, "/api/analyze?text="+url.QueryEscape(text))
	if err := json.Unmarshal(w.Body.Bytes(), &an); err != nil || an.Text != text || len(an.Tokens) == 0 {
		t.Fatalf("analyze: %v %s", err, w.Body)
	}
	for _, tok := range an.Tokens {
		if text[tok.Start:tok.End] != tok.Text {
			t.Errorf("token %+v: offsets do not match its text", tok)
		}
	}
}

// TestExportSeed: the CSV export has one row per occurrence and agrees with
// the trend's occurrence count and the search's total.
func TestExportSeed(t *testing.T) {
	ts := newTestServer(t, seedIndex(t), Options{})
	q := url.QueryEscape("一网通办")
	w := ts.get(t, "/api/export?format=csv&q="+q)
	if w.Code != 200 {
		t.Fatalf("export %d %s", w.Code, w.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(exportHeader, ",") {
		t.Fatalf("header %q", rows[0])
	}
	paragraphs := map[string]bool{}
	for _, r := range rows[1:] {
		paragraphs[r[0]] = true
	}
	var trend index.Trend
	json.Unmarshal(ts.get(t, "/api/trend?q="+q).Body.Bytes(), &trend)
	occ, paras := 0, 0
	for _, c := range trend.Cells {
		occ += c.Occurrences
		paras += c.Paragraphs
	}
	total := decodeSearch(t, ts.get(t, "/api/search?size=1&q="+q).Body.Bytes()).Total
	if len(rows)-1 != occ || len(paragraphs) != paras || paras != total {
		t.Errorf("export: %d rows in %d paragraphs; trend: %d occurrences in %d paragraphs; search total %d",
			len(rows)-1, len(paragraphs), occ, paras, total)
	}

	w = ts.get(t, "/api/export?format=jsonl&q="+q)
	lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n")
	if len(lines) != len(rows)-1 {
		t.Errorf("jsonl has %d lines, csv %d rows", len(lines), len(rows)-1)
	}
}

// TestWritesSeed: a posted report is searchable as soon as the response
// arrives, and deleting it removes every paragraph.
func TestWritesSeed(t *testing.T) {
	ix := buildSeedIndex(t, "writes")
	defer ix.Close()
	ts := newTestServer(t, ix, Options{AdminKey: adminKey})
	auth := map[string]string{"Authorization": "Bearer " + adminKey}
	before := ix.Stats()

	h := map[string]string{"Authorization": auth["Authorization"], "Content-Type": "text/plain; charset=utf-8"}
	w := ts.do(t, req{method: "POST", target: "/api/reports?source=jiading_2024.txt", body: strings.NewReader(uploadReport(t)), header: h})
	if w.Code != http.StatusCreated {
		t.Fatalf("post: %d %s", w.Code, w.Body)
	}
	var posted reportsBody
	if err := json.Unmarshal(w.Body.Bytes(), &posted); err != nil || len(posted.Reports) != 1 {
		t.Fatalf("post body %s", w.Body)
	}
	sum := posted.Reports[0]
	if sum.Region != "嘉定区" || sum.Year != 2024 || sum.Paragraphs == 0 {
		t.Errorf("posted summary %+v", sum)
	}
	if n := searchTotal(t, ts, "试验田改革"); n != 2 {
		t.Errorf("after post: %d hits for 试验田改革, want 2", n)
	}
	resp := decodeSearch(t, ts.get(t, "/api/search?size=100&q="+url.QueryEscape("region:嘉定区 year:2024")).Body.Bytes())
	if resp.Total != sum.Paragraphs {
		t.Errorf("after post: %d paragraphs of the report searchable, %d posted", resp.Total, sum.Paragraphs)
	}
	if got := ix.Stats().Reports; got != before.Reports+1 {
		t.Errorf("reports %d after post, want %d", got, before.Reports+1)
	}

	w = ts.do(t, req{method: "DELETE", target: "/api/reports/" + url.PathEscape(sum.ID), header: auth})
	if w.Code != http.StatusOK {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	resp = decodeSearch(t, ts.get(t, "/api/search?size=100&q="+url.QueryEscape("region:嘉定区 year:2024")).Body.Bytes())
	if resp.Total != 0 || searchTotal(t, ts, "试验田改革") != 0 {
		t.Errorf("after delete: %d paragraphs of the report remain", resp.Total)
	}
	if w := ts.get(t, "/api/reports/"+url.PathEscape(sum.ID)); w.Code != http.StatusNotFound {
		t.Errorf("deleted report: %d", w.Code)
	}
	if st := ix.Stats(); st.Reports != before.Reports || st.Documents != before.Documents {
		t.Errorf("stats after post and delete %+v, before %+v", st, before)
	}
}

// TestConcurrentSearchAndWrites runs searches, exports, posts and deletes
// at once through HTTP on one real index (run it with -race). Every answer
// is a success, and a report is either wholly searchable or not at all.
func TestConcurrentSearchAndWrites(t *testing.T) {
	ix := buildSeedIndex(t, "concurrent")
	defer ix.Close()
	// Room for every reader: this test is about consistency, not admission.
	ts := newTestServer(t, ix, Options{AdminKey: adminKey, MaxSearches: 16, MaxHeavy: 4})
	report := uploadReport(t)
	var paragraphs int
	{
		f, err := ingest.Parse("probe.txt", []byte(report))
		if err != nil {
			t.Fatal(err)
		}
		paragraphs = len(f.Reports[0].Paragraphs)
	}
	const rounds = 6
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w := range 3 {
		wg.Go(func() {
			// Each writer posts and deletes its own copy of the report.
			region := []string{"宝山区", "金山区", "崇明区"}[w]
			text := strings.ReplaceAll(report, "嘉定区", region)
			auth := map[string]string{"Authorization": "Bearer " + adminKey, "Content-Type": "text/plain"}
			for range rounds {
				resp := ts.do(t, req{method: "POST", target: "/api/reports", body: strings.NewReader(text), header: auth})
				if resp.Code != http.StatusCreated {
					errs <- fmt.Sprintf("post %s: %d %s", region, resp.Code, resp.Body)
					return
				}
				var posted reportsBody
				json.Unmarshal(resp.Body.Bytes(), &posted)
				resp = ts.do(t, req{method: "DELETE", target: "/api/reports/" + url.PathEscape(posted.Reports[0].ID), header: auth})
				if resp.Code != http.StatusOK {
					errs <- fmt.Sprintf("delete %s: %d %s", region, resp.Code, resp.Body)
					return
				}
			}
		})
	}
	for range 3 {
		wg.Go(func() {
			for range rounds * 4 {
				resp := ts.get(t, "/api/search?size=100&q="+url.QueryEscape("试验田改革")+"&facets=region")
				if resp.Code != http.StatusOK {
					errs <- fmt.Sprintf("search: %d %s", resp.Code, resp.Body)
					return
				}
				var sr index.Response
				json.Unmarshal(resp.Body.Bytes(), &sr)
				// Each visible copy contributes both of its matching paragraphs.
				for _, fv := range sr.Facets["region"] {
					if fv.Count != 2 {
						errs <- fmt.Sprintf("partial report visible: %s has %d of 2 matching paragraphs", fv.Value, fv.Count)
					}
				}
				resp = ts.get(t, "/api/search?size=100&q="+url.QueryEscape("year:2024"))
				json.Unmarshal(resp.Body.Bytes(), &sr)
				if sr.Total%paragraphs != 0 {
					errs <- fmt.Sprintf("partial report visible: %d paragraphs of 2024, reports have %d", sr.Total, paragraphs)
				}
				if resp := ts.get(t, "/api/export?format=jsonl&q="+url.QueryEscape("一网通办")); resp.Code != http.StatusOK {
					errs <- fmt.Sprintf("export: %d", resp.Code)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if st := ix.Stats(); st.Reports != sharedStats(t).Reports {
		t.Errorf("after all deletes: %d reports, the seed index has %d", st.Reports, sharedStats(t).Reports)
	}
}

func sharedStats(t testing.TB) index.Stats { return seedIndex(t).Stats() }

// BenchmarkSearchHTTP measures one search through the whole HTTP stack
// (middleware, parameter parsing, index, JSON) on the seed index.
func BenchmarkSearchHTTP(b *testing.B) {
	ts := newTestServer(b, seedIndex(b), Options{})
	for _, q := range []string{"一网通办", "区长", "的"} {
		target := "/api/search?q=" + url.QueryEscape(q)
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if w := ts.get(b, target); w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkSearchHTTPParallel measures searches from concurrent clients.
func BenchmarkSearchHTTPParallel(b *testing.B) {
	ts := newTestServer(b, seedIndex(b), Options{})
	target := "/api/search?q=" + url.QueryEscape("一网通办")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if w := ts.get(b, target); w.Code != http.StatusOK {
				b.Errorf("status %d", w.Code)
				return
			}
		}
	})
}
