package ui

import (
	"html"
	"reflect"
	"strings"
	"testing"
)

func TestHighlightTerms(t *testing.T) {
	cases := map[string][]string{
		"一网通办":     {"一网通办"},
		"一网通办 放管服": {"一网通办", "放管服"},
		"一网通办 OR 一网统管 -疫情 region:静安区": {"一网通办", "一网统管"},
		`"PM 2.5"`:  {"pm2.5"},
		"“两旧一村”":    {"“两旧一村”"},
		"ＰＭ２.５ 壹號":  {"pm2.5", "壹号"},
		"一网通办 一网通办": {"一网通办"},
		"OR":        nil, // rejected by the query parser
		"":          nil,
	}
	for q, want := range cases {
		t.Run(q, func(t *testing.T) {
			if got := HighlightTerms(q); !reflect.DeepEqual(got, want) {
				t.Errorf("HighlightTerms(%q) = %q, want %q", q, got, want)
			}
		})
	}
}

func TestMarkText(t *testing.T) {
	cases := []struct {
		text  string
		terms []string
		want  string
		n     int
	}{
		{"推进一网通办改革", []string{"一网通办"}, "推进<mark>一网通办</mark>改革", 1},
		{"一网\n通办与一网 通办", []string{"一网通办"}, "<mark>一网\n通办</mark>与<mark>一网 通办</mark>", 2},
		{"ＰＭ２.５浓度", []string{"pm2.5"}, "<mark>ＰＭ２.５</mark>浓度", 1},
		{"<b>一网通办</b> & \"x\"", []string{"一网通办"}, "&lt;b&gt;<mark>一网通办</mark>&lt;/b&gt; &amp; &#34;x&#34;", 1},
		{"放管服一网通办", []string{"一网通办", "放管服"}, "<mark>放管服一网通办</mark>", 1},
		{"一网通办", []string{"网通"}, "一<mark>网通</mark>办", 1},
		{"abcabc", []string{"bca", "abc"}, "<mark>abcabc</mark>", 1},
		{"没有匹配", []string{"一网通办"}, "没有匹配", 0},
		{"<script>", nil, "&lt;script&gt;", 0},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			got, n := MarkText(c.text, c.terms)
			if string(got) != c.want || n != c.n {
				t.Errorf("MarkText(%q, %q) = %q, %d; want %q, %d", c.text, c.terms, got, n, c.want, c.n)
			}
		})
	}
}

// FuzzMarkText checks the safety rule of highlighted HTML: the only tags
// are <mark> and </mark>, and removing them and unescaping gives back the
// text exactly.
func FuzzMarkText(f *testing.F) {
	f.Add("推进一网通办改革<script>alert(1)</script>", "一网通办")
	f.Add("a&amp;b \"q\" 'x' </mark><mark>", "mark")
	f.Add("一网\n通办", "一网通办")
	f.Add("\xff\xfe一网通办", "通")
	f.Fuzz(func(t *testing.T, text, q string) {
		out, _ := MarkText(text, HighlightTerms(q))
		s := string(out)
		stripped := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
		if strings.ContainsAny(stripped, "<>\"'") {
			t.Fatalf("unescaped markup outside <mark> tags: %q", s)
		}
		if strings.Count(s, "<mark>") != strings.Count(s, "</mark>") {
			t.Fatalf("unbalanced marks: %q", s)
		}
		if html.UnescapeString(stripped) != text {
			t.Fatalf("text changed: %q → %q", text, html.UnescapeString(stripped))
		}
	})
}
