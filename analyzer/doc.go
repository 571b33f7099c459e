// Package analyzer turns Chinese report text into index terms: a word
// analyzer over gse's dictionary and the policy lexicon ("govsearch_word"),
// a character n-gram analyzer for exact substring search ("govsearch_ngram"),
// and the normalisation both share (FoldRune: full-width → half-width, every
// dash → '-' and every tilde → '~', lower case, traditional → simplified,
// one rune out per rune in).
//
// Importing the package registers the analyzers, tokenizers and token
// filters with bleve under stable names; every binary that opens an index
// must import it. Token Start and End are byte offsets into the original
// text and Positions count from 1; filters change terms only.
//
// The word dictionary is loaded once per process, on first use or after
// Preload, and shared by all goroutines; what loading costs is measured in
// README.md. The n-gram analyzer, Normalize, Version and LexiconTerms never
// need it.
package analyzer
