package analyzer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FoldRune maps one rune to its normalised form: full-width forms to
// half-width, upper case to lower case, traditional characters to simplified.
// It always returns exactly one rune, so folding never changes the number of
// characters: n-gram positions in the index and character positions in the
// query stay aligned.
func FoldRune(r rune) rune {
	r = foldWidth(r)
	r = unicode.ToLower(r)
	if s, ok := tradToSimp[r]; ok {
		r = s
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
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(FoldRune(r))
	}
	return b.String()
}

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
	n := NormalizedText{
		Runes: make([]rune, 0, len(text)/3+1),
		Start: make([]int, 0, len(text)/3+1),
		End:   make([]int, 0, len(text)/3+1),
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			n.Runes = append(n.Runes, FoldRune(r))
			n.Start = append(n.Start, i)
			n.End = append(n.End, i+size)
		}
		i += size
	}
	return n
}
