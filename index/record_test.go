package index

import (
	"context"
	"fmt"
	"testing"
)

func TestStoredRecordRejectsDamage(t *testing.T) {
	sp := storedParagraph{ReportID: "2023-d-1c2ef518", Ordinal: 7, Kind: "body", Text: "一网通办", Start: 10, End: 22}
	raw := string(sp.marshal(nil))
	var back storedParagraph
	if err := back.unmarshal(raw); err != nil || back != sp {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for _, bad := range []string{"", "\x02" + raw[1:], raw[:len(raw)-1], raw + "x", "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"} {
		t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
			if err := back.unmarshal(bad); err == nil {
				t.Errorf("unmarshal(%q) accepted a damaged record", bad)
			}
		})
	}
}

func FuzzStoredRecord(f *testing.F) {
	f.Add("2023-d-1c2ef518", 3, "一、", "review", "（一）", "body", "", "", "全力以赴稳增长", 0, 120)
	f.Add("", 0, "", "", "", "glossary", "一网通办", "政务服务", "", 1<<20, 1<<20+9)
	f.Fuzz(func(t *testing.T, rid string, ord int, part, pk, sec, kind, term, def, text string, start, end int) {
		if ord < 0 || start < 0 || end < 0 || ord > 1<<30 || start > 1<<30 || end > 1<<30 {
			return
		}
		sp := storedParagraph{rid, ord, part, pk, sec, kind, term, def, text, start, end}
		raw := string(sp.marshal(nil))
		var back storedParagraph
		if err := back.unmarshal(raw); err != nil || back != sp {
			t.Fatalf("round trip of %+v: %+v, %v", sp, back, err)
		}
		// Any prefix of a record is damaged and must be refused, not
		// misread or panicked on.
		for i := 0; i < len(raw); i += 1 + len(raw)/16 {
			if err := back.unmarshal(raw[:i]); err == nil {
				t.Fatalf("prefix %d of %q accepted", i, raw)
			}
		}
	})
}

// TestAbsentTerms checks the shortcut for terms that occur nowhere: the
// answer is empty, and an OR group with one present alternative still
// finds every paragraph of that alternative.
func TestAbsentTerms(t *testing.T) {
	c := openCorpus(t, seedDir)
	ctx := context.Background()
	res, err := c.ix.Search(ctx, Request{Query: "量子纠缠", Facets: nil})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 || len(res.Hits) != 0 {
		t.Fatalf("量子纠缠: %d hits", res.Total)
	}
	for f, vs := range res.Facets {
		if len(vs) != 0 {
			t.Errorf("facet %s of an absent term: %v", f, vs)
		}
	}
	alone, err := c.ix.Search(ctx, Request{Query: "一网通办"})
	if err != nil {
		t.Fatal(err)
	}
	either, err := c.ix.Search(ctx, Request{Query: "量子纠缠 OR 一网通办"})
	if err != nil {
		t.Fatal(err)
	}
	if alone.Total == 0 || either.Total != alone.Total {
		t.Fatalf("一网通办 %d hits, with an absent alternative %d", alone.Total, either.Total)
	}
	both, err := c.ix.Search(ctx, Request{Query: "一网通办 量子纠缠"})
	if err != nil {
		t.Fatal(err)
	}
	if both.Total != 0 {
		t.Fatalf("一网通办 AND an absent term: %d hits", both.Total)
	}
}
