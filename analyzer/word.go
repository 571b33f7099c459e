package analyzer

import (
	"log"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Registered names of the word analyzer and its parts. Like the n-gram
// names they are stored in index mappings and must keep their meaning.
const (
	wordTokenizerName  = "govsearch_word"
	WordAnalyzerName   = "govsearch_word"
	widthFilterName    = "govsearch_width"
	dashFilterName     = "govsearch_dash"
	lowerFilterName    = "govsearch_lower"
	tradSimpFilterName = "govsearch_tradsimp"
)

// The word dictionary: loaded once per process, shared read-only by every
// analysis goroutine afterwards.
var (
	dictOnce     sync.Once
	dictWords    *wordDict
	dictLoadTime time.Duration
)

// Preload starts loading the word dictionary in the background and returns
// at once (load time and heap: README.md, "Measurements"); the n-gram
// analyzer, Normalize, Version and LexiconTerms never wait for it.
func Preload() {
	go WaitReady()
}

// WaitReady blocks until the word dictionary is loaded, loading it in the
// calling goroutine if nobody has started yet. It is safe to call from many
// goroutines.
func WaitReady() {
	dictOnce.Do(loadDict)
}

// LoadTime returns how long loading the word dictionary took, or 0 if it
// has not finished loading.
func LoadTime() time.Duration {
	select {
	case <-dictDone:
		return dictLoadTime
	default:
		return 0
	}
}

var dictDone = make(chan struct{})

func loadDict() {
	start := time.Now()
	b, err := buildDict(lexiconFreq, false)
	if err != nil {
		// Only a change of gse's embedded dictionary can cause this, and
		// the tests load that dictionary.
		panic(err)
	}
	dictWords = b.wordDict(false)
	dictLoadTime = time.Since(start)
	close(dictDone)
}

// lexiconPos is the part-of-speech tag that marks lexicon terms in the
// dictionary.
const lexiconPos = "lex"

// lexiconKey is the dictionary key of a lexicon term: its folded form
// without white space, the form the segmenter sees.
func lexiconKey(term string) string {
	return Normalize(term)
}

// WordTokenizer segments text into words with gse's dictionary (simplified
// Chinese plus the policy lexicon) by the shortest path over word costs —
// the cut gse's Segment makes, computed over our own copy of gse's
// dictionary without gse's per-unit allocations — and without the HMM for
// unknown words.
//
// Segmentation runs on the folded text (FoldRune), so 經濟, 经济 and ＰＭ２．５,
// pm2.5 are cut alike, but every token's Start and End are byte offsets into
// the original input and Positions count tokens from 1. A token's Term is
// its original text with white space removed; the fold filters normalise it.
//
// White space, punctuation and symbols produce no tokens. White space between
// two Chinese characters is ignored (a line break must not split a word);
// any other white space separates tokens.
//
// Mixed tokens are kept whole. A mixed token is a maximal run of letters and
// digits other than Chinese characters (those of one or two UTF-8 bytes:
// Latin, Greek, Cyrillic …, after folding full-width forms) in which
// additionally
//   - a "." between two digits joins them (2.5, 685.59),
//   - a "%" directly after a digit belongs to the number (3.8%),
//   - "+" signs directly after a letter or digit belong to it (AI+, 5G+).
//
// So PM2.5, 5G, 12345, 3.8%, AI+, G60 and the full-width ＰＭ２．５ are one
// token each. A mixed token joins Chinese characters only through a lexicon
// or dictionary word such as 12345热线.
//
// If segmentation panics, Tokenize recovers and falls back to one token per
// letter, digit or Chinese character, so a bad input can never kill the
// process (bleve analyzes in goroutines without recover).
type WordTokenizer struct{}

// Tokenize implements analysis.Tokenizer. It waits for the dictionary.
func (WordTokenizer) Tokenize(input []byte) (stream analysis.TokenStream) {
	if len(input) == 0 {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			fallbacks.Add(1)
			log.Printf("analyzer: word segmentation of %d bytes panicked (%v); using per-character tokens", len(input), r)
			stream = charTokens(input)
		}
	}()
	if len(input) > math.MaxInt32 {
		// Offsets are kept in int32 buffers; no field is ever this large.
		return charTokens(input)
	}
	WaitReady()
	return wordTokens(dictWords, input)
}

// fallbacks counts recovered segmentation panics.
var fallbacks atomic.Int64

// testPanic, when set by a test, makes wordTokens panic to exercise the
// fallback.
var testPanic func([]byte) bool

// foldBuf is the folded text handed to the segmenter plus, for each rune in it, the
// byte span of its source in the original input.
type foldBuf struct {
	text    []byte
	bridged bool    // white space between Chinese characters was dropped
	origLo  []int32 // origLo[k]: original start of the rune that starts at text[k]
	origHi  []int32 // origHi[k]: original end of the rune that ends at text[k]
}

var foldBufPool = sync.Pool{New: func() any { return new(foldBuf) }}

// fold fills b from input: runes folded, white space between two Chinese
// characters dropped, other white space runs reduced to one space, invalid
// bytes replaced by U+FFFD.
func (b *foldBuf) fold(input []byte) {
	n := len(input) + 4
	if cap(b.text) < n {
		b.text = make([]byte, 0, n)
		b.origLo = make([]int32, n+1)
		b.origHi = make([]int32, n+1)
	}
	b.text = b.text[:0]
	b.bridged = false
	prevHan := false
	for i := 0; i < len(input); {
		if cap(b.text)-len(b.text) < utf8.UTFMax {
			b.grow()
		}
		c := input[i]
		if c < utf8.RuneSelf && c > ' ' {
			// ASCII fast path: fold upper case, keep the rest.
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			k := len(b.text)
			b.origLo[k] = int32(i)
			b.text = append(b.text, c)
			b.origHi[k+1] = int32(i + 1)
			prevHan = false
			i++
			continue
		}
		r, size := utf8.DecodeRune(input[i:])
		if isSpace(r) {
			j := i + size
			for j < len(input) {
				r2, s2 := utf8.DecodeRune(input[j:])
				if !isSpace(r2) {
					break
				}
				j += s2
			}
			if j < len(input) && prevHan {
				next, _ := utf8.DecodeRune(input[j:])
				if isHan(FoldRune(next)) {
					b.bridged = true
					i = j
					continue
				}
			}
			k := len(b.text)
			b.origLo[k] = int32(i)
			b.text = append(b.text, ' ')
			b.origHi[k+1] = int32(j)
			prevHan = false
			i = j
			continue
		}
		f := FoldRune(r)
		k := len(b.text)
		b.origLo[k] = int32(i)
		b.text = utf8.AppendRune(b.text, f)
		b.origHi[len(b.text)] = int32(i + size)
		prevHan = isHan(f)
		i += size
	}
}

// grow makes room when folding lengthened the text (an invalid byte becomes
// a three-byte U+FFFD, some simplified characters need four bytes).
func (b *foldBuf) grow() {
	n := 2*cap(b.text) + 8
	t := make([]byte, len(b.text), n)
	copy(t, b.text)
	lo := make([]int32, n+1)
	copy(lo, b.origLo)
	hi := make([]int32, n+1)
	copy(hi, b.origHi)
	b.text, b.origLo, b.origHi = t, lo, hi
}

// isSpace is unicode.IsSpace with fast paths for ASCII and for everything
// above U+3000, the last white space character (Chinese text is there).
func isSpace(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r == ' ' || ('\t' <= r && r <= '\r')
	case r > 0x3000:
		return false
	}
	return unicode.IsSpace(r)
}

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool {
	if r >= 0x4E00 && r <= 0x9FFF {
		return true
	}
	return r >= 0x2E80 && unicode.Is(unicode.Han, r)
}

// isAlnum reports whether r belongs to a mixed token: a letter or digit
// that is not a Chinese character (the same runes gse groups into one unit).
func isAlnum(r rune) bool {
	if r < utf8.RuneSelf {
		return ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z')
	}
	return r < 0x800 && (unicode.IsLetter(r) || unicode.IsNumber(r))
}

// wordTokens segments input with w and builds the token stream.
func wordTokens(w *wordDict, input []byte) analysis.TokenStream {
	if testPanic != nil && testPanic(input) {
		panic("analyzer: test panic")
	}
	fb := foldBufPool.Get().(*foldBuf)
	defer foldBufPool.Put(fb)
	fb.fold(input)
	sc := segScratchPool.Get().(*segScratch)
	defer segScratchPool.Put(sc)
	w.segment(fb.text, sc)
	segs := sc.segments

	tokens := make([]analysis.Token, 0, len(segs)/2)
	arena := make([]byte, 0, len(input))
	for i := 0; i < len(segs); i += 2 {
		lo, hi := segs[i], segs[i+1]
		typ, ok := wordType(fb.text[lo:hi])
		if !ok {
			continue
		}
		start, end := int(fb.origLo[lo]), int(fb.origHi[hi])
		a := len(arena)
		if fb.bridged {
			arena = appendNoSpace(arena, input[start:end])
		} else {
			arena = append(arena, input[start:end]...)
		}
		tokens = append(tokens, analysis.Token{
			Term:     arena[a:len(arena):len(arena)],
			Start:    start,
			End:      end,
			Position: len(tokens) + 1,
			Type:     typ,
		})
	}
	stream := make(analysis.TokenStream, len(tokens))
	for i := range tokens {
		stream[i] = &tokens[i]
	}
	return stream
}

// wordType classifies a folded segment; ok is false for segments without a
// letter, digit or Chinese character (white space, punctuation, symbols).
func wordType(seg []byte) (typ analysis.TokenType, ok bool) {
	digits := true
	for i := 0; i < len(seg); {
		c := seg[i]
		if c < utf8.RuneSelf {
			switch {
			case '0' <= c && c <= '9':
				ok = true
			case 'a' <= c && c <= 'z':
				ok, digits = true, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(seg[i:])
		i += size
		if isHan(r) {
			return analysis.Ideographic, true
		}
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			ok, digits = true, digits && unicode.IsDigit(r)
		}
	}
	if digits {
		return analysis.Numeric, ok
	}
	return analysis.AlphaNumeric, ok
}

// appendNoSpace appends src to dst without its white space runes.
func appendNoSpace(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if !isSpace(rune(c)) {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if !isSpace(r) {
			dst = append(dst, src[i:i+size]...)
		}
		i += size
	}
	return dst
}

// charTokens is the fallback tokenization: one token per letter, digit or
// Chinese character, with exact offsets.
func charTokens(input []byte) analysis.TokenStream {
	var stream analysis.TokenStream
	for i := 0; i < len(input); {
		r, size := utf8.DecodeRune(input[i:])
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r)) {
			stream = append(stream, &analysis.Token{
				Term:     append([]byte(nil), input[i:i+size]...),
				Start:    i,
				End:      i + size,
				Position: len(stream) + 1,
				Type:     analysis.Single,
			})
		}
		i += size
	}
	return stream
}

// Token is one word token as the word analyzer indexes it.
type Token struct {
	Term     string `json:"term"`     // normalised term, as stored in the index
	Text     string `json:"text"`     // the source text, text[Start:End]
	Start    int    `json:"start"`    // byte offset of the first byte in the text
	End      int    `json:"end"`      // byte offset just past the last byte
	Position int    `json:"position"` // 1-based token position
}

// wordAnalyzer is the registered word analyzer: the word tokenizer and the
// fold filter, which applies the width, dash, lower-case and traditional →
// simplified filters in one pass.
var wordAnalyzer = &analysis.DefaultAnalyzer{
	Tokenizer:    WordTokenizer{},
	TokenFilters: []analysis.TokenFilter{FoldFilter{}},
}

// Tokens runs the full word analyzer (tokenizer and fold filters) over text
// and returns its tokens. It waits for the dictionary.
func Tokens(text string) []Token {
	stream := wordAnalyzer.Analyze([]byte(text))
	out := make([]Token, len(stream))
	for i, t := range stream {
		out[i] = Token{Term: string(t.Term), Text: text[t.Start:t.End], Start: t.Start, End: t.End, Position: t.Position}
	}
	return out
}

func init() {
	mustRegister("tokenizer", wordTokenizerName, registry.RegisterTokenizer(wordTokenizerName, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return WordTokenizer{}, nil
	}))
	mustRegister("analyzer", WordAnalyzerName, registry.RegisterAnalyzer(WordAnalyzerName, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return wordAnalyzer, nil
	}))
}
