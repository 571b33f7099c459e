package index

import (
	"slices"
	"sort"
	"strings"

	"govsearch/analyzer"
)

// NEAR and SENT are decided on the stored text of each candidate: the
// bigram postings find the paragraphs that contain both operands, and a
// checker evaluates the query's tree on the candidate's normalised text,
// where the distance between occurrences and the sentence marks between
// them are plain to see. The same checker finds the occurrences of the
// operands that take part in a pair, which count and are marked.

// textView is a paragraph's normalised text (white space removed, each
// rune folded) with each rune's place in the original, and the number of
// sentence marks before each rune, made when first needed. A textView is
// reused from text to text; it is not safe for concurrent use.
type textView struct {
	nt    analyzer.NormalizedText
	marks []int // marks[i]: sentence marks among nt.Runes[:i]; nil until made
}

func (v *textView) set(text string) {
	v.nt.Set(text)
	v.marks = v.marks[:0]
}

// find returns the start of each occurrence of term, left to right without
// overlap, as strings.Count counts them.
func (v *textView) find(term []rune) []int {
	var out []int
	rs := v.nt.Runes
	for i := 0; i+len(term) <= len(rs); {
		if rs[i] == term[0] && slices.Equal(rs[i:i+len(term)], term) {
			out = append(out, i)
			i += len(term)
			continue
		}
		i++
	}
	return out
}

// contains reports whether term occurs.
func (v *textView) contains(term []rune) bool {
	rs := v.nt.Runes
	for i := 0; i+len(term) <= len(rs); i++ {
		if rs[i] == term[0] && slices.Equal(rs[i:i+len(term)], term) {
			return true
		}
	}
	return false
}

// marksBetween returns the number of sentence marks among runes [from, to).
func (v *textView) marksBetween(from, to int) int {
	if len(v.marks) == 0 {
		v.marks = append(v.marks, 0)
		n := 0
		for _, r := range v.nt.Runes {
			if strings.ContainsRune(SentenceMarks, r) {
				n++
			}
			v.marks = append(v.marks, n)
		}
	}
	return v.marks[to] - v.marks[from]
}

// proximity is a compiled *Near: its operands as runes.
type proximity struct {
	a, b     []rune
	n        int
	sentence bool
}

func newProximity(n *Near) *proximity {
	a, _ := leaf(n.A)
	b, _ := leaf(n.B)
	return &proximity{a: []rune(a.Norm), b: []rune(b.Norm), n: n.N, sentence: n.Sentence}
}

// close reports whether occurrences [s1, e1) and [s2, e2), the first
// ending at or before the second starts, are close enough.
func (p *proximity) close(v *textView, e1, s2 int) bool {
	if p.sentence {
		return v.marksBetween(e1, s2) == 0
	}
	return s2-e1 <= p.n
}

// partner reports whether an occurrence [s, s+len) has an occurrence of
// the other operand (starts others, each olen long) that does not overlap
// it and is close enough. Only the nearest occurrence on each side needs
// looking at: a farther one has a longer gap with at least as many
// sentence marks in it.
func (p *proximity) partner(v *textView, s, length int, others []int, olen int) bool {
	e := s + length
	// The first occurrence starting at or after e.
	if i := sort.SearchInts(others, e); i < len(others) && p.close(v, e, others[i]) {
		return true
	}
	// The last occurrence ending at or before s.
	if i := sort.SearchInts(others, s-olen+1) - 1; i >= 0 && p.close(v, others[i]+olen, s) {
		return true
	}
	return false
}

// holds reports whether the text of v has a pair.
func (p *proximity) holds(v *textView) bool {
	as, bs := v.find(p.a), v.find(p.b)
	if len(as) == 0 || len(bs) == 0 {
		return false
	}
	for _, s := range as {
		if p.partner(v, s, len(p.a), bs, len(p.b)) {
			return true
		}
	}
	return false
}

// runeSpan is an occurrence in a textView: runes [start, end).
type runeSpan struct{ start, end int }

// taking returns the occurrences of both operands that belong to a pair,
// appended to out.
func (p *proximity) taking(v *textView, out []runeSpan) []runeSpan {
	as, bs := v.find(p.a), v.find(p.b)
	if len(as) == 0 || len(bs) == 0 {
		return out
	}
	for _, s := range as {
		if p.partner(v, s, len(p.a), bs, len(p.b)) {
			out = append(out, runeSpan{s, s + len(p.a)})
		}
	}
	for _, s := range bs {
		if p.partner(v, s, len(p.b), as, len(p.a)) {
			out = append(out, runeSpan{s, s + len(p.b)})
		}
	}
	return out
}

// checker evaluates a query tree on the text of a candidate paragraph: the
// conditions the bigram postings cannot decide alone. Filters hold (the
// index applies them), and so do the nodes in skip (decided by the index,
// such as the words of a best-match query). A checker is not safe for
// concurrent use.
type checker struct {
	root  Node
	skip  map[Node]bool
	runes map[string][]rune
	near  map[*Near]*proximity
	view  textView
}

func newChecker(root Node, skip map[Node]bool) *checker {
	c := &checker{root: root, skip: skip, runes: map[string][]rune{}, near: map[*Near]*proximity{}}
	var visit func(n Node)
	visit = func(n Node) {
		switch n := n.(type) {
		case *Term:
			c.runes[n.Norm] = []rune(n.Norm)
		case *Phrase:
			c.runes[n.Norm] = []rune(n.Norm)
		case *And:
			for _, x := range n.Nodes {
				visit(x)
			}
		case *Or:
			for _, x := range n.Nodes {
				visit(x)
			}
		case *Not:
			visit(n.Node)
		case *Near:
			c.near[n] = newProximity(n)
		}
	}
	visit(root)
	return c
}

// matches reports whether the paragraph text meets the tree.
func (c *checker) matches(text string) bool {
	c.view.set(text)
	return c.holds(c.root)
}

func (c *checker) holds(n Node) bool {
	if c.skip[n] {
		return true
	}
	switch n := n.(type) {
	case *Term:
		return c.view.contains(c.runes[n.Norm])
	case *Phrase:
		return c.view.contains(c.runes[n.Norm])
	case *And:
		for _, x := range n.Nodes {
			if !c.holds(x) {
				return false
			}
		}
		return true
	case *Or:
		for _, x := range n.Nodes {
			if c.holds(x) {
				return true
			}
		}
		return false
	case *Not:
		return !c.holds(n.Node)
	case *Near:
		return c.near[n].holds(&c.view)
	}
	return true // *Filter: applied by the index
}

// spanFinder finds the occurrences a hit counts and marks: every
// occurrence of the plain terms (matcher), and of each NEAR or SENT pair
// the occurrences that belong to a pair. Where they overlap, the one that
// starts first (the longer one at the same start) is kept. A spanFinder is
// not safe for concurrent use.
type spanFinder struct {
	m     *matcher
	pairs []*proximity
	view  textView
	buf   []runeSpan
}

func newSpanFinder(terms []string, nears []*Near) *spanFinder {
	f := &spanFinder{m: newMatcher(terms)}
	for _, n := range nears {
		f.pairs = append(f.pairs, newProximity(n))
	}
	return f
}

// find returns the occurrences in text, left to right, without overlap.
func (f *spanFinder) find(text string) []span {
	spans := f.m.find(text)
	if len(f.pairs) == 0 {
		return spans
	}
	f.view.set(text)
	f.buf = f.buf[:0]
	for _, p := range f.pairs {
		f.buf = p.taking(&f.view, f.buf)
	}
	if len(f.buf) == 0 {
		return spans
	}
	nt := &f.view.nt
	for _, rs := range f.buf {
		spans = append(spans, span{start: nt.Start[rs.start], end: nt.End[rs.end-1]})
	}
	return resolveOverlaps(spans)
}

// resolveOverlaps sorts spans by start, the longer first at the same
// start, and drops each span that overlaps one kept before it.
func resolveOverlaps(spans []span) []span {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	out := spans[:0]
	end := -1
	for _, s := range spans {
		if s.start >= end {
			out = append(out, s)
			end = s.end
		}
	}
	return out
}

// positiveNears returns the NEAR and SENT nodes of the tree that are not
// under a Not: the pairs whose occurrences count.
func positiveNears(n Node) []*Near {
	switch n := n.(type) {
	case *Near:
		return []*Near{n}
	case *And:
		var out []*Near
		for _, x := range n.Nodes {
			out = append(out, positiveNears(x)...)
		}
		return out
	case *Or:
		var out []*Near
		for _, x := range n.Nodes {
			out = append(out, positiveNears(x)...)
		}
		return out
	}
	return nil
}
