package ingest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"govsearch"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// seedFiles parses the embedded seed corpus once per test.
func seedFiles(t testing.TB) []*File {
	t.Helper()
	files, errs := ReadFS(govsearch.SeedReports())
	if len(errs) > 0 {
		t.Fatalf("seed corpus: %v", errs)
	}
	return files
}

type goldenReport struct {
	ID         string
	Meta       Meta
	Paragraphs int
	First      Paragraph
	Last       Paragraph
}

func TestSeedsGolden(t *testing.T) {
	var got []goldenReport
	for _, f := range seedFiles(t) {
		for _, r := range f.Reports {
			got = append(got, goldenReport{ID: r.ID, Meta: r.Meta, Paragraphs: len(r.Paragraphs), First: r.Paragraphs[0], Last: r.Paragraphs[len(r.Paragraphs)-1]})
		}
	}
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	path := filepath.Join("testdata", "seeds.golden.json")
	if *update {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ingest -update)", err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("seed reports differ from %s; inspect the diff and rerun with -update if the change is right", path)
	}
}

func TestSeedsTwelveReports(t *testing.T) {
	type want struct {
		source, region string
		year           int
		date, speaker  string
		title          string
	}
	wants := []want{
		{"000_fb16f82d61c4a2eb.txt", "静安区", 2018, "2018-01-16", "陆晓栋", "区长"},
		{"001_606b8993a8cf2f09.txt", "青浦区", 2021, "", "", ""},
		{"001_606b8993a8cf2f09.txt", "普陀区", 2021, "2021-01-18", "姜冬冬", "区长"},
		{"001_606b8993a8cf2f09.txt", "虹口区", 2021, "2021-01-13", "胡广杰", "区长"},
		{"001_606b8993a8cf2f09.txt", "嘉定区", 2021, "2021-02-03", "高香", "区长"},
		{"001_606b8993a8cf2f09.txt", "闵行区", 2021, "2021-02-02", "陈宇剑", "区长"},
		{"001_606b8993a8cf2f09.txt", "杨浦区", 2021, "", "", ""},
		{"001_606b8993a8cf2f09.txt", "松江区", 2021, "2021-01-12", "李谦", "区长"},
		{"001_606b8993a8cf2f09.txt", "徐汇区", 2021, "2021-01-13", "钟晓咏", "代理区长"},
		{"002_b018778ef3bad3d5.txt", "静安区", 2020, "2020-01-08", "于勇", "区长"},
		{"003_8b03acbbd24002e3.txt", "长宁区", 2018, "2018-01-10", "顾洪辉", "区长"},
		{"004_ac14b5baea4f6a89.txt", "黄浦区", 2023, "2023-01-06", "沈山州", "区长"},
	}
	var got []Report
	for _, f := range seedFiles(t) {
		got = append(got, f.Reports...)
	}
	if len(got) != len(wants) {
		t.Fatalf("got %d reports, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		t.Run(fmt.Sprintf("%s %d", w.region, w.year), func(t *testing.T) {
			r := got[i]
			if r.Source != w.source || r.Region != w.region || r.Year != w.year || r.Date != w.date || r.Speaker != w.speaker || r.SpeakerTitle != w.title {
				t.Errorf("report %d = %s %s %d %q %q %q, want %s %s %d %q %q %q", i, r.Source, r.Region, r.Year, r.Date, r.Speaker, r.SpeakerTitle,
					w.source, w.region, w.year, w.date, w.speaker, w.title)
			}
			if r.Level != LevelDistrict || r.Parent != "上海市" {
				t.Errorf("level %q parent %q, want district 上海市", r.Level, r.Parent)
			}
			if len(r.Paragraphs) < 20 {
				t.Errorf("only %d paragraphs", len(r.Paragraphs))
			}
		})
	}
}

// chromeMarkers are strings of the seeds' page furniture and news items
// that must not reach any paragraph.
var chromeMarkers = []string{"点我投稿", "投稿", "登录", "回帖", "本版积分规则", "签到", "上港集团", "工控系统", "较旧一篇", "较新一篇",
	"2025-07-08", "2025-07-07", "产业园区网", "400-162-2002", "Powered", "招商】", "•", "发表于", "复制链接", "共 28 页",
	"尾页", "联系电话", "客服中心", "设为首页", "秘书处", "会议文件"}

var reURLSafe = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

func TestSeedsParagraphRules(t *testing.T) {
	for _, f := range seedFiles(t) {
		checkFile(t, f)
		for _, r := range f.Reports {
			for _, p := range r.Paragraphs {
				for _, m := range chromeMarkers {
					if strings.Contains(p.Text, m) {
						t.Errorf("%s: paragraph %s holds page furniture %q: %.60s", f.Source, p.ID, m, p.Text)
					}
				}
			}
		}
	}
}

// checkFile asserts the invariants every parsed file must satisfy.
func checkFile(t *testing.T, f *File) {
	t.Helper()
	ids := map[string]bool{}
	for _, r := range f.Reports {
		if !reURLSafe.MatchString(r.ID) || ids[r.ID] {
			t.Errorf("%s: report id %q not URL-safe or not unique", f.Source, r.ID)
		}
		ids[r.ID] = true
		for i, p := range r.Paragraphs {
			if p.Ordinal != i+1 || p.ReportID != r.ID || !strings.HasPrefix(p.ID, r.ID+"-") || !reURLSafe.MatchString(p.ID) || ids[p.ID] {
				t.Errorf("%s: paragraph %d has id %q ordinal %d report %q", f.Source, i, p.ID, p.Ordinal, p.ReportID)
			}
			ids[p.ID] = true
			if n := utf8.RuneCountInString(p.Text); n > MaxParagraphRunes || n == 0 {
				t.Errorf("%s: paragraph %s has %d characters", f.Source, p.ID, n)
			}
			if p.Kind == KindGlossary && (p.Term == "" || p.Definition == "" || p.PartKind != PartGlossary) {
				t.Errorf("%s: glossary paragraph %s lacks term, definition or part kind", f.Source, p.ID)
			}
			if i+1 < len(r.Paragraphs) {
				next := r.Paragraphs[i+1]
				// A paragraph may end in a closing quote when the file has
				// one paragraph per line (paragraphEndsAt).
				quoteEnd := strings.HasSuffix(p.Text, "”") && utf8.RuneCountInString(next.Text) >= 20
				if p.Kind == KindBody && next.Kind == KindBody && !closedText(p.Text) && !quoteEnd {
					t.Errorf("%s: body paragraph %s ends mid-sentence (%q) and %s continues it (%q)", f.Source, p.ID, lastRunes(p.Text, 12), next.ID, firstRunes(next.Text, 12))
				}
			}
		}
	}
}

func lastRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[len(r)-n:]
	}
	return string(r)
}

// TestSeedsOffsets checks that every paragraph's text comes from its span.
func TestSeedsOffsets(t *testing.T) {
	err := fs.WalkDir(govsearch.SeedReports(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := fs.ReadFile(govsearch.SeedReports(), path)
		f, err := Parse(path, data)
		if err != nil {
			return err
		}
		dec, _, _ := Decode(data)
		for _, r := range f.Reports {
			for _, p := range r.Paragraphs {
				checkSpan(t, dec, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkSpan asserts that p.Text is a subsequence of its source span that
// starts at the span's first character and ends at its last.
func checkSpan(t *testing.T, dec string, p Paragraph) {
	t.Helper()
	if p.Start < 0 || p.End > len(dec) || p.Start >= p.End {
		t.Fatalf("paragraph %s: span [%d,%d) outside source of %d bytes", p.ID, p.Start, p.End, len(dec))
	}
	span := dec[p.Start:p.End]
	if !utf8.ValidString(span) {
		t.Fatalf("paragraph %s: span cuts a character", p.ID)
	}
	fr, _ := utf8.DecodeRuneInString(p.Text)
	sr, _ := utf8.DecodeRuneInString(span)
	lr, _ := utf8.DecodeLastRuneInString(p.Text)
	slr, _ := utf8.DecodeLastRuneInString(span)
	if fr != sr || lr != slr {
		t.Errorf("paragraph %s: span %q…%q does not start and end like its text %q…%q", p.ID, firstRunes(span, 8), lastRunes(span, 8), firstRunes(p.Text, 8), lastRunes(p.Text, 8))
	}
	j := 0
	for _, r := range p.Text {
		k := strings.IndexRune(span[j:], r)
		if k < 0 {
			t.Errorf("paragraph %s: text is not drawn from its span (missing %q)", p.ID, r)
			return
		}
		j += k + utf8.RuneLen(r)
	}
}

func TestSeedsPageBreaksRejoined(t *testing.T) {
	var all strings.Builder
	for _, f := range seedFiles(t) {
		for _, r := range f.Reports {
			for _, p := range r.Paragraphs {
				all.WriteString(p.Text)
				all.WriteString("\n")
			}
		}
	}
	s := all.String()
	// Sentences broken across PDF pages in 静安区 2020 must be whole again.
	for _, joined := range []string{"上线 13 个事项 33 个业态76种办事场景。", "全区日均分出湿垃圾486.6吨", "在全市率先实现重点优抚对象医疗补助全覆盖",
		"探索推进区属二、三级企业混合所有制改革试点"} {
		if !strings.Contains(s, joined) {
			t.Errorf("no paragraph holds the rejoined sentence %q", joined)
		}
	}
	// The running page header glued to 静安区 2018's sentences is gone.
	if strings.Contains(s, "氛围。政府工作报告") {
		t.Error("running page header left in a paragraph")
	}
}

func TestSeedsStable(t *testing.T) {
	a, b := seedFiles(t), seedFiles(t)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("parsing the same input twice gave different output")
	}
}

func TestSeedsStructure(t *testing.T) {
	files := seedFiles(t)
	hp := files[4].Reports[0] // 黄浦区 2023
	var glossary, headings int
	for _, p := range hp.Paragraphs {
		switch p.Kind {
		case KindGlossary:
			glossary++
		case KindHeading:
			headings++
		}
	}
	if glossary != 23 {
		t.Errorf("黄浦区 2023: %d glossary entries, want 23", glossary)
	}
	first := hp.Paragraphs[len(hp.Paragraphs)-23]
	if first.Term != "长三角楼宇评价体系" || !strings.HasPrefix(first.Definition, "为推进长三角楼宇经济") || first.Text != "1、长三角楼宇评价体系\n"+first.Definition {
		t.Errorf("first glossary entry: term %q definition %.20q text %.30q", first.Term, first.Definition, first.Text)
	}
	ja := files[0].Reports[0] // 静安区 2018
	kinds := map[string]int{}
	for _, p := range ja.Paragraphs {
		kinds[p.PartKind]++
		if p.Part == "二、2018年主要工作" && p.PartKind != PartPlan {
			t.Errorf("part %q kind %q", p.Part, p.PartKind)
		}
	}
	if kinds[PartReview] == 0 || kinds[PartPlan] == 0 || kinds[PartAppendix] != 12 {
		t.Errorf("静安区 2018 part kinds %v; want review, plan and 12 appendix paragraphs", kinds)
	}
	if f := files[1]; f.DroppedBy[DropNonReport] == 0 || f.DroppedBy[DropPostDate] != 10 {
		t.Errorf("001: dropped %v; want the news items and ten post dates", f.DroppedBy)
	}
}
