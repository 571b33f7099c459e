package index

import (
	"context"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode"

	"govsearch/analyzer"
)

// policyTerms are phrases researchers search for, in the forms they type.
var policyTerms = []string{
	"一网通办", "放管服", "五违四必", "“两旧一村”", "两旧一村", "PM2.5", "pm2.5", "ＰＭ２．５",
	"12345热线", "12345", "5G", "营商环境", "民政", "区长", "人民政府", "长三角一体化",
	"一网统管", "城市更新", "旧区改造", "乡村振兴", "碳达峰", "新型基础设施", "改革开放",
	"经济", "的", "。", "%", "GDP", "“十四五”", "十四五", "供给侧结构性改革", "國務院",
	"政府工作报告", "静安区区长", "黄浦区", "上海", "2020年", "同比增长", "亿元",
}

// TestExactMatching checks precision and recall of term matching: for each
// query the hits are exactly the paragraphs whose normalised text contains
// the normalised query.
func TestExactMatching(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		samples    int
	}{{"testdata/reports", seedDir, 400}, {"shared/corpus/national", nationalDir, 200}} {
		t.Run(tc.name, func(t *testing.T) {
			c := openCorpus(t, tc.path)
			queries := append([]string(nil), policyTerms...)
			queries = append(queries, sampleSubstrings(c, tc.samples, 1)...)
			for _, q := range queries {
				want := c.expected([][]string{{q}}, nil)
				res, err := c.ix.Search(context.Background(), Request{Query: quote(q), Facets: []string{}})
				if err != nil {
					t.Fatalf("search %q: %v", q, err)
				}
				if res.Total != len(want) {
					t.Errorf("query %q: total %d, want %d", q, res.Total, len(want))
				}
				got, rows := exportIDs(t, c.ix, Request{Query: quote(q)})
				if !slices.Equal(got, want) {
					t.Errorf("query %q: export: %s", q, diffIDs(got, want))
				}
				wantRows := 0
				for _, id := range want {
					wantRows += strings.Count(analyzer.Normalize(c.byID[id].Text), analyzer.Normalize(q))
				}
				if len(rows) != wantRows {
					t.Errorf("query %q: %d export rows, want %d occurrences", q, len(rows), wantRows)
				}
			}
		})
	}
}

// TestExactPaging checks that paging with search_after returns every hit
// exactly once, in score order.
func TestExactPaging(t *testing.T) {
	c := openCorpus(t, seedDir)
	for _, q := range []string{"发展", "的", "一网通办", "经济 -社会"} {
		t.Run(q, func(t *testing.T) {
			pq, _ := ParseQuery(q)
			var groups [][]string
			for _, g := range pq.Groups {
				var alts []string
				for _, term := range g {
					alts = append(alts, term.Text)
				}
				groups = append(groups, alts)
			}
			var excl []string
			for _, x := range pq.Exclude {
				excl = append(excl, x.Text)
			}
			want := c.expected(groups, excl)
			for _, sort := range []string{SortRelevance, SortYearAsc, SortYearDesc} {
				t.Run(sort, func(t *testing.T) {
					hits := searchAll(t, c.ix, Request{Query: q, Sort: sort})
					var got []string
					for i, h := range hits {
						got = append(got, h.ID)
						if i > 0 && sort == SortRelevance && h.Score > hits[i-1].Score {
							t.Errorf("%q: hit %d scores %v above hit %d's %v", q, i, h.Score, i-1, hits[i-1].Score)
						}
						if i > 0 && sort == SortYearAsc && h.Year < hits[i-1].Year {
							t.Errorf("%q: year order broken at hit %d", q, i)
						}
						if i > 0 && sort == SortYearDesc && h.Year > hits[i-1].Year {
							t.Errorf("%q: year order broken at hit %d", q, i)
						}
					}
					slices.Sort(got)
					if !slices.Equal(got, want) {
						t.Errorf("%q sorted by %s: %s", q, sort, diffIDs(got, want))
					}
				})
			}
		})
	}
}

// TestExactBooleanQueries checks AND, OR and exclusion against the
// paragraphs themselves.
func TestExactBooleanQueries(t *testing.T) {
	c := openCorpus(t, seedDir)
	cases := []struct {
		q       string
		groups  [][]string
		exclude []string
	}{
		{"发展 经济", [][]string{{"发展"}, {"经济"}}, nil},
		{"一网通办 OR 放管服", [][]string{{"一网通办", "放管服"}}, nil},
		{"改革 -开放", [][]string{{"改革"}}, []string{"开放"}},
		{"民生 OR 就业 -教育 服务", [][]string{{"民生", "就业"}, {"服务"}}, []string{"教育"}},
		{`"PM 2.5"`, [][]string{{"PM2.5"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			want := c.expected(tc.groups, tc.exclude)
			got, _ := exportIDs(t, c.ix, Request{Query: tc.q})
			if !slices.Equal(got, want) {
				t.Errorf("%q: %s", tc.q, diffIDs(got, want))
			}
			res, err := c.ix.Search(context.Background(), Request{Query: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != len(want) {
				t.Errorf("%q: total %d, want %d", tc.q, res.Total, len(want))
			}
		})
	}
}

// sampleSubstrings draws n substrings of 1 to 6 characters from the
// paragraphs of c (white space removed), with a fixed seed, plus the Latin
// and digit runs of the corpus.
func sampleSubstrings(c *corpus, n int, seed int64) []string {
	rng := rand.New(rand.NewSource(seed))
	var out []string
	for len(out) < n {
		r := c.records[rng.Intn(len(c.records))]
		runes := []rune(strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, r.Text))
		if len(runes) == 0 {
			continue
		}
		l := 1 + rng.Intn(6)
		if l > len(runes) {
			l = len(runes)
		}
		start := rng.Intn(len(runes) - l + 1)
		s := string(runes[start : start+l])
		if s == `"` || strings.TrimSpace(s) == "" {
			continue
		}
		out = append(out, s)
	}
	// Mixed Latin and number tokens as they occur.
	seen := map[string]bool{}
	for _, r := range c.records {
		for _, f := range strings.FieldsFunc(r.Text, func(r rune) bool {
			return !(r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '%'))
		}) {
			if len(f) >= 2 && !seen[f] && len(seen) < 60 {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}
