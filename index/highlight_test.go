package index

import (
	"context"
	"html"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"govsearch/analyzer"
)

var (
	markRE = regexp.MustCompile(`<mark>(.*?)</mark>`)
	tagRE  = regexp.MustCompile(`<[^>]*>`)
)

// checkFragment verifies the highlight invariants of one fragment of text
// for the normalised terms: only <mark> tags, each holding one whole
// occurrence of a term, and the fragment without marks and entities is a
// piece of the paragraph.
func checkFragment(t *testing.T, frag, text string, terms []string) {
	t.Helper()
	for _, tag := range tagRE.FindAllString(frag, -1) {
		if tag != "<mark>" && tag != "</mark>" {
			t.Errorf("fragment has tag %q: %s", tag, frag)
		}
	}
	for _, m := range markRE.FindAllStringSubmatch(frag, -1) {
		inner := analyzer.Normalize(html.UnescapeString(m[1]))
		if !slices.Contains(terms, inner) {
			t.Errorf("<mark>%s</mark> is not one whole occurrence of %q", m[1], terms)
		}
	}
	plain := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(frag))
	if !strings.Contains(text, plain) {
		t.Errorf("fragment %q is not a piece of the paragraph", plain)
	}
	if strings.Contains(strings.NewReplacer("<mark>", "", "</mark>", "", "&lt;", "", "&gt;", "", "&amp;", "", "&#34;", "", "&#39;", "").Replace(frag), "<") {
		t.Errorf("fragment has an unescaped <: %s", frag)
	}
}

func TestFragments(t *testing.T) {
	tests := []struct {
		text  string
		terms []string
		want  []string
	}{
		{"推进一网通办改革", []string{"一网通办"}, []string{"推进<mark>一网通办</mark>改革"}},
		{"推进一网\n通办改革", []string{"一网通办"}, []string{"推进<mark>一网\n通办</mark>改革"}},
		{"<script>alert(\"一网通办\")</script> & 'x'", []string{"一网通办"},
			[]string{"&lt;script&gt;alert(&#34;<mark>一网通办</mark>&#34;)&lt;/script&gt; &amp; &#39;x&#39;"}},
		{"ＰＭ２．５下降，PM2.5", []string{"pm2.5"}, []string{"<mark>ＰＭ２．５</mark>下降，<mark>PM2.5</mark>"}},
		{"哈哈哈哈哈", []string{"哈哈"}, []string{"<mark>哈哈</mark><mark>哈哈</mark>哈"}},
		{"一网通办", []string{"一网", "网通", "一网通办"}, []string{"<mark>一网通办</mark>"}},
		{"没有匹配", nil, []string{"没有匹配"}},
		{"", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			spans := newMatcher(tt.terms).find(tt.text)
			got := fragments(tt.text, spans, fragmentLength, maxFragments)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("fragments(%q, %q) = %q, want %q", tt.text, tt.terms, got, tt.want)
			}
		})
	}
}

func TestFragmentWindows(t *testing.T) {
	long := strings.Repeat("甲", 300) + "目标" + strings.Repeat("乙", 300) + "目标" + strings.Repeat("丙", 50) + "目标" + strings.Repeat("丁", 300)
	spans := newMatcher([]string{"目标"}).find(long)
	frags := fragments(long, spans, fragmentLength, maxFragments)
	if len(frags) != 2 {
		t.Fatalf("got %d fragments, want 2 (the last two occurrences share one): %q", len(frags), frags)
	}
	for _, f := range frags {
		checkFragment(t, f, long, []string{"目标"})
		plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(f)
		if n := len([]rune(plain)); n < fragmentLength-2 || n > fragmentLength {
			t.Errorf("fragment of %d characters, want about %d: %s", n, fragmentLength, f)
		}
	}
	if strings.Count(frags[1], "<mark>") != 2 {
		t.Errorf("second fragment should hold both nearby occurrences: %s", frags[1])
	}
	// Many occurrences: at most maxFragments fragments, never a cut mark.
	many := strings.Repeat("目标"+strings.Repeat("字", 200), 20)
	frags = fragments(many, newMatcher([]string{"目标"}).find(many), fragmentLength, maxFragments)
	if len(frags) != maxFragments {
		t.Errorf("got %d fragments, want %d", len(frags), maxFragments)
	}
	for _, f := range frags {
		checkFragment(t, f, many, []string{"目标"})
	}
	// An occurrence longer than a fragment is kept whole.
	big := strings.Repeat("长", 200)
	frags = fragments("前"+big+"后", newMatcher([]string{big}).find("前"+big+"后"), fragmentLength, maxFragments)
	if len(frags) != 1 || !strings.Contains(frags[0], "<mark>"+big+"</mark>") {
		t.Errorf("long occurrence cut: %q", frags)
	}
}

// TestHighlightInvariants checks every fragment of the seed hits of many
// queries.
func TestHighlightInvariants(t *testing.T) {
	c := openCorpus(t, seedDir)
	queries := append(append([]string(nil), policyTerms...), sampleSubstrings(c, 100, 7)...)
	queries = append(queries, "一网通办 OR 放管服", "经济 发展", "“")
	for _, q := range queries {
		req := Request{Query: quote(q), Highlight: true, Size: MaxSize, Facets: []string{}}
		if strings.Contains(q, " ") {
			req.Query = q
		}
		res, err := c.ix.Search(context.Background(), req)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		pq, _ := ParseQuery(req.Query)
		for _, h := range res.Hits {
			if len(h.Highlights) == 0 {
				t.Errorf("%q: hit %s has no highlight", q, h.ID)
			}
			marks := 0
			for _, f := range h.Highlights {
				checkFragment(t, f, h.Text, pq.Terms())
				marks += strings.Count(f, "<mark>")
			}
			if marks == 0 || marks > h.Occurrences {
				t.Errorf("%q: hit %s has %d marks for %d occurrences", q, h.ID, marks, h.Occurrences)
			}
			want := 0
			if len(pq.Terms()) == 1 {
				want = strings.Count(analyzer.Normalize(h.Text), pq.Terms()[0])
				if h.Occurrences != want {
					t.Errorf("%q: hit %s counts %d occurrences, want %d", q, h.ID, h.Occurrences, want)
				}
			}
		}
	}
}

// TestHostileDocuments indexes paragraphs full of markup and checks that
// they are found and come back escaped.
func TestHostileDocuments(t *testing.T) {
	ix := newScratchIndex(t)
	texts := []string{
		`<script>alert('一网通办')</script>`,
		`"><img src=x onerror=alert(1)> 一网通办 &amp; &lt;b&gt;`,
		`一网通办 "quoted" 'single' <b>bold</b> &copy; &#x3C;`,
	}
	mustAdd(t, ix, testReport("hostile", "静安区", 2021, texts...))
	res, err := ix.Search(context.Background(), Request{Query: "一网通办", Highlight: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != len(texts) {
		t.Fatalf("found %d of %d hostile paragraphs", res.Total, len(texts))
	}
	for _, h := range res.Hits {
		for _, f := range h.Highlights {
			checkFragment(t, f, h.Text, []string{"一网通办"})
		}
	}
	for _, q := range []string{"<script>", `"><img`, "&amp;", "<b>bold</b>"} {
		t.Run(q, func(t *testing.T) {
			res, err := ix.Search(context.Background(), Request{Query: quote(q), Highlight: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 1 {
				t.Errorf("%q: %d hits, want 1", q, res.Total)
			}
			for _, h := range res.Hits {
				for _, f := range h.Highlights {
					checkFragment(t, f, h.Text, []string{analyzer.Normalize(q)})
				}
			}
		})
	}
}

func TestKWIC(t *testing.T) {
	text := "一二三四五目标六七八九十"
	ri := newRuneIndex(text)
	sp := newMatcher([]string{"目标"}).find(text)[0]
	l, m, r := kwic(ri, sp, 3)
	if l != "三四五" || m != "目标" || r != "六七八" {
		t.Errorf("kwic = %q %q %q", l, m, r)
	}
	l, m, r = kwic(ri, sp, 30)
	if l != "一二三四五" || m != "目标" || r != "六七八九十" {
		t.Errorf("kwic at the edges = %q %q %q", l, m, r)
	}
}

// TestFindInEqualsScan checks that finding a term with the text's folds
// (a byte search where the text writes the term only one way) gives the
// occurrences the scan from every possible first rune gives: on made-up
// texts with other forms and white space, and on every paragraph of the
// corpora with terms cut from the paragraphs themselves.
func TestFindInEqualsScan(t *testing.T) {
	same := func(t *testing.T, text, term string) {
		t.Helper()
		m := newMatcher([]string{analyzer.Normalize(term)})
		want := m.findUpTo(text, 0)
		if got := m.findIn(text, 0, foldsOf(text)); !slices.Equal(got, want) {
			t.Fatalf("%q in %q: findIn %v, scan %v", term, text, got, want)
		}
		if got, want := m.findIn(text, 1, foldsOf(text)), m.findUpTo(text, 1); !slices.Equal(got, want) {
			t.Fatalf("%q in %q, first only: findIn %v, scan %v", term, text, got, want)
		}
	}
	for _, c := range []struct{ text, term string }{
		{"推动经济发展，发展经济。", "发展"},
		{"發展经济和发展", "发展"},
		{"发\n展经济", "发展"},
		{"发展发展发展", "发展发展"},
		{"PM2.5和ＰＭ２．５", "pm2.5"},
		{"pm2.5浓度", "pm2.5"},
		{"一网通办，“一网通办”", "一网通办"},
		{"无关的文字", "发展"},
		{"bad \xff\xfe byte", "\ufffd"},
		{"", "发展"},
	} {
		t.Run(c.text+"/"+c.term, func(t *testing.T) { same(t, c.text, c.term) })
	}
	for _, dir := range []string{seedDir, nationalDir, provincesDir} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			recs := openCorpus(t, dir).records
			for i, r := range recs {
				// A term cut from this paragraph, searched in the next.
				runes := []rune(r.Text)
				if len(runes) < 6 {
					continue
				}
				from := i % (len(runes) - 4)
				term := string(runes[from : from+2+i%3])
				same(t, r.Text, term)
				same(t, recs[(i+1)%len(recs)].Text, term)
			}
		})
	}
}
