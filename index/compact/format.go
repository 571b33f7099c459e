package compact

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sort"
	"sync"

	"github.com/blevesearch/vellum"
)

// magic ends every file of this plugin.
const magic = "gsCmpct\x01"

// formatVersion is the version of the section and footer layout; it is
// written in the footer and must equal the plugin's Version.
const formatVersion uint32 = Version

// footerSize is the size of the footer: zap length, section length,
// directory length (8 bytes each), section CRC, metadata CRC, version (4
// each), magic (8).
const footerSize = 8 + 8 + 8 + 4 + 4 + 4 + 8

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// footer is the fixed tail of a file.
type footer struct {
	zapLen, sectionLen, dirLen uint64
	sectionCRC, metaCRC        uint32
}

func (f footer) append(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, f.zapLen)
	b = binary.LittleEndian.AppendUint64(b, f.sectionLen)
	b = binary.LittleEndian.AppendUint64(b, f.dirLen)
	b = binary.LittleEndian.AppendUint32(b, f.sectionCRC)
	b = binary.LittleEndian.AppendUint32(b, f.metaCRC)
	b = binary.LittleEndian.AppendUint32(b, formatVersion)
	return append(b, magic...)
}

// parseFooter reads the footer of a file of size len(file).
func parseFooter(file []byte) (footer, error) {
	if len(file) < footerSize {
		return footer{}, fmt.Errorf("%w: %d bytes, shorter than the footer", errCorrupt, len(file))
	}
	t := file[len(file)-footerSize:]
	if string(t[footerSize-8:]) != magic {
		return footer{}, fmt.Errorf("%w: no compact footer (magic %q)", errCorrupt, t[footerSize-8:])
	}
	if v := binary.LittleEndian.Uint32(t[32:]); v != formatVersion {
		return footer{}, fmt.Errorf("compact: file format version %d, this program reads only version %d: rebuild the index", v, formatVersion)
	}
	f := footer{
		zapLen:     binary.LittleEndian.Uint64(t),
		sectionLen: binary.LittleEndian.Uint64(t[8:]),
		dirLen:     binary.LittleEndian.Uint64(t[16:]),
		sectionCRC: binary.LittleEndian.Uint32(t[24:]),
		metaCRC:    binary.LittleEndian.Uint32(t[28:]),
	}
	body := uint64(len(file) - footerSize)
	if f.zapLen > body || f.sectionLen != body-f.zapLen || f.dirLen > f.sectionLen {
		return footer{}, fmt.Errorf("%w: lengths (zap %d, section %d, directory %d) do not add up to %d bytes",
			errCorrupt, f.zapLen, f.sectionLen, f.dirLen, len(file))
	}
	return f, nil
}

// fieldFlagPositions marks a field whose postings keep positions.
const fieldFlagPositions = 1

// fieldEntry is one field's line in the directory: where its parts lie in
// the section and what they hold.
type fieldEntry struct {
	name                   string
	flags                  byte
	postingsOff, postingsN uint64
	fstOff, fstN           uint64
	docsOff, docsN         uint64
	fstCRC                 uint32
	terms, occurrences     uint64 // statistics
	tokens                 uint64 // sum of the documents' lengths
}

func (e *fieldEntry) append(b []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(e.name)))
	b = append(b, e.name...)
	b = append(b, e.flags)
	for _, v := range []uint64{e.postingsOff, e.postingsN, e.fstOff, e.fstN, e.docsOff, e.docsN, e.terms, e.occurrences, e.tokens} {
		b = binary.AppendUvarint(b, v)
	}
	return binary.LittleEndian.AppendUint32(b, e.fstCRC)
}

// encodeDirectory writes the directory: the number of documents and of
// fields, then one entry per field.
func encodeDirectory(numDocs uint64, fields []fieldEntry) []byte {
	b := binary.AppendUvarint(nil, numDocs)
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for i := range fields {
		b = fields[i].append(b)
	}
	return b
}

// byteScanner reads uvarints and byte strings from a buffer, remembering
// the first failure.
type byteScanner struct {
	b   []byte
	err bool
}

func (s *byteScanner) uvarint() uint64 {
	v, n := binary.Uvarint(s.b)
	if n <= 0 {
		s.err = true
		s.b = nil
		return 0
	}
	s.b = s.b[n:]
	return v
}

func (s *byteScanner) bytes(n uint64) []byte {
	if n > uint64(len(s.b)) {
		s.err = true
		s.b = nil
		return nil
	}
	v := s.b[:n]
	s.b = s.b[n:]
	return v
}

// section is a parsed compact section: the compact fields of one segment.
type section struct {
	data    []byte
	numDocs uint64
	fields  []*field // sorted by name
	byName  map[string]*field
}

// field is one compact field of a section.
type field struct {
	fieldEntry
	positional bool
	postings   []byte
	fstBytes   []byte
	docs       docTable

	fstOnce sync.Once
	fst     *vellum.FST
	fstErr  error

	counts  countCache
	bitmaps bitmapCache
}

// loadFST returns the field's term dictionary. The first call checks the
// dictionary's checksum: vellum trusts its input, so a damaged dictionary
// must be refused before it is walked.
func (f *field) loadFST() (*vellum.FST, error) {
	f.fstOnce.Do(func() {
		if crc32.Checksum(f.fstBytes, castagnoli) != f.fstCRC {
			f.fstErr = fmt.Errorf("%w: field %q: term dictionary checksum mismatch", errCorrupt, f.name)
			return
		}
		f.fst, f.fstErr = vellum.Load(f.fstBytes)
		if f.fstErr != nil {
			f.fstErr = fmt.Errorf("%w: field %q: term dictionary: %v", errCorrupt, f.name, f.fstErr)
		}
	})
	return f.fst, f.fstErr
}

// parseSection reads a section of a segment of numDocs documents whose
// directory is its last dirLen bytes. It checks the metadata checksum
// (directory and doc tables) and that every part lies inside the section.
func parseSection(data []byte, dirLen uint64, numDocs uint64, metaCRC uint32) (*section, error) {
	bad := func(format string, args ...any) (*section, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{errCorrupt}, args...)...)
	}
	if dirLen > uint64(len(data)) {
		return bad("directory of %d bytes in a section of %d", dirLen, len(data))
	}
	dir := data[uint64(len(data))-dirLen:]
	s := byteScanner{b: dir}
	n := s.uvarint()
	nf := s.uvarint()
	if s.err || n != numDocs || nf > uint64(len(dir)) {
		return bad("directory header (%d documents, %d fields; the segment has %d documents)", n, nf, numDocs)
	}
	sec := &section{data: data, numDocs: numDocs, byName: map[string]*field{}}
	body := uint64(len(data)) - dirLen
	crc := uint32(0)
	for i := uint64(0); i < nf; i++ {
		var e fieldEntry
		e.name = string(s.bytes(s.uvarint()))
		fl := s.bytes(1)
		e.postingsOff, e.postingsN = s.uvarint(), s.uvarint()
		e.fstOff, e.fstN = s.uvarint(), s.uvarint()
		e.docsOff, e.docsN = s.uvarint(), s.uvarint()
		e.terms, e.occurrences, e.tokens = s.uvarint(), s.uvarint(), s.uvarint()
		c := s.bytes(4)
		if s.err {
			return bad("directory entry %d", i)
		}
		e.flags, e.fstCRC = fl[0], binary.LittleEndian.Uint32(c)
		for _, part := range [][2]uint64{{e.postingsOff, e.postingsN}, {e.fstOff, e.fstN}, {e.docsOff, e.docsN}} {
			if part[0] > body || part[1] > body-part[0] {
				return bad("field %q: part at %d+%d outside the section's %d bytes", e.name, part[0], part[1], body)
			}
		}
		if _, dup := sec.byName[e.name]; dup || e.flags&^fieldFlagPositions != 0 {
			return bad("field %q: duplicate or unknown flags %#x", e.name, e.flags)
		}
		f := &field{
			fieldEntry: e,
			positional: e.flags&fieldFlagPositions != 0,
			postings:   data[e.postingsOff : e.postingsOff+e.postingsN],
			fstBytes:   data[e.fstOff : e.fstOff+e.fstN],
		}
		docs := data[e.docsOff : e.docsOff+e.docsN]
		crc = crc32.Update(crc, castagnoli, docs)
		sec.fields = append(sec.fields, f)
		sec.byName[e.name] = f
	}
	if len(s.b) != 0 {
		return bad("%d bytes after the directory", len(s.b))
	}
	if crc32.Update(crc, castagnoli, dir) != metaCRC {
		return bad("directory or doc table checksum mismatch")
	}
	for _, f := range sec.fields {
		t, err := parseDocTable(data[f.docsOff:f.docsOff+f.docsN], numDocs)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", f.name, err)
		}
		if !f.positional && t.end != 0 {
			return bad("field %q: positions in a field without positions", f.name)
		}
		f.docs = t
	}
	sort.Slice(sec.fields, func(i, j int) bool { return sec.fields[i].name < sec.fields[j].name })
	return sec, nil
}
