package index

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"govsearch/analyzer"
)

// Query is a parsed query string: a tree of nodes (Root) and, derived from
// it, the views that callers counting terms and filters need.
//
// The language, loosest binding first:
//
//	一网通办 放管服          clauses side by side: all are required (AND)
//	一网通办 OR 一网统管      either side (OR binds tighter than AND)
//	一网通办 NEAR/5 改革      both, at most 5 characters apart, either order
//	                        (NEAR alone is NEAR/10; NEAR and SENT bind
//	                        tighter than OR)
//	营商环境 SENT 民营企业    both in one sentence (no 。!?; between them)
//	"global city"          a quoted phrase: spaces are removed by normalisation
//	-棚户区                 paragraphs containing the term are excluded
//	region:静安区            field filters: each facet's Prefix (facets.go)
//	year:2020 year:2018..2021 year:2018.. year:..2020
//
// So a NEAR b OR c d means ((a NEAR b) OR c) AND d. There are no
// parentheses: NEAR and SENT join two terms or phrases, OR joins terms,
// phrases and NEAR/SENT pairs, and an excluded term or a filter stands on
// its own. Several filters on the same field are ORed; filters on different
// fields are ANDed. Only the ASCII double quote is syntax: Chinese quotation
// marks are ordinary characters, so “两旧一村” searches the quoted form.
// Likewise only an ASCII '-' at the start of a part excludes: a dash inside a
// term is text (2021-2025 is one term, and normalisation makes it match
// 2021—2025, 2021–2025 and 2021－2025 too), and a part that starts with
// another dash (—2025, －2025) is a term whose normalised form starts with
// '-'. The operators OR, NEAR, NEAR/n and SENT are written in capitals; in
// any other case, or quoted, they are terms.
//
// Under Request.Match == MatchBest the unquoted terms that stand on their
// own (not in an OR, NEAR or SENT, not excluded) are cut into words instead
// of being required verbatim; everything else keeps its meaning.
type Query struct {
	// Root is the query's tree: an *And of its clauses when there are
	// several, the clause itself when there is one, nil for an empty
	// query.
	Root Node

	// The views below are derived from Root by ParseQuery; changing them
	// changes nothing else (SetFilter changes filters).

	// Groups are conditions every matching paragraph meets: it contains
	// one term of each group. A clause of plain terms gives one group (its
	// OR alternatives); A NEAR B gives the groups {A} and {B}; an OR of
	// NEAR pairs and terms gives one group holding the first operand of
	// each pair and the terms.
	Groups [][]Term
	// Exclude lists the excluded terms and phrases.
	Exclude []Term
	// Filters holds the field filters written in the query.
	Filters Filters
}

// Node is a node of a query tree. String writes it in the query language;
// ParseQuery reads that back as an equal node (equal but for the typed
// forms of terms, which String writes normalised when it can).
type Node interface {
	String() string
	node()
}

// Term is an unquoted term, as typed and in normalised form. The
// normalised form is what is matched: a paragraph matches when its
// normalised text contains Norm.
type Term struct {
	Text string
	Norm string
}

// Phrase is a quoted term. Under MatchAll it matches as a Term does; under
// MatchBest it keeps that meaning while unquoted terms are cut into words.
type Phrase struct {
	Term
}

// And requires all of its nodes.
type And struct{ Nodes []Node }

// Or requires one of its nodes.
type Or struct{ Nodes []Node }

// Not excludes the paragraphs its node matches.
type Not struct{ Node Node }

// Near requires an occurrence of A and one of B that do not overlap and
// lie at most N characters apart (from the end of the first to the start
// of the second, in either order) or, with Sentence set, lie in the same
// sentence: no sentence mark (SentenceMarks) between them. A and B are a
// *Term or a *Phrase. Occurrences are counted as strings.Count counts them
// in the normalised text (left to right, without overlap), for A and for B
// separately.
type Near struct {
	A, B     Node
	N        int
	Sentence bool
}

// Filter restricts the paragraphs to those whose value of the facet named
// Facet is Value (for the year facet, lies in the year or range Value).
type Filter struct {
	Facet string
	Value string
}

func (*Term) node()   {}
func (*Phrase) node() {}
func (*And) node()    {}
func (*Or) node()     {}
func (*Not) node()    {}
func (*Near) node()   {}
func (*Filter) node() {}

// Proximity limits and defaults.
const (
	// DefaultNear is the distance of NEAR written without one.
	DefaultNear = 10
	// MaxNear is the largest distance NEAR/n accepts.
	MaxNear = 1000
	// SentenceMarks end a sentence for SENT, in normalised text: 。 and
	// the ASCII forms that ！？； fold to.
	SentenceMarks = "。!?;"
)

// Year bounds of year filters: an open range such as "2018.." ends at
// MaxYear.
const (
	MinYear = 0
	MaxYear = 9999
)

// String formats q in the query language; ParseQuery(q.String()) yields an
// equal query. Terms are written in normalised form where that reads back
// as the same term, phrases always quoted.
func (q *Query) String() string {
	if q.Root == nil {
		return ""
	}
	return q.Root.String()
}

// String implements Node.
func (t *Term) String() string {
	if bare(t.Norm) {
		return t.Norm
	}
	// The typed form was read as a term, so it reads back as one: a
	// normalised form that would not (—2025 normalises to -2025) is
	// written as typed.
	return t.Text
}

// String implements Node.
func (p *Phrase) String() string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(p.Norm) + `"`
}

// String implements Node.
func (a *And) String() string { return joinNodes(a.Nodes, " ") }

// String implements Node.
func (o *Or) String() string { return joinNodes(o.Nodes, " OR ") }

// String implements Node.
func (n *Not) String() string { return "-" + n.Node.String() }

// String implements Node.
func (n *Near) String() string {
	op := "NEAR/" + strconv.Itoa(n.N)
	if n.Sentence {
		op = "SENT"
	}
	return n.A.String() + " " + op + " " + n.B.String()
}

// String implements Node.
func (f *Filter) String() string { return facetNamed(f.Facet).Prefix + ":" + quoteTerm(f.Value) }

func joinNodes(nodes []Node, sep string) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = n.String()
	}
	return strings.Join(parts, sep)
}

// bare reports whether s, written without quotes, is read back as one
// plain term whose normalised form is s.
func bare(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") || strings.ContainsRune(s, '"') || looksLikeField(s) || isOperator(s) {
		return false
	}
	return !strings.ContainsFunc(s, isQuerySpace)
}

// quoteTerm writes a filter value (or a term) so that the lexer reads it
// back as one plain value.
func quoteTerm(s string) string {
	if bare(s) {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Clauses returns the clauses of q's top level: the nodes of Root when it
// is an *And, else Root alone (none for an empty query).
func (q *Query) Clauses() []Node {
	switch r := q.Root.(type) {
	case nil:
		return nil
	case *And:
		return r.Nodes
	}
	return []Node{q.Root}
}

// Terms returns the normalised forms of q's positive terms and phrases (OR
// alternatives and NEAR/SENT operands included), the strings that
// highlighting and occurrence counts look for.
func (q *Query) Terms() []string {
	var out []string
	visit(q.Root, func(n Node, negated, _ bool) {
		if t, ok := leaf(n); ok && !negated {
			out = append(out, t.Norm)
		}
	})
	return out
}

// visit calls fn for n and every node under it, saying whether the node
// lies under a Not and whether it is (or lies under) an operand of a NEAR
// or SENT.
func visit(n Node, fn func(n Node, negated, paired bool)) {
	var walk func(n Node, negated, paired bool)
	walk = func(n Node, negated, paired bool) {
		if n == nil {
			return
		}
		fn(n, negated, paired)
		switch n := n.(type) {
		case *And:
			for _, x := range n.Nodes {
				walk(x, negated, paired)
			}
		case *Or:
			for _, x := range n.Nodes {
				walk(x, negated, paired)
			}
		case *Not:
			walk(n.Node, true, paired)
		case *Near:
			walk(n.A, negated, true)
			walk(n.B, negated, true)
		}
	}
	walk(n, false, false)
}

// SetFilter replaces the filters of q on the facet named name by one per
// value, where the first of them stood (at the end when there was none).
func (q *Query) SetFilter(name string, values []string) {
	var clauses []Node
	at := -1
	for _, c := range q.Clauses() {
		if f, ok := c.(*Filter); ok && f.Facet == name {
			if at < 0 {
				at = len(clauses)
			}
			continue
		}
		clauses = append(clauses, c)
	}
	if at < 0 {
		at = len(clauses)
	}
	fresh := make([]Node, len(values))
	for i, v := range values {
		fresh[i] = &Filter{Facet: name, Value: v}
	}
	clauses = append(clauses[:at], append(fresh, clauses[at:]...)...)
	q.Root = rootOf(clauses)
	q.derive()
}

// rootOf is the Root of a query with the given clauses.
func rootOf(clauses []Node) Node {
	switch len(clauses) {
	case 0:
		return nil
	case 1:
		return clauses[0]
	}
	return &And{Nodes: clauses}
}

// leaf returns the term of a *Term or *Phrase node.
func leaf(n Node) (Term, bool) {
	switch n := n.(type) {
	case *Term:
		return *n, true
	case *Phrase:
		return n.Term, true
	}
	return Term{}, false
}

// derive fills the views of q from its Root.
func (q *Query) derive() {
	q.Groups, q.Exclude, q.Filters = nil, nil, nil
	for _, c := range q.Clauses() {
		switch c := c.(type) {
		case *Filter:
			q.Filters.Add(c.Facet, c.Value)
		case *Not:
			if t, ok := leaf(c.Node); ok {
				q.Exclude = append(q.Exclude, t)
			}
		}
		q.Groups = append(q.Groups, clauseGroups(c)...)
	}
}

// clauseGroups returns the groups (see Query.Groups) that a top-level
// clause gives.
func clauseGroups(c Node) [][]Term {
	switch c := c.(type) {
	case *Near:
		a, _ := leaf(c.A)
		b, _ := leaf(c.B)
		return [][]Term{{a}, {b}}
	case *Or:
		var g []Term
		for _, alt := range c.Nodes {
			if n, ok := alt.(*Near); ok {
				alt = n.A
			}
			t, _ := leaf(alt)
			g = append(g, t)
		}
		return [][]Term{g}
	}
	if t, ok := leaf(c); ok {
		return [][]Term{{t}}
	}
	return nil
}

// norms returns the normalised forms of terms.
func norms(terms []Term) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t.Norm
	}
	return out
}

// plainTerms returns the normalised positive terms and phrases under n
// that are not operands of NEAR or SENT: those whose every occurrence
// counts.
func plainTerms(n Node) []string {
	var out []string
	visit(n, func(n Node, negated, paired bool) {
		if t, ok := leaf(n); ok && !negated && !paired {
			out = append(out, t.Norm)
		}
	})
	return out
}

// hasNear reports whether the tree under n holds a NEAR or SENT.
func hasNear(n Node) bool {
	found := false
	visit(n, func(n Node, _, _ bool) {
		_, isNear := n.(*Near)
		found = found || isNear
	})
	return found
}

// newTerm normalises a term and rejects one that normalises to nothing.
func newTerm(text string, at int) (Term, error) {
	norm := analyzer.Normalize(text)
	if norm == "" {
		return Term{}, syntaxError(fmt.Sprintf("empty phrase \"\" at character %d", at))
	}
	return Term{Text: text, Norm: norm}, nil
}

// ParseYearRange parses a year filter value: "2020", "2018..2021", "2018.."
// (from 2018 on) or "..2020" (up to 2020). Bounds are inclusive.
func ParseYearRange(s string) (YearRange, error) {
	from, to, isRange := strings.Cut(s, "..")
	if !isRange {
		y, err := parseYear(s)
		if err != nil {
			return YearRange{}, err
		}
		return YearRange{From: y, To: y}, nil
	}
	r := YearRange{From: MinYear, To: MaxYear}
	if from == "" && to == "" {
		return YearRange{}, fmt.Errorf("year range %q needs at least one bound", s)
	}
	var err error
	if from != "" {
		if r.From, err = parseYear(from); err != nil {
			return YearRange{}, err
		}
	}
	if to != "" {
		if r.To, err = parseYear(to); err != nil {
			return YearRange{}, err
		}
	}
	if r.From > r.To {
		return YearRange{}, fmt.Errorf("year range %q runs backwards", s)
	}
	return r, nil
}

// parseYear accepts exactly four ASCII digits: a year as reports write it.
func parseYear(s string) (int, error) {
	if len(s) != 4 {
		return 0, fmt.Errorf("year %q is not a four-digit year", s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("year %q is not a four-digit year", s)
		}
	}
	y, _ := strconv.Atoi(s) // four ASCII digits: always parses
	return y, nil
}

func isQuerySpace(r rune) bool { return unicode.IsSpace(r) }

// looksLikeField reports whether s would be read as a field filter.
func looksLikeField(s string) bool {
	j := 0
	for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] == '_') {
		j++
	}
	return j > 0 && j < len(s) && s[j] == ':'
}
