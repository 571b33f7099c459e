package index

import (
	"sort"
	"strings"

	"govsearch/analyzer"
)

// NEAR and SENT are decided on the stored text of each candidate: the
// bigram postings find the paragraphs that contain both operands, and a
// checker evaluates the query's tree on the candidate's text. Occurrences
// are found as highlighting finds them (matcher: in the normalised text,
// mapped back to the original bytes), and only the gap between two of
// them is read to measure their distance or look for a sentence mark, so
// a paragraph is never normalised whole. The same pairs give the
// occurrences that count and are marked.

// proximity is a compiled *Near: a matcher for each operand.
type proximity struct {
	a, b     *matcher
	n        int
	sentence bool
}

func newProximity(n *Near) *proximity {
	a, _ := leaf(n.A)
	b, _ := leaf(n.B)
	return &proximity{a: newMatcher([]string{a.Norm}), b: newMatcher([]string{b.Norm}), n: n.N, sentence: n.Sentence}
}

// close reports whether two occurrences, the first ending at byte e1 and
// the second starting at byte s2 ≥ e1, are close enough: at most n
// characters of normalised text (white space does not count) between
// them, or for a sentence no sentence mark between them.
func (p *proximity) close(text string, e1, s2 int) bool {
	gap := text[e1:s2]
	if p.sentence {
		return !strings.ContainsFunc(gap, func(r rune) bool {
			return strings.ContainsRune(SentenceMarks, analyzer.FoldRune(r))
		})
	}
	if len(gap) <= p.n {
		return true // no more bytes than characters allowed
	}
	chars := 0
	for _, r := range gap {
		if !analyzer.IsSpace(r) {
			if chars++; chars > p.n {
				return false
			}
		}
	}
	return true
}

// partner reports whether occurrence o has an occurrence among others
// (left to right, not overlapping each other) that does not overlap it and
// is close enough. Only the nearest one on each side needs looking at: a
// farther one has a longer gap with at least as many sentence marks in it.
func (p *proximity) partner(text string, o span, others []span) bool {
	// The first occurrence starting at or after o ends.
	if i := sort.Search(len(others), func(i int) bool { return others[i].start >= o.end }); i < len(others) && p.close(text, o.end, others[i].start) {
		return true
	}
	// The last occurrence ending at or before o starts.
	if i := sort.Search(len(others), func(i int) bool { return others[i].end > o.start }) - 1; i >= 0 && p.close(text, others[i].end, o.start) {
		return true
	}
	return false
}

// holds reports whether text, whose folds are f (nil: not known), has a
// pair.
func (p *proximity) holds(text string, f *folds) bool {
	as := p.a.findIn(text, 0, f)
	if len(as) == 0 {
		return false
	}
	bs := p.b.findIn(text, 0, f)
	for _, o := range as {
		if p.partner(text, o, bs) {
			return true
		}
	}
	return false
}

// taking appends to out the occurrences of both operands that belong to a
// pair.
func (p *proximity) taking(text string, out []span) []span {
	as, bs := p.a.find(text), p.b.find(text)
	if len(as) == 0 || len(bs) == 0 {
		return out
	}
	for _, o := range as {
		if p.partner(text, o, bs) {
			out = append(out, o)
		}
	}
	for _, o := range bs {
		if p.partner(text, o, as) {
			out = append(out, o)
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
	terms map[string]*matcher
	near  map[*Near]*proximity
}

func newChecker(root Node, skip map[Node]bool) *checker {
	c := &checker{root: root, skip: skip, terms: map[string]*matcher{}, near: map[*Near]*proximity{}}
	visit(root, func(n Node, _, paired bool) {
		if t, ok := leaf(n); ok && !paired {
			c.terms[t.Norm] = newMatcher([]string{t.Norm})
		}
		if p, ok := n.(*Near); ok {
			c.near[p] = newProximity(p)
		}
	})
	return c
}

// matches reports whether the paragraph text meets the tree; f are the
// text's folds when known (nil otherwise), to find terms faster.
func (c *checker) matches(text string, f *folds) bool { return c.holds(c.root, text, f) }

func (c *checker) holds(n Node, text string, f *folds) bool {
	if c.skip[n] {
		return true
	}
	switch n := n.(type) {
	case *Term:
		return len(c.terms[n.Norm].findIn(text, 1, f)) > 0
	case *Phrase:
		return len(c.terms[n.Norm].findIn(text, 1, f)) > 0
	case *And:
		for _, x := range n.Nodes {
			if !c.holds(x, text, f) {
				return false
			}
		}
		return true
	case *Or:
		for _, x := range n.Nodes {
			if c.holds(x, text, f) {
				return true
			}
		}
		return false
	case *Not:
		return !c.holds(n.Node, text, f)
	case *Near:
		return c.near[n].holds(text, f)
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
	plain := len(spans)
	for _, p := range f.pairs {
		spans = p.taking(text, spans)
	}
	if len(spans) == plain {
		return spans
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
	var out []*Near
	visit(n, func(n Node, negated, _ bool) {
		if p, ok := n.(*Near); ok && !negated {
			out = append(out, p)
		}
	})
	return out
}
