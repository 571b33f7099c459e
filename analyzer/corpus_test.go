package analyzer

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"govsearch/internal/testcorpus"
)

// seedParagraphs returns the non-empty lines of the seed reports, read raw.
func seedParagraphs(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../testdata/reports/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed reports: %v", err)
	}
	return paragraphs(t, files)
}

// nationalParagraphs returns the lines of the national reports, or nil
// (and a log line saying so) when the shared corpus is absent.
func nationalParagraphs(t testing.TB) []string {
	t.Helper()
	return sharedParagraphs(t, "national", "*.txt")
}

// sharedParagraphs returns the lines of the files matching pattern in the
// shared corpus name, or nil when that corpus is absent.
func sharedParagraphs(t testing.TB, name, pattern string) []string {
	t.Helper()
	dir := testcorpus.Corpus(name)
	if dir == "" {
		t.Log(testcorpus.Missing(name))
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(files) == 0 {
		t.Fatalf("no %s files in %s", pattern, dir)
	}
	return paragraphs(t, files)
}

func paragraphs(t testing.TB, files []string) []string {
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) != "" {
				out = append(out, line)
			}
		}
	}
	return out
}

// simpToTrad inverts the fold table, to write simplified text in
// traditional characters.
var simpToTrad = func() map[rune]rune {
	m := map[rune]rune{}
	for t, s := range tradToSimp {
		if old, ok := m[s]; !ok || t < old {
			m[s] = t
		}
	}
	return m
}()

// mutate returns a variant of s: some characters traditional or full-width,
// white space, control characters and invalid bytes inserted.
func mutate(rng *rand.Rand, s string) string {
	var b strings.Builder
	for _, r := range s {
		switch x := rng.IntN(100); {
		case x < 10:
			if t, ok := simpToTrad[r]; ok {
				r = t
			}
		case x < 14:
			if r > ' ' && r < 0x7f {
				r += 0xFEE0
			}
		case x < 16:
			b.WriteString([]string{" ", "\n", "\u3000", "\t"}[rng.IntN(4)])
		case x < 17:
			b.WriteString([]string{"\xff", "\x00", "\x1b", "\xe4\xb8", "\u200b"}[rng.IntN(5)])
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestMillionTokensNoOffsetErrors runs the seeds, the national reports (when
// present) and mutated seeds through both analyzers until each has produced
// at least a million tokens, checking every token's offsets.
func TestMillionTokensNoOffsetErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: a million tokens")
	}
	texts := append(seedParagraphs(t), nationalParagraphs(t)...)
	rng := rand.New(rand.NewPCG(1, 2))
	seeds := seedParagraphs(t)
	before := fallbacks.Load()
	const want = 1_000_000
	words, grams := 0, 0
	for i := 0; words < want || grams < want; i++ {
		var text string
		if i < len(texts) {
			text = texts[i]
		} else {
			text = mutate(rng, seeds[rng.IntN(len(seeds))])
		}
		in := []byte(text)
		n := checkWordStream(t, in, wordAnalyzer.Analyze(in))
		m := checkNgramStream(t, in, ngramAnalyzer.Analyze(in))
		if n < 0 || m < 0 {
			t.Fatalf("offset error in paragraph %d: %q", i, text)
		}
		words += n
		grams += m
	}
	if n := fallbacks.Load() - before; n != 0 {
		t.Errorf("%d paragraphs needed the panic fallback", n)
	}
	t.Logf("0 offset errors in %d word tokens and %d n-gram tokens (%d corpus paragraphs)", words, grams, len(texts))
}

var quotedHan = regexp.MustCompile(`“(\p{Han}{2,8})”`)

// TestQuotedTermsComeOutWhole measures the share of quoted policy terms of
// 2–8 Chinese characters in the seeds that the word analyzer emits as one
// token when their paragraph is analyzed.
func TestQuotedTermsComeOutWhole(t *testing.T) {
	whole, total := quotedWhole(t, seedParagraphs(t), true)
	if total < 500 {
		t.Fatalf("only %d quoted terms found in the seeds", total)
	}
	share := float64(whole) / float64(total)
	t.Logf("%d of %d quoted terms (%.1f%%) are one word token", whole, total, 100*share)
	if share < 0.95 {
		t.Errorf("share %.3f < 0.95", share)
	}
}

// TestQuotedTermsNational reports the same share on the national reports,
// whose terms the lexicon was not harvested from. It only logs: the figure
// measures the dictionary, not a contract.
func TestQuotedTermsNational(t *testing.T) {
	testcorpus.Need(t, "national")
	paras := nationalParagraphs(t)
	whole, total := quotedWhole(t, paras, false)
	t.Logf("national reports: %d of %d quoted terms (%.1f%%) are one word token", whole, total, 100*float64(whole)/float64(total))
}

// quotedWhole counts the quoted 2–8 character Chinese terms in paragraphs
// and how many of them are one word token of their paragraph.
func quotedWhole(t *testing.T, paragraphs []string, logCuts bool) (whole, total int) {
	for _, p := range paragraphs {
		locs := quotedHan.FindAllStringSubmatchIndex(p, -1)
		if locs == nil {
			continue
		}
		spans := map[[2]int]bool{}
		for _, tok := range Tokens(p) {
			spans[[2]int{tok.Start, tok.End}] = true
		}
		for _, l := range locs {
			total++
			if spans[[2]int{l[2], l[3]}] {
				whole++
			} else if logCuts {
				t.Logf("cut: %s", p[l[2]:l[3]])
			}
		}
	}
	return whole, total
}

// TestUnquotedTermsInContext checks lexicon terms where the corpus uses them
// in running text, without quotes to delimit them.
func TestUnquotedTermsInContext(t *testing.T) {
	for _, tc := range []struct{ text, term string }{
		{"深化政务服务“一网通办”改革，推进一网统管建设", "一网统管"},
		{"全面完成五违四必整治", "五违四必"},
		{"推进两旧一村改造", "两旧一村"},
		{"上海市静安区区长于勇", "于勇"},
		{"PM2.5年均浓度为35微克/立方米", "PM2.5"},
		{"市民拨打12345热线反映", "12345热线"},
	} {
		t.Run(tc.term, func(t *testing.T) {
			start := strings.Index(tc.text, tc.term)
			found := false
			for _, tok := range Tokens(tc.text) {
				found = found || (tok.Start == start && tok.End == start+len(tc.term))
			}
			if !found {
				t.Errorf("%q not one token in %q: %s", tc.term, tc.text, show(Tokens(tc.text)))
			}
		})
	}
}

func FuzzWordTokenizer(f *testing.F) {
	for _, s := range []string{"静安区区长于勇", "ＰＭ２．５", "3.8%", "AI+", "一網通辦", "\xff\xfe", "a.1", "5G++热线", "中 文"} {
		f.Add([]byte(s))
	}
	seeds := seedParagraphs(f)
	for i := 0; i < len(seeds); i += 37 {
		f.Add([]byte(seeds[i]))
	}
	WaitReady()
	f.Fuzz(func(t *testing.T, in []byte) {
		before := fallbacks.Load()
		checkWordStream(t, in, wordAnalyzer.Analyze(in))
		if fallbacks.Load() != before {
			t.Errorf("segmentation panicked on %q", in)
		}
	})
}

func FuzzNgramTokenizer(f *testing.F) {
	for _, s := range []string{"静安区区长于勇", "ＰＭ２．５", " a\n b ", "\xff\xfe經", ""} {
		f.Add([]byte(s))
	}
	seeds := seedParagraphs(f)
	for i := 0; i < len(seeds); i += 37 {
		f.Add([]byte(seeds[i]))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		stream := ngramAnalyzer.Analyze(in)
		checkNgramStream(t, in, stream)
		chars := 0
		for _, r := range string(in) {
			if !isSpace(r) {
				chars++
			}
		}
		if want := max(2*chars-1, 0); len(stream) != want {
			t.Errorf("%d tokens for %d characters; want %d", len(stream), chars, want)
		}
	})
}
