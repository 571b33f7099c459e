package ingest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

const sampleReport = `2022年云南省人民政府工作报告
——2022年1月20日在云南省第十三届人民代表大会第五次会议上
云南省省长　王予波
各位代表：
现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员和其他列席人员提出意见。
一、2021年工作回顾
过去一年，我们坚持稳中求进工作总基调，经济社会发展主要目标任务较好完成。全省生产总值增长7.3%。
（一）经济运行稳中向好
坚持扩大有效投资，重大项目建设加快推进。
二、2022年主要任务
今年要重点做好以下工作。
`

func TestDecode(t *testing.T) {
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(sampleReport)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      []byte
		enc     string
		wantErr error
	}{
		{"utf8", []byte(sampleReport), "utf-8", nil},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, sampleReport...), "utf-8", nil},
		{"gb18030", []byte(gb), "gb18030", nil},
		{"empty", nil, "", ErrEmpty},
		{"blank", []byte(" \n\r\n\t"), "", ErrEmpty},
		{"binary", []byte("PK\x03\x04\x00\x00binary\x00data"), "", ErrBinary},
		{"english", []byte(strings.Repeat("This is not a Chinese report at all.\n", 20)), "", ErrNotChinese},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, enc, err := Decode(tc.in)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || enc != tc.enc || s != sampleReport {
				t.Errorf("enc %q err %v, text equal %v", enc, err, s == sampleReport)
			}
		})
	}
}

func TestParseEncodingsAgree(t *testing.T) {
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(sampleReport)
	crlf := strings.ReplaceAll(sampleReport, "\n", "\r\n")
	a, err := Parse("a.txt", []byte(sampleReport))
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{"gb18030": gb, "crlf": crlf, "bom": "\uFEFF" + sampleReport} {
		t.Run(name, func(t *testing.T) {
			b, err := Parse("a.txt", []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Reports) != 1 || b.Reports[0].Meta != a.Reports[0].Meta || len(b.Reports[0].Paragraphs) != len(a.Reports[0].Paragraphs) {
				t.Fatal("parse differs from UTF-8")
			}
			for i, p := range b.Reports[0].Paragraphs {
				if p.Text != a.Reports[0].Paragraphs[i].Text {
					t.Errorf("paragraph %d %q, want %q", i, p.Text, a.Reports[0].Paragraphs[i].Text)
				}
			}
		})
	}
}

func TestCleanDebris(t *testing.T) {
	in := "各位<U+00A0>代表\u200b：\x07现在\r\n一、<U+3000>回顾\u00ad"
	c := clean(in)
	if want := "各位 代表：现在\n一、 回顾"; c.text != want {
		t.Fatalf("clean = %q, want %q", c.text, want)
	}
	// Offsets still point into the original text.
	i := strings.Index(c.text, "现在")
	if a, b := c.span(i, i+len("现在")); in[a:b] != "现在" {
		t.Errorf("span of 现在 = %q", in[a:b])
	}
}

func TestParseRegion(t *testing.T) {
	tests := []struct {
		in                    string
		region, level, parent string
		ok                    bool
	}{
		{"云南省", "云南省", LevelProvince, "", true},
		{"广西壮族自治区", "广西壮族自治区", LevelProvince, "", true},
		{"香港特别行政区", "香港特别行政区", LevelProvince, "", true},
		{"上海市", "上海市", LevelProvince, "", true},
		{"重庆市", "重庆市", LevelProvince, "", true},
		{"杭州市", "杭州市", LevelCity, "", true},
		{"浙江省杭州市", "杭州市", LevelCity, "浙江省", true},
		{"昆山市", "昆山市", LevelCity, "", true},
		{"苏州市昆山市", "昆山市", LevelDistrict, "苏州市", true},
		{"北京市海淀区", "海淀区", LevelDistrict, "北京市", true},
		{"静安区", "静安区", LevelDistrict, "上海市", true},
		{"上海市浦东新区", "浦东新区", LevelDistrict, "上海市", true},
		{"延边朝鲜族自治州", "延边朝鲜族自治州", LevelCity, "", true},
		{"阿里地区", "阿里地区", LevelCity, "", true},
		{"正定县", "正定县", LevelDistrict, "", true},
		{"济南市市中区", "市中区", LevelDistrict, "济南市", true},
		{"国务院", "全国", LevelNational, "", true},
		{"", "", "", "", false},
		{"区", "", "", "", false},
		{"本届政府", "", "", "", false},
		{"Shanghai", "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			got, ok := ParseRegion(tc.in)
			if ok != tc.ok || got.Region != tc.region || got.Level != tc.level || got.Parent != tc.parent {
				t.Errorf("ParseRegion(%q) = %+v %v, want %s %s %s %v", tc.in, got, ok, tc.region, tc.level, tc.parent, tc.ok)
			}
		})
	}
}

// TestUnseenRegions parses synthetic report headers of regions and levels
// the seed corpus does not hold.
func TestUnseenRegions(t *testing.T) {
	body := "\n各位代表：\n现在，我代表%s人民政府，向大会报告工作，请予审议。\n一、过去一年工作回顾\n过去一年，全市经济社会发展取得新成效。\n"
	tests := []struct {
		header                               string
		gov                                  string
		region, level, parent, date, speaker string
		year                                 int
		title                                string
	}{
		{"2022年云南省人民政府工作报告\n——2022年1月20日在云南省第十三届人民代表大会第五次会议上\n云南省省长　王予波", "省", "云南省", LevelProvince, "", "2022-01-20", "王予波", 2022, "省长"},
		{"政府工作报告\n——2023年1月13日在杭州市第十四届人民代表大会第三次会议上\n杭州市市长 姚高员", "市", "杭州市", LevelCity, "", "2023-01-13", "姚高员", 2023, "市长"},
		{"政府工作报告\n——2021年2月26日在正定县第十七届人民代表大会第六次会议上\n县长 张三", "县", "正定县", LevelDistrict, "", "2021-02-26", "张三", 2021, "县长"},
		{"北京市海淀区人民政府工作报告\n——2024年1月5日在北京市海淀区第十七届人民代表大会第四次会议上\n北京市海淀区代区长 李四", "区", "海淀区", LevelDistrict, "北京市", "2024-01-05", "李四", 2024, "代区长"},
		{"2020年广西壮族自治区政府工作报告\n——2020年1月14日在广西壮族自治区第十三届人民代表大会第三次会议上\n自治区主席 陈武", "自治区", "广西壮族自治区", LevelProvince, "", "2020-01-14", "陈武", 2020, "主席"},
		{"2019年昆山市政府工作报告", "市", "昆山市", LevelCity, "", "", "", 2019, ""},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			in := tc.header + strings.Replace(body, "%s", tc.gov, 1)
			f, err := Parse("x.txt", []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Reports) != 1 {
				t.Fatalf("%d reports", len(f.Reports))
			}
			m := f.Reports[0].Meta
			if m.Region != tc.region || m.Level != tc.level || m.Parent != tc.parent || m.Year != tc.year || m.Date != tc.date || m.Speaker != tc.speaker || m.SpeakerTitle != tc.title {
				t.Errorf("got %s %s %q %d %q %q %q", m.Region, m.Level, m.Parent, m.Year, m.Date, m.Speaker, m.SpeakerTitle)
			}
		})
	}
}

func TestFileNameFallback(t *testing.T) {
	in := "各位代表：\n现在，我代表大会主席团向大会报告工作，请予审议。\n" + strings.Repeat("我们认真贯彻执行各项方针政策，国民经济稳步发展，人民生活逐步改善。\n", 10)
	f, err := Parse("corpus/1954_国务院_政府工作报告.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	m := f.Reports[0].Meta
	if m.Region != "全国" || m.Level != LevelNational || m.Year != 1954 || m.Source != "1954_国务院_政府工作报告.txt" {
		t.Errorf("got %+v", m)
	}
}

func TestClassifyChrome(t *testing.T) {
	tests := []struct {
		in   string
		kind chromeKind
		rule string
	}{
		{"2025-07-08", chromeDrop, DropPostDate},
		{"<!--", chromeDrop, DropNonText},
		{"400-162-2002", chromeDrop, DropNonText},
		{"投资咨询热线", chromeDrop, DropHotline},
		{"当前位置： 首页>> 中国概况", chromeDrop, DropNav},
		{"查看: 942|回复: 0", chromeDrop, DropForum},
		{"您需要登录后才可以回帖 登录 | 立即注册", chromeCloser, DropForum},
		{"较旧一篇:2018年厦门市同安区政府工作报告较新一篇:2018年上海市虹口区政府工作报告", chromeCloser, DropLinks},
		{"有想补充的信息?点我投稿", chromeCloser, DropContribution},
		{"• 【上海招商】上港集团深化科技强港战略 以创新驱动融入新发展格局", chromeBoundary, DropNonReport},
		{"中央政府门户网站　www.gov.cn　　 2006年02月16日　　 来源：新华网", chromeDrop, DropSource},
		{"新华社北京３月１５日电", chromeDrop, DropDateline},
		{"3月5日，十二届全国人大三次会议开幕。新华社记者 庞兴雷 摄", chromeDrop, DropCaption},
		{"长宁区十六届人大三次会议秘书处              2018年1月10日", chromeDrop, DropDocHeader},
		{"本作品是中华人民共和国的", chromeCloser, DropLicense},
		// Report text that mentions such words stays.
		{"“12345”市民服务热线办结率达100%。", chromeNone, ""},
		{"• 【青浦区招商】2021年青浦区政府工作报告", chromeNone, ""},
		{"一、2017年工作回顾", chromeNone, ""},
		{"积分落户政策进一步完善，共受理申请1200件。", chromeNone, ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			k, r := classifyChrome(tc.in)
			if k != tc.kind || r != tc.rule {
				t.Errorf("classifyChrome(%q) = %v %q, want %v %q", tc.in, k, r, tc.kind, tc.rule)
			}
		})
	}
}

func TestHeadingEnd(t *testing.T) {
	tests := []struct {
		in   string
		top  bool
		want string
	}{
		{"一、2017年工作回顾", true, "一、2017年工作回顾"},
		{"一、2020年工作回顾过去一年,我们在区委坚强领导下,以习近平新时代中国特色社会主义思想为指导,深入贯彻习近平总书记考察上海重要讲话精神,认真落实决策部署。", true, "一、2020年工作回顾"},
		{"三、2021年主要任务2021年是“十四五”规划开局之年。我们要以习近平新时代中国特色社会主义思想为指导。", true, "三、2021年主要任务"},
		{"（一）将改革创新推向深入，不断优化区域营商环境。坚持刀刃向内、大胆探索、勇于担当的改革精神。", false, "（一）将改革创新推向深入，不断优化区域营商环境。"},
		{"(二)坚持多措并举,区域经济实现逆势上扬牢牢抓住发展第一要务不放松,坚持以保促稳、稳中求进,用稳的成效为进创造条件,经济运行稳步恢复。", false, "(二)坚持多措并举,区域经济实现逆势上扬"},
	}
	for _, tc := range tests {
		t.Run(firstRunes(tc.in, 20), func(t *testing.T) {
			if got := tc.in[:headingEnd(tc.in, tc.top)]; got != tc.want {
				t.Errorf("headingEnd(%q) cuts %q, want %q", firstRunes(tc.in, 20), got, tc.want)
			}
		})
	}
}

func TestParagraphRules(t *testing.T) {
	in := "政府工作报告\n——2019年1月8日在某某区第一届人民代表大会第三次会议上\n某某区区长 王五\n各位代表：\n现在，我代表某某区人民政府，向大会作政府工作报告，请予审议。\n" +
		"一、2018年工作回顾\n" +
		"全年完成税收总收入100亿元，实现在法定时\n\n限的基础上减少办理时间。推动区属 二、三级企业改革。\n" + // page break and an out-of-sequence marker
		"（一）经济发展 稳中有进\n" +
		"产业结构持续优化。\n" +
		"二、2019年主要任务\n" +
		"今年要重点做好以下工作：\n" +
		"附件\n2019年区政府要完成的\n实事项目\n一、新建公共绿地5万平方米。\n二、新增养老床位300张。\n" +
		"《政府工作报告》名词解释\n1、一网通办\n指政务服务事项全部接入统一平台办理。\n"
	f, err := Parse("rules.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, f)
	var got []string
	for _, p := range f.Reports[0].Paragraphs {
		got = append(got, p.Kind+"|"+p.PartKind+"|"+p.Section+"|"+p.Text)
	}
	want := []string{
		"heading|opening||政府工作报告\n——2019年1月8日在某某区第一届人民代表大会第三次会议上\n某某区区长 王五",
		"body|opening||各位代表：",
		"body|opening||现在，我代表某某区人民政府，向大会作政府工作报告，请予审议。",
		"heading|review||一、2018年工作回顾",
		"body|review||全年完成税收总收入100亿元，实现在法定时限的基础上减少办理时间。推动区属二、三级企业改革。",
		"heading|review|（一）经济发展 稳中有进|（一）经济发展 稳中有进",
		"body|review|（一）经济发展 稳中有进|产业结构持续优化。",
		"heading|plan||二、2019年主要任务",
		"body|plan||今年要重点做好以下工作：",
		"heading|appendix||附件",
		"heading|appendix||2019年区政府要完成的实事项目",
		"list|appendix||一、新建公共绿地5万平方米。",
		"list|appendix||二、新增养老床位300张。",
		"heading|glossary||《政府工作报告》名词解释",
		"glossary|glossary||1、一网通办\n指政务服务事项全部接入统一平台办理。",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("paragraphs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLongRunOnSplit(t *testing.T) {
	sentence := "坚持稳中求进工作总基调，统筹推进疫情防控和经济社会发展，各项工作取得新进展。"
	in := "各位代表：\n现在，我代表国务院，向大会作政府工作报告，请予审议。" + strings.Repeat(sentence, 300)
	f, err := Parse("2020_国务院_政府工作报告.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, f)
	if n := len(f.Reports[0].Paragraphs); n < 4 {
		t.Errorf("a %d-character run-on text gave %d paragraphs", 300*len([]rune(sentence)), n)
	}
	dec, _, _ := Decode([]byte(in))
	for _, p := range f.Reports[0].Paragraphs {
		checkSpan(t, dec, p)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", ErrEmpty},
		{"binary", "\x00\x01\x02binary", ErrBinary},
		{"not Chinese", "hello world, no Chinese here at all, only ASCII text.", ErrNotChinese},
		{"no report", strings.Repeat("今天天气很好，我们去公园散步。", 5), ErrNoReport},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.txt", []byte(tc.in))
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != "bad.txt" || !errors.Is(err, tc.want) {
				t.Errorf("Parse(%.20q) err = %v, want %v naming bad.txt", tc.in, err, tc.want)
			}
		})
	}
}

func TestPartKindOf(t *testing.T) {
	for h, want := range map[string]string{
		"一、2019年工作回顾": PartReview,
		"一、过去五年工作回顾":  PartReview,
		"二、关于《普陀区国民经济和社会发展第十四个五年规划和二○三五年远景目标纲要(草案)》的说明": PartFiveYearPlan,
		"三、全力做好“十四五”开局工作": PartPlan,
		"二、2020年主要工作":     PartPlan,
		"三、今年政府工作的主要任务":   PartPlan,
		"名词解释":    PartGlossary,
		"附件:名词解释": PartGlossary,
		"附:有关说明":  PartAppendix,
	} {
		t.Run(h, func(t *testing.T) {
			if got := partKindOf(h); got != want {
				t.Errorf("partKindOf(%q) = %q, want %q", h, got, want)
			}
		})
	}
}

// TestTitleBlock checks that a report's header lines are a searchable
// heading paragraph, without the page furniture around them.
func TestTitleBlock(t *testing.T) {
	in := "[上海] 2023年上海市某某区政府工作报告\n732 天\n1万\n2023年上海市某某区政府工作报告\n" +
		"---2023年1月6日在上海市某某区第三届人民代表大会第三次会议上\n某某区区长  张三\n" +
		"各位代表:\n现在,我代表某某区人民政府,向大会作政府工作报告,请予审议。\n一、2022年工作回顾\n全年经济平稳运行。\n"
	f, err := Parse("title.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, f)
	p := f.Reports[0].Paragraphs[0]
	want := "2023年上海市某某区政府工作报告\n---2023年1月6日在上海市某某区第三届人民代表大会第三次会议上\n某某区区长  张三"
	if p.Kind != KindHeading || p.Text != want || p.Ordinal != 1 {
		t.Errorf("first paragraph = %s %d %q, want the title block %q", p.Kind, p.Ordinal, p.Text, want)
	}
	if !strings.Contains(p.Text, "区长") || strings.Contains(p.Text, "732") {
		t.Errorf("title block %q", p.Text)
	}
}
