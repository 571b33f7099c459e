package index

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"govsearch/analyzer"
)

// The brute force below decides NEAR and SENT and counts occurrences from
// the definitions alone, on each paragraph's normalised text, with none of
// the shortcuts of near.go (it tries every pair of occurrences).

// bruteFind returns the occurrences of term in text, left to right without
// overlap, as [start, end) rune offsets.
func bruteFind(text, term []rune) [][2]int {
	var out [][2]int
	for i := 0; i+len(term) <= len(text); i++ {
		if slices.Equal(text[i:i+len(term)], term) {
			out = append(out, [2]int{i, i + len(term)})
			i += len(term) - 1
		}
	}
	return out
}

// brutePairs returns the occurrences of a and of b that belong to a pair:
// not overlapping, and at most n characters apart (sentence: no 。!?;
// between them).
func brutePairs(text, a, b []rune, n int, sentence bool) [][2]int {
	as, bs := bruteFind(text, a), bruteFind(text, b)
	inA, inB := make([]bool, len(as)), make([]bool, len(bs))
	for i, x := range as {
		for j, y := range bs {
			first, second := x, y
			if y[0] < x[0] {
				first, second = y, x
			}
			if second[0] < first[1] {
				continue // overlapping
			}
			gap := text[first[1]:second[0]]
			ok := len(gap) <= n
			if sentence {
				ok = !strings.ContainsAny(string(gap), "。!?;")
			}
			if ok {
				inA[i], inB[j] = true, true
			}
		}
	}
	var out [][2]int
	for i, x := range as {
		if inA[i] {
			out = append(out, x)
		}
	}
	for j, y := range bs {
		if inB[j] {
			out = append(out, y)
		}
	}
	return out
}

// bruteScan returns the occurrences of plain terms as highlighting counts
// them: at each position the longest term that occurs there, the scan
// resuming after it.
func bruteScan(text []rune, terms [][]rune) [][2]int {
	var out [][2]int
	for i := 0; i < len(text); {
		best := 0
		for _, t := range terms {
			if len(t) > best && i+len(t) <= len(text) && slices.Equal(text[i:i+len(t)], t) {
				best = len(t)
			}
		}
		if best > 0 {
			out = append(out, [2]int{i, i + best})
			i += best
			continue
		}
		i++
	}
	return out
}

// bruteKeep sorts spans by start (the longer first) and keeps each that
// does not overlap one kept before it.
func bruteKeep(spans [][2]int) [][2]int {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i][0] != spans[j][0] {
			return spans[i][0] < spans[j][0]
		}
		return spans[i][1] > spans[j][1]
	})
	var out [][2]int
	for _, s := range spans {
		if len(out) == 0 || s[0] >= out[len(out)-1][1] {
			out = append(out, s)
		}
	}
	return out
}

// bruteHolds evaluates a query tree on normalised text.
func bruteHolds(n Node, text []rune) bool {
	switch n := n.(type) {
	case *Term:
		return strings.Contains(string(text), n.Norm)
	case *Phrase:
		return strings.Contains(string(text), n.Norm)
	case *And:
		for _, x := range n.Nodes {
			if !bruteHolds(x, text) {
				return false
			}
		}
		return true
	case *Or:
		for _, x := range n.Nodes {
			if bruteHolds(x, text) {
				return true
			}
		}
		return false
	case *Not:
		return !bruteHolds(n.Node, text)
	case *Near:
		a, _ := leaf(n.A)
		b, _ := leaf(n.B)
		return len(brutePairs(text, []rune(a.Norm), []rune(b.Norm), n.N, n.Sentence)) > 0
	}
	return true // filters: the tests use none
}

// bruteCount counts the occurrences of a matching paragraph: every
// occurrence of the plain terms (bruteScan), the paired occurrences of each
// NEAR and SENT, overlaps dropped (bruteKeep).
func bruteCount(q *Query, text []rune) int {
	var plain [][]rune
	for _, t := range plainTerms(q.Root) {
		plain = append(plain, []rune(t))
	}
	spans := bruteScan(text, plain)
	for _, n := range positiveNears(q.Root) {
		a, _ := leaf(n.A)
		b, _ := leaf(n.B)
		spans = append(spans, brutePairs(text, []rune(a.Norm), []rune(b.Norm), n.N, n.Sentence)...)
	}
	return len(bruteKeep(spans))
}

// proximityQueries draws NEAR and SENT queries from the paragraphs of c
// with a fixed seed: two pieces of one paragraph at most 40 characters
// apart, so that many pairs match and many just miss, with a distance
// around theirs; some joined with a plain term, an exclusion or an OR.
func proximityQueries(c *corpus, n int, seed int64) []string {
	rng := rand.New(rand.NewSource(seed))
	piece := func(text []rune, at int) string {
		l := 1 + rng.Intn(4)
		if at < 0 {
			at = 0
		}
		if at+l > len(text) {
			at = max(0, len(text)-l)
			l = min(l, len(text))
		}
		return string(text[at : at+l])
	}
	var out []string
	for len(out) < n {
		text := []rune(analyzer.Normalize(c.records[rng.Intn(len(c.records))].Text))
		if len(text) < 8 {
			continue
		}
		at := rng.Intn(len(text))
		a := piece(text, at)
		b := piece(text, at+len([]rune(a))+rng.Intn(41)-8)
		var op string
		switch k := rng.Intn(10); {
		case k < 3:
			op = "SENT"
		case k < 4:
			op = "NEAR"
		default:
			op = fmt.Sprintf("NEAR/%d", []int{0, 1, 2, 3, 5, 8, 13, 20, 40}[rng.Intn(9)])
		}
		q := quote(a) + " " + op + " " + quote(b)
		switch rng.Intn(8) {
		case 0:
			q += " " + quote(piece(text, rng.Intn(len(text))))
		case 1:
			q += " -" + quote(piece(text, rng.Intn(len(text))))
		case 2:
			q += " OR " + quote(piece(text, rng.Intn(len(text))))
		}
		out = append(out, q)
	}
	return out
}

// proximityFixed are NEAR and SENT queries of made-up interest: a term near
// itself, operands that overlap as strings, sentence marks in full width,
// a distance of 0.
var proximityFixed = []string{
	"一网通办 NEAR 改革", "营商环境 SENT 企业", "发展 NEAR/0 经济", "改革 NEAR/3 改革", "改革 SENT 改革",
	"一网通 NEAR/5 通办", "一网 NEAR/0 网通办", "经济 SENT 社会", "。 NEAR/2 我们", "！ SENT ？", "; SENT 发展",
	"人民 NEAR/1 政府 OR 民政 SENT 工作", "城市 NEAR 更新 -旧区", "PM2.5 NEAR/20 治理", "的 NEAR/0 的",
}

// TestProximityBruteForce checks NEAR and SENT against the brute force on
// every paragraph: the hit set (search total, export, trend) and the
// occurrences (export rows, trend sums, each hit's count).
func TestProximityBruteForce(t *testing.T) {
	onCorpora(t, 150, 40, 40, func(t *testing.T, c *corpus, samples int) {
		texts := map[string][]rune{}
		for _, r := range c.records {
			texts[r.ID] = []rune(analyzer.Normalize(r.Text))
		}
		for _, q := range append(slices.Clone(proximityFixed), proximityQueries(c, samples, 13)...) {
			checkAgainstBruteForce(t, c, texts, q)
		}
	})
}

func checkAgainstBruteForce(t *testing.T, c *corpus, texts map[string][]rune, q string) {
	t.Helper()
	pq, err := ParseQuery(q)
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	var want []string
	wantOcc := map[string]int{}
	total := 0
	for _, r := range c.records {
		text := texts[r.ID]
		if bruteHolds(pq.Root, text) {
			want = append(want, r.ID)
			wantOcc[r.ID] = bruteCount(pq, text)
			total += wantOcc[r.ID]
		}
	}
	sort.Strings(want)
	ctx := context.Background()
	res, err := c.ix.Search(ctx, Request{Query: q, Size: MaxSize, Facets: []string{}})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	if res.Total != len(want) {
		t.Errorf("%q: total %d, brute force %d", q, res.Total, len(want))
	}
	for _, h := range res.Hits {
		if h.Occurrences != wantOcc[h.ID] {
			t.Errorf("%q: hit %s counts %d occurrences, brute force %d", q, h.ID, h.Occurrences, wantOcc[h.ID])
		}
	}
	got, rows := exportIDs(t, c.ix, Request{Query: q})
	if !slices.Equal(got, want) {
		t.Errorf("%q: export: %s", q, diffIDs(got, want))
	}
	if len(rows) != total {
		t.Errorf("%q: %d export rows, brute force %d occurrences", q, len(rows), total)
	}
	tr, err := c.ix.Trend(ctx, Request{Query: q})
	if err != nil {
		t.Fatalf("trend %q: %v", q, err)
	}
	paras, occ := 0, 0
	for _, cell := range tr.Cells {
		paras += cell.Paragraphs
		occ += cell.Occurrences
	}
	if paras != len(want) || occ != total {
		t.Errorf("%q: trend sums %d paragraphs, %d occurrences; brute force %d, %d", q, paras, occ, len(want), total)
	}
}
