package index

import (
	"context"
	"errors"
	"strings"
	"testing"

	"govsearch/analyzer"
)

// FuzzSearch runs arbitrary query strings against the seed index: a search
// either fails with a *QueryError or returns hits that all satisfy the
// query (every group matched, no excluded term, the whole tree — NEAR and
// SENT included — holds on the text, as the brute force decides) with the
// brute force's occurrence count and well-formed highlights.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"一网通办", "发展 -经济", "a OR b", `"PM 2.5"`, "region:静安区 民生", "year:2018..2020 改革", "的 OR 了", "“", "-发展",
		"改革 NEAR 发展", "发展 NEAR/0 经济 OR 民生", "企业 SENT 服务 -区", "的 SENT 的", "。 NEAR/3 我们"} {
		f.Add(s)
	}
	c := openCorpus(f, seedDir)
	f.Fuzz(func(t *testing.T, q string) {
		res, err := c.ix.Search(context.Background(), Request{Query: q, Highlight: true, Size: 20})
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("Search(%q): %v is not a *QueryError", q, err)
			}
			return
		}
		pq, err := ParseQuery(q)
		if err != nil {
			t.Fatalf("Search accepted %q but ParseQuery does not: %v", q, err)
		}
		for _, h := range res.Hits {
			text := analyzer.Normalize(h.Text)
			for _, g := range pq.Groups {
				ok := false
				for _, term := range g {
					ok = ok || strings.Contains(text, term.Norm)
				}
				if !ok {
					t.Fatalf("%q: hit %s lacks %v", q, h.ID, g)
				}
			}
			for _, x := range pq.Exclude {
				if strings.Contains(text, x.Norm) {
					t.Fatalf("%q: hit %s contains excluded %q", q, h.ID, x.Norm)
				}
			}
			if !bruteHolds(pq.Root, []rune(text)) {
				t.Fatalf("%q: hit %s does not meet the query", q, h.ID)
			}
			if want := bruteCount(pq, []rune(text)); h.Occurrences != want {
				t.Fatalf("%q: hit %s counts %d occurrences, the brute force %d", q, h.ID, h.Occurrences, want)
			}
			for _, frag := range h.Highlights {
				checkFragment(t, frag, h.Text, pq.Terms())
			}
		}
	})
}
