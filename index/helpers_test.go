package index

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"govsearch/analyzer"
	"govsearch/ingest"
	"govsearch/internal/testcorpus"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Corpora the tests index: the seeds of the repository and, when the shared
// folder holds them, the national and the 2025 provincial reports.
var (
	seedDir      = "../testdata/reports"
	nationalDir  = filepath.Join(testcorpus.Dir(), "corpus", "national")
	provincesDir = filepath.Join(testcorpus.Dir(), "corpus", "provinces-2025")
)

// needCorpus skips t when path is a shared corpus and it is absent; the
// seeds are part of the repository, so their absence fails.
func needCorpus(t testing.TB, path string) {
	t.Helper()
	switch path {
	case nationalDir:
		testcorpus.Need(t, "national")
		return
	case provincesDir:
		testcorpus.Need(t, "provinces-2025")
		return
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

// tmpRoot holds the indexes built by this test binary.
var tmpRoot string

func TestMain(m *testing.M) {
	flag.Parse()
	var err error
	tmpRoot, err = os.MkdirTemp("", "govsearch-index-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	for _, c := range corpora {
		if c.ix != nil {
			c.ix.Close()
		}
	}
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// corpus is an index built once per test binary plus the records it was
// built from, the ground truth of the exactness tests.
type corpus struct {
	once    sync.Once
	dir     string
	ix      *Index
	records []ingest.Record
	byID    map[string]*ingest.Record
	err     error
}

var corpora = map[string]*corpus{
	seedDir:      {},
	nationalDir:  {},
	provincesDir: {},
}

// openCorpus returns the index of the report files under path, building it
// on first use. It skips the test when the national corpus is absent.
func openCorpus(t testing.TB, path string) *corpus {
	t.Helper()
	needCorpus(t, path)
	c := corpora[path]
	c.once.Do(func() {
		inputs, err := reportInputs(path)
		if err != nil {
			c.err = err
			return
		}
		analyzer.WaitReady()
		c.dir = filepath.Join(tmpRoot, filepath.Base(path))
		if _, err := Build(context.Background(), c.dir, inputs, BuildOptions{}); err != nil {
			c.err = err
			return
		}
		if c.ix, err = Open(c.dir); err != nil {
			c.err = err
			return
		}
		c.byID = map[string]*ingest.Record{}
		for _, in := range inputs {
			data, err := in.Read()
			if err != nil {
				c.err = err
				return
			}
			f, err := ingest.Parse(in.Name, data)
			if err != nil {
				continue // Build skipped it too
			}
			for _, r := range f.Reports {
				c.records = append(c.records, r.Records()...)
			}
		}
		for i := range c.records {
			c.byID[c.records[i].ID] = &c.records[i]
		}
	})
	if c.err != nil {
		t.Fatalf("building the index of %s: %v", path, c.err)
	}
	return c
}

// onCorpora runs fn as a subtest on the seeds, the national and the
// provincial reports (those present), with the number of samples to draw
// from each.
func onCorpora(t *testing.T, seeds, national, provinces int, fn func(t *testing.T, c *corpus, samples int)) {
	for _, tc := range []struct {
		name, path string
		samples    int
	}{{"seeds", seedDir, seeds}, {"national", nationalDir, national}, {"provinces-2025", provincesDir, provinces}} {
		t.Run(tc.name, func(t *testing.T) { fn(t, openCorpus(t, tc.path), tc.samples) })
	}
}

// reportInputs lists the report files under dir.
func reportInputs(dir string) ([]Input, error) {
	return ingest.InputsFromPaths([]string{dir})
}

// expected returns the ids of the records whose normalised text contains
// every group (any alternative) and no excluded term, sorted.
func (c *corpus) expected(groups [][]string, exclude []string) []string {
	var ids []string
	for _, r := range c.records {
		text := analyzer.Normalize(r.Text)
		ok := true
		for _, g := range groups {
			any := false
			for _, alt := range g {
				if strings.Contains(text, analyzer.Normalize(alt)) {
					any = true
				}
			}
			ok = ok && any
		}
		for _, x := range exclude {
			if strings.Contains(text, analyzer.Normalize(x)) {
				ok = false
			}
		}
		if ok {
			ids = append(ids, r.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// exportIDs runs an export and returns the distinct paragraph ids and the
// number of rows.
func exportIDs(t testing.TB, ix *Index, req Request) (ids []string, rows []ExportRow) {
	t.Helper()
	seen := map[string]bool{}
	err := ix.Export(context.Background(), req, func(r ExportRow) error {
		rows = append(rows, r)
		if !seen[r.ID] {
			seen[r.ID] = true
			ids = append(ids, r.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("export %q: %v", req.Query, err)
	}
	sort.Strings(ids)
	return ids, rows
}

// searchAll pages through every hit of req with search_after.
func searchAll(t testing.TB, ix *Index, req Request) []Hit {
	t.Helper()
	req.Size = MaxSize
	req.Facets = []string{}
	var all []Hit
	for {
		res, err := ix.Search(context.Background(), req)
		if err != nil {
			t.Fatalf("search %q: %v", req.Query, err)
		}
		all = append(all, res.Hits...)
		if len(res.Hits) < req.Size {
			return all
		}
		req.SearchAfter = res.Hits[len(res.Hits)-1].Sort
	}
}

// quote writes s as one term of the query language.
func quote(s string) string { return quoteTerm(s) }

func diffIDs(got, want []string) string {
	g := map[string]bool{}
	for _, id := range got {
		g[id] = true
	}
	w := map[string]bool{}
	for _, id := range want {
		w[id] = true
	}
	var extra, missing []string
	for _, id := range got {
		if !w[id] {
			extra = append(extra, id)
		}
	}
	for _, id := range want {
		if !g[id] {
			missing = append(missing, id)
		}
	}
	nExtra, nMissing := len(extra), len(missing)
	if nExtra > 5 {
		extra = append(extra[:5], "…")
	}
	if nMissing > 5 {
		missing = append(missing[:5], "…")
	}
	return fmt.Sprintf("%d unexpected %v, %d missing %v", nExtra, extra, nMissing, missing)
}
