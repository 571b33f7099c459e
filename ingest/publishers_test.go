package ingest

import (
	"strings"
	"testing"
)

// The rules for reports as provincial and municipal publishers put them
// out. Every example is made up in the shape seen on such pages.

func TestTextualNonHan(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"2.5", true}, {"PM", true}, {"ESI", true}, {"1+5+N", true}, {"）", true}, {"。", true},
		{"（⑶⑷）", true}, {"GDP", true}, {"5G+", true},
		{"12", false}, {"- 12 -", false}, {"147971", false}, // page numbers and counters
		{"<!--", false}, {"-->", false}, {"false", false}, {"Public domain", false},
		{"Rank:", false}, {"9:00-18:00", false}, {"010-63691786", false}, {"·", false},
		{"function f(){ x = 1 }", false},
	} {
		t.Run(tc.line, func(t *testing.T) {
			if got := textualNonHan(tc.line); got != tc.want {
				t.Errorf("textualNonHan(%q) = %v, want %v", tc.line, got, tc.want)
			}
		})
	}
}

func TestPublisherChrome(t *testing.T) {
	for _, tc := range []struct {
		line string
		rule string // "" for report text
	}{
		{"【字体：大 中 小】", DropNav},
		{"收藏 加大 还原 减小", DropNav},
		{"分享：", DropNav},
		{"打印 | 关闭", DropNav},
		{"》》点击图片进入专题《《", DropNav},
		{"时间：2026-01-28 09:12", DropPostDate},
		{"发布日期：2025年1月20日 来源：某某日报", DropPostDate},
		{"来源：某某日报", DropSource},
		{"（来源：某某日报）", DropSource},
		{"编辑：张三", DropSource},
		{"责任编辑：李四", DropLinks},
		{"某某热议政府工作报告", DropLinks},
		{"解读：今年政府工作报告的十个关键词", DropLinks},
		{"图为某某新区建设现场。（某某 摄）", DropCaption},
		// Report text that uses the same words.
		{"大中小企业融通发展。", ""},
		{"收藏、保护和利用好文物资源。", ""},
		{"来源：某省人民政府2025年1月17日在某省第十四届人民代表大会第三次会议上省长某某作政府工作报告。", ""},
		{"深入解读政策，让企业应享尽享。", ""},
	} {
		t.Run(tc.line, func(t *testing.T) {
			_, rule := classifyChrome(tc.line)
			if rule != tc.rule {
				t.Errorf("classifyChrome(%q) rule %q, want %q", tc.line, rule, tc.rule)
			}
		})
	}
}

func TestGlossaryShapes(t *testing.T) {
	for _, tc := range []struct {
		heading  string
		glossary bool
	}{
		{"名词解释", true}, {"名词注释", true}, {"注释", true}, {"注解", true}, {"附：名词解释", true},
		{"《政府工作报告》有关内容名词注释", true}, {"附件2 名词解释", true}, {"有关用语解释", true},
		{"二、2025年主要任务", false}, {"关于政府工作报告的说明", false}, {"注释清楚", false},
	} {
		t.Run(tc.heading, func(t *testing.T) {
			if got := reGlossaryHead.MatchString(tc.heading); got != tc.glossary {
				t.Errorf("%q taken for a glossary heading: %v, want %v", tc.heading, got, tc.glossary)
			}
		})
	}
	for _, tc := range []struct {
		line, term, def string
		after, ok       bool
	}{
		{"1.两新：指某某和某某。", "两新", "指某某和某某。", false, true},
		{"［5］ESI：基本科学指标数据库。", "ESI", "基本科学指标数据库。", false, true},
		{"(3)“1+N”：“1”即一个意见，“N”即配套政策。", "“1+N”", "“1”即一个意见，“N”即配套政策。", false, true},
		{"【12】1+5+N", "1+5+N", "", false, true},
		{"2、一网通办", "一网通办", "", false, true},
		{"两旧一村：旧区改造、旧住房更新和城中村改造。", "两旧一村", "旧区改造、旧住房更新和城中村改造。", true, true},
		{"两旧一村：旧区改造、旧住房更新和城中村改造。", "", "", false, false}, // unnumbered only after an entry
		{"这一机制的目标是：降低成本，提高效率。", "", "", true, false},     // a sentence with a colon
	} {
		t.Run(tc.line, func(t *testing.T) {
			term, def, ok := glossaryEntry(tc.line, tc.after)
			if ok != tc.ok || term != tc.term || def != tc.def {
				t.Errorf("glossaryEntry(%q) = %q, %q, %v; want %q, %q, %v", tc.line, term, def, ok, tc.term, tc.def, tc.ok)
			}
		})
	}
}

func TestSpeakerInDateLine(t *testing.T) {
	for _, tc := range []struct {
		lines         []string
		region        string
		name, title   string
		sessionInLine bool
	}{
		{[]string{"——2025年1月16日在某某省第十四届人民代表大会第三次会议上某某省省长王小明作政府工作报告"}, "某某省", "王小明", "省长", true},
		{[]string{"——2025年1月15日李大山市长在某某市第十六届人民代表大会第三次会议上"}, "某某市", "李大山", "市长", true},
		{[]string{"省长 赵四在某某省第十四届人民代表大会第三次会议上的讲话"}, "某某省", "赵四", "省长", true},
		{[]string{"——2025年1月14日自治区人民政府代理主席钱多多在某某自治区第十四届人民代表大会第三次会议上"}, "某某自治区", "钱多多", "代理主席", true},
		{[]string{"——2025年1月14日在某某省第十四届人民代表大会第三次会议上", "孙 小 红"}, "某某省", "孙小红", "省长", true},
		{[]string{"来源：某某省人民政府2025年1月17日在某某省第十四届人民代表大会第三次会议上省长周五作政府工作报告。"}, "某某省", "周五", "省长", true},
	} {
		t.Run(tc.lines[0], func(t *testing.T) {
			name, title := speakerInDateLine(tc.lines, tc.region)
			if name != tc.name || title != tc.title {
				t.Errorf("speaker %q %q, want %q %q", title, name, tc.title, tc.name)
			}
			if got := isSessionLine(tc.lines[0]); got != tc.sessionInLine {
				t.Errorf("isSessionLine = %v, want %v", got, tc.sessionInLine)
			}
		})
	}
}

func TestPartKindsOfProvincialHeadings(t *testing.T) {
	for _, tc := range []struct {
		heading, kind string
		unnumbered    bool
	}{
		{"2024年工作回顾", PartReview, true},
		{"2025年工作安排建议", PartPlan, true},
		{"加强政府自身建设", PartSelfBuilding, true},
		{"二、2026年重点工作", PartPlan, false},
		{"二、关于2026年工作", PartPlan, false},
		{"二、2026年主要任务", PartPlan, false},
		{"二、今年工作安排", PartPlan, false},
		{"三、“十五五”时期经济社会发展的主要目标", PartFiveYearPlan, false},
		{"一、2025年主要工作和“十四五”发展成就", PartReview, false},
		{"三、努力建设人民满意政府", PartSelfBuilding, false},
		{"三、今年政府工作的主要任务", PartPlan, false},
	} {
		t.Run(tc.heading, func(t *testing.T) {
			if got := partKindOf(tc.heading); got != tc.kind {
				t.Errorf("partKindOf = %q, want %q", got, tc.kind)
			}
			if got := reUnnumberedPart.MatchString(tc.heading); got != tc.unnumbered {
				t.Errorf("unnumbered part heading = %v, want %v", got, tc.unnumbered)
			}
		})
	}
}

// A provincial report as a newspaper site publishes it: chrome around it,
// the speaker inside the date line, unnumbered parts, a heading over two
// lines, PM2.5 broken by subscript markup, a glossary under another name.
const provincialPage = `某某日报
【字体：大 中 小】 收藏 加大 还原 减小
时间：2026-01-28 09:12
政府工作报告
——2026年1月20日在某某省十四届人民代表大会第五次会议上
某某省省长 王 小 明
来源：某某日报
各位代表：
现在，我代表省人民政府，向大会报告工作，请予审议。
2025年工作回顾
过去一年，全省生产总值增长5.5%。空气质量持续改善，细颗粒物（PM
2.5
）年平均浓度下降到30微克/立方米。
图为某某新区建设现场。（某某 摄）
2026年工作安排
今年要重点做好以下工作。
一、全面加强政府
自身建设
坚持依法行政，推进“一网通办”改革。
名词注释
1.两新：指大规模设备更新和消费品以旧换新。
［2］ESI：基本科学指标数据库。
(3)“1+N”：“1”即一个总体意见，“N”即若干配套政策。
分享：
编辑：张三
某某热议政府工作报告
解读：十个关键词读懂今年的政府工作报告
`

func TestProvincialPage(t *testing.T) {
	f, err := Parse("page.txt", []byte(provincialPage))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Reports) != 1 {
		t.Fatalf("%d reports", len(f.Reports))
	}
	r := f.Reports[0]
	want := Meta{Title: "2026年某某省人民政府工作报告", Region: "某某省", Level: LevelProvince, Year: 2026, Date: "2026-01-20",
		Speaker: "王小明", SpeakerTitle: "省长", Session: "第十四届人民代表大会第五次会议", Source: "page.txt"}
	if r.Meta != want {
		t.Errorf("meta %+v\nwant %+v", r.Meta, want)
	}
	var all strings.Builder
	byText := map[string]Paragraph{}
	for _, p := range r.Paragraphs {
		all.WriteString(p.Text)
		byText[p.Text] = p
		for _, chrome := range []string{"字体", "收藏", "减小", "09:12", "来源", "编辑", "分享", "热议", "解读", "摄）"} {
			if strings.Contains(p.Text, chrome) {
				t.Errorf("paragraph %d holds page chrome %q: %q", p.Ordinal, chrome, p.Text)
			}
		}
		if p.PartKind == PartOther || p.PartKind == "" {
			t.Errorf("paragraph %d has no real part: %q", p.Ordinal, p.Text)
		}
	}
	if !strings.Contains(all.String(), "细颗粒物（PM2.5）年平均浓度") {
		t.Errorf("PM2.5 broken over lines is lost: %q", all.String())
	}
	if p, ok := byText["一、全面加强政府自身建设"]; !ok || p.Kind != KindHeading || p.PartKind != PartSelfBuilding {
		t.Errorf("the heading over two lines: %+v, found %v", p, ok)
	}
	for _, part := range []struct{ heading, kind string }{{"2025年工作回顾", PartReview}, {"2026年工作安排", PartPlan}} {
		if p := byText[part.heading]; p.Kind != KindHeading || p.PartKind != part.kind {
			t.Errorf("%s: %+v", part.heading, p)
		}
	}
	var terms []string
	for _, p := range r.Paragraphs {
		if p.Kind == KindGlossary {
			terms = append(terms, p.Term)
			if p.Definition == "" || p.PartKind != PartGlossary {
				t.Errorf("glossary entry %+v", p)
			}
		}
	}
	if strings.Join(terms, "|") != "两新|ESI|“1+N”" {
		t.Errorf("glossary terms %q", terms)
	}
	if f.DroppedBy[DropNav] == 0 || f.DroppedBy[DropSource] == 0 || f.DroppedBy[DropCaption] != 1 || f.DroppedBy[DropLinks] == 0 {
		t.Errorf("dropped %v", f.DroppedBy)
	}
}

// An appendix list: numbered items, each with a labelled line that ends in
// no full stop; every item stays its own paragraph.
func TestAppendixItems(t *testing.T) {
	page := `2026年某某市人民政府工作报告
——2026年1月10日在某某市第十届人民代表大会第二次会议上
某某市市长 钱六
各位代表：
现在，我代表市人民政府，向大会报告工作，请予审议。
一、2025年工作回顾
全市经济稳中有进。
二、2026年主要任务
今年要办好十件实事。
附件：2026年10件惠民实事
1.新增养老床位
新增养老床位3000张。
主办单位：市民政局
2.建设口袋公园
建成口袋公园50个。
主办单位：市绿化局
`
	f, err := Parse("appendix.txt", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range f.Reports[0].Paragraphs {
		if p.PartKind == PartAppendix {
			got = append(got, p.Kind+"|"+p.Text)
		}
	}
	want := []string{"heading|附件：2026年10件惠民实事", "list|1.新增养老床位新增养老床位3000张。", "body|主办单位：市民政局",
		"list|2.建设口袋公园建成口袋公园50个。", "body|主办单位：市绿化局"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("appendix paragraphs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// In a file with one paragraph per line, a paragraph may end in a closing
// quote; in the same file a short line after a quote is a ragged break.
func TestQuoteEndedParagraphs(t *testing.T) {
	var b strings.Builder
	b.WriteString("2026年某某省人民政府工作报告\n——2026年1月20日在某某省第十四届人民代表大会第五次会议上\n某某省省长 王小明\n各位代表：\n现在，我代表省人民政府，向大会报告工作，请予审议。\n一、2025年工作回顾\n")
	for i := 0; i < 12; i++ {
		b.WriteString("全省上下坚持稳中求进工作总基调，经济运行总体平稳、稳中有进，社会大局和谐稳定，各项事业取得新的进展。\n")
	}
	b.WriteString("深入推进生态环境保护，持续打好蓝天、碧水、净土保卫战，加强南水北调水源地保护，确保“一泓清水永续北上”\n")
	b.WriteString("深化污染防治攻坚，空气质量优良天数比例达到百分之八十以上，水环境质量持续改善。\n")
	b.WriteString("坚持和平共处外交政策，始终坚定奉行“互相尊重、平等互利、和平共处”\n五项原则\n，不断开创对外交往新局面。\n")
	f, err := Parse("quote.txt", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]bool{}
	for _, p := range f.Reports[0].Paragraphs {
		texts[p.Text] = true
	}
	for _, want := range []string{
		"深入推进生态环境保护，持续打好蓝天、碧水、净土保卫战，加强南水北调水源地保护，确保“一泓清水永续北上”",
		"深化污染防治攻坚，空气质量优良天数比例达到百分之八十以上，水环境质量持续改善。",
		"坚持和平共处外交政策，始终坚定奉行“互相尊重、平等互利、和平共处”五项原则，不断开创对外交往新局面。",
	} {
		if !texts[want] {
			t.Errorf("no paragraph %q", want)
		}
	}
}
