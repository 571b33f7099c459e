package web

import (
	"strings"
	"testing"

	"govsearch/index"
)

func TestCSVCellDefusesFormulas(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plus alone", "+", "'+"},
		{"hyperlink formula", "=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"command formula", "+SUM(1+1)*cmd|' /C calc'!A0", "'+SUM(1+1)*cmd|' /C calc'!A0"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\tx", "'\tx"},
		{"carriage return", "\rx", "'\rx"},
		{"plus at the end", "互联网+", "互联网+"},
		{"equals inside", "a=b", "a=b"},
		{"apostrophe", "'quoted", "'quoted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := csvCell(tc.in); got != tc.want {
				t.Errorf("csvCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestCSVRecord: a row's cells come in the header's order, each defused.
func TestCSVRecord(t *testing.T) {
	row := index.ExportRow{ID: "a-p1", ReportID: "a", Title: "=t", Region: "+r", Year: 2020, Date: "-d", Part: "@p",
		Section: "\ts", Ordinal: 1, Left: "=HYPERLINK(\"http://x\")", Match: "+", Right: "@SUM(1)"}
	rec := csvRecord(row)
	if len(rec) != len(exportHeader) {
		t.Fatalf("%d cells for %d columns", len(rec), len(exportHeader))
	}
	for i, cell := range rec {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s = %q begins with a formula character", exportHeader[i], cell)
		}
	}
	if rec[0] != "a-p1" || rec[4] != "2020" || rec[8] != "1" || rec[9] != "'=HYPERLINK(\"http://x\")" || rec[10] != "'+" {
		t.Errorf("csv row %q", rec)
	}
}
