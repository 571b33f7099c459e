package compact

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// errCorrupt is wrapped by every error about bytes that do not decode.
var errCorrupt = errors.New("corrupt compact section")

// bitWriter appends bits least significant first: bit i of the stream is
// bit i%8 of byte i/8. Readers can then take 64 bits at a time with one
// little-endian load.
type bitWriter struct {
	buf  []byte
	acc  uint64 // bits not yet in buf, the oldest lowest
	nacc uint   // number of bits in acc, always < 64 between calls
}

// bitLen returns the number of bits written so far.
func (w *bitWriter) bitLen() uint64 { return uint64(len(w.buf))*8 + uint64(w.nacc) }

// writeBits appends the n low bits of v, n ≤ 64.
func (w *bitWriter) writeBits(v uint64, n uint) {
	if n == 0 {
		return
	}
	if n < 64 {
		v &= 1<<n - 1
	}
	w.acc |= v << w.nacc
	if w.nacc+n < 64 {
		w.nacc += n
		return
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, w.acc)
	used := 64 - w.nacc // bits of v that went into acc
	w.nacc = n - used
	if used == 64 {
		w.acc = 0
	} else {
		w.acc = v >> used
	}
}

// writeUnary appends q zero bits and a one bit.
func (w *bitWriter) writeUnary(q uint64) {
	for q >= 63 {
		w.writeBits(0, 63)
		q -= 63
	}
	w.writeBits(1<<q, uint(q)+1)
}

// writeRice appends v as a Rice code with parameter k: v>>k in unary, then
// the k low bits.
func (w *bitWriter) writeRice(v uint64, k uint) {
	w.writeUnary(v >> k)
	w.writeBits(v, k)
}

// writeGamma appends v ≥ 1 as an Elias gamma code: the number of bits
// after the leading one in unary, then those bits.
func (w *bitWriter) writeGamma(v uint64) {
	n := uint(bits.Len64(v)) - 1
	w.writeUnary(uint64(n))
	w.writeBits(v, n)
}

// bytes flushes the pending bits (zero-padded to a byte) and returns the
// stream.
func (w *bitWriter) bytes() []byte {
	for w.nacc > 0 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		if w.nacc < 8 {
			w.nacc = 0
		} else {
			w.nacc -= 8
		}
	}
	w.acc = 0
	return w.buf
}

// reset empties the writer, keeping its buffer.
func (w *bitWriter) reset() { w.buf, w.acc, w.nacc = w.buf[:0], 0, 0 }

// riceBits is the length of the Rice code of v with parameter k.
func riceBits(v uint64, k uint) uint64 { return v>>k + 1 + uint64(k) }

// gammaBits is the length of the Elias gamma code of v ≥ 1.
func gammaBits(v uint64) uint64 { return 2*uint64(bits.Len64(v)) - 1 }

// bitReader reads a stream written by bitWriter out of buf, never past
// it: reads beyond the end fail instead of reading zeros, so a corrupt
// stream ends in an error, not in a panic or an endless loop.
type bitReader struct {
	buf []byte
	pos uint64 // next bit
}

// peek returns the 64 bits from pos on (fewer at the end of buf, padded
// with zeros) and how many of them are real.
func (r *bitReader) peek() (uint64, uint) {
	i := r.pos >> 3
	sh := uint(r.pos & 7)
	if i+8 <= uint64(len(r.buf)) {
		return binary.LittleEndian.Uint64(r.buf[i:]) >> sh, 64 - sh
	}
	if i >= uint64(len(r.buf)) {
		return 0, 0
	}
	var w uint64
	n := uint(0)
	for j := i; j < uint64(len(r.buf)); j++ {
		w |= uint64(r.buf[j]) << n
		n += 8
	}
	return w >> sh, n - sh
}

// readBits reads n ≤ 64 bits.
func (r *bitReader) readBits(n uint) (uint64, bool) {
	if n == 0 {
		return 0, true
	}
	w, avail := r.peek()
	if n <= avail && n < 64 {
		r.pos += uint64(n)
		return w & (1<<n - 1), true
	}
	if avail < 57 {
		return 0, false // near the end, and fewer than n bits left
	}
	// More bits than one load holds: take 32, then the rest.
	lo, ok := r.readBits(32)
	if !ok {
		return 0, false
	}
	hi, ok := r.readBits(n - 32)
	return lo | hi<<32, ok
}

// readUnary reads a unary code: the number of zero bits before a one.
func (r *bitReader) readUnary() (uint64, bool) {
	var q uint64
	for {
		w, avail := r.peek()
		if avail == 0 {
			return 0, false
		}
		if w != 0 {
			tz := uint(bits.TrailingZeros64(w))
			if tz < avail {
				r.pos += uint64(tz) + 1
				return q + uint64(tz), true
			}
		}
		q += uint64(avail)
		r.pos += uint64(avail)
	}
}

// riceFast decodes the Rice code with parameter k at bit pos of buf when
// the whole code lies in one 64-bit load (ok false otherwise: use
// readRice). Small enough to be inlined in decoding loops.
func riceFast(buf []byte, pos uint64, k uint) (v, next uint64, ok bool) {
	i := pos >> 3
	if i+8 > uint64(len(buf)) {
		return 0, pos, false
	}
	w := binary.LittleEndian.Uint64(buf[i:]) >> (pos & 7)
	tz := uint(bits.TrailingZeros64(w))
	used := uint64(tz + 1 + k)
	return uint64(tz)<<k | (w>>(tz+1))&(1<<k-1), pos + used, used+pos&7 <= 64
}

// gammaFast decodes the Elias gamma code at bit pos of buf when the whole
// code lies in one 64-bit load (ok false otherwise: use readGamma).
func gammaFast(buf []byte, pos uint64) (v, next uint64, ok bool) {
	i := pos >> 3
	if i+8 > uint64(len(buf)) {
		return 0, pos, false
	}
	w := binary.LittleEndian.Uint64(buf[i:]) >> (pos & 7)
	n := uint(bits.TrailingZeros64(w))
	used := uint64(2*n + 1)
	if n > 28 || used+pos&7 > 64 {
		return 0, pos, false
	}
	return 1<<n | (w>>(n+1))&(1<<n-1), pos + used, true
}

// readRice reads a Rice code with parameter k.
func (r *bitReader) readRice(k uint) (uint64, bool) {
	// Fast path: the whole code lies in one load.
	w, avail := r.peek()
	if w != 0 {
		tz := uint(bits.TrailingZeros64(w))
		if tz+1+k <= avail && k < 64 {
			r.pos += uint64(tz + 1 + k)
			return uint64(tz)<<k | (w>>(tz+1))&(1<<k-1), true
		}
	}
	q, ok := r.readUnary()
	if !ok || (k > 0 && q>>(64-k) != 0) {
		return 0, false
	}
	low, ok := r.readBits(k)
	return q<<k | low, ok
}

// readGamma reads an Elias gamma code (a value ≥ 1).
func (r *bitReader) readGamma() (uint64, bool) {
	n, ok := r.readUnary()
	if !ok || n > 63 {
		return 0, false
	}
	low, ok := r.readBits(uint(n))
	return 1<<n | low, ok
}
