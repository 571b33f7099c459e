package index

import (
	"fmt"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"

	"govsearch/analyzer"
)

// Best-match retrieval (Request.Match == MatchBest) answers natural-language
// queries such as 上海如何推进一网通办改革, which no paragraph contains
// verbatim. The unquoted terms that stand alone in the query are cut into
// words by the word analyzer (policy lexicon included); a paragraph matches
// when it contains, each as an exact substring, at least the share of those
// words that bestTuning.share gives. Quoted phrases, OR groups, NEAR and SENT
// pairs, exclusions and filters keep their exact meaning.
//
// Ranking: paragraphs that contain every such term verbatim (the whole
// query text, for a query of one term) come first — a tier of the
// collector's order, not a boost, so no score can overtake it — then by
// score: for each word BM25 over the words field (a whole word above a word
// beginning, nothing for a word buried inside another), the exact bigram
// clause and the heading field, summed and multiplied by the share of words
// found (bleve's coordination factor), plus an exact clause for every two
// words adjacent in the query that are adjacent in the paragraph. The
// share rule and the weights were chosen with the relevance benchmark
// (docs/relevance.md).

// weights are the boosts of a term's ranking clauses.
type weights struct {
	exact, word, head float64
}

// bestTuning is the share rule and the weights of best-match retrieval.
type bestTuning struct {
	// share returns how many of n distinct words a paragraph must contain.
	share func(n int) int
	// dropSingle leaves one-character words (的, 和, 在) out of the words
	// counted, unless no other word is left.
	dropSingle bool
	// scoreSingle adds, for each one-character word left out, its
	// whole-word clause on the words field as an optional clause: it
	// ranks without counting toward the share.
	scoreSingle bool
	weights     weights
	// pair weights the exact clause of two words adjacent in the query.
	pair float64
	// bigrams weights the clause of the query's character bigrams (an OR
	// of them on the bigram field, as plain bleve's match query).
	bigrams float64
}

// defaultTuning is the tuning best-match retrieval runs with, chosen on
// the national reports (docs/relevance.md).
var defaultTuning = bestTuning{
	share:       shareHalf,
	dropSingle:  true,
	scoreSingle: true,
	weights:     weights{exact: 0.1, word: 12, head: 2},
	pair:        30,
	bigrams:     10,
}

// shareHalf requires half of n words, rounded down, and at least one: 1 of
// 1–3 words, 2 of 4 or 5, 3 of 6 or 7.
func shareHalf(n int) int { return max(1, n/2) }

// MaxBestWords bounds the distinct words of a best-match query: each is a
// clause of the search.
const MaxBestWords = 32

// bestMatch is the compiled best-match part of a query.
type bestMatch struct {
	words  []string    // the distinct words counted, in query order
	min    int         // words a paragraph must contain
	clause query.Query // the clause that matches and scores
	// tier matches the paragraphs that contain every pooled term
	// verbatim; nil when every hit does (a query of one word).
	tier query.Query
}

// newBestMatch compiles the pooled terms (unquoted, standing alone) of a
// best-match query; t nil means defaultTuning.
func newBestMatch(pooled []*Term, t *bestTuning) (*bestMatch, error) {
	if t == nil {
		t = &defaultTuning
	}
	bm := &bestMatch{}
	seen := map[string]bool{}
	var pairs, grams []query.Query
	var all []string
	seenGram := map[string]bool{}
	for _, term := range pooled {
		runes := []rune(term.Norm)
		for i := 0; i+1 < len(runes); i++ {
			if g := string(runes[i : i+2]); !seenGram[g] {
				seenGram[g] = true
				grams = append(grams, termQ(fieldNgram, g))
				grams[len(grams)-1].(*query.TermQuery).SetBoost(t.bigrams)
			}
		}
		toks := analyzer.Tokens(term.Norm)
		if len(toks) == 0 {
			// Punctuation or symbols only: the term itself is the word.
			toks = []analyzer.Token{{Term: term.Norm, Start: 0, End: len(term.Norm)}}
		}
		for i, tk := range toks {
			if !seen[tk.Term] {
				seen[tk.Term] = true
				all = append(all, tk.Term)
			}
			if i > 0 {
				pair := term.Norm[toks[i-1].Start:tk.End]
				pairs = append(pairs, boosted(exactMatch(pair), t.pair, pair))
			}
		}
	}
	var singles []string
	for _, w := range all {
		if !t.dropSingle || utf8.RuneCountInString(w) > 1 {
			bm.words = append(bm.words, w)
		} else {
			singles = append(singles, w)
		}
	}
	if len(bm.words) == 0 {
		bm.words, singles = all, nil
	}
	if len(bm.words) > MaxBestWords {
		return nil, syntaxError(fmt.Sprintf("the query has %d distinct words; best-match takes at most %d", len(bm.words), MaxBestWords))
	}
	bm.min = t.share(len(bm.words))
	clauses := make([]query.Query, len(bm.words))
	for i, w := range bm.words {
		clauses[i] = weightedMatch(w, t.weights)
	}
	dq := query.NewDisjunctionQuery(clauses)
	dq.SetMin(float64(bm.min))
	bm.clause = dq
	var should []query.Query
	if t.scoreSingle {
		for _, w := range singles {
			wq := termQ(fieldWords, w)
			wq.SetBoost(t.weights.word)
			should = append(should, wq)
		}
	}
	if t.pair > 0 {
		should = append(should, pairs...)
	}
	if t.bigrams > 0 && len(grams) > 0 {
		// bleve applies the boosts of terms, not of a disjunction.
		should = append(should, query.NewDisjunctionQuery(grams))
	}
	if len(should) > 0 {
		bm.clause = query.NewBooleanQuery([]query.Query{dq}, should, nil)
	}
	if len(pooled) > 1 || len(all) > 1 {
		exact := make([]query.Query, len(pooled))
		for i, term := range pooled {
			exact[i] = exactMatch(term.Norm)
		}
		bm.tier = query.NewConjunctionQuery(exact)
	}
	return bm, nil
}

// boosted sets the boost of an exact clause over the bigrams of norm,
// divided by the number of bigrams (a phrase scores each bigram), and
// returns it.
func boosted(q query.Query, boost float64, norm string) query.Query {
	if n := utf8.RuneCountInString(norm); n > 2 {
		boost /= float64(n - 1)
	}
	q.(query.BoostableQuery).SetBoost(boost)
	return q
}
