package index

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"govsearch/ingest"
)

// Concordance (key word in context) orders.
const (
	KWICByPosition = "position" // reports in year order, paragraphs in reading order
	KWICByLeft     = "left"     // by the left context read outward from the match
	KWICByRight    = "right"    // by the right context read onward from the match
)

// Concordance limits.
const (
	DefaultKWICWidth = kwicContext
	MaxKWICWidth     = 200
	// MaxKWICSorted bounds the occurrences sorted by context in one
	// request: they are held in memory to be sorted. In reading order
	// rows stream without a bound.
	MaxKWICSorted = 200000
)

// KWICOptions are the options of a concordance: the order of its rows and
// the characters of context on each side of a match (0 means
// DefaultKWICWidth).
type KWICOptions struct {
	Sort  string
	Width int
}

// KWICRow is one occurrence of a concordance: the paragraph it is in, its
// position there (Offset, in characters from the start of the paragraph),
// the match and up to Width characters of context on each side.
type KWICRow struct {
	ID       string `json:"id"`
	ReportID string `json:"report_id"`
	Region   string `json:"region"`
	Level    string `json:"level"`
	Year     int    `json:"year"`
	Ordinal  int    `json:"ordinal"`
	Offset   int    `json:"offset"`
	Left     string `json:"left"`
	Match    string `json:"match"`
	Right    string `json:"right"`
	URL      string `json:"url"`
}

// KWICSortParam returns the KWICOptions.Sort a sort parameter names;
// empty is KWICByPosition.
func KWICSortParam(s string) (string, error) {
	switch s = strings.TrimSpace(s); s {
	case "", KWICByPosition:
		return KWICByPosition, nil
	case KWICByLeft, KWICByRight:
		return s, nil
	}
	return "", invalid("sort", s, RuleUnknown, fmt.Sprintf("%q is not one of %s, %s, %s", Clip(s), KWICByLeft, KWICByRight, KWICByPosition))
}

// KWICWidthParam reads a width parameter: empty is DefaultKWICWidth,
// otherwise an integer from 1 to MaxKWICWidth.
func KWICWidthParam(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultKWICWidth, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, invalid("width", s, RuleSyntax, fmt.Sprintf("%q is not a whole number of characters", Clip(s)))
	}
	return n, checkKWICWidth(n)
}

func checkKWICWidth(n int) error {
	if n < 1 || n > MaxKWICWidth {
		return invalid("width", strconv.Itoa(n), RuleLimit, fmt.Sprintf("%d is outside 1 to %d characters", n, MaxKWICWidth))
	}
	return nil
}

// KWIC implements Reader: it emits one row per occurrence of the query's
// terms in every matching paragraph (the occurrences Export counts), in the
// order opts.Sort names. By the left context, rows compare their left
// contexts character by character from the one next to the match outward,
// as concordancers do; by the right context, from the one after the match
// onward; ties go to the match, then the other context, then the position.
// Characters compare by code point. A query without a term has nothing to
// align on and is a *ValidationError on q.
func (ix *Index) KWIC(ctx context.Context, req Request, opts KWICOptions, emit func(KWICRow) error) error {
	order, err := KWICSortParam(opts.Sort)
	if err != nil {
		return err
	}
	width := opts.Width
	if width == 0 {
		width = DefaultKWICWidth
	}
	if err := checkKWICWidth(width); err != nil {
		return err
	}
	q, err := ParseQuery(req.Query)
	if err != nil {
		return err
	}
	if len(q.Terms()) == 0 {
		return invalid("q", req.Query, RuleConflict, "a concordance needs a search term to align on, not filters alone")
	}
	var rows []KWICRow
	err = ix.walk(ctx, req, func(rec *ingest.Record, spans []span) error {
		ri := newRuneIndex(rec.Text)
		for _, sp := range spans {
			row := KWICRow{ID: rec.ID, ReportID: rec.ReportID, Region: rec.Region, Level: rec.Level, Year: rec.Year,
				Ordinal: rec.Ordinal, Offset: ri.char(sp.start), URL: ParagraphURL(rec.ReportID, rec.Ordinal)}
			row.Left, row.Match, row.Right = kwic(ri, sp, width)
			if order == KWICByPosition {
				if err := emit(row); err != nil {
					return err
				}
				continue
			}
			if len(rows) == MaxKWICSorted {
				return invalid("sort", order, RuleLimit, fmt.Sprintf("the query has more than %d occurrences, too many to sort by context; narrow it, or sort by %s", MaxKWICSorted, KWICByPosition))
			}
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil || order == KWICByPosition {
		return err
	}
	sortKWIC(rows, order)
	for _, r := range rows {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// sortKWIC orders rows (in reading order) by their left or right context;
// the sort is stable, so rows equal in context keep their position.
func sortKWIC(rows []KWICRow, order string) {
	keys := make([]string, len(rows))
	for i, r := range rows {
		if order == KWICByLeft {
			keys[i] = reverseRunes(r.Left)
		} else {
			keys[i] = r.Right
		}
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ra, rb := &rows[idx[a]], &rows[idx[b]]
		if ka, kb := keys[idx[a]], keys[idx[b]]; ka != kb {
			return ka < kb
		}
		if ra.Match != rb.Match {
			return ra.Match < rb.Match
		}
		if order == KWICByLeft {
			return ra.Right < rb.Right
		}
		return reverseRunes(ra.Left) < reverseRunes(rb.Left)
	})
	sorted := make([]KWICRow, len(rows))
	for i, j := range idx {
		sorted[i] = rows[j]
	}
	copy(rows, sorted)
}

// reverseRunes returns s with its characters in reverse order. UTF-8 byte
// order is code point order, so comparing the results compares the
// characters nearest the end first.
func reverseRunes(s string) string {
	out := make([]byte, 0, len(s))
	for len(s) > 0 {
		_, size := utf8.DecodeLastRuneInString(s)
		out = append(out, s[len(s)-size:]...)
		s = s[:len(s)-size]
	}
	return string(out)
}
