package replica

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/internal/natstest"
	"govsearch/internal/testcorpus"
	"govsearch/web"
)

const testAdminKey = "replica-test-admin-5d2c7e91b4a8f036"

// testLogger sends a component's log to the test's log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// buildSeeds builds the seed reports into dir and opens the index.
func buildSeeds(t testing.TB, dir string) *index.Index {
	t.Helper()
	inputs, err := ingest.InputsFromPaths([]string{filepath.Join("..", "testdata", "reports")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := index.Build(context.Background(), dir, inputs, index.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// testConfig reaches the test server with one replica per bucket.
func testConfig(t testing.TB, url string) Config {
	return Config{URLs: []string{url}, Role: RoleReplica, Replicas: 1, Name: t.Name(), Logger: testLogger(t)}
}

// madeUp parses MadeUpReport(n, phrase, minBytes).
func madeUp(t testing.TB, n int, phrase string, minBytes int) []ingest.Report {
	t.Helper()
	f, err := ingest.Parse("made-up.txt", testcorpus.MadeUpReport(n, phrase, minBytes))
	if err != nil {
		t.Fatal(err)
	}
	return f.Reports
}

// rig is a writer and a replica on one NATS server.
type rig struct {
	url     string
	writer  *Writer
	wdir    string
	replica *Replica
	rdir    string
}

// newRig starts NATS, a writer over the seeds and a replica that has
// installed the writer's first generation.
func newRig(t *testing.T) *rig {
	t.Helper()
	srv := natstest.Server(t, 0)
	r := &rig{url: srv.ClientURL(), wdir: filepath.Join(t.TempDir(), "writer"), rdir: filepath.Join(t.TempDir(), "replica")}
	ix := buildSeeds(t, r.wdir)
	h := web.New(ix, web.Options{AdminKey: testAdminKey})
	w, err := StartWriter(testConfig(t, r.url), ix, r.wdir, h, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	r.writer = w
	waitFor(t, 30*time.Second, "the first publication", func() bool { return w.Status().Generation == "gen-1" })
	r.replica = r.startReplica(t)
	r.waitServed(t, "gen-1")
	return r
}

func (r *rig) startReplica(t *testing.T) *Replica {
	t.Helper()
	rep, err := StartReplica(testConfig(t, r.url), r.rdir, func(*Replica) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rep.Close)
	return rep
}

// waitServed waits until the replica serves the generation name.
func (r *rig) waitServed(t *testing.T, name string) {
	t.Helper()
	waitFor(t, 30*time.Second, "the replica to serve "+name, func() bool { return r.replica.Status().Generation == name })
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var tookMS = regexp.MustCompile(`"took_ms":[0-9.e+-]+`)

// answer is a search's JSON as the API writes it, without took_ms.
func answer(t testing.TB, s index.Reader, q string) string {
	t.Helper()
	resp, err := s.Search(context.Background(), index.Request{Query: q, Size: 20, Highlight: true})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var b bytes.Buffer
	if err := index.WriteJSON(&b, resp); err != nil {
		t.Fatal(err)
	}
	return tookMS.ReplaceAllString(b.String(), `"took_ms":0`)
}

// sameAnswers checks that the replica answers queries exactly as the writer.
func sameAnswers(t testing.TB, writer, replica index.Reader, queries ...string) {
	t.Helper()
	for _, q := range queries {
		if w, r := answer(t, writer, q), answer(t, replica, q); w != r {
			t.Errorf("query %q: the replica's answer differs from the writer's\nwriter:  %.300s\nreplica: %.300s", q, w, r)
		}
	}
}

// get answers a GET through h.
func get(h http.Handler, path string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}
