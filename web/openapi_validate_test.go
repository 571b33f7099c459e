package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

func init() {
	// Export bodies are streamed text the validator need not parse.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", ndjsonDecoder)
}

// ndjsonDecoder hands the validator each line of a JSON-lines body in turn
// through the schema of one line: it returns the first line that differs in
// its set of fields from the first, else the first line.
func ndjsonDecoder(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	dec := json.NewDecoder(body)
	var first any
	for {
		var v map[string]any
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if first == nil {
			first = v
			continue
		}
		if len(v) != len(first.(map[string]any)) {
			return v, nil
		}
	}
	if first == nil {
		return map[string]any{}, nil
	}
	return first, nil
}

// TestOpenAPIValidatesTraffic sends requests of every kind this API takes,
// good and bad, and checks each request and its response against the
// document with an independent validator (kin-openapi).
func TestOpenAPIValidatesTraffic(t *testing.T) {
	router := openAPIRouter(t)
	ix := seedIndex(t)
	ts := newTestServer(t, ix, Options{})
	admin := newTestServer(t, newFakeSearcher(testReports()...), Options{AdminKey: adminKey})
	busy, _ := overloadedServer(t, 1)
	q := url.QueryEscape("一网通办")
	bearer := map[string]string{"Authorization": "Bearer " + adminKey}
	text := map[string]string{"Authorization": "Bearer " + adminKey, "Content-Type": "text/plain"}
	cases := []struct {
		ts     *testServer
		r      req
		status int
	}{
		{ts, req{target: "/api/search?q=" + q}, 200},
		{ts, req{target: "/api/search?size=0&from=10000&q=" + q}, 200},
		{ts, req{target: "/api/search?q=" + q + "&region=" + url.QueryEscape("静安") + "&year=2018..2023&facets=region&sort=-year"}, 200},
		{ts, req{method: "HEAD", target: "/api/search?q=" + q}, 200},
		{ts, req{target: "/api/search?q=" + q + "&match=x"}, 400},
		{ts, req{target: "/api/search?q=" + url.QueryEscape("上海如何推进一网通办改革") + "&match=best"}, 200},
		{ts, req{target: "/api/search?q=" + url.QueryEscape("一网通办 NEAR/5 改革 OR 放管服 SENT 改革")}, 200},
		{ts, req{target: "/api/trend?q=" + q + "&match=best"}, 400},
		{ts, req{target: "/api/export?q=" + q + "&match=best"}, 400},
		{ts, req{target: "/api/search?region=" + url.QueryEscape("火星")}, 400},
		{ts, req{target: "/api/search?q=a" + strings.Repeat("&year=2020", 65)}, 400},
		{ts, req{target: "/api/search?q=a", header: map[string]string{"X-Pad": strings.Repeat("x", 70<<10)}}, 431},
		{ts, req{target: "/api/trend?q=" + q}, 200},
		{ts, req{target: "/api/trend?format=csv&bom=true&level=district&q=" + q}, 200},
		{ts, req{target: "/api/trend?format=xml&q=" + q}, 400},
		{ts, req{target: "/api/diffusion?q=" + q + "&year=2018..2021"}, 200},
		{ts, req{target: "/api/diffusion?format=csv&q=" + q}, 200},
		{ts, req{method: "HEAD", target: "/api/diffusion?q=" + q}, 200},
		{ts, req{target: "/api/diffusion"}, 400},
		{ts, req{target: "/api/kwic?q=" + q + "&sort=left&width=10&from=2&size=5"}, 200},
		{ts, req{target: "/api/kwic?format=csv&sort=right&q=" + q}, 200},
		{ts, req{target: "/api/kwic?format=jsonl&q=" + q}, 200},
		{ts, req{target: "/api/kwic?sort=middle&q=" + q}, 400},
		{ts, req{target: "/api/kwic?width=500&q=" + q}, 400},
		{ts, req{target: "/api/kwic?q=year:2020"}, 400},
		{ts, req{target: "/api/matrix?q=" + q + "&q=" + url.QueryEscape("放管服 OR 营商环境") + "&level=district"}, 200},
		{ts, req{target: "/api/matrix?format=csv&q=" + q}, 200},
		{ts, req{target: "/api/matrix"}, 400},
		{ts, req{target: "/api/reports?region=" + url.QueryEscape("静安") + "&year=2018..2021&sort=-chars"}, 200},
		{ts, req{target: "/api/reports?sort=size"}, 400},
		{ts, req{target: "/api/reports?part=plan"}, 400},
		{ts, req{target: "/api/export?q=" + q}, 200},
		{ts, req{target: "/api/export?format=jsonl&q=" + q}, 200},
		{ts, req{target: "/api/export?format=ndjson&q=" + q}, 200},
		{ts, req{target: "/api/search?q=a&year=2021..2018"}, 400},
		{ts, req{target: "/api/reports"}, 200},
		{ts, req{method: "HEAD", target: "/api/reports"}, 200},
		{ts, req{target: "/api/reports/nope"}, 404},
		{ts, req{target: "/api/lexicon"}, 200},
		{ts, req{target: "/api/analyze?text=" + q}, 200},
		{ts, req{method: "POST", target: "/api/analyze", body: strings.NewReader("一网通办"), header: map[string]string{"Content-Type": "text/plain"}}, 200},
		{ts, req{method: "POST", target: "/api/analyze", body: strings.NewReader(`{"text":"一网通办"}`), header: map[string]string{"Content-Type": "application/json"}}, 200},
		{ts, req{target: "/healthz"}, 200},
		{ts, req{method: "HEAD", target: "/healthz"}, 200},
		{ts, req{target: "/readyz"}, 200},
		{busy, req{target: "/api/search?q=a"}, 503},
		{admin, req{method: "POST", target: "/api/reports?source=a.txt", body: strings.NewReader(uploadReport(t)), header: text}, 201},
		{admin, req{method: "POST", target: "/api/reports?source=" + url.QueryEscape("\u202etxt.exe"), body: strings.NewReader(uploadReport(t)), header: text}, 400},
		{admin, req{method: "DELETE", target: "/api/reports/r2", header: map[string]string{"Authorization": "Bearer " + adminKey, "Sec-Fetch-Site": "cross-site"}}, 403},
		{admin, req{method: "DELETE", target: "/api/reports/r2", header: bearer}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.r.method+"_"+tc.r.target[:min(len(tc.r.target), 60)], func(t *testing.T) {
			checkTraffic(t, router, tc.ts, tc.r, tc.status)
		})
	}
}

// openAPIRouter loads the document, checks that it is valid OpenAPI and
// returns a router over it for the server http://example.com.
func openAPIRouter(t *testing.T) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(bytes.Clone(openAPI))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: "http://example.com"}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return router
}

// checkTraffic sends r to ts, expects status, and validates the request
// (when the server accepts it) and the response against the document.
func checkTraffic(t *testing.T, router routers.Router, ts *testServer, r req, status int) {
	ctx := context.Background()
	var body []byte
	if r.body != nil {
		body, _ = io.ReadAll(r.body)
		r.body = bytes.NewReader(body)
	}
	w := ts.do(t, r)
	name := r.method + " " + r.target
	if len(name) > 90 {
		name = name[:90] + "…"
	}
	if w.Code != status {
		t.Errorf("%s: status %d, want %d: %.200s", name, w.Code, status, w.Body)
		return
	}
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	hr := httptest.NewRequest(method, r.target, bytes.NewReader(body))
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	hr.URL.Scheme, hr.URL.Host = "http", "example.com" // the router matches the server URL
	route, params, err := router.FindRoute(hr)
	if err != nil {
		t.Errorf("%s: the document has no operation for it: %v", name, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if status < 400 {
		// Requests the server refuses are meant to break the document's rules.
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s: the request breaks the document: %v", name, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: w.Code, Header: w.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: method == http.MethodHead}}
	out.SetBodyBytes(w.Body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s: the response (%d) breaks the document: %v", name, w.Code, err)
	}
}
