package analyzer

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-ego/gse"
)

// gseSegmenter is a live gse segmenter over the word analyzer's dictionary
// (the embedded simplified dictionary after the lexicon), loaded once per
// test process, for the tests and benchmarks that compare with gse.
var gseSegmenter = sync.OnceValue(func() *gse.Segmenter {
	return newSegmenterFreq(lexiconFreq)
})

// defaultDict is the word analyzer's dictionary as buildDict makes it.
var defaultDict = sync.OnceValues(func() (*dictBuilder, error) {
	return buildDict(lexiconFreq, true)
})

func newTestBuilder() *dictBuilder {
	b := newDictBuilder(0, 0)
	b.keepKeys = true
	return b
}

func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// checkSameWords fails unless b holds exactly d's tokens: same keys,
// frequencies and parts of speech in the same order, and the same total.
func checkSameWords(t testing.TB, b *dictBuilder, d *gse.Dictionary) {
	t.Helper()
	if len(b.freq) != len(d.Tokens) {
		t.Fatalf("%d words; gse has %d", len(b.freq), len(d.Tokens))
	}
	for i := range d.Tokens {
		tok := &d.Tokens[i]
		if got := b.key(i); string(got) != tok.Text() {
			t.Fatalf("word %d: key %q; gse %q", i, got, tok.Text())
		}
		if !sameFloat(b.freq[i], tok.Freq()) {
			t.Fatalf("word %d %q: freq %v; gse %v", i, tok.Text(), b.freq[i], tok.Freq())
		}
		if got := b.posNames[b.pos[i]]; got != tok.Pos() {
			t.Fatalf("word %d %q: pos %q; gse %q", i, tok.Text(), got, tok.Pos())
		}
	}
	if !sameFloat(b.total, d.TotalFreq()) {
		t.Fatalf("total %v; gse %v", b.total, d.TotalFreq())
	}
}

// TestDictMatchesGse checks that the dictionary read from gse's embedded
// text holds exactly the tokens of gse's own Dictionary loaded from it, that
// every word is found in the trie, that every proper prefix of a key is a
// word exactly when gse's trie says so, and that the word costs are those
// computed from gse's tokens.
func TestDictMatchesGse(t *testing.T) {
	if gseSimplified == "" {
		t.Log("gse built without embedded data: checking the fallback")
	}
	b, err := defaultDict()
	if err != nil {
		t.Fatal(err)
	}
	d := gseSegmenter().Dict
	checkSameWords(t, b, d)
	// The fallback for a gse built without embedded text copies gse's words.
	fb := newTestBuilder()
	if err := fb.addGse(d); err != nil {
		t.Fatal(err)
	}
	checkSameWords(t, fb, d)
	t.Logf("%d words, %d trie nodes, %d slots", len(b.freq), b.nodes, len(b.slots))

	for _, gseCosts := range []bool{false, true} {
		t.Run(fmt.Sprintf("gseCosts %v", gseCosts), func(t *testing.T) {
			w := b.wordDict(gseCosts)
			total := d.TotalFreq()
			if !gseCosts {
				for i := range d.Tokens {
					if d.Tokens[i].Pos() == lexiconPos {
						total -= d.Tokens[i].Freq()
					}
				}
			}
			logTotal := math.Log2(total)
			for i := range d.Tokens {
				key := b.key(i)
				id, word := w.lookup(key)
				if !word || id != b.node[i] {
					t.Fatalf("word %d %q: lookup gives node %d (word %v); want %d", i, key, id, word, b.node[i])
				}
				want := float32(logTotal - math.Log2(d.Tokens[i].Freq()))
				if math.Float32bits(w.cost[id]) != math.Float32bits(want) {
					t.Fatalf("word %q: cost %v; want %v", key, w.cost[id], want)
				}
			}
		})
	}

	w := b.wordDict(false)
	prefixes := 0
	for i := range d.Tokens {
		key := b.key(i)
		for k := 0; k < len(key); {
			_, size := runeCode(key, k)
			k += size
			if k == len(key) {
				break
			}
			_, word := w.lookup(key[:k])
			val, _, err := d.Value(key[:k])
			if word != (err == nil) {
				t.Fatalf("prefix %q of %q: word %v; gse %v (%v)", key[:k], key, word, err == nil, err)
			}
			if word {
				if got, _ := w.lookup(key[:k]); got != b.node[val] {
					t.Fatalf("prefix %q: node %d; gse's word %d is node %d", key[:k], got, val, b.node[val])
				}
			}
			prefixes++
		}
	}
	t.Logf("%d proper prefixes agree", prefixes)
	for _, s := range []string{"", "x", "一网通办不存在的词", "\xff", "pm2.5浓度"} {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			_, word := w.lookup([]byte(s))
			_, _, err := d.Value([]byte(s))
			if s != "" && word != (err == nil) {
				t.Errorf("word %v; gse %v", word, err == nil)
			}
		})
	}
}

// gseLoad loads text with gse's own LoadDictStr into a fresh dictionary.
func gseLoad(text string) *gse.Segmenter {
	seg := &gse.Segmenter{NotLoadHMM: true, SkipLog: true}
	seg.Dict = gse.NewDict()
	seg.Init()
	_ = seg.LoadDictStr(text)
	return seg
}

// dictQuirks exercises every rule of gse's dictionary text format.
const dictQuirks = "一网通办 30 n\n" +
	"一网通办 99 v\n" + // duplicate: the first entry wins
	"放管服 5\n" + // no part of speech
	"无频率\n" + // no frequency: skipped
	"坏频率 x n\n" + // frequency does not parse: skipped
	"低频 1 n\n" + // below gse's minimum of 2: skipped
	"零 0 n\n" +
	"负数 -3 n\n" +
	"字 7 n\n" + // one rune: frequency 2
	"PM2.5 12 eng\n" + // ASCII letters lower-cased in the key
	"pm2.5 40 eng\n" + // so this is a duplicate
	"AB型 3 n\n" +
	"Ｘ光 6 n\n" + // only ASCII letters are lower-cased
	"  两旧一村  8  n \n" + // double spaces: the frequency field is empty
	"12345热线 9 n extra fields\n" +
	"科学 1e2 n\n" +
	"回车 4 n\r\n" +
	"\xff\xfe坏 5 n\n" + // invalid UTF-8 is a key like any other
	" 5 n\n" + // empty word
	" 6 n\n" + // a second empty word: duplicate
	"区长 3.5\n" +
	"区 4 n\n" +
	"区长于 11 nr\n" +
	"\n" +
	"末行 3 n"

func TestDictTextMatchesGse(t *testing.T) {
	b := newTestBuilder()
	if err := b.addText(dictQuirks); err != nil {
		t.Fatal(err)
	}
	seg := gseLoad(dictQuirks)
	checkSameWords(t, b, seg.Dict)
	var keys []string
	for i := range b.freq {
		keys = append(keys, string(b.key(i)))
	}
	want := []string{"一网通办", "放管服", "字", "pm2.5", "ab型", "Ｘ光", "12345热线", "科学", "回车", "\xff\xfe坏", "", "区长", "区", "区长于", "末行"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %q; want %q", keys, want)
	}
	w := b.wordDict(true)
	for _, k := range want[:len(want)-1] {
		if _, word := w.lookup([]byte(k)); !word && k != "" {
			t.Errorf("%q not found", k)
		}
	}
}

// TestLexiconFirst checks that lexicon keys are inserted before gse's words
// and so keep the lexicon's frequency and tag where gse has the same word.
func TestLexiconFirst(t *testing.T) {
	b := newTestBuilder()
	if err := b.addLexicon(lexiconFreq); err != nil {
		t.Fatal(err)
	}
	n := len(b.freq)
	if n < 100 {
		t.Fatalf("only %d lexicon keys", n)
	}
	key := string(b.key(0))
	if added, err := b.add(key, 3, "n"); added || err != nil {
		t.Fatalf("re-adding lexicon key %q: added %v, %v", key, added, err)
	}
	if b.freq[0] != lexiconFreq || b.posNames[b.pos[0]] != lexiconPos || len(b.freq) != n {
		t.Errorf("lexicon key %q changed: freq %v pos %q", key, b.freq[0], b.posNames[b.pos[0]])
	}
}

// oldSegment is the segmentation as it was computed over gse's own
// Dictionary (cedar trie lookups of the units, words sorted by length), kept
// to show the trie gives the same cuts, mixed tokens included.
func oldSegment(d *gse.Dictionary, logTotal float64, text []byte, s *segScratch) {
	n := s.start(text)
	units := make([]gse.Text, n)
	for i, u := range s.units {
		units[i] = u
	}
	found := make([]*gse.Token, d.MaxTokenLen())
	for cur := 0; cur < n; cur++ {
		var base float32
		if cur > 0 {
			base = s.dist[cur-1]
		}
		startByte := int32(0)
		if cur > 0 {
			startByte = s.unitEnd[cur-1]
		}
		k := d.LookupTokens(units[cur:min(cur+d.MaxTokenLen(), n)], found)
		single := false
		end := cur
		for _, tok := range found[:k] {
			stop := startByte + int32(len(tok.Text()))
			for end < n && s.unitEnd[end] < stop {
				end++
			}
			if end == n || s.unitEnd[end] != stop {
				continue
			}
			single = single || end == cur
			if c := base + float32(logTotal-math.Log2(tok.Freq())); c < s.dist[end] {
				s.dist[end], s.from[end] = c, int32(cur)
			}
		}
		if !single {
			if c := base + unknownCost; c < s.dist[cur] {
				s.dist[cur], s.from[cur] = c, int32(cur)
			}
		}
	}
	s.backtrack()
}

// mixedShapes are mixed tokens of the shapes split cuts as one unit, and
// their near misses (a dot without a digit after it, % after a letter,
// full-width forms the fold turns into them), for the made-up paragraphs.
var mixedShapes = []string{
	"3.8%", "0.5", "PM2.5", "5G+", "C++", "1.2.3", "6.5%-7%", "2.", ".5",
	"a.b", "x%", "4+1", "++", "10%%", "3+x", "v1.2", "2.0版", "ai+",
	"ＰＭ２．５", "１０％", "增长６．５％", "ＧＤＰ＋",
}

// madeUpMixed returns n paragraphs: stretches of seed paragraphs with one to
// four of words and mixedShapes put in at random places, so that mixed
// tokens meet Chinese, digits, letters and each other whichever corpora are
// present.
func madeUpMixed(seeds, words []string, n int) []string {
	rng := rand.New(rand.NewPCG(17, 3))
	pieces := append(slices.Clone(words), mixedShapes...)
	out := make([]string, 0, n)
	for len(out) < n {
		r := []rune(seeds[rng.IntN(len(seeds))])
		if len(r) > 80 {
			lo := rng.IntN(len(r) - 80)
			r = r[lo : lo+80]
		}
		for k := 1 + rng.IntN(4); k > 0; k-- {
			at := rng.IntN(len(r) + 1)
			r = slices.Insert(r, at, []rune(pieces[rng.IntN(len(pieces))])...)
		}
		out = append(out, string(r))
	}
	return out
}

// TestSegmentMatchesOldLookup cuts every seed, national and scraped
// paragraph — those with mixed tokens (. % +) included — and made-up
// paragraphs full of mixed tokens with the trie and with the lookups over
// gse's Dictionary it replaces: the cuts must be identical. Each source must
// bring enough paragraphs with mixed tokens; the shared corpora are
// compared when present.
func TestSegmentMatchesOldLookup(t *testing.T) {
	b, err := defaultDict()
	if err != nil {
		t.Fatal(err)
	}
	w := b.wordDict(false)
	d := gseSegmenter().Dict
	total := d.TotalFreq()
	var joined []string // the dictionary's words that hold a joiner
	for i := range d.Tokens {
		if d.Tokens[i].Pos() == lexiconPos {
			total -= d.Tokens[i].Freq()
		}
		if s := d.Tokens[i].Text(); strings.ContainsAny(s, ".%+") {
			joined = append(joined, s)
		}
	}
	if len(joined) < 20 {
		t.Fatalf("only %d dictionary words hold . %% or +", len(joined))
	}
	logTotal := math.Log2(total)
	seeds := seedParagraphs(t)
	// The floors sit well below today's counts (95 + 300, 603, 6568).
	sources := []struct {
		name  string
		paras []string
		floor int
	}{
		{"seeds and made-up paragraphs", append(seeds, madeUpMixed(seeds, joined, 300)...), 350},
		{"national", nationalParagraphs(t), 500},
		{"national-noisy", sharedParagraphs(t, "national-noisy", "*"), 5000},
	}
	var fb foldBuf
	var got, want segScratch
	for _, src := range sources {
		if src.paras == nil {
			continue // absent, logged
		}
		mixed := 0
		for _, p := range src.paras {
			fb.fold([]byte(p))
			w.segment(fb.text, &got)
			oldSegment(d, logTotal, fb.text, &want)
			if !slices.Equal(got.segments, want.segments) {
				t.Fatalf("%s: paragraph %q:\n got %v\nwant %v", src.name, p, got.segments, want.segments)
			}
			if bytes.ContainsAny(fb.text, ".%+") {
				mixed++
			}
		}
		t.Logf("%s: %d paragraphs (%d with . %% or +) cut alike", src.name, len(src.paras), mixed)
		if mixed < src.floor {
			t.Errorf("%s: only %d paragraphs with mixed-token joiners, want %d", src.name, mixed, src.floor)
		}
	}
}

// FuzzDictText loads a fuzzed dictionary text both ways and cuts a fuzzed
// text with both: the words, totals and cuts must agree with gse's.
func FuzzDictText(f *testing.F) {
	f.Add(dictQuirks, "一网通办放管服PM2.5区长于勇12345热线ab型x光")
	f.Add("中国 10 n\n中国人 5 n\n国人 3 n\n人 2 n", "中国人民")
	f.Add("a 3 n\nab 3 n\na.b 4 n\n3.8% 5 m", "ab a.b 3.8%+ab++")
	f.Fuzz(func(t *testing.T, dict, text string) {
		if len(dict) > 1<<12 || len(text) > 1<<10 || strings.Contains(dict, "\x00") {
			return // gse's trie keeps values under the byte 0
		}
		b := newTestBuilder()
		if err := b.addText(dict); err != nil {
			t.Fatal(err)
		}
		if b.hasEmpty {
			// An empty key corrupts gse's trie: later duplicates are no
			// longer found, so gse is no reference for such a dictionary.
			// gse's own dictionary has none (TestDictMatchesGse).
			return
		}
		seg := gseLoad(dict)
		checkSameWords(t, b, seg.Dict)
		w := b.wordDict(true)
		var fb foldBuf
		fb.fold([]byte(text))
		var got, want segScratch
		w.segment(fb.text, &got)
		oldSegment(seg.Dict, math.Log2(seg.Dict.TotalFreq()), fb.text, &want)
		if !slices.Equal(got.segments, want.segments) {
			t.Fatalf("text %q:\n got %v\nwant %v", fb.text, got.segments, want.segments)
		}
	})
}
