package compact

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
)

// dropped marks a document that a merge leaves out (zap's sentinel).
const dropped = math.MaxUint64

// Merge implements scorch.SegmentPlugin. zap merges its part into the file
// at path and says where each surviving document goes; the compact
// section is then appended, merged term by term: for each term, in term
// order over all segments, the postings of each segment in turn, the
// dropped documents left out and the others renumbered. Memory holds one
// term's postings and the new doc tables, not the section; the term
// dictionaries are written to a temporary file beside path.
func (p *Plugin) Merge(segs []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, stats segment.StatsReporter) ([][]uint64, uint64, error) {
	bases := make([]*segBase, len(segs))
	zapSegs := make([]segment.Segment, len(segs))
	var files []*FileSegment
	release := func() {
		for _, f := range files {
			f.release()
		}
	}
	for i, sg := range segs {
		switch s := sg.(type) {
		case *MemSegment:
			bases[i] = &s.segBase
		case *FileSegment:
			bases[i] = &s.segBase
			files = append(files, s)
		default:
			return nil, 0, fmt.Errorf("compact: cannot merge a %T", sg)
		}
		zapSegs[i] = bases[i].zap
	}
	newDocNums, _, err := p.zap.Merge(zapSegs, drops, path, closeCh, stats)
	release()
	if err != nil {
		return nil, 0, err
	}
	n, err := appendMergedSection(path, bases, newDocNums, drops, closeCh, release)
	if err != nil {
		_ = os.Remove(path)
		return nil, 0, err
	}
	if stats != nil {
		stats.ReportBytesWritten(n.sectionLen + footerSize)
	}
	return newDocNums, n.zapLen + n.sectionLen + footerSize, nil
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// appendMergedSection appends the merged section and the footer to the
// zap file at path, and syncs it; release is called after each field.
func appendMergedSection(path string, bases []*segBase, newDocNums [][]uint64, drops []*roaring.Bitmap, closeCh chan struct{}, release func()) (footer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return footer{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return footer{}, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	spill := &spillFile{dir: filepath.Dir(path)}
	defer spill.remove()
	m := merger{bases: bases, newDocNums: newDocNums, drops: drops, closeCh: closeCh, spill: spill, release: release}
	ft, err := m.write(bw)
	if err != nil {
		return footer{}, err
	}
	ft.zapLen = uint64(st.Size())
	if _, err := bw.Write(ft.append(nil)); err != nil {
		return footer{}, err
	}
	if err := bw.Flush(); err != nil {
		return footer{}, err
	}
	if err := f.Sync(); err != nil {
		return footer{}, err
	}
	return ft, f.Close()
}

// merger merges the compact sections of segments.
type merger struct {
	bases      []*segBase
	newDocNums [][]uint64
	drops      []*roaring.Bitmap
	closeCh    chan struct{}
	release    func() // drops the segments' pages read so far from memory
	spill      *spillFile
	numDocs    uint64

	enc   termEncoder
	entry []byte
	vals  []uint64
	docs  []uint64 // positional: the documents and
	freqs []uint64 // frequencies, or those of a field without positions
	it    postingsIterator

	srcs      []termSource // the term's postings in each segment
	prev      uint64       // the last value renumbered, when have
	have      bool
	streaming bool       // the term is coded as it is renumbered
	pw, dw    codeWriter // streaming: positions; documents (positional: its list)
	listBuf   []byte
}

// termSource is one segment's postings of the term being merged.
type termSource struct {
	f   *field
	seg int
	t   termInfo
}

// mergeBufferMax is the number of codes from which a term is merged as a
// stream: its values are coded as they are renumbered, with Rice
// parameters estimated from the segments' postings, instead of being held
// whole to choose the best ones. It bounds a merge's memory whatever the
// size of its output.
var mergeBufferMax uint64 = 1 << 16

// mergeChunk is the number of values a streamed term holds before coding
// them.
const mergeChunk = 4096

func (m *merger) write(w io.Writer) (footer, error) {
	for _, nd := range m.newDocNums {
		for _, d := range nd {
			if d != dropped {
				m.numDocs = max(m.numDocs, d+1)
			}
		}
	}
	// The fields of every segment, less those whose index a segment says
	// was deleted (zap drops their index from the merged segment too).
	gone := map[string]bool{}
	for _, b := range m.bases {
		for name, info := range b.zap.GetUpdatedFields() {
			if info != nil && (info.Deleted || info.Index) {
				gone[name] = true
			}
		}
	}
	var names []string
	positional := map[string]bool{}
	for _, b := range m.bases {
		for _, f := range b.sec.fields {
			if gone[f.name] {
				continue
			}
			if p, seen := positional[f.name]; !seen {
				names = append(names, f.name)
			} else if p != f.positional {
				return footer{}, fmt.Errorf("compact: field %q has positions in some segments and not in others", f.name)
			}
			positional[f.name] = f.positional
		}
	}
	sort.Strings(names)
	sw := &sectionWriter{w: w}
	if m.numDocs > 0 {
		for _, name := range names {
			if err := m.field(sw, name, positional[name]); err != nil {
				return footer{}, err
			}
			if m.release != nil {
				m.release()
			}
		}
	}
	return sw.finish(m.numDocs)
}

// field merges one field.
func (m *merger) field(sw *sectionWriter, name string, positional bool) error {
	if closed(m.closeCh) {
		return segment.ErrClosed
	}
	// The new doc table: each surviving document keeps its span and length.
	spans := make([]uint64, m.numDocs)
	lengths := make([]uint64, m.numDocs)
	var srcs []*field
	var segOf []int
	for i, b := range m.bases {
		f := b.sec.byName[name]
		if f == nil {
			continue
		}
		if b.zap.Count() != uint64(len(m.newDocNums[i])) {
			return fmt.Errorf("compact: merge: segment %d has %d documents, zap renumbered %d", i, b.zap.Count(), len(m.newDocNums[i]))
		}
		for d, nd := range m.newDocNums[i] {
			if nd != dropped {
				spans[nd] = f.docs.docEnd(uint64(d)) - f.docs.docStart(uint64(d))
				lengths[nd] = f.docs.length(uint64(d))
			}
		}
		srcs, segOf = append(srcs, f), append(segOf, i)
	}
	docBytes, err := encodeDocTable(spans, lengths)
	if err != nil {
		return err
	}
	tokens := sumOf(lengths)
	spans, lengths = nil, nil
	table, err := parseDocTable(docBytes, m.numDocs)
	if err != nil {
		return err
	}
	fw, err := sw.beginField(name, positional, m.spill)
	if err != nil {
		return err
	}
	// Walk the terms of all segments in order.
	itrs := make([]*vellum.FSTIterator, len(srcs))
	for j, f := range srcs {
		fst, err := f.loadFST()
		if err != nil {
			return err
		}
		itr, err := fst.Iterator(nil, nil)
		if err == nil {
			itrs[j] = itr
		} else if err != vellum.ErrIteratorDone {
			return err
		}
	}
	var term []byte
	for n := 0; ; n++ {
		if n%1024 == 0 && closed(m.closeCh) {
			return segment.ErrClosed
		}
		term = term[:0]
		found := false
		for _, itr := range itrs {
			if itr == nil {
				continue
			}
			t, _ := itr.Current()
			if !found || bytes.Compare(t, term) < 0 {
				term, found = append(term[:0], t...), true
			}
		}
		if !found {
			break
		}
		m.srcs = m.srcs[:0]
		for j, itr := range itrs {
			if itr == nil {
				continue
			}
			t, off := itr.Current()
			if !bytes.Equal(t, term) {
				continue
			}
			ti, err := readTermInfo(srcs[j], off)
			if err != nil {
				return err
			}
			m.srcs = append(m.srcs, termSource{f: srcs[j], seg: segOf[j], t: ti})
			if err := itr.Next(); err == vellum.ErrIteratorDone {
				itrs[j] = nil
			} else if err != nil {
				return err
			}
		}
		if err := m.startTerm(positional); err != nil {
			return err
		}
		for _, src := range m.srcs {
			if err := m.remap(src, &table); err != nil {
				return err
			}
		}
		entry, n, err := m.endTerm(positional)
		if err != nil {
			return err
		}
		if n == 0 {
			continue // every document of the term was dropped
		}
		if err := fw.addTerm(term, entry, n); err != nil {
			return err
		}
	}
	return sw.endField(fw, docBytes, tokens)
}

// startTerm readies the merge of the term whose postings are m.srcs. A
// term of many codes is streamed: its Rice parameters come from the
// segments' headers and skip tables (the last value of each), and the
// smallest frequency is bounded by theirs.
func (m *merger) startTerm(positional bool) error {
	m.vals, m.docs, m.freqs = m.vals[:0], m.docs[:0], m.freqs[:0]
	m.have = false
	var n, nDocs, lastV, lastD uint64
	minFreq := ^uint64(0)
	for _, src := range m.srcs {
		n += src.t.n
		nDocs += src.t.nDocs
	}
	m.streaming = n >= mergeBufferMax
	if !m.streaming {
		return nil
	}
	for _, src := range m.srcs {
		if !positional {
			lastD += lastValue(src.f, &src.t, src.f.docs.numDocs)
			minFreq = min(minFreq, src.t.minFreq)
			continue
		}
		lastV += lastValue(src.f, &src.t, src.f.docs.end)
		if src.t.listLen == 0 {
			lastD += src.f.docs.numDocs
			minFreq = 1
			continue
		}
		dl, err := readDocList(src.f, &src.t)
		if err != nil {
			return err
		}
		lastD += lastValue(src.f, &dl, src.f.docs.numDocs)
		minFreq = min(minFreq, dl.minFreq)
	}
	if positional {
		m.pw.reset(riceForMean(lastV/n), 0, false, 0)
	}
	m.dw.reset(riceForMean(max(lastD, nDocs)/nDocs-1), 1, true, minFreq)
	return nil
}

// lastValue is about the last value of postings t of field f: the value
// before its last skip entry, else whole, the end of its values' range.
func lastValue(f *field, t *termInfo, whole uint64) uint64 {
	if t.nSkip == 0 {
		return whole
	}
	v, _ := t.skipEntry(f.postings, t.nSkip)
	return v
}

// remap renumbers src's postings into the new segment whose doc table is
// table, appending them to m.vals, m.docs and m.freqs; a streamed term
// codes them every mergeChunk values.
func (m *merger) remap(src termSource, table *docTable) error {
	f, i := src.f, src.seg
	var drop *roaring.Bitmap
	if i < len(m.drops) {
		drop = m.drops[i]
	}
	m.it.reset(f, src.t, f.positional, drop, true, f.positional)
	for {
		p, err := m.it.Next()
		if err != nil {
			return err
		}
		if p == nil {
			return nil
		}
		nd := m.newDocNums[i][p.Number()]
		if nd == dropped {
			continue
		}
		if !f.positional {
			if m.have && m.prev >= nd {
				return fmt.Errorf("compact: merge: documents out of order in field %q", f.name)
			}
			m.vals = append(m.vals, nd)
			m.freqs = append(m.freqs, p.Frequency())
			m.prev, m.have = nd, true
		} else {
			start := table.docStart(nd)
			if m.have && m.prev > start {
				return fmt.Errorf("compact: merge: positions out of order in field %q", f.name)
			}
			m.docs = append(m.docs, nd)
			m.freqs = append(m.freqs, p.Frequency())
			for _, l := range m.it.locBuf {
				m.vals = append(m.vals, start+l.pos)
			}
			m.prev, m.have = m.vals[len(m.vals)-1], true
		}
		if m.streaming && len(m.vals) >= mergeChunk {
			if err := m.flush(f); err != nil {
				return err
			}
		}
	}
}

// flush codes the values a streamed term holds.
func (m *merger) flush(f *field) error {
	docs := m.vals
	if f.positional {
		for _, v := range m.vals {
			m.pw.add(v, 0)
		}
		docs = m.docs
	}
	for j, d := range docs {
		if m.freqs[j] < m.dw.minFreq {
			return fmt.Errorf("%w: field %q: a frequency below the smallest its postings give", errCorrupt, f.name)
		}
		m.dw.add(d, m.freqs[j])
	}
	m.vals, m.docs, m.freqs = m.vals[:0], m.docs[:0], m.freqs[:0]
	return nil
}

// endTerm returns the merged term's postings entry and its number of
// occurrences (positional) or documents, 0 when every document of the term
// was dropped.
func (m *merger) endTerm(positional bool) ([]byte, uint64, error) {
	if !m.streaming {
		if len(m.vals) == 0 {
			return nil, 0, nil
		}
		if positional {
			m.entry = m.enc.positional(m.entry[:0], m.vals, m.docs, m.freqs)
		} else {
			m.entry = m.enc.docs(m.entry[:0], m.vals, m.freqs)
		}
		return m.entry, uint64(len(m.vals)), nil
	}
	if len(m.srcs) > 0 {
		if err := m.flush(m.srcs[0].f); err != nil {
			return nil, 0, err
		}
	}
	if !positional {
		if m.dw.n == 0 {
			return nil, 0, nil
		}
		m.entry = m.dw.entry(m.entry[:0], m.dw.minFreq, nil)
		return m.entry, m.dw.n, nil
	}
	n, nDocs := m.pw.n, m.dw.n
	if n == 0 {
		return nil, 0, nil
	}
	second := (n - nDocs) << 1
	var list []byte
	if nDocs >= docListMin {
		m.listBuf = m.dw.entry(m.listBuf[:0], m.dw.minFreq, nil)
		list, second = m.listBuf, second|1
	}
	m.entry = m.pw.entry(m.entry[:0], second, list)
	return m.entry, n, nil
}

// spillFile is a temporary file beside a merge's output that holds a term
// dictionary while the postings are written. Where the system allows it,
// its name is removed at once, so that a crash leaves nothing behind.
type spillFile struct {
	dir      string
	f        *os.File
	bw       *bufio.Writer
	unlinked bool
}

func (s *spillFile) reset() error {
	if s.f == nil {
		f, err := os.CreateTemp(s.dir, ".compact-terms-*")
		if err != nil {
			return err
		}
		s.unlinked = os.Remove(f.Name()) == nil
		s.f, s.bw = f, bufio.NewWriterSize(f, 1<<20)
		return nil
	}
	if err := s.f.Truncate(0); err != nil {
		return err
	}
	_, err := s.f.Seek(0, io.SeekStart)
	s.bw.Reset(s.f)
	return err
}

func (s *spillFile) Write(p []byte) (int, error) { return s.bw.Write(p) }

// reader flushes what was written and returns it to be read from the
// start.
func (s *spillFile) reader() (io.Reader, error) {
	if err := s.bw.Flush(); err != nil {
		return nil, err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return bufio.NewReaderSize(s.f, 1<<20), nil
}

func (s *spillFile) remove() {
	if s.f != nil {
		_ = s.f.Close()
		if !s.unlinked {
			_ = os.Remove(s.f.Name())
		}
	}
}
