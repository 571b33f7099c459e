package analyzer

//go:generate go run ./internal/gentradsimp -o tradsimp_table.go

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// FoldRune maps one rune to its normalised form: full-width forms to
// half-width, every dash to '-' and every tilde to '~' (see foldDash), upper
// case to lower case, traditional characters to simplified. It always
// returns exactly one rune, so folding never changes the number of
// characters: n-gram positions in the index and character positions in the
// query stay aligned (a doubled dash —— folds to two dashes, --).
func FoldRune(r rune) rune {
	return foldTradSimp(foldLower(foldDash(foldWidth(r))))
}

// The runes foldDash maps to '-' and to '~', besides those two themselves.
// foldInverse tries them and Version hashes them, so adding one here changes
// the version of every index.
var (
	dashRunes = []rune{
		0x2010, // ‐ hyphen
		0x2011, // ‑ non-breaking hyphen
		0x2012, // ‒ figure dash
		0x2013, // – en dash
		0x2014, // — em dash
		0x2015, // ― horizontal bar
		0x2212, // − minus sign
		0xFE58, // ﹘ small em dash
		0xFE63, // ﹣ small hyphen-minus
		0xFF0D, // － full-width hyphen-minus
	}
	tildeRunes = []rune{
		0x223C, // ∼ tilde operator
		0x301C, // 〜 wave dash
		0xFF5E, // ～ full-width tilde
	}
)

// foldDash maps the dash family (dashRunes) to the ASCII hyphen-minus '-'
// and the tilde family (tildeRunes) to the ASCII tilde '~': year ranges are
// written 2021—2025, 2021–2025, 2021－2025 or 2025～2027, and typed
// 2021-2025 or 2025~2027. Any other rune is returned unchanged.
func foldDash(r rune) rune {
	switch {
	case r < 0x2010 || r > 0xFF5E:
		return r
	case r <= 0x2015 || r == 0x2212 || r == 0xFE58 || r == 0xFE63 || r == 0xFF0D:
		return '-'
	case r == 0x223C || r == 0x301C || r == 0xFF5E:
		return '~'
	}
	return r
}

// foldLower maps r to lower case. ASCII and the caseless CJK blocks
// (U+2E80–U+A63F: radicals, kana, the unified ideographs, Yi) skip the
// case tables.
func foldLower(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r >= 0x2E80 && r < 0xA640:
		return r
	}
	return unicode.ToLower(r)
}

// Most traditional characters of the generated table lie in CJK Extension A
// and the Unified Ideographs block (dense table); the rest take a map lookup.
const (
	denseLo = 0x3400
	denseHi = 0xA000
)

// tradDense[r-denseLo] is the simplified form of r, or 0 when r has none. It
// spares the hot path a map lookup for every Chinese character.
var tradDense = func() []rune {
	d := make([]rune, denseHi-denseLo)
	for t, s := range tradToSimp {
		if t >= denseLo && t < denseHi {
			d[t-denseLo] = s
		}
	}
	return d
}()

// foldTradSimp maps a traditional character to its simplified form (OpenCC
// TSCharacters, first candidate) and returns any other rune unchanged.
func foldTradSimp(r rune) rune {
	switch {
	case r < denseLo:
		return r
	case r < denseHi:
		if s := tradDense[r-denseLo]; s != 0 {
			return s
		}
		return r
	default:
		if s, ok := tradToSimp[r]; ok {
			return s
		}
	}
	return r
}

// foldWidth maps the full-width ASCII variants (U+FF01–U+FF5E) and the
// ideographic space to their half-width forms.
func foldWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// Normalize returns s as the index matches it: every rune folded with
// FoldRune and all white space removed (a PDF line break must not hide a
// phrase). Invalid UTF-8 bytes become U+FFFD. Punctuation is kept.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if isSpace(r) {
			continue
		}
		b.WriteRune(FoldRune(r))
	}
	return b.String()
}

// foldInverse maps each rune that FoldRune produces from other runes to
// those runes. FoldRune changes a rune only through its width table
// (U+FF01–U+FF5E, U+3000), the dash and tilde lists, a case mapping (ASCII,
// unicode.CaseRanges) or the traditional→simplified table, so those runes
// are all it has to try.
var foldInverse = sync.OnceValue(func() map[rune][]rune {
	inv := map[rune][]rune{}
	try := func(r rune) {
		if f := FoldRune(r); f != r {
			inv[f] = append(inv[f], r)
		}
	}
	for r := rune(0); r < utf8.RuneSelf; r++ {
		try(r)
	}
	for r := rune(0xFF01); r <= 0xFF5E; r++ {
		try(r)
	}
	try(0x3000)
	for _, r := range dashRunes {
		try(r)
	}
	for _, r := range tildeRunes {
		try(r)
	}
	for _, cr := range unicode.CaseRanges {
		for r := rune(cr.Lo); r <= rune(cr.Hi); r++ {
			if r >= utf8.RuneSelf {
				try(r)
			}
		}
	}
	for t := range tradToSimp {
		try(t)
	}
	for f, rs := range inv {
		slices.Sort(rs)
		inv[f] = slices.Compact(rs)
	}
	return inv
})

// FoldPreimage returns every rune that FoldRune maps to f: the forms a
// normalised character can have in original text (its traditional,
// full-width or upper-case forms, for '-' every dash and for '~' every
// tilde, and itself if FoldRune keeps it).
func FoldPreimage(f rune) []rune {
	out := slices.Clone(foldInverse()[f])
	if FoldRune(f) == f {
		out = append(out, f)
	}
	return out
}

// IsSpace reports whether r is white space, which Normalize drops.
func IsSpace(r rune) bool { return isSpace(r) }

// NormalizedText is a normalised string that remembers, for each of its
// runes, the byte span of the rune in the original text. It lets a match
// found in normalised text be marked in the original.
type NormalizedText struct {
	Runes []rune // normalised runes, white space removed
	Start []int  // Start[i] is the byte offset of Runes[i] in the original
	End   []int  // End[i] is the byte offset just past Runes[i] in the original
}

// NewNormalizedText normalises text and records the source span of each rune.
func NewNormalizedText(text string) NormalizedText {
	var n NormalizedText
	n.Set(text)
	return n
}

// Set makes n the normalised form of text, reusing n's storage: a caller
// that normalises many texts in turn (every hit of a search) allocates only
// for the longest.
func (n *NormalizedText) Set(text string) {
	if c := len(text)/3 + 1; cap(n.Runes) < c {
		n.Runes, n.Start, n.End = make([]rune, 0, c), make([]int, 0, c), make([]int, 0, c)
	}
	n.Runes, n.Start, n.End = n.Runes[:0], n.Start[:0], n.End[:0]
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isSpace(r) {
			n.Runes = append(n.Runes, FoldRune(r))
			n.Start = append(n.Start, i)
			n.End = append(n.End, i+size)
		}
		i += size
	}
}
