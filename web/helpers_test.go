package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"govsearch/index"
	"govsearch/web/errcode"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is a handler under test with its log.
type testServer struct {
	h   http.Handler
	log *syncBuffer
}

func newTestServer(t testing.TB, s index.ReadWriter, opts Options) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	opts.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	return &testServer{h: New(s, opts), log: logs}
}

// req is a request to send; header values override defaults.
type req struct {
	method string
	target string
	body   io.Reader
	header map[string]string
}

func (ts *testServer) do(t testing.TB, r req) *httptest.ResponseRecorder {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	hr := httptest.NewRequest(method, r.target, r.body)
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	ts.h.ServeHTTP(w, hr)
	return w
}

func (ts *testServer) get(t testing.TB, target string) *httptest.ResponseRecorder {
	t.Helper()
	return ts.do(t, req{target: target})
}

// decodeError checks that w is a well-formed error answer and returns it.
func decodeError(t testing.TB, w *httptest.ResponseRecorder) Error {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error content type %q, body %q", ct, w.Body.String())
	}
	var body struct {
		Error *Error `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Error == nil {
		t.Fatalf("error body %q: %v", w.Body.String(), err)
	}
	e := *body.Error
	if !slices.Contains(errcode.Codes(), e.Code) {
		t.Fatalf("code %q is not in the table", e.Code)
	}
	if got := e.Status(); got != w.Code {
		t.Fatalf("code %q has status %d in the table but was sent with %d", e.Code, got, w.Code)
	}
	if e.Message == "" {
		t.Fatalf("error %q has no message", e.Code)
	}
	return e
}

// tookMS matches the timing field, the one part of a search body that
// changes between runs.
var tookMS = regexp.MustCompile(`"took_ms":[0-9.e+-]+`)

// golden compares got with testdata/name, rewriting it under -update.
// JSON is re-indented so that diffs are readable.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = tookMS.ReplaceAll(got, []byte(`"took_ms":0`))
	if json.Valid(got) {
		var buf bytes.Buffer
		if err := json.Indent(&buf, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		got = append(bytes.TrimSpace(buf.Bytes()), '\n')
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s ./web -update to create it)", err, t.Name())
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file (rerun with -update if the change is intended)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
