package index

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseQuery parses a query string (the language is described at Query).
// Errors are *QueryError with Param "q" and a message that names the
// problem and, where it lies in one place, its character position
// (counted from 1).
func ParseQuery(s string) (*Query, error) {
	if !utf8.ValidString(s) {
		return nil, syntaxError("the query is not valid UTF-8")
	}
	if err := checkQueryLength(s); err != nil {
		return nil, syntaxError(err.Message)
	}
	toks, err := lexQuery(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	var clauses []Node
	for !p.done() {
		c, err := p.clause()
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, c)
	}
	if p.leaves > MaxQueryTerms {
		return nil, syntaxError(fmt.Sprintf("query has %d terms and filters; the limit is %d", p.leaves, MaxQueryTerms))
	}
	q := &Query{Root: rootOf(clauses)}
	q.derive()
	return q, nil
}

// parser reads a token list into clauses:
//
//	clause := "-" atom | field ":" value | or
//	or     := near ("OR" near)*
//	near   := atom [("NEAR" | "NEAR/n" | "SENT") atom]
//	atom   := term | "quoted phrase"
type parser struct {
	toks   []qtoken
	i      int
	leaves int // terms, phrases and filters, for MaxQueryTerms
}

func (p *parser) done() bool { return p.i >= len(p.toks) }

func (p *parser) peek() *qtoken {
	if p.done() {
		return nil
	}
	return &p.toks[p.i]
}

// clause reads one top-level clause.
func (p *parser) clause() (Node, error) {
	t := p.peek()
	switch {
	case t.kind != tokWord:
		return nil, syntaxError(fmt.Sprintf("%s must stand between two terms, at character %d", t.op(), t.at))
	case t.field != "":
		if t.negated {
			return nil, syntaxError(fmt.Sprintf("a field filter cannot be excluded: -%s:%s at character %d", t.field, t.value, t.at))
		}
		if err := p.alone(t, "a field filter", t.field+":"+t.value); err != nil {
			return nil, err
		}
		p.i++
		p.leaves++
		return newFilter(t)
	case t.negated:
		if err := p.alone(t, "an excluded term", "-"+t.value); err != nil {
			return nil, err
		}
		p.i++
		a, err := p.atom(t)
		if err != nil {
			return nil, err
		}
		return &Not{Node: a}, nil
	}
	return p.or()
}

// alone refuses an operator after t, which (a filter or an excluded term)
// cannot be an operand.
func (p *parser) alone(t *qtoken, what, written string) error {
	if p.i+1 < len(p.toks) && p.toks[p.i+1].kind != tokWord {
		return syntaxError(fmt.Sprintf("%s cannot be combined with %s: %s at character %d", what, p.toks[p.i+1].op(), written, t.at))
	}
	return nil
}

// or reads near ("OR" near)*.
func (p *parser) or() (Node, error) {
	first, err := p.near()
	if err != nil {
		return nil, err
	}
	alts := []Node{first}
	for !p.done() && p.peek().kind == tokOr {
		op := p.peek()
		p.i++
		if err := p.operand(op); err != nil {
			return nil, err
		}
		alt, err := p.near()
		if err != nil {
			return nil, err
		}
		alts = append(alts, alt)
	}
	if len(alts) == 1 {
		return first, nil
	}
	return &Or{Nodes: alts}, nil
}

// near reads atom [op atom] for op NEAR, NEAR/n or SENT.
func (p *parser) near() (Node, error) {
	t := p.peek()
	p.i++
	a, err := p.atom(t)
	if err != nil {
		return nil, err
	}
	if p.done() || (p.peek().kind != tokNear && p.peek().kind != tokSent) {
		return a, nil
	}
	op := p.peek()
	p.i++
	if err := p.operand(op); err != nil {
		return nil, err
	}
	bt := p.peek()
	p.i++
	b, err := p.atom(bt)
	if err != nil {
		return nil, err
	}
	if next := p.peek(); next != nil && (next.kind == tokNear || next.kind == tokSent) {
		return nil, syntaxError(fmt.Sprintf("NEAR and SENT join two terms: the %s at character %d would join a third; write the pairs side by side instead (a NEAR b b NEAR c)", next.op(), next.at))
	}
	return &Near{A: a, B: b, N: op.distance, Sentence: op.kind == tokSent}, nil
}

// operand checks that the token after operator op can be its right-hand
// operand: a term or phrase, not an operator, filter or excluded term.
func (p *parser) operand(op *qtoken) error {
	t := p.peek()
	switch {
	case t == nil || t.kind != tokWord:
		return syntaxError(fmt.Sprintf("%s must stand between two terms, at character %d", op.op(), op.at))
	case t.field != "":
		return syntaxError(fmt.Sprintf("a field filter cannot be combined with %s: %s:%s at character %d", op.op(), t.field, t.value, t.at))
	case t.negated:
		return syntaxError(fmt.Sprintf("an excluded term cannot be combined with %s: -%s at character %d", op.op(), t.value, t.at))
	}
	return nil
}

// atom makes the term or phrase of word token t.
func (p *parser) atom(t *qtoken) (Node, error) {
	term, err := newTerm(t.value, t.at)
	if err != nil {
		return nil, err
	}
	p.leaves++
	if t.quoted {
		return &Phrase{Term: term}, nil
	}
	return &term, nil
}

// newFilter validates a field:value token and makes its filter.
func newFilter(t *qtoken) (Node, error) {
	if t.value == "" {
		return nil, syntaxError(fmt.Sprintf("%s: needs a value, at character %d", t.field, t.at))
	}
	f := facetWithPrefix(t.field)
	if _, err := f.checkValue(t.value); err != nil {
		return nil, syntaxError(fmt.Sprintf("%v, at character %d", err, t.at))
	}
	return &Filter{Facet: f.Name, Value: t.value}, nil
}

// Lexer.

type tokKind int

const (
	tokWord tokKind = iota
	tokOr
	tokNear // NEAR or NEAR/n
	tokSent
)

type qtoken struct {
	kind     tokKind
	at       int // character position of the token's start, from 1
	negated  bool
	quoted   bool
	field    string // set for field:value filters
	value    string // term text (unquoted) or filter value
	distance int    // of NEAR
}

// op names an operator token as it is written.
func (t *qtoken) op() string {
	switch t.kind {
	case tokOr:
		return "OR"
	case tokSent:
		return "SENT"
	}
	return "NEAR"
}

// isOperator reports whether s, written bare, is read as an operator (or
// as a malformed NEAR/n).
func isOperator(s string) bool {
	return s == "OR" || s == "SENT" || s == "NEAR" || strings.HasPrefix(s, "NEAR/")
}

// lexQuery splits s into words, operators and field filters. Quoted
// phrases may contain spaces and \" for a literal quote.
func lexQuery(s string) ([]qtoken, error) {
	var toks []qtoken
	i := 0
	charAt := func(b int) int { return utf8.RuneCountInString(s[:b]) + 1 }
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isQuerySpace(r) {
			i += size
			continue
		}
		start := i
		t := qtoken{at: charAt(start)}
		if s[i] == '-' {
			t.negated = true
			i++
			if i == len(s) {
				return nil, syntaxError(fmt.Sprintf("nothing follows - at the end of the query (character %d)", t.at))
			}
			if r, _ := utf8.DecodeRuneInString(s[i:]); isQuerySpace(r) {
				return nil, syntaxError(fmt.Sprintf("nothing follows - at character %d; quote a term that starts with -", t.at))
			}
		}
		// A field prefix: ASCII letters and '_' followed by ':'.
		j := i
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] == '_') {
			j++
		}
		if j > i && j < len(s) && s[j] == ':' {
			name := s[i:j]
			if facetWithPrefix(name) == nil {
				return nil, syntaxError(fmt.Sprintf("unknown field %q at character %d (known: %s); quote the term to search for it literally", name+":", charAt(i), prefixes()))
			}
			t.field = name
			i = j + 1
		}
		if i < len(s) && s[i] == '"' {
			val, next, err := readQuoted(s, i)
			if err != nil {
				return nil, err
			}
			t.value, t.quoted = val, true
			i = next
			if i < len(s) {
				if r, _ := utf8.DecodeRuneInString(s[i:]); !isQuerySpace(r) {
					return nil, syntaxError(fmt.Sprintf("a closing quote must be followed by a space, at character %d", charAt(i)))
				}
			}
		} else {
			k := i
			for k < len(s) {
				r, size := utf8.DecodeRuneInString(s[k:])
				if isQuerySpace(r) {
					break
				}
				if r == '"' {
					return nil, syntaxError(fmt.Sprintf("a quote inside a term at character %d; quote the whole term", charAt(k)))
				}
				k += size
			}
			t.value = s[i:k]
			i = k
			if !t.negated && t.field == "" {
				if err := t.readOperator(); err != nil {
					return nil, err
				}
			}
		}
		toks = append(toks, t)
	}
	return toks, nil
}

// readOperator makes a bare word that is OR, SENT, NEAR or NEAR/n the
// operator it names.
func (t *qtoken) readOperator() error {
	switch {
	case t.value == "OR":
		t.kind = tokOr
	case t.value == "SENT":
		t.kind = tokSent
	case t.value == "NEAR":
		t.kind, t.distance = tokNear, DefaultNear
	case strings.HasPrefix(t.value, "NEAR/"):
		digits := strings.TrimPrefix(t.value, "NEAR/")
		n, err := strconv.Atoi(digits)
		if err != nil || n < 0 || n > MaxNear || digits != strconv.Itoa(n) {
			return syntaxError(fmt.Sprintf("%s at character %d: NEAR/ takes a distance of 0 to %d characters, such as NEAR/5", Clip(t.value), t.at, MaxNear))
		}
		t.kind, t.distance = tokNear, n
	}
	return nil
}

// readQuoted reads a quoted phrase starting at s[i] == '"' and returns its
// content and the index after the closing quote.
func readQuoted(s string, i int) (string, int, error) {
	var b strings.Builder
	for k := i + 1; k < len(s); k++ {
		switch s[k] {
		case '\\':
			if k+1 < len(s) && (s[k+1] == '"' || s[k+1] == '\\') {
				b.WriteByte(s[k+1])
				k++
				continue
			}
			b.WriteByte('\\')
		case '"':
			return b.String(), k + 1, nil
		default:
			b.WriteByte(s[k])
		}
	}
	return "", 0, syntaxError(fmt.Sprintf("unterminated quote starting at character %d", utf8.RuneCountInString(s[:i])+1))
}
