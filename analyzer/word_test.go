package analyzer

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// show renders tokens as "term@start-end#position" for readable diffs.
func show(tokens []Token) string {
	parts := make([]string, len(tokens))
	for i, t := range tokens {
		parts[i] = fmt.Sprintf("%s@%d-%d#%d", t.Term, t.Start, t.End, t.Position)
	}
	return strings.Join(parts, " ")
}

func terms(tokens []Token) string {
	parts := make([]string, len(tokens))
	for i, t := range tokens {
		parts[i] = t.Term
	}
	return strings.Join(parts, "/")
}

func TestWordTokenStreams(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"district head and name", "静安区区长于勇",
			"静安区@0-9#1 区长@9-15#2 于勇@15-21#3"},
		{"repeated words get their own offsets", "改革，改革，再改革",
			"改革@0-6#1 改革@9-15#2 再@18-21#3 改革@21-27#4"},
		{"policy terms in quotes", "推进“一网通办”和“五违四必”",
			"推进@0-6#1 一网通办@9-21#2 和@24-27#3 五违四必@30-42#4"},
		{"policy terms in running text", "深化放管服改革，落实一网统管",
			"深化@0-6#1 放管服改革@6-21#2 落实@24-30#3 一网统管@30-42#4"},
		{"mixed tokens", "PM2.5浓度下降3.8%，建成5G基站，G60科创走廊，AI+政务",
			"pm2.5@0-5#1 浓度@5-11#2 下降@11-17#3 3.8%@17-21#4 建成@24-30#5 5g@30-32#6 基站@32-38#7 g60@41-44#8 科创@44-50#9 走廊@50-56#10 ai+政务@59-68#11"},
		{"hotline from the lexicon", "拨打12345热线", "拨打@0-6#1 12345热线@6-17#2"},
		{"full-width mixed token", "ＰＭ２．５年均浓度",
			"pm2.5@0-15#1 年均@15-21#2 浓度@21-27#3"},
		{"full-width digits", "１９５５年", "1955@0-12#1 年@12-15#2"},
		{"traditional characters", "經濟會議", "经济@0-6#1 会议@6-12#2"},
		{"white space between Chinese characters is ignored", "一网\n通办", "一网通办@0-13#1"},
		{"white space elsewhere separates", "AI 推动 G60", "ai@0-2#1 推动@3-9#2 g60@10-13#3"},
		{"punctuation and symbols give no tokens", "，。、“”《》！？……——·※", ""},
		{"decimal point needs digits on both sides", "3.万", "3@0-1#1 万@2-5#2"},
		{"percent only after a digit", "a%b", "a@0-1#1 b@2-3#2"},
		{"empty", "", ""},
		// The lexicon's frequencies must not favour compounds elsewhere
		// (with costs against the inflated total: 国有企业, 不断加强, 体制改革).
		{"ordinary text keeps gse's cuts", "深化国有企业改革，不断加强体制改革",
			"深化@0-6#1 国有@6-12#2 企业@12-18#3 改革@18-24#4 不断@27-33#5 加强@33-39#6 体制@39-45#7 改革@45-51#8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := show(Tokens(tt.text))
			if got != tt.want {
				t.Errorf("Tokens(%q)\n got %s\nwant %s", tt.text, got, tt.want)
			}
		})
	}
}

func TestTokenTextIsSource(t *testing.T) {
	text := "静安区区长于勇：ＰＭ２．５、經濟，一网\n通办"
	for _, tok := range Tokens(text) {
		if tok.Text != text[tok.Start:tok.End] {
			t.Errorf("token %+v: Text differs from text[Start:End] %q", tok, text[tok.Start:tok.End])
		}
	}
}

func TestEquivalentFormsGiveSameTerms(t *testing.T) {
	pairs := [][2]string{
		{"一網通辦", "一网通办"},
		{"ＰＭ２．５", "pm2.5"},
		{"ＰＭ２．５", "PM2.5"},
		{"１９５５", "1955"},
		{"國民經濟發展計劃", "国民经济发展计划"},
		{"推進「放管服」改革", "推进「放管服」改革"},
		{"ＡＩ＋政务", "ai+政务"},
	}
	for _, p := range pairs {
		t.Run(p[0]+" "+p[1], func(t *testing.T) {
			a, b := terms(Tokens(p[0])), terms(Tokens(p[1]))
			if a != b || a == "" {
				t.Errorf("%q → %q, %q → %q; want equal and non-empty", p[0], a, p[1], b)
			}
		})
	}
}

func TestMixedTokenRule(t *testing.T) {
	// Each input must come out as exactly one token whose term is given.
	tests := map[string]string{
		"PM2.5": "pm2.5", "5G": "5g", "12345": "12345", "3.8%": "3.8%", "AI+": "ai+",
		"G60": "g60", "ＰＭ２．５": "pm2.5", "685.59": "685.59", "1.2.3": "1.2.3",
		"COVID19": "covid19", "5G++": "5g++", "１００％": "100%",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			got := Tokens(in)
			if len(got) != 1 || got[0].Term != want || got[0].Start != 0 || got[0].End != len(in) {
				t.Errorf("Tokens(%q) = %s; want one token %q covering the input", in, show(got), want)
			}
		})
	}
	// A joiner that does not qualify splits the run.
	for in, want := range map[string]string{
		"2018-2020": "2018/2020", "a.b": "a/b", "%5": "5", "+5": "5", "1/2": "1/2",
	} {
		t.Run(in, func(t *testing.T) {
			if got := terms(Tokens(in)); got != want {
				t.Errorf("Tokens(%q) terms = %q; want %q", in, got, want)
			}
		})
	}
}

func TestWordAnalyzerRegistered(t *testing.T) {
	cache := registry.NewCache()
	a, err := cache.AnalyzerNamed(WordAnalyzerName)
	if err != nil {
		t.Fatal(err)
	}
	stream := a.Analyze([]byte("一網通辦"))
	if len(stream) != 1 || string(stream[0].Term) != "一网通办" {
		t.Fatalf("registered analyzer gave %v", stream)
	}
	if _, err := cache.TokenizerNamed(wordTokenizerName); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{foldFilterName, widthFilterName, lowerFilterName, tradSimpFilterName} {
		t.Run(name, func(t *testing.T) {
			if _, err := cache.TokenFilterNamed(name); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestTokenizerPanicFallsBack(t *testing.T) {
	testPanic = func(b []byte) bool { return bytes.Contains(b, []byte("炸")) }
	defer func() { testPanic = nil }()
	text := "炸 a1，经"
	stream := WordTokenizer{}.Tokenize([]byte(text))
	var got []string
	for _, tok := range stream {
		got = append(got, fmt.Sprintf("%s@%d-%d#%d", tok.Term, tok.Start, tok.End, tok.Position))
	}
	want := "炸@0-3#1 a@4-5#2 1@5-6#3 经@9-12#4"
	if strings.Join(got, " ") != want {
		t.Errorf("fallback stream %v; want %s", got, want)
	}
}

func TestNeverPanics(t *testing.T) {
	inputs := map[string][]byte{
		"invalid UTF-8":       {0xff, 0xfe, 'a', 0xe4, 0xb8, '1', 0xe4, 0xb8, 0xad, 0xc0},
		"truncated rune":      []byte("经济\xe4\xb8"),
		"control characters":  []byte("\x00\x01经\x07济\x1b[31m\x7f\u200b\ufeff"),
		"1 MB of one Han":     bytes.Repeat([]byte("中"), 1<<20/3),
		"1 MB of one letter":  bytes.Repeat([]byte("a"), 1<<20),
		"1 MB of one digit+%": bytes.Repeat([]byte("9%"), 1<<19),
		"1 MB of spaces":      bytes.Repeat([]byte(" "), 1<<20),
		"1 MB of invalid":     bytes.Repeat([]byte{0xff}, 1<<20),
		"surrogates":          []byte("\xed\xa0\x80经"),
	}
	before := fallbacks.Load()
	defer func() {
		if n := fallbacks.Load() - before; n != 0 {
			t.Errorf("%d inputs needed the panic fallback", n)
		}
	}()
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			if n := checkWordStream(t, in, wordAnalyzer.Analyze(in)); n < 0 {
				t.Fatal("offset errors")
			}
			checkNgramStream(t, in, ngramAnalyzer.Analyze(in))
		})
	}
}

func TestConcurrentAnalysis(t *testing.T) {
	texts := []string{"静安区区长于勇", "推进“一网通办”", "ＰＭ２．５下降3.8%", "經濟會議"}
	want := make([]string, len(texts))
	for i, s := range texts {
		want[i] = show(Tokens(s))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (g + i) % len(texts)
				if got := show(Tokens(texts[k])); got != want[k] {
					t.Errorf("concurrent Tokens(%q) = %s; want %s", texts[k], got, want[k])
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestPreloadAndWaitReady(t *testing.T) {
	Preload()
	Preload()
	WaitReady()
	if LoadTime() <= 0 {
		t.Fatalf("LoadTime() = %v after WaitReady", LoadTime())
	}
}

var ngramAnalyzer = &analysis.DefaultAnalyzer{Tokenizer: NgramTokenizer{}, TokenFilters: []analysis.TokenFilter{FoldFilter{}}}

// checkWordStream reports every violation of the word tokenizer's contract
// for stream over text and returns the number of tokens checked, or -1 after
// an error. The stream must come from the full word analyzer.
func checkWordStream(t testing.TB, text []byte, stream analysis.TokenStream) int {
	t.Helper()
	valid := utf8.Valid(text)
	prevEnd, prevPos := 0, 0
	for i, tok := range stream {
		switch {
		case tok.Start < prevEnd || tok.End <= tok.Start || tok.End > len(text):
			t.Errorf("token %d %q: span %d-%d out of order or range (previous end %d, text %d bytes)", i, tok.Term, tok.Start, tok.End, prevEnd, len(text))
			return -1
		case tok.Position != prevPos+1:
			t.Errorf("token %d %q: position %d after %d", i, tok.Term, tok.Position, prevPos)
			return -1
		case valid && string(tok.Term) != Normalize(string(text[tok.Start:tok.End])):
			t.Errorf("token %d: term %q is not the normalised source %q", i, tok.Term, text[tok.Start:tok.End])
			return -1
		case len(tok.Term) == 0:
			t.Errorf("token %d at %d-%d: empty term", i, tok.Start, tok.End)
			return -1
		}
		prevEnd, prevPos = tok.End, tok.Position
	}
	return len(stream)
}

// checkNgramStream is checkWordStream for the n-gram analyzer: unigrams
// follow each other at consecutive positions, a bigram shares its first
// character's position and spans it and the next unigram.
func checkNgramStream(t testing.TB, text []byte, stream analysis.TokenStream) int {
	t.Helper()
	valid := utf8.Valid(text)
	prevUniStart, prevUniEnd, pos := 0, 0, 0
	for i, tok := range stream {
		if tok.Start < 0 || tok.End <= tok.Start || tok.End > len(text) {
			t.Errorf("n-gram %d %q: span %d-%d out of range", i, tok.Term, tok.Start, tok.End)
			return -1
		}
		if valid && string(tok.Term) != Normalize(string(text[tok.Start:tok.End])) {
			t.Errorf("n-gram %d: term %q is not the normalised source %q", i, tok.Term, text[tok.Start:tok.End])
			return -1
		}
		switch tok.Type {
		case analysis.Single:
			if tok.Start < prevUniEnd || tok.Position != pos+1 {
				t.Errorf("unigram %d %q at %d-%d#%d after end %d#%d", i, tok.Term, tok.Start, tok.End, tok.Position, prevUniEnd, pos)
				return -1
			}
			prevUniStart, prevUniEnd, pos = tok.Start, tok.End, tok.Position
		default:
			if pos == 0 || tok.Position != pos || tok.Start != prevUniStart || tok.End <= prevUniEnd {
				t.Errorf("bigram %d %q at %d-%d#%d does not start at unigram #%d %d-%d", i, tok.Term, tok.Start, tok.End, tok.Position, pos, prevUniStart, prevUniEnd)
				return -1
			}
		}
	}
	return len(stream)
}

// TestNoDictionaryWithoutWordAnalysis runs in a fresh process: n-gram
// analysis, Normalize, Version, LexiconTerms and building analyzers from the
// registry must not load the word dictionary, so a server answers n-gram
// queries while the dictionary is still loading. The same process then
// starts word analysis from many goroutines at once (run it with -race).
func TestNoDictionaryWithoutWordAnalysis(t *testing.T) {
	if os.Getenv("GOVSEARCH_NODICT_CHILD") == "1" {
		cache := registry.NewCache()
		for _, name := range []string{ngramAnalyzerName, WordAnalyzerName} {
			if _, err := cache.AnalyzerNamed(name); err != nil {
				t.Fatal(err)
			}
		}
		ngramAnalyzer.Analyze([]byte("静安区区长于勇"))
		_ = Normalize("一網通辦") + Version()
		_ = LexiconTerms()
		if dictWords != nil || LoadTime() != 0 {
			t.Fatal("dictionary loaded without word analysis")
		}
		// Then many goroutines use the word analyzer first at the same
		// moment, one of them through Preload: one load, equal results.
		Preload()
		results := make([]string, 8)
		var wg sync.WaitGroup
		for g := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[g] = show(Tokens("静安区区长于勇"))
			}()
		}
		wg.Wait()
		for _, r := range results {
			if r != "静安区@0-9#1 区长@9-15#2 于勇@15-21#3" {
				t.Fatalf("concurrent first use gave %s", r)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoDictionaryWithoutWordAnalysis$", "-test.v")
	cmd.Env = append(os.Environ(), "GOVSEARCH_NODICT_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS")) {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
