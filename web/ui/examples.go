package ui

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"govsearch/index"
)

// example is a suggested query on the landing, error and empty pages.
type example struct{ Q, URL string }

// exampleCount is how many suggested queries a page shows.
const exampleCount = 8

// exampleTimeout bounds the lexicon lookup of the examples: they are a
// convenience, and a page shows none rather than wait.
const exampleTimeout = 2 * time.Second

// examples suggests queries that fit the loaded corpus, each linking to
// the page at path: the policy terms of the index's lexicon found in the
// most reports (then in the most paragraphs), leaving out a term that
// contains or is contained in one already chosen. Without an index or a
// lexicon the page shows none.
func (h *handler) examples(c *gin.Context, path string) []example {
	if h.s == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), exampleTimeout)
	defer cancel()
	lex, err := h.s.Lexicon(ctx)
	if err != nil {
		h.opts.Logger.Warn("ui: no examples: lexicon lookup failed", "err", err)
		return nil
	}
	var out []example
	for _, term := range pickExamples(lex, exampleCount) {
		out = append(out, example{Q: term, URL: path + "?" + WithQuery(term).Encode()})
	}
	return out
}

// pickExamples chooses up to n terms of a lexicon as pages suggest them:
// phrases of four or more characters first (一带一路, 营商环境), which name
// a policy, then shorter ones, which are often common words (中心); within
// each, the terms in the most reports, then in the most paragraphs.
func pickExamples(lex []index.LexiconEntry, n int) []string {
	lex = append([]index.LexiconEntry(nil), lex...)
	long := func(e index.LexiconEntry) bool { return utf8.RuneCountInString(e.Term) >= 4 }
	sort.SliceStable(lex, func(a, b int) bool {
		if long(lex[a]) != long(lex[b]) {
			return long(lex[a])
		}
		if lex[a].Reports != lex[b].Reports {
			return lex[a].Reports > lex[b].Reports
		}
		return lex[a].Paragraphs > lex[b].Paragraphs
	})
	var out []string
next:
	for _, e := range lex {
		if len(out) == n {
			break
		}
		if e.Reports == 0 {
			continue
		}
		t := strings.TrimSpace(e.Term)
		if t == "" || strings.ContainsAny(t, " \"") {
			continue // would need quoting to be one term
		}
		for _, o := range out {
			if strings.Contains(o, t) || strings.Contains(t, o) {
				continue next
			}
		}
		out = append(out, t)
	}
	return out
}
