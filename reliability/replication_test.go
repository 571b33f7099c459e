package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"govsearch/ingest"
	"govsearch/internal/natstest"
	"govsearch/internal/testcorpus"
	"govsearch/replica"
)

// TestReplication runs a three-node NATS cluster (JetStream, every bucket
// replicated three times), one writer and two read replicas, all as real
// processes on loopback, and checks what docs/deploy.md promises: uploads
// reach both replicas within 5 s with the writer's answers; writes sent to
// a replica land on the writer; kill -9 of a NATS node, of a replica and of
// the writer in the middle of a publication loses no acknowledged upload
// and never serves a partial generation; a corrupted object is refused;
// with every NATS node down the replicas keep answering.
func TestReplication(t *testing.T) {
	needBinary(t)
	top := t // owns every process: some are restarted inside subtests
	c := startNATSCluster(t)
	writerDir := seedIndex(t)
	w := startWriter(t, writerDir, c.urls())
	reps := []*replicaProc{
		startReplica(t, filepath.Join(t.TempDir(), "replica-1"), c.urls()),
		startReplica(t, filepath.Join(t.TempDir(), "replica-2"), c.urls()),
	}
	t.Cleanup(func() {
		if !t.Failed() && os.Getenv("GOVSEARCH_REPLICATION_LOGS") == "" {
			return
		}
		for name, p := range map[string]*replicaProc{"writer": w, "replica 1": reps[0], "replica 2": reps[1]} {
			if t.Failed() {
				// SIGQUIT makes a Go program print its goroutines: where
				// replication is stuck, if it is.
				_ = p.cmd.Process.Signal(syscall.SIGQUIT)
				select {
				case <-p.done:
				case <-time.After(5 * time.Second):
				}
			}
			t.Logf("log of the %s (%s), replication lines:\n%s", name, p.addr, replicationLog(p.stderr.String()))
		}
	})
	for _, r := range reps {
		waitGeneration(t, r.proc, ready(t, w.proc).Generation, 30*time.Second)
	}
	// Made-up reports by number: true once acknowledged, false once deleted.
	acked := map[int]bool{}

	if !t.Run("an upload reaches both replicas within 5 s with the writer's answers", func(t *testing.T) {
		var took []time.Duration
		for n := 1; n <= 5; n++ {
			uploadOK(t, w, n, 0)
			acked[n] = true
			start := time.Now()
			for _, r := range reps {
				waitFound(t, r.proc, n, start.Add(5*time.Second))
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		t.Logf("upload acknowledged → searchable on both replicas: median %s, max %s over %d uploads", took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), len(took))
		sameAnswers(t, w, reps, 1)
	}) {
		return
	}

	if !t.Run("a write sent to a replica lands on the writer", func(t *testing.T) {
		code, body := upload(t, reps[0].proc, adminKey, 6, 0)
		if code != http.StatusCreated || !strings.Contains(string(body), `"id":"`+madeUpID(t, 6)+`"`) {
			t.Fatalf("upload through a replica: %d %s", code, body)
		}
		acked[6] = true
		if code, _, err := do(http.MethodGet, w.url("/api/reports/"+madeUpID(t, 6)), "", "", nil); err != nil || code != http.StatusOK {
			t.Fatalf("the writer does not have the report uploaded through a replica: %d %v", code, err)
		}
		for _, r := range reps {
			waitFound(t, r.proc, 6, time.Now().Add(5*time.Second))
		}
		code, body, err := do(http.MethodDelete, reps[1].url("/api/reports/"+madeUpID(t, 1)), adminKey, "", nil)
		if err != nil || code != http.StatusOK {
			t.Fatalf("delete through a replica: %d %s %v", code, body, err)
		}
		acked[1] = false
		if code, _, _ := do(http.MethodGet, w.url("/api/reports/"+madeUpID(t, 1)), "", "", nil); code != http.StatusNotFound {
			t.Errorf("the writer still has the report deleted through a replica: %d", code)
		}
		// The writer's own answers, refusals included.
		code, body = upload(t, reps[1].proc, "", 7, 0)
		if code != http.StatusUnauthorized || !strings.Contains(string(body), `"code":"unauthorized"`) {
			t.Errorf("upload without a key through a replica: %d %s", code, body)
		}
		checkAcked(t, w, reps, acked, 10*time.Second)
	}) {
		return
	}

	if !t.Run("kill -9 of a NATS node: uploads and replication go on", func(t *testing.T) {
		victim := c.streamLeader(t, "KV_"+replica.BucketKV)
		t.Logf("killing %s, the leader of the published generation's stream", c.names[victim])
		c.kill(victim)
		uploadOK(t, w, 8, 0)
		acked[8] = true
		start := time.Now()
		for _, r := range reps {
			// A new stream leader is elected first: seconds, not 5.
			waitFound(t, r.proc, 8, start.Add(60*time.Second))
		}
		t.Logf("with %s dead the upload reached both replicas in %s", c.names[victim], time.Since(start).Round(time.Millisecond))
		uploadOK(t, w, 9, 0)
		acked[9] = true
		checkAcked(t, w, reps, acked, 30*time.Second)
		c.start(t, top, victim)
		c.waitJetStream(t)
	}) {
		return
	}

	if !t.Run("kill -9 of a replica: it restarts on its generation and catches up", func(t *testing.T) {
		r := reps[1]
		old := ready(t, r.proc).Generation
		r.proc.kill()
		uploadOK(t, w, 10, 0)
		acked[10] = true
		waitFound(t, reps[0].proc, 10, time.Now().Add(5*time.Second))
		r.restart(t, top)
		log := r.proc.stderr.String()
		served := strings.Index(log, `"msg":"serving the local generation","part":"replication","generation":"`+old+`"`)
		installed := strings.Index(log, `"msg":"installed"`)
		if served < 0 || (installed >= 0 && installed < served) {
			t.Errorf("the restarted replica did not serve its generation %s before installing another:\n%s", old, log)
		}
		waitGeneration(t, r.proc, ready(t, w.proc).Generation, 30*time.Second)
		checkAcked(t, w, reps, acked, 10*time.Second)
		sameAnswers(t, w, reps, 10)
	}) {
		return
	}

	if !t.Run("kill -9 of the writer in the middle of a publication", func(t *testing.T) {
		nc := c.connect(t)
		js, _ := jetstream.New(nc)
		kv, err := js.KeyValue(context.Background(), replica.BucketKV)
		if err != nil {
			t.Fatal(err)
		}
		midPublish := false
		for round, n := 1, 20; round <= 3 && !midPublish; round, n = round+1, n+1 {
			before := published(t, kv)
			victim := w.proc
			var once sync.Once
			chunks, err := nc.Subscribe("$O."+replica.BucketFiles+".C.>", func(*nats.Msg) {
				once.Do(func() { _ = victim.cmd.Process.Signal(syscall.SIGKILL) })
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := nc.Flush(); err != nil {
				t.Fatal(err)
			}
			// A large report makes a large segment: many chunks to die among.
			go upload(t, victim, adminKey, n, 600<<10)
			select {
			case <-victim.done:
			case <-time.After(60 * time.Second):
				t.Fatal("the writer never began to publish the upload")
			}
			chunks.Unsubscribe()
			after := published(t, kv)
			midPublish = after.Seq == before.Seq
			t.Logf("round %d: writer killed at its first uploaded chunk; published generation %s → %s", round, before.Name, after.Name)
			// The replicas serve the last complete generation, whole.
			for _, r := range reps {
				waitGeneration(t, r.proc, after.Name, 30*time.Second)
				checkWhole(t, r.proc)
				if got := total(t, r.proc, phrase(n)); got != 0 && got != madeUpParagraphs(t, n, 600<<10) {
					t.Errorf("replica %s shows %d paragraphs of report %d: neither none nor all %d", r.proc.addr, got, n, madeUpParagraphs(t, n, 600<<10))
				}
			}
			// The restarted writer publishes what it committed; what it
			// acknowledged before is all there.
			w.restart(t, top)
			waitConverged(t, w, reps, 60*time.Second)
			checkAcked(t, w, reps, acked, 10*time.Second)
			if got, want := total(t, reps[0].proc, phrase(n)), total(t, w.proc, phrase(n)); got != want {
				t.Errorf("after the writer's restart a replica shows %d paragraphs of report %d, the writer %d", got, n, want)
			}
			checkNoOrphanChunks(t, js)
		}
		if !midPublish {
			t.Errorf("in 3 rounds the writer was never killed before its publication completed")
		}
	}) {
		return
	}

	if !t.Run("a corrupted object is refused and the replica stays on its generation", func(t *testing.T) {
		nc := c.connect(t)
		js, _ := jetstream.New(nc)
		ctx := context.Background()
		kv, err := js.KeyValue(ctx, replica.BucketKV)
		if err != nil {
			t.Fatal(err)
		}
		files, err := js.ObjectStore(ctx, replica.BucketFiles)
		if err != nil {
			t.Fatal(err)
		}
		good := published(t, kv)
		// Files are sorted by path: the last is the bolt root, which every
		// install downloads.
		root := good.Files[len(good.Files)-1]
		if root.Path != "store/root.bolt" {
			t.Fatalf("the last file of %s is %s, not the bolt root", good.Name, root.Path)
		}
		original, err := files.GetBytes(ctx, root.ObjectName())
		if err != nil {
			t.Fatal(err)
		}
		bad := bytes.Clone(original)
		bad[len(bad)/3] ^= 0x55
		if _, err := files.PutBytes(ctx, root.ObjectName(), bad); err != nil {
			t.Fatal(err)
		}
		forged := *good
		forged.Seq++
		forged.Name = fmt.Sprintf("gen-%d", forged.Seq)
		if err := forged.Seal(); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(forged)
		if _, err := kv.Put(ctx, replica.KeyCurrent, raw); err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			rd := waitReady(t, r.proc, 30*time.Second, func(rd readiness) bool { return strings.HasPrefix(rd.Error, "refused") })
			if rd.Generation != good.Name || rd.Lag < 1 || !strings.Contains(rd.Error, "refused") {
				t.Errorf("replica %s after the corrupted generation: %+v; want %s served, lag ≥ 1, the refusal named", r.proc.addr, rd, good.Name)
			}
			checkWhole(t, r.proc)
		}
		sameAnswers(t, w, reps, 10)
		if _, err := files.PutBytes(ctx, root.ObjectName(), original); err != nil {
			t.Fatal(err)
		}
		uploadOK(t, w, 30, 0)
		acked[30] = true
		waitConverged(t, w, reps, 30*time.Second)
		checkAcked(t, w, reps, acked, 10*time.Second)
		for _, r := range reps {
			if rd := ready(t, r.proc); rd.Error != "" || rd.Lag != 0 {
				t.Errorf("replica %s after a good generation: %+v", r.proc.addr, rd)
			}
		}
	}) {
		return
	}

	t.Run("every NATS node down: replicas keep answering", func(t *testing.T) {
		before := map[string][]byte{}
		for _, path := range comparedPaths(t, 30) {
			before[path] = normalised(t, reps[0].proc, path)
		}
		for i := range c.names {
			c.kill(i)
		}
		for _, r := range reps {
			waitReady(t, r.proc, 30*time.Second, func(rd readiness) bool { return rd.NATS == "disconnected" })
			for path, want := range before {
				if got := normalised(t, r.proc, path); !bytes.Equal(got, want) {
					t.Errorf("replica %s with NATS down answers %s differently:\n%.300s\nbefore:\n%.300s", r.proc.addr, path, got, want)
				}
			}
		}
		code, body := upload(t, reps[0].proc, adminKey, 40, 0)
		if code != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"index_unavailable"`) {
			t.Errorf("a write to a replica with NATS down: %d %s; want a JSON 503", code, body)
		}
		// The writer commits the upload and publishes it once NATS is back.
		uploadOK(t, w, 41, 0)
		acked[41] = true
		for i := range c.names {
			c.start(t, top, i)
		}
		c.waitJetStream(t)
		waitConverged(t, w, reps, 90*time.Second)
		checkAcked(t, w, reps, acked, 10*time.Second)
	})
}

// replicationLog keeps a process log's lines about replication and, from
// a goroutine dump, the goroutines in the replica package.
func replicationLog(log string) string {
	var keep []string
	for line := range strings.SplitSeq(log, "\n") {
		if strings.Contains(line, `"part":"replication"`) || strings.Contains(line, `"level":"ERROR"`) {
			keep = append(keep, line)
		}
	}
	for g := range strings.SplitSeq(log, "\n\n") {
		if strings.HasPrefix(g, "goroutine ") && strings.Contains(g, "govsearch/replica.") {
			keep = append(keep, g)
		}
	}
	return strings.Join(keep, "\n")
}

// NATS cluster.

// natsCluster is three NATS servers with JetStream on loopback, each a
// process of this test binary (natstest.NodeMain).
type natsCluster struct {
	names         []string
	ports, cports []int
	stores        []string
	nodes         []*proc
}

func startNATSCluster(t *testing.T) *natsCluster {
	t.Helper()
	ports := natstest.FreePorts(t, 6)
	c := &natsCluster{names: []string{"n1", "n2", "n3"}, ports: ports[:3], cports: ports[3:], nodes: make([]*proc, 3)}
	dir := t.TempDir()
	for _, n := range c.names {
		c.stores = append(c.stores, filepath.Join(dir, n))
	}
	for i := range c.names {
		c.start(t, t, i)
	}
	c.waitJetStream(t)
	return c
}

// start runs node i, on its ports and store, until it accepts clients; it
// is killed when owner ends.
func (c *natsCluster) start(t, owner *testing.T, i int) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := natstest.NodeArgs(c.names[i], c.ports[i], c.cports[i], c.cports, c.stores[i])
	cmd := exec.Command(self, append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(cleanEnv(), helperEnv+"=nats-node")
	up := make(chan struct{})
	var once sync.Once
	p := launch(t, owner, cmd, func(line string) {
		if line == natstest.Ready {
			once.Do(func() { close(up) })
		}
	})
	select {
	case <-up:
	case <-p.done:
		t.Fatalf("NATS node %s exited at start: %v\n%s", c.names[i], p.err, p.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("NATS node %s did not start in 30 s\n%s", c.names[i], p.stderr)
	}
	c.nodes[i] = p
}

func (c *natsCluster) kill(i int) { c.nodes[i].kill() }

func (c *natsCluster) urls() string {
	var u []string
	for _, p := range c.ports {
		u = append(u, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	return strings.Join(u, ",")
}

// connect is a client of the test's own, closed when the test ends.
func (c *natsCluster) connect(t *testing.T) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(c.urls(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// waitJetStream waits until the cluster has a JetStream leader.
func (c *natsCluster) waitJetStream(t *testing.T) {
	t.Helper()
	nc := c.connect(t)
	js, _ := jetstream.New(nc)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := js.AccountInfo(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the NATS cluster has no JetStream leader after 60 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// streamLeader returns the node that leads the stream.
func (c *natsCluster) streamLeader(t *testing.T, stream string) int {
	t.Helper()
	js, _ := jetstream.New(c.connect(t))
	s, err := js.Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil || info.Cluster == nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	if i := slices.Index(c.names, info.Cluster.Leader); i >= 0 {
		return i
	}
	t.Fatalf("stream %s is led by %q, not a node of the cluster", stream, info.Cluster.Leader)
	return 0
}

// checkNoOrphanChunks checks that every chunk in the files bucket belongs
// to an object: the uploads of killed writers are purged.
func checkNoOrphanChunks(t *testing.T, js jetstream.JetStream) {
	t.Helper()
	ctx := context.Background()
	files, err := js.ObjectStore(ctx, replica.BucketFiles)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := files.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	owned := map[string]bool{}
	for _, i := range infos {
		owned[i.NUID] = true
	}
	s, err := js.Stream(ctx, "OBJ_"+replica.BucketFiles)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "$O." + replica.BucketFiles + ".C."
	si, err := s.Info(ctx, jetstream.WithSubjectFilter(prefix+">"))
	if err != nil {
		t.Fatal(err)
	}
	for subj := range si.State.Subjects {
		if !owned[strings.TrimPrefix(subj, prefix)] {
			t.Errorf("chunks on %s belong to no object: a killed upload was not purged", subj)
		}
	}
}

// published reads the published generation.
func published(t *testing.T, kv jetstream.KeyValue) *replica.Generation {
	t.Helper()
	e, err := kv.Get(context.Background(), replica.KeyCurrent)
	if err != nil {
		t.Fatal(err)
	}
	g, err := replica.DecodeGeneration(e.Value())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// govsearch processes.

// replicaProc is a govsearch serve process with its command line, so that
// it can be restarted on the same directory.
type replicaProc struct {
	*proc
	env  []string
	args []string
}

func startWriter(t *testing.T, dir, urls string) *replicaProc {
	return startRole(t, []string{"GOVSEARCH_ADMIN_KEY=" + adminKey}, "serve", "--index", dir, "--addr", "127.0.0.1:0", "--nats", urls, "--role", "writer")
}

func startReplica(t *testing.T, dir, urls string) *replicaProc {
	return startRole(t, nil, "serve", "--index", dir, "--addr", "127.0.0.1:0", "--nats", urls, "--role", "replica")
}

func startRole(t *testing.T, env []string, args ...string) *replicaProc {
	t.Helper()
	p := &replicaProc{env: env, args: args}
	p.restart(t, t)
	return p
}

// restart starts the process again (after a kill) and waits until it is
// ready: a replica once it serves a generation, a writer once its index is
// open. owner's end kills it.
func (p *replicaProc) restart(t, owner *testing.T) {
	t.Helper()
	p.proc = startOwned(t, owner, p.env, p.args...)
	p.proc.waitReady(t, 60*time.Second)
}

// readiness is the part of /readyz replication adds.
type readiness struct {
	Generation string `json:"generation"`
	Lag        int    `json:"lag"`
	NATS       string `json:"nats"`
	Error      string `json:"error"`
	Documents  int    `json:"documents"`
	Reports    int    `json:"reports"`
}

func ready(t *testing.T, p *proc) readiness {
	t.Helper()
	code, body, err := do(http.MethodGet, p.url("/readyz"), "", "", nil)
	if err != nil || code != http.StatusOK {
		t.Fatalf("%s/readyz: %d %s %v", p.addr, code, body, err)
	}
	var rd readiness
	if err := json.Unmarshal(body, &rd); err != nil {
		t.Fatal(err)
	}
	return rd
}

// waitReady polls /readyz until ok holds.
func waitReady(t *testing.T, p *proc, timeout time.Duration, ok func(readiness) bool) readiness {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		rd := ready(t, p)
		if ok(rd) {
			return rd
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: /readyz is %+v after %s", p.addr, rd, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitGeneration(t *testing.T, p *proc, gen string, timeout time.Duration) {
	t.Helper()
	waitReady(t, p, timeout, func(rd readiness) bool { return rd.Generation == gen })
}

// waitConverged waits until the writer has published everything and both
// replicas serve its generation.
func waitConverged(t *testing.T, w *replicaProc, reps []*replicaProc, timeout time.Duration) {
	t.Helper()
	wr := waitReady(t, w.proc, timeout, func(rd readiness) bool { return rd.Lag == 0 && rd.Generation != "" && rd.NATS == "connected" })
	for _, r := range reps {
		waitGeneration(t, r.proc, wr.Generation, timeout)
	}
}

// Uploads of made-up reports.

const madeUpPhrase = "琥珀计划"

// phrase is the phrase only made-up report n contains.
func phrase(n int) string { return fmt.Sprintf("%s%d号", madeUpPhrase, n) }

// madeUpSource is the file name report n is uploaded as.
func madeUpSource(n int) string { return fmt.Sprintf("made-up-%d.txt", n) }

func madeUpText(n, minBytes int) []byte { return testcorpus.MadeUpReport(n, phrase(n), minBytes) }

func madeUpReport(t *testing.T, n, minBytes int) ingest.Report {
	t.Helper()
	f, err := ingest.Parse(madeUpSource(n), madeUpText(n, minBytes))
	if err != nil || len(f.Reports) != 1 {
		t.Fatalf("made-up report %d: %v", n, err)
	}
	return f.Reports[0]
}

func madeUpID(t *testing.T, n int) string { return madeUpReport(t, n, 0).ID }

// madeUpParagraphs counts the paragraphs of report n that contain its phrase.
func madeUpParagraphs(t *testing.T, n, minBytes int) int {
	t.Helper()
	k := 0
	for _, p := range madeUpReport(t, n, minBytes).Paragraphs {
		if strings.Contains(p.Text, phrase(n)) {
			k++
		}
	}
	return k
}

func upload(t *testing.T, p *proc, key string, n, minBytes int) (int, []byte) {
	code, body, err := do(http.MethodPost, p.url("/api/reports?source="+madeUpSource(n)), key, "text/plain; charset=utf-8", bytes.NewReader(madeUpText(n, minBytes)))
	if err != nil {
		return 0, []byte(err.Error())
	}
	return code, body
}

func uploadOK(t *testing.T, p *replicaProc, n, minBytes int) {
	t.Helper()
	if code, body := upload(t, p.proc, adminKey, n, minBytes); code != http.StatusCreated {
		t.Fatalf("upload of report %d: %d %s", n, code, body)
	}
}

// total is the number of paragraphs a server finds for q.
func total(t *testing.T, p *proc, q string) int {
	t.Helper()
	code, body, err := do(http.MethodGet, p.url("/api/search?size=0&q="+url.QueryEscape(q)), "", "", nil)
	if err != nil || code != http.StatusOK {
		t.Fatalf("%s: search %q: %d %s %v", p.addr, q, code, body, err)
	}
	var r struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	return r.Total
}

// waitFound waits until a server finds every paragraph of report n.
func waitFound(t *testing.T, p *proc, n int, deadline time.Time) {
	t.Helper()
	want := madeUpParagraphs(t, n, 0)
	for {
		got := total(t, p, phrase(n))
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s finds %d of the %d paragraphs of report %d at the deadline", p.addr, got, want, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGone waits until a server finds nothing of report n.
func waitGone(t *testing.T, p *proc, n int, deadline time.Time) {
	t.Helper()
	for {
		got := total(t, p, phrase(n))
		if got == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still finds %d paragraphs of report %d, which was deleted", p.addr, got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkAcked checks that the writer and every replica hold each
// acknowledged report whole and none that was deleted.
func checkAcked(t *testing.T, w *replicaProc, reps []*replicaProc, acked map[int]bool, timeout time.Duration) {
	t.Helper()
	for n, present := range acked {
		for _, p := range append([]*replicaProc{w}, reps...) {
			if present {
				waitFound(t, p.proc, n, time.Now().Add(timeout))
			} else {
				waitGone(t, p.proc, n, time.Now().Add(timeout))
			}
		}
	}
}

// checkWhole checks through the API that a server's generation is whole:
// its document count is its reports plus the paragraphs they list.
func checkWhole(t *testing.T, p *proc) {
	t.Helper()
	rd := ready(t, p)
	code, body, err := do(http.MethodGet, p.url("/api/reports"), "", "", nil)
	if err != nil || code != http.StatusOK {
		t.Fatalf("%s: /api/reports: %d %v", p.addr, code, err)
	}
	var list struct {
		Reports []struct {
			Paragraphs int `json:"paragraphs"`
		} `json:"reports"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	docs := len(list.Reports)
	for _, r := range list.Reports {
		docs += r.Paragraphs
	}
	if docs != rd.Documents || len(list.Reports) != rd.Reports {
		t.Errorf("%s serves %d documents and %d reports, its reports list %d documents and %d reports", p.addr, rd.Documents, rd.Reports, docs, len(list.Reports))
	}
}

var tookMS = regexp.MustCompile(`"took_ms":[0-9.e+-]+`)

// normalised is a GET's body with took_ms zeroed.
func normalised(t *testing.T, p *proc, path string) []byte {
	t.Helper()
	code, body, err := do(http.MethodGet, p.url(path), "", "", nil)
	if err != nil || code != http.StatusOK {
		t.Fatalf("%s%s: %d %.200s %v", p.addr, path, code, body, err)
	}
	return tookMS.ReplaceAll(body, []byte(`"took_ms":0`))
}

// comparedPaths are the reads whose answers replicas must share with the
// writer; report n is a made-up one they hold.
func comparedPaths(t *testing.T, n int) []string {
	id := madeUpID(t, n)
	q := url.QueryEscape
	return []string{
		"/api/search?highlight=true&size=20&q=" + q(phrase(n)),
		"/api/search?size=50&q=" + q("一网通办"),
		"/api/search?q=" + q("区长 year:2018..2020") + "&sort=-year",
		"/api/search?size=0&q=" + q("level:district"),
		"/api/search?q=" + q(madeUpPhrase+" OR 营商环境") + "&region=" + q("静安区"),
		"/api/reports",
		"/api/reports/" + id,
		"/api/paragraphs/" + id + "-p3",
		"/api/trend?q=" + q("一网通办"),
		"/api/export?format=jsonl&q=" + q(madeUpPhrase),
		"/api/lexicon",
	}
}

// sameAnswers checks that every replica answers the compared reads byte
// for byte as the writer does, took_ms apart.
func sameAnswers(t *testing.T, w *replicaProc, reps []*replicaProc, n int) {
	t.Helper()
	for _, path := range comparedPaths(t, n) {
		want := normalised(t, w.proc, path)
		for _, r := range reps {
			if got := normalised(t, r.proc, path); !bytes.Equal(got, want) {
				t.Errorf("replica %s answers %s differently from the writer:\n%.300s\nwriter:\n%.300s", r.proc.addr, path, got, want)
			}
		}
	}
}
