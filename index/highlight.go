package index

import (
	"html"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"govsearch/analyzer"
)

// fragmentLength is the target length of a highlight fragment, in
// characters of the original text.
const fragmentLength = 120

// kwicContext is the number of characters of context on each side of an
// export row's match.
const kwicContext = 30

// matcher finds the occurrences of normalised terms in a paragraph, the
// same way the index matches them: in the normalised text, so that a term
// is found across a line break or in full-width or traditional form, and
// mapped back to the original bytes.
//
// A matcher is not safe for concurrent use (find keeps its scratch in it).
type matcher struct {
	terms  [][]rune // longest first
	plain  string   // the term, when there is one
	starts []string // every rune that folds to a term's first rune
	next   []int    // find's scratch: the next position of each start
}

func newMatcher(terms []string) *matcher {
	m := &matcher{}
	for _, t := range terms {
		if t != "" {
			m.terms = append(m.terms, []rune(t))
		}
	}
	sort.SliceStable(m.terms, func(i, j int) bool { return len(m.terms[i]) > len(m.terms[j]) })
	if len(m.terms) == 1 {
		m.plain = string(m.terms[0])
	}
	seen := map[rune]bool{}
	for _, t := range m.terms {
		for _, r := range analyzer.FoldPreimage(t[0]) {
			if !seen[r] {
				seen[r] = true
				m.starts = append(m.starts, string(r))
			}
		}
	}
	m.next = make([]int, len(m.starts))
	return m
}

// span is one occurrence: byte offsets into the original text.
type span struct{ start, end int }

// find returns the occurrences of the terms in text, left to right and
// non-overlapping: at each position the longest
// term that occurs there wins, and the scan resumes after it. For a single
// term this counts like strings.Count on the normalised text.
func (m *matcher) find(text string) []span { return m.findUpTo(text, 0) }

// contains reports whether any term occurs in text.
func (m *matcher) contains(text string) bool { return len(m.findUpTo(text, 1)) > 0 }

// findIn is findUpTo on a text whose folds are f. Where no rune of the
// text is written otherwise than the term is (no other form of its runes,
// no white space), an occurrence is the term's own bytes, found with a
// byte search instead of a scan from every rune that could begin it. f
// nil means the folds are not known.
func (m *matcher) findIn(text string, limit int, f *folds) []span {
	if f == nil || len(m.terms) != 1 || !f.plainFor(m.terms[0]) {
		return m.findUpTo(text, limit)
	}
	var out []span
	term := m.plain
	for at := 0; ; {
		p := strings.Index(text[at:], term)
		if p < 0 {
			return out
		}
		out = append(out, span{start: at + p, end: at + p + len(term)})
		if len(out) == limit {
			return out
		}
		at += p + len(term)
	}
}

// folds records how a text is written otherwise than the index reads
// it: the folded forms of its runes that fold to another rune (full-width
// punctuation, traditional characters, capitals), and whether it has white
// space, which a term may straddle.
type folds struct {
	to    []rune // sorted, distinct
	space bool
}

func foldsOf(text string) *folds {
	f := &folds{}
	for _, r := range text {
		if analyzer.IsSpace(r) {
			f.space = true
		} else if to := analyzer.FoldRune(r); to != r || r == utf8.RuneError {
			// An invalid byte reads as U+FFFD but is not its bytes.
			if i, found := slices.BinarySearch(f.to, to); !found {
				f.to = slices.Insert(f.to, i, to)
			}
		}
	}
	return f
}

// plainFor reports whether term occurs in the text only as its own bytes.
func (f *folds) plainFor(term []rune) bool {
	if f.space {
		return false
	}
	for _, r := range term {
		if _, found := slices.BinarySearch(f.to, r); found {
			return false
		}
	}
	return true
}

// findUpTo is find stopping after limit occurrences; 0 means no limit.
func (m *matcher) findUpTo(text string, limit int) []span {
	if len(m.terms) == 0 {
		return nil
	}
	// Only a rune that folds to some term's first rune can begin an
	// occurrence: the scan jumps from one such rune to the next with a
	// byte search and folds the text only there.
	for k := range m.next {
		m.next[k] = -2 // not searched yet
	}
	var out []span
	for at := 0; at < len(text); {
		best := -1
		for k, s := range m.starts {
			if m.next[k] == -1 {
				continue // no more of this rune
			}
			if m.next[k] < at {
				p := strings.Index(text[at:], s)
				if p < 0 {
					m.next[k] = -1
					continue
				}
				m.next[k] = at + p
			}
			if best < 0 || m.next[k] < best {
				best = m.next[k]
			}
		}
		if best < 0 {
			break
		}
		r, size := utf8.DecodeRuneInString(text[best:])
		if end := m.matchAt(text, best+size, analyzer.FoldRune(r)); end > 0 {
			out = append(out, span{start: best, end: end})
			if len(out) == limit {
				break
			}
			at = end
			continue
		}
		at = best + size
	}
	return out
}

// matchAt returns the byte end of the longest term occurring at a
// position whose first rune folds to first and whose remaining text
// starts at byte rest; 0 if none.
func (m *matcher) matchAt(text string, rest int, first rune) int {
next:
	for _, t := range m.terms {
		if t[0] != first {
			continue
		}
		j := rest
		for _, want := range t[1:] {
			for {
				if j >= len(text) {
					continue next
				}
				r, size := utf8.DecodeRuneInString(text[j:])
				j += size
				if analyzer.IsSpace(r) {
					continue
				}
				if analyzer.FoldRune(r) != want {
					continue next
				}
				break
			}
		}
		return j
	}
	return 0
}

// runeIndex maps byte offsets of text to character indexes.
type runeIndex struct {
	text   string
	starts []int // byte offset of each character, plus len(text)
}

func newRuneIndex(text string) runeIndex {
	starts := make([]int, 0, len(text)/2+1)
	for i := range text {
		starts = append(starts, i)
	}
	starts = append(starts, len(text))
	return runeIndex{text: text, starts: starts}
}

// char returns the index of the character starting at byte offset b.
func (ri runeIndex) char(b int) int {
	return sort.SearchInts(ri.starts, b)
}

// chars returns the number of characters of the text.
func (ri runeIndex) chars() int { return len(ri.starts) - 1 }

// slice returns the text of characters [from, to).
func (ri runeIndex) slice(from, to int) string { return ri.text[ri.starts[from]:ri.starts[to]] }

// fragments returns up to max HTML fragments of about length characters
// of text around the occurrences spans. Each occurrence inside a fragment
// is wrapped whole in <mark>…</mark>; everything else is HTML-escaped. A
// fragment is always a contiguous piece of the original text. Without
// occurrences, the opening of the paragraph is returned.
func fragments(text string, spans []span, length, max int) []string {
	ri := newRuneIndex(text)
	if len(spans) == 0 {
		end := length
		if end > ri.chars() {
			end = ri.chars()
		}
		if end == 0 {
			return []string{}
		}
		return []string{html.EscapeString(ri.slice(0, end))}
	}
	type cspan struct{ s, e int } // in characters
	cs := make([]cspan, len(spans))
	for i, sp := range spans {
		cs[i] = cspan{ri.char(sp.start), ri.char(sp.end)}
	}
	var out []string
	prevEnd := 0
	for i := 0; i < len(cs) && len(out) < max; {
		first := cs[i]
		j := i
		for j+1 < len(cs) && cs[j+1].e-first.s <= length {
			j++
		}
		pad := length - (cs[j].e - first.s)
		if pad < 0 {
			pad = 0
		}
		ws := first.s - pad/2
		if ws < prevEnd {
			ws = prevEnd
		}
		we := cs[j].e + (pad - (first.s - ws))
		if we > ri.chars() {
			we = ri.chars()
			// Give the unused right context to the left.
			if alt := we - length; alt < ws {
				ws = alt
				if ws < prevEnd {
					ws = prevEnd
				}
				if ws > first.s {
					ws = first.s
				}
			}
		}
		if j+1 < len(cs) && cs[j+1].s < we {
			// Never cut the next occurrence: stop the context before it.
			we = cs[j+1].s
		}
		var b strings.Builder
		at := ws
		for k := i; k <= j; k++ {
			b.WriteString(html.EscapeString(ri.slice(at, cs[k].s)))
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(ri.slice(cs[k].s, cs[k].e)))
			b.WriteString("</mark>")
			at = cs[k].e
		}
		b.WriteString(html.EscapeString(ri.slice(at, we)))
		out = append(out, b.String())
		prevEnd = we
		i = j + 1
	}
	return out
}

// kwic returns the context of one occurrence: up to width characters on
// each side and the occurrence itself, all plain text.
func kwic(ri runeIndex, sp span, width int) (left, match, right string) {
	s, e := ri.char(sp.start), ri.char(sp.end)
	ls := s - width
	if ls < 0 {
		ls = 0
	}
	re := e + width
	if re > ri.chars() {
		re = ri.chars()
	}
	return ri.slice(ls, s), ri.slice(s, e), ri.slice(e, re)
}
