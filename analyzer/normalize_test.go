package analyzer

import (
	"fmt"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

func TestFoldRune(t *testing.T) {
	tests := map[rune]rune{
		'經': '经', '濟': '济', '會': '会', '議': '议', '網': '网', '辦': '办', '國': '国',
		'Ｐ': 'p', 'Ｍ': 'm', '２': '2', '．': '.', '％': '%', '＋': '+', '　': ' ',
		'A': 'a', 'z': 'z', '经': '经', '，': ',', '“': '“', '〇': '〇',
	}
	for in, want := range tests {
		t.Run(string(in), func(t *testing.T) {
			if got := FoldRune(in); got != want {
				t.Errorf("FoldRune(%q) = %q; want %q", in, got, want)
			}
		})
	}
}

func TestTradSimpTableCoverage(t *testing.T) {
	if len(tradToSimp) < 3000 {
		t.Fatalf("tradToSimp has %d entries; the OpenCC table has about 4000", len(tradToSimp))
	}
	for _, p := range [][2]string{{"經濟", "经济"}, {"會議", "会议"}, {"一網通辦", "一网通办"}, {"１９５５年", "1955年"}} {
		t.Run(p[0], func(t *testing.T) {
			if got := Normalize(p[0]); got != p[1] {
				t.Errorf("Normalize(%q) = %q; want %q", p[0], got, p[1])
			}
		})
	}
}

// TestFoldRuneOneToOne checks every Unicode code point: the fold must be a
// function from one rune to one valid rune, and the four filters composed
// must equal the fold filter.
func TestFoldRuneOneToOne(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if isSpace(r) != unicode.IsSpace(r) {
			t.Fatalf("isSpace(%U) = %v; unicode.IsSpace says %v", r, isSpace(r), unicode.IsSpace(r))
		}
		f := FoldRune(r)
		if !utf8.ValidRune(f) {
			t.Fatalf("FoldRune(%U) = %U, not a valid rune", r, f)
		}
		if c := foldTradSimp(unicode.ToLower(foldDash(foldWidth(r)))); c != f {
			t.Fatalf("composed filters give %U for %U; FoldRune gives %U", c, r, f)
		}
		if FoldRune(f) != f {
			t.Fatalf("FoldRune is not idempotent at %U → %U → %U", r, f, FoldRune(f))
		}
	}
}

func TestFiltersComposeToFold(t *testing.T) {
	texts := []string{"ＰＭ２．５與經濟ＡＢＣ", "İstanbulȺ𠉂㒓", "invalid\xff\xfe經", "一網通辦", "",
		"２０２１—２０２５年", "Ａ－Ｂ∼Ｃ〜Ｄ～", "——\xff–"}
	for _, text := range texts {
		t.Run(fmt.Sprintf("%q", text), func(t *testing.T) {
			one := analysis.TokenStream{{Term: []byte(text)}}
			four := analysis.TokenStream{{Term: []byte(text)}}
			FoldFilter{}.Filter(one)
			tradSimpFilter{}.Filter(lowerFilter{}.Filter(dashFilter{}.Filter(widthFilter{}.Filter(four))))
			if string(one[0].Term) != string(four[0].Term) {
				t.Errorf("fold %q, four filters %q", one[0].Term, four[0].Term)
			}
			if utf8.ValidString(text) && string(one[0].Term) != Normalize(text) {
				t.Errorf("fold filter %q, Normalize %q", one[0].Term, Normalize(text))
			}
		})
	}
}

func TestMapTermGrows(t *testing.T) {
	// U+023A folds to U+2C65: two bytes become three, so the term must move.
	buf := []byte("aȺb|neighbour")
	term := buf[:4:4]
	got := mapTerm(term, FoldRune)
	if string(got) != "aⱥb" {
		t.Fatalf("mapTerm = %q", got)
	}
	if string(buf[4:]) != "|neighbour" {
		t.Fatalf("mapTerm overwrote the bytes after the term: %q", buf)
	}
}

func TestNormalizedTextSpans(t *testing.T) {
	text := "一網 通\n辦ＰＭ"
	n := NewNormalizedText(text)
	if string(n.Runes) != "一网通办pm" {
		t.Fatalf("Runes = %q", string(n.Runes))
	}
	for i := range n.Runes {
		src := text[n.Start[i]:n.End[i]]
		if Normalize(src) != string(n.Runes[i]) {
			t.Errorf("rune %d %q has source %q", i, n.Runes[i], src)
		}
	}
}

// TestFoldPreimage checks FoldPreimage against FoldRune over every rune:
// each rune is in the preimage of its fold, and each preimage folds back.
func TestFoldPreimage(t *testing.T) {
	pre := map[rune]map[rune]bool{}
	get := func(f rune) map[rune]bool {
		if pre[f] == nil {
			pre[f] = map[rune]bool{}
			for _, r := range FoldPreimage(f) {
				if FoldRune(r) != f {
					t.Fatalf("FoldPreimage(%U) holds %U, which folds to %U", f, r, FoldRune(r))
				}
				pre[f][r] = true
			}
		}
		return pre[f]
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if 0xD800 <= r && r <= 0xDFFF {
			continue
		}
		if f := FoldRune(r); f != r && !get(f)[r] {
			t.Fatalf("%U folds to %U but is missing from FoldPreimage(%U)", r, f, f)
		}
	}
	for _, tc := range []struct {
		f    rune
		want string
	}{{'发', "发發髮"}, {'a', "AaＡａ"}, {'5', "5５"}, {'-', "-‐‑‒–—―−﹘﹣－"}, {'~', "~∼〜～"}} {
		t.Run(string(tc.f), func(t *testing.T) {
			got := map[rune]bool{}
			for _, r := range FoldPreimage(tc.f) {
				got[r] = true
			}
			for _, r := range tc.want {
				if !got[r] {
					t.Errorf("FoldPreimage(%q) lacks %q", tc.f, r)
				}
			}
		})
	}
}
