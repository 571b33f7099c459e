package index

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"govsearch/analyzer"
)

// Query is a parsed query string: groups of terms that are all required,
// excluded terms, and field filters.
//
// The language:
//
//	一网通办 放管服        both terms required (each matched as a normalised substring)
//	"global city"         a term containing spaces (spaces are removed by normalisation)
//	一网通办 OR 放管服     either term; OR binds the terms on both sides into one group
//	-棚户区               paragraphs containing the term are excluded
//	region:静安区          field filters: each facet's Prefix (facets.go)
//	year:2020 year:2018..2021 year:2018.. year:..2020
//
// Several filters on the same field are ORed; filters on different fields
// are ANDed. Only the ASCII double quote is syntax: Chinese quotation marks
// are ordinary characters, so “两旧一村” searches the quoted form. Likewise
// only an ASCII '-' at the start of a part excludes: a dash inside a term is
// text (2021-2025 is one term, and normalisation makes it match 2021—2025,
// 2021–2025 and 2021－2025 too), and a part that starts with another dash
// (—2025, －2025) is a term whose normalised form starts with '-'.
type Query struct {
	// Groups are ANDed; the terms within a group are ORed.
	Groups [][]Term
	// Exclude lists terms whose paragraphs are removed from the result.
	Exclude []Term
	// Filters holds the field filters written in the query.
	Filters Filters
}

// Term is one search term as typed and in normalised form. The normalised
// form is what is matched: a paragraph matches when its normalised text
// contains Norm.
type Term struct {
	Text string
	Norm string
}

// Year bounds of year filters: an open range such as "2018.." ends at
// MaxYear.
const (
	MinYear = 0
	MaxYear = 9999
)

// ParseQuery parses a query string. Errors are *QueryError with Param "q"
// and a message that names the offending part.
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
	q := &Query{}
	clauses := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tokOr {
			return nil, syntaxError("OR must stand between two terms")
		}
		clauses++
		switch {
		case t.field != "":
			if t.negated {
				return nil, syntaxError(fmt.Sprintf("a field filter cannot be excluded: -%s:%s", t.field, t.value))
			}
			if i+1 < len(toks) && toks[i+1].kind == tokOr {
				return nil, syntaxError(fmt.Sprintf("a field filter cannot be combined with OR: %s:%s", t.field, t.value))
			}
			if err := q.addFilter(t.field, t.value); err != nil {
				return nil, err
			}
		case t.negated:
			if i+1 < len(toks) && toks[i+1].kind == tokOr {
				return nil, syntaxError(fmt.Sprintf("an excluded term cannot be combined with OR: -%s", t.value))
			}
			term, err := newTerm(t.value)
			if err != nil {
				return nil, err
			}
			q.Exclude = append(q.Exclude, term)
		default:
			term, err := newTerm(t.value)
			if err != nil {
				return nil, err
			}
			group := []Term{term}
			for i+1 < len(toks) && toks[i+1].kind == tokOr {
				if i+2 >= len(toks) {
					return nil, syntaxError("OR must stand between two terms")
				}
				next := toks[i+2]
				switch {
				case next.kind == tokOr:
					return nil, syntaxError("OR must stand between two terms")
				case next.field != "":
					return nil, syntaxError(fmt.Sprintf("a field filter cannot be combined with OR: %s:%s", next.field, next.value))
				case next.negated:
					return nil, syntaxError(fmt.Sprintf("an excluded term cannot be combined with OR: -%s", next.value))
				}
				alt, err := newTerm(next.value)
				if err != nil {
					return nil, err
				}
				group = append(group, alt)
				clauses++
				i += 2
			}
			q.Groups = append(q.Groups, group)
		}
	}
	if clauses > MaxQueryTerms {
		return nil, syntaxError(fmt.Sprintf("query has %d terms and filters; the limit is %d", clauses, MaxQueryTerms))
	}
	return q, nil
}

// newTerm normalises a term and rejects one that normalises to nothing.
func newTerm(text string) (Term, error) {
	norm := analyzer.Normalize(text)
	if norm == "" {
		return Term{}, syntaxError("empty phrase \"\"")
	}
	return Term{Text: text, Norm: norm}, nil
}

// addFilter validates a field:value filter and adds it to q.Filters.
func (q *Query) addFilter(field, value string) error {
	if value == "" {
		return syntaxError(fmt.Sprintf("%s: needs a value", field))
	}
	f := facetWithPrefix(field)
	if _, err := f.checkValue(value); err != nil {
		return syntaxError(err.Error())
	}
	q.Filters.Add(f.Name, value)
	return nil
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

// String formats q in the query language; ParseQuery(q.String()) yields an
// equivalent query. Terms are written in normalised form.
func (q *Query) String() string {
	var parts []string
	for _, g := range q.Groups {
		alts := make([]string, len(g))
		for i, t := range g {
			alts[i] = quoteTerm(t.Norm)
		}
		parts = append(parts, strings.Join(alts, " OR "))
	}
	for _, t := range q.Exclude {
		parts = append(parts, "-"+quoteTerm(t.Norm))
	}
	for _, f := range facetList {
		for _, v := range q.Filters[f.Name] {
			parts = append(parts, f.Prefix+":"+quoteTerm(v))
		}
	}
	return strings.Join(parts, " ")
}

// quoteTerm writes a term so that the lexer reads it back as one plain term.
func quoteTerm(s string) string {
	plain := s != "OR" && !strings.HasPrefix(s, "-") && !strings.ContainsAny(s, "\"") && !looksLikeField(s)
	for _, r := range s {
		if isQuerySpace(r) {
			plain = false
		}
	}
	if plain {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Terms returns the normalised positive terms of q (all OR alternatives),
// the strings that highlighting and occurrence counts look for.
func (q *Query) Terms() []string {
	var out []string
	for _, g := range q.Groups {
		for _, t := range g {
			out = append(out, t.Norm)
		}
	}
	return out
}

// Lexer.

type tokKind int

const (
	tokWord tokKind = iota
	tokOr
)

type qtoken struct {
	kind    tokKind
	negated bool
	field   string // set for field:value filters
	value   string // term text (unquoted) or filter value
}

func isQuerySpace(r rune) bool { return unicode.IsSpace(r) }

// lexQuery splits s into words, OR operators and field filters. Quoted
// phrases may contain spaces and \" for a literal quote.
func lexQuery(s string) ([]qtoken, error) {
	var toks []qtoken
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isQuerySpace(r) {
			i += size
			continue
		}
		start := i
		var t qtoken
		if s[i] == '-' {
			t.negated = true
			i++
			if i == len(s) {
				return nil, syntaxError("nothing follows - at the end of the query")
			}
			if r, _ := utf8.DecodeRuneInString(s[i:]); isQuerySpace(r) {
				return nil, syntaxError(fmt.Sprintf("nothing follows - at character %d; quote a term that starts with -", utf8.RuneCountInString(s[:start])+1))
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
				return nil, syntaxError(fmt.Sprintf("unknown field %q (known: %s); quote the term to search for it literally", name+":", prefixes()))
			}
			t.field = name
			i = j + 1
		}
		if i < len(s) && s[i] == '"' {
			val, next, err := readQuoted(s, i)
			if err != nil {
				return nil, err
			}
			t.value = val
			i = next
			if i < len(s) {
				if r, _ := utf8.DecodeRuneInString(s[i:]); !isQuerySpace(r) {
					return nil, syntaxError(fmt.Sprintf("a closing quote must be followed by a space, at character %d", utf8.RuneCountInString(s[:i])+1))
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
					return nil, syntaxError(fmt.Sprintf("a quote inside a term at character %d; quote the whole term", utf8.RuneCountInString(s[:k])+1))
				}
				k += size
			}
			t.value = s[i:k]
			i = k
			if !t.negated && t.field == "" && t.value == "OR" {
				t.kind = tokOr
			}
		}
		toks = append(toks, t)
	}
	return toks, nil
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

// looksLikeField reports whether s would be read as a field filter.
func looksLikeField(s string) bool {
	j := 0
	for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] == '_') {
		j++
	}
	return j > 0 && j < len(s) && s[j] == ':'
}
