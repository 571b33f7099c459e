package reliability

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"govsearch/index"
)

// manifestKey is the internal key under which the index keeps its manifest
// (index/index.go); the tests tamper with it the way a bug or a foreign
// tool could.
const manifestKey = "govsearch_manifest"

// seedCorpus returns the seed files only: what `govsearch serve` indexes
// when it builds an index itself.
func seedCorpus(t testing.TB) []corpusFile {
	var out []corpusFile
	for _, f := range corpus(t) {
		if strings.Contains(filepath.ToSlash(f.path), "/testdata/reports/") {
			out = append(out, f)
		}
	}
	return out
}

// TestIntegrityOnOpen damages a seed index in ways its manifest can
// reveal and checks that each is reported when the index is opened, that
// `govsearch serve --index DIR` refuses to serve it with a message saying
// how to rebuild, and that serve at its default location repairs it by a
// rebuild to the exact seed counts.
func TestIntegrityOnOpen(t *testing.T) {
	seeds := seedCorpus(t)
	exp := expect(t, seeds)
	var seedPaths []string
	for _, f := range seeds {
		seedPaths = append(seedPaths, f.path)
	}
	pristine := seedIndex(t)
	checkIndex(t, pristine, exp, nil, nil, true)

	cases := []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   string // in the error of index.Open
		repair string // "serve" or "index": who repairs it ("" none: a few seconds each)
	}{
		{"manifest counts one report too many", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) { m["reports"] = m["reports"].(float64) + 1 })
		}, "manifest counts", "serve"},
		{"manifest from another analyzer", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) { m["analyzer"] = "word0-old" })
		}, "written with", ""},
		{"manifest missing", func(t *testing.T, dir string) {
			withBleve(t, dir, func(bi bleve.Index) error { return bi.DeleteInternal([]byte(manifestKey)) })
		}, "no manifest", ""},
		{"a paragraph deleted behind the manifest's back", func(t *testing.T, dir string) {
			withBleve(t, dir, func(bi bleve.Index) error { return bi.Delete(firstParagraphID(t, bi)) })
		}, "manifest counts", "index"},
		{"CURRENT names a missing generation", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "CURRENT"), []byte("gen-99\n"))
		}, "missing", ""},
		{"CURRENT is garbage", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "CURRENT"), []byte("../../etc\n"))
		}, "not a generation", "index"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "index")
			copyDir(t, pristine, dir)
			tc.damage(t, dir)

			ix, err := index.Open(dir)
			if err == nil {
				ix.Close()
				t.Fatal("index.Open accepted the damaged index")
			}
			if !errors.Is(err, index.ErrStale) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("index.Open: %v; want ErrStale mentioning %q", err, tc.want)
			}

			// An explicit --index is the user's corpus: serve refuses and
			// says how to rebuild.
			p := start(t, nil, "serve", "--index", dir, "--addr", "127.0.0.1:0")
			select {
			case <-p.done:
			case <-time.After(30 * time.Second):
				t.Fatalf("serve kept running on a damaged index\n%s", p.stderr)
			}
			if p.err == nil || !strings.Contains(p.stderr.String(), "govsearch index --index") {
				t.Errorf("serve on the damaged index: exit %v, message:\n%s", p.err, lastLine(p.stderr.String()))
			}

			switch tc.repair {
			case "serve":
				// At the default location serve rebuilds from the seeds.
				p = start(t, []string{"GOVSEARCH_INDEX=" + dir}, "serve", "--addr", "127.0.0.1:0")
				p.waitReady(t, 2*time.Minute)
				p.stop(t)
				if !strings.Contains(p.stderr.String(), "rebuilding") {
					t.Errorf("serve repaired silently; its log:\n%s", p.stderr)
				}
			case "index":
				// The indexer rebuilds a stale index and says so.
				cmd := indexCommand(t, dir, seedPaths, false)
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("the indexer did not repair the index: %v\n%s", err, out)
				}
				if !strings.Contains(string(out), "stale") {
					t.Errorf("the indexer repaired silently:\n%s", out)
				}
			default:
				return
			}
			checkIndex(t, dir, exp, nil, nil, true)
		})
	}

	// The manifest holds totals only: a report that lost a paragraph while
	// the totals were kept consistent passes Open. Index.Verify finds it,
	// and serve runs Verify before it serves.
	t.Run("a paragraph deleted and the manifest adjusted", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "index")
		copyDir(t, pristine, dir)
		withBleve(t, dir, func(bi bleve.Index) error { return bi.Delete(firstParagraphID(t, bi)) })
		editManifest(t, dir, func(m map[string]any) { m["paragraphs"] = m["paragraphs"].(float64) - 1 })
		ix, err := index.Open(dir)
		if err != nil {
			t.Logf("index.Open: %v", err)
		} else {
			verr := ix.Verify(context.Background())
			ix.Close()
			if !errors.Is(verr, index.ErrStale) {
				t.Fatalf("Index.Verify: %v, want ErrStale", verr)
			}
			t.Logf("index.Open accepts it; Index.Verify: %v", verr)
		}
		p := start(t, nil, "serve", "--index", dir, "--addr", "127.0.0.1:0")
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			select {
			case <-p.done:
				t.Logf("serve refused: %s", lastLine(p.stderr.String()))
				return
			default:
			}
			if status, _, _ := do("GET", p.url("/readyz"), "", "", nil); status == 200 {
				t.Errorf("serve --index serves an index with a partial report")
				return
			}
		}
		t.Fatalf("serve neither refused nor served the index within a minute\n%s", p.stderr)
	})
}

// generationPath returns the bleve index path of dir's current generation.
func generationPath(t testing.TB, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, strings.TrimSpace(string(b)), "index")
}

// withBleve opens dir's current generation with bleve directly and runs f.
func withBleve(t testing.TB, dir string, f func(bleve.Index) error) {
	t.Helper()
	bi, err := bleve.Open(generationPath(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := f(bi); err != nil {
		bi.Close()
		t.Fatal(err)
	}
	if err := bi.Close(); err != nil {
		t.Fatal(err)
	}
}

// editManifest rewrites the stored manifest through edit.
func editManifest(t testing.TB, dir string, edit func(map[string]any)) {
	t.Helper()
	withBleve(t, dir, func(bi bleve.Index) error {
		raw, err := bi.GetInternal([]byte(manifestKey))
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		edit(m)
		raw, err = json.Marshal(m)
		if err != nil {
			return err
		}
		return bi.SetInternal([]byte(manifestKey), raw)
	})
}

// firstParagraphID returns the id of some paragraph document.
func firstParagraphID(t testing.TB, bi bleve.Index) string {
	t.Helper()
	q := query.NewTermQuery("p")
	q.SetField("type")
	res, err := bi.Search(bleve.NewSearchRequestOptions(q, 1, 0, false))
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("no paragraph document found: %v", err)
	}
	return res.Hits[0].ID
}

// copyDir copies the tree src to dst.
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}
