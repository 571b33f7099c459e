package index

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestExportWriter(t *testing.T) {
	rows := []ExportRow{
		{ID: "a-p1", ReportID: "a", Title: "标题, 带逗号", Region: "静安区", Year: 2020, Part: "一、回顾", Ordinal: 1,
			Left: "左\"引号", Match: "一网通办", Right: "右\n换行"},
		{ID: "a-p2", ReportID: "a", Title: "<b>&</b>", Year: 2021, Ordinal: 2, Match: "x"},
	}
	var buf bytes.Buffer
	w, err := NewExportWriter(&buf, FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(rows)+1 || recs[0][0] != "id" || recs[0][11] != "right" {
		t.Fatalf("csv = %q", recs)
	}
	for i, r := range rows {
		got := recs[i+1]
		if got[0] != r.ID || got[2] != r.Title || got[4] != strconv.Itoa(r.Year) || got[9] != r.Left || got[10] != r.Match || got[11] != r.Right {
			t.Errorf("csv row %d = %q, want %+v", i, got, r)
		}
	}

	buf.Reset()
	w, _ = NewExportWriter(&buf, FormatJSONL)
	for _, r := range rows {
		w.Write(r)
	}
	w.Flush()
	sc := bufio.NewScanner(&buf)
	n := 0
	for sc.Scan() {
		var r ExportRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r != rows[n] {
			t.Errorf("jsonl line %d = %s (%v)", n, sc.Text(), err)
		}
		n++
	}
	if n != len(rows) {
		t.Errorf("%d jsonl lines, want %d", n, len(rows))
	}

	buf.Reset()
	w, _ = NewExportWriter(&buf, FormatCSV)
	w.Flush()
	if buf.String() != "id,report_id,title,region,year,date,part,section,ordinal,left,match,right\n" {
		t.Errorf("empty csv export = %q", buf.String())
	}
	var qe *QueryError
	if _, err := NewExportWriter(&buf, "xlsx"); !errors.As(err, &qe) || qe.Param != "format" {
		t.Errorf("unknown format: %v", err)
	}
}

func TestCSVCellDefusesFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "",
		"+":                           "'+",
		"=HYPERLINK(\"x\")":           "'=HYPERLINK(\"x\")",
		"+SUM(1+1)*cmd|' /C calc'!A0": "'+SUM(1+1)*cmd|' /C calc'!A0",
		"-2+3":                        "'-2+3",
		"@SUM(A1)":                    "'@SUM(A1)",
		"\tx":                         "'\tx",
		"\rx":                         "'\rx",
		"互联网+":                        "互联网+",
		"a=b":                         "a=b",
		"'quoted":                     "'quoted",
	} {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}

	// CSV defuses every text column; JSON lines keep the row exact.
	row := ExportRow{ID: "a-p1", ReportID: "a", Title: "=t", Region: "+r", Year: 2020, Date: "-d", Part: "@p",
		Section: "\ts", Ordinal: 1, Left: "=HYPERLINK(\"http://x\")", Match: "+", Right: "@SUM(1)"}
	var buf bytes.Buffer
	w, _ := NewExportWriter(&buf, FormatCSV)
	w.Write(row)
	w.Flush()
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv %q: %v", recs, err)
	}
	for i, cell := range recs[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s = %q begins with a formula character", recs[0][i], cell)
		}
	}
	if recs[1][9] != "'=HYPERLINK(\"http://x\")" || recs[1][10] != "'+" {
		t.Errorf("csv row %q", recs[1])
	}
	buf.Reset()
	w, _ = NewExportWriter(&buf, FormatJSONL)
	w.Write(row)
	w.Flush()
	var back ExportRow
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back != row {
		t.Errorf("jsonl %s: %v", buf.String(), err)
	}
}
