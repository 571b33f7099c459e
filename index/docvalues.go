package index

import (
	zap "github.com/blevesearch/zapx/v16"
)

// docValueChunk is the number of documents whose doc values zap compresses
// together. Counting facets reads one doc value per hit, and zap decodes the
// whole chunk that holds it; with zap's default of 1024 documents a sparse
// hit set decodes about 1024 values for each one it reads, which made doc
// values the largest cost of a faceted search on a large index. 64 keeps
// dense hit sets as cheap as before (every chunk is decoded once either
// way) and makes sparse ones about 16 times cheaper.
//
// zap reads the chunk size from a process-wide setting when it writes and
// when it reads a segment, and does not record it in the segment, so it is
// set once, here, before any index is opened, and FormatVersion marks
// indexes written with another size as stale.
const docValueChunk = 64

// zapDefaultChunk is zap's own setting, for RestoreLibraryDefaults.
var zapDefaultChunk = zap.LegacyChunkMode

func init() {
	zap.LegacyChunkMode = docValueChunk
}

// RestoreLibraryDefaults puts back the zap settings this package changes. It
// is for a process that opens only plain bleve indexes written with bleve's
// defaults and never a govsearch index (the benchmark's baseline); it must
// run before such an index is opened or written.
func RestoreLibraryDefaults() {
	zap.LegacyChunkMode = zapDefaultChunk
}
