package terms

import (
	"fmt"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

// spell writes a token stream as "term@position" words, the end mark as $.
func spell(ts analysis.TokenStream) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s@%d", strings.ReplaceAll(string(t.Term), EndMark, "$"), t.Position)
		if t.Start != 0 || t.End != 0 {
			fmt.Fprintf(&b, ":%d-%d", t.Start, t.End)
		}
	}
	return b.String()
}

func TestBigrams(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"民", "民$@1"},
		{"民生", "民生@1 生$@2"},
		{"放管服", "放管@1 管服@2 服$@3"},
		{"ＰＭ2.5", "pm@1 m2@2 2.@3 .5@4 5$@5"},
		{"國務院", "国务@1 务院@2 院$@3"},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := spell(Bigrams{}.Analyze([]byte(c.in))); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

type fixed []string

func (f fixed) Analyze([]byte) analysis.TokenStream {
	var ts analysis.TokenStream
	for i, w := range f {
		ts = append(ts, &analysis.Token{Term: []byte(w), Position: i + 1})
	}
	return ts
}

func TestWords(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  string
	}{
		{nil, ""},
		{[]string{"的"}, "的@1 的@1"},
		{[]string{"民政"}, "民政@1 民政@1"},
		{[]string{"民政局", "的"}, "民政@1 民政局@1 民政局@1 的@2 的@2"},
		{[]string{"一网通办"}, "一网@1 一网通@1 一网通办@1 一网通办@1"},
		{[]string{"民政局", "的", "pm2.5"}, "民政@1 民政局@1 民政局@1 的@2 的@2 pm@3 pm2@3 pm2.@3 pm2.5@3 pm2.5@3"},
	} {
		t.Run(strings.Join(c.words, "/"), func(t *testing.T) {
			if got := spell(Words{Words: fixed(c.words)}.Analyze(nil)); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
