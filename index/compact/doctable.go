package compact

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"sync"
)

// docBlock is the number of documents per block of a doc table.
const docBlock = 128

// blockEntrySize is the size of one block's entry in a doc table: the
// start of its first document (8 bytes), the offset of its packed values
// (4), the width of its start offsets and of its lengths (1 each).
const blockEntrySize = 14

// lengthIsSpan is the length width that says a block stores no lengths
// because every document's length equals its span.
const lengthIsSpan = 0xff

// docTable gives, per document of a segment, the field's length (the
// number of its tokens, for the norm) and, for a positional field, where
// its positions start in the field's position space. It reads the packed
// form in place.
type docTable struct {
	numDocs uint64
	end     uint64 // start of the position space after the last document
	dir     []byte // block entries
	data    []byte // packed values
	near    *nearIndex
}

// nearIndex maps every 2^shift-th position to the document holding it, so
// that a position's document is a few documents away: built in memory on
// first use, about one entry for every few documents.
type nearIndex struct {
	once  sync.Once
	shift uint
	docs  []uint32 // docs[i]: the document holding position i<<shift + 1
}

// nearDoc returns a document at or before the one holding position g.
func (t *docTable) nearDoc(g uint64) uint64 {
	n := t.near
	n.once.Do(func() {
		if t.numDocs == 0 || t.end == 0 {
			return
		}
		// About four documents per entry.
		n.shift = uint(bits.Len64(t.end/t.numDocs)) + 1
		n.docs = make([]uint32, (t.end-1)>>n.shift+1)
		var starts [docBlock + 1]uint64
		d, b, loaded := uint64(0), uint64(0), uint64(0)
		for i := range n.docs {
			g := uint64(i)<<n.shift + 1
			for d+1 < t.numDocs {
				if nb := (d + 1) / docBlock; nb != b || loaded == 0 {
					b, loaded = nb, 1
					t.loadBlock(b, &starts)
				}
				if starts[(d+1)%docBlock] >= g {
					break
				}
				d++
			}
			n.docs[i] = uint32(d)
		}
	})
	if i := (g - 1) >> n.shift; i < uint64(len(n.docs)) {
		return uint64(n.docs[i])
	}
	return 0
}

// docStart returns where document d's positions start: its position p is
// start+p.
func (t *docTable) docStart(d uint64) uint64 {
	e := t.dir[(d/docBlock)*blockEntrySize:]
	base := binary.LittleEndian.Uint64(e)
	ws := uint(e[12])
	if ws == 0 {
		return base
	}
	off := uint64(binary.LittleEndian.Uint32(e[8:]))
	return base + t.bits(off*8+(d%docBlock)*uint64(ws), ws)
}

// bits reads the w-bit value at bit offset off of the packed values.
func (t *docTable) bits(off uint64, w uint) uint64 {
	i := off >> 3
	if i+8 > uint64(len(t.data)) || w > 56 {
		return unpack(t.data, off, w)
	}
	return binary.LittleEndian.Uint64(t.data[i:]) >> (off & 7) & (1<<w - 1)
}

// docEnd returns the start of the document after d (the end of d's span).
func (t *docTable) docEnd(d uint64) uint64 {
	if d+1 >= t.numDocs {
		return t.end
	}
	return t.docStart(d + 1)
}

// length returns the number of tokens of document d. It reads d's block
// entry once: a stored length, or a span whose both ends lie in the block.
func (t *docTable) length(d uint64) uint64 {
	b := d / docBlock
	e := t.dir[b*blockEntrySize:]
	n := blockDocs(t.numDocs, b)
	ws, wl := uint(e[12]), uint(e[13])
	off := uint64(binary.LittleEndian.Uint32(e[8:])) * 8
	i := d % docBlock
	switch {
	case wl == 0:
		return 0
	case wl != lengthIsSpan:
		return t.bits(off+n*uint64(ws)+i*uint64(wl), wl)
	case ws == 0 && i+1 < n:
		return 0 // every start in the block is the block's
	case i+1 < n:
		return t.bits(off+(i+1)*uint64(ws), ws) - t.bits(off+i*uint64(ws), ws)
	}
	return t.lengthSpan(d, t.docStart(d), t.docEnd(d))
}

// lengthSpan is length for a document whose span, start to end, is known.
func (t *docTable) lengthSpan(d, start, end uint64) uint64 {
	e := t.dir[(d/docBlock)*blockEntrySize:]
	wl := uint(e[13])
	if wl == lengthIsSpan {
		return end - start
	}
	if wl == 0 {
		return 0
	}
	ws := uint(e[12])
	n := blockDocs(t.numDocs, d/docBlock)
	off := uint64(binary.LittleEndian.Uint32(e[8:]))*8 + n*uint64(ws)
	return t.bits(off+(d%docBlock)*uint64(wl), wl)
}

// findDoc returns the document whose span holds global position g, that is
// the last document d ≥ from with docStart(d) < g, and its start. g must be
// greater than docStart(from).
func (t *docTable) findDoc(g, from uint64) (uint64, uint64) {
	// The same document first: postings are often close.
	if from+1 >= t.numDocs || t.docStart(from+1) >= g {
		return from, t.docStart(from)
	}
	// Then a few documents on from the near index's.
	d := max(t.nearDoc(g), from)
	for steps := 0; steps < 8; steps++ {
		if d+1 >= t.numDocs || t.docStart(d+1) >= g {
			return d, t.docStart(d)
		}
		d++
	}
	from = d
	b := t.blockBefore(g, from/docBlock)
	e := t.dir[b*blockEntrySize:]
	base := binary.LittleEndian.Uint64(e)
	ws := uint(e[12])
	bitOff := uint64(binary.LittleEndian.Uint32(e[8:])) * 8
	startOf := func(d uint64) uint64 {
		if ws == 0 {
			return base
		}
		return base + t.bits(bitOff+(d%docBlock)*uint64(ws), ws)
	}
	// The last document of block b starting before g, in [l, h): guess
	// by interpolation (documents' lengths vary, but not wildly), walk a
	// few steps from the guess, and bisect if that does not suffice.
	l, h := max(b*docBlock, from), min(b*docBlock+docBlock, t.numDocs)
	if end := t.blockEnd(b); end > base {
		guess := b*docBlock + (g-base-1)*blockDocs(t.numDocs, b)/(end-base)
		guess = min(max(guess, l), h-1)
		if startOf(guess) < g {
			for steps := 0; steps < 4 && guess+1 < h; steps++ {
				if startOf(guess+1) >= g {
					return guess, startOf(guess)
				}
				guess++
			}
			l = guess
		} else {
			h = guess
			for steps := 0; steps < 4 && h > l; steps++ {
				if s := startOf(h - 1); s < g {
					return h - 1, s
				}
				h--
			}
		}
	}
	start := startOf(l)
	for h-l > 1 {
		mid := l + (h-l)/2
		if s := startOf(mid); s < g {
			l, start = mid, s
		} else {
			h = mid
		}
	}
	return l, start
}

// blockBefore returns the last block starting before g, from block b on
// (which must start before g): gallop, then bisect.
func (t *docTable) blockBefore(g, b uint64) uint64 {
	nb := uint64(len(t.dir) / blockEntrySize)
	lo, hi := b, b+1
	for step := uint64(1); hi < nb && t.blockBase(hi) < g; step *= 2 {
		lo, hi = hi, hi+step
	}
	hi = min(hi, nb)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if t.blockBase(mid) < g {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// blockEnd returns where block b's last document ends.
func (t *docTable) blockEnd(b uint64) uint64 {
	if (b+1)*blockEntrySize >= uint64(len(t.dir)) {
		return t.end
	}
	return t.blockBase(b + 1)
}

// loadBlock decodes the starts of block b's documents into starts, and
// after them the block's end; it returns the number of documents.
func (t *docTable) loadBlock(b uint64, starts *[docBlock + 1]uint64) uint64 {
	e := t.dir[b*blockEntrySize:]
	base := binary.LittleEndian.Uint64(e)
	ws := uint(e[12])
	bitOff := uint64(binary.LittleEndian.Uint32(e[8:])) * 8
	n := blockDocs(t.numDocs, b)
	for i := uint64(0); i < n; i++ {
		starts[i] = base
		if ws > 0 {
			starts[i] += t.bits(bitOff+i*uint64(ws), ws)
		}
	}
	starts[n] = t.blockEnd(b)
	return n
}

func (t *docTable) blockBase(b uint64) uint64 {
	return binary.LittleEndian.Uint64(t.dir[b*blockEntrySize:])
}

// blockDocs is the number of documents in block b of a table of n.
func blockDocs(n, b uint64) uint64 {
	return min(n-b*docBlock, docBlock)
}

// unpack reads the w-bit value at bit offset off of data (w ≤ 64).
func unpack(data []byte, off uint64, w uint) uint64 {
	r := bitReader{buf: data, pos: off}
	v, _ := r.readBits(w)
	return v
}

// encodeDocTable writes the doc table of spans and lengths (one of each per
// document; spans all zero for a field without positions): the number of
// documents and the end of the position space as uvarints, then the block
// entries, then the packed values.
func encodeDocTable(spans, lengths []uint64) ([]byte, error) {
	n := uint64(len(lengths))
	var out []byte
	var end uint64
	for _, s := range spans {
		end += s
	}
	out = binary.AppendUvarint(out, n)
	out = binary.AppendUvarint(out, end)
	nb := (n + docBlock - 1) / docBlock
	dirAt := len(out)
	out = append(out, make([]byte, nb*blockEntrySize)...)
	var bw bitWriter
	var start uint64
	for b := uint64(0); b < nb; b++ {
		lo, hi := b*docBlock, min(b*docBlock+docBlock, n)
		base := start
		// Widths: start offsets within the block and lengths.
		var off, maxOff, maxLen uint64
		same := true
		for d := lo; d < hi; d++ {
			maxOff = max(maxOff, off)
			off += spans[d]
			maxLen = max(maxLen, lengths[d])
			same = same && lengths[d] == spans[d]
		}
		ws := uint(bits.Len64(maxOff))
		wl := uint(bits.Len64(maxLen))
		if same && maxLen > 0 {
			wl = lengthIsSpan
		}
		dataOff := uint64(len(bw.bytes()))
		if dataOff > 1<<32-1 {
			return nil, fmt.Errorf("compact: doc table of %d documents too large", n)
		}
		e := out[dirAt+int(b)*blockEntrySize:]
		binary.LittleEndian.PutUint64(e, base)
		binary.LittleEndian.PutUint32(e[8:], uint32(dataOff))
		e[12], e[13] = byte(ws), byte(wl)
		off = 0
		for d := lo; d < hi; d++ {
			bw.writeBits(off, ws)
			off += spans[d]
		}
		if wl != lengthIsSpan {
			for d := lo; d < hi; d++ {
				bw.writeBits(lengths[d], wl)
			}
		}
		start += off
	}
	return append(out, bw.bytes()...), nil
}

// parseDocTable reads a doc table written by encodeDocTable for numDocs
// documents, checking that every block lies inside it.
func parseDocTable(b []byte, numDocs uint64) (docTable, error) {
	bad := func(what string) (docTable, error) {
		return docTable{}, fmt.Errorf("%w: doc table: %s", errCorrupt, what)
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n != numDocs {
		return bad("document count")
	}
	end, k2 := binary.Uvarint(b[k:])
	if k2 <= 0 {
		return bad("end")
	}
	b = b[k+k2:]
	nb := (n + docBlock - 1) / docBlock
	if nb > uint64(len(b))/blockEntrySize {
		return bad("block entries")
	}
	t := docTable{numDocs: n, end: end, dir: b[:nb*blockEntrySize], data: b[nb*blockEntrySize:], near: &nearIndex{}}
	prev := uint64(0)
	for i := uint64(0); i < nb; i++ {
		e := t.dir[i*blockEntrySize:]
		base := binary.LittleEndian.Uint64(e)
		off := uint64(binary.LittleEndian.Uint32(e[8:]))
		ws, wl := uint64(e[12]), uint64(e[13])
		if wl == lengthIsSpan {
			wl = 0
		}
		if ws > 64 || wl > 64 || base < prev || base > end {
			return bad("block entry")
		}
		nd := blockDocs(n, i)
		if off+(nd*(ws+wl)+7)/8 > uint64(len(t.data)) {
			return bad("block data")
		}
		prev = base
	}
	return t, nil
}
