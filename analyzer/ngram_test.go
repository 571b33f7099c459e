package analyzer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

func ngrams(text string) string {
	var parts []string
	for _, t := range ngramAnalyzer.Analyze([]byte(text)) {
		parts = append(parts, fmt.Sprintf("%s@%d-%d#%d", t.Term, t.Start, t.End, t.Position))
	}
	return strings.Join(parts, " ")
}

func TestNgramTokenStreams(t *testing.T) {
	tests := []struct{ text, want string }{
		{"区长于勇", "区@0-3#1 区长@0-6#1 长@3-6#2 长于@3-9#2 于@6-9#3 于勇@6-12#3 勇@9-12#4"},
		{"經 濟", "经@0-3#1 经济@0-7#1 济@4-7#2"},
		{"ＰＭ2", "p@0-3#1 pm@0-6#1 m@3-6#2 m2@3-7#2 2@6-7#3"},
		{"a", "a@0-1#1"},
		{" \n\t", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.text), func(t *testing.T) {
			if got := ngrams(tt.text); got != tt.want {
				t.Errorf("ngrams(%q)\n got %s\nwant %s", tt.text, got, tt.want)
			}
		})
	}
}

// TestNgramFindsWhatWordsMiss: in 静安区区长于勇 the n-gram analyzer has the
// bigram 区长 at the position of the fourth character, so a phrase query
// finds it whatever the segmenter does.
func TestNgramFindsWhatWordsMiss(t *testing.T) {
	text := "静安区区长于勇"
	for _, tok := range ngramAnalyzer.Analyze([]byte(text)) {
		if string(tok.Term) == "区长" {
			if tok.Position != 4 || text[tok.Start:tok.End] != "区长" {
				t.Fatalf("区长 at %d-%d#%d", tok.Start, tok.End, tok.Position)
			}
			return
		}
	}
	t.Fatal("no 区长 bigram")
}

func TestNgramAnalyzerRegistered(t *testing.T) {
	a, err := registry.NewCache().AnalyzerNamed(ngramAnalyzerName)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(a.Analyze([]byte("一網通辦"))); got != 7 {
		t.Fatalf("registered n-gram analyzer gave %d tokens; want 7", got)
	}
}

func TestNgramOnly(t *testing.T) {
	text := []byte("經 濟a")
	all := NgramTokenizer{}.Tokenize(text)
	for only, want := range map[int]string{
		1: "經@0-3#1 濟@4-7#2 a@7-8#3",
		2: "經濟@0-7#1 濟a@4-8#2",
	} {
		t.Run(fmt.Sprintf("Only %d", only), func(t *testing.T) {
			var parts []string
			for _, tok := range (NgramTokenizer{Only: only}).Tokenize(text) {
				parts = append(parts, fmt.Sprintf("%s@%d-%d#%d", tok.Term, tok.Start, tok.End, tok.Position))
			}
			if got := strings.Join(parts, " "); got != want {
				t.Errorf("%s; want %s", got, want)
			}
		})
	}
	if len(all) != 5 {
		t.Errorf("both kinds: %d tokens; want 5", len(all))
	}
}

// TestRegistrationFailureIsFatal checks that a name registered twice ends
// the program with a message naming it instead of going unnoticed.
func TestRegistrationFailureIsFatal(t *testing.T) {
	defer func() {
		if msg := fmt.Sprint(recover()); !strings.Contains(msg, `analyzer "govsearch_ngram"`) || !strings.Contains(msg, "duplicate") {
			t.Errorf("registering govsearch_ngram again: panic %q, want one naming the analyzer", msg)
		}
	}()
	mustRegister("analyzer", ngramAnalyzerName, registry.RegisterAnalyzer(ngramAnalyzerName, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return nil, nil
	}))
}
