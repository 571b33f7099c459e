package analyzer

import (
	"bytes"
	"slices"
	"testing"
)

// TestSegmentMatchesGse checks the shortest-path segmentation against gse's
// own Segment on every seed paragraph without mixed-token joiners (where
// both use the same units): the cuts must be identical.
func TestSegmentMatchesGse(t *testing.T) {
	b, err := defaultDict()
	if err != nil {
		t.Fatal(err)
	}
	w := b.wordDict(true)
	seg := gseSegmenter()
	var fb foldBuf
	var sc segScratch
	compared := 0
	for _, p := range append(seedParagraphs(t), nationalParagraphs(t)...) {
		fb.fold([]byte(p))
		if bytes.ContainsAny(fb.text, ".%+") {
			continue
		}
		w.segment(fb.text, &sc)
		var want []int32
		for _, s := range seg.Segment(fb.text) {
			want = append(want, int32(s.Start()), int32(s.End()))
		}
		if !slices.Equal(sc.segments, want) {
			t.Fatalf("paragraph %q:\n got %v\nwant %v", p, sc.segments, want)
		}
		compared++
	}
	if compared < 100 {
		t.Fatalf("only %d paragraphs compared", compared)
	}
	t.Logf("%d paragraphs cut exactly as gse cuts them", compared)
}

func TestSplitUnits(t *testing.T) {
	var sc segScratch
	sc.split([]byte("pm2.5浓度3.8%,ai++g60 é1"))
	var got []string
	for _, u := range sc.units {
		got = append(got, string(u))
	}
	want := []string{"pm2.5", "浓", "度", "3.8%", ",", "ai++", "g60", " ", "é1"}
	if !slices.Equal(got, want) {
		t.Errorf("units %q; want %q", got, want)
	}
}
