package ingest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// How a file becomes reports and paragraphs:
//
//  1. Decode (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK) and
//     clean: control and zero-width characters and "<U+XXXX>" escape debris
//     are removed, CRLF becomes LF. Offsets keep pointing into the decoded
//     text.
//  2. Cut the text into pieces: one per non-blank line, and a long line is
//     cut again at whitespace that follows the end of a sentence or precedes
//     a heading marker (scraped pages flatten a report onto one line with a
//     space between paragraphs).
//  3. Classify page furniture (navigation, forum panels, post dates, hotline
//     ads, contribution rules, article links, tables of contents, licence
//     notices, font-size and share widgets, source and editor credits,
//     photo captions …) and drop it, counting each dropped piece under its
//     rule name in File.DroppedBy and listing it in File.Drops. A short line
//     without Chinese characters is text when it can be part of a sentence
//     ("PM" / "2.5" / "）年均浓度" from subscript markup, a headword "ESI"),
//     furniture when it is markup, a label or a page number.
//  4. Find reports: a report starts at its header (title, "——2018年1月16日在
//     ……人民代表大会第五次会议上", speaker) around an opening salutation that
//     states the mandate ("各位代表：现在，我代表……向大会报告") or a session
//     line. Anything before the first report is preamble; a bullet link or
//     an "article ended" marker (previous/next links, editor credit, sign-in
//     prompt, licence) closes a report, and what follows it up to the next
//     report header is not part of any report (news items, rules). A title
//     such as "2006年国务院政府工作报告" after a closed report starts a
//     continuation that is kept only if an earlier report of the same region
//     and year exists (a paginated or repeated page).
//     The header lines (title, date and session, speaker) give the
//     metadata and also form the report's first paragraph, a heading, so
//     their text is searchable; page furniture among them is left out.
//  5. Inside a report: headings 一、 and （一） are recognised by their
//     ordinal (they must come in sequence, and a marker right after an
//     unfinished sentence on the same line is text, so "推动区属 二、三级企业"
//     is not a heading) and cut out of run-on text; a body piece that does
//     not end a sentence is joined with the next piece (PDF page breaks,
//     ragged line breaks) without inserting anything; paragraphs longer than
//     MaxParagraphRunes are cut at sentence ends into pieces of about 2,400
//     characters; glossary entries (under 名词解释, 名词注释, 注释, 注解 …;
//     "1、term" then its definition, or "［5］term：definition") become
//     one glossary paragraph each; part headings without numbers
//     ("2024年工作回顾") and headings broken over two lines are parts; repeated
//     paragraphs (12 characters or more) and repeated copies of the same
//     report (same region, level and year) are kept once.
//
// Paragraph offsets: Start and End are byte offsets into the decoded text
// (see Decode). decoded[Start:End] is the paragraph's source span: it begins
// at the paragraph's first character and ends after its last one, and it
// covers every source line the paragraph was joined from (page furniture
// between those lines lies inside the span). Text is that span with line
// breaks and the whitespace around them removed, page furniture and escape
// debris inside it dropped, and, for glossary paragraphs, a single "\n"
// kept between the term line and the definition. Every character of Text
// appears, in order, in the span.

// MaxParagraphRunes is the longest paragraph, in characters, that Parse
// produces; longer run-on text is cut at sentence boundaries.
const MaxParagraphRunes = 3200

// File is the outcome of parsing one input file.
type File struct {
	Source    string         // file name as given
	Encoding  string         // "utf-8", "utf-16" or "gb18030"
	Reports   []Report       // reports found, in file order
	Dropped   int            // boilerplate units dropped
	DroppedBy map[string]int // dropped units per rule name (the Drop* constants)
	Drops     []Drop         // every dropped unit, in the order it was dropped
	Warnings  []string
}

// Drop is one piece of the source that is in no paragraph, and why: a
// researcher can check that nothing but page furniture was left out.
type Drop struct {
	Line int    `json:"line"` // 1-based line of the cleaned text
	Rule string `json:"rule"` // one of the Drop* constants
	Text string `json:"text"`
}

// FileError reports a file that could not be parsed.
type FileError struct {
	Path string
	Line int // 1-based line of the problem, 0 when it concerns the whole file
	Err  error
}

// Error formats the error as "path: message" or "path:line: message".
func (e *FileError) Error() string {
	if e.Line > 0 {
		return e.Path + ":" + strconv.Itoa(e.Line) + ": " + e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying error, one of the Err* values for bad input.
func (e *FileError) Unwrap() error { return e.Err }

// piece is a trimmed run of text, [a,b) in the cleaned text.
type piece struct {
	a, b int
	line int
}

type parser struct {
	source string
	c      *cleaned
	file   *File
	// lineParagraphs: the file puts one paragraph on each line (a Word
	// export), so a long line that ends in a closing quote ends its
	// paragraph too.
	lineParagraphs bool
}

func (p *parser) text(pc piece) string { return p.c.text[pc.a:pc.b] }

// drop records that piece pc is left out of every paragraph under rule.
func (p *parser) drop(rule string, pc piece) {
	p.dropText(rule, pc.line, p.text(pc))
}

func (p *parser) dropText(rule string, line int, text string) {
	p.file.DroppedBy[rule]++
	p.file.Dropped++
	p.file.Drops = append(p.file.Drops, Drop{Line: line, Rule: rule, Text: text})
}

// Parse parses one file's raw bytes. source names the file in metadata and
// errors. It fails with a *FileError for empty, binary or non-Chinese input
// and for text that holds no report.
func Parse(source string, data []byte) (f *File, err error) {
	defer func() {
		// A parser bug must not take down a whole ingest run.
		if r := recover(); r != nil {
			f, err = nil, &FileError{Path: source, Err: fmt.Errorf("internal parser error: %v", r)}
		}
	}()
	dec, enc, err := Decode(data)
	if err != nil {
		return nil, &FileError{Path: source, Err: err}
	}
	p := &parser{source: source, c: clean(dec), file: &File{Source: source, Encoding: enc, DroppedBy: map[string]int{}}}
	if err := p.run(); err != nil {
		return nil, &FileError{Path: source, Err: err}
	}
	return p.file, nil
}

// ---- pieces ----------------------------------------------------------------

// pieces cuts the cleaned text into trimmed lines, and long lines further at
// paragraph-like whitespace.
func (p *parser) pieces() []piece {
	s := p.c.text
	var out []piece
	line := 0
	for start := 0; start <= len(s); {
		end := strings.IndexByte(s[start:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		line++
		out = p.splitLine(out, start, end, line)
		start = end + 1
	}
	return out
}

func (p *parser) splitLine(out []piece, a, b, line int) []piece {
	s := p.c.text
	a, b = trimSpan(s, a, b)
	if a >= b {
		return out
	}
	segStart := a
	for i := a; i < b; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isSpaceRune(r) {
			i += size
			continue
		}
		// A whitespace run [i,j).
		j := i
		for j < b {
			r2, s2 := utf8.DecodeRuneInString(s[j:])
			if !isSpaceRune(r2) {
				break
			}
			j += s2
		}
		prev, _ := utf8.DecodeLastRuneInString(s[segStart:i])
		if segStart < i && (endsSentence(prev) || startsHeading(s[j:b])) {
			out = append(out, piece{a: segStart, b: i, line: line})
			segStart = j
		}
		i = j
	}
	if segStart < b {
		out = append(out, piece{a: segStart, b: b, line: line})
	}
	return out
}

func trimSpan(s string, a, b int) (int, int) {
	for a < b {
		r, size := utf8.DecodeRuneInString(s[a:])
		if !isSpaceRune(r) {
			break
		}
		a += size
	}
	for b > a {
		r, size := utf8.DecodeLastRuneInString(s[a:b])
		if !isSpaceRune(r) {
			break
		}
		b -= size
	}
	return a, b
}

// endsSentence reports punctuation that ends a sentence or a clause that
// introduces what follows (a colon).
func endsSentence(r rune) bool {
	switch r {
	case '。', '！', '？', '!', '?', '；', ';', '：', ':', '…':
		return true
	}
	return false
}

// closedText reports whether text ends a sentence: with sentence
// punctuation, possibly followed by closing quotes or brackets.
func closedText(t string) bool {
	t = strings.TrimRightFunc(t, isSpaceRune)
	for t != "" {
		r, size := utf8.DecodeLastRuneInString(t)
		switch r {
		case '”', '’', '」', '』', '"', '\'', '）', ')', '》', '】':
			t = t[:len(t)-size]
			continue
		}
		return endsSentence(r)
	}
	return false
}

var (
	reTopMarker = regexp.MustCompile(`^([一二三四五六七八九十]{1,3})、`)
	reSecMarker = regexp.MustCompile(`^[（(]([一二三四五六七八九十]{1,3})[）)]`)
	reSubMarker = regexp.MustCompile(`^(?:(\d{1,2})[、．]|(\d{1,2})\.[^\d]|[（(](\d{1,2})[）)]|第([一二三四五六七八九十]{1,3})[，,、：:])`)
	rePartWord  = regexp.MustCompile(`^第([一二三四五六七八九十]{1,3})部分`)
	reNumeral   = regexp.MustCompile(`^[一二三四五六七八九十]{1,3}$`)
)

// startsHeading reports whether s begins with a heading or list marker.
func startsHeading(s string) bool {
	return reTopMarker.MatchString(s) || reSecMarker.MatchString(s) || reSubMarker.MatchString(s) || rePartWord.MatchString(s)
}

// ---- reports ---------------------------------------------------------------

type item struct {
	pc    piece
	kind  chromeKind
	rule  string
	start bool // a report header starts here
}

type segment struct {
	items []int // indexes of content items
	weak  bool
}

var (
	reOpeningSal = regexp.MustCompile(`各位代表(?:[：:！!]|[，,](?:现在|我代表))`)
	reMandate    = regexp.MustCompile(`(?:我(?:现在)?(?:谨)?代表|我受)[^。！]{0,50}?(?:大会|大會|报告|報告|审议|審議)`)
)

// openingAt returns the byte index in t of a report's opening "各位代表：",
// or -1. next is the following piece's text, used when the salutation
// stands alone ("各位代表！" followed by "……我代表国务院……").
func openingAt(t, next string) int {
	loc := reOpeningSal.FindStringIndex(t)
	if loc == nil || utf8.RuneCountInString(t[:loc[0]]) > 150 {
		return -1
	}
	before := t[:loc[0]]
	if strings.ContainsAny(before, "。！？") {
		return -1
	}
	sal := t[loc[0]:loc[1]]
	if strings.HasSuffix(sal, "现在") || strings.HasSuffix(sal, "我代表") {
		return loc[0]
	}
	rest := t[loc[1]:]
	if rest == "" {
		rest = next
	}
	// The salutation opens a report only when the speaker states the
	// mandate right after it ("现在，我代表……"); mid-report salutations
	// ("各位代表！五年来……") are text.
	rest = firstRunes(rest, 110)
	if m := reMandate.FindStringIndex(rest); m != nil && utf8.RuneCountInString(rest[:m[0]]) <= 60 {
		return loc[0]
	}
	return -1
}

func firstRunes(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// reSessionLine is the date line of a report: "——2025年1月16日在…", also
// with the speaker before 在 ("——2025年1月15日某某市长在…") and after a
// source label ("来源：某省人民政府2025年1月17日在…").
var reSessionLine = regexp.MustCompile(`^(?:来源[：:][\p{Han}\s]{0,20}?)?[—─\-–―~～\s]*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:至\d{1,2}日)?\s*[\p{Han}·\s]{0,20}?在`)

// isSessionLine reports a header line stating the meeting at which the
// report was delivered.
func isSessionLine(t string) bool {
	if utf8.RuneCountInString(t) > 120 {
		return false
	}
	f := foldDigits(t)
	if reSessionLine.MatchString(f) && (utf8.RuneCountInString(f) <= 100 || strings.Contains(f, "人民代表大会")) {
		return true
	}
	i := strings.Index(f, "会议上")
	if i < 0 {
		i = strings.Index(f, "会议的")
	}
	tail := strings.TrimRight(f[max(i, 0):], "。")
	return i >= 0 && strings.Contains(f[:i], "人民代表大会") && !strings.ContainsAny(f[:i], "。！？，") && !strings.ContainsAny(tail, "。！？，") && utf8.RuneCountInString(tail) <= 30
}

// paragraphPerLine reports whether most long lines end a sentence, as in
// text with one paragraph per line (in PDF text most lines break inside a
// sentence).
func (p *parser) paragraphPerLine(pcs []piece) bool {
	long, closed := 0, 0
	for _, pc := range pcs {
		if t := p.text(pc); utf8.RuneCountInString(t) >= 40 {
			long++
			if closedText(t) {
				closed++
			}
		}
	}
	return long >= 10 && closed*10 >= long*8
}

// paragraphEndsAt reports whether a paragraph whose text is prev ends at
// the line break before next although prev ends in no full stop: in a file
// with one paragraph per line, a long paragraph that ends in a closing
// quote ("……确保“一泓清水永续北上”") followed by a line that starts a
// paragraph of its own. A short next line ("五项原则") is a ragged break.
func (p *parser) paragraphEndsAt(prev, next string) bool {
	r, _ := utf8.DecodeLastRuneInString(prev)
	return p.lineParagraphs && (r == '”' || r == '’') && utf8.RuneCountInString(prev) >= 40 &&
		utf8.RuneCountInString(next) >= 20 && !startsMidSentence(next) && !startsHeading(next)
}

func endsLatin(t string) bool {
	r, _ := utf8.DecodeLastRuneInString(t)
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// headerLike reports a short line that can belong to a report header.
func headerLike(t string) bool {
	if len(t) > 400 {
		return false
	}
	if titleOf(t) != "" {
		return true
	}
	return utf8.RuneCountInString(t) <= 40 && !strings.ContainsAny(t, "。！？；") && !startsHeading(t)
}

// weakTitle reports a title naming a specific report ("2006年国务院政府工作报告").
func weakTitle(t string) bool {
	tt := titleOf(t)
	return tt != "" && strings.Contains(tt, "工作报告") && reTitleYear.MatchString(tt)
}

// run finds the reports of the cleaned text (steps 2–5 above) and fills
// p.file with them.
func (p *parser) run() error {
	pcs := p.pieces()
	p.lineParagraphs = p.paragraphPerLine(pcs)
	items, content := p.classify(pcs)
	p.markReportStarts(items, content)
	segs, seenReport := p.segments(items)
	if !seenReport {
		// No header anywhere: accept the whole text as one report when it
		// looks like one (a bare report with the header cut off).
		if !p.looksLikeBareReport(items, content) {
			return ErrNoReport
		}
		segs = []*segment{{items: content}}
		p.undropPreamble()
	}
	reports := p.buildReports(items, segs)
	if len(reports) == 0 {
		return ErrNoReport
	}
	p.finish(reports)
	return nil
}

// classify decides for each piece whether it is page furniture and returns
// the items and the indexes of the content items (the pieces kept).
func (p *parser) classify(pcs []piece) (items []item, content []int) {
	items = make([]item, len(pcs))
	toc := false
	for i, pc := range pcs {
		t := p.text(pc)
		items[i].pc = pc
		items[i].kind, items[i].rule = classifyChrome(t)
		// A number after a Latin letter is a subscript ("（PM" / "10" /
		// "）"); elsewhere a number alone on a line is a page number.
		if items[i].rule == DropNonText && i > 0 && reBareNumber.MatchString(t) && endsLatin(p.text(pcs[i-1])) {
			items[i].kind, items[i].rule = chromeNone, ""
		}
		// A table of contents ("目录" and the headings under it) would
		// otherwise be taken for the report's outline.
		switch {
		case t == "目录" || t == "目 录" || t == "目　录":
			items[i].kind, items[i].rule, toc = chromeDrop, DropTOC, true
		case toc && items[i].kind == chromeNone && utf8.RuneCountInString(t) <= 40 && !strings.ContainsAny(t, "。！？；：:"):
			items[i].kind, items[i].rule = chromeDrop, DropTOC
		case items[i].kind == chromeNone:
			toc = false
		}
		if items[i].kind == chromeNone {
			content = append(content, i)
		}
	}
	return items, content
}

// markReportStarts marks the items where a report starts: a header
// cluster around an opening or a session line, extended back over the
// title and short header lines.
func (p *parser) markReportStarts(items []item, content []int) {
	bodySeen := true
	lastStart := -1
	for ci, idx := range content {
		t := p.text(items[idx].pc)
		next := ""
		if ci+1 < len(content) {
			next = p.text(items[content[ci+1]].pc)
		}
		anchor := openingAt(t, next) >= 0 || isSessionLine(t)
		if !anchor {
			if !headerLike(t) {
				bodySeen = true
			}
			continue
		}
		// A news lead between the session line and the opening
		// salutation does not end the header.
		if !bodySeen || lastStart >= 0 && ci-lastStart <= 3 && p.shortBetween(items, content, lastStart, ci) {
			bodySeen = false
			continue
		}
		bodySeen = false
		start := ci
		for k := ci - 1; k > lastStart && ci-k <= 6; k-- {
			kt := p.text(items[content[k]].pc)
			if !headerLike(kt) || p.closedBetween(items, content[k], content[ci]) {
				break
			}
			start = k
		}
		items[content[start]].start = true
		lastStart = ci
	}
}

// segments groups the content items into report segments: one per report
// start, and a weak one per report title after a closed report. Furniture
// and text outside any report are dropped. seenReport says whether any
// report start was found.
func (p *parser) segments(items []item) (segs []*segment, seenReport bool) {
	var cur *segment
	for i := range items {
		it := &items[i]
		switch it.kind {
		case chromeDrop:
			p.drop(it.rule, it.pc)
			continue
		case chromeCloser, chromeBoundary:
			p.drop(it.rule, it.pc)
			cur = nil
			continue
		}
		t := p.text(it.pc)
		if it.start {
			cur = &segment{}
			segs = append(segs, cur)
			seenReport = true
		} else if cur == nil && weakTitle(t) {
			cur = &segment{weak: true}
			segs = append(segs, cur)
		}
		if cur == nil {
			if seenReport {
				p.drop(DropNonReport, it.pc)
			} else {
				p.drop(DropPreamble, it.pc)
			}
			continue
		}
		cur.items = append(cur.items, i)
	}
	return segs, seenReport
}

// undropPreamble takes back the pieces counted as preamble: they are the
// report after all.
func (p *parser) undropPreamble() {
	p.file.Dropped -= p.file.DroppedBy[DropPreamble]
	delete(p.file.DroppedBy, DropPreamble)
	kept := p.file.Drops[:0]
	for _, d := range p.file.Drops {
		if d.Rule != DropPreamble {
			kept = append(kept, d)
		}
	}
	p.file.Drops = kept
}

// buildReports turns the segments into reports. A header without body
// text, and a weak segment that continues no earlier report, are dropped;
// repeated copies and continuation pages are merged into the report they
// repeat.
func (p *parser) buildReports(items []item, segs []*segment) []*Report {
	var reports []*Report
	for _, sg := range segs {
		r, warns := p.buildReport(items, sg)
		switch {
		case r == nil:
			// A header without body text: a page title or a link.
			for _, idx := range sg.items {
				p.drop(DropNonReport, items[idx].pc)
			}
			continue
		case p.mergeDuplicate(reports, r):
			// A repeated copy or a continuation page of an earlier report.
		case sg.weak:
			// A report title without a header of its own that continues
			// nothing: a link or a listing, not a report.
			for _, idx := range sg.items {
				p.drop(DropNonReport, items[idx].pc)
			}
		default:
			p.file.Warnings = append(p.file.Warnings, warns...)
			reports = append(reports, r)
		}
	}
	return reports
}

// shortBetween reports whether the content pieces strictly between
// content[a] and content[b] are all short enough to be header material.
func (p *parser) shortBetween(items []item, content []int, a, b int) bool {
	for k := a + 1; k < b; k++ {
		if utf8.RuneCountInString(p.text(items[content[k]].pc)) > 300 {
			return false
		}
	}
	return true
}

// closedBetween reports a closer or boundary between items a and b.
func (p *parser) closedBetween(items []item, a, b int) bool {
	for k := a + 1; k < b; k++ {
		if items[k].kind == chromeCloser || items[k].kind == chromeBoundary {
			return true
		}
	}
	return false
}

func (p *parser) looksLikeBareReport(items []item, content []int) bool {
	han := 0
	for _, idx := range content {
		for _, r := range p.text(items[idx].pc) {
			if r >= 0x4E00 && r <= 0x9FFF {
				han++
			}
		}
	}
	name := filepath.Base(p.source)
	mention := strings.Contains(name, "报告") || strings.Contains(p.c.text, "政府工作报告") || strings.Contains(p.c.text, "各位代表")
	return han >= 300 && mention
}

// mergeDuplicate folds r into an earlier report of the same region and year
// (a repeated copy, or a continuation page) and reports whether it did.
func (p *parser) mergeDuplicate(reports []*Report, r *Report) bool {
	for _, o := range reports {
		if o.Region == r.Region && o.Year == r.Year && o.Level == r.Level && r.Region != "" {
			seen := map[string]bool{}
			for _, q := range o.Paragraphs {
				seen[dedupeKey(q.Text)] = true
			}
			added := 0
			for _, q := range r.Paragraphs {
				k := dedupeKey(q.Text)
				if seen[k] {
					p.dropText(DropDuplicate, 0, q.Text)
					continue
				}
				seen[k] = true
				o.Paragraphs = append(o.Paragraphs, q)
				added++
			}
			if added > 0 {
				p.file.Warnings = append(p.file.Warnings, fmt.Sprintf("%s %d: %d paragraphs added from a repeated copy or continuation", r.Region, r.Year, added))
			}
			return true
		}
	}
	return false
}

func dedupeKey(s string) string {
	return strings.Map(func(r rune) rune {
		if isSpaceRune(r) || r == '\n' {
			return -1
		}
		return r
	}, s)
}

// finish assigns ids and ordinals and fills the file's reports.
func (p *parser) finish(reports []*Report) {
	used := map[string]int{}
	base := filepath.Base(p.source)
	for _, r := range reports {
		key := fmt.Sprintf("%s\x00%s\x00%d", base, r.Region, r.Year)
		n := used[key]
		used[key]++
		sum := sha1.Sum([]byte(fmt.Sprintf("%s\x00%d", key, n)))
		r.ID = fmt.Sprintf("%04d-%s-%s", r.Year, levelCode(r.Level), hex.EncodeToString(sum[:])[:8])
		for i := range r.Paragraphs {
			q := &r.Paragraphs[i]
			q.Ordinal = i + 1
			q.ReportID = r.ID
			q.ID = r.ID + "-p" + strconv.Itoa(i+1)
		}
		p.file.Reports = append(p.file.Reports, *r)
	}
}

func levelCode(level string) string {
	switch level {
	case LevelNational:
		return "n"
	case LevelProvince:
		return "p"
	case LevelCity:
		return "c"
	case LevelDistrict:
		return "d"
	}
	return "x"
}
