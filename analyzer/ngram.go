package analyzer

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Registered names. They are stored in every index mapping, so they must never
// change meaning: a new behaviour gets a new name or a new Version.
const (
	NgramTokenizerName = "govsearch_ngram"
	NgramAnalyzerName  = "govsearch_ngram"
	FoldFilterName     = "govsearch_fold"
)

// NgramTokenizer emits, for every non-space character, a unigram and (when a
// next non-space character exists) a bigram with that next character. White
// space is skipped, so a bigram may span a line break. Position i+1 belongs
// to the i-th non-space character; its unigram and bigram share it. A string
// of n ≥ 2 characters therefore occurs in a text exactly when its n-1 bigrams
// occur at consecutive positions — a phrase query answers substring search
// without false positives or misses.
type NgramTokenizer struct{}

// Tokenize implements analysis.Tokenizer. Terms are the original characters;
// the fold filter normalises them.
func (NgramTokenizer) Tokenize(input []byte) analysis.TokenStream {
	stream := make(analysis.TokenStream, 0, len(input)/2)
	prevStart, prevEnd := -1, -1
	pos := 0
	for i := 0; i < len(input); {
		r, size := utf8.DecodeRune(input[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		pos++
		if prevStart >= 0 {
			// Bigram: previous character + this one, minus any white space between.
			term := make([]byte, 0, (prevEnd-prevStart)+size)
			term = append(term, input[prevStart:prevEnd]...)
			term = append(term, input[i:i+size]...)
			stream = append(stream, &analysis.Token{
				Term: term, Start: prevStart, End: i + size, Position: pos - 1, Type: analysis.Ideographic,
			})
		}
		stream = append(stream, &analysis.Token{
			Term: append([]byte(nil), input[i:i+size]...), Start: i, End: i + size, Position: pos, Type: analysis.Single,
		})
		prevStart, prevEnd = i, i+size
		i += size
	}
	return stream
}

// FoldFilter replaces each token's term with its FoldRune mapping, rune by
// rune. Start and End are left alone, so highlights stay on the original text.
type FoldFilter struct{}

// Filter implements analysis.TokenFilter.
func (FoldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		t.Term = foldBytes(t.Term)
	}
	return input
}

func foldBytes(term []byte) []byte {
	out := term[:0:0]
	for i := 0; i < len(term); {
		r, size := utf8.DecodeRune(term[i:])
		out = utf8.AppendRune(out, FoldRune(r))
		i += size
	}
	return out
}

func init() {
	registry.RegisterTokenizer(NgramTokenizerName, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return NgramTokenizer{}, nil
	})
	registry.RegisterTokenFilter(FoldFilterName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return FoldFilter{}, nil
	})
	registry.RegisterAnalyzer(NgramAnalyzerName, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return &analysis.DefaultAnalyzer{Tokenizer: NgramTokenizer{}, TokenFilters: []analysis.TokenFilter{FoldFilter{}}}, nil
	})
}
