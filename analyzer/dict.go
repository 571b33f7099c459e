package analyzer

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// The word dictionary is a trie stored in one open-addressing hash table of
// 64-bit slots: a slot is the edge from a parent node to a child node along
// one rune. A lookup steps from node to node, one probe per rune, and never
// compares key bytes. Nothing in it holds a pointer, so the garbage
// collector never scans it, and it is built straight from the dictionary
// text in one pass.
//
// Slot layout (0 is an empty slot; a used slot has a non-zero rune code):
//
//	bits  0–20  rune code: rune+1, or 0x110001+b for an invalid byte b
//	bits 21–40  parent node id (rootID for the first rune of a key)
//	bits 41–60  child node id
//	bit  61     the child is a word
//	bit  62     the child has children
const (
	codeBits  = 21
	idBits    = 20
	codeMask  = 1<<codeBits - 1
	idMask    = 1<<idBits - 1
	edgeMask  = 1<<(codeBits+idBits) - 1 // code and parent: the slot's key
	idShift   = codeBits + idBits
	wordBit   = 1 << 61
	kidsBit   = 1 << 62
	rootID    = idMask // the root has no slot; its id is reserved
	maxNodes  = rootID // node ids are 0 … maxNodes-1
	badByte   = utf8.MaxRune + 2
	hashMul   = 0x9E3779B97F4A7C15 // 2^64 / golden ratio, odd
	minSlots  = 1 << 10
	gseMinTok = 2.0 // gse's MinTokenFreq after Segmenter.Init
)

// runeCode returns the trie code of the rune that starts text[i:] and its
// size. Invalid bytes get codes of their own, so a code sequence names its
// bytes exactly.
func runeCode(text []byte, i int) (code uint32, size int) {
	c := text[i]
	if c < utf8.RuneSelf {
		return uint32(c) + 1, 1
	}
	r, size := utf8.DecodeRune(text[i:])
	if r == utf8.RuneError && size == 1 {
		return badByte + uint32(c), 1
	}
	return uint32(r) + 1, size
}

// slotHash spreads an edge key over the table (Fibonacci hashing: the
// multiplication's top bits).
func slotHash(edge uint64, shift uint8) int {
	return int((edge * hashMul) >> shift)
}

// wordDict is the segmentation dictionary: the trie of all word keys and the
// cost of every word. It is read-only once built.
type wordDict struct {
	slots []uint64  // the trie's edges (see the slot layout above)
	shift uint8     // 64 - log2(len(slots))
	cost  []float32 // cost[id]: -log2 probability of the word at node id
	// root[code] is the slot of the root's edge along code (0: none) for
	// the codes of the Basic Multilingual Plane: every word lookup starts
	// at the root, and this small array stays in the processor's cache.
	root []uint64
}

// rootCodes is the number of codes with an entry in wordDict.root.
const rootCodes = 0x10000 + 1

// unknownCost is the cost of a character that starts no dictionary word;
// gse uses the same constant.
const unknownCost = 32

// child returns the slot of the edge from node parent along code.
func (w *wordDict) child(parent, code uint32) (uint64, bool) {
	if parent == rootID && code < rootCodes {
		s := w.root[code]
		return s, s != 0
	}
	edge := uint64(parent)<<codeBits | uint64(code)
	mask := len(w.slots) - 1
	for i := slotHash(edge, w.shift); ; i = (i + 1) & mask {
		s := w.slots[i]
		if s&edgeMask == edge {
			return s, true
		}
		if s == 0 {
			return 0, false
		}
	}
}

// lookup returns the node of key and whether key is a word. It is used by
// tests; segment walks the trie itself.
func (w *wordDict) lookup(key []byte) (id uint32, word bool) {
	id = rootID
	var s uint64
	for i := 0; i < len(key); {
		code, size := runeCode(key, i)
		i += size
		var ok bool
		if s, ok = w.child(id, code); !ok {
			return 0, false
		}
		id = uint32(s>>idShift) & idMask
	}
	return id, len(key) > 0 && s&wordBit != 0
}

// dictBuilder builds the trie and collects the words in the order gse's
// Dictionary.AddToken would keep them: the first entry for a key wins and
// later ones change nothing, not even the frequency total.
type dictBuilder struct {
	slots []uint64
	shift uint8
	nodes int // nodes in the trie (the root not counted)

	// Per word, in insertion order.
	freq []float64 // frequency
	pos  []uint8   // index in posNames
	node []uint32  // trie node (rootID for the empty key)
	// Only with keepKeys (tests): keys[keyEnd[i-1]:keyEnd[i]] is word i's key.
	keepKeys bool
	keys     []byte
	keyEnd   []uint32

	posNames []string
	posIndex map[string]uint8
	lastPos  uint8   // index of the previous word's tag (tags come in runs)
	total    float64 // sum of freq in insertion order, as gse sums it
	hasEmpty bool    // the empty key is a word (gse accepts one)
}

// errDictFull reports a dictionary whose trie needs more node ids than a
// slot can hold.
var errDictFull = errors.New("analyzer: word dictionary too large")

// newDictBuilder returns a builder with room for about nodes trie nodes and
// words words.
func newDictBuilder(nodes, words int) *dictBuilder {
	b := &dictBuilder{
		posIndex: map[string]uint8{},
		freq:     make([]float64, 0, words),
		pos:      make([]uint8, 0, words),
		node:     make([]uint32, 0, words),
	}
	b.reserve(nodes)
	return b
}

// reserve makes room for n more nodes at a load factor of at most one half.
func (b *dictBuilder) reserve(n int) {
	need := 2 * (b.nodes + n)
	if need <= len(b.slots) {
		return
	}
	size := max(minSlots, 1<<bits.Len(uint(need-1)))
	old := b.slots
	b.slots = make([]uint64, size)
	b.shift = uint8(64 - bits.TrailingZeros(uint(size)))
	mask := size - 1
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := slotHash(s&edgeMask, b.shift)
		for b.slots[i] != 0 {
			i = (i + 1) & mask
		}
		b.slots[i] = s
	}
}

// keyCode is runeCode over a word as gse keys it: ASCII letters lower-cased
// (gse's SplitTextToWords lower-cases runs of letters and digits, and every
// ASCII letter is in such a run).
func keyCode(text string, i int) (code uint32, size int) {
	c := text[i]
	if c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return uint32(c) + 1, 1
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	if r == utf8.RuneError && size == 1 {
		return badByte + uint32(c), 1
	}
	return uint32(r) + 1, size
}

// add inserts a word under gse's key and reports whether it was new.
func (b *dictBuilder) add(text string, freq float64, pos string) (bool, error) {
	id := uint32(rootID)
	if text == "" {
		if b.hasEmpty {
			return false, nil
		}
		b.hasEmpty = true
	} else {
		b.reserve(len(text))
		mask := len(b.slots) - 1
		last := -1 // slot of the edge into id
		for k := 0; k < len(text); {
			code, size := keyCode(text, k)
			k += size
			edge := uint64(id)<<codeBits | uint64(code)
			i := slotHash(edge, b.shift)
			for b.slots[i] != 0 && b.slots[i]&edgeMask != edge {
				i = (i + 1) & mask
			}
			if b.slots[i] == 0 {
				if b.nodes >= maxNodes {
					return false, fmt.Errorf("%w: more than %d trie nodes", errDictFull, maxNodes)
				}
				b.slots[i] = edge | uint64(b.nodes)<<idShift
				b.nodes++
				if last >= 0 {
					b.slots[last] |= kidsBit
				}
			}
			last = i
			id = uint32(b.slots[i]>>idShift) & idMask
		}
		if b.slots[last]&wordBit != 0 {
			return false, nil
		}
		b.slots[last] |= wordBit
	}
	p := b.lastPos
	if len(b.posNames) == 0 || b.posNames[p] != pos {
		var ok bool
		if p, ok = b.posIndex[pos]; !ok {
			if len(b.posNames) > math.MaxUint8 {
				return false, fmt.Errorf("analyzer: word dictionary has more than %d part-of-speech tags", math.MaxUint8+1)
			}
			p = uint8(len(b.posNames))
			b.posNames = append(b.posNames, pos)
			b.posIndex[pos] = p
		}
		b.lastPos = p
	}
	if b.keepKeys {
		a := len(b.keys)
		b.keys = append(b.keys, text...)
		for i, c := range b.keys[a:] {
			if 'A' <= c && c <= 'Z' {
				b.keys[a+i] = c + 'a' - 'A'
			}
		}
		b.keyEnd = append(b.keyEnd, uint32(len(b.keys)))
	}
	b.freq = append(b.freq, freq)
	b.pos = append(b.pos, p)
	b.node = append(b.node, id)
	b.total += freq
	return true, nil
}

// addLexicon inserts the policy lexicon's keys at frequency freq, as
// newSegmenterFreq adds them to a gse segmenter (no frequency filter).
func (b *dictBuilder) addLexicon(freq float64) error {
	if freq <= 0 {
		return nil
	}
	terms, _ := lexicon()
	for _, t := range terms {
		if key := lexiconKey(t); key != "" {
			if _, err := b.add(key, freq, lexiconPos); err != nil {
				return err
			}
		}
	}
	return nil
}

// addText inserts the words of a gse dictionary text, one "word freq pos"
// line each, exactly as gse's LoadDictStr reads it: fields are separated by
// single spaces, a line without a frequency, with a frequency that does not
// parse or one below gse's minimum of 2 is skipped, and a word of one rune
// always gets frequency 2.
func (b *dictBuilder) addText(text string) error {
	for rest := text; ; {
		line, next, more := strings.Cut(rest, "\n")
		rest = next
		if word, fields, ok := strings.Cut(line, " "); ok {
			freqText, fields, hasPos := strings.Cut(fields, " ")
			pos := ""
			if hasPos {
				pos, _, _ = strings.Cut(fields, " ")
				pos = strings.TrimSpace(pos)
			}
			word = strings.TrimSpace(word)
			// A NaN frequency passes gse's filter too.
			freq, err := strconv.ParseFloat(strings.TrimSpace(freqText), 64)
			if err == nil && !(freq < gseMinTok) {
				if utf8.RuneCountInString(word) < 2 {
					freq = 2
				}
				if _, err := b.add(word, freq, pos); err != nil {
					return err
				}
			}
		}
		if !more {
			return nil
		}
	}
}

// addGse inserts every word of a loaded gse dictionary in its order.
func (b *dictBuilder) addGse(d *gse.Dictionary) error {
	for i := range d.Tokens {
		t := &d.Tokens[i]
		if _, err := b.add(t.Text(), t.Freq(), t.Pos()); err != nil {
			return err
		}
	}
	return nil
}

// wordDict computes the word costs and returns the finished dictionary,
// which shares the builder's trie. Costs are relative to the frequency
// total of gse's own words: the lexicon's large frequencies would otherwise
// raise every word's cost alike and so favour long compounds (国有企业 over
// 国有/企业) everywhere, not only where a lexicon term occurs. With gseCosts
// the total includes the lexicon, as gse's own costs do.
func (b *dictBuilder) wordDict(gseCosts bool) *wordDict {
	total := b.total
	if !gseCosts {
		for i, f := range b.freq {
			if b.posNames[b.pos[i]] == lexiconPos {
				total -= f
			}
		}
	}
	logTotal := math.Log2(total)
	cost := make([]float32, b.nodes)
	for i, f := range b.freq {
		if id := b.node[i]; id != rootID {
			cost[id] = float32(logTotal - math.Log2(f))
		}
	}
	root := make([]uint64, rootCodes)
	for _, s := range b.slots {
		if s != 0 && uint32(s>>codeBits)&idMask == rootID && s&codeMask < rootCodes {
			root[s&codeMask] = s
		}
	}
	return &wordDict{slots: b.slots, shift: b.shift, cost: cost, root: root}
}

// key returns word i's dictionary key (kept with keepKeys only).
func (b *dictBuilder) key(i int) []byte {
	lo := uint32(0)
	if i > 0 {
		lo = b.keyEnd[i-1]
	}
	return b.keys[lo:b.keyEnd[i]]
}

// buildDict reads gse's embedded simplified dictionary text after the
// policy lexicon at frequency lexFreq (0: no lexicon); keepKeys keeps every
// word's key for inspection. If the text is not embedded (gse built with its
// "ne" tag), it loads a gse segmenter the way gse does and copies its words.
func buildDict(lexFreq float64, keepKeys bool) (*dictBuilder, error) {
	if gseSimplified == "" {
		seg := newSegmenterFreq(lexFreq)
		b := newDictBuilder(2*len(seg.Dict.Tokens), len(seg.Dict.Tokens))
		b.keepKeys = keepKeys
		return b, b.addGse(seg.Dict)
	}
	terms, _ := lexicon()
	// About one trie node per ten bytes of dictionary text.
	b := newDictBuilder(len(gseSimplified)/10+8*len(terms), strings.Count(gseSimplified, "\n")+1+len(terms))
	b.keepKeys = keepKeys
	if err := b.addLexicon(lexFreq); err != nil {
		return nil, err
	}
	return b, b.addText(gseSimplified)
}

// newSegmenterFreq builds a gse segmenter over the embedded simplified
// dictionary and the policy lexicon at frequency freq (0: no lexicon),
// without the HMM model. Only the fallback of buildDict and the tests that
// compare with gse use it: it costs seconds and a large pointer-rich heap.
func newSegmenterFreq(freq float64) *gse.Segmenter {
	seg := &gse.Segmenter{NotLoadHMM: true, SkipLog: true}
	seg.Dict = gse.NewDict()
	seg.Init()
	// Lexicon terms go in first: the dictionary keeps the first entry for a
	// key, so the lexicon's frequency wins over gse's own for the same word.
	terms, _ := lexicon()
	for _, t := range terms {
		if key := lexiconKey(t); key != "" && freq > 0 {
			_ = seg.AddToken(key, freq, lexiconPos)
		}
	}
	_ = seg.LoadDictEmbed("zh_s")
	return seg
}
