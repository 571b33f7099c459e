package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"govsearch/ingest"
)

// storedParagraph is the stored form of a paragraph: no id (the document id
// is the paragraph id) and no report metadata (the report document has it).
//
// It is stored in a compact binary form rather than JSON: every search
// decodes the record of each hit it returns, and the export decodes one per
// matching paragraph, so decoding must be cheap. The form is a format byte,
// then the fields in declaration order, each string as a uvarint length and
// its bytes, each integer as a uvarint.
type storedParagraph struct {
	ReportID   string
	Ordinal    int
	Part       string
	PartKind   string
	Section    string
	Kind       string
	Term       string
	Definition string
	Text       string
	Start      int
	End        int
}

// recordFormat is the first byte of every stored paragraph; a reader that
// finds another value refuses the record instead of misreading it.
const recordFormat = 1

func newStoredParagraph(p *ingest.Paragraph) storedParagraph {
	return storedParagraph{
		ReportID: p.ReportID, Ordinal: p.Ordinal, Part: p.Part, PartKind: p.PartKind,
		Section: p.Section, Kind: p.Kind, Term: p.Term, Definition: p.Definition,
		Text: p.Text, Start: p.Start, End: p.End,
	}
}

// paragraph returns the paragraph with id.
func (s *storedParagraph) paragraph(id string) ingest.Paragraph {
	return ingest.Paragraph{
		ID: id, ReportID: s.ReportID, Ordinal: s.Ordinal, Part: s.Part, PartKind: s.PartKind,
		Section: s.Section, Kind: s.Kind, Term: s.Term, Definition: s.Definition,
		Text: s.Text, Start: s.Start, End: s.End,
	}
}

// strings returns pointers to the string fields in stored order.
func (s *storedParagraph) strings() [8]*string {
	return [8]*string{&s.ReportID, &s.Part, &s.PartKind, &s.Section, &s.Kind, &s.Term, &s.Definition, &s.Text}
}

// marshal appends the stored form of s to dst.
func (s *storedParagraph) marshal(dst []byte) []byte {
	dst = append(dst, recordFormat)
	for i, f := range s.strings() {
		if i == 1 {
			dst = binary.AppendUvarint(dst, uint64(s.Ordinal))
		}
		dst = binary.AppendUvarint(dst, uint64(len(*f)))
		dst = append(dst, *f...)
	}
	dst = binary.AppendUvarint(dst, uint64(s.Start))
	return binary.AppendUvarint(dst, uint64(s.End))
}

var errRecord = errors.New("malformed stored record")

// unmarshal reads the stored form in raw into s. The strings of s share
// raw's memory.
func (s *storedParagraph) unmarshal(raw string) error {
	if len(raw) == 0 || raw[0] != recordFormat {
		return fmt.Errorf("%w: unknown format", errRecord)
	}
	r := recordReader{raw: raw, off: 1}
	for i, f := range s.strings() {
		if i == 1 {
			s.Ordinal = r.int()
		}
		*f = r.string()
	}
	s.Start, s.End = r.int(), r.int()
	if r.bad || r.off != len(raw) {
		return errRecord
	}
	return nil
}

// recordReader decodes uvarints and strings from a stored record; the first
// error sticks in bad and later reads return zero values.
type recordReader struct {
	raw string
	off int
	bad bool
}

func (r *recordReader) uvarint() uint64 {
	var v uint64
	for shift := uint(0); !r.bad; shift += 7 {
		if r.off >= len(r.raw) || shift > 63 {
			r.bad = true
			break
		}
		b := r.raw[r.off]
		r.off++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	return 0
}

func (r *recordReader) int() int {
	v := r.uvarint()
	if v > math.MaxInt32 {
		r.bad = true
		return 0
	}
	return int(v)
}

func (r *recordReader) string() string {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.raw)-r.off) {
		r.bad = true
		return ""
	}
	s := r.raw[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}
