package analyzer

//go:generate go run ./internal/genlexicon -o lexicon/harvested.txt ../testdata/reports

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// The policy lexicon: terms harvested from the seed reports
// (lexicon/harvested.txt, generated) and a curated list (lexicon/curated.txt).
//
//go:embed lexicon/curated.txt lexicon/harvested.txt
var lexiconFS embed.FS

// Behaviour versions of the two analyzers. Bump one whenever a change makes
// the analyzer emit different tokens for the same text, so that indexes built
// before the change are detected as stale.
const (
	wordBehaviour  = "word2"
	ngramBehaviour = "ngram1"
)

// lexiconFreq is the dictionary frequency given to lexicon terms: far above
// that of ordinary two-character words in gse's dictionary, so a lexicon
// term beats any split of it. Word costs are computed against the total of
// gse's own frequencies (see dictBuilder.wordDict), so the lexicon changes
// cuts only where its terms occur; README.md ("Lexicon") gives the
// frequencies and how many cuts change.
const lexiconFreq = 100000

var lexicon = sync.OnceValues(loadLexicon)

// loadLexicon reads both lexicon files and returns the sorted, deduplicated
// terms and the content digest.
func loadLexicon() ([]string, string) {
	set := map[string]bool{}
	for _, name := range []string{"lexicon/curated.txt", "lexicon/harvested.txt"} {
		data, err := lexiconFS.ReadFile(name)
		if err != nil {
			panic("analyzer: embedded " + name + ": " + err.Error())
		}
		for _, line := range strings.Split(string(data), "\n") {
			t := strings.TrimSpace(line)
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			set[t] = true
		}
	}
	terms := make([]string, 0, len(set))
	for t := range set {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	h := sha256.New()
	for _, t := range terms {
		h.Write([]byte(t))
		h.Write([]byte{'\n'})
	}
	return terms, hex.EncodeToString(h.Sum(nil))[:8]
}

// LexiconTerms returns the policy lexicon: every curated and harvested term
// in its original form, deduplicated and sorted. The caller may modify the
// returned slice.
func LexiconTerms() []string {
	terms, _ := lexicon()
	return append([]string(nil), terms...)
}

// foldDigest hashes the fold's tables: the traditional → simplified table
// and the dash and tilde lists, each pair as source then target rune.
var foldDigest = sync.OnceValue(func() string {
	keys := make([]rune, 0, len(tradToSimp))
	for k := range tradToSimp {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%c%c", k, tradToSimp[k])
	}
	for _, k := range append(append([]rune(nil), dashRunes...), tildeRunes...) {
		fmt.Fprintf(h, "%c%c", k, foldDash(k))
	}
	return hex.EncodeToString(h.Sum(nil))[:8]
})

// Version identifies the behaviour of both analyzers and the content of the
// lexicon and of the fold's tables (traditional → simplified, dashes and
// tildes), for example
// "word2-ngram1-lex-1a2b3c4d-fold-5e6f7a8b". An index stores it; an index
// whose stored version differs was analyzed differently and must be rebuilt.
// Version does not need the dictionary.
func Version() string {
	_, lex := lexicon()
	return fmt.Sprintf("%s-%s-lex-%s-fold-%s", wordBehaviour, ngramBehaviour, lex, foldDigest())
}
