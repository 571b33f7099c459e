package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Errors for input that is not a report file. They are wrapped in a
// FileError naming the file.
var (
	ErrEmpty      = errors.New("empty file")
	ErrBinary     = errors.New("binary file, not text")
	ErrNotChinese = errors.New("not Chinese text")
	ErrNoReport   = errors.New("no government work report found")
)

// Decode turns a raw file into UTF-8 text. It accepts UTF-8 with or without
// a byte-order mark, UTF-16 with a byte-order mark, and GB18030/GBK (chosen
// when the bytes are not valid UTF-8 but decode cleanly as GB18030). The
// BOM is removed; nothing else is changed, so offsets into the returned
// string are the offsets Paragraph.Start and Paragraph.End refer to.
// Decode also reports the encoding it chose ("utf-8", "utf-16", "gb18030").
func Decode(data []byte) (string, string, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return "", "", ErrEmpty
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return "", "", fmt.Errorf("%w: bad UTF-16: %v", ErrBinary, err)
		}
		return checkText(string(bytes.TrimPrefix(out, []byte{0xEF, 0xBB, 0xBF})), "utf-16")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", "", fmt.Errorf("%w (contains NUL bytes)", ErrBinary)
	}
	if utf8.Valid(data) {
		return checkText(string(data), "utf-8")
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", fmt.Errorf("%w: neither UTF-8 nor GB18030", ErrBinary)
	}
	return checkText(string(out), "gb18030")
}

// checkText rejects decoded text that is binary junk or not Chinese.
func checkText(s, enc string) (string, string, error) {
	var ctrl, han, total int
	for _, r := range s {
		total++
		switch {
		case r == utf8.RuneError:
			ctrl++
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f' && r != '\v':
			ctrl++
		case unicode.Is(unicode.Han, r):
			han++
		}
	}
	if ctrl*20 > total {
		return "", "", fmt.Errorf("%w (%d of %d characters are control or undecodable)", ErrBinary, ctrl, total)
	}
	if han < 20 {
		return "", "", fmt.Errorf("%w (%d Han characters)", ErrNotChinese, han)
	}
	return s, enc, nil
}

// cleaned is the decoded text with debris removed, plus for every kept byte
// its offset in the decoded text. Line breaks are normalised to "\n".
type cleaned struct {
	text string
	off  []int32 // off[i] = offset in the decoded text of text[i]
}

// span maps the cleaned byte range [a,b) back to the decoded text.
func (c *cleaned) span(a, b int) (int, int) {
	if b <= a {
		return int(c.off[a]), int(c.off[a])
	}
	return int(c.off[a]), int(c.off[b-1]) + 1
}

// clean removes control characters, zero-width characters and literal
// escape debris such as "<U+00A0>" (which stands for a space and becomes
// one), and turns CRLF and CR into LF. Everything else is kept as it is.
func clean(s string) *cleaned {
	var b []byte
	off := make([]int32, 0, len(s))
	b = make([]byte, 0, len(s))
	add := func(str string, at int) {
		for k := 0; k < len(str); k++ {
			b = append(b, str[k])
			off = append(off, int32(at+k))
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' {
			if n, r := escapeDebris(s[i:]); n > 0 {
				if isSpaceRune(r) {
					// Keep one space at the debris position so words stay apart.
					b = append(b, ' ')
					off = append(off, int32(i))
				} else if r != 0 && !dropRune(r) {
					// Debris for a visible character: keep it as the literal text
					// so offsets stay honest, but this is rare in practice.
					add(s[i:i+n], i)
				}
				i += n
				continue
			}
		}
		if c == '\r' {
			b = append(b, '\n')
			off = append(off, int32(i))
			if i+1 < len(s) && s[i+1] == '\n' {
				i += 2
			} else {
				i++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\t' || r == '\f' || r == '\v' {
			b = append(b, ' ')
			off = append(off, int32(i))
			i += size
			continue
		}
		if dropRune(r) {
			i += size
			continue
		}
		add(s[i:i+size], i)
		i += size
	}
	return &cleaned{text: string(b), off: off}
}

// dropRune reports characters that carry no text: controls (except LF),
// invisible characters and replacement characters.
func dropRune(r rune) bool {
	if r == '\n' {
		return false
	}
	return InvisibleRune(r) || r == utf8.RuneError || r < 0x20 || (r >= 0x7F && r < 0xA0)
}

// InvisibleRune reports characters that carry no text: zero-width
// characters, byte order marks, soft hyphens and bidirectional controls.
// Documents lose them on ingest; a query must lose them too, or a pasted
// zero-width space would match nothing.
func InvisibleRune(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x00AD, 0x061C:
		return true
	}
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// escapeDebris recognises "<U+XXXX>" at the start of s (4 to 6 hex digits)
// and returns its length and the code point it names.
func escapeDebris(s string) (int, rune) {
	if len(s) < 8 || s[1] != 'U' || s[2] != '+' {
		return 0, 0
	}
	var r rune
	for i := 3; i < len(s) && i < 10; i++ {
		c := s[i]
		switch {
		case c == '>' && i >= 7:
			return i + 1, r
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		default:
			return 0, 0
		}
	}
	return 0, 0
}

// isSpaceRune reports whitespace including the ideographic space and NBSP.
func isSpaceRune(r rune) bool {
	return r == ' ' || r == '\t' || r == 0x3000 || r == 0xA0 || r == 0x2002 || r == 0x2003 || r == 0x2009 || r == 0x202F || unicode.IsSpace(r) && r != '\n'
}
