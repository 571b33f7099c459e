package compact

import (
	"encoding/binary"
	"fmt"
	"math/bits"
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
	return base + unpack(t.data, off*8+(d%docBlock)*uint64(ws), ws)
}

// docEnd returns the start of the document after d (the end of d's span).
func (t *docTable) docEnd(d uint64) uint64 {
	if d+1 >= t.numDocs {
		return t.end
	}
	return t.docStart(d + 1)
}

// length returns the number of tokens of document d.
func (t *docTable) length(d uint64) uint64 {
	e := t.dir[(d/docBlock)*blockEntrySize:]
	wl := uint(e[13])
	if wl == lengthIsSpan {
		return t.docEnd(d) - t.docStart(d)
	}
	if wl == 0 {
		return 0
	}
	ws := uint(e[12])
	n := blockDocs(t.numDocs, d/docBlock)
	off := uint64(binary.LittleEndian.Uint32(e[8:]))*8 + n*uint64(ws)
	return unpack(t.data, off+(d%docBlock)*uint64(wl), wl)
}

// findDoc returns the document whose span holds global position g, that is
// the last document d ≥ from with docStart(d) < g. g must be greater than
// docStart(from).
func (t *docTable) findDoc(g, from uint64) uint64 {
	if from+1 >= t.numDocs || t.docStart(from+1) >= g {
		return from // the common case: the next document
	}
	nb := uint64(len(t.dir) / blockEntrySize)
	b := from / docBlock
	// Gallop over the blocks, then bisect.
	step := uint64(1)
	lo, hi := b, b+1 // base(lo) < g; hi: first block known to start at or after g, or nb
	for hi < nb && t.blockBase(hi) < g {
		lo = hi
		hi += step
		step *= 2
	}
	if hi > nb {
		hi = nb
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if t.blockBase(mid) < g {
			lo = mid
		} else {
			hi = mid
		}
	}
	// Last document of block lo starting before g.
	first := lo * docBlock
	if first < from {
		first = from
	}
	last := min(lo*docBlock+docBlock, t.numDocs) // exclusive
	l, h := first, last
	for h-l > 1 {
		mid := l + (h-l)/2
		if t.docStart(mid) < g {
			l = mid
		} else {
			h = mid
		}
	}
	return l
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
	t := docTable{numDocs: n, end: end, dir: b[:nb*blockEntrySize], data: b[nb*blockEntrySize:]}
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
