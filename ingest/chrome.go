package ingest

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Boilerplate rule names, the keys of File.DroppedBy.
const (
	DropNonText      = "non_text"     // a line without any Chinese character: markup, numbers, phone numbers
	DropPostDate     = "post_date"    // the publication date of a web post
	DropNav          = "nav"          // site navigation, pagination, buttons
	DropForum        = "forum"        // forum user panels, sign-in prompts, post statistics
	DropContribution = "contribution" // calls for contributions and their rules
	DropHotline      = "hotline"      // hotline and contact advertisements
	DropSource       = "source"       // "来源：" lines and site names of a reprint
	DropDateline     = "dateline"     // news agency datelines (新华社北京3月5日电)
	DropCaption      = "caption"      // photo captions (……新华社记者 XX 摄)
	DropLinks        = "links"        // previous/next article links, related links, editor credits
	DropDocHeader    = "doc_header"   // document furniture around a report: file numbers, signatures
	DropPageHeader   = "page_header"  // running page headers repeated inside the text
	DropPreamble     = "preamble"     // anything before the first report on a page
	DropNonReport    = "non_report"   // items on a page that are not reports (news, rules, link lists)
	DropDuplicate    = "duplicate"    // paragraphs or report copies repeated within a file
	DropTOC          = "toc"          // a table of contents before the report text
	DropLicense      = "license"      // licence and copyright notices of the site a text was taken from
)

// chromeKind is what classifyChrome decided about one line.
type chromeKind int

const (
	chromeNone     chromeKind = iota
	chromeDrop                // drop this line
	chromeCloser              // drop this line; the article it follows has ended
	chromeBoundary            // a listed item (bullet link) starts: the current report has ended
)

var (
	rePostDate  = regexp.MustCompile(`^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?$`)
	reDateline  = regexp.MustCompile(`^(新华社|中新社|人民网|新华网|央视网)[\p{Han}\d０-９]{0,16}电$`)
	rePhone     = regexp.MustCompile(`\d{3,4}-\d{3,4}-\d{3,4}|\d{3,4}-\d{7,8}`)
	rePageCount = regexp.MustCompile(`^共\s*\d+\s*页$|^第\s*\d+\s*页$|^第\s*\d+\s*页\s*共\s*\d+\s*页$`)
	reSignature = regexp.MustCompile(`秘书处\s*[\d０-９]{4}年[\d０-９]{1,2}月[\d０-９]{1,2}日$`)
	reDocHeader = regexp.MustCompile(`^[\p{Han}]{2,12}[一二三四五六七八九十]+届人大$|会议文件[（(]\d+[）)]$`)
	reBullet    = regexp.MustCompile(`^[•·▪●◆■◇□○]\s*`)
)

var navWords = []string{"设为首页", "收藏本站", "当前位置", "首页>>", "首页 >", "返回顶部", "返回列表", "快速回复",
	"上一页", "下一页", "尾页", "跳转到", "字体：大", "字体:大", "打印本页", "关闭窗口", "网站地图", "分享到", "扫一扫"}
var navExact = map[string]bool{"确定": true, "关闭": true, "确认": true, "取消": true, "立即获取": true, "招商中心": true,
	"在线咨询": true, "客服中心": true, "主题": true, "帖子": true, "积分": true, "版主": true, "打印": true,
	"首页": true, "登录": true, "注册": true, "搜索": true, "获取园区招商政策资料": true}
var forumWords = []string{"查看:", "查看：", "复制链接", "TA的每日心情", "签到天数", "以坛为家", "Rank:", "发表于",
	"显示全部楼层", "阅读模式", "在线时间", "Powered by", "Licensed", "只看该作者", "楼主"}
var closerForum = []string{"登录后才可以回帖", "本版积分规则", "立即注册"}
var contributionWords = []string{"投稿", "稿件", "有想补充的信息", "我已阅读并同意"}
var linkWords = []string{"较旧一篇", "较新一篇", "上一篇", "下一篇", "相关链接", "相关新闻", "相关阅读", "E-mail推荐", "推荐给朋友", "责任编辑", "字库未存字注释",
	"延伸阅读", "推荐阅读", "相关报道", "相关文章", "相关稿件", "热点推荐"}

// widgetWords are the labels of a page's font-size, print and share
// buttons; a short line made of nothing else is page furniture.
var widgetWords = map[string]bool{"收藏": true, "加大": true, "还原": true, "减小": true, "放大": true, "缩小": true, "默认": true,
	"打印": true, "关闭": true, "分享": true, "分享到": true, "字体": true, "字号": true, "大": true, "中": true, "小": true,
	"微信": true, "微博": true, "QQ": true, "QQ空间": true, "复制链接": true, "纠错": true, "我要纠错": true, "打印本页": true, "关闭窗口": true}

var (
	// rePostTime is a labelled publication time, perhaps followed by a
	// source: "时间：2026-01-28 09:12", "发布日期：2025年1月20日 来源：……".
	rePostTime = regexp.MustCompile(`^(?:发布|更新|信息)?(?:时间|日期)\s*[：:]\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}`)
	// reByline is a credit line: "编辑：张三", "（来源：某某日报）".
	reByline = regexp.MustCompile(`^[（(]?(?:来源|编辑|作者|审核|校对|记者|通讯员|摄影|供稿|主编|值班编辑|责编|出处)\s*[：:]`)
	// reReadMore opens a list of related articles after a report:
	// "解读：……", "图解：……", "某某热议政府工作报告".
	reReadMore = regexp.MustCompile(`^(?:【?(?:解读|图解|专家解读|权威解读|一图读懂|视频)】?[：:|｜]|.{0,20}热议)`)
)

// widgetLine reports a line made only of button labels ("【字体：大 中 小】",
// "收藏 加大 还原 减小", "分享：").
func widgetLine(t string) bool {
	fields := strings.FieldsFunc(t, func(r rune) bool {
		return isSpaceRune(r) || strings.ContainsRune("【】[]|｜:：/、·", r)
	})
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		if !widgetWords[f] {
			return false
		}
	}
	// "大 中 小" alone only with its brackets or label: 大中小 is a word.
	return len(fields) > 1 || t != fields[0]
}

// classifyChrome decides whether a trimmed line is page furniture. Rules
// look only at short lines (or at unmistakable markers) so that report text
// mentioning such words is never dropped.
func classifyChrome(t string) (chromeKind, string) {
	n := utf8.RuneCountInString(t)
	if rePostDate.MatchString(t) {
		return chromeDrop, DropPostDate
	}
	if !hasHan(t) {
		if textualNonHan(t) {
			// "PM" / "2.5" / "）年均浓度…": a subscript or a token that a
			// page's markup put on a line of its own is report text.
			return chromeNone, ""
		}
		return chromeDrop, DropNonText
	}
	if n <= 80 && (strings.Contains(t, "本作品是") || strings.Contains(t, "维基文库") || t == "公有领域" || strings.Contains(t, "版权所有")) {
		return chromeCloser, DropLicense
	}
	if n <= 60 && reReadMore.MatchString(t) && !hasSentencePunct(t) {
		return chromeCloser, DropLinks
	}
	if n <= 60 && rePostTime.MatchString(t) {
		return chromeDrop, DropPostDate
	}
	if n <= 40 && (widgetLine(t) || strings.Contains(t, "点击") && strings.ContainsAny(t, "》《>")) {
		return chromeDrop, DropNav
	}
	if n <= 40 && reByline.MatchString(t) && !strings.Contains(t, "人民代表大会") && !strings.ContainsAny(t, "。；，") {
		return chromeDrop, DropSource
	}
	if n <= 60 {
		if containsOneOf(t, linkWords) {
			return chromeCloser, DropLinks
		}
		if containsOneOf(t, closerForum) {
			return chromeCloser, DropForum
		}
	}
	if n <= 40 && (strings.Contains(t, "点我投稿") || strings.Contains(t, "有想补充的信息")) {
		return chromeCloser, DropContribution
	}
	if reBullet.MatchString(t) && !strings.HasSuffix(t, "报告") {
		return chromeBoundary, DropNonReport
	}
	if n <= 40 {
		if kind, rule := shortLineChrome(t); kind != chromeNone {
			return kind, rule
		}
	}
	if n <= 40 && strings.HasPrefix(t, "（《") && strings.Contains(t, "报》") {
		return chromeDrop, DropSource // a reprint's citation: （《人民日报》1955 07 08）
	}
	if n <= 160 && (strings.Contains(t, "来源：") || strings.Contains(t, "来源:")) && (strings.Contains(t, "www.") || strings.Contains(t, "网")) {
		return chromeDrop, DropSource
	}
	if n <= 200 && isCaption(t) {
		return chromeDrop, DropCaption
	}
	return chromeNone, ""
}

// shortLineChrome applies the word and pattern rules that are safe only on
// short lines: navigation and forum labels, page counts, datelines,
// document furniture, calls for contributions and hotline ads.
func shortLineChrome(t string) (chromeKind, string) {
	if navExact[t] {
		return chromeDrop, DropNav
	}
	if containsOneOf(t, navWords) {
		return chromeDrop, DropNav
	}
	if containsOneOf(t, forumWords) {
		return chromeDrop, DropForum
	}
	switch {
	case rePageCount.MatchString(t):
		return chromeDrop, DropNav
	case reDateline.MatchString(t):
		return chromeDrop, DropDateline
	case reSignature.MatchString(t) || reDocHeader.MatchString(t):
		return chromeDrop, DropDocHeader
	case hasSentencePunct(t):
		return chromeNone, ""
	}
	if containsOneOf(t, contributionWords) {
		return chromeDrop, DropContribution
	}
	if strings.Contains(t, "热线") || strings.Contains(t, "联系电话") || strings.Contains(t, "咨询电话") || rePhone.MatchString(t) {
		return chromeDrop, DropHotline
	}
	return chromeNone, ""
}

// containsOneOf reports whether t contains one of words.
func containsOneOf(t string, words []string) bool {
	for _, w := range words {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// hasHan reports whether s holds at least one Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x2E80 && unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// hasSentencePunct reports sentence punctuation anywhere in s.
func hasSentencePunct(s string) bool {
	return strings.ContainsAny(s, "。！？；，,;")
}

// reBareNumber is a line holding only a number, as page numbers do
// ("12", "- 12 -", "—12—").
var reBareNumber = regexp.MustCompile(`^[-—–－\s]*\d+[-—–－\s]*$`)

// reClock is a time of day ("9:00-18:00"), as in opening hours.
var reClock = regexp.MustCompile(`\d:\d\d`)

// textualNonHan reports a line without Chinese characters that can still be
// part of a sentence: a short run of digits, Latin letters and the
// punctuation of running text ("2.5", "PM", "ESI", "1+5+N", "）", "。").
// Markup, code, labels, phone numbers, English phrases and bare numbers
// (page numbers, decided with their context by the caller) are not.
func textualNonHan(t string) bool {
	if utf8.RuneCountInString(t) > 24 || reBareNumber.MatchString(t) || rePhone.MatchString(t) || reClock.MatchString(t) {
		return false
	}
	switch strings.ToLower(t) {
	case "false", "true", "null", "undefined", "nan":
		return false
	}
	letters := false
	for _, r := range t {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 'ａ' && r <= 'ｚ' || r >= 'Ａ' && r <= 'Ｚ':
			letters = true
		case r >= '0' && r <= '9' || r >= '０' && r <= '９':
		case strings.ContainsRune(".%+‰/-–—·、。，,；;：（）()“”\"'‘’《》〈〉【】[]～~×＋％．－／①②③④⑤⑥⑦⑧⑨⑩⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽", r):
		case r == ' ' && !letters:
		default:
			return false // markup (<, {, =, |), spaces between words, symbols
		}
	}
	// A label ("Rank:") or a lone separator is page furniture.
	last, _ := utf8.DecodeLastRuneInString(t)
	if letters && (last == ':' || last == '：') || t == "·" || t == "—" || t == "——" {
		return false
	}
	return true
}

// reCaptionEnd ends a photo caption: "……（新华社记者 某某 摄）", "（某某 摄）",
// "（资料图）", "（图片来源：……）".
var reCaptionEnd = regexp.MustCompile(`(?:记者[\p{Han}\s·]{0,12}摄|[（(][\p{Han}\s·]{2,12}摄[）)]|[（(](?:资料图|资料图片|图片来源[：:][^）)]*|[\p{Han}]{2,8}供图)[）)])$`)

// isCaption reports a photo caption: it ends in a photographer's credit,
// or it starts with 图为 and is short.
func isCaption(t string) bool {
	t = strings.TrimRightFunc(t, isSpaceRune)
	return reCaptionEnd.MatchString(t) || strings.HasPrefix(t, "图为") && utf8.RuneCountInString(t) <= 100 || strings.HasSuffix(t, "摄") && strings.Contains(t, "记者")
}
