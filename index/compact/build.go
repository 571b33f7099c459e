package compact

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"sort"

	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
	zap "github.com/blevesearch/zapx/v16"
)

// New implements scorch.SegmentPlugin: zap indexes the documents without
// their compact fields (a stored compact field stays stored in zap), the
// compact section indexes those fields.
func (p *Plugin) New(results []index.Document) (segment.Segment, uint64, error) {
	b := newSectionBuilder(p.cfg, uint64(len(results)))
	zapDocs := make([]index.Document, len(results))
	for d, doc := range results {
		var err error
		has := false
		doc.VisitFields(func(f index.Field) {
			spec, ok := p.fields[f.Name()]
			if !ok {
				return
			}
			has = true
			if err == nil {
				err = b.add(uint64(d), spec, f)
			}
		})
		if err != nil {
			return nil, 0, fmt.Errorf("compact: document %q: %w", doc.ID(), err)
		}
		zapDocs[d] = doc
		if has {
			zapDocs[d] = zapView{Document: doc, compact: p.fields}
		}
	}
	zs, zapMem, err := p.zap.New(zapDocs)
	if err != nil {
		return nil, 0, err
	}
	sb, ok := zs.(*zap.SegmentBase)
	if !ok {
		return nil, 0, fmt.Errorf("compact: zap returned a %T", zs)
	}
	var buf bytes.Buffer
	ft, err := b.write(&buf)
	if err != nil {
		return nil, 0, err
	}
	sec, err := parseSection(buf.Bytes(), ft.dirLen, uint64(len(results)), ft.metaCRC)
	if err != nil {
		return nil, 0, fmt.Errorf("compact: reading back a new section: %w", err)
	}
	s := newMemSegment(sb, zapMem+zap.FooterSize, sec, ft)
	return s, s.zapLen + uint64(buf.Len()), nil
}

// zapView is a document as zap sees it: without its compact fields, or
// with only their stored values.
type zapView struct {
	index.Document
	compact map[string]Field
}

// VisitFields implements index.Document.
func (v zapView) VisitFields(visit index.FieldVisitor) {
	v.Document.VisitFields(func(f index.Field) {
		if _, ok := v.compact[f.Name()]; !ok {
			visit(f)
		} else if f.Options().IsStored() {
			visit(storedOnly{f})
		}
	})
}

// storedOnly is a compact field whose value zap stores but does not index.
type storedOnly struct{ index.Field }

// Options implements index.Field.
func (storedOnly) Options() index.FieldIndexingOptions { return index.StoreField }

// AnalyzedLength implements index.Field.
func (storedOnly) AnalyzedLength() int { return 0 }

// AnalyzedTokenFrequencies implements index.Field.
func (storedOnly) AnalyzedTokenFrequencies() index.TokenFrequencies { return nil }

// sectionBuilder gathers the compact fields of a batch of documents, in
// document order, and writes their section.
type sectionBuilder struct {
	numDocs uint64
	fields  map[string]*fieldBuilder
}

// fieldBuilder gathers one field: per document its span (largest
// position) and length, per term its postings.
type fieldBuilder struct {
	spec    Field
	spans   []uint64
	lengths []uint64
	next    uint64 // start of the next document's positions
	lastDoc uint64 // last document seen + 1
	terms   map[string]*termPostings
}

// termPostings are one term's postings while a segment is built: global
// positions and, for the document list, documents and frequencies
// (positional fields), or documents (vals) and frequencies.
type termPostings struct {
	vals  []uint64
	docs  []uint64
	freqs []uint64
	nDocs uint64
}

func newSectionBuilder(cfg Config, numDocs uint64) *sectionBuilder {
	b := &sectionBuilder{numDocs: numDocs, fields: map[string]*fieldBuilder{}}
	for _, f := range cfg.Fields {
		b.fields[f.Name] = &fieldBuilder{spec: f, terms: map[string]*termPostings{}}
	}
	return b
}

// add adds document d's value of a compact field. It refuses what the
// section cannot give back exactly: a second value of the field in one
// document, doc values, term vectors that differ from the configuration,
// offsets, array positions, and positions out of order.
func (b *sectionBuilder) add(d uint64, spec Field, f index.Field) error {
	fb := b.fields[spec.Name]
	if fb.lastDoc > d {
		return fmt.Errorf("compact field %q occurs twice; the compact codec indexes one value per field", spec.Name)
	}
	opts := f.Options()
	if opts.IncludeDocValues() {
		return fmt.Errorf("compact field %q has doc values, which the compact codec does not keep", spec.Name)
	}
	if !opts.IsIndexed() {
		return nil
	}
	if opts.IncludeTermVectors() != spec.Positions {
		return fmt.Errorf("compact field %q: term vectors %v in the document, positions %v in the configuration",
			spec.Name, opts.IncludeTermVectors(), spec.Positions)
	}
	if fb.spans == nil {
		fb.spans = make([]uint64, b.numDocs)
		fb.lengths = make([]uint64, b.numDocs)
	}
	start := fb.next
	var span uint64
	for term, tf := range f.AnalyzedTokenFrequencies() {
		tp := fb.terms[term]
		if tp == nil {
			tp = &termPostings{}
			fb.terms[term] = tp
		}
		tp.nDocs++
		if !spec.Positions {
			tp.vals = append(tp.vals, d)
			tp.freqs = append(tp.freqs, uint64(tf.Frequency()))
			continue
		}
		if len(tf.Locations) != tf.Frequency() {
			return fmt.Errorf("compact field %q: term %q has %d locations for frequency %d", spec.Name, term, len(tf.Locations), tf.Frequency())
		}
		tp.docs = append(tp.docs, d)
		tp.freqs = append(tp.freqs, uint64(tf.Frequency()))
		prev := uint64(0)
		for _, l := range tf.Locations {
			switch {
			case l.Start != 0 || l.End != 0:
				return fmt.Errorf("compact field %q: term %q has offsets %d-%d; the compact codec keeps positions only", spec.Name, term, l.Start, l.End)
			case len(l.ArrayPositions) > 0:
				return fmt.Errorf("compact field %q: term %q has array positions, which the compact codec does not keep", spec.Name, term)
			case l.Field != "" && l.Field != spec.Name:
				return fmt.Errorf("compact field %q: term %q located in field %q", spec.Name, term, l.Field)
			case l.Position < 1 || uint64(l.Position) < prev:
				return fmt.Errorf("compact field %q: term %q at position %d after %d; positions must start at 1 and not decrease", spec.Name, term, l.Position, prev)
			}
			prev = uint64(l.Position)
			tp.vals = append(tp.vals, start+prev)
		}
		span = max(span, prev)
	}
	fb.spans[d], fb.lengths[d] = span, uint64(f.AnalyzedLength())
	fb.next += span
	fb.lastDoc = d + 1
	return nil
}

// write writes the section of the fields that occurred and returns its
// footer less the zap length.
func (b *sectionBuilder) write(w io.Writer) (footer, error) {
	names := make([]string, 0, len(b.fields))
	for name, fb := range b.fields {
		if fb.spans != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	sw := &sectionWriter{w: w}
	var enc termEncoder
	var entry []byte
	for _, name := range names {
		fb := b.fields[name]
		terms := make([]string, 0, len(fb.terms))
		for t := range fb.terms {
			terms = append(terms, t)
		}
		sort.Strings(terms)
		fw, err := sw.beginField(name, fb.spec.Positions, nil)
		if err != nil {
			return footer{}, err
		}
		for _, t := range terms {
			tp := fb.terms[t]
			if fb.spec.Positions {
				entry = enc.positional(entry[:0], tp.vals, tp.docs, tp.freqs)
			} else {
				entry = enc.docs(entry[:0], tp.vals, tp.freqs)
			}
			if err := fw.addTerm([]byte(t), entry, uint64(len(tp.vals))); err != nil {
				return footer{}, err
			}
		}
		docs, err := encodeDocTable(fb.spans, fb.lengths)
		if err != nil {
			return footer{}, err
		}
		if err := sw.endField(fw, docs, sumOf(fb.lengths)); err != nil {
			return footer{}, err
		}
	}
	return sw.finish(b.numDocs)
}

func sumOf(v []uint64) uint64 {
	s := uint64(0)
	for _, x := range v {
		s += x
	}
	return s
}

// sectionWriter writes a section field by field: each field's postings,
// then its term dictionary, then its doc table; the directory last.
type sectionWriter struct {
	w       io.Writer
	n       uint64 // bytes written
	crc     uint32 // of every byte written
	metaCRC uint32 // of the doc tables so far
	fields  []fieldEntry
}

func (sw *sectionWriter) Write(p []byte) (int, error) {
	n, err := sw.w.Write(p)
	sw.n += uint64(n)
	sw.crc = crc32.Update(sw.crc, castagnoli, p[:n])
	return n, err
}

// fieldWriter writes one field's postings to the section and its term
// dictionary to memory, or to a spill file when it may be large.
type fieldWriter struct {
	sw      *sectionWriter
	entry   fieldEntry
	fst     *vellum.Builder
	fstBuf  bytes.Buffer
	fstRead func() (io.Reader, error)
}

// beginField starts a field. spill, when not nil, receives the term
// dictionary instead of memory.
func (sw *sectionWriter) beginField(name string, positional bool, spill *spillFile) (*fieldWriter, error) {
	fw := &fieldWriter{sw: sw, entry: fieldEntry{name: name, postingsOff: sw.n}}
	if positional {
		fw.entry.flags = fieldFlagPositions
	}
	var out io.Writer = &fw.fstBuf
	fw.fstRead = func() (io.Reader, error) { return &fw.fstBuf, nil }
	if spill != nil {
		if err := spill.reset(); err != nil {
			return nil, err
		}
		out, fw.fstRead = spill, spill.reader
	}
	var err error
	fw.fst, err = vellum.New(out, nil)
	return fw, err
}

// addTerm writes a term's postings entry (terms in order) and notes it in
// the dictionary; occurrences is for the statistics.
func (fw *fieldWriter) addTerm(term, entry []byte, occurrences uint64) error {
	if err := fw.fst.Insert(term, fw.entry.postingsN); err != nil {
		return err
	}
	if _, err := fw.sw.Write(entry); err != nil {
		return err
	}
	fw.entry.postingsN += uint64(len(entry))
	fw.entry.terms++
	fw.entry.occurrences += occurrences
	return nil
}

// endField closes the field's dictionary, copies it into the section and
// writes the doc table.
func (sw *sectionWriter) endField(fw *fieldWriter, docs []byte, tokens uint64) error {
	if err := fw.fst.Close(); err != nil {
		return err
	}
	r, err := fw.fstRead()
	if err != nil {
		return err
	}
	fw.entry.fstOff = sw.n
	h := crc32.New(castagnoli)
	n, err := io.Copy(io.MultiWriter(sw, h), r)
	if err != nil {
		return err
	}
	fw.entry.fstN, fw.entry.fstCRC = uint64(n), h.Sum32()
	fw.entry.docsOff, fw.entry.docsN, fw.entry.tokens = sw.n, uint64(len(docs)), tokens
	if _, err := sw.Write(docs); err != nil {
		return err
	}
	sw.metaCRC = crc32.Update(sw.metaCRC, castagnoli, docs)
	sw.fields = append(sw.fields, fw.entry)
	return nil
}

// finish writes the directory and returns the footer less the zap length.
func (sw *sectionWriter) finish(numDocs uint64) (footer, error) {
	dir := encodeDirectory(numDocs, sw.fields)
	if _, err := sw.Write(dir); err != nil {
		return footer{}, err
	}
	return footer{sectionLen: sw.n, dirLen: uint64(len(dir)), sectionCRC: sw.crc,
		metaCRC: crc32.Update(sw.metaCRC, castagnoli, dir)}, nil
}
