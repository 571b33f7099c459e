package web

import (
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"govsearch"
)

// queryPieces are fragments random queries are assembled from: query
// syntax, filters, markup, odd Unicode and broken bytes.
var queryPieces = []string{
	`"`, `""`, " OR ", "OR", " -", "-", " ", "\u3000", "\t", "\n", "region:", "region:静安区", "year:", "year:2020",
	"year:2018..2021", "year:..", "year:20x1", "year:9999999", "level:district", "level:", "part:plan", "kind:glossary",
	"kind:nope", ":", "..", "(", ")", "*", "?", "\\", "/", "+", "~", "^", "&&", "||", "<script>alert(1)</script>",
	"<mark>", "&amp;", "'", "%", "\x00", "\xff\xfe", "\xe4\xb8", "😀", "ＰＭ２．５", "PM2.5", "12345热线", "經濟",
	"“一网通办”", "一网通办", "放管服", "五违四必", "两旧一村", "的", "区长", "a", "Z", "1", "２０２０",
}

// randomQuery returns a query of random pieces and random slices of seed
// text, sometimes longer than the limit.
func randomQuery(r *rand.Rand, seed []string) string {
	var b strings.Builder
	n := r.IntN(8)
	if r.IntN(50) == 0 {
		n = 40 // long queries cross the 256-character and 16-term limits
	}
	for range n {
		if r.IntN(3) == 0 {
			text := seed[r.IntN(len(seed))]
			runes := []rune(text)
			i := r.IntN(len(runes))
			j := min(len(runes), i+1+r.IntN(12))
			b.WriteString(string(runes[i:j]))
		} else {
			b.WriteString(queryPieces[r.IntN(len(queryPieces))])
		}
	}
	return b.String()
}

var (
	randomSizes   = []string{"", "", "", "1", "10", "100", "0", "101", "-1", "abc", "1e3", "9999999999999999999999"}
	randomFroms   = []string{"", "", "", "0", "10", "9990", "9999", "10000", "-5", "1e9", "x"}
	randomYears   = []string{"2020", "2018..2021", "..2019", "2021..", "20x1", "..", "2021..2018", "0", "99999", "２０２０"}
	randomSorts   = []string{"", "relevance", "year", "-year", "foo", "YEAR"}
	randomFacets  = []string{"region", "year,level", "", "nope", "kind,part_kind", ",,,"}
	randomHiLites = []string{"true", "false", "0", "1", "maybe"}
)

// randomRequest builds a GET target for search (mostly), trend or export.
func randomRequest(r *rand.Rand, seed []string) string {
	v := url.Values{}
	v.Set("q", randomQuery(r, seed))
	if r.IntN(4) == 0 {
		v.Set("size", randomSizes[r.IntN(len(randomSizes))])
		v.Set("from", randomFroms[r.IntN(len(randomFroms))])
	}
	if r.IntN(4) == 0 {
		v.Add("year", randomYears[r.IntN(len(randomYears))])
	}
	if r.IntN(6) == 0 {
		v.Add("region", seed[r.IntN(len(seed))][:min(9, len(seed[0]))])
	}
	if r.IntN(6) == 0 {
		v.Set("sort", randomSorts[r.IntN(len(randomSorts))])
	}
	if r.IntN(6) == 0 {
		v.Add("facets", randomFacets[r.IntN(len(randomFacets))])
	}
	if r.IntN(8) == 0 {
		v.Set("highlight", randomHiLites[r.IntN(len(randomHiLites))])
	}
	switch n := r.IntN(100); {
	case n < 88:
		return "/api/search?" + v.Encode()
	case n < 98:
		return "/api/trend?" + v.Encode()
	default:
		v.Set("format", []string{"csv", "jsonl"}[r.IntN(2)])
		return "/api/export?" + v.Encode()
	}
}

// seedLines returns the non-empty lines of the seed corpus.
func seedLines(t testing.TB) []string {
	t.Helper()
	var lines []string
	err := fs.WalkDir(govsearch.SeedReports(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(govsearch.SeedReports(), path)
		for l := range strings.SplitSeq(string(b), "\n") {
			if l = strings.TrimSpace(l); utf8.ValidString(l) && len(l) > 10 {
				lines = append(lines, l)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestRandomQueries sends seeded random query strings through the whole
// HTTP stack over the real seed index: no panic, no 5xx, and every answer
// is a 200 or a 400 with a well-formed body. A request slower than the
// 2 s search timeout would answer 504 and fail the test.
func TestRandomQueries(t *testing.T) {
	n := 10000
	if testing.Short() || raceEnabled {
		n = 1000 // the plain run of the suite sends all 10,000
	}
	ts := newTestServer(t, seedIndex(t), Options{})
	seed := seedLines(t)
	r := rand.New(rand.NewPCG(20240601, 5))
	statuses := map[int]int{}
	for i := range n {
		target := randomRequest(r, seed)
		w := ts.get(t, target)
		statuses[w.Code]++
		switch {
		case w.Code == 200 && strings.HasPrefix(target, "/api/export"):
			if strings.Contains(target, "format=csv") {
				if _, err := csv.NewReader(w.Body).ReadAll(); err != nil {
					t.Fatalf("request %d %s: bad CSV: %v", i, target, err)
				}
			} else {
				for line := range strings.SplitSeq(strings.TrimSpace(w.Body.String()), "\n") {
					if line != "" && !json.Valid([]byte(line)) {
						t.Fatalf("request %d %s: bad JSONL line %q", i, target, line)
					}
				}
			}
		case w.Code == 200:
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("request %d %s: invalid JSON %q", i, target, w.Body)
			}
		case w.Code == 400:
			decodeError(t, w)
		default:
			t.Fatalf("request %d %s: status %d %s\nserver log: %s", i, target, w.Code, w.Body, lastLines(ts.log.String(), 3))
		}
	}
	t.Logf("%d random requests: statuses %v", n, statuses)
	if statuses[200] < n/10 || statuses[400] < n/20 {
		t.Errorf("the generator is lopsided: %v", statuses)
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
