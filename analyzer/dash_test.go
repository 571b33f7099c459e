package analyzer

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// TestNormalizeDashesAndTildes: every dash folds to '-', every tilde to '~',
// one rune out per rune in. The texts are made up.
func TestNormalizeDashesAndTildes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2021—2025年", "2021-2025年"}, // em dash
		{"2021–2025年", "2021-2025年"}, // en dash
		{"2021-2025年", "2021-2025年"}, // hyphen-minus stays
		{"２０２１－２０２５年", "2021-2025年"}, // full-width digits and hyphen-minus
		{"2021‐2025", "2021-2025"},   // U+2010 hyphen
		{"2021‑2025", "2021-2025"},   // U+2011 non-breaking hyphen
		{"2021‒2025", "2021-2025"},   // U+2012 figure dash
		{"2021―2025", "2021-2025"},   // U+2015 horizontal bar
		{"气温−3℃", "气温-3℃"},           // U+2212 minus sign
		{"甲﹘乙﹣丙", "甲-乙-丙"},           // small em dash, small hyphen-minus
		{"2025～2027", "2025~2027"},   // full-width tilde
		{"2025〜2027", "2025~2027"},   // wave dash
		{"2025∼2027", "2025~2027"},   // tilde operator
		{"2025~2027", "2025~2027"},   // ASCII tilde stays
		{"总则——第一条", "总则--第一条"},       // a doubled dash is two dashes
		{"——", "--"},
		{"Ａ—Ｂ 级", "a-b级"},
		{"“一网通办”—便民", "“一网通办”-便民"}, // quotation marks are not dashes
		{"⸺〰_·…", "⸺〰_·…"},         // two-em dash, wavy dash and other punctuation are not folded
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q; want %q", tt.in, got, tt.want)
			}
			if n := NewNormalizedText(tt.in); string(n.Runes) != got {
				t.Errorf("NewNormalizedText(%q).Runes = %q; Normalize gives %q", tt.in, string(n.Runes), got)
			}
		})
	}
}

// TestFoldDashIsTheLists checks every code point: foldDash changes exactly
// the runes of dashRunes and tildeRunes, and FoldPreimage of '-' and '~' is
// exactly those runes plus '-' and '~' (no other rune folds to either).
func TestFoldDashIsTheLists(t *testing.T) {
	want := map[rune]rune{}
	for _, r := range dashRunes {
		want[r] = '-'
	}
	for _, r := range tildeRunes {
		want[r] = '~'
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if 0xD800 <= r && r <= 0xDFFF {
			continue
		}
		w, listed := want[r]
		if !listed {
			w = r
		}
		if got := foldDash(r); got != w {
			t.Fatalf("foldDash(%U) = %U; want %U", r, got, w)
		}
	}
	for f, list := range map[rune][]rune{'-': dashRunes, '~': tildeRunes} {
		exp := append([]rune{f}, list...)
		slices.Sort(exp)
		got := FoldPreimage(f)
		slices.Sort(got)
		if !slices.Equal(got, exp) {
			t.Errorf("FoldPreimage(%q) = %q; want %q", f, string(got), string(exp))
		}
	}
}

// TestDashVariantsAnalyzeAlike analyzes made-up sentences written with
// each dash or tilde: both analyzers give the same terms at the same
// positions, and every token's Start and End still cut the original text at
// the characters the term came from.
func TestDashVariantsAnalyzeAlike(t *testing.T) {
	sentences := []struct {
		pattern  string // "@" stands for the variant
		variants []string
	}{
		{"实施2021@2025年乡村振兴规划，完成年度目标。", []string{"-", "—", "–", "－", "‐", "―", "−", "﹣", "﹘"}},
		{"制定2025@2027年行动方案", []string{"~", "～", "〜", "∼"}},
		{"第一部分@@总体要求", []string{"-", "—", "–"}},
		{"区@街道@居民区三级联动", []string{"-", "—", "－"}}, // 区-街道-居民区 is a lexicon term
	}
	WaitReady()
	for _, s := range sentences {
		t.Run(s.pattern, func(t *testing.T) {
			var wantWords, wantGrams string
			for i, v := range s.variants {
				text := strings.ReplaceAll(s.pattern, "@", v)
				words := Tokens(text)
				for _, tk := range words {
					if tk.Text != text[tk.Start:tk.End] || Normalize(tk.Text) != tk.Term {
						t.Errorf("%q: word token %q@%d-%d does not fold from its source %q", text, tk.Term, tk.Start, tk.End, text[tk.Start:tk.End])
					}
				}
				grams := ngramAnalyzer.Analyze([]byte(text))
				checkNgramStream(t, []byte(text), grams)
				for _, tk := range grams {
					if Normalize(text[tk.Start:tk.End]) != string(tk.Term) {
						t.Errorf("%q: n-gram %q@%d-%d does not fold from its source %q", text, tk.Term, tk.Start, tk.End, text[tk.Start:tk.End])
					}
				}
				gotWords, gotGrams := termsAndPositions(words), gramTerms(grams)
				if i == 0 {
					wantWords, wantGrams = gotWords, gotGrams
					continue
				}
				if gotWords != wantWords {
					t.Errorf("%q: words %s; with %q: %s", text, gotWords, s.variants[0], wantWords)
				}
				if gotGrams != wantGrams {
					t.Errorf("%q: n-grams %s; with %q: %s", text, gotGrams, s.variants[0], wantGrams)
				}
			}
		})
	}
	// The lexicon term written with em dashes comes out whole.
	if toks := Tokens("区—街道—居民区三级联动"); len(toks) == 0 || toks[0].Term != "区-街道-居民区" || toks[0].Text != "区—街道—居民区" {
		t.Errorf("区—街道—居民区 is cut as %s", show(toks))
	}
}

func termsAndPositions(tokens []Token) string {
	parts := make([]string, len(tokens))
	for i, tk := range tokens {
		parts[i] = fmt.Sprintf("%s#%d", tk.Term, tk.Position)
	}
	return strings.Join(parts, " ")
}

func gramTerms(stream analysis.TokenStream) string {
	parts := make([]string, len(stream))
	for i, tk := range stream {
		parts[i] = fmt.Sprintf("%s#%d", tk.Term, tk.Position)
	}
	return strings.Join(parts, " ")
}

func TestDashFilterRegistered(t *testing.T) {
	f, err := registry.NewCache().TokenFilterNamed(dashFilterName)
	if err != nil {
		t.Fatal(err)
	}
	ts := f.Filter(analysis.TokenStream{{Term: []byte("2021—2025～"), Start: 7, End: 22}})
	if string(ts[0].Term) != "2021-2025~" || ts[0].Start != 7 || ts[0].End != 22 {
		t.Fatalf("registered dash filter gave %q@%d-%d", ts[0].Term, ts[0].Start, ts[0].End)
	}
}
