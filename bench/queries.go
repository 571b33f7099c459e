package bench

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"govsearch/index"
)

// DefaultQueries is the query set in bench/queries.txt.
//
//go:embed queries.txt
var DefaultQueries string

// Query classes. A class fixes what a request asks for besides its terms
// and filters; every request asks for 10 hits.
const (
	ClassTerm        = "term"        // one term
	ClassMulti       = "multi"       // several required terms
	ClassFiltered    = "filtered"    // terms with region/year/level filters
	ClassFaceted     = "faceted"     // all five facets
	ClassHighlighted = "highlighted" // highlighted fragments
	ClassFull        = "full"        // facets and highlights
	ClassBest        = "best"        // match=best, facets and highlights
	ClassNear        = "near"        // NEAR or SENT, facets and highlights
)

// Classes lists the query classes in report order.
var Classes = []string{ClassTerm, ClassMulti, ClassFiltered, ClassFaceted, ClassHighlighted, ClassFull, ClassBest, ClassNear}

// Query is one benchmark query: its class, its text in govsearch's query
// language, and that text parsed (the baseline is built from the parse).
type Query struct {
	Class  string
	Text   string
	Line   int
	Parsed *index.Query
}

// Facets reports whether the query's class asks for facets.
func (q Query) Facets() bool {
	return q.Class == ClassFaceted || q.Class == ClassFull || q.Class == ClassBest || q.Class == ClassNear
}

// Highlight reports whether the query's class asks for highlights.
func (q Query) Highlight() bool {
	return q.Class == ClassHighlighted || q.Class == ClassFull || q.Class == ClassBest || q.Class == ClassNear
}

// Best reports whether the query's class is best-match retrieval.
func (q Query) Best() bool { return q.Class == ClassBest }

// ParseQueries reads a query file: one "CLASS QUERY" per line, blank lines
// and lines starting with # ignored. An unknown class, a missing query or a
// query that index.ParseQuery rejects is an error naming the line. name is
// used in error messages.
func ParseQueries(name, text string) ([]Query, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("%s: not valid UTF-8", name)
	}
	var out []Query
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cut := strings.IndexFunc(line, unicode.IsSpace)
		if cut < 0 {
			return nil, fmt.Errorf("%s:%d: %q has a class but no query", name, i+1, line)
		}
		class, qtext := line[:cut], strings.TrimSpace(line[cut:])
		if !knownClass(class) {
			return nil, fmt.Errorf("%s:%d: unknown class %q (known: %s)", name, i+1, class, strings.Join(Classes, ", "))
		}
		pq, err := index.ParseQuery(qtext)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: query %q: %v", name, i+1, qtext, err)
		}
		if len(pq.Groups) == 0 {
			return nil, fmt.Errorf("%s:%d: query %q has no search term", name, i+1, qtext)
		}
		out = append(out, Query{Class: class, Text: qtext, Line: i + 1, Parsed: pq})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no queries", name)
	}
	return out, nil
}

func knownClass(c string) bool {
	for _, k := range Classes {
		if k == c {
			return true
		}
	}
	return false
}

// byClass groups queries by class, keeping file order within a class.
func byClass(qs []Query) map[string][]Query {
	m := map[string][]Query{}
	for _, q := range qs {
		m[q.Class] = append(m[q.Class], q)
	}
	return m
}
