package ingest_test

import (
	"fmt"

	"govsearch/ingest"
)

func ExampleParse() {
	raw := "2022年云南省人民政府工作报告\n" +
		"——2022年1月20日在云南省第十三届人民代表大会第五次会议上\n" +
		"云南省省长　王予波\n" +
		"各位代表：\n" +
		"现在，我代表省人民政府，向大会报告工作，请予审议。\n" +
		"一、2021年工作回顾\n" +
		"过去一年，全省生产总值增长7.3%，实现在法定时\n" +
		"限内办结率100%。\n"
	f, err := ingest.Parse("yunnan.txt", []byte(raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := f.Reports[0]
	fmt.Println(r.Region, r.Level, r.Year, r.Date, r.SpeakerTitle, r.Speaker, r.Session)
	for _, p := range r.Paragraphs {
		fmt.Printf("%d %s %s %q\n", p.Ordinal, p.Kind, p.PartKind, p.Text)
	}
	// Output:
	// 云南省 province 2022 2022-01-20 省长 王予波 第十三届人民代表大会第五次会议
	// 1 heading opening "2022年云南省人民政府工作报告\n——2022年1月20日在云南省第十三届人民代表大会第五次会议上\n云南省省长\u3000王予波"
	// 2 body opening "各位代表："
	// 3 body opening "现在，我代表省人民政府，向大会报告工作，请予审议。"
	// 4 heading review "一、2021年工作回顾"
	// 5 body review "过去一年，全省生产总值增长7.3%，实现在法定时限内办结率100%。"
}

func ExampleParseRegion() {
	for _, s := range []string{"上海市静安区", "广西壮族自治区", "苏州市昆山市", "国务院"} {
		ri, _ := ingest.ParseRegion(s)
		fmt.Printf("%s %s parent=%q\n", ri.Region, ri.Level, ri.Parent)
	}
	// Output:
	// 静安区 district parent="上海市"
	// 广西壮族自治区 province parent=""
	// 昆山市 district parent="苏州市"
	// 全国 national parent=""
}
