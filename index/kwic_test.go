package index

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// TestKWICParams: the concordance's sort and width parameters.
func TestKWICParams(t *testing.T) {
	for _, tc := range []struct {
		name, sort string
		want       string
		bad        bool
	}{
		{"empty is position", "", KWICByPosition, false},
		{"left", "left", KWICByLeft, false},
		{"right with space", " right ", KWICByRight, false},
		{"unknown", "middle", "", true},
		{"case matters", "Left", "", true},
	} {
		t.Run("sort "+tc.name, func(t *testing.T) {
			got, err := KWICSortParam(tc.sort)
			if got != tc.want || (err != nil) != tc.bad {
				t.Errorf("KWICSortParam(%q) = %q, %v", tc.sort, got, err)
			}
		})
	}
	for _, tc := range []struct {
		name, width string
		want        int
		bad         bool
	}{
		{"empty is the default", "", DefaultKWICWidth, false},
		{"one", "1", 1, false},
		{"the limit", "200", MaxKWICWidth, false},
		{"zero", "0", 0, true},
		{"over the limit", "201", 0, true},
		{"not a number", "ten", 0, true},
	} {
		t.Run("width "+tc.name, func(t *testing.T) {
			got, err := KWICWidthParam(tc.width)
			if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
				t.Errorf("KWICWidthParam(%q) = %d, %v", tc.width, got, err)
			}
		})
	}
}

// TestReportSortParam: the orders of a report list.
func TestReportSortParam(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{"", "-year", false}, {"year", "year", false}, {"-chars", "-chars", false}, {"region", "region", false},
		{"size", "", true}, {"--year", "", true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ReportSortParam(tc.in)
			if got != tc.want || (err != nil) != tc.bad {
				t.Errorf("ReportSortParam(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
}

// TestSortKWIC: a made-up concordance sorted as concordancers sort it:
// by the left context from the character next to the match outward, or
// by the right context onward; a context that ends first comes first.
func TestSortKWIC(t *testing.T) {
	rows := []KWICRow{
		{ID: "a", Left: "甲乙", Match: "X", Right: "丁"},
		{ID: "b", Left: "丙乙", Match: "X", Right: "丙丁"},
		{ID: "c", Left: "乙", Match: "X", Right: "丙"},
		{ID: "d", Left: "丙甲", Match: "X", Right: "丙"},
	}
	for _, tc := range []struct {
		order string
		want  []string
	}{
		// Read outward: 乙 < 乙丙 < 乙甲 < 甲丙 (丙 U+4E19 < 甲 U+7532).
		{KWICByLeft, []string{"c", "b", "a", "d"}},
		// 丁 (U+4E01) < 丙 = 丙 (the left context decides: 乙 < 甲丙) < 丙丁.
		{KWICByRight, []string{"a", "c", "d", "b"}},
	} {
		t.Run(tc.order, func(t *testing.T) {
			got := slices.Clone(rows)
			sortKWIC(got, tc.order)
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("order %v, want %v", ids, tc.want)
			}
		})
	}
}

// FuzzSortKWIC: whatever the contexts, a sorted concordance holds the same
// rows and each row's context does not come before the previous row's.
func FuzzSortKWIC(f *testing.F) {
	f.Add("甲乙", "丙", "乙", "丙丁", "", "x")
	f.Add("a", "b", "ab", "ba", "é", "e\u0301")
	f.Fuzz(func(t *testing.T, l1, r1, l2, r2, l3, r3 string) {
		for _, s := range []string{l1, r1, l2, r2, l3, r3} {
			if !utf8.ValidString(s) {
				t.Skip()
			}
		}
		rows := []KWICRow{{ID: "1", Left: l1, Right: r1}, {ID: "2", Left: l2, Right: r2}, {ID: "3", Left: l3, Right: r3}}
		for _, order := range []string{KWICByLeft, KWICByRight} {
			got := slices.Clone(rows)
			sortKWIC(got, order)
			seen := map[string]bool{}
			for i, r := range got {
				seen[r.ID] = true
				if i > 0 && contextAfter(got[i-1], r, order) {
					t.Errorf("sort=%s: %q|%q before %q|%q", order, got[i-1].Left, got[i-1].Right, r.Left, r.Right)
				}
			}
			if len(seen) != len(rows) {
				t.Errorf("sort=%s lost rows: %v", order, got)
			}
		}
	})
}
