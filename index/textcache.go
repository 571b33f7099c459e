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
// times the check itself. With each record it keeps the folds of its
// paragraph text, which let the check find most terms with a byte search.
// Safe for concurrent use.
type textCache struct {
	snap  weak.Pointer[scorch.IndexSnapshot]
	mu    sync.Mutex
	recs  map[uint64]cachedText
	bytes int
}

type cachedText struct {
	id, rec string
	folds   *folds
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
	ix.texts = &textCache{snap: weak.Make(snap), recs: map[uint64]cachedText{}}
	return ix.texts
}

// get returns the id and stored record of document number n and the
// folds of its text, if kept.
func (c *textCache) get(n uint64) (cachedText, bool) {
	if c == nil {
		return cachedText{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.recs[n]
	return t, ok
}

// put keeps the id and stored record of document number n, whose
// paragraph text is text, while the cache has room, and returns the folds
// of text then (nil otherwise: working them out costs a pass over the
// text, which only pays when the cache keeps them for the next search).
func (c *textCache) put(n uint64, t cachedText, text string) *folds {
	if c == nil {
		return nil
	}
	size := len(t.id) + len(t.rec)
	c.mu.Lock()
	full := c.bytes+size > textCacheBytes
	c.mu.Unlock()
	if full {
		return nil
	}
	t.folds = foldsOf(text)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes+size > textCacheBytes {
		return t.folds
	}
	if _, kept := c.recs[n]; !kept {
		c.recs[n] = t
		c.bytes += size
	}
	return t.folds
}
