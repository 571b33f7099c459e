package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"govsearch/index"
	"govsearch/web/errcode"
)

const (
	adminKey  = "admin-secret-key-0123456789"
	searchKey = "search-secret-key-9876543210"
)

func TestSearchFake(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{})
	w := ts.get(t, "/api/search?q="+url.QueryEscape("一网通办")+"&region=静安区&region=徐汇区&facets=region,year")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	var resp index.Response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Total != 2 || len(resp.Hits) != 2 {
		t.Fatalf("total %d, hits %d, want 2 and 2", resp.Total, len(resp.Hits))
	}
	if len(resp.Facets) != 2 || resp.Facets["region"] == nil || resp.Facets["year"] == nil {
		t.Errorf("facets %v, want region and year only", resp.Facets)
	}
	// <mark> travels unescaped: the body is JSON, not HTML.
	if !strings.Contains(w.Body.String(), "<mark>一网通办</mark>") {
		t.Errorf("highlight not found in %s", w.Body)
	}
}

func TestSearchParamsReachIndex(t *testing.T) {
	f := &recordingSearcher{fakeSearcher: newFakeSearcher(testReports()...)}
	ts := newTestServer(t, f, Options{})
	w := ts.get(t, "/api/search?q=x&region=静安区&region=徐汇&year=2018..2021&year=2023&level=district&part=plan&part=review&kind=body"+
		"&sort=-year&from=20&size=5&facets=region&facets=kind,year&highlight=false&match=best&")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	got := f.last
	want := index.Request{
		Query: "x",
		Filters: index.Filters{index.FacetRegion: {"静安区", "徐汇区"}, index.FacetLevel: {"district"}, index.FacetPartKind: {"plan", "review"},
			index.FacetKind: {"body"}, index.FacetYear: {"2018..2021", "2023"}},
		Sort: "-year", From: 20, Size: 5, Facets: []string{"region", "kind", "year"}, Highlight: false, Match: index.MatchBest,
	}
	if gj, wj := mustJSON(t, got), mustJSON(t, want); gj != wj {
		t.Errorf("request\n got %s\nwant %s", gj, wj)
	}

	// Defaults: relevance, size 10, every facet, highlights on.
	ts.get(t, "/api/search?q=x")
	if r := f.last; r.Sort != "relevance" || r.Size != 10 || r.From != 0 || r.Facets != nil || !r.Highlight || r.Match != index.MatchAll {
		t.Errorf("defaults: %+v", r)
	}
	// facets= present but empty asks for none.
	ts.get(t, "/api/search?q=x&facets=")
	if r := f.last; r.Facets == nil || len(r.Facets) != 0 {
		t.Errorf("facets= gave %#v, want an empty non-nil list", r.Facets)
	}
}

// recordingSearcher remembers the last search request.
type recordingSearcher struct {
	*fakeSearcher
	last index.Request
}

func (r *recordingSearcher) Search(ctx context.Context, req index.Request) (*index.Response, error) {
	r.last = req
	return r.fakeSearcher.Search(ctx, req)
}

func mustJSON(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// malformed lists requests that must be refused with a 4xx naming what was
// wrong; none may get a 5xx.
var malformed = []struct {
	target string
	status int
	code   string
	param  string
}{
	{"/api/search?q=a&size=abc", 400, errcode.InvalidParameter, "size"},
	{"/api/search?q=a&size=1000", 400, errcode.InvalidParameter, "size"},
	{"/api/search?q=a&size=-1", 400, errcode.InvalidParameter, "size"},
	{"/api/search?q=a&mode=x&sise=3", 400, errcode.InvalidParameter, "mode"},
	{"/api/search?q=a&match=bset", 400, errcode.InvalidParameter, "match"},
	{"/api/trend?q=a&match=best", 400, errcode.InvalidParameter, "match"},
	{"/api/export?q=a&match=best", 400, errcode.InvalidParameter, "match"},
	{"/api/trend?q=a&size=3", 400, errcode.InvalidParameter, "size"},
	{"/api/reports?x=1", 400, errcode.InvalidParameter, "x"},
	{"/api/search?q=a&from=1e9", 400, errcode.InvalidParameter, "from"},
	{"/api/search?q=a&from=9995&size=10", 400, errcode.InvalidParameter, "from"},
	{"/api/search?q=a&from=99999999999999999999999", 400, errcode.InvalidParameter, "from"},
	{"/api/search?q=a&year=20x1", 400, errcode.InvalidParameter, "year"},
	{"/api/search?q=a&year=2021..2018", 400, errcode.InvalidParameter, "year"},
	{"/api/search?q=a&year=..", 400, errcode.InvalidParameter, "year"},
	{"/api/search?q=a&year=202", 400, errcode.InvalidParameter, "year"},
	{"/api/search?q=a&year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%90", 400, errcode.InvalidParameter, "year"},
	{"/api/search?q=a&sort=foo", 400, errcode.InvalidParameter, "sort"},
	{"/api/search?q=a&facets=nope", 400, errcode.InvalidParameter, "facets"},
	{"/api/search?q=a&facets=region,nope", 400, errcode.InvalidParameter, "facets"},
	{"/api/search?q=a&highlight=maybe", 400, errcode.InvalidParameter, "highlight"},
	{"/api/search?q=a&level=village", 400, errcode.InvalidParameter, "level"},
	{"/api/search?q=a&part=intro", 400, errcode.InvalidParameter, "part"},
	{"/api/search?q=a&kind=table", 400, errcode.InvalidParameter, "kind"},
	{"/api/search?q=a&from=5&search_after=x", 400, errcode.InvalidParameter, "search_after"},
	{"/api/search?q=" + strings.Repeat("政", 257), 400, errcode.InvalidQuery, "q"},
	{"/api/search?q=%FF%FE", 400, errcode.InvalidQuery, "q"},
	{"/api/search?q=%22open", 400, errcode.InvalidQuery, "q"},
	{"/api/trend", 400, errcode.InvalidQuery, "q"},
	{"/api/trend?q=a&year=x", 400, errcode.InvalidParameter, "year"},
	{"/api/export?q=a&format=xml", 400, errcode.InvalidParameter, "format"},
	{"/api/export", 400, errcode.InvalidQuery, "q"},
	{"/api/export?q=%22a", 400, errcode.InvalidQuery, "q"},
	{"/api/analyze", 400, errcode.InvalidParameter, "text"},
	{"/api/analyze?text=%FF", 400, errcode.InvalidParameter, "text"},
	{"/api/analyze?text=" + strings.Repeat("a", maxAnalyzeChars+1), 400, errcode.InvalidParameter, "text"},
	{"/api/paragraphs/nope", 404, errcode.NotFound, "id"},
	{"/api/paragraphs/" + strings.Repeat("x", 300), 400, errcode.InvalidParameter, "id"},
	{"/api/reports/nope", 404, errcode.NotFound, "id"},
	{"/api/nope", 404, errcode.NotFound, ""},
	{"/nope", 404, errcode.NotFound, ""},
}

func TestMalformedRequests(t *testing.T) {
	checkMalformed(t, newTestServer(t, newFakeSearcher(testReports()...), Options{}))
}

// checkMalformed sends every request of malformed and checks the answer.
func checkMalformed(t *testing.T, ts *testServer) {
	for _, tc := range malformed {
		t.Run(fmt.Sprintf("%.60s", tc.target), func(t *testing.T) {
			w := ts.get(t, tc.target)
			if w.Code != tc.status {
				t.Errorf("%.80s: status %d, want %d; body %s", tc.target, w.Code, tc.status, w.Body)
				return
			}
			e := decodeError(t, w)
			if e.Code != tc.code || e.Param != tc.param {
				t.Errorf("%.80s: got %s/%q, want %s/%q (%s)", tc.target, e.Code, e.Param, tc.code, tc.param, e.Message)
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(), Options{})
	for _, tc := range []struct{ method, target, allow string }{
		{http.MethodPost, "/api/search", "GET, HEAD"},
		{http.MethodPut, "/api/reports", "GET, HEAD, POST"},
		{http.MethodPatch, "/api/reports/r1", "GET, HEAD, DELETE"},
	} {
		t.Run(tc.method+"_"+tc.target, func(t *testing.T) {
			w := ts.do(t, req{method: tc.method, target: tc.target})
			if w.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: status %d", tc.method, tc.target, w.Code)
				return
			}
			if e := decodeError(t, w); e.Code != errcode.MethodNotAllowed {
				t.Errorf("%s %s: code %s", tc.method, tc.target, e.Code)
			}
			if got := w.Header().Get("Allow"); !sameSet(got, tc.allow) {
				t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.target, got, tc.allow)
			}
		})
	}
}

func sameSet(a, b string) bool {
	as, bs := strings.Split(a, ", "), strings.Split(b, ", ")
	if len(as) != len(bs) {
		return false
	}
	for _, x := range as {
		if !strings.Contains(", "+b+", ", ", "+x+", ") {
			return false
		}
	}
	return true
}

func TestIndexUnavailable(t *testing.T) {
	ts := newTestServer(t, nil, Options{})
	for _, target := range []string{"/api/search?q=a", "/api/reports", "/api/trend?q=a", "/readyz", "/", "/reports/x"} {
		t.Run(target, func(t *testing.T) {
			w := ts.get(t, target)
			if w.Code != http.StatusServiceUnavailable || decodeError(t, w).Code != errcode.IndexUnavailable {
				t.Errorf("%s: status %d body %s", target, w.Code, w.Body)
			}
		})
	}
	if w := ts.get(t, "/healthz"); w.Code != http.StatusOK {
		t.Errorf("healthz without index: %d", w.Code)
	}
}

func TestTimeout(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(), Options{SearchTimeout: 50 * time.Millisecond})
	start := time.Now()
	w := ts.get(t, "/api/search?q="+fakeSlow)
	if w.Code != http.StatusGatewayTimeout || decodeError(t, w).Code != errcode.Timeout {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout answered after %v", d)
	}
}

// TestInternalErrorsHideDetails: a failing and a panicking index answer
// "internal" without leaking paths or stacks, and the server survives.
func TestInternalErrorsHideDetails(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{})
	for _, q := range []string{fakeBoom, fakePanic} {
		w := ts.get(t, "/api/search?q="+q)
		if w.Code != http.StatusInternalServerError || decodeError(t, w).Code != errcode.Internal {
			t.Fatalf("%s: status %d body %s", q, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), "/secret") || strings.Contains(w.Body.String(), "goroutine") {
			t.Errorf("%s: body leaks details: %s", q, w.Body)
		}
	}
	if !strings.Contains(ts.log.String(), "disk exploded") {
		t.Errorf("the cause of an internal error is not in the log")
	}
	if w := ts.get(t, "/api/search?q=一网通办"); w.Code != http.StatusOK {
		t.Errorf("after panics: %d", w.Code)
	}
}

// panicHandlerSearcher panics in a call made on the request goroutine.
type panicStats struct{ *fakeSearcher }

func (panicStats) Stats() index.Stats { panic("stats exploded at /secret/x.go") }

func TestRecoveryMiddleware(t *testing.T) {
	ts := newTestServer(t, panicStats{newFakeSearcher()}, Options{})
	w := ts.get(t, "/readyz")
	if w.Code != http.StatusInternalServerError || decodeError(t, w).Code != errcode.Internal {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "secret") {
		t.Errorf("body leaks the panic: %s", w.Body)
	}
	if !strings.Contains(ts.log.String(), `"msg":"panic"`) {
		t.Errorf("panic not logged: %s", ts.log)
	}
}

func TestBodyLimit(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(), Options{AdminKey: adminKey, MaxBodyBytes: 1000})
	auth := map[string]string{"Authorization": "Bearer " + adminKey, "Content-Type": "text/plain"}
	// Declared length over the limit.
	w := ts.do(t, req{method: "POST", target: "/api/reports", body: strings.NewReader(strings.Repeat("政", 1000)), header: auth})
	if w.Code != http.StatusRequestEntityTooLarge || decodeError(t, w).Code != errcode.PayloadTooLarge {
		t.Errorf("declared: status %d body %s", w.Code, w.Body)
	}
	// Unknown length (chunked): cut while reading.
	w = ts.do(t, req{method: "POST", target: "/api/reports", body: io.MultiReader(strings.NewReader(strings.Repeat("政", 1000))), header: auth})
	if w.Code != http.StatusRequestEntityTooLarge || decodeError(t, w).Code != errcode.PayloadTooLarge {
		t.Errorf("streamed: status %d body %s", w.Code, w.Body)
	}
	// The same inside a multipart form.
	body, ct := multipartBody(t, "big.txt", strings.Repeat("政", 1000))
	w = ts.do(t, req{method: "POST", target: "/api/reports", body: io.MultiReader(body),
		header: map[string]string{"Authorization": "Bearer " + adminKey, "Content-Type": ct}})
	if w.Code != http.StatusRequestEntityTooLarge || decodeError(t, w).Code != errcode.PayloadTooLarge {
		t.Errorf("multipart: status %d body %s", w.Code, w.Body)
	}
}

func multipartBody(t testing.TB, name, content string) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// writeRoutes are the routes that change the index.
var writeRoutes = []struct{ method, target string }{
	{http.MethodPost, "/api/reports"},
	{http.MethodDelete, "/api/reports/r2"},
}

func TestKeyMatrix(t *testing.T) {
	changed := []byte(adminKey)
	changed[len(changed)/2] ^= 1
	cases := []struct {
		name   string
		auth   string
		status int
	}{
		{"no key", "", http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"wrong scheme", "Token " + adminKey, http.StatusUnauthorized},
		{"wrong key", "Bearer wrong", http.StatusUnauthorized},
		{"admin key with one byte changed", "Bearer " + string(changed), http.StatusUnauthorized},
		{"admin key prefix", "Bearer " + adminKey[:len(adminKey)-1], http.StatusUnauthorized},
		{"search key", "Bearer " + searchKey, http.StatusForbidden},
		{"admin key", "Bearer " + adminKey, 0},
	}
	for _, route := range writeRoutes {
		for _, tc := range cases {
			t.Run(route.method+"_"+route.target+"_"+tc.name, func(t *testing.T) {
				f := newFakeSearcher(testReports()...)
				ts := newTestServer(t, f, Options{AdminKey: adminKey, SearchKey: searchKey})
				h := map[string]string{"Content-Type": "text/plain"}
				if tc.auth != "" {
					h["Authorization"] = tc.auth
				}
				w := ts.do(t, req{method: route.method, target: route.target, body: strings.NewReader(uploadReport(t)), header: h})
				if tc.status == 0 {
					if w.Code != http.StatusOK && w.Code != http.StatusCreated {
						t.Errorf("%s %s with %s: status %d body %s", route.method, route.target, tc.name, w.Code, w.Body)
					}
				} else {
					if w.Code != tc.status {
						t.Errorf("%s %s with %s: status %d, want %d", route.method, route.target, tc.name, w.Code, tc.status)
						return
					}
					decodeError(t, w)
					if st := f.Stats(); st.Reports != 2 {
						t.Errorf("%s %s with %s: refused but the index changed (%d reports)", route.method, route.target, tc.name, st.Reports)
					}
				}
				if log := ts.log.String(); strings.Contains(log, adminKey[:10]) || strings.Contains(log, searchKey[:10]) {
					t.Errorf("a key appears in the log: %s", log)
				}
			})
		}
	}

	// Without an admin key the write routes are off, whatever is sent.
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{SearchKey: searchKey})
	for _, route := range writeRoutes {
		for _, auth := range []string{"", "Bearer " + searchKey, "Bearer " + adminKey} {
			t.Run(auth, func(t *testing.T) {
				w := ts.do(t, req{method: route.method, target: route.target, header: map[string]string{"Authorization": auth}})
				if w.Code != http.StatusForbidden || decodeError(t, w).Code != errcode.Forbidden {
					t.Errorf("no admin key, %s %s %q: status %d", route.method, route.target, auth, w.Code)
				}
			})
		}
	}
}

func TestSearchKey(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{AdminKey: adminKey, SearchKey: searchKey})
	for _, tc := range []struct {
		target, auth string
		status       int
	}{
		{"/api/search?q=a", "", 401},
		{"/api/search?q=a", "Bearer nope", 401},
		{"/api/search?q=a", "Bearer " + searchKey, 200},
		{"/api/search?q=a", "Bearer " + adminKey, 200},
		{"/api/reports", "", 401},
		{"/api/analyze?text=a", "", 401},
		{"/api/export?q=a", "", 401},
		{"/api/openapi.json", "", 200},
		{"/healthz", "", 200},
		{"/readyz", "", 200},
		{"/metrics", "", 200},
	} {
		t.Run(tc.target+"_"+tc.auth, func(t *testing.T) {
			w := ts.do(t, req{target: tc.target, header: map[string]string{"Authorization": tc.auth}})
			if w.Code != tc.status {
				t.Errorf("%s %q: status %d, want %d", tc.target, tc.auth, w.Code, tc.status)
			}
			if w.Code == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", tc.target)
			}
		})
	}
	// Browsers send the key as a Basic password, to the API and the pages.
	basic := func(key string) map[string]string {
		hr, _ := http.NewRequest("GET", "/", nil)
		hr.SetBasicAuth("anyone", key)
		return map[string]string{"Authorization": hr.Header.Get("Authorization")}
	}
	if w := ts.do(t, req{target: "/api/search?q=a", header: basic(searchKey)}); w.Code != 200 {
		t.Errorf("basic auth with the search key: %d", w.Code)
	}
	w := ts.get(t, "/?q=a")
	if w.Code != http.StatusUnauthorized || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic") {
		t.Errorf("page without the key: %d, WWW-Authenticate %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	if w := ts.do(t, req{target: "/?q=a", header: basic("wrong")}); w.Code != http.StatusUnauthorized {
		t.Errorf("page with a wrong key: %d", w.Code)
	}
	if w := ts.do(t, req{target: "/?q=a", header: basic(searchKey)}); w.Code != http.StatusOK {
		t.Errorf("page with the search key: %d", w.Code)
	}
}

func TestPostSearchDelete(t *testing.T) {
	f := newFakeSearcher(testReports()...)
	ts := newTestServer(t, f, Options{AdminKey: adminKey})
	auth := "Bearer " + adminKey
	text := uploadReport(t)

	w := ts.do(t, req{method: "POST", target: "/api/reports?source=test_2024.txt", body: strings.NewReader(text),
		header: map[string]string{"Authorization": auth, "Content-Type": "text/plain; charset=utf-8"}})
	if w.Code != http.StatusCreated {
		t.Fatalf("post: %d %s", w.Code, w.Body)
	}
	var posted uploadBody
	if err := json.Unmarshal(w.Body.Bytes(), &posted); err != nil || len(posted.Reports) != 1 {
		t.Fatalf("post body %s: %v", w.Body, err)
	}
	// The parser's account of the file comes back with it.
	if len(posted.Files) != 1 || posted.Files[0].Source != "test_2024.txt" || posted.Files[0].Reports != 1 || posted.Files[0].DroppedBy == nil || posted.Files[0].Warnings == nil {
		t.Errorf("post files %+v", posted.Files)
	}
	id := posted.Reports[0].ID
	if loc := w.Header().Get("Location"); loc != "/api/reports/"+id {
		t.Errorf("Location %q", loc)
	}
	if n := searchTotal(t, ts, "试验田改革"); n != 2 {
		t.Errorf("after post: %d hits, want 2", n)
	}

	// Multipart with two files.
	other := strings.ReplaceAll(strings.ReplaceAll(text, "嘉定区", "奉贤区"), "试验田改革", "甲乙丙丁戊")
	body, ct := multipartBody(t, "a.txt", other)
	w = ts.do(t, req{method: "POST", target: "/api/reports", body: body, header: map[string]string{"Authorization": auth, "Content-Type": ct}})
	if w.Code != http.StatusCreated {
		t.Fatalf("multipart post: %d %s", w.Code, w.Body)
	}
	if n := searchTotal(t, ts, "甲乙丙丁戊"); n != 2 {
		t.Errorf("after multipart post: %d hits", n)
	}

	w = ts.do(t, req{method: "DELETE", target: "/api/reports/" + id, header: map[string]string{"Authorization": auth}})
	if w.Code != http.StatusOK {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	if n := searchTotal(t, ts, "试验田改革"); n != 0 {
		t.Errorf("after delete: %d hits, want 0", n)
	}
	w = ts.do(t, req{method: "DELETE", target: "/api/reports/" + id, header: map[string]string{"Authorization": auth}})
	if w.Code != http.StatusNotFound {
		t.Errorf("second delete: %d", w.Code)
	}
}

func TestPostRejects(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(), Options{AdminKey: adminKey})
	auth := "Bearer " + adminKey
	emptyForm, emptyCT := func() (*bytes.Buffer, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("other", "x")
		mw.Close()
		return &buf, mw.FormDataContentType()
	}()
	for _, tc := range []struct {
		name, ct string
		body     io.Reader
		param    string
	}{
		{"no content type", "", strings.NewReader("x"), "Content-Type"},
		{"json", "application/json", strings.NewReader("{}"), "Content-Type"},
		{"bad content type", "text/plain; ===", strings.NewReader("x"), "Content-Type"},
		{"empty body", "text/plain", strings.NewReader(""), "body"},
		{"blank report", "text/plain", strings.NewReader("\n\n \n"), "body"},
		{"multipart without boundary", "multipart/form-data", strings.NewReader("x"), "body"},
		{"form without file", emptyCT, emptyForm, "file"},
		{"truncated form", "multipart/form-data; boundary=zzz", strings.NewReader("--zzz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"), "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"Authorization": auth}
			if tc.ct != "" {
				h["Content-Type"] = tc.ct
			}
			w := ts.do(t, req{method: "POST", target: "/api/reports", body: tc.body, header: h})
			if w.Code != http.StatusBadRequest {
				t.Errorf("%s: status %d body %s", tc.name, w.Code, w.Body)
				return
			}
			if e := decodeError(t, w); e.Param != tc.param {
				t.Errorf("%s: param %q, want %q (%s)", tc.name, e.Param, tc.param, e.Message)
			}
		})
	}
}

// uploadReport is a small report in the shape of the seeds, with a phrase
// (试验田改革) that no seed contains.
func uploadReport(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/upload_report.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func searchTotal(t *testing.T, ts *testServer, q string) int {
	t.Helper()
	w := ts.get(t, "/api/search?q="+url.QueryEscape(q))
	if w.Code != http.StatusOK {
		t.Fatalf("search %s: %d %s", q, w.Code, w.Body)
	}
	var resp index.Response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	return resp.Total
}

func TestExportFormats(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{})
	w := ts.get(t, "/api/export?q="+url.QueryEscape("一网通办")+"&format=csv")
	if w.Code != 200 {
		t.Fatalf("csv: %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("csv content type %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="govsearch-export.csv"; filename*=UTF-8''govsearch-export-%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E.csv` {
		t.Errorf("csv disposition %q", cd)
	}
	rows, err := csv.NewReader(w.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(exportHeader, ",") {
		t.Fatalf("csv rows %q", rows)
	}
	if rows[1][10] != "一网通办" || rows[1][3] != "静安区" || !strings.HasSuffix(rows[1][9], "“") {
		t.Errorf("csv row %q", rows[1])
	}

	w = ts.get(t, "/api/export?q="+url.QueryEscape("一网通办")+"&format=jsonl&region=徐汇区")
	if ct := w.Header().Get("Content-Type"); w.Code != 200 || ct != "application/x-ndjson; charset=utf-8" {
		t.Fatalf("jsonl: %d %q", w.Code, ct)
	}
	lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("jsonl lines %q", lines)
	}
	var row index.ExportRow
	dec := json.NewDecoder(strings.NewReader(lines[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&row); err != nil || row.Region != "徐汇区" || row.Match != "一网通办" {
		t.Errorf("jsonl row %s: %v", lines[0], err)
	}

	// With bom=true the CSV starts with a byte order mark, for spreadsheets.
	w = ts.get(t, "/api/export?bom=true&q="+url.QueryEscape("一网通办"))
	if !strings.HasPrefix(w.Body.String(), "\uFEFFid,report_id,") {
		t.Errorf("bom=true: body starts %q", w.Body.String()[:20])
	}
	if w = ts.get(t, "/api/export?bom=yes&q=a"); w.Code != 400 || decodeError(t, w).Param != "bom" {
		t.Errorf("bom=yes: %d %s", w.Code, w.Body)
	}

	// No match: the header row alone.
	w = ts.get(t, "/api/export?q=不存在的词")
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != strings.Join(exportHeader, ",") {
		t.Errorf("empty export: %d %q", w.Code, w.Body)
	}
}

func TestAccessLog(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{AdminKey: adminKey})
	ts.do(t, req{target: "/api/search?q=a", header: map[string]string{"Authorization": "Bearer " + adminKey, "X-Forwarded-For": "1.2.3.4"}})
	lines := strings.Split(strings.TrimSpace(ts.log.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("log lines %q", lines)
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"method", "route", "status", "bytes", "duration_ms", "client", "request_id"} {
		if _, ok := entry[k]; !ok {
			t.Errorf("log entry lacks %s: %s", k, lines[0])
		}
	}
	if entry["route"] != "/api/search" || entry["status"] != float64(200) || entry["client"] != "192.0.2.1" {
		t.Errorf("log entry %s (no proxy is trusted, so the client is the peer)", lines[0])
	}
	if strings.Contains(lines[0], adminKey) {
		t.Errorf("key in log")
	}
}

func TestTrustedProxies(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(), Options{TrustedProxies: []string{"192.0.2.0/24"}})
	ts.do(t, req{target: "/healthz", header: map[string]string{"X-Forwarded-For": "203.0.113.9"}})
	if !strings.Contains(ts.log.String(), `"client":"203.0.113.9"`) {
		t.Errorf("trusted proxy ignored: %s", ts.log)
	}
	if err := CheckProxies([]string{"not-an-ip"}); err == nil {
		t.Errorf("CheckProxies accepted a malformed address")
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{})
	for _, target := range []string{"/api/search?q=a", "/api/nope", "/healthz"} {
		t.Run(target, func(t *testing.T) {
			w := ts.get(t, target)
			h := w.Header()
			if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
				h.Get("X-Request-Id") == "" {
				t.Errorf("%s: headers %v", target, h)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{})
	ts.get(t, "/api/search?q=a")
	ts.get(t, "/api/search?q=a&size=abc")
	ts.get(t, "/no/such/path/12345")
	w := ts.get(t, "/metrics")
	body := w.Body.String()
	for _, want := range []string{
		`govsearch_http_requests_total{method="GET",route="/api/search",status="200"} 1`,
		`govsearch_http_requests_total{method="GET",route="/api/search",status="400"} 1`,
		`govsearch_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`govsearch_http_request_duration_seconds_bucket{method="GET",route="/api/search",status="200",le="+Inf"} 1`,
		"govsearch_index_documents 4",
		"govsearch_index_reports 2",
		"govsearch_index_size_bytes 12345",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "12345\"") {
		t.Errorf("an unmatched path became a label value")
	}
}

func TestHealthReady(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(testReports()...), Options{})
	w := ts.get(t, "/readyz")
	if w.Code != 200 {
		t.Fatalf("readyz %d", w.Code)
	}
	var body map[string]any
	json.Unmarshal(w.Body.Bytes(), &body)
	if body["status"] != "ready" || body["documents"] != float64(4) || body["reports"] != float64(2) {
		t.Errorf("readyz body %s", w.Body)
	}
}

func TestNotFoundPageForBrowsers(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(), Options{})
	w := ts.do(t, req{target: "/nope", header: map[string]string{"Accept": "text/html,application/xhtml+xml"}})
	if w.Code != 404 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Errorf("browser 404: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	// The API stays JSON even for a browser.
	w = ts.do(t, req{target: "/api/nope", header: map[string]string{"Accept": "text/html"}})
	if w.Code != 404 || decodeError(t, w).Code != errcode.NotFound {
		t.Errorf("api 404 for a browser: %d %s", w.Code, w.Body)
	}
}

// TestExportCutMidStream: an export that fails after rows were sent drops
// the connection, so the client sees an incomplete body, not a short file.
func TestExportCutMidStream(t *testing.T) {
	ts := newTestServer(t, newFakeSearcher(), Options{})
	srv := httptest.NewServer(ts.h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/export?q=" + fakeCut)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Fatalf("a failed export read as complete (%d bytes)", len(body))
	}
	if len(body) == 0 {
		t.Errorf("no rows before the cut")
	}
	if log := ts.log.String(); !strings.Contains(log, "disk exploded") || !strings.Contains(log, `"route":"/api/export"`) {
		t.Errorf("the cut export or its cause is not logged: %s", log)
	}
}
