package index

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"govsearch/analyzer"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in   string
		want string // Query.String() of the result
	}{
		{"一网通办", "一网通办"},
		{"  一网通办 \t放管服\u3000", "一网通办 放管服"},
		{"ＰＭ２．５", "pm2.5"},
		{"國務院", "国务院"},
		{`"global city" 上海`, `"globalcity" 上海`},
		{"一网通办 OR 放管服", "一网通办 OR 放管服"},
		{"a OR b OR c d", "a OR b OR c d"},
		{"改革 -开放", "改革 -开放"},
		{`-"PM 2.5" 空气`, `-"pm2.5" 空气`},
		{"region:静安区 一网通办", "region:静安区 一网通办"},
		{`region:"浦东 新区"`, `region:"浦东 新区"`},
		{"region:静安区 region:黄浦区", "region:静安区 region:黄浦区"},
		{"level:district part:plan kind:glossary", "level:district part:plan kind:glossary"},
		{"year:2020", "year:2020"},
		{"year:2018..2021", "year:2018..2021"},
		{"year:2018..", "year:2018.."},
		{"year:..2020", "year:..2020"},
		{`"OR"`, `"or"`},
		{`"-5%"`, `"-5%"`},
		{`"region:x"`, `"region:x"`},
		{`"a\"b"`, `"a\"b"`},
		{"“两旧一村”", "“两旧一村”"},
		{"--x", "--x"},
		{"", ""},
		{"12345热线 -region", "12345热线 -region"},
		{`"http://x"`, `"http://x"`},
		{"2025-2027", "2025-2027"},
		{"2025—2027", "2025-2027"},
		{"2025–2027年", "2025-2027年"},
		{"２０２５－２０２７", "2025-2027"},
		{"2025～2027 2025〜2027", "2025~2027 2025~2027"},
		{"规划 -2021—2025", "规划 -2021-2025"},
		{"a——b", "a--b"},
		{"—2025", "—2025"},
		{"－棚户区", "－棚户区"},
		{"-—x", "-—x"},
		{"一网通办 NEAR 改革", "一网通办 NEAR/10 改革"},
		{"一网通办 NEAR/5 改革", "一网通办 NEAR/5 改革"},
		{"一网通办 NEAR/0 改革", "一网通办 NEAR/0 改革"},
		{"营商环境 SENT 民营企业", "营商环境 SENT 民营企业"},
		{`"PM 2.5" NEAR/3 治理`, `"pm2.5" NEAR/3 治理`},
		{"a NEAR b OR c d", "a NEAR/10 b OR c d"},
		{"a OR b SENT c", "a OR b SENT c"},
		{"a NEAR b c SENT d", "a NEAR/10 b c SENT d"},
		{"near sent", "near sent"},
		{`"NEAR" "SENT" "NEAR/5"`, `"near" "sent" "near/5"`},
		{"-NEAR -SENT", "-near -sent"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseQuery(tt.in)
			if err != nil {
				t.Errorf("ParseQuery(%q): %v", tt.in, err)
				return
			}
			if got := q.String(); got != tt.want {
				t.Errorf("ParseQuery(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"OR", "OR must stand between"},
		{"a OR", "OR must stand between"},
		{"OR a", "OR must stand between"},
		{"a OR OR b", "OR must stand between"},
		{"a -", "nothing follows -"},
		{"- a", "nothing follows -"},
		{`"unterminated`, "unterminated quote"},
		{`"a"b`, "closing quote"},
		{`a"b`, "quote inside a term"},
		{`""`, "empty phrase"},
		{`"  "`, "empty phrase"},
		{"reigon:静安区", `unknown field "reigon:"`},
		{"region:", "needs a value"},
		{"level:county", `unknown level "county"`},
		{"part:intro", `unknown part "intro"`},
		{"kind:table", `unknown kind "table"`},
		{"year:20x0", "not a four-digit year"},
		{"year:2021..2018", "runs backwards"},
		{"year:..", "at least one bound"},
		{"year:12345", "not a four-digit year"},
		{"-region:静安区", "cannot be excluded"},
		{"a OR -b", "excluded term cannot be combined with OR"},
		{"-a OR b", "excluded term cannot be combined with OR"},
		{"a OR region:x", "field filter cannot be combined with OR"},
		{"region:x OR a", "field filter cannot be combined with OR"},
		{strings.Repeat("字", MaxQueryLength+1), "characters long"},
		{strings.Repeat("a ", MaxQueryTerms+1), "terms and filters"},
		{"\xff", "not valid UTF-8"},
		{"http://x", `unknown field "http:"`},
		{"NEAR a", "NEAR must stand between two terms, at character 1"},
		{"a NEAR", "NEAR must stand between two terms, at character 3"},
		{"a SENT", "SENT must stand between two terms, at character 3"},
		{"a NEAR NEAR b", "NEAR must stand between two terms, at character 3"},
		{"a OR NEAR b", "OR must stand between two terms, at character 3"},
		{"a NEAR -b", "an excluded term cannot be combined with NEAR: -b at character 8"},
		{"-a SENT b", "an excluded term cannot be combined with SENT: -a at character 1"},
		{"a NEAR region:x", "a field filter cannot be combined with NEAR: region:x at character 8"},
		{"year:2020 SENT a", "a field filter cannot be combined with SENT: year:2020 at character 1"},
		{"a NEAR b NEAR c", "the NEAR at character 10 would join a third"},
		{"a NEAR/3 b SENT c", "the SENT at character 12 would join a third"},
		{"a NEAR/x b", "NEAR/x at character 3: NEAR/ takes a distance of 0 to 1000"},
		{"a NEAR/1001 b", "NEAR/ takes a distance of 0 to 1000"},
		{"a NEAR/-1 b", "NEAR/ takes a distance"},
		{"a NEAR/05 b", "NEAR/ takes a distance"},
		{"a NEAR/ b", "NEAR/ takes a distance"},
		{"NEAR/5x", "NEAR/5x at character 1"},
		{`a NEAR ""`, "empty phrase \"\" at character 8"},
		{"OR", "at character 1"},
		{"a OR", "OR must stand between two terms, at character 3"},
		{"reigon:静安区", "at character 1"},
		{"a level:county", "at character 3"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseQuery(tt.in)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Errorf("ParseQuery(%q) error = %v, want a *QueryError", tt.in, err)
				return
			}
			if !strings.Contains(qe.Message, tt.msg) {
				t.Errorf("ParseQuery(%q) = %v, want param q and a message containing %q", tt.in, qe, tt.msg)
			}
		})
	}
}

func TestParseQueryLimitsAreInclusive(t *testing.T) {
	if _, err := ParseQuery(strings.Repeat("字", MaxQueryLength)); err != nil {
		t.Errorf("a query of exactly %d characters: %v", MaxQueryLength, err)
	}
	if _, err := ParseQuery(strings.TrimSpace(strings.Repeat("a ", MaxQueryTerms))); err != nil {
		t.Errorf("a query of exactly %d terms: %v", MaxQueryTerms, err)
	}
}

func TestParseYearRange(t *testing.T) {
	for in, want := range map[string]YearRange{
		"2020": {2020, 2020}, "2018..2021": {2018, 2021}, "2018..": {2018, MaxYear}, "..2020": {MinYear, 2020},
	} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseYearRange(in)
			if err != nil || got != want {
				t.Errorf("ParseYearRange(%q) = %v, %v; want %v", in, got, err, want)
			}
		})
	}
	for _, in := range []string{"", "..", "20", "20200", "20x1", "2021..2018", "２０２０", "-2020"} {
		t.Run(in, func(t *testing.T) {
			if got, err := ParseYearRange(in); err == nil {
				t.Errorf("ParseYearRange(%q) = %v, want an error", in, got)
			}
		})
	}
}

// FuzzParseQuery checks that the parser never panics, that every error is
// a *QueryError on "q", and that a parsed query survives formatting and
// parsing again unchanged.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"一网通办", `"a b" OR c -d region:静安区 year:2018..2020`, "a OR", `"\"`, "-", "year:..",
		"level:district kind:heading part:plan", "ＰＭ２．５ 12345热线", `\"x`, "region:\"x y\"", "a\u3000OR\u3000b",
		"2021—2025 -2025～2027", "—x －y -—z", "a——b OR c–d",
		"一网通办 NEAR/5 改革", "a NEAR b OR c SENT d e", `"a b" SENT -c`, "NEAR/1000", "x NEAR/01 y",
		"Ｒegion:x", "a＂b", "—2025 NEAR －x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) || qe.Message == "" {
				t.Fatalf("ParseQuery(%q) error %v is not a *QueryError on q", s, err)
			}
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("ParseQuery accepted invalid UTF-8 %q", s)
		}
		for _, term := range q.Terms() {
			if term == "" {
				t.Fatalf("ParseQuery(%q) produced an empty term", s)
			}
			if analyzer.Normalize(term) != term {
				t.Fatalf("ParseQuery(%q) produced the term %q, which is not normalised", s, term)
			}
		}
		text := q.String()
		q2, err := ParseQuery(text)
		if err != nil {
			if utf8.RuneCountInString(text) > MaxQueryLength {
				return // quoting can lengthen a query past the limit
			}
			t.Fatalf("ParseQuery(%q) = %q, which does not parse: %v", s, text, err)
		}
		if !reflect.DeepEqual(normalised(q), normalised(q2)) {
			t.Fatalf("ParseQuery(%q) = %#v; its String %q parses to %#v", s, q, text, q2)
		}
		if a, b := treeForm(q.Root), treeForm(q2.Root); a != b {
			t.Fatalf("ParseQuery(%q) is %s; its String %q parses to %s", s, a, text, b)
		}
	})
}

// treeForm writes a query tree with its node types and normalised terms,
// for comparing trees and for reading them in test tables.
func treeForm(n Node) string {
	list := func(name string, nodes []Node) string {
		parts := make([]string, len(nodes))
		for i, x := range nodes {
			parts[i] = treeForm(x)
		}
		return name + "(" + strings.Join(parts, ",") + ")"
	}
	switch n := n.(type) {
	case nil:
		return "-"
	case *Term:
		return n.Norm
	case *Phrase:
		return "P" + strconv.Quote(n.Norm)
	case *And:
		return list("AND", n.Nodes)
	case *Or:
		return list("OR", n.Nodes)
	case *Not:
		return "NOT(" + treeForm(n.Node) + ")"
	case *Near:
		op := "NEAR" + strconv.Itoa(n.N)
		if n.Sentence {
			op = "SENT"
		}
		return list(op, []Node{n.A, n.B})
	case *Filter:
		return n.Facet + "=" + n.Value
	}
	return fmt.Sprintf("%T", n)
}

// TestQueryTree checks the precedence of the operators: NEAR and SENT bind
// tighter than OR, OR tighter than the implicit AND.
func TestQueryTree(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "-"},
		{"a", "a"},
		{`"a b"`, `P"ab"`},
		{"a b", "AND(a,b)"},
		{"a OR b c", "AND(OR(a,b),c)"},
		{"a NEAR b", "NEAR10(a,b)"},
		{"a NEAR/3 b OR c", "OR(NEAR3(a,b),c)"},
		{"a OR b SENT c", "OR(a,SENT(b,c))"},
		{"a NEAR b OR c NEAR/0 d e", "AND(OR(NEAR10(a,b),NEAR0(c,d)),e)"},
		{`-a "b c" NEAR d region:x year:2020`, `AND(NOT(a),NEAR10(P"bc",d),region=x,year=2020)`},
		{"-“x”", "NOT(“x”)"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseQuery(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := treeForm(q.Root); got != tt.want {
				t.Errorf("ParseQuery(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestQueryViews checks the views derived from the tree: the groups every
// hit meets, the exclusions, the filters and the terms.
func TestQueryViews(t *testing.T) {
	for _, tt := range []struct {
		in              string
		groups, exclude string
		filters         string
		terms           string
	}{
		{"a b OR c", "[a] [b c]", "", "map[]", "a b c"},
		{"a NEAR b -c", "[a] [b]", "c", "map[]", "a b"},
		{"a NEAR b OR c region:x region:y", "[a c]", "", "map[region:[x y]]", "a b c"},
		{`-"x y" year:2020`, "", "xy", "map[year:[2020]]", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseQuery(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var groups []string
			for _, g := range q.Groups {
				groups = append(groups, "["+strings.Join(norms(g), " ")+"]")
			}
			filters := fmt.Sprint(map[string][]string(q.Filters))
			if q.Filters == nil {
				filters = "map[]"
			}
			got := []string{strings.Join(groups, " "), strings.Join(norms(q.Exclude), " "), filters, strings.Join(q.Terms(), " ")}
			want := []string{tt.groups, tt.exclude, tt.filters, tt.terms}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParseQuery(%q): groups, exclude, filters, terms = %q, want %q", tt.in, got, want)
			}
		})
	}
}

// TestSetFilter checks that replacing a facet's filters keeps the rest of
// the query and its place.
func TestSetFilter(t *testing.T) {
	q, err := ParseQuery("a region:上海 b region:北京 year:2020")
	if err != nil {
		t.Fatal(err)
	}
	q.SetFilter(FacetRegion, []string{"上海市"})
	if got, want := q.String(), "a region:上海市 b year:2020"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := q.Filters[FacetRegion]; !reflect.DeepEqual(got, []string{"上海市"}) {
		t.Errorf("Filters[region] = %v", got)
	}
	q.SetFilter(FacetLevel, []string{"city"})
	if got, want := q.String(), "a region:上海市 b year:2020 level:city"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// normalised drops the typed forms of q's terms, which String does not keep.
func normalised(q *Query) *Query {
	out := &Query{Filters: q.Filters}
	for _, g := range q.Groups {
		var ng []Term
		for _, t := range g {
			ng = append(ng, Term{Norm: t.Norm})
		}
		out.Groups = append(out.Groups, ng)
	}
	for _, t := range q.Exclude {
		out.Exclude = append(out.Exclude, Term{Norm: t.Norm})
	}
	return out
}

func BenchmarkParseQuery(b *testing.B) {
	q := `一网通办 OR "放管服" -棚户区 region:静安区 year:2018..2021 ＰＭ２．５`
	for b.Loop() {
		if _, err := ParseQuery(q); err != nil {
			b.Fatal(err)
		}
	}
}
