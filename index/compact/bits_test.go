package compact

import (
	"math"
	"testing"
)

func TestBitCodes(t *testing.T) {
	type code struct {
		kind string // "bits", "rice", "gamma", "unary"
		v    uint64
		n    uint // width (bits) or Rice parameter
	}
	cases := []struct {
		name  string
		codes []code
		bits  uint64 // expected stream length
	}{
		{"one bit", []code{{"bits", 1, 1}}, 1},
		{"full words", []code{{"bits", math.MaxUint64, 64}, {"bits", 0x0123456789abcdef, 64}}, 128},
		{"unaligned 64-bit value", []code{{"bits", 5, 3}, {"bits", math.MaxUint64 - 7, 64}, {"bits", 1, 1}}, 68},
		{"rice k=0 is unary", []code{{"rice", 0, 0}, {"rice", 5, 0}}, 1 + 6},
		{"rice k=3", []code{{"rice", 0, 3}, {"rice", 7, 3}, {"rice", 8, 3}, {"rice", 1000, 3}}, 4 + 4 + 5 + 125 + 4},
		{"long unary crosses words", []code{{"bits", 1, 5}, {"unary", 200, 0}, {"bits", 3, 2}}, 5 + 201 + 2},
		{"rice with a gap of a million", []code{{"rice", 1 << 20, 2}}, 1<<18 + 1 + 2},
		{"gamma", []code{{"gamma", 1, 0}, {"gamma", 2, 0}, {"gamma", 3, 0}, {"gamma", 1 << 40, 0}}, 1 + 3 + 3 + 81},
		{"rice k=63", []code{{"rice", math.MaxUint64, 63}}, 1 + 1 + 63},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var w bitWriter
			var want uint64
			for _, x := range c.codes {
				switch x.kind {
				case "bits":
					w.writeBits(x.v, x.n)
					want += uint64(x.n)
				case "rice":
					w.writeRice(x.v, x.n)
					want += riceBits(x.v, x.n)
				case "gamma":
					w.writeGamma(x.v)
					want += gammaBits(x.v)
				case "unary":
					w.writeUnary(x.v)
					want += x.v + 1
				}
			}
			if w.bitLen() != c.bits || want != c.bits {
				t.Fatalf("stream of %d bits (cost functions say %d), want %d", w.bitLen(), want, c.bits)
			}
			r := bitReader{buf: w.bytes()}
			for i, x := range c.codes {
				var got uint64
				var ok bool
				switch x.kind {
				case "bits":
					got, ok = r.readBits(x.n)
				case "rice":
					got, ok = r.readRice(x.n)
				case "gamma":
					got, ok = r.readGamma()
				case "unary":
					got, ok = r.readUnary()
				}
				if !ok || got != x.v {
					t.Fatalf("code %d (%s): got %d, %v; want %d", i, x.kind, got, ok, x.v)
				}
			}
			if r.pos != c.bits {
				t.Fatalf("read %d bits, wrote %d", r.pos, c.bits)
			}
		})
	}
}

func TestBitReaderStopsAtEnd(t *testing.T) {
	cases := []struct {
		name string
		buf  []byte
		read func(r *bitReader) bool
	}{
		{"unary of zeros", []byte{0, 0, 0}, func(r *bitReader) bool { _, ok := r.readUnary(); return ok }},
		{"rice low bits missing", []byte{0x01}, func(r *bitReader) bool { _, ok := r.readRice(20); return ok }},
		{"gamma low bits missing", []byte{0x80}, func(r *bitReader) bool { _, ok := r.readGamma(); return ok }},
		{"gamma of 64 bits or more", make([]byte, 16), func(r *bitReader) bool {
			r.buf[8] = 0x02 // 65 zeros, then a one
			_, ok := r.readGamma()
			return ok
		}},
		{"bits past the end", []byte{0xff}, func(r *bitReader) bool { _, ok := r.readBits(9); return ok }},
		{"empty", nil, func(r *bitReader) bool { _, ok := r.readRice(0); return ok }},
		{"rice quotient overflows", append(make([]byte, 9), 0xff, 0xff), func(r *bitReader) bool { _, ok := r.readRice(60); return ok }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := bitReader{buf: c.buf}
			if c.read(&r) {
				t.Fatal("read succeeded past the end of the stream")
			}
		})
	}
}

func TestDocTable(t *testing.T) {
	cases := []struct {
		name           string
		spans, lengths []uint64
	}{
		{"empty", nil, nil},
		{"one document", []uint64{5}, []uint64{5}},
		{"lengths equal spans", seq(300, func(i int) uint64 { return uint64(i%17 + 1) }), seq(300, func(i int) uint64 { return uint64(i%17 + 1) })},
		{"documents without the field", seq(300, func(i int) uint64 { return uint64(i % 3 * 4) }), seq(300, func(i int) uint64 { return uint64(i % 3 * 4) })},
		{"lengths differ from spans", seq(257, func(i int) uint64 { return uint64(i % 5) }), seq(257, func(i int) uint64 { return uint64(i%5) * 2 })},
		{"no positions", make([]uint64, 130), seq(130, func(i int) uint64 { return uint64(i * 1000) })},
		{"a whole block without the field", append(make([]uint64, 200), 3, 4), append(make([]uint64, 200), 3, 4)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := encodeDocTable(c.spans, c.lengths)
			if err != nil {
				t.Fatal(err)
			}
			tab, err := parseDocTable(b, uint64(len(c.lengths)))
			if err != nil {
				t.Fatal(err)
			}
			start := uint64(0)
			for d := range c.lengths {
				if got := tab.docStart(uint64(d)); got != start {
					t.Fatalf("doc %d starts at %d, want %d", d, got, start)
				}
				if got := tab.length(uint64(d)); got != c.lengths[d] {
					t.Fatalf("doc %d has length %d, want %d", d, got, c.lengths[d])
				}
				// Every position of the document maps back to it, from
				// every earlier document.
				for p := uint64(1); p <= c.spans[d]; p++ {
					for _, from := range []uint64{0, uint64(d) / 2, uint64(d)} {
						if got, s := tab.findDoc(start+p, from); got != uint64(d) || s != start {
							t.Fatalf("position %d of doc %d found in doc %d starting at %d (from %d)", p, d, got, s, from)
						}
					}
				}
				start += c.spans[d]
				if got := tab.docEnd(uint64(d)); got != start {
					t.Fatalf("doc %d ends at %d, want %d", d, got, start)
				}
			}
			if tab.end != start {
				t.Fatalf("table ends at %d, want %d", tab.end, start)
			}
		})
	}
}

func seq(n int, f func(int) uint64) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}
