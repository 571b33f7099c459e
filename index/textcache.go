package index

import (
	"sync"
	"weak"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
)

// textCacheBytes bounds the stored records a textCache keeps: the national
// corpus's take about 4 MB; past the bound records are read, not kept.
const textCacheBytes = 64 << 20

// textCache keeps the stored records of one index snapshot by document
// number, for the checks that read every candidate's text (NEAR, SENT):
// reading a record costs an id lookup and a stored-field visit, several
// times the check itself. Safe for concurrent use.
type textCache struct {
	snap  weak.Pointer[scorch.IndexSnapshot]
	mu    sync.Mutex
	recs  map[uint64]string
	bytes int
}

// textCacheFor returns the cache of snapshot r, replacing the cached one
// when it describes another snapshot; nil when r is not a scorch snapshot.
func (ix *Index) textCacheFor(r bindex.IndexReader) *textCache {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	ix.textMu.Lock()
	defer ix.textMu.Unlock()
	if c := ix.texts; c != nil && c.snap.Value() == snap {
		return c
	}
	ix.texts = &textCache{snap: weak.Make(snap), recs: map[uint64]string{}}
	return ix.texts
}

// get returns the stored record of document number n, if kept.
func (c *textCache) get(n uint64) (string, bool) {
	if c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, ok := c.recs[n]
	return rec, ok
}

// put keeps the stored record of document number n while the cache has
// room.
func (c *textCache) put(n uint64, rec string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes+len(rec) <= textCacheBytes {
		c.recs[n] = rec
		c.bytes += len(rec)
	}
}
