package compact

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// skipEvery is the number of codes between two entries of a term's skip
// table; terms with fewer codes have none.
const skipEvery = 128

// termInfo is the decoded header of one term's postings.
type termInfo struct {
	n        uint64 // codes: occurrences (positional) or documents
	nDocs    uint64
	k        uint   // Rice parameter of the gaps
	minFreq  uint64 // without positions: the smallest frequency
	nSkip    uint64
	wv, wo   uint   // bit widths of a skip entry's value and offset
	skipAt   uint64 // bit position of the first skip entry
	streamAt uint64 // bit position of the first code
	// A positional term's document list: its byte offset in the
	// postings and its length, 0 for none.
	listAt, listLen uint64
}

// docListMin is the number of documents from which a positional term also
// keeps a document list: below it, decoding the positions costs little
// more than decoding the list would.
var docListMin uint64 = 64

// readTermInfo decodes the header of the term whose postings start at off
// in f's postings, checking that it lies inside them.
func readTermInfo(f *field, off uint64) (termInfo, error) {
	return readEntry(f, off, f.positional)
}

// readDocList decodes the header of the document list of the positional
// term t, which is the postings of a term without positions.
func readDocList(f *field, t *termInfo) (termInfo, error) {
	l, err := readEntry(f, t.listAt, false)
	if err == nil && l.nDocs != t.nDocs {
		err = fmt.Errorf("%w: field %q: document list at %d: %d documents, the positions have %d", errCorrupt, f.name, t.listAt, l.nDocs, t.nDocs)
	}
	return l, err
}

// readEntry decodes the header of postings at off, with positions or not.
func readEntry(f *field, off uint64, positional bool) (termInfo, error) {
	bad := func(what string) (termInfo, error) {
		return termInfo{}, fmt.Errorf("%w: field %q: postings at %d: %s", errCorrupt, f.name, off, what)
	}
	if off >= uint64(len(f.postings)) {
		return bad("offset outside the postings")
	}
	s := byteScanner{b: f.postings[off:]}
	h := s.uvarint()
	second := s.uvarint()
	if s.err {
		return bad("header")
	}
	t := termInfo{n: h >> 6, k: uint(h & 63)}
	if t.n == 0 {
		return bad("no codes")
	}
	if positional {
		if second>>1 >= t.n {
			return bad("more documents than occurrences")
		}
		t.nDocs = t.n - second>>1
		if second&1 != 0 {
			t.listLen = s.uvarint()
			t.listAt = uint64(len(f.postings)) - uint64(len(s.b))
			if s.bytes(t.listLen); s.err || t.listLen == 0 {
				return bad("document list")
			}
		}
	} else {
		if second == 0 {
			return bad("zero frequency")
		}
		t.nDocs, t.minFreq = t.n, second
	}
	if t.n > skipEvery {
		w := s.bytes(2)
		if s.err || w[0] > 64 || w[1] > 64 {
			return bad("skip widths")
		}
		t.wv, t.wo = uint(w[0]), uint(w[1])
		t.nSkip = (t.n - 1) / skipEvery
		nb := (t.nSkip*uint64(t.wv+t.wo) + 7) / 8
		if s.bytes(nb); s.err {
			return bad("skip table")
		}
	}
	headerLen := uint64(len(f.postings)) - off - uint64(len(s.b))
	skipLen := (t.nSkip*uint64(t.wv+t.wo) + 7) / 8
	t.streamAt = (off + headerLen) * 8
	t.skipAt = t.streamAt - skipLen*8
	return t, nil
}

// skipEntry returns skip entry j (1 ≤ j ≤ nSkip): the value of code
// j*skipEvery-1 and the bit offset of code j*skipEvery from the stream.
func (t *termInfo) skipEntry(postings []byte, j uint64) (value, offset uint64) {
	pos := t.skipAt + (j-1)*uint64(t.wv+t.wo)
	if i := pos >> 3; i+8 <= uint64(len(postings)) && t.wv+t.wo <= 56 {
		w := binary.LittleEndian.Uint64(postings[i:]) >> (pos & 7)
		return w & (1<<t.wv - 1), w >> t.wv & (1<<t.wo - 1)
	}
	r := bitReader{buf: postings, pos: pos}
	value, _ = r.readBits(t.wv)
	offset, _ = r.readBits(t.wo)
	return value, offset
}

// termEncoder writes terms' postings. Positional terms are the
// nondecreasing global positions of their occurrences; the others are
// increasing document numbers with a frequency each.
type termEncoder struct {
	codes []uint64
	w     codeWriter

	list    *termEncoder // of document lists
	listBuf []byte
}

// positional appends to dst the postings of a term occurring at the
// global positions vals (nondecreasing, each ≥ 1) in the documents docs
// (increasing) with frequencies freqs; a term of at least docListMin
// documents keeps them as a document list.
func (e *termEncoder) positional(dst []byte, vals, docs, freqs []uint64) []byte {
	nDocs := uint64(len(docs))
	second := (uint64(len(vals)) - nDocs) << 1
	if nDocs < docListMin {
		return e.encode(dst, vals, 0, second, nil, 0, nil)
	}
	if e.list == nil {
		e.list = &termEncoder{}
	}
	e.listBuf = e.list.docs(e.listBuf[:0], docs, freqs)
	return e.encode(dst, vals, 0, second|1, nil, 0, e.listBuf)
}

// docs appends to dst the postings of a term occurring in the documents
// docs (increasing) with frequencies freqs (each ≥ 1).
func (e *termEncoder) docs(dst []byte, docs, freqs []uint64) []byte {
	minFreq := freqs[0]
	for _, f := range freqs {
		minFreq = min(minFreq, f)
	}
	return e.encode(dst, docs, 1, minFreq, freqs, minFreq, nil)
}

// encode appends the entry of vals (with freqs when not nil), with the
// Rice parameter that codes them in the fewest bits.
func (e *termEncoder) encode(dst []byte, vals []uint64, inc, second uint64, freqs []uint64, minFreq uint64, list []byte) []byte {
	e.gaps(vals, inc)
	e.w.reset(riceParameter(e.codes), inc, freqs != nil, minFreq)
	for i, v := range vals {
		f := uint64(0)
		if freqs != nil {
			f = freqs[i]
		}
		e.w.add(v, f)
	}
	return e.w.entry(dst, second, list)
}

// gaps turns values into codes: each value minus the previous one plus
// inc (0 when values may repeat, 1 when they increase).
func (e *termEncoder) gaps(vals []uint64, inc uint64) {
	e.codes = e.codes[:0]
	next := uint64(0)
	for _, v := range vals {
		e.codes = append(e.codes, v-next)
		next = v + inc
	}
}

// codeWriter codes one term's values as they come, with a Rice parameter
// chosen beforehand, so that a term need not be held whole: each value's
// gap, then its frequency's code when frequencies are kept, and a skip
// entry every skipEvery codes.
type codeWriter struct {
	k        uint
	inc      uint64 // 0 when values may repeat (positions), 1 when they increase
	freqs    bool
	minFreq  uint64 // at most the smallest frequency
	n        uint64 // values added
	next     uint64 // the next value is at least this
	last     uint64
	stream   bitWriter
	skipVals []uint64
	skipOffs []uint64
	skips    bitWriter
}

func (w *codeWriter) reset(k uint, inc uint64, freqs bool, minFreq uint64) {
	w.stream.reset()
	*w = codeWriter{k: k, inc: inc, freqs: freqs, minFreq: minFreq, stream: w.stream,
		skipVals: w.skipVals[:0], skipOffs: w.skipOffs[:0], skips: w.skips}
}

// add codes value v (not below the previous value plus inc) of frequency
// freq (not below minFreq; ignored without frequencies).
func (w *codeWriter) add(v, freq uint64) {
	if w.n > 0 && w.n%skipEvery == 0 {
		w.skipVals = append(w.skipVals, w.last)
		w.skipOffs = append(w.skipOffs, w.stream.bitLen())
	}
	w.stream.writeRice(v-w.next, w.k)
	if w.freqs {
		w.stream.writeGamma(freq - w.minFreq + 1)
	}
	w.next, w.last = v+w.inc, v
	w.n++
}

// entry appends the postings entry: the header (the number of codes and
// the Rice parameter, then second, then the length and bytes of list when
// it is not nil), the skip table when there is one, and the codes.
func (w *codeWriter) entry(dst []byte, second uint64, list []byte) []byte {
	dst = binary.AppendUvarint(dst, w.n<<6|uint64(w.k))
	dst = binary.AppendUvarint(dst, second)
	if list != nil {
		dst = binary.AppendUvarint(dst, uint64(len(list)))
		dst = append(dst, list...)
	}
	if len(w.skipOffs) > 0 {
		var maxV, maxO uint64
		for j, o := range w.skipOffs {
			maxV, maxO = max(maxV, w.skipVals[j]), max(maxO, o)
		}
		wv, wo := uint(bits.Len64(maxV)), uint(bits.Len64(maxO))
		dst = append(dst, byte(wv), byte(wo))
		w.skips.reset()
		for j, o := range w.skipOffs {
			w.skips.writeBits(w.skipVals[j], wv)
			w.skips.writeBits(o, wo)
		}
		dst = append(dst, w.skips.bytes()...)
	}
	return append(dst, w.stream.bytes()...)
}

// riceForMean is the Rice parameter for codes of the given mean when they
// cannot all be seen beforehand: about log2 of ln 2 times the mean, the
// best for geometrically distributed gaps.
func riceForMean(mean uint64) uint {
	if b := mean * 69 / 100; b > 0 {
		return uint(bits.Len64(b) - 1)
	}
	return 0
}

// riceParameter chooses the Rice parameter that codes codes in the fewest
// bits, trying the neighbours of log2 of their mean.
func riceParameter(codes []uint64) uint {
	var sum uint64
	for _, c := range codes {
		sum += c
	}
	mean := sum / uint64(len(codes))
	guess := bits.Len64(mean)
	best, bestBits := uint(0), ^uint64(0)
	for k := max(guess-2, 0); k <= min(guess+1, 63); k++ {
		n := uint64(len(codes)) * uint64(k+1)
		for _, c := range codes {
			n += c >> uint(k)
		}
		if n < bestBits {
			best, bestBits = uint(k), n
		}
	}
	return best
}
