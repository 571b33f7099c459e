package ingest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// buildReport turns one segment into a report: header lines become
// metadata and the report's first paragraph (its title block), the rest
// becomes paragraphs. It returns nil for a segment
// without body text, and warnings about missing metadata.
func (p *parser) buildReport(items []item, sg *segment) (*Report, []string) {
	texts := make([]string, len(sg.items))
	for i, idx := range sg.items {
		texts[i] = p.text(items[idx].pc)
	}
	var h header
	var body, head []piece
	open, openAt := -1, -1
	for i := 0; i < len(texts) && i < 12; i++ {
		next := ""
		if i+1 < len(texts) {
			next = texts[i+1]
		}
		if o := openingAt(texts[i], next); o >= 0 {
			open, openAt = i, o
			break
		}
	}
	switch {
	case open >= 0:
		h.lines = append(h.lines, texts[:open]...)
		for _, idx := range sg.items[:open] {
			head = append(head, items[idx].pc)
		}
		pc := items[sg.items[open]].pc
		t := texts[open]
		if openAt > 0 {
			h.lines = append(h.lines, t[:openAt])
			head = append(head, sub(p.c.text, pc, 0, openAt))
		}
		loc := reOpeningSal.FindStringIndex(t[openAt:])
		salEnd := openAt + loc[1]
		// "各位代表，现在……": the salutation ends at its punctuation.
		if _, size := utf8.DecodeRuneInString(t[openAt+len("各位代表"):]); true {
			salEnd = openAt + len("各位代表") + size
		}
		body = append(body, sub(p.c.text, pc, openAt, salEnd))
		if salEnd < len(t) {
			body = append(body, sub(p.c.text, pc, salEnd, len(t)))
		}
		for _, idx := range sg.items[open+1:] {
			body = append(body, items[idx].pc)
		}
	default:
		k := 0
		for k < len(texts) && k < 8 && headerLike(texts[k]) || k < len(texts) && isSessionLine(texts[k]) {
			k++
		}
		h.lines = append(h.lines, texts[:k]...)
		for _, idx := range sg.items[:k] {
			head = append(head, items[idx].pc)
		}
		for _, idx := range sg.items[k:] {
			body = append(body, items[idx].pc)
		}
	}
	opening := ""
	for i := 0; i < len(body) && i < 3; i++ {
		opening += p.text(body[i])
	}
	meta, warns := parseHeader(h, firstRunes(opening, 300), p.source)
	r := &Report{Meta: meta}
	r.Paragraphs = p.paragraphs(body, meta.Title)
	if len(r.Paragraphs) == 0 {
		return nil, nil
	}
	if tb, ok := p.titleBlock(head); ok {
		r.Paragraphs = append([]Paragraph{tb}, r.Paragraphs...)
	}
	warns = append(warns, missingParts(meta, r.Paragraphs)...)
	for i, w := range warns {
		warns[i] = fmt.Sprintf("%s %d: %s", meta.Region, meta.Year, w)
	}
	return r, warns
}

// missingParts names what a citation or an outline will lack: the
// speaker, date, session, or any part heading.
func missingParts(m Meta, ps []Paragraph) []string {
	var w []string
	for _, f := range []struct{ value, name string }{{m.Speaker, "speaker"}, {m.Date, "date"}, {m.Session, "session"}} {
		if f.value == "" {
			w = append(w, f.name+" not stated")
		}
	}
	for _, p := range ps {
		if p.Part != "" {
			return w
		}
	}
	return append(w, "no part headings found")
}

// reHeaderChrome matches header lines that are page furniture rather than
// the report's own title block: a linked or bracketed page title
// ("• 【青浦区招商】…", "[上海] …") or a forum statistic ("732 天", "1万").
var reHeaderChrome = regexp.MustCompile(`^(?:[•·\[【]|[\d.,\s]+[万千亿天个条次]?$)`)

// titleBlock makes one heading paragraph of a report's header lines (title,
// date and session, speaker), so that its text is searchable like any
// other: 区长 finds "上海市静安区区长于勇". Metadata is still parsed from the
// same lines. Page furniture before the title block is left out; the lines
// are joined with "\n" and the span runs from the first kept line to the
// last.
func (p *parser) titleBlock(head []piece) (Paragraph, bool) {
	for len(head) > 0 && reHeaderChrome.MatchString(p.text(head[0])) {
		p.drop(DropNav, head[0])
		head = head[1:]
	}
	var lines []string
	for _, pc := range head {
		switch t := p.text(pc); {
		case t == "":
		case reHeaderChrome.MatchString(t):
			p.drop(DropNav, pc)
		default:
			lines = append(lines, t)
		}
	}
	if len(lines) == 0 {
		return Paragraph{}, false
	}
	start, end := p.c.span(head[0].a, head[len(head)-1].b)
	return Paragraph{
		Kind: KindHeading, PartKind: PartOpening,
		Text: strings.Join(lines, "\n"), Start: start, End: end,
	}, true
}

// sub returns the trimmed sub-piece [i,j) of pc's text.
func sub(s string, pc piece, i, j int) piece {
	a, b := trimSpan(s, pc.a+i, pc.a+j)
	return piece{a: a, b: b, line: pc.line}
}

// para is a paragraph under construction; a and b are cleaned offsets.
type para struct {
	Paragraph
	a, b     int
	open     bool // body text that does not end a sentence yet
	lastLine int  // source line of the last piece joined in
}

// structure tracks where in the report outline the parser is.
type structure struct {
	nextTop, nextSec int
	part, partKind   string
	section          string
	appendix         bool
	glossary         bool
	appendixTitle    bool // short lines after 附件 form the appendix title
}

var (
	reAppendix       = regexp.MustCompile(`^附(?:件|录|表)[一二三四五六七八九十\d]*[：:]?$`)
	reAppendixTitled = regexp.MustCompile(`^附(?:件|录|表)[一二三四五六七八九十\d]*(?:[：:]\s*|\s+)(\S.*)$`)
	// reLabelLine is a labelled line of an appendix item ("主办单位：省民政厅",
	// "完成时限：2025年底"): complete in itself, though it ends in no 。.
	reLabelLine = regexp.MustCompile(`^[\p{Han}]{2,6}[：:]`)
	topSuffix   = []string{"回顾", "主要任务", "工作任务", "目标任务", "重点任务", "工作安排", "主要工作", "总体部署", "总体要求", "的说明"}
	// Words that open the body after a run-in top heading
	// ("三、全力做好“十四五”开局工作今年是……").
	topBodyOpeners = []string{"今年", "过去", "根据", "面对", "当前", "一年来", "五年来", "新的一年", "19", "20", "１９", "２０"}
)

// paragraphs builds the paragraphs of one report from its body pieces.
func (p *parser) paragraphs(body []piece, title string) []Paragraph {
	b := &paraBuilder{p: p, st: &structure{nextTop: 1, nextSec: 1, partKind: PartOpening}, title: title,
		queue: append([]piece(nil), body...)}
	for len(b.queue) > 0 {
		pc := b.queue[0]
		b.queue = b.queue[1:]
		if !b.add(pc) {
			break
		}
	}
	return p.finishParagraphs(b.out)
}

// paraBuilder reads a report body piece by piece and builds its
// paragraphs.
type paraBuilder struct {
	p     *parser
	st    *structure
	title string
	// queue holds the pieces still to read; when a heading or glued
	// heading is cut out of a piece, the rest goes back to its front.
	queue []piece
	out   []*para
}

// last returns the paragraph built last, or nil.
func (b *paraBuilder) last() *para {
	if len(b.out) == 0 {
		return nil
	}
	return b.out[len(b.out)-1]
}

// emit starts a paragraph of kind from pc at the current place in the
// outline.
func (b *paraBuilder) emit(kind string, pc piece) *para {
	q := &para{a: pc.a, b: pc.b, lastLine: pc.line}
	q.Kind = kind
	q.Text = b.p.text(pc)
	q.Part, q.PartKind, q.Section = b.st.part, b.st.partKind, b.st.section
	b.out = append(b.out, q)
	return q
}

// add places one piece: in a glossary entry, as a heading, as the title of
// an appendix, joined to the paragraph before it, or as a paragraph of its
// own. It returns false when the piece starts a list of links that ends
// the report: it and the rest of the body are dropped.
func (b *paraBuilder) add(pc piece) bool {
	pc, ok := b.withoutPageHeader(pc)
	if !ok {
		return true
	}
	t := b.p.text(pc)
	prev := b.last()
	switch {
	case b.st.glossary && b.addGlossary(pc, t, prev):
	case b.addHeading(pc, t, prev):
	case b.startsLinkList(t):
		b.p.drop(DropLinks, pc)
		for _, rest := range b.queue {
			b.p.drop(DropLinks, rest)
		}
		return false
	case b.addAppendixTitle(pc, t, prev):
	case b.join(pc, t, prev):
	default:
		b.addBody(pc, t)
	}
	return true
}

// withoutPageHeader drops running page headers, the title alone on a line
// or glued to the end of a sentence at a page break, and returns what is
// left of pc; ok is false when nothing is.
func (b *paraBuilder) withoutPageHeader(pc piece) (_ piece, ok bool) {
	t := b.p.text(pc)
	if t == "" {
		return pc, false
	}
	if t == b.title || t == "政府工作报告" {
		b.p.drop(DropPageHeader, pc)
		return pc, false
	}
	for _, ph := range []string{b.title, "政府工作报告"} {
		if ph != "" && strings.HasSuffix(t, ph) && len(t) > len(ph) {
			rest := t[:len(t)-len(ph)]
			if closedText(rest) {
				b.p.drop(DropPageHeader, sub(b.p.c.text, pc, len(rest), len(t)))
				return sub(b.p.c.text, pc, 0, len(rest)), true
			}
		}
	}
	return pc, true
}

// addGlossary reads a piece of a glossary: an entry ("1、term" then its
// definition, or one line "［5］term：definition") or the continuation of
// the entry before it.
func (b *paraBuilder) addGlossary(pc piece, t string, prev *para) bool {
	if term, def, ok := glossaryEntry(t, prev != nil && prev.Kind == KindGlossary && prev.Definition != ""); ok {
		q := b.emit(KindGlossary, pc)
		q.Term, q.Definition = term, def
		q.open = def == ""
		return true
	}
	if prev == nil || prev.Kind != KindGlossary {
		return false
	}
	if prev.Definition == "" {
		prev.Definition = t
		prev.Text += "\n" + t
	} else {
		prev.Definition += t
		prev.Text += t
	}
	prev.b = pc.b
	return true
}

// addHeading makes a heading paragraph of the heading pc starts with, if
// it fits the outline; run-in text after it goes back to the queue.
func (b *paraBuilder) addHeading(pc piece, t string, prev *para) bool {
	// A marker right after an unfinished sentence on the same line
	// ("推动区属 二、三级企业") continues that sentence.
	if prev != nil && prev.open && prev.lastLine == pc.line {
		return false
	}
	end, ok := b.p.heading(b.st, t)
	if !ok {
		return false
	}
	h := b.emit(KindHeading, sub(b.p.c.text, pc, 0, end))
	if end < len(t) {
		b.queue = append([]piece{sub(b.p.c.text, pc, end, len(t))}, b.queue...)
	} else if len(b.queue) > 0 && b.st.part == t && b.p.headingContinues(t, b.queue[0]) {
		// "三、全面加强政府" / "自身建设": one heading over two lines.
		h.Text += b.p.text(b.queue[0])
		h.b = b.queue[0].b
		b.st.part, b.st.partKind = h.Text, partKindOf(h.Text)
		h.Part, h.PartKind = b.st.part, b.st.partKind
		b.queue = b.queue[1:]
	}
	return true
}

// startsLinkList reports a short line naming other reports
// ("历年国务院政府工作报告") followed by a list of links after the report's
// end.
func (b *paraBuilder) startsLinkList(t string) bool {
	return utf8.RuneCountInString(t) <= 40 && strings.Contains(t, "工作报告") && !hasSentencePunct(t) && !startsHeading(t) &&
		len(b.out) > 3 && b.p.linkList(b.queue)
}

// addAppendixTitle adds a short line right after 附件 to the appendix's
// title; the first line that is not one ends the title.
func (b *paraBuilder) addAppendixTitle(pc piece, t string, prev *para) bool {
	st := b.st
	if !st.appendixTitle {
		return false
	}
	if utf8.RuneCountInString(t) > 40 || strings.ContainsAny(t, "。；，") || startsHeading(t) || prev == nil || prev.Kind != KindHeading {
		st.appendixTitle = false
		return false
	}
	if prev.Text == st.part && strings.HasPrefix(prev.Text, "附") {
		q := b.emit(KindHeading, pc)
		st.part = t
		q.Part = t
	} else {
		prev.Text += t
		prev.b = pc.b
		st.part = prev.Text
		prev.Part = st.part
	}
	return true
}

// join appends a piece that continues an unfinished sentence to the
// paragraph before it; a marker that did not fit the outline ("推动区属
// 二、三级企业") is text too.
func (b *paraBuilder) join(pc piece, t string, prev *para) bool {
	if prev == nil {
		return false
	}
	// In an appendix a numbered item starts afresh even after a line
	// without a full stop (a 主办单位 line, an item title).
	itemStart := b.st.appendix && (reSubMarker.MatchString(t) || reTopMarker.MatchString(t))
	// A line that opens with punctuation no sentence starts with
	// ("》提出……", "，并……") continues the paragraph before it.
	continues := prev.Kind == KindBody && !prev.open && b.p.lineParagraphs && startsMidSentence(t)
	if prev.open && b.p.paragraphEndsAt(prev.Text, t) {
		prev.open = false
	}
	if !(prev.open || continues) || itemStart {
		return false
	}
	prev.Text += t
	prev.b = pc.b
	prev.lastLine = pc.line
	prev.open = !closedText(prev.Text)
	return true
}

// addBody starts a body or list paragraph, first cutting off a heading
// glued to the end of one of its sentences.
func (b *paraBuilder) addBody(pc piece, t string) {
	st := b.st
	if cut := b.p.gluedHeading(st, t); cut > 0 {
		b.queue = append([]piece{sub(b.p.c.text, pc, cut, len(t))}, b.queue...)
		pc = sub(b.p.c.text, pc, 0, cut)
		t = b.p.text(pc)
	}
	kind := KindBody
	if reSubMarker.MatchString(t) || (st.appendix && reTopMarker.MatchString(t)) {
		kind = KindList
	}
	q := b.emit(kind, pc)
	q.open = !closedText(t) && !(st.appendix && utf8.RuneCountInString(t) <= 60 && reLabelLine.MatchString(t))
}

// finishParagraphs splits over-long paragraphs and drops repeated ones.
func (p *parser) finishParagraphs(out []*para) []Paragraph {
	var res []Paragraph
	seen := map[string]bool{}
	for _, q := range out {
		for _, part := range p.splitLong(q) {
			k := dedupeKey(part.Text)
			if seen[k] && utf8.RuneCountInString(part.Text) >= 12 {
				p.dropText(DropDuplicate, q.lastLine, part.Text)
				continue
			}
			seen[k] = true
			res = append(res, part)
		}
	}
	return res
}

// headingContinues reports whether next is the rest of a top heading that a
// line break cut: both short, next without any punctuation or marker, on
// the following line.
func (p *parser) headingContinues(heading string, next piece) bool {
	t := p.text(next)
	return reTopMarker.MatchString(heading) && utf8.RuneCountInString(heading) <= 20 && utf8.RuneCountInString(t) <= 16 &&
		!startsHeading(t) && !strings.ContainsAny(t, "。，、；：:！？,.;“”（）()") && hasHan(t)
}

// linkList reports whether the pieces after a line naming other reports
// look like a list of links (short lines without sentences), not like more
// report text under a heading that mentions the report.
func (p *parser) linkList(rest []piece) bool {
	for i, pc := range rest {
		if i == 3 {
			break
		}
		t := p.text(pc)
		if utf8.RuneCountInString(t) > 60 || strings.ContainsAny(t, "。；") {
			return false
		}
	}
	return true
}

func startsMidSentence(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return strings.ContainsRune("》）」』，。、；：！？", r)
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

var (
	// reGlossaryHead is the heading of a glossary, under any of the names
	// publishers give it: 名词解释, 名词注释, 注释, 注解, 附：名词解释,
	// 《政府工作报告》有关内容名词注释, 相关用语说明 …
	reGlossaryHead = regexp.MustCompile(`^(?:附[件录]?[一二三\d]*[：:]?\s*)?(?:[《“][^》”]{1,30}[》”])?(?:中的|有关|相关|部分)?(?:内容)?(?:名词|词语|用语|术语|概念)?(?:解释|注释|注解|释义)(?:说明)?[：:]?$|^(?:名词|词语|用语|术语)(?:解释|注释|说明)`)
	// reGlossaryMarker numbers a glossary entry: 1. 1、 (1) ［1］ 【1】 ①.
	reGlossaryMarker = regexp.MustCompile(`^(?:\d{1,3}[、．.]|[（(]\d{1,3}[）)]|[［\[【〔]\d{1,3}[］\]】〕]|[①-⑳]|[⑴-⒇])\s*`)
)

// glossaryEntry reads a glossary line that starts an entry: a numbered
// headword alone on its line (its definition follows), or a headword and
// its definition around a colon, numbered or, after a finished entry, not.
// Headwords may lack Chinese characters (ESI, 1+5+N).
func glossaryEntry(t string, afterEntry bool) (term, def string, ok bool) {
	rest := t
	numbered := false
	if m := reGlossaryMarker.FindString(t); m != "" && !strings.HasPrefix(t[len(m):], "%") {
		rest, numbered = t[len(m):], true
	}
	if i := strings.IndexAny(rest, "：:"); i > 0 {
		head := rest[:i]
		_, size := utf8.DecodeRuneInString(rest[i:])
		if n := utf8.RuneCountInString(head); n <= 40 && !strings.ContainsAny(head, "。；！？") && (numbered || afterEntry && n <= 12 && !strings.ContainsAny(head, "，,") && !strings.ContainsRune("是为即指含有", lastRune(head))) {
			return strings.TrimSpace(head), strings.TrimSpace(rest[i+size:]), true
		}
	}
	if numbered && utf8.RuneCountInString(t) <= 40 && !strings.ContainsAny(t, "。；") {
		return strings.TrimSpace(rest), "", true
	}
	return "", "", false
}

// heading decides whether t starts with a heading that fits the outline and
// returns where the heading text ends (run-in body text follows it).
func (p *parser) heading(st *structure, t string) (int, bool) {
	n := utf8.RuneCountInString(t)
	if n <= 40 && reGlossaryHead.MatchString(t) {
		st.part, st.partKind, st.section = t, PartGlossary, ""
		st.glossary, st.appendix = true, false
		return len(t), true
	}
	if reAppendix.MatchString(t) {
		st.part, st.partKind, st.section = t, PartAppendix, ""
		st.appendix, st.glossary, st.appendixTitle = true, false, true
		return len(t), true
	}
	// "附件：2025年10件惠民实事": the appendix and its title on one line.
	if m := reAppendixTitled.FindStringSubmatch(t); m != nil && n <= 40 && !strings.ContainsAny(m[1], "。；，") {
		st.part, st.partKind, st.section = t, PartAppendix, ""
		st.appendix, st.glossary, st.appendixTitle = true, false, false
		return len(t), true
	}
	if st.appendix || st.glossary {
		return 0, false
	}
	// A part heading without a number ("2024年工作回顾", "加强政府自身建设"),
	// in a report whose parts are not numbered.
	if st.nextTop == 1 && n <= 30 && reUnnumberedPart.MatchString(t) {
		st.part, st.partKind, st.section = t, partKindOf(t), ""
		st.nextSec = 1
		return len(t), true
	}
	if m := reTopMarker.FindStringSubmatch(t); m != nil {
		if ord, ok := hanNumber(m[1]); ok && ord == st.nextTop {
			end := headingEnd(t, true)
			if end > 0 {
				st.nextTop = ord + 1
				st.nextSec = 1
				st.part = t[:end]
				st.partKind = partKindOf(st.part)
				st.section = ""
				return end, true
			}
		}
		return 0, false
	}
	if m := rePartWord.FindStringSubmatch(t); m != nil {
		if ord, ok := hanNumber(m[1]); ok && ord == st.nextTop {
			if end := headingEnd(t, true); end > 0 {
				st.nextTop, st.nextSec = ord+1, 1
				st.part, st.partKind, st.section = t[:end], partKindOf(t[:end]), ""
				return end, true
			}
		}
	}
	if reNumeral.MatchString(t) {
		if ord, ok := hanNumber(t); ok && ord == st.nextTop {
			st.nextTop, st.nextSec = ord+1, 1
			st.part, st.partKind, st.section = t, PartOther, ""
			return len(t), true
		}
	}
	if m := reSecMarker.FindStringSubmatch(t); m != nil {
		if ord, ok := hanNumber(m[1]); ok && (ord == st.nextSec || ord == 1) {
			end := headingEnd(t, false)
			if end > 0 {
				st.nextSec = ord + 1
				st.section = t[:end]
				if st.part == "" && st.partKind == PartOther {
					st.partKind = PartOther
				}
				return end, true
			}
		}
		return 0, false
	}
	if reSubMarker.MatchString(t) && n <= 40 && !strings.ContainsAny(strings.TrimRight(t, "。"), "。；！？") {
		return len(t), true
	}
	return 0, false
}

// headingEnd returns the byte length of the heading at the start of t, or
// 0 when t does not start with a recognisable heading. A short line is a
// heading as a whole; in run-on text a top-level heading ends at a known
// closing phrase (……工作回顾, ……主要任务, ……的说明) and any heading may end
// at the end of its first short sentence.
func headingEnd(t string, top bool) int {
	n := utf8.RuneCountInString(t)
	inner := strings.TrimRight(t, "。！？；：:")
	if n <= 60 && !strings.ContainsAny(inner, "。！？；") {
		return len(t)
	}
	if top {
		head := firstRunes(t, 60)
		best := -1
		for _, s := range topSuffix {
			if i := strings.Index(head, s); i >= 0 {
				e := i + len(s)
				if best < 0 || e < best {
					best = e
				}
			}
		}
		if r, _ := utf8.DecodeRuneInString(t[max(best, 0):]); best > 0 && (strings.ContainsAny(t[:best], "，,。！？；") || r == '、' || r == '，' || r == ',') {
			best = -1 // "……,对政府自身建设" is a sentence, not a heading
		}
		if best < 0 {
			best = topOpenerAt(t)
		}
		if best > 0 {
			// A following colon or full stop belongs to the heading.
			if r, size := utf8.DecodeRuneInString(t[best:]); r == '：' || r == '。' || r == ':' {
				best += size
			}
			return best
		}
	}
	head := firstRunes(t, 60)
	if i := strings.IndexAny(head, "。！？"); i >= 0 {
		_, size := utf8.DecodeRuneInString(head[i:])
		return i + size
	}
	if e := runInEnd(t, top); e > 0 {
		return e
	}
	// Last resort: the whole first sentence, if it is not too long.
	head = firstRunes(t, 150)
	if i := strings.IndexAny(head, "。！？"); i >= 0 {
		_, size := utf8.DecodeRuneInString(head[i:])
		return i + size
	}
	return 0
}

// topOpenerAt returns where a body opener (topBodyOpeners) starts within
// the first 40 characters of a top heading that runs into its text, or -1.
func topOpenerAt(t string) int {
	head := firstRunes(t, 40)
	markerEnd := strings.Index(head, "、")
	if markerEnd < 0 {
		return -1
	}
	best := -1
	for _, w := range topBodyOpeners {
		i := strings.Index(head[markerEnd:], w)
		if i < 0 {
			continue
		}
		i += markerEnd
		if utf8.RuneCountInString(head[markerEnd:i]) < 6 || strings.ContainsAny(head[:i], "，,。") {
			continue
		}
		if best < 0 || i < best {
			best = i
		}
	}
	return best
}

// Words that typically open the body text after a run-in heading.
var bodyStarters = []string{"始终", "牢牢", "坚持", "积极", "围绕", "抢抓", "紧紧", "按照", "聚焦", "深入", "持续", "切实",
	"面对", "通过", "强化", "加快", "推动", "完善", "加强", "深化", "全力", "扎实", "充分", "主动", "严格", "认真", "着力",
	"大力", "从严", "今年", "过去", "根据", "一年来", "五年来", "当前"}

// runInEnd guesses where a heading that runs straight into its body text
// ends ("（一）坚持人民至上，疫情防控阶段性成效显著始终把……"): headings are
// usually two parallel clauses, so the body is taken to start at the word
// from bodyStarters nearest to where a second clause as long as the first
// plus a few characters would end; a one-clause heading ends at the first
// starter word after six characters. It returns 0 when there is no guess.
func runInEnd(t string, top bool) int {
	rs := []rune(firstRunes(t, 70))
	markerEnd := 0
	for i, r := range rs {
		if r == '、' || r == '）' || r == ')' {
			markerEnd = i + 1
			break
		}
	}
	comma := -1
	for i := markerEnd; i < len(rs) && i < markerEnd+14; i++ {
		if rs[i] == '，' || rs[i] == ',' {
			comma = i
			break
		}
	}
	from, target := markerEnd+4, markerEnd+10
	if comma > 0 {
		from, target = comma+5, comma+1+(comma-markerEnd)+4
	} else if !top {
		// One clause ("（一）加强政府系统党的建设始终坚持……"): the body
		// starts at the first starter word after a plausible heading.
		from, target = markerEnd+6, markerEnd+6
	}
	best, bestDist := -1, 1<<30
	for i := from; i < len(rs) && i < from+20; i++ {
		for _, w := range bodyStarters {
			wr := []rune(w)
			if i+len(wr) <= len(rs) && string(rs[i:i+len(wr)]) == w && !strings.ContainsRune("，,、；", rs[i-1]) {
				d := i - target
				if d < 0 {
					d = -d
				}
				if d < bestDist {
					best, bestDist = i, d
				}
			}
		}
	}
	if best < 0 {
		return 0
	}
	return len(string(rs[:best]))
}

// gluedHeading finds a heading glued to the end of a sentence inside t
// ("……提出意见。一、2013年工作回顾……") whose ordinal is the next one
// expected, and returns its byte offset, or 0.
func (p *parser) gluedHeading(st *structure, t string) int {
	if st.appendix || st.glossary {
		return 0
	}
	want := []string{}
	if st.nextTop <= 10 {
		want = append(want, hanOrdinal(st.nextTop)+"、")
	}
	if st.nextSec <= 10 {
		s := hanOrdinal(st.nextSec)
		want = append(want, "（"+s+"）", "("+s+")")
	}
	// One pass over sentence ends: the cost is the distance to the first
	// glued heading, not the length of the text.
	for i, r := range t {
		if r != '。' && r != '！' && r != '？' {
			continue
		}
		at := i + utf8.RuneLen(r)
		for _, w := range want {
			if strings.HasPrefix(t[at:], w) {
				return at
			}
		}
	}
	return 0
}

func hanOrdinal(n int) string {
	d := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	switch {
	case n <= 10:
		return d[n]
	case n < 20:
		return "十" + d[n-10]
	case n < 100:
		if n%10 == 0 {
			return d[n/10] + "十"
		}
		return d[n/10] + "十" + d[n%10]
	}
	return ""
}

// reUnnumberedPart is a part heading that carries no number: the review,
// the plan, the government's own conduct.
var reUnnumberedPart = regexp.MustCompile(`^(?:(?:19|20)\d{2}\s*年|过去一年|过去五年|今年|明年|关于(?:19|20)\d{2}\s*年|“十[一二三四五六七八九]五”)[^，。；：:！？,;]{0,16}(?:回顾|总结|安排|建议|任务|工作|要求|部署|成就|思路)$|^[\p{Han}]{0,6}政府自身建设$`)

// reYear is a year in a heading.
var reYear = regexp.MustCompile(`(?:19|20)\d{2}\s*年`)

// partKindOf classifies a top heading.
func partKindOf(h string) string {
	switch {
	case reGlossaryHead.MatchString(h):
		return PartGlossary
	case strings.HasPrefix(h, "附"):
		return PartAppendix
	case strings.Contains(h, "回顾") || strings.Contains(h, "过去") || strings.Contains(h, "工作总结") || strings.Contains(h, "一年来") || strings.Contains(h, "五年来") || strings.Contains(h, "成就") || strings.Contains(h, "成绩"):
		return PartReview
	// "加强政府自身建设", "努力建设人民满意政府", "全面提升政府治理效能"
	case strings.Contains(h, "自身建设") || strings.Contains(h, "政府") && !strings.Contains(h, "政府工作") && !reYear.MatchString(h) && !strings.ContainsAny(h, "今明") && !strings.Contains(h, "任务"):
		return PartSelfBuilding
	case strings.Contains(h, "十五五") || strings.Contains(h, "十六五"):
		return PartFiveYearPlan
	// "2025年重点工作", "关于2025年工作": a year's tasks.
	case reYear.MatchString(h) && !strings.Contains(h, "五年"):
		return PartPlan
	// "全力做好“十四五”开局工作" plans the coming year, not the five years.
	case strings.Contains(h, "开局") || strings.Contains(h, "今年") || strings.Contains(h, "明年"):
		return PartPlan
	case strings.Contains(h, "五年规划") || strings.Contains(h, "五年计划") || strings.Contains(h, "五”") || strings.Contains(h, "规划纲要") || strings.Contains(h, "远景目标"):
		return PartFiveYearPlan
	}
	for _, w := range []string{"任务", "安排", "主要工作", "部署", "要求", "目标", "今年", "明年", "加强", "推进", "加快", "坚持", "深化", "继续", "大力", "积极", "推动", "促进", "建设", "发展", "着力", "做好", "提高", "实施", "全面"} {
		if strings.Contains(h, w) {
			return PartPlan
		}
	}
	return PartOther
}

// splitLong cuts a paragraph longer than MaxParagraphRunes at sentence ends
// into roughly equal pieces, mapping each piece back to its source span.
func (p *parser) splitLong(q *para) []Paragraph {
	n := utf8.RuneCountInString(q.Text)
	if n <= MaxParagraphRunes {
		q.Start, q.End = p.c.span(q.a, q.b)
		return []Paragraph{q.Paragraph}
	}
	// Joined paragraphs (text assembled from several pieces) are located in
	// the source by walking both strings together.
	src := p.c.text[q.a:q.b]
	pos := alignOffsets(q.Text, src)
	k := (n + 2399) / 2400
	target := len(q.Text) / k
	var cuts []int
	last := 0
	for len(cuts) < k-1 {
		want := last + target
		if want >= len(q.Text) {
			break
		}
		c := nearestSentenceEnd(q.Text, want, last)
		if c <= last || c >= len(q.Text) {
			break
		}
		cuts = append(cuts, c)
		last = c
	}
	cuts = append(cuts, len(q.Text))
	// Make sure every piece fits; cut harder where sentences are very long.
	var final []int
	prev := 0
	for _, c := range cuts {
		for len(firstRunes(q.Text[prev:c], MaxParagraphRunes)) < c-prev {
			mid := prev + len(firstRunes(q.Text[prev:], MaxParagraphRunes))
			cc := lastBreakBefore(q.Text, prev, mid)
			final = append(final, cc)
			prev = cc
		}
		final = append(final, c)
		prev = c
	}
	var res []Paragraph
	prev = 0
	for _, c := range final {
		part := q.Paragraph
		part.Text = q.Text[prev:c]
		a := q.a + pos[prev]
		b := q.a + pos[c-1] + 1
		part.Start, part.End = p.c.span(a, b)
		res = append(res, part)
		prev = c
	}
	return res
}

// alignOffsets maps each byte of text to the byte of src it came from; text
// is src with some characters removed.
func alignOffsets(text, src string) []int {
	pos := make([]int, len(text)+1)
	j := 0
	for i := 0; i < len(text); {
		_, size := utf8.DecodeRuneInString(text[i:])
		for j < len(src) && (j+size > len(src) || src[j:j+size] != text[i:i+size]) {
			_, s2 := utf8.DecodeRuneInString(src[j:])
			j += s2
		}
		for k := 0; k < size; k++ {
			pos[i+k] = j + k
		}
		i += size
		j += size
	}
	pos[len(text)] = j
	return pos
}

// nearestSentenceEnd returns the byte offset just after the sentence end
// nearest to want (but after from), or -1.
func nearestSentenceEnd(t string, want, from int) int {
	best, bestDist := -1, 1<<30
	// Look only near the wanted position so that cutting a huge text stays
	// linear.
	lo, hi := max(from, want-6000), min(len(t), want+6000)
	for lo < hi && !utf8.RuneStart(t[lo]) {
		lo++
	}
	for i, r := range t[lo:hi] {
		if r == '。' || r == '！' || r == '？' {
			e := lo + i + utf8.RuneLen(r)
			// Keep a closing quote with its sentence.
			if q, s := utf8.DecodeRuneInString(t[e:]); q == '”' || q == '’' {
				e += s
			}
			d := e - want
			if d < 0 {
				d = -d
			}
			if d < bestDist {
				best, bestDist = e, d
			}
		}
	}
	return best
}

// lastBreakBefore returns the last sentence or clause end in t[from:limit],
// or limit when there is none.
func lastBreakBefore(t string, from, limit int) int {
	for _, set := range []string{"。！？", "；;", "，,、"} {
		if i := strings.LastIndexAny(t[from:limit], set); i > 0 {
			_, size := utf8.DecodeRuneInString(t[from+i:])
			return from + i + size
		}
	}
	return limit
}
