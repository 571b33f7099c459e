package analyzer

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// widthFilter maps full-width ASCII variants (U+FF01–U+FF5E) to ASCII and
// the ideographic space to a space, in each token's term.
type widthFilter struct{}

// Filter implements analysis.TokenFilter.
func (widthFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	return mapTerms(input, foldWidth)
}

// dashFilter maps every dash (hyphens, en and em dashes, the minus sign and
// their small and full-width forms) to '-' and every tilde (the tilde
// operator, the wave dash, the full-width tilde) to '~', in each token's
// term; — is three bytes and - one, so the term shrinks while Start and End
// keep pointing at the original bytes.
type dashFilter struct{}

// Filter implements analysis.TokenFilter.
func (dashFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	return mapTerms(input, foldDash)
}

// lowerFilter lower-cases each token's term.
type lowerFilter struct{}

// Filter implements analysis.TokenFilter.
func (lowerFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	return mapTerms(input, foldLower)
}

// tradSimpFilter maps traditional characters in each token's term to
// simplified ones (OpenCC's TSCharacters table, first candidate).
type tradSimpFilter struct{}

// Filter implements analysis.TokenFilter.
func (tradSimpFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	return mapTerms(input, foldTradSimp)
}

// FoldFilter replaces each token's term with its FoldRune mapping, rune by
// rune: widthFilter, dashFilter, lowerFilter and tradSimpFilter in one pass. Start and
// End are left alone, so highlights stay on the original text.
type FoldFilter struct{}

// Filter implements analysis.TokenFilter.
func (FoldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	return mapTerms(input, FoldRune)
}

// mapTerms applies f to every rune of every term. Terms are rewritten in
// place (tokenizers hand out terms they own); a term whose mapping needs
// more bytes than the original gets a new slice. Invalid bytes are kept.
func mapTerms(input analysis.TokenStream, f func(rune) rune) analysis.TokenStream {
	for _, t := range input {
		t.Term = mapTerm(t.Term, f)
	}
	return input
}

func mapTerm(term []byte, f func(rune) rune) []byte {
	w := 0
	for i := 0; i < len(term); {
		c := term[i]
		if c < utf8.RuneSelf {
			m := f(rune(c))
			if m < utf8.RuneSelf {
				term[w] = byte(m)
				w++
				i++
				continue
			}
		}
		r, size := utf8.DecodeRune(term[i:])
		m := f(r)
		switch {
		case m == r:
			copy(term[w:], term[i:i+size])
			w += size
		case utf8.RuneLen(m) <= size:
			w += utf8.EncodeRune(term[w:], m)
		default:
			// The mapping grows the term: continue in a new slice.
			out := make([]byte, w, len(term)+utf8.UTFMax)
			copy(out, term[:w])
			out = utf8.AppendRune(out, m)
			return appendMapped(out, term[i+size:], f)
		}
		i += size
	}
	return term[:w]
}

func appendMapped(out, src []byte, f func(rune) rune) []byte {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if m := f(r); m != r {
			out = utf8.AppendRune(out, m)
		} else {
			out = append(out, src[i:i+size]...)
		}
		i += size
	}
	return out
}

func init() {
	for name, f := range map[string]analysis.TokenFilter{
		foldFilterName:     FoldFilter{},
		widthFilterName:    widthFilter{},
		dashFilterName:     dashFilter{},
		lowerFilterName:    lowerFilter{},
		tradSimpFilterName: tradSimpFilter{},
	} {
		mustRegister("token filter", name, registry.RegisterTokenFilter(name, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return f, nil
		}))
	}
}
