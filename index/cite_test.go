package index

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"govsearch/ingest"
)

// TestCitation: the GB/T 7714-2015 form of a report and of a paragraph,
// from made-up metadata, with the parts ingest may not have found left out.
func TestCitation(t *testing.T) {
	province := ingest.Meta{Title: "2026年某省人民政府工作报告", Region: "某省", Level: ingest.LevelProvince, Year: 2026,
		Date: "2026-01-27", Speaker: "某某", Session: "第十四届人民代表大会第五次会议"}
	district := ingest.Meta{Title: "2023年上海市黄浦区政府工作报告", Region: "黄浦区", Parent: "上海市", Level: ingest.LevelDistrict,
		Year: 2023, Date: "2023-01-06", Speaker: "沈山州", Session: "第三届人民代表大会第三次会议"}
	national := ingest.Meta{Title: "2024年国务院政府工作报告", Region: "全国", Level: ingest.LevelNational, Year: 2024,
		Date: "2024-03-05", Speaker: "李强", Session: "第十四届全国人民代表大会第二次会议"}
	for _, tc := range []struct {
		name    string
		meta    ingest.Meta
		part    string
		ordinal int
		ref     string
		cite    string
	}{
		{"province", province, "一、2025年工作回顾", 49,
			"某某. 2026年某省人民政府工作报告——2026年1月27日在某省第十四届人民代表大会第五次会议上[R]. 2026",
			"某某. 2026年某省人民政府工作报告——2026年1月27日在某省第十四届人民代表大会第五次会议上[R]. 2026: 一、2025年工作回顾, 第49段."},
		{"district under its city", district, "", 3,
			"沈山州. 2023年上海市黄浦区政府工作报告——2023年1月6日在上海市黄浦区第三届人民代表大会第三次会议上[R]. 2023",
			"沈山州. 2023年上海市黄浦区政府工作报告——2023年1月6日在上海市黄浦区第三届人民代表大会第三次会议上[R]. 2023: 第3段."},
		{"national session names its place", national, "二、2024年经济社会发展总体要求和政策取向", 7,
			"李强. 2024年国务院政府工作报告——2024年3月5日在第十四届全国人民代表大会第二次会议上[R]. 2024",
			"李强. 2024年国务院政府工作报告——2024年3月5日在第十四届全国人民代表大会第二次会议上[R]. 2024: 二、2024年经济社会发展总体要求和政策取向, 第7段."},
		{"no speaker, date or session", ingest.Meta{Title: "2021年青浦区政府工作报告", Region: "青浦区", Year: 2021}, "", 1,
			"2021年青浦区政府工作报告[R]. 2021", "2021年青浦区政府工作报告[R]. 2021: 第1段."},
		{"date without session", ingest.Meta{Title: "政府工作报告", Region: "静安区", Year: 2020, Date: "2020-01-08", Speaker: "于勇"}, "", 2,
			"于勇. 2020年静安区政府工作报告——2020年1月8日[R]. 2020", "于勇. 2020年静安区政府工作报告——2020年1月8日[R]. 2020: 第2段."},
		{"no year", ingest.Meta{Title: "政府工作报告", Speaker: "某某"}, "", 5,
			"某某. 政府工作报告[R]", "某某. 政府工作报告[R]. 第5段."},
		{"odd date kept as written", ingest.Meta{Title: "报告", Year: 2020, Date: "2020年初", Session: "第一次会议", Region: "某市"}, "", 1,
			"2020年某市报告——2020年初在某市第一次会议上[R]. 2020", "2020年某市报告——2020年初在某市第一次会议上[R]. 2020: 第1段."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReportReference(tc.meta); got != tc.ref {
				t.Errorf("reference\n got %s\nwant %s", got, tc.ref)
			}
			if got := Citation(tc.meta, tc.part, tc.ordinal); got != tc.cite {
				t.Errorf("citation\n got %s\nwant %s", got, tc.cite)
			}
		})
	}
}

// TestParagraphURL: the permanent link escapes the report id.
func TestParagraphURL(t *testing.T) {
	for _, tc := range []struct {
		id   string
		ord  int
		want string
	}{
		{"2025-p-1a2b", 49, "/reports/2025-p-1a2b#p49"},
		{"a b/c", 1, "/reports/a%20b%2Fc#p1"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			if got := ParagraphURL(tc.id, tc.ord); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestCitationsOnCorpus: every hit and export row of the seeds carries its
// paragraph's link and a citation naming the speaker and the session when
// the report states them; export rows carry the whole paragraph.
func TestCitationsOnCorpus(t *testing.T) {
	for _, rc := range researchCorpora {
		t.Run(rc.name, func(t *testing.T) {
			c := openResearch(t, rc.path, rc.shared)
			q := rc.queries[0]
			check := func(what string, rec *ingest.Record, url, cite string) {
				t.Helper()
				if url != ParagraphURL(rec.ReportID, rec.Ordinal) {
					t.Errorf("%s %s: url %q", what, rec.ID, url)
				}
				if !strings.Contains(cite, "[R]") || !strings.HasSuffix(cite, "第"+strconv.Itoa(rec.Ordinal)+"段.") ||
					!strings.Contains(cite, rec.Speaker) || !strings.Contains(cite, rec.Session) {
					t.Errorf("%s %s: citation %q lacks [R], the ordinal, speaker %q or session %q", what, rec.ID, cite, rec.Speaker, rec.Session)
				}
			}
			for _, h := range searchAll(t, c.ix, Request{Query: q}) {
				check("hit", &h.Record, h.URL, h.Citation)
			}
			_, rows := exportIDs(t, c.ix, Request{Query: q})
			if len(rows) == 0 {
				t.Fatalf("no rows for %s", q)
			}
			named := 0
			for _, r := range rows {
				rec := c.byID[r.ID]
				check("export row", rec, r.URL, r.Citation)
				if r.Text != rec.Text || r.Level != rec.Level || r.Speaker != rec.Speaker || r.Source != rec.Source {
					t.Errorf("export row %s: text, level, speaker or source differ from the paragraph", r.ID)
				}
				if rec.Speaker != "" && rec.Session != "" {
					named++
				}
			}
			if named == 0 {
				t.Errorf("no export row of %s comes from a report with speaker and session: the check above proved nothing", q)
			}
		})
	}
}

// TestSummaryChars: the stored summaries count the characters of the
// paragraphs, in all and by paragraph facet key.
func TestSummaryChars(t *testing.T) {
	c := openCorpus(t, seedDir)
	want := map[string]int{}
	for _, r := range c.records {
		want[r.ReportID] += len([]rune(r.Text))
	}
	list, err := c.ix.Reports(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sums, _ := c.ix.summaries(context.Background())
	for _, s := range list {
		byKey := 0
		for _, n := range sums.charsByKey[s.ID] {
			byKey += n
		}
		if s.Chars != want[s.ID] || byKey != s.Chars {
			t.Errorf("%s: chars %d, by key %d, recount %d", s.ID, s.Chars, byKey, want[s.ID])
		}
	}
}
