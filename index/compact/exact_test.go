package compact

import (
	"bytes"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
	"path/filepath"
	"testing"

	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v16"
)

var testCorpora = []string{"seeds", "national"}

func testPlugin(t testing.TB) *Plugin {
	t.Helper()
	p, err := NewPlugin(testConfig)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// zapSegment builds a plain zap v16 segment of docs.
func zapSegment(t testing.TB, docs []index.Document) segment.Segment {
	t.Helper()
	s, _, err := (&zap.ZapPlugin{}).New(docs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// persistOpen writes s to a file in dir and opens it with p.
func persistOpen(t testing.TB, p *Plugin, s segment.Segment, dir, name string) segment.Segment {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := s.(segment.UnpersistedSegment).Persist(path); err != nil {
		t.Fatal(err)
	}
	fs, err := p.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs
}

// mergeOpen merges segs into a file at path and opens it.
func mergeOpen(t testing.TB, p *Plugin, segs []segment.Segment, drops []*roaring.Bitmap, path string) (segment.Segment, [][]uint64) {
	t.Helper()
	newDocNums, _, err := p.Merge(segs, drops, path, make(chan struct{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, newDocNums
}

// TestExactNew builds the same documents into a zap segment and into a
// compact one, in memory and reopened from its file, and compares them.
func TestExactNew(t *testing.T) {
	for _, name := range testCorpora {
		t.Run(name, func(t *testing.T) {
			docs := analysedDocs(corpusParas(t, name))
			want := zapSegment(t, docs)
			p := testPlugin(t)
			got, _, err := p.New(docs)
			if err != nil {
				t.Fatal(err)
			}
			t.Run("memory", func(t *testing.T) { compareSegments(t, want, got, checks{every: 1}) })
			t.Run("file", func(t *testing.T) {
				// The file holds the same bytes: a sample suffices.
				fs := persistOpen(t, p, got, t.TempDir(), "a.zap").(*FileSegment)
				if !bytes.Equal(fs.sec.data, got.(*MemSegment).sec.data) {
					t.Fatal("the file's compact section differs from the segment's")
				}
				if err := fs.Verify(); err != nil {
					t.Fatal(err)
				}
				compareSegments(t, want, fs, checks{every: 17})
			})
		})
	}
}

// TestExactMerge merges compact segments, some documents dropped, and
// compares the result with a zap segment of the surviving documents.
func TestExactMerge(t *testing.T) {
	for _, name := range testCorpora {
		t.Run(name, func(t *testing.T) {
			docs := analysedDocs(corpusParas(t, name))
			p := testPlugin(t)
			dir := t.TempDir()
			// Three segments of unequal size: the first stays in memory,
			// the others are persisted and reopened.
			cuts := []int{0, len(docs) / 5, len(docs) * 3 / 5, len(docs)}
			var segs []segment.Segment
			var drops []*roaring.Bitmap
			var survivors []index.Document
			for i := 0; i+1 < len(cuts); i++ {
				part := docs[cuts[i]:cuts[i+1]]
				s, _, err := p.New(part)
				if err != nil {
					t.Fatal(err)
				}
				if i > 0 {
					s = persistOpen(t, p, s, dir, fmt.Sprintf("%d.zap", i))
				}
				segs = append(segs, s)
				// Drop every (3+i)-th document, and in the last segment a
				// whole run, so that some terms lose every document.
				drop := everyNth(uint64(len(part)), uint64(3+i), uint64(i))
				if i == 2 {
					drop.AddRange(0, uint64(len(part)/4))
				}
				drops = append(drops, drop)
				for d, doc := range part {
					if !drop.Contains(uint32(d)) {
						survivors = append(survivors, doc)
					}
				}
			}
			merged, newDocNums := mergeOpen(t, p, segs, drops, filepath.Join(dir, "merged.zap"))
			next := uint64(0)
			for i, nd := range newDocNums {
				for d, n := range nd {
					if drops[i].Contains(uint32(d)) != (n == dropped) || (n != dropped && n != next) {
						t.Fatalf("segment %d doc %d renumbered %d", i, d, n)
					}
					if n != dropped {
						next++
					}
				}
			}
			// Every term of the seeds, every third of a larger corpus: the
			// merged section is read by the code TestExactNew checks on
			// every term, and a merge without drops is compared byte for
			// byte with New below.
			every := 1
			if name != "seeds" {
				every = 3
			}
			compareSegments(t, zapSegment(t, survivors), merged, checks{fields: testConfig.has, every: every})
			// zap's fields are merged by zap, which for a field that is
			// stored and not indexed counts postings differently after a
			// merge than after New: compare them with zap's own merge.
			zapParts := make([]segment.Segment, len(segs))
			for i, s := range segs {
				zapParts[i] = s.(interface{ zapPart() *zap.SegmentBase }).zapPart()
			}
			zpath := filepath.Join(dir, "zap-merged.zap")
			if _, _, err := (&zap.ZapPlugin{}).Merge(zapParts, drops, zpath, nil, nil); err != nil {
				t.Fatal(err)
			}
			zm, err := (&zap.ZapPlugin{}).Open(zpath)
			if err != nil {
				t.Fatal(err)
			}
			defer zm.Close()
			compareSegments(t, zm, merged, checks{fields: func(f string) bool { return !testConfig.has(f) }})
			if err := merged.(*FileSegment).Verify(); err != nil {
				t.Fatal(err)
			}
			// Without drops, a merge writes the very section New writes
			// for all the documents at once, unless it streamed some term
			// (with estimated Rice parameters).
			all, _ := mergeOpen(t, p, segs, make([]*roaring.Bitmap, len(segs)), filepath.Join(dir, "merged-all.zap"))
			whole, _, err := p.New(docs)
			if err != nil {
				t.Fatal(err)
			}
			streamed := largestCodes(t, whole.(*MemSegment).sec) >= mergeBufferMax
			if !streamed && !bytes.Equal(all.(*FileSegment).sec.data, whole.(*MemSegment).sec.data) {
				t.Fatal("merging every document gives another section than New")
			}
		})
	}
}

// largestCodes returns the largest number of codes of a term of sec.
func largestCodes(t *testing.T, sec *section) uint64 {
	n := uint64(0)
	for _, f := range sec.fields {
		fst, err := f.loadFST()
		if err != nil {
			t.Fatal(err)
		}
		itr, err := fst.Iterator(nil, nil)
		for err == nil {
			_, off := itr.Current()
			ti, terr := readTermInfo(f, off)
			if terr != nil {
				t.Fatal(terr)
			}
			n = max(n, ti.n)
			err = itr.Next()
		}
	}
	return n
}
