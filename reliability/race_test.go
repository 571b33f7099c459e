package reliability

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"govsearch/analyzer"
	"govsearch/index"
	"govsearch/ingest"
)

// TestConcurrentSearchIngestRebuild searches one open index from four
// goroutines while one adds and deletes reports through the API's
// AddReports and DeleteReport, one re-indexes files with Update, and one
// rebuilds the same directory into a new generation and searches that.
// Run under -race (scripts/test.sh does) it must report no race; under
// any build the index must end exact. GOVSEARCH_RACE_ROUNDS (default 2)
// sets the writer rounds.
func TestConcurrentSearchIngestRebuild(t *testing.T) {
	if !raceEnabled {
		t.Log("the race detector is off: run `go test -race -run TestConcurrentSearchIngestRebuild ./reliability/` for the race check")
	}
	rounds := envInt(t, "GOVSEARCH_RACE_ROUNDS", 2)
	// A small corpus: the race detector slows analysis about tenfold.
	var files, seeds []corpusFile
	for _, f := range corpus(t) {
		switch f.name {
		case "003_8b03acbbd24002e3.txt", "004_ac14b5baea4f6a89.txt":
			seeds = append(seeds, f)
			files = append(files, f)
		case "1975_国务院_政府工作报告.txt":
			files = append(files, f)
		}
	}
	if len(seeds) != 2 {
		t.Fatalf("the seed files 003 and 004 are missing")
	}
	exp := expect(t, files)
	ctx := context.Background()
	analyzer.Preload()

	dir := filepath.Join(t.TempDir(), "index")
	st, err := index.Build(ctx, dir, inputs(files), index.BuildOptions{})
	if err != nil || len(st.Errors) > 0 {
		t.Fatalf("build: %v %v", err, st)
	}
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	// The API writer works on parsed reports, as POST /api/reports does.
	var uploads [][]ingest.Report
	for _, f := range files {
		pf, err := ingest.Parse(f.name, f.data)
		if err != nil {
			t.Fatal(err)
		}
		uploads = append(uploads, pf.Reports)
	}

	var (
		stop     atomic.Bool
		searches atomic.Int64
		wg       sync.WaitGroup
		writers  sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		t.Errorf(format, args...)
		stop.Store(true)
	}
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				q := loadQueries[(g+i)%len(loadQueries)]
				req := index.Request{Query: q, Highlight: true, Size: 20}
				switch i % 6 {
				case 0, 1, 2:
					if _, err := ix.Search(ctx, req); err != nil {
						fail("search %s: %v", q, err)
					}
				case 3:
					if _, err := ix.Trend(ctx, req); err != nil {
						fail("trend %s: %v", q, err)
					}
				case 4:
					list, err := ix.Reports(ctx)
					if err != nil {
						fail("reports: %v", err)
						continue
					}
					for _, s := range list[:min(2, len(list))] {
						if _, err := ix.Report(ctx, s.ID); err != nil && !errors.Is(err, index.ErrNotFound) {
							fail("report %s: %v", s.ID, err)
						}
					}
				case 5:
					n := 0
					if err := ix.Export(ctx, req, func(index.ExportRow) error { n++; return nil }); err != nil {
						fail("export %s: %v", q, err)
					}
					_ = ix.Stats()
				}
				searches.Add(1)
			}
		}()
	}

	writers.Add(3)
	go func() { // the API: delete and re-add every upload
		defer writers.Done()
		for range rounds {
			for _, reps := range uploads {
				for _, r := range reps {
					if err := ix.DeleteReport(ctx, r.ID); err != nil {
						fail("delete %s: %v", r.ID, err)
					}
				}
				if err := ix.AddReports(ctx, reps); err != nil {
					fail("add: %v", err)
				}
			}
		}
	}()
	go func() { // the indexer updating in place
		defer writers.Done()
		for range rounds {
			if st, err := ix.Update(ctx, inputs(seeds), index.BuildOptions{}); err != nil || len(st.Errors) > 0 {
				fail("update: %v %v", err, st.Errors)
			}
		}
	}()
	go func() { // a rebuild next to the open generation, then a look at it
		defer writers.Done()
		st, err := index.Build(ctx, dir, inputs(files), index.BuildOptions{BatchSize: 100})
		if err != nil || len(st.Errors) > 0 {
			fail("rebuild: %v %v", err, st)
			return
		}
		fresh, err := index.Open(dir)
		if err != nil {
			fail("opening the rebuilt generation: %v", err)
			return
		}
		defer fresh.Close()
		if fresh.Dir() == ix.Dir() {
			fail("the rebuild did not make a new generation")
		}
		if _, err := fresh.Search(ctx, index.Request{Query: "一网通办"}); err != nil {
			fail("search on the rebuilt generation: %v", err)
		}
		checkOpen(t, fresh, exp, nil, nil, true)
	}()
	writers.Wait()
	stop.Store(true)
	wg.Wait()
	t.Logf("race detector %v: %d reads during %d API rounds, %d updates and a rebuild", raceEnabled, searches.Load(), rounds, rounds)
	checkOpen(t, ix, exp, nil, nil, true)
}

// inputs turns corpus files into index inputs.
func inputs(files []corpusFile) []index.Input {
	out := make([]index.Input, len(files))
	for i, f := range files {
		data := f.data
		out[i] = index.Input{Name: f.name, Size: int64(len(data)), Read: func() ([]byte, error) { return data, nil }}
	}
	return out
}
