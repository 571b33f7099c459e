package compact

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum/regexp"
)

// postRec is everything a posting says, for comparison.
type postRec struct {
	Num  uint64
	Freq uint64
	Norm uint64 // float bits
	Locs []locRec
}

type locRec struct {
	Field           string
	Pos, Start, End uint64
	ArrayPositions  string
}

func record(p segment.Posting) postRec {
	r := postRec{Num: p.Number(), Freq: p.Frequency(), Norm: math.Float64bits(p.Norm())}
	for _, l := range p.Locations() {
		ap := ""
		if a := l.ArrayPositions(); len(a) > 0 {
			ap = fmt.Sprint(a)
		}
		r.Locs = append(r.Locs, locRec{Field: l.Field(), Pos: l.Pos(), Start: l.Start(), End: l.End(), ArrayPositions: ap})
	}
	return r
}

// drain returns every posting of it.
func drain(t *testing.T, it segment.PostingsIterator) []postRec {
	t.Helper()
	var out []postRec
	for {
		p, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if p == nil {
			return out
		}
		out = append(out, record(p))
	}
}

// advanceWalk advances it to every stride-th document from the last one
// returned, as a conjunction does, and returns what each call returned.
func advanceWalk(t *testing.T, it segment.PostingsIterator, stride uint64) []postRec {
	t.Helper()
	var out []postRec
	target := uint64(0)
	for {
		p, err := it.Advance(target)
		if err != nil {
			t.Fatal(err)
		}
		if p == nil {
			return out
		}
		out = append(out, record(p))
		target = p.Number() + stride
	}
}

// dictEntries lists a dictionary iterator.
func dictEntries(t *testing.T, it segment.DictionaryIterator) []string {
	t.Helper()
	var out []string
	for {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			return out
		}
		out = append(out, fmt.Sprintf("%q:%d", e.Term, e.Count))
	}
}

// everyNth returns a bitmap of the documents below n at multiples of k
// (offset by o): deleted documents for the comparisons.
func everyNth(n, k, o uint64) *roaring.Bitmap {
	b := roaring.New()
	for d := o; d < n; d += k {
		b.Add(uint32(d))
	}
	return b
}

// checks says which fields compareSegments compares and how closely.
type checks struct {
	fields func(name string) bool // nil: all
	// every is the share of a compact field's terms whose postings are
	// compared (every n-th term; 1 for all). zap's own fields are passed
	// through and get every 50th.
	every int
}

func allFields(string) bool { return true }

// compareSegments checks that got answers every question scorch asks a
// segment exactly as want (a zap segment of the same documents) does.
func compareSegments(t *testing.T, want, got segment.Segment, c checks) {
	t.Helper()
	if w, g := want.Count(), got.Count(); w != g {
		t.Fatalf("Count %d, want %d", g, w)
	}
	keep := func(fs []string) []string {
		var out []string
		for _, f := range fs {
			if c.fields == nil || c.fields(f) || f == "_id" {
				out = append(out, f)
			}
		}
		sort.Strings(out)
		return out
	}
	wf, gf := keep(want.Fields()), keep(got.Fields())
	if !reflect.DeepEqual(wf, gf) {
		t.Fatalf("Fields %v, want %v", gf, wf)
	}
	n := want.Count()
	var ids []string
	for d := uint64(0); d < n; d++ {
		wid, err1 := want.DocID(d)
		gid, err2 := got.DocID(d)
		if err1 != nil || err2 != nil || string(wid) != string(gid) {
			t.Fatalf("DocID(%d) = %q, %v; want %q, %v", d, gid, err2, wid, err1)
		}
		if w, g := storedFields(t, want, d), storedFields(t, got, d); !reflect.DeepEqual(w, g) {
			t.Fatalf("stored fields of doc %d: %v, want %v", d, g, w)
		}
		if d%7 == 0 {
			ids = append(ids, string(wid))
		}
	}
	wb, err1 := want.DocNumbers(append(ids, "no such id"))
	gb, err2 := got.DocNumbers(append(ids, "no such id"))
	if err1 != nil || err2 != nil || !wb.Equals(gb) {
		t.Fatalf("DocNumbers: %v, %v; want %v, %v", gb, err2, wb, err1)
	}
	for _, f := range wf {
		if c.fields != nil && !c.fields(f) {
			continue
		}
		every := 50
		if testConfig.has(f) {
			every = c.every
		}
		compareField(t, want, got, f, every)
	}
}

func (c Config) has(name string) bool {
	for _, f := range c.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func storedFields(t *testing.T, s segment.Segment, d uint64) []string {
	var out []string
	err := s.VisitStoredFields(d, func(field string, typ byte, value []byte, pos []uint64) bool {
		out = append(out, fmt.Sprintf("%s %c %q %v", field, typ, value, pos))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compareField(t *testing.T, want, got segment.Segment, field string, every int) {
	t.Helper()
	wd, err := want.Dictionary(field)
	if err != nil {
		t.Fatal(err)
	}
	gd, err := got.Dictionary(field)
	if err != nil {
		t.Fatal(err)
	}
	if w, g := wd.Cardinality(), gd.Cardinality(); w != g {
		t.Fatalf("field %s: Cardinality %d, want %d", field, g, w)
	}
	all := dictEntries(t, wd.AutomatonIterator(nil, nil, nil))
	if g := dictEntries(t, gd.AutomatonIterator(nil, nil, nil)); !reflect.DeepEqual(all, g) {
		t.Fatalf("field %s: %d terms listed, want %d (%s)", field, len(g), len(all), firstDiff(g, all))
	}
	var terms []string
	wit := wd.AutomatonIterator(nil, nil, nil)
	for e, _ := wit.Next(); e != nil; e, _ = wit.Next() {
		terms = append(terms, e.Term)
	}
	n := want.Count()
	excepts := []*roaring.Bitmap{nil, everyNth(n, 7, 3)}
	type flags struct{ freq, norm, locs bool }
	var wpl, gpl segment.PostingsList
	var wit2, git2 segment.PostingsIterator
	for i, term := range terms {
		if i%every != 0 {
			continue
		}
		if ok, err := gd.Contains([]byte(term)); !ok || err != nil {
			t.Fatalf("field %s: Contains(%q) = %v, %v", field, term, ok, err)
		}
		for _, probe := range []string{term + "\x00", term[:len(term)-1], term + "的"} {
			w, _ := wd.Contains([]byte(probe))
			if g, err := gd.Contains([]byte(probe)); g != w || err != nil {
				t.Fatalf("field %s: Contains(%q) = %v, %v; want %v", field, probe, g, err, w)
			}
		}
		for ei, except := range excepts {
			wpl, err = wd.PostingsList([]byte(term), except, wpl)
			if err != nil {
				t.Fatal(err)
			}
			gpl, err = gd.PostingsList([]byte(term), except, gpl)
			if err != nil {
				t.Fatal(err)
			}
			if w, g := wpl.Count(), gpl.Count(); w != g {
				t.Fatalf("field %s term %q except %d: Count %d, want %d", field, term, ei, g, w)
			}
			fls := []flags{{true, true, true}, {false, false, false}}
			if except == nil {
				fls = append(fls, flags{true, true, false}, flags{false, false, true})
			}
			for _, fl := range fls {
				wit2 = wpl.Iterator(fl.freq, fl.norm, fl.locs, wit2)
				git2 = gpl.Iterator(fl.freq, fl.norm, fl.locs, git2)
				w, g := drain(t, wit2), drain(t, git2)
				if !reflect.DeepEqual(w, g) {
					t.Fatalf("field %s term %q except %d flags %v: postings differ: %s", field, term, ei, fl, firstDiffPost(g, w))
				}
			}
			// Advance from many points; the strides vary with the term
			// so that every term is not walked the same way.
			strides := []uint64{2 + uint64(i%5), 13 + uint64(i%11), 97}
			if except != nil {
				strides = []uint64{1 + uint64(i%7)}
			}
			// With positions, a positional term's positions are walked;
			// without, its document list when it has one.
			for _, fl := range []flags{{true, true, true}, {true, true, false}, {false, false, false}} {
				for _, stride := range strides {
					wit2 = wpl.Iterator(fl.freq, fl.norm, fl.locs, wit2)
					git2 = gpl.Iterator(fl.freq, fl.norm, fl.locs, git2)
					w, g := advanceWalk(t, wit2, stride), advanceWalk(t, git2, stride)
					if !reflect.DeepEqual(w, g) {
						t.Fatalf("field %s term %q except %d flags %v stride %d: Advance differs: %s", field, term, ei, fl, stride, firstDiffPost(g, w))
					}
				}
			}
			// Unscored iterators hand bleve their documents as a bitmap.
			git2 = gpl.Iterator(false, false, false, git2)
			if o, ok := git2.(*postingsIterator); ok {
				bm := o.ActualBitmap()
				wb := roaring.New()
				for _, p := range drain(t, wpl.Iterator(false, false, false, nil)) {
					wb.Add(uint32(p.Num))
				}
				if bm == nil || !bm.Equals(wb) {
					t.Fatalf("field %s term %q except %d: ActualBitmap %v, want %v", field, term, ei, bm, wb)
				}
			}
			compareOneHit(t, field, term, ei, wpl, gpl)
		}
	}
	compareRanges(t, field, wd, gd, terms)
}

// compareRanges compares the dictionary iterators bleve builds for prefix,
// range and regular-expression queries.
func compareRanges(t *testing.T, field string, wd, gd segment.TermDictionary, terms []string) {
	t.Helper()
	firsts := map[string]bool{}
	for _, term := range terms {
		_, size := utf8.DecodeRuneInString(term)
		firsts[term[:size]] = true
	}
	var prefixes []string
	for p := range firsts {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for i, p := range prefixes {
		end := []byte(p)
		end[len(end)-1]++ // the prefix's end, as bleve computes it (no prefix ends in 0xff here)
		w := dictEntries(t, wd.AutomatonIterator(nil, []byte(p), end))
		g := dictEntries(t, gd.AutomatonIterator(nil, []byte(p), end))
		if !reflect.DeepEqual(w, g) {
			t.Fatalf("field %s prefix %q: %s", field, p, firstDiff(g, w))
		}
		if i%(len(prefixes)/4+1) != 0 {
			continue
		}
		re, err := regexp.New(".*" + regexpQuote(p) + ".*")
		if err != nil {
			continue
		}
		w = dictEntries(t, wd.AutomatonIterator(re, nil, nil))
		g = dictEntries(t, gd.AutomatonIterator(re, nil, nil))
		if !reflect.DeepEqual(w, g) {
			t.Fatalf("field %s regexp .*%s.*: %s", field, p, firstDiff(g, w))
		}
	}
}

func regexpQuote(s string) string {
	out := ""
	for _, r := range s {
		if r < 128 && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			out += `\`
		}
		out += string(r)
	}
	return out
}

func firstDiff(got, want []string) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			return fmt.Sprintf("at %d: %s, want %s", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d entries, want %d", len(got), len(want))
}

func firstDiffPost(got, want []postRec) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("posting %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d postings, want %d", len(got), len(want))
}

// compareOneHit checks DocNum1Hit: where zap has a single-hit term, so
// must got, and a single hit must be the term's only posting, of
// frequency 1, and must leave the iterator unread.
func compareOneHit(t *testing.T, field, term string, ei int, wpl, gpl segment.PostingsList) {
	t.Helper()
	wo, ok1 := wpl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator)
	gi := gpl.Iterator(true, true, false, nil)
	go1, ok2 := gi.(segment.OptimizablePostingsIterator)
	if !ok1 || !ok2 {
		return
	}
	wd, wok := wo.DocNum1Hit()
	gd, gok := go1.DocNum1Hit()
	if wok && (!gok || gd != wd) {
		t.Fatalf("field %s term %q except %d: DocNum1Hit %d, %v; zap %d, true", field, term, ei, gd, gok, wd)
	}
	if gok {
		want := []postRec{{Num: gd, Freq: 1}}
		if got := drain(t, gi); len(got) != 1 || got[0].Num != gd || got[0].Freq != 1 {
			t.Fatalf("field %s term %q except %d: DocNum1Hit %d, but the postings are %v (want %v)", field, term, ei, gd, got, want)
		}
	}
}
