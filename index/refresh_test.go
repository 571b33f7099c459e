package index

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"govsearch/analyzer"
)

// TestRefresh checks the update-or-rebuild rule on each state an index
// directory can be in.
func TestRefresh(t *testing.T) {
	analyzer.WaitReady()
	ctx := context.Background()
	older := reportInput("a.txt", "第一版一网通办。")
	newer := reportInput("b.txt", "第二版一网通办。", "另一段。")
	paragraphs := func(ins ...Input) int {
		n := 0
		for _, in := range ins {
			f, err := in.Parse()
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range f.Reports {
				n += len(r.Paragraphs)
			}
		}
		return n
	}
	refused := errors.New("refused")

	// States of the directory before Refresh.
	missing := func(t *testing.T, dir string) {}
	current := func(t *testing.T, dir string) {
		if _, err := Build(ctx, dir, []Input{older}, BuildOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// damaged is a current index whose manifest change rewrites behind its
	// back, deleting the documents change returns.
	damaged := func(change func(t *testing.T, ix *Index, m *manifest) (dels []string)) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			current(t, dir)
			ix, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			m := *ix.man.Load()
			dels := change(t, ix, &m)
			rewriteManifest(t, ix, m, dels...)
		}
	}
	// previous is an index as format 10 wrote it: plain zap segments.
	previous := func(t *testing.T, dir string) {
		defer func(old func() map[string]interface{}) { segmentConfig = old }(segmentConfig)
		segmentConfig = func() map[string]interface{} { return nil }
		damaged(func(t *testing.T, ix *Index, m *manifest) []string {
			m.Format = "10"
			return nil
		})(t, dir)
	}
	foreign := damaged(func(t *testing.T, ix *Index, m *manifest) []string {
		m.Analyzer = "other"
		return nil
	})
	// torn loses a paragraph and counts it out of the manifest, as a torn
	// write could: Open passes the index, Verify does not.
	torn := damaged(func(t *testing.T, ix *Index, m *manifest) []string {
		ids, err := ix.matchingIDs(ctx, termQ(fieldSource, "a.txt"))
		if err != nil || len(ids) == 0 {
			t.Fatalf("paragraphs of a.txt: %v, %v", ids, err)
		}
		m.Paragraphs--
		return ids[:1]
	})

	cases := []struct {
		name       string
		state      func(*testing.T, string)
		opts       RefreshOptions
		built      bool
		reason     error // what BeforeBuild is given; nil: no build or a requested one
		gen        string
		paragraphs int
		kept       bool
		err        error
	}{
		{name: "no index is built", state: missing, built: true, reason: ErrNoIndex, gen: "gen-1", paragraphs: paragraphs(newer)},
		{name: "a current index is updated", state: current, gen: "gen-1", paragraphs: paragraphs(older, newer)},
		{name: "rebuild builds over a current index", state: current, opts: RefreshOptions{Rebuild: true}, built: true, gen: "gen-2", paragraphs: paragraphs(newer)},
		{name: "an index of the previous format is rebuilt", state: previous, built: true, reason: ErrStale, gen: "gen-2", paragraphs: paragraphs(newer)},
		{name: "a stale index is rebuilt", state: foreign, built: true, reason: ErrStale, gen: "gen-2", paragraphs: paragraphs(newer)},
		{name: "keep leaves a current index alone", state: current, opts: RefreshOptions{KeepCurrent: true}, kept: true, gen: "gen-1", paragraphs: paragraphs(older)},
		{name: "keep rebuilds an index that fails Verify", state: torn, opts: RefreshOptions{KeepCurrent: true}, built: true, reason: ErrStale, gen: "gen-2", paragraphs: paragraphs(newer)},
		{name: "update ignores a torn index", state: torn, gen: "gen-1", paragraphs: paragraphs(older, newer) - 1},
		{name: "a refused build builds nothing", state: missing, opts: RefreshOptions{BeforeBuild: func(error) error { return refused }}, err: refused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.state(t, dir)
			var calls []error
			if c.opts.BeforeBuild == nil {
				c.opts.BeforeBuild = func(reason error) error { calls = append(calls, reason); return nil }
			}
			res, err := Refresh(ctx, dir, []Input{newer}, c.opts)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("Refresh = %v, want %v", err, c.err)
				}
				if _, err := Open(dir); !errors.Is(err, ErrNoIndex) {
					t.Errorf("after a refused build Open = %v, want ErrNoIndex", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer res.Index.Close()
			if res.Built != c.built || (res.Stats == nil) != c.kept {
				t.Errorf("built %v, stats %v; want built %v, kept %v", res.Built, res.Stats, c.built, c.kept)
			}
			switch {
			case !c.built && len(calls) > 0:
				t.Errorf("BeforeBuild called with %v, but nothing was to be built", calls)
			case c.built && len(calls) != 1:
				t.Errorf("BeforeBuild called %d times, want once", len(calls))
			case c.built && c.reason == nil && calls[0] != nil:
				t.Errorf("BeforeBuild reason %v, want nil for a requested rebuild", calls[0])
			case c.built && c.reason != nil && !errors.Is(calls[0], c.reason):
				t.Errorf("BeforeBuild reason %v, want %v", calls[0], c.reason)
			}
			if got := filepath.Base(res.Index.Dir()); got != c.gen {
				t.Errorf("generation %s, want %s", got, c.gen)
			}
			if got := res.Index.Paragraphs(); got != c.paragraphs {
				t.Errorf("%d paragraphs, want %d", got, c.paragraphs)
			}
			if c.built {
				checkCompactSegments(t, res.Index)
			}
		})
	}
}

// TestRefreshLocked checks that an index another opener holds is an error,
// never a reason to build.
func TestRefreshLocked(t *testing.T) {
	analyzer.WaitReady()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Build(ctx, dir, []Input{reportInput("a.txt", "正文。")}, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	holder, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	old := LockTimeout
	LockTimeout = 200 * time.Millisecond
	defer func() { LockTimeout = old }()
	built := false
	_, err = Refresh(ctx, dir, []Input{reportInput("b.txt", "正文。")}, RefreshOptions{BeforeBuild: func(error) error { built = true; return nil }})
	if !errors.Is(err, ErrLocked) || built {
		t.Errorf("Refresh of a locked index = %v (build started: %v), want ErrLocked", err, built)
	}
}

// checkCompactSegments fails unless every segment file of ix is in the
// compact format: a complete zap file followed by a section that ends with
// the compact magic.
func checkCompactSegments(t *testing.T, ix *Index) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(ix.BleveDir(), "store", "*.zap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("segment files of %s: %v, %v", ix.Dir(), files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(b, []byte("gsCmpct\x01")) {
			t.Errorf("%s is not a compact segment", f)
		}
	}
}
