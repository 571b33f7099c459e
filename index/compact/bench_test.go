package compact

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v16"

	"govsearch/internal/testcorpus"
)

// benchCorpus is the national corpus when present, else the seeds.
func benchCorpus() string {
	if testcorpus.Corpus("national") != "" {
		return "national"
	}
	return "seeds"
}

// fixture is one corpus built into a zap segment file and a compact one.
type fixture struct {
	name     string
	docs     []index.Document
	text     int64 // bytes of paragraph text
	dir      string
	zap, cmp segment.Segment
	zapSize  int64
	cmpSize  int64
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]*fixture{}
)

// TestMain removes the benchmark fixtures' files, which outlive any one
// benchmark so that they are built once per run.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, fx := range fixtures {
		os.RemoveAll(fx.dir)
	}
	os.Exit(code)
}

func getFixture(b *testing.B, name string) *fixture {
	b.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if fx := fixtures[name]; fx != nil {
		return fx
	}
	ps := corpusParas(b, name)
	fx := &fixture{name: name, docs: analysedDocs(ps)}
	for _, p := range ps {
		fx.text += int64(len(p.text))
	}
	var err error
	if fx.dir, err = os.MkdirTemp("", "compact-bench-"); err != nil {
		b.Fatal(err)
	}
	zp, cp := &zap.ZapPlugin{}, testPlugin(b)
	zs, _, err := zp.New(fx.docs)
	if err != nil {
		b.Fatal(err)
	}
	cs, _, err := cp.New(fx.docs)
	if err != nil {
		b.Fatal(err)
	}
	fx.zap, fx.zapSize = persistAndOpen(b, zp, zs, filepath.Join(fx.dir, "zap.zap"))
	fx.cmp, fx.cmpSize = persistAndOpen(b, cp, cs, filepath.Join(fx.dir, "compact.zap"))
	fixtures[name] = fx
	return fx
}

// ngram returns the zap or the compact segment and its ngram dictionary.
func (fx *fixture) ngram(b *testing.B, kind string) (segment.Segment, segment.TermDictionary) {
	s := fx.zap
	if kind == "compact" {
		s = fx.cmp
	}
	d, err := s.Dictionary("ngram")
	if err != nil {
		b.Fatal(err)
	}
	return s, d
}

type opener interface {
	Open(string) (segment.Segment, error)
}

func persistAndOpen(b *testing.B, p opener, s segment.Segment, path string) (segment.Segment, int64) {
	b.Helper()
	if err := s.(segment.UnpersistedSegment).Persist(path); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	fs, err := p.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	return fs, fi.Size()
}

// withoutFields returns docs without the named fields, as zap sees them.
func withoutFields(docs []index.Document, names ...string) []index.Document {
	hide := map[string]Field{}
	for _, n := range names {
		hide[n] = Field{Name: n}
	}
	out := make([]index.Document, len(docs))
	for i, d := range docs {
		out[i] = zapView{Document: d, compact: hide}
	}
	return out
}

func zapBytes(b *testing.B, docs []index.Document) int64 {
	s, _, err := (&zap.ZapPlugin{}).New(docs)
	if err != nil {
		b.Fatal(err)
	}
	n, err := s.(*zap.SegmentBase).WriteTo(discard{})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkSize reports sizes over the paragraph text: the whole segment
// (zap, compact), and per analysed field what zap spends on it (the
// segment less the segment without the field) against the compact
// section's postings, dictionary and doc table of the field.
// go test ./index/compact -run XXX -bench Size -benchtime 1x
func BenchmarkSize(b *testing.B) {
	for _, name := range []string{"seeds", "national"} {
		b.Run(name, func(b *testing.B) {
			fx := getFixture(b, name)
			for b.Loop() {
			}
			text := float64(fx.text)
			b.ReportMetric(float64(fx.text)/1e6, "text-MB")
			b.ReportMetric(float64(fx.zapSize)/text, "zap/text")
			b.ReportMetric(float64(fx.cmpSize)/text, "compact/text")
			all := zapBytes(b, fx.docs)
			three := all - zapBytes(b, withoutFields(fx.docs, "words", "ngram", "head"))
			stats, secLen := fx.cmp.(*FileSegment).SectionStats()
			b.ReportMetric(float64(three)/text, "zap-fields/text")
			b.ReportMetric(float64(secLen)/text, "section/text")
			for _, fs := range stats {
				z := all - zapBytes(b, withoutFields(fx.docs, fs.Name))
				b.ReportMetric(float64(z)/text, "zap-"+fs.Name+"/text")
				b.ReportMetric(float64(fs.PostingsBytes)/text, fs.Name+"-postings/text")
				b.ReportMetric(float64(fs.DictionaryBytes)/text, fs.Name+"-dict/text")
				b.ReportMetric(float64(fs.DocTableBytes)/text, fs.Name+"-docs/text")
				b.Logf("%s: %d terms, %d occurrences, %d tokens", fs.Name, fs.Terms, fs.Occurrences, fs.Tokens)
			}
		})
	}
}

// BenchmarkNew builds a segment of the whole corpus from analysed
// documents (analysis not timed); MB/s is paragraph text per second.
func BenchmarkNew(b *testing.B) {
	name := benchCorpus()
	fx := getFixture(b, name)
	for _, kind := range []string{"zap", "compact"} {
		b.Run(name+"/"+kind, func(b *testing.B) {
			var p interface {
				New([]index.Document) (segment.Segment, uint64, error)
			} = &zap.ZapPlugin{}
			if kind == "compact" {
				p = testPlugin(b)
			}
			b.SetBytes(fx.text)
			for b.Loop() {
				s, _, err := p.New(fx.docs)
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

// peakHeap samples the heap every millisecond until stop is closed and
// returns the highest values seen of the heap's objects (dead ones not yet
// collected included) and of the live heap as the last collection found
// it.
func peakHeap(stop chan struct{}) chan [2]uint64 {
	out := make(chan [2]uint64, 1)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
		var peak [2]uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak[0] = max(peak[0], s[0].Value.Uint64())
			peak[1] = max(peak[1], s[1].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// loopMerge runs merge into a file as the benchmark's loop and reports
// the highest heap during a merge over the heap before it: peak-heap-MB
// counts garbage not yet collected, peak-live-MB what a collection found
// live.
func loopMerge(b *testing.B, merge func(path string) error) {
	var peak [2]uint64
	path := filepath.Join(b.TempDir(), "merged.zap")
	for b.Loop() {
		runtime.GC()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		stop := make(chan struct{})
		res := peakHeap(stop)
		if err := merge(path); err != nil {
			b.Fatal(err)
		}
		close(stop)
		top := <-res
		for i := range top {
			if base := s[i].Value.Uint64(); top[i] > base {
				peak[i] = max(peak[i], top[i]-base)
			}
		}
		os.Remove(path)
	}
	b.ReportMetric(float64(peak[0])/1e6, "peak-heap-MB")
	b.ReportMetric(float64(peak[1])/1e6, "peak-live-MB")
}

// BenchmarkMerge merges eight segment files of the corpus, 5% of the
// documents dropped, into one; peak-heap-MB is the highest live heap
// during a merge over the heap before it.
func BenchmarkMerge(b *testing.B) {
	name := benchCorpus()
	fx := getFixture(b, name)
	for _, kind := range []string{"zap", "compact"} {
		b.Run(name+"/"+kind, func(b *testing.B) {
			var p interface {
				opener
				New([]index.Document) (segment.Segment, uint64, error)
				Merge([]segment.Segment, []*roaring.Bitmap, string, chan struct{}, segment.StatsReporter) ([][]uint64, uint64, error)
			} = &zap.ZapPlugin{}
			if kind == "compact" {
				p = testPlugin(b)
			}
			dir := b.TempDir()
			var segs []segment.Segment
			var drops []*roaring.Bitmap
			const parts = 8
			for i := 0; i < parts; i++ {
				part := fx.docs[len(fx.docs)*i/parts : len(fx.docs)*(i+1)/parts]
				s, _, err := p.New(part)
				if err != nil {
					b.Fatal(err)
				}
				fs, _ := persistAndOpen(b, p, s, filepath.Join(dir, fmt.Sprintf("%d.zap", i)))
				defer fs.Close()
				segs = append(segs, fs)
				drops = append(drops, everyNth(uint64(len(part)), 20, uint64(i)))
			}
			b.SetBytes(fx.text)
			loopMerge(b, func(path string) error {
				_, _, err := p.Merge(segs, drops, path, nil, nil)
				return err
			})
		})
	}
}

// BenchmarkMergeCopies merges n copies of the whole corpus's segment file
// into one (n times the text), to see how a merge's time and peak heap
// grow with the output. "section" merges the compact section alone (no
// zap part), to tell its peak heap from zap's.
func BenchmarkMergeCopies(b *testing.B) {
	name := benchCorpus()
	fx := getFixture(b, name)
	for _, n := range []int{4, 16, 64} {
		for _, kind := range []string{"zap", "compact", "section"} {
			b.Run(fmt.Sprintf("%s/x%d/%s", name, n, kind), func(b *testing.B) {
				if kind == "section" {
					base := &fx.cmp.(*FileSegment).segBase
					bases := make([]*segBase, n)
					newDocNums := make([][]uint64, n)
					for i := range bases {
						bases[i] = base
						for d := uint64(0); d < base.Count(); d++ {
							newDocNums[i] = append(newDocNums[i], uint64(i)*base.Count()+d)
						}
					}
					b.SetBytes(fx.text * int64(n))
					var size uint64
					loopMerge(b, func(path string) error {
						if err := os.WriteFile(path, nil, 0o600); err != nil {
							return err
						}
						ft, err := appendMergedSection(path, bases, newDocNums, make([]*roaring.Bitmap, n), nil, nil)
						size = ft.sectionLen
						return err
					})
					b.ReportMetric(float64(size)/float64(fx.text*int64(n)), "section/text")
					return
				}
				if n > 16 {
					b.Skip("zap's part is the same at every size")
				}
				var p interface {
					Merge([]segment.Segment, []*roaring.Bitmap, string, chan struct{}, segment.StatsReporter) ([][]uint64, uint64, error)
				} = &zap.ZapPlugin{}
				s := fx.zap
				if kind == "compact" {
					p, s = testPlugin(b), fx.cmp
				}
				segs := make([]segment.Segment, n)
				for i := range segs {
					segs[i] = s
				}
				b.SetBytes(fx.text * int64(n))
				loopMerge(b, func(path string) error {
					_, _, err := p.Merge(segs, make([]*roaring.Bitmap, n), path, nil, nil)
					return err
				})
			})
		}
	}
}

// iterTerms picks the terms of the iteration benchmarks from the ngram
// field: its most common bigram, a bigram of three documents, a
// five-character phrase and a one-character prefix.
func iterTerms(b *testing.B, s segment.Segment) (common, rare string) {
	d, err := s.Dictionary("ngram")
	if err != nil {
		b.Fatal(err)
	}
	it := d.AutomatonIterator(nil, nil, nil)
	var best uint64
	for e, _ := it.Next(); e != nil; e, _ = it.Next() {
		if utf8.RuneCountInString(e.Term) != 2 || !utf8.ValidString(e.Term) {
			continue
		}
		if e.Count > best {
			common, best = e.Term, e.Count
		}
		if rare == "" && e.Count == 3 {
			rare = e.Term
		}
	}
	return common, rare
}

// BenchmarkPostings iterates postings of the ngram field in the zap and
// the compact segment files: a common and a rare bigram with positions
// (as a phrase query reads them) and without (as a scored term query),
// a five-character phrase (a conjunction of four bigrams by Advance, then
// a check of consecutive positions), and a one-character prefix (every
// bigram beginning with 的 as a bitmap, as an unscored prefix query).
func BenchmarkPostings(b *testing.B) {
	name := benchCorpus()
	fx := getFixture(b, name)
	common, rare := iterTerms(b, fx.zap)
	b.Logf("common bigram %q, rare bigram %q", common, rare)
	for _, kind := range []string{"zap", "compact"} {
		s, d := fx.ngram(b, kind)
		for _, c := range []struct {
			name string
			term string
			locs bool
		}{{"common-bigram-positions", common, true}, {"common-bigram-freq", common, false}, {"rare-bigram-positions", rare, true}} {
			b.Run(name+"/"+c.name+"/"+kind, func(b *testing.B) {
				var pl segment.PostingsList
				var it segment.PostingsIterator
				n := 0
				for b.Loop() {
					pl, _ = d.PostingsList([]byte(c.term), nil, pl)
					it = pl.Iterator(true, true, c.locs, it)
					for p, _ := it.Next(); p != nil; p, _ = it.Next() {
						n += len(p.Locations()) + int(p.Frequency())
					}
				}
				if n == 0 {
					b.Fatal("nothing iterated")
				}
			})
		}
		b.Run(name+"/phrase-高质量发展/"+kind, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = phraseCount(b, d, []string{"高质", "质量", "量发", "发展"})
			}
			b.ReportMetric(float64(n), "docs")
		})
		b.Run(name+"/prefix-的/"+kind, func(b *testing.B) {
			n := uint64(0)
			for b.Loop() {
				n = prefixDocs(b, d, "的")
			}
			b.ReportMetric(float64(n), "docs")
		})
		b.Run(name+"/count-except-common/"+kind, func(b *testing.B) {
			// Count with 1% of the documents deleted, as every term
			// searcher asks once there are deletions.
			except := everyNth(s.Count(), 100, 7)
			var pl segment.PostingsList
			for b.Loop() {
				pl, _ = d.PostingsList([]byte(common), except, pl)
				_ = pl.Count()
			}
		})
	}
}

// phraseCount counts the documents where grams occur at consecutive
// positions, as bleve's phrase searcher finds them: advance the iterators
// that lag behind to the furthest one's document until all agree, then
// compare positions.
func phraseCount(b *testing.B, d segment.TermDictionary, grams []string) int {
	its := make([]segment.PostingsIterator, len(grams))
	cur := make([]segment.Posting, len(grams))
	for i, g := range grams {
		pl, err := d.PostingsList([]byte(g), nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		its[i] = pl.Iterator(true, true, true, nil)
	}
	advance := func(i int, target uint64) bool {
		p, err := its[i].Advance(target)
		if err != nil {
			b.Fatal(err)
		}
		cur[i] = p
		return p != nil
	}
	for i := range its {
		if !advance(i, 0) {
			return 0
		}
	}
	n := 0
	for {
		target := uint64(0)
		for _, p := range cur {
			target = max(target, p.Number())
		}
		agreed := true
		for i, p := range cur {
			if p.Number() < target {
				if !advance(i, target) {
					return n
				}
				agreed = false
			}
		}
		if !agreed {
			continue
		}
		ends := map[uint64]bool{}
		for _, l := range cur[0].Locations() {
			ends[l.Pos()] = true
		}
		for _, p := range cur[1:] {
			next := map[uint64]bool{}
			for _, l := range p.Locations() {
				if ends[l.Pos()-1] {
					next[l.Pos()] = true
				}
			}
			ends = next
		}
		if len(ends) > 0 {
			n++
		}
		for i := range cur {
			if !advance(i, target+1) {
				return n
			}
		}
	}
}

// prefixDocs unites, as bitmaps, the documents of every term beginning
// with prefix.
func prefixDocs(b *testing.B, d segment.TermDictionary, prefix string) uint64 {
	end := []byte(prefix)
	end[len(end)-1]++
	it := d.AutomatonIterator(nil, []byte(prefix), end)
	bm := roaring.New()
	var pl segment.PostingsList
	for e, _ := it.Next(); e != nil; e, _ = it.Next() {
		var err error
		pl, err = d.PostingsList([]byte(e.Term), nil, pl)
		if err != nil {
			b.Fatal(err)
		}
		pi := pl.Iterator(false, false, false, nil)
		o, ok := pi.(segment.OptimizablePostingsIterator)
		if !ok {
			b.Fatal("not optimizable")
		}
		if doc, ok := o.DocNum1Hit(); ok {
			bm.Add(uint32(doc))
		} else if a := o.ActualBitmap(); a != nil {
			bm.Or(a)
		}
	}
	return bm.GetCardinality()
}

// BenchmarkOpen opens the compact segment file and its ngram dictionary
// (whose checksum the first use checks).
func BenchmarkOpen(b *testing.B) {
	name := benchCorpus()
	fx := getFixture(b, name)
	path := fx.cmp.(*FileSegment).Path()
	p := testPlugin(b)
	for b.Loop() {
		s, err := p.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Dictionary("ngram"); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkIterate reads the postings of chosen ngram terms in the zap and
// the compact segment files in each way bleve reads them: with positions
// (a phrase), scored without positions (frequency and norm), unscored
// (documents only, by Next), as a bitmap (ActualBitmap, as a conjunction
// or a filter of unscored terms gets it), and Count with 1% of the
// documents deleted (count-except: the same deletions every time, as
// between two changes to an index; count-cold: new ones every time). The
// terms are the most common bigram, three common ones and one of three
// documents.
// go test ./index/compact -run XXX -bench Iterate -benchtime 200ms
func BenchmarkIterate(b *testing.B) {
	name := benchCorpus()
	fx := getFixture(b, name)
	top, rare := iterTerms(b, fx.zap)
	terms := []struct{ name, term string }{{"top", top}, {"发展", "发展"}, {"经济", "经济"}, {"的发", "的发"}, {"rare", rare}}
	modes := []string{"positions", "scored", "unscored", "bitmap", "count-except", "count-cold"}
	for _, t := range terms {
		for _, mode := range modes {
			for _, kind := range []string{"zap", "compact"} {
				s, d := fx.ngram(b, kind)
				except := everyNth(s.Count(), 100, 7)
				b.Run(name+"/"+t.name+"/"+mode+"/"+kind, func(b *testing.B) {
					var pl segment.PostingsList
					var it segment.PostingsIterator
					n := uint64(0)
					for b.Loop() {
						var ex *roaring.Bitmap
						switch mode {
						case "count-except":
							ex = except
						case "count-cold":
							// A new bitmap, as after every change to
							// the index: no count is known for it.
							ex = except.Clone()
						}
						pl, _ = d.PostingsList([]byte(t.term), ex, pl)
						switch mode {
						case "count-except", "count-cold":
							n = pl.Count()
						case "bitmap":
							it = pl.Iterator(false, false, false, it)
							n = it.(segment.OptimizablePostingsIterator).ActualBitmap().GetCardinality()
						default:
							it = pl.Iterator(mode != "unscored", mode != "unscored", mode == "positions", it)
							n = 0
							for p, err := it.Next(); p != nil || err != nil; p, err = it.Next() {
								if err != nil {
									b.Fatal(err)
								}
								n += uint64(len(p.Locations())) + p.Frequency() + 1
							}
						}
					}
					b.ReportMetric(float64(n), "n")
				})
			}
		}
	}
}
