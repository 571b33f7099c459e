package ui

import (
	"strings"

	"govsearch/index"
	"govsearch/ingest"
)

// facetTitles names each facet in the sidebar and in filter chips, by the
// facet's label key (index.Facet.LabelKey).
var facetTitles = map[string]string{
	"region": "地区",
	"level":  "层级",
	"year":   "年份",
	"part":   "报告部分",
	"kind":   "段落类型",
}

// valueLabels names a facet's values, by the facet's label key; a facet
// without an entry shows its values as they are.
var valueLabels = map[string]func(string) string{
	"level": LevelLabel,
	"year":  yearLabel,
	"part":  PartLabel,
	"kind":  KindLabel,
}

// facetTitle returns the title of facet f, or its label key for a facet
// the UI does not know yet.
func facetTitle(f index.Facet) string {
	if t, ok := facetTitles[f.LabelKey]; ok {
		return t
	}
	return f.LabelKey
}

// valueLabel returns the label of value v of facet f.
func valueLabel(f index.Facet, v string) string {
	if l, ok := valueLabels[f.LabelKey]; ok {
		return l(v)
	}
	return v
}

// yearLabel names a year or a range of years.
func yearLabel(v string) string {
	if a, b, ok := strings.Cut(v, ".."); ok {
		switch {
		case a == "":
			return b + "年及以前"
		case b == "":
			return a + "年及以后"
		}
		return a + "–" + b + "年"
	}
	return v + "年"
}

// partLabels names each part kind in Chinese.
var partLabels = map[string]string{
	ingest.PartOpening:      "开篇",
	ingest.PartReview:       "工作回顾",
	ingest.PartPlan:         "今年工作安排",
	ingest.PartFiveYearPlan: "五年规划",
	ingest.PartSelfBuilding: "政府自身建设",
	ingest.PartAppendix:     "附录",
	ingest.PartGlossary:     "名词解释",
	ingest.PartOther:        "其他",
}

// kindLabels names each paragraph kind in Chinese.
var kindLabels = map[string]string{
	ingest.KindHeading:  "标题",
	ingest.KindBody:     "正文",
	ingest.KindList:     "列表",
	ingest.KindGlossary: "名词解释",
}

// levelLabels names each level of government in Chinese.
var levelLabels = map[string]string{
	ingest.LevelDistrict: "区县",
	ingest.LevelCity:     "市",
	ingest.LevelProvince: "省",
	ingest.LevelNational: "国家",
}

// sortOptions names the sort orders offered on the search page, in menu order.
var sortOptions = []struct{ Value, Label string }{
	{"relevance", "相关度"},
	{"-year", "年份（新→旧）"},
	{"year", "年份（旧→新）"},
}

// label returns the Chinese label of v in m, or v itself for a value the UI
// does not know yet, so new values from the index still show up.
func label(m map[string]string, v string) string {
	if l, ok := m[v]; ok {
		return l
	}
	if v == "" {
		return "（未标注）"
	}
	return v
}

// PartLabel returns the Chinese label of a part kind (part_kind).
func PartLabel(v string) string { return label(partLabels, v) }

// KindLabel returns the Chinese label of a paragraph kind.
func KindLabel(v string) string { return label(kindLabels, v) }

// LevelLabel returns the Chinese label of a level of government.
func LevelLabel(v string) string { return label(levelLabels, v) }
