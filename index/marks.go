package index

// Marker finds, in a paragraph's text, the occurrences that a search with
// the same query and match mode counts and highlights: every occurrence of
// the plain terms, of NEAR and SENT pairs only the occurrences that belong
// to a pair, under MatchBest the query's words. A page that shows whole
// paragraphs (the reader) marks them with it, as the search marks its
// fragments. A Marker is not safe for concurrent use.
type Marker struct{ f *spanFinder }

// NewMarker compiles query q (the query language) under match mode match
// (MatchParam's values). A bad query or mode is the error Search returns
// for it.
func NewMarker(q, match string) (*Marker, error) {
	m, err := MatchParam(match)
	if err != nil {
		return nil, err
	}
	p, err := compile(&Request{Query: q, Match: m})
	if err != nil {
		return nil, err
	}
	return &Marker{f: p.spanFinder()}, nil
}

// Spans returns the byte offsets [start, end) in text of the occurrences,
// left to right and without overlap.
func (m *Marker) Spans(text string) [][2]int {
	spans := m.f.find(text)
	out := make([][2]int, len(spans))
	for i, s := range spans {
		out[i] = [2]int{s.start, s.end}
	}
	return out
}
