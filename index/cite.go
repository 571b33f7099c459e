package index

import (
	"net/url"
	"strconv"
	"strings"

	"govsearch/ingest"
)

// Citations follow GB/T 7714-2015 for a report ([R]): the speaker as
// author, the title, the date-and-session line as other title
// information, the year; a paragraph's citation adds its locator (part and
// paragraph) where the standard puts a page: after the year and a colon.
//
//	龚正. 2025年上海市政府工作报告——2025年1月15日在上海市第十六届人民代表大会第三次会议上[R]. 2025: 一、2024年工作回顾, 第49段.
//
// A part of the metadata that ingest did not find is left out with its
// punctuation: a report without a speaker starts with its title.

// ReportTitle names a report by its title, with the year and the region in
// front when the title lacks them (not 全国: a national title names the
// State Council); a report without a title is a 政府工作报告 of its region
// and year.
func ReportTitle(m ingest.Meta) string {
	t := strings.TrimSpace(m.Title)
	if t == "" {
		t = "政府工作报告"
	}
	var prefix string
	if m.Year > 0 && !strings.Contains(t, strconv.Itoa(m.Year)) {
		prefix = strconv.Itoa(m.Year) + "年"
	}
	if m.Region != "" && m.Level != ingest.LevelNational && !strings.Contains(t, m.Region) {
		prefix += m.Region
	}
	return prefix + t
}

// ReportReference is the GB/T 7714-2015 reference of a report as a whole,
// ending with its year.
func ReportReference(m ingest.Meta) string {
	var b strings.Builder
	if sp := strings.TrimSpace(m.Speaker); sp != "" {
		b.WriteString(sp)
		b.WriteString(". ")
	}
	b.WriteString(ReportTitle(m))
	if line := occasion(m); line != "" {
		b.WriteString("——")
		b.WriteString(line)
	}
	b.WriteString("[R]")
	if m.Year > 0 {
		b.WriteString(". ")
		b.WriteString(strconv.Itoa(m.Year))
	}
	return b.String()
}

// Citation is the GB/T 7714-2015 citation of one paragraph: the report's
// reference followed by the paragraph's part and ordinal.
func Citation(m ingest.Meta, part string, ordinal int) string {
	loc := "第" + strconv.Itoa(ordinal) + "段"
	if p := strings.TrimSpace(part); p != "" {
		loc = p + ", " + loc
	}
	ref := ReportReference(m)
	if m.Year > 0 {
		return ref + ": " + loc + "."
	}
	return ref + ". " + loc + "."
}

// ParagraphURL is the permanent link of a paragraph: the reader of its
// report at the paragraph's anchor, as a path on the server.
func ParagraphURL(reportID string, ordinal int) string {
	return "/reports/" + url.PathEscape(reportID) + "#p" + strconv.Itoa(ordinal)
}

// occasion is the line under a report's title: when and where it was
// delivered (2025年1月15日在上海市第十六届人民代表大会第三次会议上), or as
// much of it as the metadata holds.
func occasion(m ingest.Meta) string {
	date := chineseDate(m.Date)
	session := strings.TrimSpace(m.Session)
	if session == "" {
		return date
	}
	return date + "在" + sessionPlace(m, session) + session + "上"
}

// sessionPlace is the place that goes before a session's name: the
// region, under its parent for a district or city, unless the session
// names its place already (第十四届全国人民代表大会).
func sessionPlace(m ingest.Meta, session string) string {
	if m.Level == ingest.LevelNational || strings.Contains(session, "全国") || m.Region == "" || strings.Contains(session, m.Region) {
		return ""
	}
	if m.Parent != "" && !strings.HasPrefix(m.Region, m.Parent) {
		return m.Parent + m.Region
	}
	return m.Region
}

// chineseDate writes a date of the form 2025-01-15 as 2025年1月15日; any
// other form is returned as it is.
func chineseDate(d string) string {
	parts := strings.Split(strings.TrimSpace(d), "-")
	if len(parts) != 3 {
		return strings.TrimSpace(d)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v <= 0 {
			return d
		}
		n[i] = v
	}
	return strconv.Itoa(n[0]) + "年" + strconv.Itoa(n[1]) + "月" + strconv.Itoa(n[2]) + "日"
}
