package index

import (
	"context"
	"testing"
)

// TestOneCharacterTerms checks one-character terms where the bigram field
// has the least to offer: a character that occurs only as a text's last
// character, a one-character paragraph, folded forms, and a character
// whose only bigram neighbour is across white space.
func TestOneCharacterTerms(t *testing.T) {
	ix := newScratchIndex(t)
	mustAdd(t, ix, testReport("oc", "测试区", 2022,
		"末尾是鑫",   // 鑫 only as the last character
		"犇",      // a one-character paragraph
		"Ｑ 字母",   // full-width Q, folded to q
		"甲 \n 乙", // 甲 and 乙 separated by white space
		"龍",      // traditional, folded to 龙
	))
	ctx := context.Background()
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"鑫", []string{"oc-1"}},
		{"犇", []string{"oc-2"}},
		{"q", []string{"oc-3"}},
		{"Ｑ", []string{"oc-3"}},
		{"母", []string{"oc-3"}},
		{"甲", []string{"oc-4"}},
		{"乙", []string{"oc-4"}},
		{"甲乙", []string{"oc-4"}},
		{"龙", []string{"oc-5"}},
		{"龍", []string{"oc-5"}},
		{"尾是鑫", []string{"oc-1"}},
		{"鑫末", nil},
		{"犇 -鑫", []string{"oc-2"}},
		{"鑫 OR 犇", []string{"oc-1", "oc-2"}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			res, err := ix.Search(ctx, Request{Query: tc.q, Size: 100, Facets: []string{}})
			if err != nil {
				t.Fatalf("%q: %v", tc.q, err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if res.Total != len(tc.want) || len(got) != len(tc.want) {
				t.Errorf("%q: total %d, hits %v, want %v", tc.q, res.Total, got, tc.want)
			} else if d := diffIDs(got, tc.want); d != "0 unexpected [], 0 missing []" {
				t.Errorf("%q: %s", tc.q, d)
			}
		})
	}
}
