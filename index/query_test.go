package index

import (
	"errors"
	"reflect"
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
		{`"global city" 上海`, "globalcity 上海"},
		{"一网通办 OR 放管服", "一网通办 OR 放管服"},
		{"a OR b OR c d", "a OR b OR c d"},
		{"改革 -开放", "改革 -开放"},
		{`-"PM 2.5" 空气`, "空气 -pm2.5"},
		{"region:静安区 一网通办", "一网通办 region:静安区"},
		{`region:"浦东 新区"`, `region:"浦东 新区"`},
		{"region:静安区 region:黄浦区", "region:静安区 region:黄浦区"},
		{"level:district part:plan kind:glossary", "level:district part:plan kind:glossary"},
		{"year:2020", "year:2020"},
		{"year:2018..2021", "year:2018..2021"},
		{"year:2018..", "year:2018.."},
		{"year:..2020", "year:..2020"},
		{`"OR"`, "or"},
		{`"-5%"`, `"-5%"`},
		{`"region:x"`, `"region:x"`},
		{`"a\"b"`, `"a\"b"`},
		{"“两旧一村”", "“两旧一村”"},
		{"--x", `-"-x"`},
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
		{"—2025", `"-2025"`},
		{"－棚户区", `"-棚户区"`},
		{"-—x", `-"-x"`},
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
	})
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
