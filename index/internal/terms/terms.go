// Package terms makes the terms of the index's bigram and words fields
// from text. It depends on the index layout, not on language, and lives
// apart so that the segment format's tests (index/compact) index the
// corpora exactly as the index does.
package terms

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"govsearch/analyzer"
)

// EndMark is the second half of the bigram that follows a text's last
// character. It is not valid UTF-8, so no normalised query ever contains
// it: it takes part in no phrase, yet it makes every character of a text
// the first half of some bigram, and a one-character term is a prefix
// query over the bigram field.
const EndMark = "\xff"

// Bigrams makes the terms of the ngram and head fields: the normalised
// character bigrams of the project's n-gram tokenizer, at their positions,
// and one end bigram (last character + EndMark) after the last. Offsets
// are zero: matching needs positions only, highlighting works on the
// stored text, and zero offsets make the location stored with each bigram
// smaller.
type Bigrams struct{}

// Analyze implements analysis.Analyzer.
func (Bigrams) Analyze(input []byte) analysis.TokenStream {
	ts := analyzer.FoldFilter{}.Filter(analyzer.NgramTokenizer{Only: 2}.Tokenize(input))
	var last []byte
	pos := 1
	if n := len(ts); n > 0 {
		t := ts[n-1]
		_, size := utf8.DecodeRune(t.Term)
		last, pos = t.Term[size:], t.Position+1
	} else {
		// No bigram: at most one character.
		uni := analyzer.FoldFilter{}.Filter(analyzer.NgramTokenizer{Only: 1}.Tokenize(input))
		if len(uni) == 0 {
			return nil
		}
		last = uni[0].Term
	}
	for _, t := range ts {
		t.Start, t.End = 0, 0
	}
	end := make([]byte, 0, len(last)+len(EndMark))
	end = append(append(end, last...), EndMark...)
	return append(ts, &analysis.Token{Term: end, Position: pos, Type: analysis.Ideographic})
}

// Words makes the terms of the words field from the word analyzer's
// tokens: every word twice, and every beginning of two or more characters
// of a longer word once.
type Words struct{ Words analysis.Analyzer }

// Analyze implements analysis.Analyzer.
func (w Words) Analyze(input []byte) analysis.TokenStream {
	words := w.Words.Analyze(input)
	out := make(analysis.TokenStream, 0, 2*len(words)+len(words)/2)
	for _, t := range words {
		n := 0
		for i := range string(t.Term) {
			if n >= 2 {
				out = append(out, &analysis.Token{Term: t.Term[:i], Position: t.Position, Type: t.Type})
			}
			n++
		}
		out = append(out, t, &analysis.Token{Term: t.Term, Position: t.Position, Type: t.Type})
	}
	return out
}
