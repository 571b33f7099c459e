package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"

	"govsearch/analyzer"
	"govsearch/ingest"
)

// newScratchIndex builds an index from one small report and returns it
// open; it is closed when the test ends.
func newScratchIndex(t *testing.T) *Index {
	t.Helper()
	analyzer.WaitReady()
	dir := t.TempDir()
	in := []Input{reportInput("seed.txt", "一年来，我们推进改革。", "持续优化营商环境。")}
	if _, err := Build(context.Background(), dir, in, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// reportInput is a small report file with the given body paragraphs after
// a title and an opening the report parser recognises.
func reportInput(name string, body ...string) Input {
	text := "静安区2020年政府工作报告\n\n各位代表：\n\n现在，我代表静安区人民政府，向大会作政府工作报告，请予审议。\n\n一、2019年工作回顾\n\n" +
		strings.Join(body, "\n\n") + "\n"
	return Input{Name: name, Size: int64(len(text)), Read: func() ([]byte, error) { return []byte(text), nil }}
}

// testReport makes a report with one body paragraph per text.
func testReport(id, region string, year int, texts ...string) ingest.Report {
	r := ingest.Report{ID: id, Meta: ingest.Meta{
		Title: fmt.Sprintf("%d年%s政府工作报告", year, region), Region: region, Level: ingest.LevelDistrict,
		Year: year, Source: id + ".txt",
	}}
	for i, text := range texts {
		r.Paragraphs = append(r.Paragraphs, ingest.Paragraph{
			ID: fmt.Sprintf("%s-%d", id, i+1), ReportID: id, Ordinal: i + 1,
			Part: "一、工作回顾", PartKind: ingest.PartReview, Kind: ingest.KindBody, Text: text,
		})
	}
	return r
}

func mustAdd(t *testing.T, ix *Index, reports ...ingest.Report) {
	t.Helper()
	if err := ix.AddReports(context.Background(), reports); err != nil {
		t.Fatal(err)
	}
}

func total(t *testing.T, ix *Index, q string) int {
	t.Helper()
	res, err := ix.Search(context.Background(), Request{Query: q, Facets: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func TestAddReplaceDeleteReports(t *testing.T) {
	ix := newScratchIndex(t)
	ctx := context.Background()
	base := ix.Stats()

	mustAdd(t, ix, testReport("r1", "静安区", 2020, "推进一网通办", "一网通办再提速", "其他工作"))
	if got := total(t, ix, "一网通办"); got != 2 {
		t.Fatalf("after add: %d hits, want 2", got)
	}
	if s := ix.Stats(); s.Reports != base.Reports+1 || s.Documents != base.Documents+4 {
		t.Errorf("stats after add = %+v, base %+v", s, base)
	}
	// Same id again: replaced, not duplicated.
	mustAdd(t, ix, testReport("r1", "静安区", 2020, "一网通办只剩一段"))
	if got := total(t, ix, "一网通办"); got != 1 {
		t.Errorf("after replace: %d hits, want 1", got)
	}
	if s := ix.Stats(); s.Reports != base.Reports+1 || s.Documents != base.Documents+2 {
		t.Errorf("stats after replace = %+v, base %+v", s, base)
	}
	r, err := ix.Report(ctx, "r1")
	if err != nil || len(r.Paragraphs) != 1 || r.Region != "静安区" {
		t.Fatalf("Report(r1) = %+v, %v", r, err)
	}
	if p, err := ix.Paragraph(ctx, "r1-1"); err != nil || p.Title != r.Title {
		t.Errorf("Paragraph(r1-1) = %+v, %v", p, err)
	}
	if _, err := ix.Paragraph(ctx, "r1-2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Paragraph of a replaced paragraph: %v, want ErrNotFound", err)
	}
	// A paragraph id owned by another report is refused.
	other := testReport("r2", "黄浦区", 2021, "x")
	other.Paragraphs[0].ID = "r1-1"
	var qe *ValidationError
	if err := ix.AddReports(ctx, []ingest.Report{other}); !errors.As(err, &qe) || !strings.Contains(qe.Message, `"r1-1" already belongs to report "r1"`) {
		t.Errorf("stealing a paragraph id: %v", err)
	}
	// Invalid reports are a ValidationError on "reports".
	for _, bad := range []ingest.Report{{ID: ""}, {ID: "x"}, testReport("y", "a", 2020, "")} {
		t.Run(bad.ID, func(t *testing.T) {
			if bad.ID == "y" {
				bad.Paragraphs[0].ID = ""
			}
			if err := ix.AddReports(ctx, []ingest.Report{bad}); !errors.As(err, &qe) || qe.Param != "reports" {
				t.Errorf("AddReports(%+v) = %v, want a ValidationError on reports", bad, err)
			}
		})
	}
	if err := ix.DeleteReport(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if got := total(t, ix, "一网通办"); got != 0 {
		t.Errorf("after delete: %d hits", got)
	}
	if s := ix.Stats(); s.Reports != base.Reports || s.Documents != base.Documents {
		t.Errorf("stats after delete = %+v, want %+v", s, base)
	}
	if err := ix.DeleteReport(ctx, "r1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if _, err := ix.Report(ctx, "r1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Report of a deleted report: %v", err)
	}
	// The manifest written with each batch matches on reopen.
	dir := filepath.Dir(ix.Dir())
	ix.Close()
	ix2, err := Open(dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if s := ix2.Stats(); s.Reports != base.Reports || s.Documents != base.Documents {
		t.Errorf("stats after reopen = %+v, want %+v", s, base)
	}
	ix2.Close()
}

// openUnchecked opens the current generation without checking its
// manifest, to tamper with it.
func openUnchecked(dir string) (*Index, error) {
	gen, err := currentGeneration(dir)
	if err != nil {
		return nil, err
	}
	bi, err := bleve.Open(filepath.Join(gen, bleveDir))
	if err != nil {
		return nil, err
	}
	return &Index{root: dir, gen: gen, bi: bi}, nil
}

func TestUpdateReplacesBySource(t *testing.T) {
	analyzer.WaitReady()
	dir := t.TempDir()
	ctx := context.Background()
	v1 := reportInput("a.txt", "第一版一网通办。", "第一版其他。")
	if _, err := Build(ctx, dir, []Input{v1, reportInput("b.txt", "另一个文件一网通办。")}, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	before := ix.Stats()
	// Re-indexing the same file twice converges: no duplicates.
	for i := 0; i < 2; i++ {
		st, err := ix.Update(ctx, []Input{v1}, BuildOptions{})
		if err != nil || st.Files != 1 || len(st.Errors) != 0 {
			t.Fatalf("update: %+v, %v", st, err)
		}
		if s := ix.Stats(); s.Documents != before.Documents || s.Reports != before.Reports {
			t.Errorf("re-index %d: stats %+v, want %+v", i, s, before)
		}
	}
	v2 := reportInput("a.txt", "第二版。")
	if _, err := ix.Update(ctx, []Input{v2}, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := total(t, ix, "一网通办"); got != 1 {
		t.Errorf("after replacing a.txt: %d hits for 一网通办, want 1 (b.txt's)", got)
	}
	if got := total(t, ix, "第二版"); got != 1 {
		t.Errorf("after replacing a.txt: %d hits for 第二版, want 1", got)
	}
}

func TestBuildSwitchesGenerations(t *testing.T) {
	analyzer.WaitReady()
	dir := t.TempDir()
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		st, err := Build(ctx, dir, []Input{reportInput("a.txt", fmt.Sprintf("第%d代。", i))}, BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, fmt.Sprintf("gen-%d", i)); st.Generation != want {
			t.Errorf("build %d wrote %s, want %s", i, st.Generation, want)
		}
		cur, _ := os.ReadFile(filepath.Join(dir, "CURRENT"))
		if strings.TrimSpace(string(cur)) != fmt.Sprintf("gen-%d", i) {
			t.Errorf("CURRENT = %q after build %d", cur, i)
		}
	}
	// The previous generation is kept for readers still on it; older ones go.
	if g := generations(dir); len(g) != 2 || g[0] != 2 || g[1] != 3 {
		t.Errorf("generations = %v, want [2 3]", g)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if total(t, ix, "第3代") != 1 || total(t, ix, "第2代") != 0 {
		t.Error("the current generation is not the newest build")
	}
	// An abandoned half-built generation is ignored and later removed.
	if err := os.Mkdir(filepath.Join(dir, "gen-9"), 0o755); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	if _, err := Build(ctx, dir, []Input{reportInput("a.txt", "新。")}, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	if g := generations(dir); len(g) != 2 || g[0] != 3 || g[1] != 10 {
		t.Errorf("generations = %v, want [3 10]", g)
	}
}

func TestOpenErrors(t *testing.T) {
	analyzer.WaitReady()
	dir := t.TempDir()
	if _, err := Open(dir); !errors.Is(err, ErrNoIndex) {
		t.Errorf("Open(empty) = %v, want ErrNoIndex", err)
	}
	if _, err := Build(context.Background(), dir, []Input{reportInput("a.txt", "正文。")}, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A second opener gives up after LockTimeout with ErrLocked.
	old := LockTimeout
	LockTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err = Open(dir)
	LockTimeout = old
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("second Open took %v", d)
	}
	// A manifest from another analyzer version is stale.
	m := *ix.man.Load()
	m.Analyzer = "other"
	rewriteManifest(t, ix, m)
	ix.Close()
	if _, err := Open(dir); !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), "analyzer other") {
		t.Errorf("Open with a foreign manifest = %v, want ErrStale", err)
	}
	// A manifest whose counts disagree with the documents is stale.
	ix, err = openUnchecked(dir)
	if err != nil {
		t.Fatal(err)
	}
	m = currentManifest()
	m.Reports, m.Paragraphs = 7, 7
	rewriteManifest(t, ix, m)
	ix.Close()
	if _, err := Open(dir); !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), "holds") {
		t.Errorf("Open with wrong counts = %v, want ErrStale", err)
	}
	os.WriteFile(filepath.Join(dir, "CURRENT"), []byte("../etc\n"), 0o644)
	if _, err := Open(dir); !errors.Is(err, ErrStale) {
		t.Errorf("Open with a bad CURRENT = %v, want ErrStale", err)
	}
}

// rewriteManifest stores m as the manifest of ix behind its back, in one
// batch with the deletion of the documents dels, as a foreign program or a
// torn write could leave it.
func rewriteManifest(t *testing.T, ix *Index, m manifest, dels ...string) {
	t.Helper()
	b := ix.bi.NewBatch()
	for _, id := range dels {
		b.Delete(id)
	}
	if err := setManifest(b, m); err != nil {
		t.Fatal(err)
	}
	if err := ix.bi.Batch(b); err != nil {
		t.Fatal(err)
	}
}

func TestVerify(t *testing.T) {
	ix := newScratchIndex(t)
	ctx := context.Background()
	mustAdd(t, ix, testReport("v1", "静安区", 2020, "甲", "乙", "丙"))
	if err := ix.Verify(ctx); err != nil {
		t.Fatalf("a fresh index does not verify: %v", err)
	}
	// Lose one paragraph behind the manifest's back, as a bug or a torn
	// write would.
	if err := ix.bi.Delete("v1-2"); err != nil {
		t.Fatal(err)
	}
	ix.epoch.Add(1)
	err := ix.Verify(ctx)
	if !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), "report v1 lists 3 paragraphs, the index holds 2") {
		t.Errorf("Verify after losing a paragraph = %v", err)
	}
}

// panicAnalyzer stands for a word analyzer that fails on some input.
type panicAnalyzer struct{}

func (panicAnalyzer) Analyze([]byte) analysis.TokenStream { panic("segmenter bug") }

func TestWordAnalyzerPanicIsContained(t *testing.T) {
	before := AnalyzerPanics()
	if ts := (safeAnalyzer{panicAnalyzer{}}).Analyze([]byte("一网通办")); ts != nil {
		t.Errorf("tokens after a panic: %v", ts)
	}
	if AnalyzerPanics() != before+1 {
		t.Errorf("panic not counted")
	}
}

func TestBuildCancelled(t *testing.T) {
	analyzer.WaitReady()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, dir, []Input{reportInput("a.txt", "正文。")}, BuildOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Build with a cancelled context = %v", err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrNoIndex) {
		t.Errorf("a cancelled build left an index: %v", err)
	}
	if g := generations(dir); len(g) != 0 {
		t.Errorf("a cancelled build left generations %v", g)
	}
}

// TestBuildRestoresCollector checks that a build's collector settings end
// with the build: a server that rebuilds keeps its own.
func TestBuildRestoresCollector(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("the environment sets the collector")
	}
	percent := debug.SetGCPercent(73)
	limit := debug.SetMemoryLimit(900 << 20)
	defer func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) }()
	var during []int
	opts := BuildOptions{Progress: func(done, total int64) {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		during = append(during, p, int(debug.SetMemoryLimit(-1)>>20))
	}}
	if _, err := Build(context.Background(), t.TempDir(), []Input{reportInput("a.txt", "一网通办。")}, opts); err != nil {
		t.Fatal(err)
	}
	if want := []int{buildGCPercent, DefaultBuildMemory >> 20}; !slices.Equal(during, want) {
		t.Errorf("during the build: GC percent and limit (MiB) %v, want %v", during, want)
	}
	if p := debug.SetGCPercent(-1); p != 73 {
		t.Errorf("GC percent after the build: %d, want 73", p)
	}
	if l := debug.SetMemoryLimit(-1); l != 900<<20 {
		t.Errorf("memory limit after the build: %d, want %d", l, 900<<20)
	}
}

// TestStoredByNumber reads every live paragraph's id and record by
// document number, as the NEAR/SENT check does, on an index of several
// segments with replaced and deleted reports, and compares them with the
// reads by id.
func TestStoredByNumber(t *testing.T) {
	ix := newScratchIndex(t)
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		mustAdd(t, ix, testReport(fmt.Sprintf("s%d", i), "静安区", 2020+i, "推进一网通办", fmt.Sprintf("第%d段", i), "其他工作"))
	}
	if err := ix.DeleteReport(ctx, "s4"); err != nil {
		t.Fatal(err)
	}
	// Document numbers count the deleted documents of the segments before:
	// wait for a snapshot with deletions in a segment that is not the
	// last (replacing a report deletes in an old segment and adds a new
	// one; a background merge may purge the deletions first).
	var r bindex.IndexReader
	for attempt := 0; ; attempt++ {
		mustAdd(t, ix, testReport("s2", "静安区", 2022, fmt.Sprintf("替换后的第%d段", attempt)))
		var done func()
		var err error
		if r, done, err = ix.reader(); err != nil {
			t.Fatal(err)
		}
		defer done()
		segs := r.(*scorch.IndexSnapshot).Segments()
		if slices.ContainsFunc(segs[:len(segs)-1], func(s *scorch.SegmentSnapshot) bool { return s.Deleted() != nil && !s.Deleted().IsEmpty() }) {
			break
		}
		if attempt == 20 {
			t.Fatal("no snapshot with deletions before its last segment")
		}
	}
	all, err := r.DocIDReaderAll()
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	c := &collector{r: r}
	read := 0
	for {
		internal, err := all.Next()
		if err != nil {
			t.Fatal(err)
		}
		if internal == nil {
			break
		}
		wantID, err := r.ExternalID(internal)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(wantID, reportDocPrefix) {
			continue // report summaries have no paragraph record
		}
		wantRec, err := storedRecord(r, wantID)
		if err != nil {
			t.Fatal(err)
		}
		id, rec, err := c.stored(internal)
		if err != nil || id != wantID || rec != wantRec {
			t.Errorf("document %d: stored = %q, %d record bytes, %v; want %q, %d bytes", docNumber(internal), id, len(rec), err, wantID, len(wantRec))
		}
		read++
	}
	if read < 14 {
		t.Errorf("read %d paragraphs, want at least 14", read)
	}
	if _, _, err := c.stored(bindex.IndexInternalID(binary.BigEndian.AppendUint64(nil, 1<<40))); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("a document number past the end: %v, want not found", err)
	}
}
