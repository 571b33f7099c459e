package main

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite ../../lexicon/harvested.txt")

// TestHarvestedFileUpToDate regenerates the lexicon from the seed reports
// and compares it with the committed file.
func TestHarvestedFileUpToDate(t *testing.T) {
	const path = "../../lexicon/harvested.txt"
	terms, err := harvestDirs([]string{"../../../testdata/reports"})
	if err != nil {
		t.Fatal(err)
	}
	want := render(terms)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale; run go generate ./analyzer (or this test with -update)", path)
	}
}

func TestHarvest(t *testing.T) {
	text := strings.Join([]string{
		"静安区区长 陆晓栋",
		"上海市松江区区长李谦各位代表:现在",
		"推进“一网通办”和“放管服”改革，实现“中心城区新标杆、上海发展新亮点”，“AI+政务”，“长”，“一二三四五六七八九十一二三”",
		"1、不是词条（名词解释之前）",
		"《政府工作报告》名词解释",
		"1、长三角楼宇评价体系",
		"为推进长三角楼宇经济高质量发展。",
		"8、“两旧”改造",
		"12．科创护照",
	}, "\n")
	got := harvest(text)
	slices.Sort(got)
	want := []string{"AI+政务", "一网通办", "两旧", "放管服", "李谦", "科创护照", "长三角楼宇评价体系", "陆晓栋"}
	if !slices.Equal(got, want) {
		t.Errorf("harvest = %q\nwant %q", got, want)
	}
}

func TestHarvestDirsErrors(t *testing.T) {
	if _, err := harvestDirs([]string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no .txt") {
		t.Errorf("empty dir: err = %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/bad.txt", []byte("“一网\xff通办”"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := harvestDirs([]string{dir}); err == nil || !strings.Contains(err.Error(), "bad.txt") {
		t.Errorf("invalid UTF-8: err = %v", err)
	}
}

func FuzzHarvest(f *testing.F) {
	f.Add("推进“一网通办”\n名词解释\n1、科创护照\n区长 于勇")
	f.Add("“”“a”“一二”")
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		for _, term := range harvest(text) {
			if !isTerm(term, 20) || !strings.Contains(text, term) {
				t.Errorf("harvested %q from %q", term, text)
			}
		}
	})
}
