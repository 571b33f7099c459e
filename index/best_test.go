package index

import (
	"context"
	"errors"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"govsearch/analyzer"
	"govsearch/internal/knownitem"
)

// naturalQueries are questions as API clients send them.
var naturalQueries = []string{
	"上海如何推进一网通办改革", "长三角一体化示范区建设进展", "优化营商环境的具体措施",
	"静安区城市更新和旧区改造", "如何治理PM2.5大气污染", "12345热线的办理情况", "乡村振兴战略 人才",
}

// bestWords returns the words of a best-match query and how many a
// paragraph must contain, as Search compiles them.
func bestWords(t testing.TB, q string) ([]string, int) {
	t.Helper()
	req := Request{Query: q, Match: MatchBest}
	p, err := compile(&req)
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	if p.best == nil {
		return nil, 0
	}
	return p.best.words, p.best.min
}

// TestBestMatchHitSet checks the share rule against the paragraphs: a
// best-match query's hits (total, every page, facets) are exactly the
// paragraphs whose normalised text contains at least the required number
// of its words, and each hit counts the occurrences of the query's terms
// and words as highlighting does.
func TestBestMatchHitSet(t *testing.T) {
	c := openCorpus(t, seedDir)
	paras := make([]knownitem.Paragraph, len(c.records))
	for i, r := range c.records {
		paras[i] = knownitem.Paragraph{ID: r.ID, Kind: r.Kind, Text: r.Text}
	}
	queries := slices.Clone(naturalQueries)
	for _, q := range knownitem.Generate(paras, knownitem.Config{Seed: 7, N: 40}) {
		queries = append(queries, q.Text)
	}
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			words, min := bestWords(t, q)
			if len(words) == 0 || min < 1 || min > len(words) {
				t.Fatalf("words %q, min %d", words, min)
			}
			pq, _ := ParseQuery(q)
			var marked [][]rune
			for _, s := range append(pq.Terms(), words...) {
				marked = append(marked, []rune(s))
			}
			var want []string
			occ := map[string]int{}
			for _, r := range c.records {
				text := analyzer.Normalize(r.Text)
				n := 0
				for _, w := range words {
					if strings.Contains(text, w) {
						n++
					}
				}
				if n >= min {
					want = append(want, r.ID)
					occ[r.ID] = len(bruteScan([]rune(text), marked))
				}
			}
			sort.Strings(want)
			hits := searchAll(t, c.ix, Request{Query: q, Match: MatchBest})
			var got []string
			for _, h := range hits {
				got = append(got, h.ID)
				if h.Occurrences != occ[h.ID] {
					t.Errorf("hit %s counts %d occurrences, want %d", h.ID, h.Occurrences, occ[h.ID])
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("words %q, at least %d: %s", words, min, diffIDs(got, want))
			}
			res, err := c.ix.Search(context.Background(), Request{Query: q, Match: MatchBest})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != len(want) {
				t.Errorf("total %d, want %d", res.Total, len(want))
			}
			sum := 0
			for _, v := range res.Facets[FacetLevel] {
				sum += v.Count
			}
			if sum != len(want) {
				t.Errorf("level facet sums to %d, want %d", sum, len(want))
			}
		})
	}
}

// TestBestMatchVerbatimFirst checks the guarantee of the first tier: under
// MatchBest, every paragraph that contains the query text verbatim (every
// term of it) ranks above every paragraph that does not, whatever the
// scores, on every page.
func TestBestMatchVerbatimFirst(t *testing.T) {
	onCorpora(t, 60, 25, 25, func(t *testing.T, c *corpus, samples int) {
		for _, q := range append(slices.Clone(naturalQueries), verbatimQueries(c, samples, 5)...) {
			checkVerbatimFirst(t, c, q)
		}
	})
}

// verbatimQueries draws queries that occur in the corpus: one or two
// pieces of 3 to 12 characters of a paragraph, each a term.
func verbatimQueries(c *corpus, n int, seed int64) []string {
	rng := rand.New(rand.NewSource(seed))
	var out []string
	for len(out) < n {
		text := []rune(analyzer.Normalize(c.records[rng.Intn(len(c.records))].Text))
		var terms []string
		for k := 1 + rng.Intn(2); len(terms) < k; {
			l := 3 + rng.Intn(10)
			if len(text) < l {
				break
			}
			at := rng.Intn(len(text) - l + 1)
			s := string(text[at : at+l])
			if !bare(s) {
				break
			}
			terms = append(terms, s)
		}
		if len(terms) > 0 {
			out = append(out, strings.Join(terms, " "))
		}
	}
	return out
}

func checkVerbatimFirst(t *testing.T, c *corpus, q string) {
	t.Helper()
	pq, err := ParseQuery(q)
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	verbatim := map[string]bool{}
	var groups [][]string
	for _, g := range pq.Groups {
		groups = append(groups, norms(g))
	}
	for _, id := range c.expected(groups, nil) {
		verbatim[id] = true
	}
	req := Request{Query: q, Match: MatchBest, Size: MaxSize, Facets: []string{}}
	seen := 0
	for {
		res, err := c.ix.Search(context.Background(), req)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		for _, h := range res.Hits {
			first := seen < len(verbatim)
			if verbatim[h.ID] != first {
				t.Fatalf("%q: hit %d (%s, score %g) contains the query: %v; %d paragraphs do, so it should be %v",
					q, seen+1, h.ID, h.Score, verbatim[h.ID], len(verbatim), first)
			}
			if tier := h.Sort[0]; (tier == "1") != verbatim[h.ID] {
				t.Fatalf("%q: hit %s has tier %s", q, h.ID, tier)
			}
			seen++
		}
		if len(res.Hits) < req.Size || seen > len(verbatim) {
			if seen < len(verbatim) {
				t.Fatalf("%q: %d hits, but %d paragraphs contain the query", q, seen, len(verbatim))
			}
			return
		}
		req.SearchAfter = res.Hits[len(res.Hits)-1].Sort
	}
}

// TestBestMatchCountingRefused checks that trend and export, which count
// exact matches, refuse best-match with an error naming the parameter.
func TestBestMatchCountingRefused(t *testing.T) {
	c := openCorpus(t, seedDir)
	ctx := context.Background()
	for name, call := range map[string]func(Request) error{
		"trend":  func(r Request) error { _, err := c.ix.Trend(ctx, r); return err },
		"export": func(r Request) error { return c.ix.Export(ctx, r, func(ExportRow) error { return nil }) },
	} {
		t.Run(name, func(t *testing.T) {
			err := call(Request{Query: "一网通办", Match: MatchBest})
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Param != "match" || !strings.Contains(ve.Message, "count exact matches") {
				t.Errorf("%s with match=best: %v, want a ValidationError on match", name, err)
			}
			if err := call(Request{Query: "一网通办", Match: "bset"}); !errors.As(err, &ve) || ve.Param != "match" {
				t.Errorf("%s with match=bset: %v, want a ValidationError on match", name, err)
			}
			if err := call(Request{Query: "一网通办", Match: MatchAll}); err != nil {
				t.Errorf("%s with match=all: %v", name, err)
			}
		})
	}
}

// TestBestMatchRules checks which parts of a query best-match cuts into
// words, and the share rule, on made-up queries.
func TestBestMatchRules(t *testing.T) {
	analyzer.WaitReady()
	for _, tt := range []struct {
		q     string
		words string // the counted words, space-separated
		min   int
		must  int // exact clauses besides the best-match one
	}{
		{"一网通办", "一网通办", 1, 0},
		{"推进一网通办改革", "推进 一网通办 改革", 1, 0},
		{"上海如何推进一网通办改革", "上海 如何 推进 一网通办 改革", 2, 0},
		{"优化营商环境的具体措施", "优化 营商环境 具体措施", 1, 0},
		{"优化营商环境 具体措施 的", "优化 营商环境 具体措施", 1, 0},
		{`"一网通办" 推进改革`, "推进改革", 1, 1},
		{"推进改革 -上海 region:静安区", "推进改革", 1, 0},
		{"一网通办 OR 一网统管 推进 改革", "推进 改革", 1, 1},
		{"一网通办 NEAR 改革 营商环境", "营商环境", 1, 1},
		{"的", "的", 1, 0},
		{"，。", ",。", 1, 0},
	} {
		t.Run(tt.q, func(t *testing.T) {
			req := Request{Query: tt.q, Match: MatchBest}
			p, err := compile(&req)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(p.best.words, " "); got != tt.words || p.best.min != tt.min {
				t.Errorf("words %q at least %d, want %q at least %d", got, p.best.min, tt.words, tt.min)
			}
			if got := len(p.must) - 1; got != tt.must {
				t.Errorf("%d exact clauses, want %d", got, tt.must)
			}
		})
	}
	for n, want := range map[int]int{1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 3, 7: 3, 8: 4, 32: 16} {
		if got := shareHalf(n); got != want {
			t.Errorf("shareHalf(%d) = %d, want %d", n, got, want)
		}
	}
	many := "经济，社会，文化，教育，科技，卫生，体育，农业，工业，交通，能源，环境，金融，财政，税收，就业，住房，养老，" +
		"医疗，安全，城市，乡村，区域，开放，改革，创新，人才，法治，民生，生态，旅游，消费，投资，贸易，制造，数字"
	_, err := compile(&Request{Query: many, Match: MatchBest})
	var qe *QueryError
	if !errors.As(err, &qe) || !strings.Contains(qe.Message, "best-match takes at most 32") {
		t.Errorf("a query of 36 distinct words: %v, want an error naming the limit of %d", err, MaxBestWords)
	}
}
