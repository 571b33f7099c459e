package compact

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// spelled is an analyzer of made-up token streams: "a@3 b@4" is term a
// at position 3 and term b at position 4; "a@3:5-7" adds offsets 5-7.
type spelled struct{}

func (spelled) Analyze(input []byte) analysis.TokenStream {
	var ts analysis.TokenStream
	for _, w := range strings.Fields(string(input)) {
		term, rest, _ := strings.Cut(w, "@")
		pos, offs, _ := strings.Cut(rest, ":")
		p, _ := strconv.Atoi(pos)
		t := &analysis.Token{Term: []byte(term), Position: p}
		if s, e, ok := strings.Cut(offs, "-"); ok {
			t.Start, _ = strconv.Atoi(s)
			t.End, _ = strconv.Atoi(e)
		}
		ts = append(ts, t)
	}
	return ts
}

// madeUpDoc is a document with a positional field "ngram", a field
// without positions "words" and a keyword; empty strings leave a field
// out.
func madeUpDoc(id, ngram, words string, opts ...func(*document.Document)) *document.Document {
	d := document.NewDocument(id)
	d.AddField(document.NewTextFieldCustom("type", nil, []byte("p"), optIndex, nil))
	if ngram != "" {
		d.AddField(document.NewTextFieldCustom("ngram", nil, []byte(ngram), optVectors, spelled{}))
	}
	if words != "" {
		d.AddField(document.NewTextFieldCustom("words", nil, []byte(words), optIndex, spelled{}))
	}
	for _, o := range opts {
		o(d)
	}
	return d
}

func analyse(docs ...*document.Document) []index.Document {
	out := make([]index.Document, len(docs))
	for i, d := range docs {
		d.AddIDField()
		d.VisitFields(func(f index.Field) { f.Analyze() })
		out[i] = d
	}
	return out
}

// TestNewRefuses checks that New refuses, naming the field, what the
// compact section could not give back as zap would.
func TestNewRefuses(t *testing.T) {
	addField := func(name, value string, opts index.FieldIndexingOptions, ap []uint64) func(*document.Document) {
		return func(d *document.Document) {
			d.AddField(document.NewTextFieldCustom(name, ap, []byte(value), opts, spelled{}))
		}
	}
	cases := []struct {
		name string
		doc  *document.Document
		want string
	}{
		{"a second value", madeUpDoc("1", "a@1", "", addField("ngram", "b@1", optVectors, nil)), `"ngram" occurs twice`},
		{"doc values", madeUpDoc("1", "", "", addField("words", "a@1", optIndex|index.DocValues, nil)), `"words" has doc values`},
		{"positions without term vectors", madeUpDoc("1", "", "", addField("ngram", "a@1", optIndex, nil)), `"ngram": term vectors false`},
		{"term vectors where no positions are kept", madeUpDoc("1", "", "", addField("words", "a@1", optVectors, nil)), `"words": term vectors true`},
		{"offsets", madeUpDoc("1", "a@1:0-3", ""), `"ngram": term "a" has offsets 0-3`},
		{"array positions", madeUpDoc("1", "", "", addField("ngram", "a@1", optVectors, []uint64{2})), `"ngram": term "a" has array positions`},
		{"position zero", madeUpDoc("1", "a@0", ""), `"ngram": term "a" at position 0`},
		{"positions going back", madeUpDoc("1", "a@5 b@6 a@2", ""), `"ngram": term "a" at position 2 after 5`},
	}
	p := testPlugin(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok := madeUpDoc("0", "a@1", "a@1")
			_, _, err := p.New(analyse(ok, c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `document "1"`) {
				t.Fatalf("error %v, want one about document \"1\" containing %s", err, c.want)
			}
		})
	}
}

func TestConfigRefuses(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no name", Config{Fields: []Field{{Name: ""}}}, "without a name"},
		{"bleve's id", Config{Fields: []Field{{Name: "_id"}}}, `"_id" is bleve's own`},
		{"twice", Config{Fields: []Field{{Name: "a"}, {Name: "a", Positions: true}}}, `"a" listed twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := NewPlugin(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %s", err, c.want)
			}
		})
	}
	registerForTest(t)
	if err := Register(Config{Fields: []Field{{Name: "words", Positions: true}}}); err == nil {
		t.Fatal("registering other fields under the same type and version succeeded")
	}
	if err := Register(testConfig); err != nil {
		t.Fatalf("registering the same fields again: %v", err)
	}
}

// TestMadeUp compares, on made-up documents, the cases the corpus may not
// hold: fields absent or empty, repeated positions, huge position gaps,
// terms in more documents and at more positions than a skip block, a
// stored compact field, and a merge that drops every document of some
// terms.
func TestMadeUp(t *testing.T) {
	stored := func(d *document.Document) {
		d.AddField(document.NewTextFieldCustom("head", nil, []byte("h@1 x@2"), optVectors|optStore, spelled{}))
	}
	var docs []*document.Document
	docs = append(docs,
		madeUpDoc("absent", "", ""),
		madeUpDoc("empty", " ", " "),
		madeUpDoc("one", "a@1", "w@1"),
		madeUpDoc("repeat", "a@1 a@1 b@2 a@2", "w@1 w@1 w@1"),
		madeUpDoc("far", "a@1 z@1000000 a@3000000000", "w@1 rare@2"),
		madeUpDoc("stored", "a@1", "", stored),
	)
	for i := 0; i < 400; i++ {
		// common: in every document, several times; a: 150 times in one.
		var ng, w strings.Builder
		fmt.Fprintf(&ng, "common@1 common@%d d%d@2", i+2, i%7)
		fmt.Fprintf(&w, "common@1 w%d@2", i%300)
		if i == 200 {
			for p := 10; p < 160; p++ {
				fmt.Fprintf(&ng, " a@%d", p)
			}
		}
		for j := 0; j < i%4; j++ {
			fmt.Fprintf(&w, " common@%d", j+3)
		}
		docs = append(docs, madeUpDoc(fmt.Sprintf("d%03d", i), ng.String(), w.String()))
	}
	all := analyse(docs...)
	p := testPlugin(t)
	got, _, err := p.New(all)
	if err != nil {
		t.Fatal(err)
	}
	want := zapSegment(t, all)
	compareSegments(t, want, got, checks{every: 1})
	dir := t.TempDir()
	compareSegments(t, want, persistOpen(t, p, got, dir, "a.zap"), checks{every: 1})

	// Merge two halves, dropping the documents of "far" and "repeat"
	// (the only ones with z, rare and b) and every third of the rest.
	first, second := all[:200], all[200:]
	var segs []segment.Segment
	for _, part := range [][]index.Document{first, second} {
		s, _, err := p.New(part)
		if err != nil {
			t.Fatal(err)
		}
		segs = append(segs, s)
	}
	drops := []*roaring.Bitmap{everyNth(200, 3, 6), everyNth(uint64(len(second)), 3, 1)}
	drops[0].Add(3)
	drops[0].Add(4)
	var survivors []index.Document
	for i, part := range [][]index.Document{first, second} {
		for d, doc := range part {
			if !drops[i].Contains(uint32(d)) {
				survivors = append(survivors, doc)
			}
		}
	}
	merged, _ := mergeOpen(t, p, segs, drops, filepath.Join(dir, "merged.zap"))
	compareSegments(t, zapSegment(t, survivors), merged, checks{fields: testConfig.has, every: 1})
	for _, term := range []string{"z", "b"} {
		d, err := merged.Dictionary("ngram")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := d.Contains([]byte(term)); ok {
			t.Fatalf("term %q of dropped documents only survived the merge", term)
		}
	}
}

// smallSegments returns two segments of one made-up document each.
func smallSegments(t *testing.T, p *Plugin) []segment.Segment {
	var segs []segment.Segment
	for i := 0; i < 2; i++ {
		s, _, err := p.New(analyse(madeUpDoc(fmt.Sprint(i), "a@1 b@2", "w@1")))
		if err != nil {
			t.Fatal(err)
		}
		segs = append(segs, s)
	}
	return segs
}

// TestMergeClosed checks that a merge stops when its close channel is
// closed, and leaves no file behind.
func TestMergeClosed(t *testing.T) {
	p := testPlugin(t)
	segs := smallSegments(t, p)
	ch := make(chan struct{})
	close(ch)
	path := filepath.Join(t.TempDir(), "m.zap")
	if _, _, err := p.Merge(segs, make([]*roaring.Bitmap, 2), path, ch, nil); err != segment.ErrClosed {
		t.Fatalf("merge with a closed channel: %v, want %v", err, segment.ErrClosed)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*")); len(m) != 0 {
		t.Fatalf("files left behind: %v", m)
	}
}

// TestMadeUpSmall compares small segments whose compact fields are empty,
// absent or hold a single token.
func TestMadeUpSmall(t *testing.T) {
	cases := []struct {
		name string
		docs []*document.Document
	}{
		{"one document", []*document.Document{madeUpDoc("a", "x@1", "w@1")}},
		{"fields absent everywhere", []*document.Document{madeUpDoc("a", "", ""), madeUpDoc("b", "", "")}},
		{"fields present and empty everywhere", []*document.Document{madeUpDoc("a", " ", " "), madeUpDoc("b", " ", " ")}},
		{"only the last document has the fields", []*document.Document{madeUpDoc("a", "", ""), madeUpDoc("b", "", ""), madeUpDoc("c", "x@2", "w@1 w@1")}},
	}
	p := testPlugin(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs := analyse(c.docs...)
			got, _, err := p.New(docs)
			if err != nil {
				t.Fatal(err)
			}
			want := zapSegment(t, docs)
			compareSegments(t, want, got, checks{every: 1})
			compareSegments(t, want, persistOpen(t, p, got, t.TempDir(), "a.zap"), checks{every: 1})
		})
	}
}

// TestMergeClosedDuringSection closes the channel after zap merged its
// part: the compact section's merge stops too.
func TestMergeClosedDuringSection(t *testing.T) {
	var bases []*segBase
	for _, s := range smallSegments(t, testPlugin(t)) {
		bases = append(bases, &s.(*MemSegment).segBase)
	}
	path := filepath.Join(t.TempDir(), "m.zap")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{})
	close(ch)
	_, err := appendMergedSection(path, bases, [][]uint64{{0}, {1}}, make([]*roaring.Bitmap, 2), ch, nil)
	if err != segment.ErrClosed {
		t.Fatalf("merge with a closed channel: %v, want %v", err, segment.ErrClosed)
	}
}

// TestMergeDeletedField merges segments that say a compact field was
// deleted from the mapping: the merged segment no longer has it.
func TestMergeDeletedField(t *testing.T) {
	p := testPlugin(t)
	segs := smallSegments(t, p)
	for _, s := range segs {
		s.(segment.UpdatableSegment).SetUpdatedFields(map[string]*index.UpdateFieldInfo{"words": {Deleted: true}})
	}
	merged, _ := mergeOpen(t, p, segs, make([]*roaring.Bitmap, 2), filepath.Join(t.TempDir(), "m.zap"))
	for _, f := range merged.Fields() {
		if f == "words" {
			t.Fatalf("deleted field still listed: %v", merged.Fields())
		}
	}
	d, err := merged.Dictionary("ngram")
	if err != nil || d.Cardinality() != 2 {
		t.Fatalf("ngram dictionary: %v terms, %v", d.Cardinality(), err)
	}
}

// TestMadeUpDocListsEverywhere repeats the made-up comparisons with a
// document list for every positional term, however rare, so that lists of
// one document, lists without skip tables and merges of terms with and
// without lists are compared too.
func TestMadeUpDocListsEverywhere(t *testing.T) {
	defer func(n uint64) { docListMin = n }(docListMin)
	docListMin = 1
	t.Run("MadeUp", TestMadeUp)
	t.Run("MadeUpSmall", TestMadeUpSmall)
}

// TestCountCache counts a common term with deletions: again with the same
// bitmap, with another, and with the first changed in place since; each
// must be the number of the term's documents not deleted.
func TestCountCache(t *testing.T) {
	const n = 600
	var docs []*document.Document
	for i := 0; i < n; i++ {
		docs = append(docs, madeUpDoc(fmt.Sprint(i), "common@1 x@2", "common@1"))
	}
	s, _, err := testPlugin(t).New(analyse(docs...))
	if err != nil {
		t.Fatal(err)
	}
	a, b := everyNth(n, 3, 0), everyNth(n, 5, 1)
	check := func(except *roaring.Bitmap) {
		t.Helper()
		for _, field := range []string{"ngram", "words"} {
			d, err := s.Dictionary(field)
			if err != nil {
				t.Fatal(err)
			}
			pl, err := d.PostingsList([]byte("common"), except, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := pl.Count(), n-except.GetCardinality(); got != want {
				t.Fatalf("field %s: Count %d with %d of %d deleted, want %d", field, got, except.GetCardinality(), n, want)
			}
		}
	}
	check(a)
	check(a)
	check(b)
	check(a)
	a.Add(1)
	check(a)
}

// TestMergeStreamed repeats the merge comparisons with every term, or
// every term of more than a skip block, streamed (coded as it is
// renumbered, with estimated Rice parameters), with document lists
// everywhere or as usual.
func TestMergeStreamed(t *testing.T) {
	defer func(n, l uint64) { mergeBufferMax, docListMin = n, l }(mergeBufferMax, docListMin)
	for _, c := range []struct{ buffer, lists uint64 }{{1, 1}, {skipEvery + 1, docListMin}} {
		mergeBufferMax, docListMin = c.buffer, c.lists
		t.Run(fmt.Sprintf("stream from %d, lists from %d", c.buffer, c.lists), func(t *testing.T) {
			t.Run("MadeUp", TestMadeUp)
			t.Run("ExactMerge", TestExactMerge)
		})
	}
}

// TestBitmapCache asks many goroutines at once for the documents of
// terms, each with its own deletions: every answer must be the term's
// documents less those deleted, however the cache was filled, and the
// cached bitmaps must not change under them (run with -race).
func TestBitmapCache(t *testing.T) {
	const n = 600
	var docs []*document.Document
	for i := 0; i < n; i++ {
		ngram := "common@1"
		if i%2 == 0 {
			ngram += " even@2"
		}
		docs = append(docs, madeUpDoc(fmt.Sprint(i), ngram, ngram))
	}
	s, _, err := testPlugin(t).New(analyse(docs...))
	if err != nil {
		t.Fatal(err)
	}
	want := func(term string, except *roaring.Bitmap) *roaring.Bitmap {
		bm := roaring.New()
		for i := 0; i < n; i++ {
			if (term == "common" || i%2 == 0) && (except == nil || !except.Contains(uint32(i))) {
				bm.Add(uint32(i))
			}
		}
		return bm
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var except *roaring.Bitmap
			if g%3 != 0 {
				except = everyNth(n, uint64(g+1), uint64(g%2))
			}
			for round := 0; round < 20; round++ {
				for _, field := range []string{"ngram", "words"} {
					for _, term := range []string{"common", "even"} {
						d, err := s.Dictionary(field)
						if err != nil {
							errs <- err
							return
						}
						pl, err := d.PostingsList([]byte(term), except, nil)
						if err != nil {
							errs <- err
							return
						}
						it, ok := pl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator)
						if !ok {
							errs <- fmt.Errorf("field %s: the iterator gives no bitmap", field)
							return
						}
						got := it.ActualBitmap()
						if got == nil || !got.Equals(want(term, except)) {
							errs <- fmt.Errorf("goroutine %d field %s term %s: %d documents, want %d",
								g, field, term, got.GetCardinality(), want(term, except).GetCardinality())
							return
						}
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
