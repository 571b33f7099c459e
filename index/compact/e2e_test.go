package compact

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"govsearch/analyzer"
	"govsearch/index/internal/terms"
)

const testBigramAnalyzer = "compact_test_bigram"

func init() {
	registry.RegisterAnalyzer(testBigramAnalyzer, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return terms.Bigrams{}, nil
	})
}

var registerOnce sync.Once

// registerForTest registers the plugin of testConfig, as the index
// package will at start.
func registerForTest(t testing.TB) {
	t.Helper()
	var err error
	registerOnce.Do(func() { err = Register(testConfig) })
	if err != nil {
		t.Fatal(err)
	}
}

// testMapping is the index's paragraph mapping, reduced to the fields of
// paragraphDoc.
func testMapping(t testing.TB) mapping.IndexMapping {
	im := mapping.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	im.TypeField = "type"
	im.DefaultAnalyzer = "keyword"
	im.DefaultMapping = mapping.NewDocumentDisabledMapping()
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	text := func(an string, vectors bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeInAll, f.IncludeTermVectors, f.DocValues = an, false, false, vectors, false
		return f
	}
	p := mapping.NewDocumentStaticMapping()
	for _, f := range []string{"type", "region", "kind", "report_id"} {
		p.AddFieldMappingsAt(f, text("keyword", false))
	}
	p.AddFieldMappingsAt("words", text(analyzer.WordAnalyzerName, false))
	p.AddFieldMappingsAt("ngram", text(testBigramAnalyzer, true))
	p.AddFieldMappingsAt("head", text(testBigramAnalyzer, true))
	im.AddDocumentMapping("p", p)
	if err := im.Validate(); err != nil {
		t.Fatal(err)
	}
	return im
}

// unscored runs a query without scores, as the index runs its
// one-character prefix queries.
type unscored struct{ query.Query }

func (u unscored) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	o.Score, o.IncludeTermVectors = "none", false
	return u.Query.Searcher(ctx, i, m, o)
}

// twinIndexes are the same documents in an index of zap segments and in
// one of compact segments.
type twinIndexes struct {
	dirs  [2]string
	idx   [2]bleve.Index
	stats *search.BM25Stats
}

func (tw *twinIndexes) batch(t *testing.T, f func(b *bleve.Batch) error) {
	t.Helper()
	for _, bi := range tw.idx {
		b := bi.NewBatch()
		if err := f(b); err != nil {
			t.Fatal(err)
		}
		if err := bi.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
}

func (tw *twinIndexes) reopen(t *testing.T) {
	t.Helper()
	for i := range tw.idx {
		if err := tw.idx[i].Close(); err != nil {
			t.Fatal(err)
		}
		bi, err := bleve.Open(tw.dirs[i])
		if err != nil {
			t.Fatal(err)
		}
		tw.idx[i] = bi
	}
}

// forceMerge merges each index into one segment and checks that it is
// one, so that bleve's own statistics (which count terms per segment)
// agree between the two.
func (tw *twinIndexes) forceMerge(t *testing.T) {
	t.Helper()
	for i, bi := range tw.idx {
		adv, err := bi.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		sc := adv.(*scorch.Scorch)
		if err := sc.ForceMerge(context.Background(), &mergeplan.SingleSegmentMergePlanOptions); err != nil {
			t.Fatal(err)
		}
		r, err := sc.Reader()
		if err != nil {
			t.Fatal(err)
		}
		n := len(r.(*scorch.IndexSnapshot).Segments())
		r.Close()
		if n != 1 {
			t.Fatalf("index %d: %d segments after a forced merge", i, n)
		}
	}
}

// hit is one search result as the comparison sees it.
type hit struct {
	ID    string
	Score uint64 // float bits: scores must be equal, not close
}

// search runs q on both indexes and fails when their hits or scores
// differ. withStats passes fixed BM25 statistics, as the index package
// does, which makes scores independent of how the segments happen to be
// cut; without them bleve counts terms per segment.
func (tw *twinIndexes) search(t *testing.T, name string, q query.Query, withStats bool) int {
	t.Helper()
	var res [2][]hit
	var total [2]uint64
	for i, bi := range tw.idx {
		req := bleve.NewSearchRequestOptions(q, 100000, 0, false)
		if withStats {
			req.PreSearchData = map[string]interface{}{search.BM25PreSearchDataKey: tw.stats}
		}
		sr, err := bi.Search(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		total[i] = sr.Total
		for _, h := range sr.Hits {
			res[i] = append(res[i], hit{h.ID, math.Float64bits(h.Score)})
		}
		sort.Slice(res[i], func(a, b int) bool { return res[i][a].ID < res[i][b].ID })
	}
	if total[0] != total[1] || !reflect.DeepEqual(res[0], res[1]) {
		t.Fatalf("%s: compact index finds %d hits, zap %d (%s)", name, total[1], total[0], firstDiffHit(res[1], res[0]))
	}
	return int(total[0])
}

func firstDiffHit(got, want []hit) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			return fmt.Sprintf("at %d: %s %v, want %s %v", i, got[i].ID, math.Float64frombits(got[i].Score), want[i].ID, math.Float64frombits(want[i].Score))
		}
	}
	return fmt.Sprintf("%d hits, want %d", len(got), len(want))
}

// testQueries derives queries from the paragraphs: substrings of their
// normalised text as phrases of bigrams (and as words), bigrams, one
// character as a prefix, and the index's ranked combination of them.
func testQueries(ps []para) map[string]query.Query {
	qs := map[string]query.Query{}
	term := func(field, v string) *query.TermQuery {
		q := query.NewTermQuery(v)
		q.SetField(field)
		return q
	}
	ngram := func(s, field string) query.Query {
		r := []rune(s)
		switch len(r) {
		case 1:
			q := query.NewPrefixQuery(s)
			q.SetField(field)
			return unscored{q}
		case 2:
			return term(field, s)
		}
		grams := make([]string, len(r)-1)
		for i := range grams {
			grams[i] = string(r[i : i+2])
		}
		return query.NewPhraseQuery(grams, field)
	}
	for i := 0; i < len(ps); i += len(ps)/40 + 1 {
		r := []rune(analyzer.Normalize(ps[i].text))
		for _, n := range []int{1, 2, 3, 5, 8} {
			if len(r) < 3*n {
				continue
			}
			s := string(r[len(r)/3 : len(r)/3+n])
			if strings.ContainsAny(s, " \t") {
				continue
			}
			qs["exact "+s] = ngram(s, "ngram")
			qs["head "+s] = ngram(s, "head")
			qs["word "+s] = term("words", s)
			if n > 1 {
				ranked := query.NewBooleanQuery([]query.Query{ngram(s, "ngram")},
					[]query.Query{term("words", s), ngram(s, "head")}, nil)
				qs["ranked "+s] = ranked
			}
			if n == 5 {
				// Two bigrams that need not be adjacent, scored and not:
				// bleve intersects unscored term postings as bitmaps.
				a, b := term("ngram", string(r[len(r)/3:len(r)/3+2])), term("ngram", string(r[len(r)/3+3:len(r)/3+5]))
				qs["both "+s] = query.NewConjunctionQuery([]query.Query{a, b})
				qs["both unscored "+s] = unscored{query.NewConjunctionQuery([]query.Query{a, b})}
			}
		}
	}
	for _, s := range []string{"的", "发展", "改革开放", "一网通办", "高质量发展", "霾"} {
		qs["exact "+s] = ngram(s, "ngram")
		qs["word "+s] = term("words", s)
	}
	return qs
}

// newTwins creates the two indexes under root, closed at the end of t.
func newTwins(t *testing.T, root string) *twinIndexes {
	tw := &twinIndexes{}
	m := testMapping(t)
	for i, cfg := range []map[string]interface{}{nil, IndexConfig()} {
		tw.dirs[i] = filepath.Join(root, fmt.Sprint(i))
		bi, err := bleve.NewUsing(tw.dirs[i], m, scorch.Name, scorch.Name, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tw.idx[i] = bi
	}
	t.Cleanup(func() {
		for _, bi := range tw.idx {
			bi.Close()
		}
	})
	return tw
}

// index adds ps to both indexes in batches of 300 paragraphs.
func (tw *twinIndexes) index(t *testing.T, ps []para) {
	for lo := 0; lo < len(ps); lo += 300 {
		tw.batch(t, func(b *bleve.Batch) error {
			for _, p := range ps[lo:min(lo+300, len(ps))] {
				if err := b.IndexAdvanced(paragraphDoc(p)); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// TestEndToEnd indexes the seeds into a bleve index of compact segments
// and one of zap segments, with batches, updates and deletions, and
// compares every search's hits and scores while the indexes are live,
// after reopening them from disk, and after merging each into one
// segment; then it indexes the surviving documents afresh and compares
// the scores bleve computes with its own statistics.
func TestEndToEnd(t *testing.T) {
	registerForTest(t)
	ps := corpusParas(t, "seeds")
	root := t.TempDir()
	tw := newTwins(t, filepath.Join(root, "updated"))
	tw.index(t, ps)
	// Every 9th paragraph replaced by another paragraph's text, then every
	// 13th deleted.
	final := append([]para(nil), ps...)
	tw.batch(t, func(b *bleve.Batch) error {
		for i := 0; i < len(ps); i += 9 {
			p := ps[i]
			other := ps[(i*7+5)%len(ps)]
			p.text, p.head = other.text+p.text[:len(p.text)/2], other.head
			final[i] = p
			if err := b.IndexAdvanced(paragraphDoc(p)); err != nil {
				return err
			}
		}
		return nil
	})
	var deleted []int
	for i := 5; i < len(ps); i += 13 {
		deleted = append(deleted, i)
	}
	tw.batch(t, func(b *bleve.Batch) error {
		for _, i := range deleted {
			b.Delete(ps[i].id)
		}
		return nil
	})
	for k := len(deleted) - 1; k >= 0; k-- {
		final = append(final[:deleted[k]], final[deleted[k]+1:]...)
	}
	n, err := tw.idx[1].DocCount()
	if err != nil || n != uint64(len(final)) {
		t.Fatalf("%d documents, %v; want %d", n, err, len(final))
	}
	// Fixed statistics, as the index package passes its own: scores then
	// do not depend on how the segments happen to be cut.
	tw.stats = &search.BM25Stats{DocCount: float64(n), FieldCardinality: map[string]int{
		"ngram": int(n) * 90, "head": int(n) * 3, "words": int(n) * 110, "type": int(n), "region": int(n), "*": int(n),
	}}
	qs := testQueries(ps)
	names := make([]string, 0, len(qs))
	for name := range qs {
		names = append(names, name)
	}
	sort.Strings(names)
	compare := func(tw *twinIndexes, stage string, withStats bool) {
		hits, found := 0, 0
		for _, name := range names {
			n := tw.search(t, stage+": "+name, qs[name], withStats)
			hits += n
			if n > 0 {
				found++
			}
		}
		if found < len(names)/2 {
			t.Fatalf("%s: only %d of %d queries found anything", stage, found, len(names))
		}
		t.Logf("%s: %d queries, %d found something, %d hits in all", stage, len(names), found, hits)
	}
	compare(tw, "live", true)
	tw.reopen(t) // persists every segment, so that the merge takes them all
	compare(tw, "reopened", true)
	tw.forceMerge(t)
	compare(tw, "merged", true)
	tw.reopen(t)
	compare(tw, "merged and reopened", true)
	for i, bi := range tw.idx {
		if c, err := bi.DocCount(); err != nil || c != n {
			t.Fatalf("index %d: %d documents, %v; want %d", i, c, err, n)
		}
	}
	// bleve's own statistics count the terms of every segment, deleted
	// documents' included: compare them on indexes of the surviving
	// documents alone, each merged into one segment.
	fresh := newTwins(t, filepath.Join(root, "fresh"))
	fresh.index(t, final)
	fresh.forceMerge(t)
	compare(fresh, "fresh, bleve's statistics", false)
	fresh.reopen(t)
	compare(fresh, "fresh and reopened, bleve's statistics", false)
	// The second index is really made of compact segments, the first of
	// zap's.
	for i, dir := range tw.dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
		if len(files) == 0 {
			t.Fatalf("index %d: no segment files", i)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if isCompact := strings.HasSuffix(string(data), magic); isCompact != (i == 1) {
				t.Fatalf("index %d: segment %s compact: %v", i, f, isCompact)
			}
		}
	}
}
