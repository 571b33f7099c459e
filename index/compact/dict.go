package compact

import (
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
)

// dictionary is the term dictionary of one compact field: a vellum FST
// from term to the offset of its postings.
type dictionary struct {
	f      *field
	fst    *vellum.FST
	reader *vellum.Reader
}

func newDictionary(f *field) (*dictionary, error) {
	fst, err := f.loadFST()
	if err != nil {
		return nil, err
	}
	r, err := fst.Reader()
	if err != nil {
		return nil, fmt.Errorf("compact: field %q: %w", f.name, err)
	}
	return &dictionary{f: f, fst: fst, reader: r}, nil
}

// PostingsList implements segment.TermDictionary.
func (d *dictionary) PostingsList(term []byte, except *roaring.Bitmap, prealloc segment.PostingsList) (segment.PostingsList, error) {
	pl, _ := prealloc.(*postingsList)
	if pl == nil {
		pl = &postingsList{}
	}
	off, ok, err := d.reader.Get(term)
	if err != nil {
		return nil, fmt.Errorf("compact: field %q: %w", d.f.name, err)
	}
	if !ok {
		*pl = postingsList{}
		return pl, nil
	}
	t, err := readTermInfo(d.f, off)
	if err != nil {
		return nil, err
	}
	*pl = postingsList{f: d.f, t: t, except: except}
	if t.listLen != 0 {
		if pl.dl, err = readDocList(d.f, &t); err != nil {
			return nil, err
		}
	}
	return pl, nil
}

// AutomatonIterator implements segment.TermDictionary.
func (d *dictionary) AutomatonIterator(a segment.Automaton, startKeyInclusive, endKeyExclusive []byte) segment.DictionaryIterator {
	it := &dictionaryIterator{f: d.f}
	var aut vellum.Automaton
	if a != nil {
		aut = a
	}
	itr, err := d.fst.Search(aut, startKeyInclusive, endKeyExclusive)
	if err == nil {
		it.itr = itr
	} else if err != vellum.ErrIteratorDone {
		it.err = err
	}
	return it
}

// Contains implements segment.TermDictionary.
func (d *dictionary) Contains(key []byte) (bool, error) { return d.fst.Contains(key) }

// Cardinality implements segment.TermDictionary: the number of terms.
func (d *dictionary) Cardinality() int { return d.fst.Len() }

// BytesRead implements segment.DiskStatsReporter.
func (d *dictionary) BytesRead() uint64 { return 0 }

// ResetBytesRead implements segment.DiskStatsReporter.
func (d *dictionary) ResetBytesRead(uint64) {}

// BytesWritten implements segment.DiskStatsReporter.
func (d *dictionary) BytesWritten() uint64 { return 0 }

// dictionaryIterator lists the terms of a dictionary that an automaton
// accepts, each with its number of documents (deleted ones included, as
// zap counts them).
type dictionaryIterator struct {
	f     *field
	itr   vellum.Iterator
	err   error
	entry index.DictEntry
}

// Next implements segment.DictionaryIterator.
func (i *dictionaryIterator) Next() (*index.DictEntry, error) {
	if i.err != nil && i.err != vellum.ErrIteratorDone {
		return nil, i.err
	}
	if i.itr == nil || i.err == vellum.ErrIteratorDone {
		return nil, nil
	}
	term, off := i.itr.Current()
	if fi, ok := i.itr.(vellum.FuzzyIterator); ok {
		i.entry.EditDistance = fi.EditDistance()
	}
	t, err := readTermInfo(i.f, off)
	if err != nil {
		i.err = err
		return nil, err
	}
	i.entry.Term, i.entry.Count = string(term), t.nDocs
	i.err = i.itr.Next()
	return &i.entry, nil
}
