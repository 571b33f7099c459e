package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"
)

// crashRounds is the number of kill -9 rounds per crash test:
// GOVSEARCH_CRASH_ROUNDS, default 3 (docs/reliability.md records runs of 20).
func crashRounds(t testing.TB) int { return envInt(t, "GOVSEARCH_CRASH_ROUNDS", 3) }

// TestKillDuringIndex kills the indexer with SIGKILL in the middle of a
// first build, an update in place and a rebuild, then checks that the index
// reopens with only complete reports and that re-running converges to the
// exact counts. Kills follow the index's own writes (see segmentWatcher),
// so they land while data is written however fast the machine is.
func TestKillDuringIndex(t *testing.T) {
	files := corpus(t)
	exp := expect(t, files)
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.path
	}
	if !haveIndexCommand(t) {
		t.Log("the binary has no `index` command: the indexer is this test binary calling index.Build and Index.Update")
	}

	// Complete runs build the index the update and rebuild rounds work on
	// and measure each kind of run: how many segment files an update
	// writes, and how long a build writes after creating its generation.
	dir := filepath.Join(t.TempDir(), "index")
	writes := map[string]int{}
	writing := map[string]time.Duration{}
	for _, kind := range []string{"first build", "update"} {
		w := newSegmentWatcher(dir)
		begin := time.Now()
		cmd := indexCommand(t, dir, paths, kind == "rebuild")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		var genAt time.Time
		if kind != "update" && w.waitGeneration(exited) {
			genAt = time.Now()
		}
		<-exited
		if !cmd.ProcessState.Success() {
			t.Fatalf("%s: %v\n%s", kind, cmd.ProcessState, out.String())
		}
		writes[kind] = max(w.count(), 1)
		if !genAt.IsZero() {
			writing[kind] = time.Since(genAt)
		}
		checkIndex(t, dir, exp, nil, nil, true)
		writing["rebuild"] = writing["first build"]
		t.Logf("complete %s over %d files (%d reports, %d paragraphs): %s, %d segment files, %s after the generation appeared",
			kind, len(files), len(exp), exp.paragraphs(), time.Since(begin).Round(time.Millisecond), writes[kind], writing[kind].Round(time.Millisecond))
	}

	r := rand.New(rand.NewPCG(8, uint64(time.Now().UnixNano())))
	rounds := crashRounds(t)
	kinds := []string{"update", "rebuild", "first build"}
	completed := 0
	for round := 1; round <= rounds; round++ {
		kind := kinds[(round-1)%len(kinds)]
		target := dir
		if kind == "first build" {
			target = filepath.Join(t.TempDir(), "fresh")
		}
		cmd := indexCommand(t, target, paths, kind == "rebuild")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		w := newSegmentWatcher(target)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		var waitErr error
		go func() { waitErr = cmd.Wait(); close(exited) }()
		// An update is killed after a random number of its segment writes;
		// a build, which writes few segment files, at a random moment after
		// its generation appeared. A few random milliseconds more land
		// kills inside a batch, a merge or the switch of CURRENT.
		jitter := time.Duration(r.IntN(30)) * time.Millisecond
		var reached bool
		var when string
		if kind == "update" {
			k := 1 + r.IntN(writes[kind])
			reached = w.waitFor(k, exited)
			when = fmt.Sprintf("after %d of ~%d segment writes + %s", k, writes[kind], jitter)
		} else if reached = w.waitGeneration(exited); reached {
			jitter += time.Duration(r.Int64N(int64(writing[kind])*9/10 + 1))
			when = fmt.Sprintf("%s after its generation appeared (a complete one writes for %s)", jitter.Round(time.Millisecond), writing[kind].Round(time.Millisecond))
		}
		status := "completed"
		if reached {
			time.Sleep(jitter)
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			if waitErr != nil {
				status = "killed " + when
			}
		} else if <-exited; waitErr != nil {
			t.Fatalf("round %d: the indexer failed on its own: %v\n%s", round, waitErr, out.String())
		}
		if status == "completed" {
			completed++
		}
		// The main index was complete before the round, and an update
		// replaces reports with the same content: it must still be exact.
		// A first build killed half-way leaves no index at all.
		exact := target == dir || status == "completed"
		st := checkIndex(t, target, exp, nil, nil, exact)
		if !exact && st.exists {
			t.Errorf("round %d: a killed first build left an index of %d reports", round, st.reports)
		}
		t.Logf("round %d: %s %s; index: %v, %d reports, %d paragraphs, %d generation dirs",
			round, kind, status, st.exists, st.reports, st.paragraphs, countGenerations(target))
		if t.Failed() {
			t.FailNow()
		}
	}
	// Re-running converges (the update above showed that a run over a
	// complete index changes nothing).
	runIndex(t, dir, paths)
	st := checkIndex(t, dir, exp, nil, nil, true)
	t.Logf("complete re-run: %d reports, %d paragraphs", st.reports, st.paragraphs)
	t.Logf("%d rounds, %d ran to completion before the kill; %d generation dirs remain", rounds, completed, countGenerations(dir))
}

// segmentWatcher counts the segment files (gen-*/index/store/*.zap) that
// appear under an index directory after it was created: each is a batch or
// a merge the index wrote.
type segmentWatcher struct {
	root string
	seen map[string]bool // segment files
	gens map[string]bool // generation directories
	n    int
}

func newSegmentWatcher(root string) *segmentWatcher {
	w := &segmentWatcher{root: root, seen: map[string]bool{}, gens: map[string]bool{}}
	for _, f := range w.segments() {
		w.seen[f] = true
	}
	m, _ := filepath.Glob(filepath.Join(root, "gen-*"))
	for _, g := range m {
		w.gens[g] = true
	}
	return w
}

func (w *segmentWatcher) segments() []string {
	m, _ := filepath.Glob(filepath.Join(w.root, "gen-*", "index", "store", "*.zap"))
	return m
}

// count returns the number of segment files written since the watcher was
// created (including ones merged away since).
func (w *segmentWatcher) count() int {
	for _, f := range w.segments() {
		if !w.seen[f] {
			w.seen[f] = true
			w.n++
		}
	}
	return w.n
}

// waitGeneration polls until a generation directory appears that was not
// there when the watcher was created (true) or exited is closed or two
// minutes pass (false).
func (w *segmentWatcher) waitGeneration(exited <-chan struct{}) bool {
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		m, _ := filepath.Glob(filepath.Join(w.root, "gen-*"))
		for _, g := range m {
			if !w.gens[g] {
				w.gens[g] = true
				return true
			}
		}
		select {
		case <-exited:
			return false
		case <-time.After(2 * time.Millisecond):
		}
	}
	return false
}

// waitFor polls until k new segment files were seen (true) or exited is
// closed (false).
func (w *segmentWatcher) waitFor(k int, exited <-chan struct{}) bool {
	for {
		if w.count() >= k {
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// runIndex indexes paths into dir and fails the test unless it succeeds.
func runIndex(t testing.TB, dir string, paths []string) {
	t.Helper()
	cmd := indexCommand(t, dir, paths, false)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("indexing %s: %v\n%s", dir, err, out)
	}
}

// countGenerations counts the generation directories in dir.
func countGenerations(dir string) int {
	m, _ := filepath.Glob(filepath.Join(dir, "gen-*"))
	return len(m)
}

// opState is what the client knows about one report after a round.
type opState int

const (
	stateUnknown opState = iota // a request was in flight when the server died
	statePresent                // the last acknowledged request added it
	stateAbsent                 // the last acknowledged request deleted it
)

// TestKillDuringPost kills the server with SIGKILL while three clients
// delete and upload reports, then checks that the index reopens, every
// acknowledged upload is complete, every acknowledged delete holds, no
// report is partial, and that re-uploading converges to the exact counts.
// The last round stops the server with SIGTERM and checks the same after a
// clean exit.
func TestKillDuringPost(t *testing.T) {
	files := corpus(t)
	exp := expect(t, files)
	byFile := map[string][]string{} // file name → its report ids
	for _, f := range files {
		one := expect(t, []corpusFile{f})
		for id := range one {
			byFile[f.name] = append(byFile[f.name], id)
		}
	}
	dir := seedIndex(t)
	r := rand.New(rand.NewPCG(8, uint64(time.Now().UnixNano())))

	// A complete upload pass measures how many segment files one writes.
	srv := serve(t, dir)
	start := time.Now()
	state := map[string]opState{}
	w := newSegmentWatcher(dir)
	postAll(t, srv, files, byFile, state, r, 3)
	writes := max(w.count(), 1)
	srv.kill()
	checkIndex(t, dir, exp, nil, nil, true)
	t.Logf("a complete upload pass over %d files takes %s and writes %d segment files", len(files), time.Since(start).Round(time.Millisecond), writes)

	rounds := crashRounds(t)
	for round := 1; round <= rounds; round++ {
		srv := serve(t, dir)
		// Delete a few reports first (acknowledged one by one), then
		// upload every file with three clients until the kill.
		var victims []string
		for id := range exp {
			if r.IntN(4) == 0 {
				victims = append(victims, id)
			}
		}
		sort.Strings(victims)
		// Every third round is killed during the deletes instead, a few
		// milliseconds into the j-th one.
		duringDeletes := round%3 == 2 && round != rounds && len(victims) > 0
		j := r.IntN(max(len(victims), 1))
		jitter := time.Duration(r.IntN(15)) * time.Millisecond
		var how string
		for i, id := range victims {
			if duringDeletes && i == j {
				go func() {
					time.Sleep(jitter)
					srv.kill()
				}()
				how = fmt.Sprintf("killed %s into delete %d of %d", jitter, j+1, len(victims))
			}
			state[id] = stateUnknown
			status, body, err := do("DELETE", srv.url("/api/reports/"+url.PathEscape(id)), adminKey, "", nil)
			switch {
			case err != nil && duringDeletes:
			case err != nil:
				t.Fatalf("round %d: DELETE %s: %v", round, id, err)
			case status == 200 || status == 404:
				state[id] = stateAbsent
			default:
				t.Fatalf("round %d: DELETE %s: %d %s", round, id, status, body)
			}
			if err != nil {
				break
			}
		}
		if duringDeletes {
			<-srv.done
		} else {
			how = postUntilStopped(t, srv, dir, files, byFile, state, r, writes, round == rounds)
		}
		var must, mustNot []string
		unknown := 0
		for id, s := range state {
			switch s {
			case statePresent:
				must = append(must, id)
			case stateAbsent:
				mustNot = append(mustNot, id)
			default:
				unknown++
			}
		}
		st := checkIndex(t, dir, exp, must, mustNot, false)
		t.Logf("round %d: %s; %d reports acknowledged present, %d deleted, %d in flight; index holds %d reports, %d paragraphs",
			round, how, len(must), len(mustNot), unknown, st.reports, st.paragraphs)
		if t.Failed() {
			t.FailNow()
		}
	}

	// Re-uploading everything converges, and doing it again changes nothing.
	for i := range 2 {
		srv := serve(t, dir)
		postAll(t, srv, files, byFile, state, r, 3)
		srv.stop(t)
		for _, f := range files {
			for _, id := range byFile[f.name] {
				if state[id] != statePresent {
					t.Fatalf("complete pass %d: upload of %s was not acknowledged", i+1, f.name)
				}
			}
		}
		st := checkIndex(t, dir, exp, nil, nil, true)
		t.Logf("complete re-upload %d: %d reports, %d paragraphs", i+1, st.reports, st.paragraphs)
	}
}

// TestKillDuringFirstServe kills `govsearch serve` while it builds the
// seed index on its first start: the directory then holds no index or a
// complete one, and the next start serves the exact seed counts.
func TestKillDuringFirstServe(t *testing.T) {
	exp := expect(t, seedCorpus(t))
	dir := filepath.Join(t.TempDir(), "index")
	r := rand.New(rand.NewPCG(9, uint64(time.Now().UnixNano())))
	for round := 1; round <= crashRounds(t); round++ {
		w := newSegmentWatcher(dir)
		if _, err := os.Stat(filepath.Join(dir, "CURRENT")); err == nil {
			// The last start finished its build: begin again in a new
			// directory, as serve builds only when there is no index.
			dir = filepath.Join(t.TempDir(), "index")
			w = newSegmentWatcher(dir)
		}
		srv := start(t, nil, "serve", "--index", dir, "--seed", "--addr", "127.0.0.1:0")
		if !w.waitGeneration(srv.done) {
			t.Fatalf("round %d: serve exited or never built: %v\n%s", round, srv.err, srv.stderr)
		}
		delay := time.Duration(r.Int64N(int64(2500 * time.Millisecond)))
		time.Sleep(delay)
		srv.kill()
		st := checkIndex(t, dir, exp, nil, nil, false)
		if st.exists && st.reports != len(exp) {
			t.Fatalf("round %d: a killed first start left %d of %d reports", round, st.reports, len(exp))
		}
		t.Logf("round %d: killed %s after the generation appeared; index: %v, %d reports, %d generation dirs",
			round, delay.Round(time.Millisecond), st.exists, st.reports, countGenerations(dir))
	}
	srv := serve(t, dir)
	srv.stop(t)
	st := checkIndex(t, dir, exp, nil, nil, true)
	t.Logf("the next start serves %d reports, %d paragraphs; %d generation dirs", st.reports, st.paragraphs, countGenerations(dir))
}

// postUntilStopped uploads every file with three clients and stops the
// server after a random number of its segment writes and a few random
// milliseconds, so the stop lands between and inside commits: with SIGKILL,
// or with SIGTERM when graceful, which must end in a clean exit. It returns
// how the server was stopped.
func postUntilStopped(t *testing.T, srv *proc, dir string, files []corpusFile, byFile map[string][]string,
	state map[string]opState, r *rand.Rand, writes int, graceful bool) string {
	t.Helper()
	k := 1 + r.IntN(writes)
	jitter := time.Duration(r.IntN(30)) * time.Millisecond
	w := newSegmentWatcher(dir)
	signal := "killed"
	if graceful {
		signal = "SIGTERM"
	}
	stopped := make(chan struct{})
	go func() {
		w.waitFor(k, srv.done)
		time.Sleep(jitter)
		if graceful {
			_ = srv.cmd.Process.Signal(syscall.SIGTERM)
			<-srv.done
		} else {
			srv.kill()
		}
		close(stopped)
	}()
	postAll(t, srv, files, byFile, state, r, 3)
	<-stopped
	if graceful && srv.err != nil {
		t.Errorf("the server did not shut down cleanly on SIGTERM: %v\n%s", srv.err, lastLine(srv.stderr.String()))
	}
	return fmt.Sprintf("%s after %d of ~%d segment writes + %s", signal, k, writes, jitter)
}

// postAll uploads files in random order with the given number of clients
// and records in state what each answer (or its absence) says about the
// reports of the file. It returns when every file was sent or the server
// is gone.
func postAll(t testing.TB, srv *proc, files []corpusFile, byFile map[string][]string, state map[string]opState, r *rand.Rand, clients int) {
	t.Helper()
	order := r.Perm(len(files))
	queue := make(chan corpusFile, len(files))
	for _, i := range order {
		queue <- files[i]
	}
	close(queue)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range queue {
				select {
				case <-srv.done:
					return
				default:
				}
				mu.Lock()
				for _, id := range byFile[f.name] {
					state[id] = stateUnknown
				}
				mu.Unlock()
				status, body, err := do("POST", srv.url("/api/reports?source="+url.QueryEscape(f.name)), adminKey,
					"text/plain; charset=utf-8", bytes.NewReader(f.data))
				if err != nil {
					select {
					case <-srv.done:
						return // killed mid-request: the reports stay unknown
					case <-time.After(20 * time.Second):
					}
					t.Errorf("POST %s: %v", f.name, err)
					return
				}
				if status != 201 {
					t.Errorf("POST %s: status %d %s", f.name, status, body)
					return
				}
				var resp struct {
					Reports []struct {
						ID         string `json:"id"`
						Paragraphs int    `json:"paragraphs"`
					} `json:"reports"`
				}
				if err := json.Unmarshal(body, &resp); err != nil {
					t.Errorf("POST %s: %v in %s", f.name, err, body)
					return
				}
				mu.Lock()
				for _, rep := range resp.Reports {
					state[rep.ID] = statePresent
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// writeFile writes data to path, failing the test on error.
func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
