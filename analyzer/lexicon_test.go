package analyzer

import (
	"regexp"
	"slices"
	"testing"
)

func TestLexiconTerms(t *testing.T) {
	terms := LexiconTerms()
	if !slices.IsSorted(terms) {
		t.Error("LexiconTerms is not sorted")
	}
	if len(slices.Compact(slices.Clone(terms))) != len(terms) {
		t.Error("LexiconTerms has duplicates")
	}
	for _, want := range []string{"一网通办", "一网统管", "放管服", "五违四必", "两旧一村", "12345热线", "PM2.5", "科创护照", "于勇"} {
		t.Run(want, func(t *testing.T) {
			if !slices.Contains(terms, want) {
				t.Errorf("lexicon lacks %q", want)
			}
		})
	}
	terms[0] = "changed"
	if LexiconTerms()[0] == "changed" {
		t.Error("LexiconTerms returns shared state")
	}
}

func TestLexiconTermsComeOutWhole(t *testing.T) {
	missed := 0
	terms := LexiconTerms()
	for _, term := range terms {
		toks := Tokens(term)
		if len(toks) != 1 || toks[0].Text != term {
			missed++
			t.Logf("%q → %s", term, show(toks))
		}
	}
	if missed > 0 {
		t.Errorf("%d of %d lexicon terms are cut when analyzed alone", missed, len(terms))
	}
}

func TestVersion(t *testing.T) {
	v := Version()
	if !regexp.MustCompile(`^word\d+-ngram\d+-lex-[0-9a-f]{8}-fold-[0-9a-f]{8}$`).MatchString(v) {
		t.Fatalf("Version() = %q", v)
	}
	if Version() != v {
		t.Fatal("Version is not stable")
	}
}
