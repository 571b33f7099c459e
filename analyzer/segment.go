package analyzer

import (
	"math"
	"slices"
	"sync"
	"unicode/utf8"
)

// segScratch holds the per-call buffers of segmentation, reused through a
// pool so that segmenting allocates nothing in the steady state.
type segScratch struct {
	units    [][]byte  // the units of the folded text
	unitEnd  []int32   // unitEnd[i]: byte end of units[i]
	code     []uint32  // code[i]: trie code of units[i] if it is one rune, else 0
	dist     []float32 // dist[i]: cost of the best path covering units[0..i]
	from     []int32   // from[i]: first unit of the last word of that path
	segments []int32   // result: pairs of byte offsets, in text order
}

var segScratchPool = sync.Pool{New: func() any { return new(segScratch) }}

// split cuts folded text into units: a mixed token (see WordTokenizer) is
// one unit, every other rune is a unit of its own.
func (s *segScratch) split(text []byte) {
	s.units, s.unitEnd, s.code = s.units[:0], s.unitEnd[:0], s.code[:0]
	for i := 0; i < len(text); {
		start := i
		c := text[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRune(text[i:])
		}
		i += size
		code := uint32(r) + 1
		if r == utf8.RuneError && size == 1 {
			code = badByte + uint32(c)
		}
		if isAlnum(r) {
			if i = mixedEnd(text, i, '0' <= r && r <= '9'); i > start+size {
				code = 0
			}
		}
		s.units = append(s.units, text[start:i])
		s.unitEnd = append(s.unitEnd, int32(i))
		s.code = append(s.code, code)
	}
}

// mixedEnd returns the end of the mixed token whose first character ends at
// i; lastDigit tells whether that character is a digit.
func mixedEnd(text []byte, i int, lastDigit bool) int {
	for i < len(text) {
		c := text[i]
		switch {
		case c < utf8.RuneSelf && isAlnum(rune(c)):
			lastDigit = '0' <= c && c <= '9'
			i++
		case c == '.' && lastDigit && i+1 < len(text) && '0' <= text[i+1] && text[i+1] <= '9':
			i++
		case c == '%' && lastDigit:
			return i + 1
		case c == '+':
			for i < len(text) && text[i] == '+' {
				i++
			}
			return i
		case c >= 0xC0 && c < 0xE0:
			r, size := utf8.DecodeRune(text[i:])
			if !isAlnum(r) {
				return i
			}
			lastDigit = false
			i += size
		default:
			return i
		}
	}
	return i
}

// segment finds the cheapest cut of text into dictionary words and unknown
// single units (the shortest path gse computes) and leaves the words in
// s.segments as byte offset pairs. Words match whole units only, as in gse,
// whose dictionary lookup also steps unit by unit.
func (w *wordDict) segment(text []byte, s *segScratch) {
	n := s.start(text)
	rootKids := len(w.cost) > 0
	for cur := 0; cur < n; cur++ {
		var base float32
		if cur > 0 {
			base = s.dist[cur-1]
		}
		// Walk the trie along units[cur:], unit by unit; every unit end
		// reached at a word node is a candidate word.
		single := false
		node, kids := uint32(rootID), rootKids
	walk:
		for end := cur; end < n && kids; end++ {
			var slot uint64
			if c := s.code[end]; c != 0 {
				var ok bool
				if slot, ok = w.child(node, c); !ok {
					break walk
				}
				node = uint32(slot>>idShift) & idMask
				kids = slot&kidsBit != 0
			}
			for u, k := s.units[end], 0; s.code[end] == 0 && k < len(u); {
				if !kids {
					break walk // the unit goes on, no key does
				}
				code, size := runeCode(u, k)
				k += size
				var ok bool
				if slot, ok = w.child(node, code); !ok {
					break walk
				}
				node = uint32(slot>>idShift) & idMask
				kids = slot&kidsBit != 0
			}
			if slot&wordBit != 0 {
				single = single || end == cur
				if d := base + w.cost[node]; d < s.dist[end] {
					s.dist[end], s.from[end] = d, int32(cur)
				}
			}
		}
		if !single {
			if d := base + unknownCost; d < s.dist[cur] {
				s.dist[cur], s.from[cur] = d, int32(cur)
			}
		}
	}
	s.backtrack()
}

// start splits text into units and readies the path arrays; it returns
// the number of units.
func (s *segScratch) start(text []byte) int {
	s.split(text)
	n := len(s.units)
	s.dist = resize(s.dist, n)
	s.from = resize(s.from, n)
	for i := range s.dist {
		s.dist[i] = float32(math.Inf(1))
	}
	return n
}

// backtrack walks the cheapest path back from the last unit and leaves its
// words in s.segments, in text order.
func (s *segScratch) backtrack() {
	s.segments = s.segments[:0]
	for last := len(s.from) - 1; last >= 0; {
		first := int(s.from[last])
		lo := int32(0)
		if first > 0 {
			lo = s.unitEnd[first-1]
		}
		s.segments = append(s.segments, s.unitEnd[last], lo)
		last = first - 1
	}
	slices.Reverse(s.segments)
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
