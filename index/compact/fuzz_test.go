package compact

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/document"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// fuzzFile returns a small valid segment file: made-up documents with
// skip tables (common is in more than skipEvery documents) and repeated
// positions.
func fuzzFile(t testing.TB) []byte {
	t.Helper()
	texts := []string{"a@1 b@2 a@3", "", "b@1 b@1 c@7", "a@2"}
	var docs []*document.Document
	for i := 0; i < 150; i++ {
		docs = append(docs, madeUpDoc(fmt.Sprint(i), texts[i%len(texts)]+" common@40", "w@1 common@2 common@3"))
	}
	s, _, err := testPlugin(t).New(analyse(docs...))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.(*MemSegment).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// exercise asks a segment's compact fields everything a query can; any
// answer but a panic or a hang is acceptable for damaged input.
func exercise(s segment.Segment) {
	n := s.Count()
	excepts := []*roaring.Bitmap{nil, everyNth(n, 3, 1)}
	for _, f := range testConfig.Fields {
		d, err := s.Dictionary(f.Name)
		if err != nil {
			continue
		}
		_ = d.Cardinality()
		it := d.AutomatonIterator(nil, nil, nil)
		for i := 0; i < 10000; i++ {
			e, err := it.Next()
			if err != nil || e == nil {
				break
			}
			term := []byte(e.Term)
			_, _ = d.Contains(term)
			for _, ex := range excepts {
				pl, err := d.PostingsList(term, ex, nil)
				if err != nil {
					continue
				}
				_ = pl.Count()
				for _, fl := range [][3]bool{{true, true, true}, {true, true, false}, {false, false, false}} {
					pi := pl.Iterator(fl[0], fl[1], fl[2], nil)
					for j := 0; j < 100000; j++ {
						p, err := pi.Next()
						if err != nil || p == nil {
							break
						}
						_, _ = p.Norm(), p.Locations()
					}
				}
				for _, locs := range []bool{true, false} {
					pi := pl.Iterator(true, true, locs, nil)
					for target := uint64(0); target < n+2; target += 5 {
						p, err := pi.Advance(target)
						if err != nil || p == nil {
							break
						}
						target = p.Number()
					}
				}
				if o, ok := pl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator); ok {
					_, _ = o.DocNum1Hit()
					_ = o.ActualBitmap()
				}
			}
		}
	}
}

// FuzzOpen opens damaged files: Open must fail or give a segment whose
// compact fields answer without panicking; a damaged section must not
// pass Verify.
func FuzzOpen(f *testing.F) {
	good := fuzzFile(f)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	p := testPlugin(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "f.zap")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := p.Open(path)
		if err != nil {
			return
		}
		defer s.Close()
		fs := s.(*FileSegment)
		start := fs.foot.zapLen
		if fs.Verify() == nil && start <= uint64(len(good)) && len(data) == len(good) && !bytes.Equal(data[start:], good[start:]) {
			t.Fatal("a damaged compact section passed Verify")
		}
		exercise(s)
	})
}

// FuzzPostings damages the postings of a valid section, which Open does
// not checksum, and asks everything of it: decoding must fail cleanly.
func FuzzPostings(f *testing.F) {
	good := fuzzFile(f)
	ft, err := parseFooter(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{1})
	f.Add([]byte{0xff, 0, 0x80, 7})
	f.Add(bytes.Repeat([]byte{0x55}, 64))
	f.Fuzz(func(t *testing.T, mask []byte) {
		if len(mask) == 0 {
			return
		}
		data := append([]byte(nil), good...)
		sec, err := parseSection(data[ft.zapLen:ft.zapLen+ft.sectionLen], ft.dirLen, 150, ft.metaCRC)
		if err != nil {
			t.Fatal(err)
		}
		for _, fl := range sec.fields {
			for i := range fl.postings {
				fl.postings[i] ^= mask[i%len(mask)]
			}
		}
		sb, err := openZap(data[:ft.zapLen])
		if err != nil {
			t.Fatal(err)
		}
		s := newMemSegment(sb, ft.zapLen, sec, ft)
		exercise(s)
	})
}

// TestOldVersionRefused opens a file whose footer says version 1, the
// format without document lists: Open must refuse it, naming the version.
func TestOldVersionRefused(t *testing.T) {
	b := fuzzFile(t)
	binary.LittleEndian.PutUint32(b[len(b)-12:], 1)
	path := filepath.Join(t.TempDir(), "old.zap")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := testPlugin(t).Open(path)
	if err == nil || !strings.Contains(err.Error(), "version 1") {
		t.Fatalf("Open of a version 1 file: %v, want an error naming version 1", err)
	}
}
