package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"govsearch/analyzer"
)

func TestAnalyzeTable(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"analyze", "静安区区长于勇", "ＰＭ２．５"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want := "" +
		"  POS  START    END  TERM    TEXT\n" +
		"    1      0      9  静安区  静安区\n" +
		"    2      9     15  区长    区长\n" +
		"    3     15     21  于勇    于勇\n" +
		"    4     22     37  pm2.5   ＰＭ２．５\n"
	if out.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestAnalyzeJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"analyze", "--json", "一網通辦"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got []analyzer.Token
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []analyzer.Token{{Term: "一网通办", Text: "一網通辦", Start: 0, End: 12, Position: 1}}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("got %+v; want %+v", got, want)
	}
	if !strings.Contains(out.String(), `"term":"一网通办","text":"一網通辦","start":0,"end":12,"position":1`) {
		t.Errorf("JSON field names: %s", out.String())
	}
}

func TestAnalyzeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no text", []string{"analyze"}},
		{"unknown flag", []string{"analyze", "--bogus", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), tc.args, &out, &errb); code != 2 {
				t.Errorf("%v: exit %d; want 2", tc.args, code)
			}
			if errb.Len() == 0 {
				t.Errorf("%v: no message", tc.args)
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"analyze", "--json", "，。"}, &out, &errb); code != 0 || strings.TrimSpace(out.String()) != "[]" {
		t.Errorf("punctuation only: exit %d, %q", code, out.String())
	}
}
