package ingest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sharedRoot is the shared folder beside the repository, or the folder
// GOVSEARCH_SHARED names (an empty one hides the corpora).
func sharedRoot() string {
	if d := os.Getenv("GOVSEARCH_SHARED"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared")
}

// sharedCorpus returns the shared corpus folder <name>, skipping the test
// when it is absent.
func sharedCorpus(t testing.TB, name string) string {
	dir := filepath.Join(sharedRoot(), "corpus", name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared corpus %s absent", dir)
	}
	return dir
}

// yearOfName reads the year of a name like 1954_国务院_政府工作报告.txt.
func yearOfName(t testing.TB, path string) int {
	y, err := strconv.Atoi(filepath.Base(path)[:4])
	if err != nil {
		t.Fatalf("%s: no year in name", path)
	}
	return y
}

// singleReports parses every file of dir, checks each with checkFile and
// returns the one report of each file.
func singleReports(t *testing.T, dir string, wantFiles int) []Report {
	files, errs := ReadPaths([]string{dir})
	for _, err := range errs {
		t.Errorf("%v", err)
	}
	if len(files) != wantFiles {
		t.Fatalf("%s: parsed %d files, want %d", dir, len(files), wantFiles)
	}
	var out []Report
	for _, f := range files {
		checkFile(t, f)
		if len(f.Reports) != 1 {
			t.Errorf("%s: %d reports, want 1", f.Source, len(f.Reports))
			continue
		}
		out = append(out, f.Reports[0])
	}
	return out
}

func checkNational(t *testing.T, dir string, wantFiles int) {
	for _, r := range singleReports(t, dir, wantFiles) {
		if r.Region != "全国" || r.Level != LevelNational || r.Year != yearOfName(t, r.Source) {
			t.Errorf("%s: %s %s %d", r.Source, r.Region, r.Level, r.Year)
		}
		if r.Date != "" && !strings.HasPrefix(r.Date, strconv.Itoa(r.Year)) {
			t.Errorf("%s: date %s outside year %d", r.Source, r.Date, r.Year)
		}
		if len(r.Paragraphs) < 20 {
			t.Errorf("%s: only %d paragraphs", r.Source, len(r.Paragraphs))
		}
		for _, p := range r.Paragraphs {
			for _, m := range []string{"当前位置", "责任编辑", "字体：大", "www.gov.cn", "E-mail推荐", "公有领域", "<U+"} {
				if strings.Contains(p.Text, m) {
					t.Errorf("%s: paragraph %s holds %q", r.Source, p.ID, m)
				}
			}
		}
	}
}

func TestNationalCorpus(t *testing.T) {
	checkNational(t, sharedCorpus(t, "national"), 52)
}

func TestNationalNoisyCorpus(t *testing.T) {
	checkNational(t, sharedCorpus(t, "national-noisy"), 50)
}

// TestProvincesCorpus checks the 31 provincial-level reports of one year as
// their publishers put them out: full metadata, a plan part, real parts
// for nearly every paragraph, no page chrome.
func TestProvincesCorpus(t *testing.T) {
	dir := sharedCorpus(t, "provinces-2025")
	for _, r := range singleReports(t, dir, 31) {
		if r.Level != LevelProvince || r.Speaker == "" || r.SpeakerTitle == "" || r.Date == "" || r.Session == "" || !reTitleYear.MatchString(r.Title) || regionFromTitle(r.Title) == "" {
			t.Errorf("%s: metadata %+v", r.Source, r.Meta)
		}
		noPart, plan := 0, false
		for _, p := range r.Paragraphs {
			switch p.PartKind {
			case PartOther, "":
				noPart++
			case PartPlan:
				plan = true
			}
			for _, m := range []string{"来源：", "来源:", "字体", "编辑："} {
				if strings.HasPrefix(p.Text, m) {
					t.Errorf("%s: paragraph %d is page chrome: %.40q", r.Source, p.Ordinal, p.Text)
				}
			}
		}
		if !plan || noPart*100 > 3*len(r.Paragraphs) {
			t.Errorf("%s: plan part %v, %d of %d paragraphs without a real part", r.Source, plan, noPart, len(r.Paragraphs))
		}
	}
}
