package analyzer

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Registered names. They are stored in every index mapping, so they must never
// change meaning: a new behaviour gets a new name or a new Version.
const (
	ngramTokenizerName = "govsearch_ngram"
	ngramAnalyzerName  = "govsearch_ngram"
	foldFilterName     = "govsearch_fold"
)

// NgramTokenizer emits, for every non-space character, a unigram and (when a
// next non-space character exists) a bigram with that next character. White
// space is skipped, so a bigram may span a line break. Position i+1 belongs
// to the i-th non-space character; its unigram and bigram share it. A string
// of n ≥ 2 characters therefore occurs in a text exactly when its n-1 bigrams
// occur at consecutive positions — a phrase query answers substring search
// without false positives or misses.
//
// Only restricts the output to one kind, for an index that stores unigrams
// and bigrams in separate fields: 1 emits only unigrams, 2 only bigrams, 0
// (the registered tokenizer) both. Positions do not change.
type NgramTokenizer struct {
	Only int
}

// Tokenize implements analysis.Tokenizer. Terms are the original characters;
// the fold filter normalises them. All terms share one backing array and all
// tokens one block, so the tokenizer allocates three times per call whatever
// the input length.
func (t NgramTokenizer) Tokenize(input []byte) analysis.TokenStream {
	// Count the non-space characters first to size everything exactly.
	chars, bytesIn := 0, 0
	for i := 0; i < len(input); {
		r, size := utf8.DecodeRune(input[i:])
		if !isSpace(r) {
			chars++
			bytesIn += size
		}
		i += size
	}
	if chars == 0 {
		return nil
	}
	uni, bi := t.Only != 2, t.Only != 1
	n, arenaSize := 0, 0
	if uni {
		n, arenaSize = chars, bytesIn
	}
	if bi {
		n, arenaSize = n+chars-1, arenaSize+2*bytesIn
	}
	tokens := make([]analysis.Token, 0, n)
	arena := make([]byte, 0, arenaSize)
	prevStart, prevEnd := -1, -1
	pos := 0
	for i := 0; i < len(input); {
		r, size := utf8.DecodeRune(input[i:])
		if isSpace(r) {
			i += size
			continue
		}
		pos++
		if bi && prevStart >= 0 {
			// Bigram: previous character + this one, minus any white space between.
			a := len(arena)
			arena = append(arena, input[prevStart:prevEnd]...)
			arena = append(arena, input[i:i+size]...)
			tokens = append(tokens, analysis.Token{
				Term: arena[a:len(arena):len(arena)], Start: prevStart, End: i + size, Position: pos - 1, Type: analysis.Ideographic,
			})
		}
		if uni {
			a := len(arena)
			arena = append(arena, input[i:i+size]...)
			tokens = append(tokens, analysis.Token{
				Term: arena[a:len(arena):len(arena)], Start: i, End: i + size, Position: pos, Type: analysis.Single,
			})
		}
		prevStart, prevEnd = i, i+size
		i += size
	}
	stream := make(analysis.TokenStream, len(tokens))
	for i := range tokens {
		stream[i] = &tokens[i]
	}
	return stream
}

func init() {
	mustRegister("tokenizer", ngramTokenizerName, registry.RegisterTokenizer(ngramTokenizerName, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return NgramTokenizer{}, nil
	}))
	mustRegister("analyzer", ngramAnalyzerName, registry.RegisterAnalyzer(ngramAnalyzerName, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return &analysis.DefaultAnalyzer{Tokenizer: NgramTokenizer{}, TokenFilters: []analysis.TokenFilter{FoldFilter{}}}, nil
	}))
}
