package index

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strconv"
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
