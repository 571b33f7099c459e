// Package govsearch holds what the whole program shares: the embedded seed
// corpus that `govsearch serve` indexes when it starts without an index.
package govsearch

import (
	"embed"
	"io/fs"
)

//go:embed testdata/reports/*.txt
var seedFiles embed.FS

// SeedReports returns the embedded seed corpus: the raw report files of
// testdata/reports, exactly as collected, at the root of the returned FS.
func SeedReports() fs.FS {
	sub, err := fs.Sub(seedFiles, "testdata/reports")
	if err != nil {
		panic(err) // the path is fixed at compile time
	}
	return sub
}
