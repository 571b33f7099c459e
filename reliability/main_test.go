package reliability

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/internal/testcorpus"
)

// Keys the servers under test run with. They are long and distinctive so a
// leak into a log is easy to find.
const (
	adminKey  = "rel-admin-7d1f0c9e4b2a86f35e10c4d7a9b2e6f1"
	searchKey = "rel-search-3a8e5f20b71c94d6e0f2a5c8b1d7e4f9"
)

var (
	// binary is the govsearch binary built for this test run.
	binary string
	// tempRoot holds the binary and every index the tests create.
	tempRoot string
	// buildErr is set when the binary could not be built.
	buildErr error
)

// helperEnv selects a helper mode of the test binary itself (see
// runHelper); it is how a test gets a second process that uses the index
// package directly.
const helperEnv = "GOVSEARCH_RELIABILITY_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode, os.Args))
	}
	var err error
	tempRoot, err = os.MkdirTemp("", "govsearch-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(tempRoot, "govsearch")
	cmd := exec.Command("go", "build", "-o", binary, "govsearch/cmd/govsearch")
	if out, err := cmd.CombinedOutput(); err != nil {
		buildErr = fmt.Errorf("go build: %v\n%s", err, out)
	}
	code := m.Run()
	os.RemoveAll(tempRoot)
	os.Exit(code)
}

// needBinary fails the test when the binary could not be built.
func needBinary(t testing.TB) {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
}

// envInt reads a positive integer knob from the environment.
func envInt(t testing.TB, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// Corpus.

// corpusFile is one raw report file the tests feed to the program.
type corpusFile struct {
	name string // base name, the source name the server sees
	path string
	data []byte
}

// nationalSample names a few small national reports; with the seeds they
// make a corpus that indexes in a few seconds yet mixes simplified,
// full-width and district and national material.
var nationalSample = []string{
	"1975_国务院_政府工作报告.txt",
	"1960_国务院_政府工作报告.txt",
	"1980_国务院_政府工作报告.txt",
}

// corpus returns the seed files and, when the shared folder holds the
// national corpus, the national sample. The seeds always come from the
// repository.
func corpus(t testing.TB) []corpusFile {
	t.Helper()
	var out []corpusFile
	seeds, err := filepath.Glob(filepath.Join("..", "testdata", "reports", "*.txt"))
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no seed files under testdata/reports: %v", err)
	}
	paths := seeds
	if national := testcorpus.Corpus("national"); national == "" {
		t.Log(testcorpus.Missing("national") + ": the seeds alone")
	} else {
		for _, n := range nationalSample {
			p := filepath.Join(national, n)
			if _, err := os.Stat(p); err == nil {
				paths = append(paths, p)
			}
		}
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, corpusFile{name: filepath.Base(p), path: abs, data: data})
	}
	return out
}

// expectation maps each report id to its sorted paragraph ids.
type expectation map[string][]string

// expect parses files the way the program does and returns what a complete
// index of them holds. Report ids must be unique across the files.
func expect(t testing.TB, files []corpusFile) expectation {
	t.Helper()
	exp := expectation{}
	for _, f := range files {
		pf, err := ingest.Parse(f.name, f.data)
		if err != nil {
			t.Fatalf("parsing %s: %v", f.name, err)
		}
		for _, r := range pf.Reports {
			if _, dup := exp[r.ID]; dup {
				t.Fatalf("report id %s appears twice in the test corpus", r.ID)
			}
			ids := make([]string, len(r.Paragraphs))
			for i, p := range r.Paragraphs {
				ids[i] = p.ID
			}
			slices.Sort(ids)
			exp[r.ID] = ids
		}
	}
	return exp
}

func (e expectation) paragraphs() int {
	n := 0
	for _, ids := range e {
		n += len(ids)
	}
	return n
}

// indexState is what checkIndex found.
type indexState struct {
	exists     bool
	reports    int
	paragraphs int
	ids        map[string]bool
}

// checkIndex opens the index in dir and checks it against exp: it opens
// (its manifest agrees with its documents), every report it holds is
// complete (exactly its expected paragraphs, no more, no fewer), every
// report in must is present, and the document count equals the reports plus
// their paragraphs, so no stray paragraph exists. With exact, it must hold
// every expected report. A missing index is allowed when must is empty.
// No report in mustNot may be present.
func checkIndex(t testing.TB, dir string, exp expectation, must, mustNot []string, exact bool) indexState {
	t.Helper()
	ix, err := index.Open(dir)
	if errors.Is(err, index.ErrNoIndex) && len(must) == 0 && !exact {
		return indexState{}
	}
	if err != nil {
		t.Fatalf("the index does not reopen: %v", err)
	}
	defer ix.Close()
	return checkOpen(t, ix, exp, must, mustNot, exact)
}

// checkOpen is checkIndex on an open index.
func checkOpen(t testing.TB, ix *index.Index, exp expectation, must, mustNot []string, exact bool) indexState {
	t.Helper()
	ctx := context.Background()
	list, err := ix.Reports(ctx)
	if err != nil {
		t.Fatalf("listing reports: %v", err)
	}
	st := indexState{exists: true, ids: map[string]bool{}}
	for _, s := range list {
		want, ok := exp[s.ID]
		if !ok {
			t.Errorf("unexpected report %s in the index", s.ID)
			continue
		}
		if st.ids[s.ID] {
			t.Errorf("report %s listed twice", s.ID)
		}
		st.ids[s.ID] = true
		rep, err := ix.Report(ctx, s.ID)
		if err != nil {
			t.Errorf("report %s: %v", s.ID, err)
			continue
		}
		got := make([]string, len(rep.Paragraphs))
		for i, p := range rep.Paragraphs {
			got[i] = p.ID
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("report %s is partial or mixed: %d paragraphs visible, %d expected", s.ID, len(got), len(want))
		}
		if s.Paragraphs != len(want) {
			t.Errorf("report %s: summary says %d paragraphs, want %d", s.ID, s.Paragraphs, len(want))
		}
		st.reports++
		st.paragraphs += len(got)
	}
	for _, id := range must {
		if !st.ids[id] {
			t.Errorf("acknowledged report %s is missing", id)
		}
	}
	for _, id := range mustNot {
		if st.ids[id] {
			t.Errorf("report %s was deleted (acknowledged) but is present", id)
		}
	}
	if err := ix.Verify(ctx); err != nil {
		t.Errorf("Index.Verify: %v", err)
	}
	stats := ix.Stats()
	if stats.Reports != st.reports || stats.Documents != uint64(st.reports+st.paragraphs) {
		t.Errorf("index stats: %d reports, %d documents; visible: %d reports, %d paragraphs (stray or duplicate documents)",
			stats.Reports, stats.Documents, st.reports, st.paragraphs)
	}
	if exact && (st.reports != len(exp) || st.paragraphs != exp.paragraphs()) {
		t.Errorf("after a complete run the index holds %d reports and %d paragraphs, want %d and %d",
			st.reports, st.paragraphs, len(exp), exp.paragraphs())
	}
	return st
}

// Processes.

// proc is a running govsearch process.
type proc struct {
	cmd    *exec.Cmd
	addr   string // host:port once serving
	stderr *syncBuffer
	done   chan struct{}
	err    error // Wait's result, once done is closed
}

// syncBuffer is a bytes.Buffer safe for a writer and readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs the binary with args and extra environment. The child gets
// no key from the test's own environment.
func start(t testing.TB, env []string, args ...string) *proc {
	t.Helper()
	return startOwned(t, t, env, args...)
}

// startOwned is start for a process that outlives the (sub)test t that
// starts it: it is killed when owner ends.
func startOwned(t, owner testing.TB, env []string, args ...string) *proc {
	t.Helper()
	needBinary(t)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	addr := make(chan string, 1)
	p := launch(t, owner, cmd, func(line string) {
		if a, ok := strings.CutPrefix(line, "govsearch: serving on http://"); ok {
			select {
			case addr <- strings.TrimSuffix(a, "/"):
			default:
			}
		}
	})
	if len(args) > 0 && args[0] == "serve" {
		select {
		case p.addr = <-addr:
		case <-p.done:
			// A server that listens and then stops at once (a refused
			// index) may exit before its address line is read.
			select {
			case p.addr = <-addr:
			case <-time.After(time.Second):
				t.Fatalf("govsearch serve exited at start: %v\n%s", p.err, p.stderr)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("govsearch serve did not start listening\n%s", p.stderr)
		}
	}
	return p
}

// launch starts cmd, keeping its standard error and passing each line of
// its standard output to onLine; the process is killed when owner ends.
func launch(t, owner testing.TB, cmd *exec.Cmd, onLine func(string)) *proc {
	t.Helper()
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			onLine(sc.Text())
		}
	}()
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	owner.Cleanup(func() { p.kill() })
	return p
}

// cleanEnv is the test's environment without govsearch settings.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOVSEARCH_") {
			out = append(out, kv)
		}
	}
	return out
}

// kill ends the process with SIGKILL and waits for it.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop ends the process with SIGTERM (a graceful shutdown) and waits.
func (p *proc) stop(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.kill()
		t.Errorf("govsearch did not stop on SIGTERM within 20 s")
	}
}

// url returns the server's URL for path.
func (p *proc) url(path string) string { return "http://" + p.addr + path }

// waitReady polls /readyz until the index is open.
func (p *proc) waitReady(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("govsearch exited before it was ready: %v\n%s", p.err, p.stderr)
		default:
		}
		resp, err := http.Get(p.url("/readyz"))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("govsearch was not ready within %s\n%s", timeout, p.stderr)
}

// serve starts `govsearch serve` on dir with both keys and waits until it
// is ready; a dir without an index gets the seeds.
func serve(t testing.TB, dir string) *proc {
	t.Helper()
	p := start(t, []string{"GOVSEARCH_ADMIN_KEY=" + adminKey, "GOVSEARCH_SEARCH_KEY=" + searchKey},
		"serve", "--index", dir, "--seed", "--addr", "127.0.0.1:0")
	p.waitReady(t, 2*time.Minute)
	return p
}

var (
	pristineOnce sync.Once
	pristineDir  string
	pristineErr  string
)

// seedIndex returns a fresh copy of an index of the seed corpus that
// `govsearch serve` built on its first start (built once per test run).
func seedIndex(t *testing.T) string {
	t.Helper()
	pristineOnce.Do(func() {
		dir := filepath.Join(tempRoot, "pristine")
		p := start(t, []string{"GOVSEARCH_INDEX=" + dir}, "serve", "--addr", "127.0.0.1:0")
		p.waitReady(t, 2*time.Minute)
		p.stop(t)
		if p.err != nil {
			pristineErr = fmt.Sprintf("building the seed index: %v\n%s", p.err, p.stderr)
			return
		}
		pristineDir = dir
	})
	if pristineDir == "" {
		t.Fatal("no seed index: " + pristineErr)
	}
	dst := filepath.Join(t.TempDir(), "index")
	copyDir(t, pristineDir, dst)
	return dst
}

// client is the HTTP client of the tests: no keep-alive surprises across
// killed servers, and a hard cap on every request.
var client = &http.Client{Timeout: 30 * time.Second}

// do sends a request with the given key ("" for none) and returns the
// status and body.
func do(method, url, key, contentType string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return 0, nil, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
