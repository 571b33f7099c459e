package replica

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"govsearch/index"
	"govsearch/internal/natstest"
	"govsearch/internal/testcorpus"
	"govsearch/web"
)

// madeUpText is a made-up report about 琥珀计划 (see testcorpus.MadeUpReport).
func madeUpText(n, minBytes int) []byte { return testcorpus.MadeUpReport(n, "琥珀计划", minBytes) }

// The queries the writer's and the replica's answers are compared on.
var compared = []string{"一网通办", "琥珀计划", "区长", "发展 year:2020..", "营商环境 OR 放管服", "level:district"}

func TestReplicaFollowsWriter(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	sameAnswers(t, r.writer, r.replica.Pool(), compared...)

	if err := r.writer.AddReports(ctx, madeUp(t, 1, "琥珀计划", 0)); err != nil {
		t.Fatal(err)
	}
	// The write waited for its publication.
	if st := r.writer.Status(); st.Generation != "gen-2" || st.Lag != 0 {
		t.Fatalf("after an upload the writer reports %+v, want gen-2 and no lag", st)
	}
	r.waitServed(t, "gen-2")
	sameAnswers(t, r.writer, r.replica.Pool(), compared...)
	if got := answer(t, r.replica.Pool(), "琥珀计划"); !strings.Contains(got, `"total":`) || strings.Contains(got, `"total":0`) {
		t.Fatalf("the upload is not found on the replica: %.200s", got)
	}
	cost := r.writer.Publisher().LastCost()
	if cost.Sent == 0 || cost.Sent >= cost.Files {
		t.Errorf("an upload sent %d of %d files; want the new ones only", cost.Sent, cost.Files)
	}

	reports, _ := r.replica.Pool().Reports(ctx)
	if err := r.writer.DeleteReport(ctx, reports[0].ID); err != nil {
		t.Fatal(err)
	}
	r.waitServed(t, "gen-3")
	sameAnswers(t, r.writer, r.replica.Pool(), compared...)

	// Only the served generation stays on the replica's disk once the
	// requests on the older ones are done.
	waitFor(t, 10*time.Second, "old generations to be deleted", func() bool {
		gens, _ := filepath.Glob(filepath.Join(r.rdir, "gen-*"))
		return len(gens) == 1 && filepath.Base(gens[0]) == "gen-3"
	})

	// A restarted replica serves its generation before it hears from NATS,
	// and does not download it again.
	r.replica.Close()
	r.replica = r.startReplica(t)
	if _, g := r.replica.Pool().Current(); g == nil || g.Name != "gen-3" {
		t.Fatalf("a restarted replica serves %v at start, want gen-3", g)
	}
	sameAnswers(t, r.writer, r.replica.Pool(), compared...)
	waitFor(t, 10*time.Second, "the restarted replica to find its generation is the published one", func() bool {
		r.replica.mu.Lock()
		defer r.replica.mu.Unlock()
		return r.replica.upToDate > 0
	})
	if st := r.replica.Status(); st.Installed != 0 || st.Generation != "gen-3" || st.Lag != 0 {
		t.Errorf("a restarted replica that is up to date reports %+v", st)
	}
}

func TestWriterRestartAdoptsItsGeneration(t *testing.T) {
	r := newRig(t)
	ix := r.writer.Index
	r.writer.Close()
	w, err := StartWriter(testConfig(t, r.url), ix, r.wdir, http.NotFoundHandler(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	waitFor(t, 10*time.Second, "the restarted writer to read the published generation", func() bool { return w.Status().Generation != "" })
	if st := w.Status(); st.Generation != "gen-1" || st.Installed != 0 {
		t.Errorf("a writer restarted on the published state reports %+v; want gen-1 adopted, nothing published", st)
	}
}

// current reads the published generation.
func current(t *testing.T, kv jetstream.KeyValue) *Generation {
	t.Helper()
	e, err := kv.Get(context.Background(), KeyCurrent)
	if err != nil {
		t.Fatal(err)
	}
	g, err := DecodeGeneration(e.Value())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestReplicaRefusesBadGenerations(t *testing.T) {
	// Two attempts: a file that does not verify is tried again before it
	// is refused. The old value returns after the replica has stopped.
	old := refuseAfter
	t.Cleanup(func() { refuseAfter = old })
	refuseAfter = 2
	r := newRig(t)
	ctx := context.Background()
	cfg := testConfig(t, r.url)
	nc, err := cfg.Connect(func(bool) {})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	kv, err := js.KeyValue(ctx, BucketKV)
	if err != nil {
		t.Fatal(err)
	}
	files, err := js.ObjectStore(ctx, BucketFiles)
	if err != nil {
		t.Fatal(err)
	}
	good := current(t, kv)
	var root File // the bolt root: every install downloads it
	for _, f := range good.Files {
		if strings.HasSuffix(f.Path, "root.bolt") {
			root = f
		}
	}
	original, err := files.GetBytes(ctx, root.ObjectName())
	if err != nil {
		t.Fatal(err)
	}
	restore := func() {
		if _, err := files.PutBytes(ctx, root.ObjectName(), original); err != nil {
			t.Fatal(err)
		}
	}
	seq := good.Seq
	// next returns the good generation as publication seq+1 after change.
	next := func(change func(g *Generation)) []byte {
		seq++
		g := *good
		g.Files = append([]File(nil), good.Files...)
		g.Seq, g.Name = seq, genName(seq)
		change(&g)
		if err := g.Seal(); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(g)
		return b
	}
	for _, tc := range []struct {
		name    string
		prepare func() []byte
		refused bool   // for good, not retried
		message string // in /readyz's error
	}{
		{"a file's bytes differ from its checksum", func() []byte {
			bad := bytes.Clone(original)
			bad[len(bad)/2] ^= 0xff
			if _, err := files.PutBytes(ctx, root.ObjectName(), bad); err != nil {
				t.Fatal(err)
			}
			return next(func(*Generation) {})
		}, true, "the generation lists"},
		{"the manifest differs from the index's", func() []byte {
			restore()
			return next(func(g *Generation) { g.Manifest.Paragraphs++ })
		}, true, "differs from the published one"},
		{"the checksum does not cover the content", func() []byte {
			b := next(func(*Generation) {})
			return bytes.Replace(b, []byte(`"reports":`), []byte(`"reports":1`), 1)
		}, true, "does not match its content"},
		{"a path leaves the generation", func() []byte {
			return next(func(g *Generation) { g.Files[0].Path = "../../escaped" })
		}, true, "not a plain relative path"},
		{"a file is missing from the index", func() []byte {
			return next(func(g *Generation) { g.Files = g.Files[1:] })
		}, true, ""},
		{"an object is not in the store", func() []byte {
			return next(func(g *Generation) { g.Files[0].SHA256 = strings.Repeat("0", 64) })
		}, false, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := r.replica.Status()
			if _, err := kv.Put(ctx, KeyCurrent, tc.prepare()); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 20*time.Second, "the replica to try the generation", func() bool {
				st := r.replica.Status()
				return st.Refused > before.Refused || (!tc.refused && st.Error != "" && st.Error != before.Error)
			})
			st := r.replica.Status()
			if st.Generation != before.Generation {
				t.Fatalf("the replica moved from %s to %s", before.Generation, st.Generation)
			}
			if tc.refused != (st.Refused > before.Refused) {
				t.Errorf("refused for good = %v, want %v (status %+v)", st.Refused > before.Refused, tc.refused, st)
			}
			if !strings.Contains(st.Error, tc.message) || st.Lag < 1 {
				t.Errorf("status %+v: want lag ≥ 1 and an error containing %q", st, tc.message)
			}
			// Searches go on, on the generation before.
			sameAnswers(t, r.writer, r.replica.Pool(), compared[:2]...)
		})
	}
	// The writer's next publication, over the strangers', is taken.
	if err := r.writer.AddReports(ctx, madeUp(t, 2, "琥珀计划", 0)); err != nil {
		t.Fatal(err)
	}
	want := r.writer.Status().Generation
	r.waitServed(t, want)
	sameAnswers(t, r.writer, r.replica.Pool(), compared...)
	if st := r.replica.Status(); st.Error != "" || st.Lag != 0 {
		t.Errorf("after a good generation the replica reports %+v", st)
	}
}

func TestPoolSwapKeepsRequestsWhole(t *testing.T) {
	dir := t.TempDir()
	ix := buildSeeds(t, filepath.Join(dir, "writer"))
	ctx := context.Background()
	stateA := filepath.Join(dir, "a")
	if _, err := ix.CopyCommitted(index.CopyDir(stateA)); err != nil {
		t.Fatal(err)
	}
	if err := ix.AddReports(ctx, madeUp(t, 3, "琥珀计划", 0)); err != nil {
		t.Fatal(err)
	}
	stateB := filepath.Join(dir, "b")
	if _, err := ix.CopyCommitted(index.CopyDir(stateB)); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, st := range []string{stateA, stateB} {
		gen := openCopy(t, filepath.Join(dir, "check"), st)
		want[strings.TrimSpace(searchBody(t, gen))] = true
		gen.Close()
	}
	if len(want) != 2 {
		t.Fatal("the two states answer alike: the test would prove nothing")
	}

	served := filepath.Join(dir, "served")
	var retired atomic.Int32
	pool := NewPool(func(ix *index.Index, _ *Generation) {
		ix.Close()
		os.RemoveAll(ix.Dir())
		retired.Add(1)
	})
	pool.Swap(openCopy(t, served, stateA), nil)
	h := pool.Pin(web.New(pool, web.Options{}))
	var (
		wg        sync.WaitGroup
		stop      atomic.Bool
		served200 atomic.Int64
		bad       = make(chan string, 1)
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				code, body := get(h, "/api/search?q=%E7%90%A5%E7%8F%80%E8%AE%A1%E5%88%92+OR+%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E&size=3")
				if code != http.StatusOK || !want[strings.TrimSpace(tookMS.ReplaceAllString(body, `"took_ms":0`))] {
					select {
					case bad <- body:
					default:
					}
					return
				}
				served200.Add(1)
			}
		}()
	}
	const swaps = 6
	for i := range swaps {
		state := stateB
		if i%2 == 1 {
			state = stateA
		}
		next := openCopy(t, served, state)
		// Let some searches run on each generation.
		n, deadline := served200.Load(), time.Now().Add(10*time.Second)
		for served200.Load() < n+20 && len(bad) == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		pool.Swap(next, nil)
	}
	stop.Store(true)
	wg.Wait()
	select {
	case body := <-bad:
		t.Fatalf("a request during the swaps failed or saw neither state: %.300s", body)
	default:
	}
	waitFor(t, 10*time.Second, "every replaced generation to be retired", func() bool { return retired.Load() == swaps })
	if gens, _ := filepath.Glob(filepath.Join(served, "gen-*")); len(gens) != 1 {
		t.Errorf("after the swaps %d generations are on disk, want 1", len(gens))
	}
	t.Logf("%d searches during %d swaps", served200.Load(), swaps)
}

// openCopy adds a copy of the bleve index in src to dir as its current
// generation and opens it.
func openCopy(t *testing.T, dir, src string) *index.Index {
	t.Helper()
	ix, err := index.AddGeneration(dir, 0, func(dst string) error { return copyTree(src, dst) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}

func searchBody(t *testing.T, ix *index.Index) string {
	t.Helper()
	_, body := get(web.New(ix, web.Options{}), "/api/search?q=%E7%90%A5%E7%8F%80%E8%AE%A1%E5%88%92+OR+%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E&size=3")
	return tookMS.ReplaceAllString(body, `"took_ms":0`)
}

func TestForwardedWrites(t *testing.T) {
	// A small message limit sends large bodies through the object store.
	srv := natstest.Server(t, 256<<10)
	wdir := filepath.Join(t.TempDir(), "writer")
	ix := buildSeeds(t, wdir)
	h := web.New(ix, web.Options{AdminKey: testAdminKey})
	w, err := StartWriter(testConfig(t, srv.ClientURL()), ix, wdir, h, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	waitFor(t, 30*time.Second, "the first publication", func() bool { return w.Status().Generation != "" })
	cfg := testConfig(t, srv.ClientURL())
	nc, err := cfg.Connect(func(bool) {})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	fwd := NewForwarder(nc, testLogger(t))
	front := fwd.Wrap(http.NotFoundHandler())
	send := func(method, path, key string, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		front.ServeHTTP(rec, req)
		return rec
	}
	big := madeUpText(4, 400<<10)
	for _, tc := range []struct {
		name, method, path, key string
		body                    []byte
		status                  int
		contains                string
	}{
		{"an upload", http.MethodPost, "/api/reports?source=a.txt", testAdminKey, madeUpText(5, 0), http.StatusCreated, `"reports":[{"id":"2105-`},
		{"an upload larger than a message", http.MethodPost, "/api/reports?source=big.txt", testAdminKey, big, http.StatusCreated, `"reports":[{"id":"2104-`},
		{"an upload without the key", http.MethodPost, "/api/reports?source=a.txt", "", madeUpText(5, 0), http.StatusUnauthorized, `"code":"unauthorized"`},
		{"a delete of an unknown report", http.MethodDelete, "/api/reports/nope", testAdminKey, nil, http.StatusNotFound, `"code":"not_found"`},
		{"a body over the writer's limit", http.MethodPost, "/api/reports?source=huge.txt", testAdminKey, bytes.Repeat([]byte("a"), web.DefaultMaxBodyBytes+10), http.StatusRequestEntityTooLarge, `"code":"payload_too_large"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := send(tc.method, tc.path, tc.key, tc.body)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.contains) {
				t.Fatalf("%s %s: %d %.300s; want %d with %s", tc.method, tc.path, rec.Code, rec.Body.String(), tc.status, tc.contains)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	for _, id := range []string{"2104", "2105"} {
		if resp, err := ix.Search(context.Background(), index.Request{Query: "琥珀计划 year:" + id}); err != nil || resp.Total == 0 {
			t.Errorf("the forwarded upload of %s is not on the writer: %v", id, err)
		}
	}
	js, _ := jetstream.New(nc)
	if o, err := js.ObjectStore(context.Background(), BucketForward); err != nil {
		t.Fatal(err)
	} else if list, err := o.List(context.Background()); !errors.Is(err, jetstream.ErrNoObjectsFound) {
		t.Errorf("large bodies left in %s: %d objects (%v)", BucketForward, len(list), err)
	}
	if st := w.Status(); st.Forwarded != 5 {
		t.Errorf("the writer answered %d forwarded writes, want 5", st.Forwarded)
	}

	w.Close()
	rec := send(http.MethodDelete, "/api/reports/nope", testAdminKey, nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"index_unavailable"`) || !strings.Contains(rec.Body.String(), "no writer") {
		t.Errorf("with no writer: %d %s", rec.Code, rec.Body.String())
	}
	srv.Shutdown()
	waitFor(t, 10*time.Second, "the disconnect", func() bool { return !nc.IsConnected() })
	rec = send(http.MethodPost, "/api/reports", testAdminKey, madeUpText(6, 0))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "cut off from NATS") {
		t.Errorf("with NATS down: %d %s", rec.Code, rec.Body.String())
	}
}
