package index

import (
	"context"
	"fmt"

	"govsearch/analyzer"
)

// cachedLexicon is the lexicon with counts at one epoch.
type cachedLexicon struct {
	epoch   uint64
	entries []LexiconEntry
}

// Lexicon implements Reader: every term of the policy lexicon with the
// number of paragraphs and reports whose normalised text contains it, in
// the lexicon's order. Counts are exact and cached until the next write.
func (ix *Index) Lexicon(ctx context.Context) ([]LexiconEntry, error) {
	epoch := ix.epoch.Load()
	ix.cacheMu.Lock()
	c := ix.lexicon
	ix.cacheMu.Unlock()
	if c != nil && c.epoch == epoch {
		return append([]LexiconEntry(nil), c.entries...), nil
	}
	terms := analyzer.LexiconTerms()
	entries := make([]LexiconEntry, 0, len(terms))
	for _, t := range terms {
		norm := analyzer.Normalize(t)
		if norm == "" {
			continue
		}
		total, reports, err := ix.countByReport(ctx, collectSpec{query: exactMatch(norm), groups: [][]string{{norm}}})
		if err != nil {
			return nil, fmt.Errorf("lexicon: %w", err)
		}
		e := LexiconEntry{Term: t, Paragraphs: total, Reports: len(reports)}
		entries = append(entries, e)
	}
	ix.cacheMu.Lock()
	if ix.lexicon == nil || ix.lexicon.epoch <= epoch {
		ix.lexicon = &cachedLexicon{epoch: epoch, entries: entries}
	}
	ix.cacheMu.Unlock()
	return append([]LexiconEntry(nil), entries...), nil
}
