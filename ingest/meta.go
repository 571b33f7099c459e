package ingest

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Region rules. A region name is a chain of administrative units read left
// to right, each ending in a unit suffix: 省, 自治区 and 特别行政区 are
// provinces; 市, 自治州, 地区 and 盟 are cities; 区, 县, 自治县 and 旗 are
// districts. The last unit of the chain is the region; the unit before it is
// the parent. A 市 is city level unless the text names a city above it
// ("苏州市昆山市" makes 昆山市 a county-level city, level district): a
// county-level city named alone ("昆山市") cannot be told from a prefecture
// city without a gazetteer, so it is reported as a city. 国务院, 全国 and
// 中央人民政府 are the national level, region 全国. Shanghai's districts get
// parent 上海市 from a table even when the text does not name the city.

// shanghaiDistricts lists Shanghai's 16 districts and the former districts
// merged since 2009 (闸北, 卢湾, 南汇), which older reports name.
var shanghaiDistricts = map[string]bool{
	"黄浦区": true, "徐汇区": true, "长宁区": true, "静安区": true, "普陀区": true, "虹口区": true,
	"杨浦区": true, "闵行区": true, "宝山区": true, "嘉定区": true, "浦东新区": true, "金山区": true,
	"松江区": true, "青浦区": true, "奉贤区": true, "崇明区": true,
	"闸北区": true, "卢湾区": true, "南汇区": true,
}

// Municipalities directly under the central government: provincial-level
// units, so level province; their districts have them as parent.
var municipalities = map[string]bool{"北京市": true, "上海市": true, "天津市": true, "重庆市": true}

// RegionInfo is a parsed region name.
type RegionInfo struct {
	Region string
	Level  string
	Parent string
}

type adminUnit struct {
	name  string
	level string
	city  bool // ends in 市
}

// ParseRegion reads a region name such as "上海市静安区", "广西壮族自治区",
// "江苏省昆山市" or "国务院". The whole string must be a chain of
// administrative units; ok is false otherwise.
func ParseRegion(s string) (RegionInfo, bool) {
	s = strings.TrimSpace(s)
	switch s {
	case "全国", "国务院", "中央人民政府", "中华人民共和国", "中华人民共和国国务院", "中央":
		return RegionInfo{Region: "全国", Level: LevelNational}, true
	}
	units, ok := splitUnits(s)
	if !ok || len(units) == 0 {
		return RegionInfo{}, false
	}
	last := units[len(units)-1]
	info := RegionInfo{Region: last.name, Level: last.level}
	if len(units) > 1 {
		prev := units[len(units)-2]
		info.Parent = prev.name
		if last.city && prev.city && !municipalities[last.name] {
			info.Level = LevelDistrict
		}
	}
	if info.Parent == "" && shanghaiDistricts[info.Region] {
		info.Parent = "上海市"
	}
	return info, true
}

// splitUnits splits s into administrative units, taking the shortest
// plausible unit at each step.
func splitUnits(s string) ([]adminUnit, bool) {
	rs := []rune(s)
	var out []adminUnit
	for start := 0; start < len(rs); {
		found := false
		for j := start + 1; j < len(rs) && j-start < 14; j++ {
			name := string(rs[start : j+1])
			var level string
			switch rs[j] {
			case '省':
				level = LevelProvince
			case '市':
				level = LevelCity
			case '盟':
				level = LevelCity
			case '州':
				if strings.HasSuffix(name, "自治州") {
					level = LevelCity
				}
			case '区':
				switch {
				case strings.HasSuffix(name, "特别行政区"), strings.HasSuffix(name, "自治区"):
					level = LevelProvince
				case strings.HasSuffix(name, "地区"):
					level = LevelCity
				default:
					level = LevelDistrict
				}
			case '县', '旗':
				level = LevelDistrict
			}
			if level == "" {
				continue
			}
			if !allHan(name) {
				return nil, false
			}
			if level == LevelCity && rs[j] == '市' && municipalities[name] {
				level = LevelProvince
			}
			out = append(out, adminUnit{name: name, level: level, city: rs[j] == '市'})
			start = j + 1
			found = true
			break
		}
		if !found {
			return nil, false
		}
	}
	return out, true
}

func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// foldDigits turns full-width digits into ASCII digits (1950s reports use
// them) so that dates parse; it is used on metadata text only.
func foldDigits(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= '０' && r <= '９' }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

const hanNum = `[0-9〇○零一二三四五六七八九十]`

var (
	reDate      = regexp.MustCompile(`(` + hanNum + `{4})\s*年\s*(` + hanNum + `{1,3})\s*月\s*(` + hanNum + `{1,3})\s*日`)
	reDateAt    = regexp.MustCompile(`(` + hanNum + `{4})\s*年\s*(` + hanNum + `{1,3})\s*月\s*(` + hanNum + `{1,3})\s*日(?:至` + hanNum + `{1,3}日)?\s*在`)
	reTag       = regexp.MustCompile(`^[【\[][^】\]]{0,20}[】\]]\s*`)
	reSession   = regexp.MustCompile(`第?([一二三四五六七八九十]+)届(全国)?人民代表大会(常务委员会)?第([一二三四五六七八九十]+)次(全体)?会议`)
	reSessionAt = regexp.MustCompile(`在([\p{Han}]{0,24}?)第?[一二三四五六七八九十]+届(全国)?人民代表大会`)
	reTitleYear = regexp.MustCompile(`^((?:19|20)\d{2})\s*年度?`)
	reOpening   = regexp.MustCompile(`我(?:现在)?代表([\p{Han}]{2,24}?)(?:人民政府|政府)`)
	reSpeaker   = regexp.MustCompile(`((?:代理|代)?(?:副总理|总理|区长|市长|县长|省长|州长|旗长|盟长|主席)(?:兼[\p{Han}]{1,16}?(?:主任|部长|主席))?)[\s\x{00A0}\x{3000};；:：,，、]*([\p{Han}][\p{Han}\s\x{00A0}\x{3000};；·・]{1,9})$`)
	reFileYear  = regexp.MustCompile(`(?:^|[^0-9])((?:19[4-9]|20[0-9])[0-9])(?:[^0-9]|$)`)
)

// hanNumber reads a number written in ASCII digits, digit-by-digit Chinese
// numerals (一九五四) or Chinese counting numerals up to 99 (二十三).
func hanNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	digits := map[rune]int{'〇': 0, '○': 0, '零': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	if strings.ContainsRune(s, '十') {
		n := 0
		switch len(rs) {
		case 1:
			n = 10
		case 2:
			if rs[0] == '十' {
				n = 10 + digits[rs[1]]
			} else {
				n = digits[rs[0]] * 10
			}
		case 3:
			n = digits[rs[0]]*10 + digits[rs[2]]
		default:
			return 0, false
		}
		return n, n > 0
	}
	n := 0
	for _, r := range rs {
		d, ok := digits[r]
		if !ok {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// header is the text of a report's header lines (title, date and session,
// speaker) with the lines kept apart.
type header struct {
	lines []string
}

// parseHeader fills report metadata from header lines and the first
// paragraphs of the body (for the "我代表……人民政府" opening).
func parseHeader(h header, opening string, source string) (Meta, []string) {
	var m Meta
	var warn []string
	m.Source = filepath.Base(source)
	compact := strings.Map(func(r rune) rune {
		if isSpaceRune(r) {
			return -1
		}
		return r
	}, foldDigits(strings.Join(h.lines, "")))
	m.Title = headerTitle(h.lines)
	m.Year, m.Date = meetingDate(compact)
	m.Session = sessionName(compact)

	// Region: session line, then title, then speaker line, then opening.
	cands := sessionRegion(compact)
	if m.Title != "" {
		cands = append(cands, regionFromTitle(m.Title))
	}
	speakerLine, prefixes := findSpeakerLine(h.lines, compact)
	cands = append(cands, prefixes...)
	cands = append(cands, openingRegions(opening)...)
	info := chooseRegion(cands)
	fy, fr := fromFileName(source)
	if info.Region == "" {
		if fr.Region != "" {
			info = fr
		} else {
			warn = append(warn, "region not stated")
		}
	}
	m.Region, m.Level, m.Parent = info.Region, info.Level, info.Parent

	if m.Year == 0 && m.Title != "" {
		if ym := reTitleYear.FindStringSubmatch(m.Title); ym != nil {
			m.Year, _ = strconv.Atoi(ym[1])
		}
	}
	if m.Year == 0 {
		m.Year = fy
	}
	if m.Year == 0 {
		warn = append(warn, "year not stated")
	}

	m.Speaker, m.SpeakerTitle = speakerOf(speakerLine)
	if m.Speaker == "" {
		m.Speaker, m.SpeakerTitle = speakerInDateLine(h.lines, m.Region)
	}
	m.Title = specificTitle(m.Title, m.Year, m.Region, m.Level)
	return m, warn
}

// headerTitle returns the first header line's report title, or "".
func headerTitle(lines []string) string {
	for _, l := range lines {
		if t := titleOf(l); t != "" {
			return t
		}
	}
	return ""
}

// meetingDate reads the date of the meeting at which the report was
// delivered, the date that introduces the session, from the compact
// header; year is 0 when there is none.
func meetingDate(compact string) (year int, date string) {
	if reSessionAt.FindStringIndex(compact) == nil && !strings.Contains(compact, "会议上") {
		return 0, ""
	}
	ds := reDateAt.FindAllStringSubmatch(compact, -1)
	if ds == nil {
		ds = reDate.FindAllStringSubmatch(compact, -1)
	}
	for _, d := range ds {
		y, ok1 := hanNumber(d[1])
		mo, ok2 := hanNumber(d[2])
		dd, ok3 := hanNumber(d[3])
		if ok1 && ok2 && ok3 && y > 1900 && y < 2200 && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31 {
			return y, fmt.Sprintf("%04d-%02d-%02d", y, mo, dd)
		}
	}
	return 0, ""
}

// sessionName writes the session the compact header names in one form
// whatever the source wrote: 第十四届人民代表大会第三次会议.
func sessionName(compact string) string {
	sm := reSession.FindStringSubmatch(compact)
	if sm == nil {
		return ""
	}
	return "第" + sm[1] + "届" + sm[2] + "人民代表大会" + sm[3] + "第" + sm[4] + "次会议"
}

// sessionRegion returns the region whose people's congress the session
// line names ("在上海市静安区第六届人民代表大会…", 全国 for the national
// one), as a one-element candidate list, or nil.
func sessionRegion(compact string) []string {
	sm := reSessionAt.FindStringSubmatch(compact)
	switch {
	case sm == nil:
		return nil
	case sm[2] != "":
		return []string{"全国"}
	}
	return []string{sm[1]}
}

// findSpeakerLine returns the header line that names the speaker and the
// region named before the speaker's title on each line that names one
// ("静安区区长 陆晓栋" gives 静安区).
func findSpeakerLine(lines []string, compact string) (speakerLine string, regions []string) {
	for _, l := range lines {
		l = strings.TrimSpace(foldDigits(l))
		if i := strings.LastIndex(l, "会议上"); i >= 0 {
			l = l[i+len("会议上"):]
		}
		if sm := reSpeaker.FindStringSubmatchIndex(l); sm != nil {
			speakerLine = l
			prefix := l[:sm[2]]
			prefix = strings.TrimSuffix(strings.TrimSuffix(prefix, "人民政府"), "政府")
			regions = append(regions, strings.TrimSpace(prefix))
		}
	}
	if speakerLine == "" {
		// The title and the name may sit on separate lines ("国务院总理" / "李　强").
		if i := strings.LastIndex(compact, "会议上"); i >= 0 {
			if tail := compact[i+len("会议上"):]; reSpeaker.MatchString(tail) {
				speakerLine = tail
			}
		}
	}
	return speakerLine, regions
}

// openingRegions returns the region the opening speaks for ("我代表静安区
// 人民政府…", 全国 for "代表国务院…"), as candidates.
func openingRegions(opening string) []string {
	var out []string
	if om := reOpening.FindStringSubmatch(opening); om != nil {
		out = append(out, om[1])
	}
	for _, w := range []string{"代表国务院", "代表國務院", "代表中央人民政府", "代表中華人民共和國"} {
		if strings.Contains(opening, w) {
			return append(out, "全国")
		}
	}
	return out
}

// chooseRegion takes the first candidate that is a region name; a later
// candidate naming the same region may supply its parent.
func chooseRegion(cands []string) RegionInfo {
	var info RegionInfo
	for _, c := range cands {
		if ri, ok := ParseRegion(c); ok {
			if info.Region == "" {
				info = ri
			} else if ri.Region == info.Region && info.Parent == "" && ri.Parent != "" {
				info.Parent = ri.Parent
			}
		}
	}
	return info
}

// speakerOf reads the speaker's name and title from a speaker line:
// "静安区区长 陆晓栋", "国务院总理 温家宝", "区长;高;香".
func speakerOf(line string) (name, title string) {
	if line == "" {
		return "", ""
	}
	sm := reSpeaker.FindStringSubmatch(line)
	name = strings.Map(func(r rune) rune {
		if isSpaceRune(r) || r == ';' || r == '；' {
			return -1
		}
		return r
	}, sm[2])
	if n := utf8.RuneCountInString(name); n >= 2 && (n <= 4 || strings.ContainsAny(name, "·・")) {
		return name, sm[1]
	}
	return "", ""
}

// specificTitle names the report by year and region when the source's
// title says only 政府工作报告 (or nothing): a citation needs to say whose.
func specificTitle(title string, year int, region, level string) string {
	if title != "" && (reTitleYear.MatchString(title) || regionFromTitle(title) != "") {
		return title
	}
	switch {
	case year == 0 || region == "":
		if title == "" {
			return "政府工作报告"
		}
		return title
	case level == LevelNational:
		return fmt.Sprintf("%d年国务院政府工作报告", year)
	}
	return fmt.Sprintf("%d年%s人民政府工作报告", year, region)
}

const speakerTitles = `(?:代理|代)?(?:副总理|总理|省长|市长|区长|县长|州长|旗长|盟长|主席)`

var (
	// "……会议上某省省长某某作政府工作报告", "省长某某在……"
	reTitleName = regexp.MustCompile(`(` + speakerTitles + `)([\p{Han}·]{2,12}?)(?:在|作|所作|代表)`)
	// "——2025年1月15日某某市长在……"
	reNameTitle = regexp.MustCompile(`日([\p{Han}·]{2,12}?)(` + speakerTitles + `)在`)
	reBareName  = regexp.MustCompile(`^[\p{Han}]{2,4}$|^[\p{Han}]{1,8}·[\p{Han}·]{1,12}$`)
)

// speakerInDateLine finds the speaker where the title-and-name line is
// missing: named inside the date line, or a bare name on its own line
// after it. The title of a bare name follows from the region's unit.
func speakerInDateLine(lines []string, region string) (name, title string) {
	dateSeen := false
	for _, l := range lines {
		c := dedupeKey(foldDigits(l))
		if i := strings.LastIndex(c, "会议上"); i >= 0 {
			tail := strings.TrimRight(c[i+len("会议上"):], "。")
			for _, suf := range []string{"所作的政府工作报告", "作的政府工作报告", "作政府工作报告", "的政府工作报告", "政府工作报告", "的讲话", "讲话"} {
				tail = strings.TrimSuffix(tail, suf)
			}
			if sm := reSpeaker.FindStringSubmatch(tail); sm != nil && plausibleName(sm[2]) {
				return strings.TrimSuffix(sm[2], "同志"), sm[1]
			}
		}
		if sm := reTitleName.FindStringSubmatch(c); sm != nil && plausibleName(sm[2]) {
			return strings.TrimSuffix(sm[2], "同志"), sm[1]
		}
		if sm := reNameTitle.FindStringSubmatch(c); sm != nil && plausibleName(sm[1]) {
			return strings.TrimSuffix(sm[1], "同志"), sm[2]
		}
		if dateSeen && reBareName.MatchString(c) && plausibleName(c) {
			return c, titleForRegion(region)
		}
		if isSessionLine(l) {
			dateSeen = true
		}
	}
	return "", ""
}

// plausibleName rejects words that fill a name's place in a date line.
func plausibleName(s string) bool {
	s = strings.TrimSuffix(s, "同志")
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 4 && !strings.ContainsAny(s, "·・") {
		return false
	}
	for _, w := range []string{"政府", "人民", "会议", "代表", "大会", "自治", "报告", "工作", "省", "区", "县"} {
		if strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// titleForRegion is the head of government's title in a region.
func titleForRegion(region string) string {
	switch {
	case strings.HasSuffix(region, "自治区"), strings.HasSuffix(region, "特别行政区"):
		return "主席"
	case strings.HasSuffix(region, "省"):
		return "省长"
	case strings.HasSuffix(region, "市"):
		return "市长"
	case strings.HasSuffix(region, "区"):
		return "区长"
	case strings.HasSuffix(region, "县"):
		return "县长"
	case strings.HasSuffix(region, "州"):
		return "州长"
	}
	return ""
}

// titleOf returns the report title a header line states, or "".
func titleOf(l string) string {
	// A title sits at the start of its line; looking further is wasted work.
	t := reBullet.ReplaceAllString(strings.TrimSpace(firstRunes(l, 90)), "")
	t = reTag.ReplaceAllString(t, "")
	t = strings.Map(func(r rune) rune {
		if isSpaceRune(r) {
			return -1
		}
		return r
	}, t)
	t = strings.TrimLeft(t, "—─-―–")
	if i := strings.Index(t, "报告"); i >= 0 {
		t = t[:i+len("报告")]
	} else {
		return ""
	}
	if utf8.RuneCountInString(t) > 60 || !strings.Contains(t, "报告") {
		return ""
	}
	if strings.ContainsAny(t, "，。；：,;") {
		return ""
	}
	return t
}

// regionFromTitle extracts the region part of a title like
// "2020年上海市静安区人民政府工作报告".
func regionFromTitle(t string) string {
	t = reTitleYear.ReplaceAllString(t, "")
	for _, suf := range []string{"人民政府工作报告", "政府工作报告", "人民政府", "政府"} {
		if strings.HasSuffix(t, suf) {
			return strings.TrimSuffix(t, suf)
		}
	}
	return ""
}

// fromFileName reads the year and region of names like
// "1954_国务院_政府工作报告.txt" or "2021_云南省_政府工作报告.txt".
func fromFileName(source string) (int, RegionInfo) {
	base := strings.TrimSuffix(filepath.Base(source), filepath.Ext(source))
	year := 0
	if ym := reFileYear.FindStringSubmatch(base); ym != nil {
		year, _ = strconv.Atoi(ym[1])
	}
	var info RegionInfo
	for _, tok := range strings.FieldsFunc(base, func(r rune) bool { return r == '_' || r == '-' || r == ' ' || r == '.' }) {
		tok = reTitleYear.ReplaceAllString(tok, "")
		for _, suf := range []string{"人民政府工作报告", "政府工作报告", "工作报告", "人民政府", "政府"} {
			tok = strings.TrimSuffix(tok, suf)
		}
		if tok == "" || !hasHan(tok) {
			continue
		}
		if ri, ok := ParseRegion(tok); ok {
			info = ri
			break
		}
	}
	return year, info
}
