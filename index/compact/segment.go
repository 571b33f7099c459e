package compact

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"reflect"
	"sort"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
	mmap "github.com/blevesearch/mmap-go"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v16"
)

// segBase is what both segment types share: the zap part, the compact
// section and the union of their fields.
type segBase struct {
	zap    *zap.SegmentBase
	sec    *section
	fields []string
}

func newSegBase(sb *zap.SegmentBase, sec *section) segBase {
	seen := map[string]bool{}
	var names []string
	for _, f := range sb.Fields() {
		if f != "_id" && !seen[f] {
			seen[f] = true
			names = append(names, f)
		}
	}
	for _, f := range sec.fields {
		if !seen[f.name] {
			seen[f.name] = true
			names = append(names, f.name)
		}
	}
	// As zap lists them: _id, then the others sorted.
	sort.Strings(names)
	return segBase{zap: sb, sec: sec, fields: append([]string{"_id"}, names...)}
}

func (s *segBase) zapPart() *zap.SegmentBase { return s.zap }

// Dictionary implements segment.Segment.
func (s *segBase) Dictionary(field string) (segment.TermDictionary, error) {
	if f := s.sec.byName[field]; f != nil {
		return newDictionary(f)
	}
	return s.zap.Dictionary(field)
}

// VisitStoredFields implements segment.Segment.
func (s *segBase) VisitStoredFields(num uint64, visitor segment.StoredFieldValueVisitor) error {
	return s.zap.VisitStoredFields(num, visitor)
}

// DocID implements segment.Segment.
func (s *segBase) DocID(num uint64) ([]byte, error) { return s.zap.DocID(num) }

// Count implements segment.Segment.
func (s *segBase) Count() uint64 { return s.zap.Count() }

// DocNumbers implements segment.Segment.
func (s *segBase) DocNumbers(ids []string) (*roaring.Bitmap, error) { return s.zap.DocNumbers(ids) }

// Fields implements segment.Segment.
func (s *segBase) Fields() []string { return s.fields }

// Thesaurus implements segment.ThesaurusSegment.
func (s *segBase) Thesaurus(name string) (segment.Thesaurus, error) { return s.zap.Thesaurus(name) }

// VisitDocValues implements segment.DocValueVisitable. Compact fields
// have no doc values (New refuses them).
func (s *segBase) VisitDocValues(localDocNum uint64, fields []string, visitor index.DocValueVisitor, optional segment.DocVisitState) (segment.DocVisitState, error) {
	return s.zap.VisitDocValues(localDocNum, fields, visitor, optional)
}

// VisitableDocValueFields implements segment.DocValueVisitable.
func (s *segBase) VisitableDocValueFields() ([]string, error) { return s.zap.VisitableDocValueFields() }

// GetUpdatedFields implements segment.UpdatableSegment.
func (s *segBase) GetUpdatedFields() map[string]*index.UpdateFieldInfo {
	return s.zap.GetUpdatedFields()
}

// SetUpdatedFields implements segment.UpdatableSegment.
func (s *segBase) SetUpdatedFields(info map[string]*index.UpdateFieldInfo) {
	s.zap.SetUpdatedFields(info)
}

// BytesRead implements segment.DiskStatsReporter.
func (s *segBase) BytesRead() uint64 { return s.zap.BytesRead() }

// ResetBytesRead implements segment.DiskStatsReporter.
func (s *segBase) ResetBytesRead(v uint64) { s.zap.ResetBytesRead(v) }

// FieldStats describes one compact field of a segment.
type FieldStats struct {
	Name        string
	Positions   bool
	Terms       uint64 // distinct terms
	Occurrences uint64 // positions, or documents without positions
	Tokens      uint64 // sum of the documents' field lengths
	// Bytes of the postings, the term dictionary and the doc table.
	PostingsBytes, DictionaryBytes, DocTableBytes uint64
}

// SectionStats returns the compact fields' statistics and the size of the
// whole compact section (directory and footer included).
func (s *segBase) SectionStats() ([]FieldStats, uint64) {
	var out []FieldStats
	for _, f := range s.sec.fields {
		out = append(out, FieldStats{
			Name: f.name, Positions: f.positional, Terms: f.terms, Occurrences: f.occurrences, Tokens: f.tokens,
			PostingsBytes: f.postingsN, DictionaryBytes: f.fstN, DocTableBytes: f.docsN,
		})
	}
	return out, uint64(len(s.sec.data)) + footerSize
}

var sizeSegBase = int(reflect.TypeFor[segBase]().Size())

// MemSegment is a segment built in memory by New and not yet persisted.
type MemSegment struct {
	segBase
	zapLen uint64 // the zap part's length on disk, footer included
	foot   footer
}

var (
	_ segment.UnpersistedSegment = (*MemSegment)(nil)
	_ segment.UpdatableSegment   = (*MemSegment)(nil)
	_ segment.DocValueVisitable  = (*MemSegment)(nil)
	_ segment.ThesaurusSegment   = (*MemSegment)(nil)
	_ io.WriterTo                = (*MemSegment)(nil)
)

// newMemSegment makes the segment of zap part sb, zapLen bytes once
// written, and section sec with footer ft (less the zap length).
func newMemSegment(sb *zap.SegmentBase, zapLen uint64, sec *section, ft footer) *MemSegment {
	ft.zapLen = zapLen
	return &MemSegment{segBase: newSegBase(sb, sec), zapLen: zapLen, foot: ft}
}

// Persist implements segment.UnpersistedSegment: it writes the file and
// syncs it.
func (s *MemSegment) Persist(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err = s.WriteTo(f); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// WriteTo implements io.WriterTo: the zap part, the section, the footer.
// scorch uses it to copy an index to another directory.
func (s *MemSegment) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	n, err := s.zap.WriteTo(bw)
	if err != nil {
		return n, err
	}
	m, err := bw.Write(s.sec.data)
	n += int64(m)
	if err != nil {
		return n, err
	}
	m, err = bw.Write(s.foot.append(nil))
	n += int64(m)
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// Size implements segment.Segment.
func (s *MemSegment) Size() int { return sizeSegBase + s.zap.Size() + cap(s.sec.data) }

// AddRef implements segment.Segment.
func (s *MemSegment) AddRef() {}

// DecRef implements segment.Segment.
func (s *MemSegment) DecRef() error { return nil }

// Close implements segment.Segment.
func (s *MemSegment) Close() error { return s.zap.Close() }

// BytesWritten implements segment.DiskStatsReporter.
func (s *MemSegment) BytesWritten() uint64 { return s.zap.BytesWritten() + uint64(len(s.sec.data)) }

// FileSegment is a segment opened from its file, which it maps into
// memory.
type FileSegment struct {
	segBase
	path string
	f    *os.File
	mm   mmap.MMap
	foot footer

	mu   sync.Mutex
	refs int64
}

var (
	_ segment.PersistedSegment  = (*FileSegment)(nil)
	_ segment.UpdatableSegment  = (*FileSegment)(nil)
	_ segment.DocValueVisitable = (*FileSegment)(nil)
	_ segment.ThesaurusSegment  = (*FileSegment)(nil)
)

// Open implements scorch.SegmentPlugin. It checks the footer, the zap
// footer, and the checksum of the compact section's directory and doc
// tables; each term dictionary is checked when first used, and the
// postings are decoded with bounds checks (Verify checks every byte).
func (p *Plugin) Open(path string) (segment.Segment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	mm, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	s := &FileSegment{path: path, f: f, mm: mm, refs: 1}
	if err := s.load(); err != nil {
		_ = s.closeFiles()
		return nil, fmt.Errorf("compact: %s: %w", path, err)
	}
	return s, nil
}

func (s *FileSegment) load() error {
	ft, err := parseFooter(s.mm)
	if err != nil {
		return err
	}
	s.foot = ft
	sb, err := openZap(s.mm[:ft.zapLen])
	if err != nil {
		return err
	}
	sec, err := parseSection(s.mm[ft.zapLen:ft.zapLen+ft.sectionLen], ft.dirLen, sb.Count(), ft.metaCRC)
	if err != nil {
		return err
	}
	s.segBase = newSegBase(sb, sec)
	return nil
}

// openZap reads a zap v16 file held in b, as zap's own Open does from its
// footer, after checking that the footer's offsets lie inside b.
func openZap(b []byte) (sb *zap.SegmentBase, err error) {
	if len(b) < zap.FooterSize {
		return nil, fmt.Errorf("%w: zap part of %d bytes", errCorrupt, len(b))
	}
	ft := b[len(b)-zap.FooterSize:]
	be := binary.BigEndian
	numDocs := be.Uint64(ft[0:])
	storedIndexOffset := be.Uint64(ft[8:])
	fieldsIndexOffset := be.Uint64(ft[16:])
	sectionsIndexOffset := be.Uint64(ft[24:])
	chunkMode := be.Uint32(ft[40:])
	version := be.Uint32(ft[44:])
	crc := be.Uint32(ft[48:])
	mem := b[:len(b)-zap.FooterSize]
	if version != zap.Version {
		return nil, fmt.Errorf("%w: zap part of version %d, not %d", errCorrupt, version, zap.Version)
	}
	n := uint64(len(mem))
	if storedIndexOffset > n || fieldsIndexOffset != sectionsIndexOffset || sectionsIndexOffset >= n ||
		numDocs > (n-storedIndexOffset)/8 {
		return nil, fmt.Errorf("%w: zap footer offsets outside its %d bytes", errCorrupt, n)
	}
	// zap's loader trusts its input; a damaged zap part must not take the
	// process down.
	defer func() {
		if r := recover(); r != nil {
			sb, err = nil, fmt.Errorf("%w: zap part: %v", errCorrupt, r)
		}
	}()
	return zap.InitSegmentBase(mem, crc, chunkMode, numDocs, storedIndexOffset, sectionsIndexOffset)
}

// Verify checks the checksum of every byte of the compact section (Open
// checks only its directory and doc tables).
func (s *FileSegment) Verify() error {
	if crc32.Checksum(s.sec.data, castagnoli) != s.foot.sectionCRC {
		return fmt.Errorf("compact: %s: %w: section checksum mismatch", s.path, errCorrupt)
	}
	return nil
}

// Path implements segment.PersistedSegment.
func (s *FileSegment) Path() string { return s.path }

// Size implements segment.Segment: the memory it holds, not the mapped
// file.
func (s *FileSegment) Size() int { return sizeSegBase + s.zap.Size() - cap(s.mm) + len(s.path) }

// AddRef implements segment.Segment.
func (s *FileSegment) AddRef() {
	s.mu.Lock()
	s.refs++
	s.mu.Unlock()
}

// DecRef implements segment.Segment; the last reference unmaps the file.
func (s *FileSegment) DecRef() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs--
	if s.refs == 0 {
		if s.zap != nil {
			_ = s.zap.Close()
		}
		return s.closeFiles()
	}
	return nil
}

// Close implements segment.Segment.
func (s *FileSegment) Close() error { return s.DecRef() }

func (s *FileSegment) closeFiles() error {
	err := s.mm.Unmap()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// BytesWritten implements segment.DiskStatsReporter.
func (s *FileSegment) BytesWritten() uint64 { return 0 }

// release drops the file's pages from the process's resident memory; they
// stay in the page cache, so reading them again costs a minor fault. A
// merge reads every page of its segments once: without this, a build's
// final merge would keep the whole index resident on top of its heap.
func (s *FileSegment) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refs > 0 && len(s.mm) > 0 {
		dontNeed(s.mm)
	}
}
