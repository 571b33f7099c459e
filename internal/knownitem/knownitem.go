// Package knownitem simulates known-item queries over report paragraphs and
// scores rankings by them, after the method of Azzopardi, de Rijke and
// Balog ("Building simulated queries for known-item topics", SIGIR 2007): a
// query is drawn from one paragraph — the item its user knows and wants
// back — as a few pieces of the paragraph joined by words it lacks, plus
// one more word it lacks, the way a person half-remembers a passage and
// phrases a question around it. A ranking is good when it returns that
// paragraph high.
//
// The method here, with a fixed seed:
//
//   - Targets are body, list and glossary paragraphs of at least
//     Config.MinChars normalised characters and eight words (the word
//     analyzer's words), drawn uniformly without replacement.
//   - Two or three pieces, each one to three consecutive words that stand
//     side by side in the text (no punctuation between them), not
//     overlapping, taken in the paragraph's order.
//   - Between two pieces a word the paragraph lacks (not a substring of its
//     normalised text), and one more such word before or after the whole.
//     These words are drawn from the collection's words of two or more
//     characters with a Han character, in proportion to their frequency
//     (the "popular" background model of the paper).
//   - The query is the pieces and words written together, without spaces,
//     as natural-language queries in Chinese are typed.
package knownitem

import (
	"math/rand"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"govsearch/analyzer"
	"govsearch/ingest"
)

// Paragraph is a paragraph of the collection.
type Paragraph struct {
	ID   string
	Kind string // ingest.Kind*
	Text string
}

// Query is a simulated query and the paragraph it was drawn from.
type Query struct {
	Text    string
	Target  string   // the paragraph's id
	Pieces  []string // the pieces of the paragraph, in order
	Lacking []string // the words the paragraph lacks, in query order
}

// Config sets the generation.
type Config struct {
	Seed int64
	N    int // queries; fewer when fewer paragraphs qualify
	// MinChars is the shortest target paragraph in normalised characters;
	// 0 means 60.
	MinChars int
}

// words returns the word analyzer's tokens of text.
func words(text string) []analyzer.Token { return analyzer.Tokens(text) }

// background is the collection's distribution of joining words.
type background struct {
	words []string
	cum   []int // cumulative frequency
}

func (b *background) draw(rng *rand.Rand) string {
	x := rng.Intn(b.cum[len(b.cum)-1])
	return b.words[sort.SearchInts(b.cum, x+1)]
}

// joining reports whether a word may join pieces: two or more characters,
// one of them Han.
func joining(w string) bool {
	return utf8.RuneCountInString(w) >= 2 && strings.IndexFunc(w, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// Generate draws cfg.N queries from paras.
func Generate(paras []Paragraph, cfg Config) []Query {
	if cfg.MinChars == 0 {
		cfg.MinChars = 60
	}
	rng := rand.New(rand.NewSource(cfg.Seed))
	freq := map[string]int{}
	toks := make([][]analyzer.Token, len(paras))
	var eligible []int
	for i, p := range paras {
		toks[i] = words(p.Text)
		for _, t := range toks[i] {
			if joining(t.Term) {
				freq[t.Term]++
			}
		}
		target := p.Kind == ingest.KindBody || p.Kind == ingest.KindList || p.Kind == ingest.KindGlossary
		if target && utf8.RuneCountInString(analyzer.Normalize(p.Text)) >= cfg.MinChars && len(toks[i]) >= 8 {
			eligible = append(eligible, i)
		}
	}
	bg := &background{}
	for w := range freq {
		bg.words = append(bg.words, w)
	}
	sort.Strings(bg.words) // map order must not reach the random draws
	total := 0
	for _, w := range bg.words {
		total += freq[w]
		bg.cum = append(bg.cum, total)
	}
	if total == 0 {
		return nil
	}
	rng.Shuffle(len(eligible), func(i, j int) { eligible[i], eligible[j] = eligible[j], eligible[i] })
	var out []Query
	for _, i := range eligible {
		if len(out) == cfg.N {
			break
		}
		if q, ok := draw(rng, paras[i], toks[i], bg); ok {
			out = append(out, q)
		}
	}
	return out
}

// draw makes one query from paragraph p with words toks.
func draw(rng *rand.Rand, p Paragraph, toks []analyzer.Token, bg *background) (Query, bool) {
	q := Query{Target: p.ID}
	norm := analyzer.Normalize(p.Text)
	k := 2 + rng.Intn(2)
	used := make([]bool, len(toks))
	type piece struct{ at, end int } // token indexes [at, end)
	var pieces []piece
	for tries := 0; len(pieces) < k && tries < 50; tries++ {
		at := rng.Intn(len(toks))
		if used[at] {
			continue
		}
		end := at + 1
		for want := 1 + rng.Intn(3); end-at < want && end < len(toks) && !used[end] && toks[end].Start == toks[end-1].End; end++ {
		}
		for j := at; j < end; j++ {
			used[j] = true
		}
		pieces = append(pieces, piece{at, end})
	}
	if len(pieces) < 2 {
		return q, false
	}
	sort.Slice(pieces, func(a, b int) bool { return pieces[a].at < pieces[b].at })
	lacking := func() (string, bool) {
		for tries := 0; tries < 100; tries++ {
			if w := bg.draw(rng); !strings.Contains(norm, w) {
				return w, true
			}
		}
		return "", false
	}
	var parts []string
	for i, pc := range pieces {
		if i > 0 {
			w, ok := lacking()
			if !ok {
				return q, false
			}
			parts = append(parts, w)
			q.Lacking = append(q.Lacking, w)
		}
		var b strings.Builder
		for _, t := range toks[pc.at:pc.end] {
			b.WriteString(t.Term)
		}
		parts = append(parts, b.String())
		q.Pieces = append(q.Pieces, b.String())
	}
	w, ok := lacking()
	if !ok {
		return q, false
	}
	if rng.Intn(2) == 0 {
		parts = append([]string{w}, parts...)
		q.Lacking = append([]string{w}, q.Lacking...)
	} else {
		parts = append(parts, w)
		q.Lacking = append(q.Lacking, w)
	}
	q.Text = strings.Join(parts, "")
	return q, true
}

// Targets maps each paragraph id to the ids of the paragraphs with the same
// normalised text (itself included): a ranking that returns any of them
// has returned the item.
func Targets(paras []Paragraph) map[string][]string {
	byText := map[string][]string{}
	for _, p := range paras {
		n := analyzer.Normalize(p.Text)
		byText[n] = append(byText[n], p.ID)
	}
	out := make(map[string][]string, len(paras))
	for _, ids := range byText {
		for _, id := range ids {
			out[id] = ids
		}
	}
	return out
}

// Rank returns the 1-based rank of the first of ids that is one of
// targets, or 0 when none is.
func Rank(ids, targets []string) int {
	for i, id := range ids {
		for _, t := range targets {
			if id == t {
				return i + 1
			}
		}
	}
	return 0
}

// Scores are the measures of a run over queries.
type Scores struct {
	Queries int
	// MRR is the mean reciprocal rank, counting ranks past Cutoff as 0.
	MRR float64
	// Success is the share of queries whose item is within Cutoff.
	Success float64
	Cutoff  int
}

// Score summarises ranks (1-based, 0 for not returned) at cutoff.
func Score(ranks []int, cutoff int) Scores {
	s := Scores{Queries: len(ranks), Cutoff: cutoff}
	if len(ranks) == 0 {
		return s
	}
	for _, r := range ranks {
		if r > 0 && r <= cutoff {
			s.MRR += 1 / float64(r)
			s.Success++
		}
	}
	s.MRR /= float64(len(ranks))
	s.Success /= float64(len(ranks))
	return s
}
