package ui

import (
	"html"
	"html/template"
	"sort"
	"strings"

	"govsearch/analyzer"
	"govsearch/index"
)

// HighlightTerms returns the normalised text terms of a query that the
// index highlights: its positive terms and OR alternatives, without
// exclusions and field filters, as index.ParseQuery reads them. A query the
// index rejects has no terms.
func HighlightTerms(q string) []string {
	pq, err := index.ParseQuery(q)
	if err != nil {
		return nil
	}
	var terms []string
	seen := map[string]bool{}
	for _, t := range pq.Terms() {
		if t != "" && !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	return terms
}

// MarkText returns text as HTML with every occurrence of the normalised
// terms wrapped in <mark>. Matching folds width, case and traditional forms
// and ignores white space, as the index does, so a phrase broken across a
// line is still marked. Everything else is escaped: the only tags in the
// result are <mark> and </mark>. It also returns the number of marks.
func MarkText(text string, terms []string) (template.HTML, int) {
	if len(terms) == 0 {
		return template.HTML(html.EscapeString(text)), 0
	}
	nt := analyzer.NewNormalizedText(text)
	type span struct{ from, to int } // rune indexes, to exclusive
	var spans []span
	for _, t := range terms {
		tr := []rune(t)
		if len(tr) == 0 {
			continue
		}
		for i := 0; i+len(tr) <= len(nt.Runes); i++ {
			if runesEqual(nt.Runes[i:i+len(tr)], tr) {
				spans = append(spans, span{i, i + len(tr)})
			}
		}
	}
	if len(spans) == 0 {
		return template.HTML(html.EscapeString(text)), 0
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].from < spans[b].from })
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.from <= last.to { // overlapping or touching: one mark
			if s.to > last.to {
				last.to = s.to
			}
			continue
		}
		merged = append(merged, s)
	}
	var b strings.Builder
	b.Grow(len(text) + len(merged)*13)
	at := 0
	for _, s := range merged {
		start, end := nt.Start[s.from], nt.End[s.to-1]
		b.WriteString(html.EscapeString(text[at:start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[start:end]))
		b.WriteString("</mark>")
		at = end
	}
	b.WriteString(html.EscapeString(text[at:]))
	return template.HTML(b.String()), len(merged)
}

// MarkSpans returns text as HTML with the byte spans [start, end) — left to
// right, not overlapping, as index.Marker finds them — wrapped in <mark>.
// Everything else is escaped.
func MarkSpans(text string, spans [][2]int) template.HTML {
	var b strings.Builder
	b.Grow(len(text) + len(spans)*13)
	at := 0
	for _, s := range spans {
		b.WriteString(html.EscapeString(text[at:s[0]]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s[0]:s[1]]))
		b.WriteString("</mark>")
		at = s[1]
	}
	b.WriteString(html.EscapeString(text[at:]))
	return template.HTML(b.String())
}

func runesEqual(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
