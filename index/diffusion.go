package index

import (
	"context"
	"slices"
	"sort"

	"govsearch/ingest"
)

// Diffusion is the answer of Index.Diffusion: when each region first
// mentioned a query, which regions never did, and how adoption grew.
type Diffusion struct {
	Query string `json:"query"`
	// Regions lists every region with a mention, by first mention: year,
	// then date, then region.
	Regions []DiffusionRegion `json:"regions"`
	// Never lists the regions with covered reports and no mention, by
	// region.
	Never []NeverRegion `json:"never"`
	// Cumulative has one entry per year with a covered report, in order.
	Cumulative []AdoptionYear `json:"cumulative"`
}

// DiffusionRegion is a region that mentions the query. The first mention
// is the earliest matching paragraph: of the earliest year, then the
// earliest report date (a report without a date after those with one),
// then the smallest report id, then the smallest ordinal. Left, Match and
// Right are its first occurrence in context (empty for a query of filters
// only).
type DiffusionRegion struct {
	Region            string `json:"region"`
	Level             string `json:"level"`
	FirstYear         int    `json:"first_year"`
	FirstDate         string `json:"first_date"`
	FirstReport       string `json:"first_report"`
	FirstParagraph    string `json:"first_paragraph"`
	FirstOrdinal      int    `json:"first_ordinal"`
	Left              string `json:"left"`
	Match             string `json:"match"`
	Right             string `json:"right"`
	URL               string `json:"url"`
	Citation          string `json:"citation"`
	Years             []int  `json:"years"`        // years with a mention
	ReportYears       []int  `json:"report_years"` // years with a covered report
	Reports           int    `json:"reports"`
	MentioningReports int    `json:"mentioning_reports"`
}

// NeverRegion is a region with covered reports and no mention.
type NeverRegion struct {
	Region      string `json:"region"`
	Level       string `json:"level"`
	ReportYears []int  `json:"report_years"`
	Reports     int    `json:"reports"`
}

// AdoptionYear is one year of the cumulative adoption curve: how many
// regions had mentioned the query by the end of the year, and how many
// had any covered report by then.
type AdoptionYear struct {
	Year               int `json:"year"`
	Adopted            int `json:"adopted"`
	RegionsWithReports int `json:"regions_with_reports"`
}

// mentionKey orders candidate first mentions.
type mentionKey struct {
	year     int
	date     string
	reportID string
	ordinal  int
}

func (a mentionKey) before(b mentionKey) bool {
	if a.year != b.year {
		return a.year < b.year
	}
	if a.date != b.date {
		// A known date comes before an unknown one.
		if a.date == "" || b.date == "" {
			return b.date == ""
		}
		return a.date < b.date
	}
	if a.reportID != b.reportID {
		return a.reportID < b.reportID
	}
	return a.ordinal < b.ordinal
}

// Diffusion implements Reader: for every region with a report the request
// covers, its first mention of the query and the years of its mentions,
// or its place in Never; and the cumulative adoption per year.
func (ix *Index) Diffusion(ctx context.Context, req Request) (*Diffusion, error) {
	type first struct {
		key  mentionKey
		row  DiffusionRegion
		seen bool
	}
	firsts := map[string]*first{}
	reps, found, err := ix.coveredMatches(ctx, req, func(rec *ingest.Record, spans []span) error {
		k := mentionKey{rec.Year, rec.Date, rec.ReportID, rec.Ordinal}
		f := firsts[rec.Region]
		if f == nil {
			f = &first{}
			firsts[rec.Region] = f
		}
		if f.seen && !k.before(f.key) {
			return nil
		}
		f.key, f.seen = k, true
		f.row = DiffusionRegion{
			FirstYear: rec.Year, FirstDate: rec.Date, FirstReport: rec.ReportID, FirstParagraph: rec.ID, FirstOrdinal: rec.Ordinal,
			URL: ParagraphURL(rec.ReportID, rec.Ordinal), Citation: Citation(rec.Meta, rec.Part, rec.Ordinal),
		}
		if len(spans) > 0 {
			f.row.Left, f.row.Match, f.row.Right = kwic(newRuneIndex(rec.Text), spans[0], kwicContext)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	type region struct {
		level             string
		reportYears       []int
		years             []int
		reports, mentions int
	}
	regions := map[string]*region{}
	var years []int
	for _, r := range reps {
		g := regions[r.Region]
		if g == nil {
			g = &region{level: r.Level}
			regions[r.Region] = g
		}
		g.reports++
		g.reportYears = append(g.reportYears, r.Year)
		years = append(years, r.Year)
		if found[r.ID] != nil {
			g.mentions++
			g.years = append(g.years, r.Year)
		}
	}
	d := &Diffusion{Query: req.Query, Regions: []DiffusionRegion{}, Never: []NeverRegion{}, Cumulative: []AdoptionYear{}}
	for name, g := range regions {
		g.reportYears = sortedSet(g.reportYears)
		f := firsts[name]
		if g.mentions == 0 || f == nil {
			d.Never = append(d.Never, NeverRegion{Region: name, Level: g.level, ReportYears: g.reportYears, Reports: g.reports})
			continue
		}
		row := f.row
		row.Region, row.Level = name, g.level
		row.Years, row.ReportYears = sortedSet(g.years), g.reportYears
		row.Reports, row.MentioningReports = g.reports, g.mentions
		d.Regions = append(d.Regions, row)
	}
	sort.Slice(d.Regions, func(i, j int) bool {
		a, b := d.Regions[i], d.Regions[j]
		ka, kb := mentionKey{a.FirstYear, a.FirstDate, "", 0}, mentionKey{b.FirstYear, b.FirstDate, "", 0}
		if ka.before(kb) || kb.before(ka) {
			return ka.before(kb)
		}
		return a.Region < b.Region
	})
	sort.Slice(d.Never, func(i, j int) bool { return d.Never[i].Region < d.Never[j].Region })
	for _, y := range sortedSet(years) {
		a := AdoptionYear{Year: y}
		for _, r := range d.Regions {
			if r.FirstYear <= y {
				a.Adopted++
			}
		}
		for _, g := range regions {
			if g.reportYears[0] <= y {
				a.RegionsWithReports++
			}
		}
		d.Cumulative = append(d.Cumulative, a)
	}
	return d, nil
}

// sortedSet returns the distinct values of s in increasing order.
func sortedSet(s []int) []int {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
