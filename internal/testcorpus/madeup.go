package testcorpus

import (
	"fmt"
	"strings"
)

// MadeUpReport returns the text of a district report that no corpus holds:
// report n (its year is 2100+n, so each n is its own report id) whose
// paragraphs all contain phrase, padded with extra paragraphs to at least
// minBytes. Tests upload it and then search for phrase.
func MadeUpReport(n int, phrase string, minBytes int) []byte {
	var b strings.Builder
	year := 2100 + n
	fmt.Fprintf(&b, "政府工作报告\n\n——%d年1月10日在静安区第九届人民代表大会第一次会议上\n\n静安区区长 测试员\n\n各位代表:\n\n", year)
	fmt.Fprintf(&b, "一、%d年工作回顾\n\n过去一年，我们推进了%s，完成了全部目标任务。\n\n", year-1, phrase)
	fmt.Fprintf(&b, "二、%d年工作安排\n\n今年要继续深化%s，推动一网通办向纵深发展。\n\n", year, phrase)
	for i := 1; b.Len() < minBytes; i++ {
		fmt.Fprintf(&b, "第%d项，围绕%s加强城市更新和民生保障，落实第%d批重点项目，提升政务服务效能。\n\n", i, phrase, i)
	}
	return []byte(b.String())
}
