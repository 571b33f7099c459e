package analyzer

import (
	"math"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/go-ego/gse"
)

// wordDict is gse's dictionary prepared for our own shortest-path
// segmentation. gse's Segment allocates for every unit of text and splits
// mixed tokens such as pm2.5 into pieces; walking the same trie with our own
// units and reusable buffers is faster and keeps mixed tokens whole.
type wordDict struct {
	dict    *gse.Dictionary
	base    uintptr   // address of dict.Tokens[0]
	cost    []float32 // cost[i]: -log2 probability of dict.Tokens[i], as in gse
	byteLen []int32   // byteLen[i]: length in bytes of dict.Tokens[i]
	maxLen  int       // longest word, in gse's units (never fewer than ours)
}

// unknownCost is the cost of a character that starts no dictionary word;
// gse uses the same constant.
const unknownCost = 32

// newWordDict prepares seg's dictionary. With gseCosts, word costs are
// exactly gse's own (used to check the segmentation against gse's).
func newWordDict(seg *gse.Segmenter, gseCosts bool) *wordDict {
	d := seg.Dict
	w := &wordDict{
		dict:    d,
		cost:    make([]float32, len(d.Tokens)),
		byteLen: make([]int32, len(d.Tokens)),
		maxLen:  d.MaxTokenLen(),
	}
	if len(d.Tokens) > 0 {
		w.base = uintptr(unsafe.Pointer(&d.Tokens[0]))
	}
	// Costs are relative to the frequency total of gse's own words: the
	// lexicon's large frequencies would otherwise raise every word's cost
	// alike and so favour long compounds (国有企业 over 国有/企业)
	// everywhere, not only where a lexicon term occurs.
	total := d.TotalFreq()
	if !gseCosts {
		for i := range d.Tokens {
			if d.Tokens[i].Pos() == lexiconPos {
				total -= d.Tokens[i].Freq()
			}
		}
	}
	logTotal := math.Log2(total)
	for i := range d.Tokens {
		t := &d.Tokens[i]
		w.cost[i] = float32(logTotal - math.Log2(t.Freq()))
		w.byteLen[i] = int32(len(t.Text()))
	}
	return w
}

// index returns the position in dict.Tokens of a token returned by
// LookupTokens, which always points into that slice (the dictionary is not
// modified after loading, so the slice never moves).
func (w *wordDict) index(t *gse.Token) int {
	return int((uintptr(unsafe.Pointer(t)) - w.base) / unsafe.Sizeof(gse.Token{}))
}

// segScratch holds the per-call buffers of segmentation, reused through a
// pool so that segmenting allocates nothing in the steady state.
type segScratch struct {
	units    []gse.Text   // the units of the folded text
	unitEnd  []int32      // unitEnd[i]: byte end of units[i]
	dist     []float32    // dist[i]: cost of the best path covering units[0..i]
	from     []int32      // from[i]: first unit of the last word of that path
	found    []*gse.Token // LookupTokens output
	segments []int32      // result: pairs of byte offsets, in text order
}

var segScratchPool = sync.Pool{New: func() any { return new(segScratch) }}

// split cuts folded text into units: a mixed token (see WordTokenizer) is
// one unit, every other rune is a unit of its own.
func (s *segScratch) split(text []byte) {
	s.units, s.unitEnd = s.units[:0], s.unitEnd[:0]
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
		if isAlnum(r) {
			i = mixedEnd(text, i, '0' <= r && r <= '9')
		}
		s.units = append(s.units, text[start:i])
		s.unitEnd = append(s.unitEnd, int32(i))
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
// s.segments as byte offset pairs.
func (w *wordDict) segment(text []byte, s *segScratch) {
	s.split(text)
	n := len(s.units)
	s.dist = resize(s.dist, n)
	s.from = resize(s.from, n)
	if cap(s.found) < w.maxLen {
		s.found = make([]*gse.Token, w.maxLen)
	}
	s.found = s.found[:w.maxLen]
	for i := range s.dist {
		s.dist[i] = float32(math.Inf(1))
	}
	for cur := 0; cur < n; cur++ {
		var base float32
		if cur > 0 {
			base = s.dist[cur-1]
		}
		startByte := int32(0)
		if cur > 0 {
			startByte = s.unitEnd[cur-1]
		}
		k := w.dict.LookupTokens(s.units[cur:min(cur+w.maxLen, n)], s.found)
		single := false
		end := cur
		for _, t := range s.found[:k] {
			i := w.index(t)
			if i < 0 || i >= len(w.cost) {
				continue
			}
			stop := startByte + w.byteLen[i]
			for end < n && s.unitEnd[end] < stop {
				end++
			}
			if end == n || s.unitEnd[end] != stop {
				continue // cannot happen: words end on unit boundaries
			}
			single = single || end == cur
			if d := base + w.cost[i]; d < s.dist[end] {
				s.dist[end], s.from[end] = d, int32(cur)
			}
		}
		if !single {
			if d := base + unknownCost; d < s.dist[cur] {
				s.dist[cur], s.from[cur] = d, int32(cur)
			}
		}
	}
	// Walk the path back, then reverse it into text order.
	s.segments = s.segments[:0]
	for last := n - 1; last >= 0; {
		first := int(s.from[last])
		lo := int32(0)
		if first > 0 {
			lo = s.unitEnd[first-1]
		}
		s.segments = append(s.segments, s.unitEnd[last], lo)
		last = first - 1
	}
	for i, j := 0, len(s.segments)-1; i < j; i, j = i+1, j-1 {
		s.segments[i], s.segments[j] = s.segments[j], s.segments[i]
	}
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
