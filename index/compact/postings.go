package compact

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

var (
	sizePostingsList     = int(reflect.TypeFor[postingsList]().Size())
	sizePostingsIterator = int(reflect.TypeFor[postingsIterator]().Size())
	sizePosting          = int(reflect.TypeFor[posting]().Size())
	sizeLocation         = int(reflect.TypeFor[location]().Size())
)

// postingsList is one term's postings in one compact field, less the
// documents of except.
type postingsList struct {
	f      *field // nil for a term the field lacks
	t      termInfo
	dl     termInfo // a positional term's document list, n 0 for none
	except *roaring.Bitmap

	counted bool
	count   uint64
}

// Iterator implements segment.PostingsList.
func (p *postingsList) Iterator(includeFreq, includeNorm, includeLocations bool, prealloc segment.PostingsIterator) segment.PostingsIterator {
	it, _ := prealloc.(*postingsIterator)
	if it == nil {
		it = &postingsIterator{}
	}
	t, pos := p.stream(includeLocations)
	it.reset(p.f, t, pos, p.except, includeFreq || includeNorm || includeLocations, includeLocations)
	return it
}

// stream says which postings to read and whether they are positions: the
// document list of a positional term that has one, unless locations are
// wanted.
func (p *postingsList) stream(locs bool) (termInfo, bool) {
	if p.f == nil {
		return p.t, false
	}
	if p.f.positional && !locs && p.dl.n != 0 {
		return p.dl, false
	}
	return p.t, p.f.positional
}

// Count implements segment.PostingsList: the number of documents, those in
// except left out. Without deletions that is the header's count; with
// them each deleted document is looked up, skipping over the postings
// between them, and the result is kept. Damaged postings count as if
// nothing were deleted (Count cannot fail; iterating them will).
func (p *postingsList) Count() uint64 {
	if p.f == nil {
		return 0
	}
	if p.except == nil || p.except.IsEmpty() {
		return p.t.nDocs
	}
	if p.counted {
		return p.count
	}
	p.counted = true
	if p.t.nDocs < countCacheMin {
		p.count = p.countExcept()
	} else if p.count = p.f.counts.get(p.except, p.t.streamAt); p.count == noCount {
		p.count = p.countExcept()
		p.f.counts.put(p.except, p.t.streamAt, p.count)
	}
	return p.count
}

// countCacheMin is the number of documents from which a term's count with
// deletions is kept: below it, counting costs little.
const countCacheMin = 256

// countCacheMax bounds the number of counts a field keeps.
const countCacheMax = 1 << 14

// noCount is what countCache.get answers when it has no count.
const noCount = ^uint64(0)

// countCache keeps, per field, the counts of common terms with deleted
// documents left out, for the deletion bitmap last asked about: scorch
// asks every query's terms for their count with its segment's deletions,
// which stay the same bitmap, unchanged, until the next snapshot.
// The bitmap's cardinality is checked too, so that a bitmap changed in
// place since does not get stale counts.
type countCache struct {
	mu     sync.Mutex
	except *roaring.Bitmap
	card   uint64
	counts map[uint64]uint64 // term (the bit position of its codes) → count
}

func (c *countCache) get(except *roaring.Bitmap, term uint64) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.except != except || c.counts == nil || c.card != except.GetCardinality() {
		return noCount
	}
	if n, ok := c.counts[term]; ok {
		return n
	}
	return noCount
}

func (c *countCache) put(except *roaring.Bitmap, term, n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	card := except.GetCardinality()
	if c.except != except || c.card != card || len(c.counts) >= countCacheMax {
		c.except, c.card, c.counts = except, card, map[uint64]uint64{}
	}
	c.counts[term] = n
}

func (p *postingsList) countExcept() uint64 {
	var it postingsIterator
	t, pos := p.stream(false)
	it.reset(p.f, t, pos, nil, false, false)
	deleted := uint64(0)
	ei := p.except.Iterator()
	cur, have := uint64(0), false
	for ei.HasNext() {
		d := uint64(ei.Next())
		if have && d == cur {
			deleted++
			continue
		}
		if have && d < cur {
			continue
		}
		post, err := it.Advance(d)
		if err != nil {
			return p.t.nDocs
		}
		if post == nil {
			break
		}
		cur, have = post.Number(), true
		if cur == d {
			deleted++
		} else {
			ei.AdvanceIfNeeded(uint32(cur))
		}
	}
	return p.t.nDocs - deleted
}

// Size implements segment.PostingsList.
func (p *postingsList) Size() int {
	n := sizePostingsList
	if p.except != nil {
		n += int(p.except.GetSizeInBytes())
	}
	return n
}

// BytesRead implements segment.DiskStatsReporter; the compact fields do
// not account for bytes read.
func (p *postingsList) BytesRead() uint64 { return 0 }

// ResetBytesRead implements segment.DiskStatsReporter.
func (p *postingsList) ResetBytesRead(uint64) {}

// BytesWritten implements segment.DiskStatsReporter.
func (p *postingsList) BytesWritten() uint64 { return 0 }

// postingsIterator walks one term's postings. Positional postings are a
// stream of global positions: it decodes them in order, finds the document
// holding each (the doc table), and groups a document's occurrences into
// one posting. Postings without positions are documents with a frequency.
type postingsIterator struct {
	f        *field
	t        termInfo
	pos      bool // t is a stream of positions, else of documents
	except   *roaring.Bitmap
	freqNorm bool // frequency and norm wanted
	locs     bool // locations wanted

	r       bitReader
	i       uint64 // codes decoded
	next    uint64 // the next value is next + the next code
	pending bool   // pv (and pf) decoded but not yet consumed
	pv, pf  uint64
	from    uint64 // the next posting's document is at least this

	doc, docStart, docEnd uint64 // positional: the current document
	started               bool   // doc is set

	// A term in many documents keeps the doc table's current block
	// decoded: its documents are found by a short scan.
	dense  bool
	blk    uint64 // the decoded block + 1, 0 for none
	blkN   uint64 // its number of documents
	starts *[docBlock + 1]uint64

	p       posting
	locBuf  []location
	segLocs []segment.Location

	// Bitmap mode, once ActualBitmap or ReplaceActual was called.
	actual   *roaring.Bitmap
	bm       roaring.IntPeekable
	returned bool // a posting was returned before the switch
	last     uint64
	err      error
}

// reset starts the iterator on postings t of field f, positions when pos
// is true.
func (it *postingsIterator) reset(f *field, t termInfo, pos bool, except *roaring.Bitmap, freqNorm, locs bool) {
	locBuf, segLocs, starts := it.locBuf[:0], it.segLocs[:0], it.starts
	*it = postingsIterator{f: f, t: t, pos: pos, except: except, freqNorm: freqNorm, locs: locs && pos,
		locBuf: locBuf, segLocs: segLocs, starts: starts}
	if f != nil {
		it.r = bitReader{buf: f.postings, pos: t.streamAt}
		// At least eight documents per block on average.
		it.dense = pos && t.nDocs*docBlock >= 8*f.docs.numDocs
		if it.dense && it.starts == nil {
			it.starts = new([docBlock + 1]uint64)
		}
	}
}

// corrupt records and returns an error about the postings.
func (it *postingsIterator) corrupt(what string) error {
	it.err = fmt.Errorf("%w: field %q: postings: %s", errCorrupt, it.f.name, what)
	return it.err
}

// decode reads the next value (and frequency) into pv (pf); false at the
// end of the postings.
func (it *postingsIterator) decode() (bool, error) {
	if it.i >= it.t.n {
		return false, nil
	}
	c, p, ok := riceFast(it.r.buf, it.r.pos, it.t.k)
	if ok {
		it.r.pos = p
	} else {
		c, ok = it.r.readRice(it.t.k)
	}
	v := it.next + c
	if !ok || v < it.next {
		return false, it.corrupt("bad gap")
	}
	it.i++
	it.pv, it.pending = v, true
	if it.pos {
		it.next = v
		return true, nil
	}
	it.next = v + 1
	g, p, ok := gammaFast(it.r.buf, it.r.pos)
	if ok {
		it.r.pos = p
	} else if g, ok = it.r.readGamma(); !ok {
		return false, it.corrupt("bad frequency")
	}
	it.pf = g - 1 + it.t.minFreq
	return true, nil
}

// seek makes the pending value the first one ≥ target, jumping over
// whole blocks of codes with the skip table. False at the end.
func (it *postingsIterator) seek(target uint64) (bool, error) {
	if it.pending && it.pv >= target {
		return true, nil
	}
	// The skip table helps only when the target lies beyond the next skip
	// entry's value (the next value decoded is at least it.next): then
	// jump to the last skip entry whose preceding value is below target.
	if next := it.i/skipEvery + 1; target > it.next && next <= it.t.nSkip {
		lo, hi := uint64(0), it.t.nSkip+1
		if v, _ := it.t.skipEntry(it.f.postings, next); v < target {
			lo = next
		} else {
			hi = lo
		}
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if v, _ := it.t.skipEntry(it.f.postings, mid); v < target {
				lo = mid
			} else {
				hi = mid
			}
		}
		if lo > 0 && lo*skipEvery >= it.i {
			v, off := it.t.skipEntry(it.f.postings, lo)
			it.r.pos = it.t.streamAt + off
			it.i = lo * skipEvery
			it.next = v
			if !it.pos {
				it.next = v + 1
			}
			it.pending = false
		}
	}
	for {
		if !it.pending {
			if ok, err := it.decode(); !ok {
				return false, err
			}
		}
		if it.pv >= target {
			return true, nil
		}
		it.pending = false
	}
}

// Next implements segment.PostingsIterator.
func (it *postingsIterator) Next() (segment.Posting, error) {
	return it.nextFrom(it.from)
}

// Advance implements segment.PostingsIterator.
func (it *postingsIterator) Advance(docNum uint64) (segment.Posting, error) {
	if it.bm != nil {
		it.bm.AdvanceIfNeeded(uint32(min(docNum, math.MaxUint32)))
		return it.nextFrom(0)
	}
	if it.f == nil || docNum >= it.f.docs.numDocs {
		it.i, it.pending = it.t.n, false
		return nil, it.err
	}
	return it.nextFrom(max(docNum, it.from))
}

// nextFrom returns the first posting of a document ≥ doc not in except.
func (it *postingsIterator) nextFrom(doc uint64) (segment.Posting, error) {
	if it.err != nil {
		return nil, it.err
	}
	if it.bm != nil {
		return it.nextBitmap()
	}
	if it.f == nil {
		return nil, nil
	}
	for {
		if doc >= it.f.docs.numDocs {
			it.i, it.pending = it.t.n, false
			return nil, nil
		}
		ok, err := true, error(nil)
		if it.pos {
			// After a document, the pending position already lies beyond it.
			if !(it.pending && it.started && doc == it.doc+1 && it.pv > it.docEnd) {
				ok, err = it.seek(it.f.docs.docStart(doc) + 1)
			}
		} else {
			ok, err = it.seek(doc)
		}
		if !ok {
			return nil, err
		}
		if !it.pos {
			d := it.pv
			if d >= it.f.docs.numDocs {
				return nil, it.corrupt("document number out of range")
			}
			it.pending = false
			it.from = d + 1
			if it.except != nil && it.except.Contains(uint32(d)) {
				doc = d + 1
				continue
			}
			it.p = posting{docNum: d}
			if it.freqNorm {
				it.p.freq, it.p.length = it.pf, it.f.docs.length(d)
			}
			it.returned, it.last = true, d
			return &it.p, nil
		}
		if err := it.enterDoc(doc); err != nil {
			return nil, err
		}
		d := it.doc
		it.from = d + 1
		if it.except != nil && it.except.Contains(uint32(d)) {
			doc = d + 1
			continue
		}
		return it.collect()
	}
}

// enterDoc sets the current document to the one holding the pending
// position, searching from document from on.
func (it *postingsIterator) enterDoc(from uint64) error {
	g := it.pv
	t := &it.f.docs
	if g > t.end || t.numDocs == 0 {
		return it.corrupt("position beyond the last document")
	}
	if it.dense {
		b := from / docBlock
		if g > t.blockEnd(b) {
			b = t.blockBefore(g, b)
		}
		if it.blk != b+1 {
			it.blkN, it.blk = t.loadBlock(b, it.starts), b+1
		}
		i := uint64(0)
		if from > b*docBlock {
			i = from - b*docBlock
		}
		for i+1 < it.blkN && it.starts[i+1] < g {
			i++
		}
		it.doc, it.docStart, it.docEnd, it.started = b*docBlock+i, it.starts[i], it.starts[i+1], true
	} else if it.started && from == it.doc+1 && g <= t.docEnd(from) {
		// The next document: its start is the current one's end.
		it.doc, it.docStart, it.docEnd = from, it.docEnd, t.docEnd(from)
	} else {
		d, start := t.findDoc(g, from)
		it.doc, it.docStart, it.docEnd, it.started = d, start, t.docEnd(d), true
	}
	if g <= it.docStart || g > it.docEnd {
		return it.corrupt("position outside its document")
	}
	return nil
}

// collect consumes the current document's occurrences and returns its
// posting.
func (it *postingsIterator) collect() (segment.Posting, error) {
	d := it.doc
	it.p = posting{docNum: d}
	it.returned, it.last = true, d
	if !it.freqNorm {
		// Only the document is wanted: jump past its occurrences.
		if _, err := it.seek(it.docEnd + 1); err != nil {
			return nil, err
		}
		return &it.p, nil
	}
	it.locBuf, it.segLocs = it.locBuf[:0], it.segLocs[:0]
	freq, err := it.takeDoc()
	if err != nil {
		return nil, err
	}
	it.p.freq, it.p.length = freq, it.f.docs.lengthSpan(d, it.docStart, it.docEnd)
	if it.locs {
		for i := range it.locBuf {
			it.segLocs = append(it.segLocs, &it.locBuf[i])
		}
		it.p.locs = it.segLocs
	}
	return &it.p, nil
}

// takeDoc consumes the current document's positions (the pending one and
// those after it up to the document's end), appending them to locBuf when
// locations are wanted, and leaves the next document's first position
// pending. It is decode's loop, unrolled for speed.
func (it *postingsIterator) takeDoc() (uint64, error) {
	buf, pos, k := it.f.postings, it.r.pos, it.t.k
	i, n, v, end := it.i, it.t.n, it.pv, it.docEnd
	freq := uint64(0)
	for v <= end {
		freq++
		if it.locs {
			it.locBuf = append(it.locBuf, location{field: it.f.name, pos: v - it.docStart})
		}
		if i >= n {
			it.r.pos, it.i, it.pending = pos, i, false
			return freq, nil
		}
		c, p, ok := riceFast(buf, pos, k)
		if !ok {
			it.r.pos = pos
			if c, ok = it.r.readRice(k); !ok {
				return 0, it.corrupt("bad gap")
			}
			p = it.r.pos
		}
		pos, i = p, i+1
		if v+c < v {
			return 0, it.corrupt("bad gap")
		}
		v += c
	}
	it.r.pos, it.i, it.pv, it.next = pos, i, v, v
	return freq, nil
}

// ActualBitmap implements segment.OptimizablePostingsIterator. An
// iterator that wants neither frequencies nor locations gives the
// documents as a bitmap, so that bleve can unite or intersect many terms'
// documents as bitmaps (a one-character prefix query unites hundreds of
// bigrams); from then on it iterates that bitmap. Others return nil, which
// tells bleve to iterate them.
func (it *postingsIterator) ActualBitmap() *roaring.Bitmap {
	if it.freqNorm || it.f == nil {
		return nil
	}
	if it.actual == nil {
		bm, err := it.documents()
		if err != nil {
			it.err = err
			return nil
		}
		it.useBitmap(bm)
		if it.returned {
			// Carry on after the last posting already returned.
			it.bm.AdvanceIfNeeded(uint32(it.last + 1))
		}
	}
	return it.actual
}

// documents returns every document of the postings, less except. The
// decoded documents of a term are kept in the field's bitmap cache: a
// segment never changes, and a one-character prefix query asks for the
// same hundreds of bigrams' documents every time it runs.
func (it *postingsIterator) documents() (*roaring.Bitmap, error) {
	if bm := it.f.bitmaps.get(it.t.streamAt); bm != nil {
		return withoutDocs(bm, it.except), nil
	}
	except := it.except
	it.except = nil
	bm, err := it.decodeDocuments()
	it.except = except
	if err != nil {
		return nil, err
	}
	it.f.bitmaps.put(it.t.streamAt, bm)
	return withoutDocs(bm, except), nil
}

// withoutDocs is bm less except, bm itself when they share no document.
// bm may be shared: it is never changed.
func withoutDocs(bm, except *roaring.Bitmap) *roaring.Bitmap {
	if except == nil || !bm.Intersects(except) {
		return bm
	}
	return roaring.AndNot(bm, except)
}

// bitmapCacheBytes bounds the decoded documents a field of one segment
// keeps (bleve only reads the bitmaps it is given).
const bitmapCacheBytes = 4 << 20

// bitmapCache holds decoded document bitmaps by term (the bit position of
// its codes) until bitmapCacheBytes are used; later terms are decoded
// every time.
type bitmapCache struct {
	mu    sync.Mutex
	bytes uint64
	bms   map[uint64]*roaring.Bitmap
}

func (c *bitmapCache) get(term uint64) *roaring.Bitmap {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bms[term]
}

func (c *bitmapCache) put(term uint64, bm *roaring.Bitmap) {
	bm.RunOptimize()
	size := bm.GetSizeInBytes()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes+size > bitmapCacheBytes {
		return
	}
	if c.bms == nil {
		c.bms = map[uint64]*roaring.Bitmap{}
	}
	c.bms[term] = bm
	c.bytes += size
}

// decodeDocuments decodes every document of the postings, less except.
func (it *postingsIterator) decodeDocuments() (*roaring.Bitmap, error) {
	if !it.pos {
		return it.listDocuments()
	}
	var arr [512]uint32 // a batch of documents for bm
	bm, buf := roaring.New(), arr[:0]
	var all postingsIterator
	all.reset(it.f, it.t, it.pos, nil, false, false)
	for {
		p, err := all.Next()
		if err != nil {
			return nil, err
		}
		if p == nil {
			break
		}
		buf = addDoc(bm, buf, uint32(p.Number()))
	}
	return finishDocs(bm, buf, it.except), nil
}

// addDoc appends d to buf, a batch of documents to add to bm, adding
// them when it is full.
func addDoc(bm *roaring.Bitmap, buf []uint32, d uint32) []uint32 {
	buf = append(buf, d)
	if len(buf) == cap(buf) {
		bm.AddMany(buf)
		buf = buf[:0]
	}
	return buf
}

// finishDocs adds the last batch to bm and leaves out except.
func finishDocs(bm *roaring.Bitmap, buf []uint32, except *roaring.Bitmap) *roaring.Bitmap {
	bm.AddMany(buf)
	if except != nil {
		bm.AndNot(except)
	}
	return bm
}

// listDocuments is documents for a list of documents: decode's loop, the
// frequencies skipped.
func (it *postingsIterator) listDocuments() (*roaring.Bitmap, error) {
	var arr [512]uint32 // a batch of documents for bm
	bm, buf := roaring.New(), arr[:0]
	r := bitReader{buf: it.f.postings, pos: it.t.streamAt}
	k, numDocs := it.t.k, it.f.docs.numDocs
	next := uint64(0)
	for i := uint64(0); i < it.t.n; i++ {
		// Most often a gap and its frequency lie in one load.
		if j := r.pos >> 3; j+8 <= uint64(len(r.buf)) {
			w := binary.LittleEndian.Uint64(r.buf[j:]) >> (r.pos & 7)
			avail := 64 - uint(r.pos&7)
			tz := uint(bits.TrailingZeros64(w))
			if used := tz + 1 + k; used <= avail {
				g := 2*uint(bits.TrailingZeros64(w>>used)) + 1
				if d := next + (uint64(tz)<<k | (w>>(tz+1))&(1<<k-1)); g <= avail-used && d >= next && d < numDocs {
					r.pos += uint64(used + g)
					next = d + 1
					buf = addDoc(bm, buf, uint32(d))
					continue
				}
			}
		}
		c, p, ok := riceFast(r.buf, r.pos, k)
		if ok {
			r.pos = p
		} else if c, ok = r.readRice(k); !ok {
			return nil, it.corrupt("bad gap")
		}
		d := next + c
		if d < next || d >= numDocs {
			return nil, it.corrupt("document number out of range")
		}
		if _, p, ok = gammaFast(r.buf, r.pos); ok {
			r.pos = p
		} else if _, ok = r.readGamma(); !ok {
			return nil, it.corrupt("bad frequency")
		}
		next = d + 1
		buf = addDoc(bm, buf, uint32(d))
	}
	return finishDocs(bm, buf, it.except), nil
}

func (it *postingsIterator) useBitmap(bm *roaring.Bitmap) {
	it.actual = bm
	it.bm = bm.Iterator()
}

// ReplaceActual implements segment.OptimizablePostingsIterator: the
// iterator restarts over bm.
func (it *postingsIterator) ReplaceActual(bm *roaring.Bitmap) { it.useBitmap(bm) }

// DocNum1Hit implements segment.OptimizablePostingsIterator: a term that
// occurs once, in a document not deleted, answers with that document
// before it is iterated, as zap's single-hit postings do, so that bleve
// need not build a bitmap of it.
func (it *postingsIterator) DocNum1Hit() (uint64, bool) {
	if it.f == nil || it.t.n != 1 || it.bm != nil || it.returned || it.i != 0 || it.err != nil {
		return 0, false
	}
	peek := *it // decode on a copy: the iterator stays unread
	p, err := peek.Next()
	// Without positions, the header bounds the frequency from below; the
	// code says it.
	if err != nil || p == nil || (!it.pos && peek.pf != 1) {
		return 0, false
	}
	return p.Number(), true
}

func (it *postingsIterator) nextBitmap() (segment.Posting, error) {
	if !it.bm.HasNext() {
		return nil, nil
	}
	it.p = posting{docNum: uint64(it.bm.Next())}
	return &it.p, nil
}

// Size implements segment.PostingsIterator.
func (it *postingsIterator) Size() int {
	return sizePostingsIterator + it.p.Size() + len(it.locBuf)*sizeLocation
}

// BytesRead implements segment.DiskStatsReporter.
func (it *postingsIterator) BytesRead() uint64 { return 0 }

// ResetBytesRead implements segment.DiskStatsReporter.
func (it *postingsIterator) ResetBytesRead(uint64) {}

// BytesWritten implements segment.DiskStatsReporter.
func (it *postingsIterator) BytesWritten() uint64 { return 0 }

// posting is one document of a term's postings.
type posting struct {
	docNum uint64
	freq   uint64
	length uint64 // the field's length in the document
	locs   []segment.Location
}

// Number implements segment.Posting.
func (p *posting) Number() uint64 { return p.docNum }

// Frequency implements segment.Posting.
func (p *posting) Frequency() uint64 { return p.freq }

// Norm implements segment.Posting: 1/√length, rounded through float32 as
// zap stores it, so that scores are bit for bit those of zap.
func (p *posting) Norm() float64 {
	return float64(float32(1 / math.Sqrt(float64(uint32(p.length)))))
}

// Locations implements segment.Posting.
func (p *posting) Locations() []segment.Location { return p.locs }

// Size implements segment.Posting.
func (p *posting) Size() int { return sizePosting + len(p.locs)*sizeLocation }

// location is one occurrence in a positional field. Offsets and array
// positions are not kept (New refuses tokens that have them).
type location struct {
	field string
	pos   uint64
}

// Field implements segment.Location.
func (l *location) Field() string { return l.field }

// Start implements segment.Location.
func (l *location) Start() uint64 { return 0 }

// End implements segment.Location.
func (l *location) End() uint64 { return 0 }

// Pos implements segment.Location.
func (l *location) Pos() uint64 { return l.pos }

// ArrayPositions implements segment.Location.
func (l *location) ArrayPositions() []uint64 { return nil }

// Size implements segment.Location.
func (l *location) Size() int { return sizeLocation + len(l.field) }
