// Package compact is a scorch segment plugin that stores a few analysed
// text fields in a compact section of its own and leaves every other field
// to zap v16. Queries, scores and merges see exactly what zap would give:
// the same document numbers, frequencies, norms and positions.
//
// # File format
//
// A segment file is a complete zap v16 file (the documents without their
// compact fields, stored values included), followed by the compact
// section, followed by a 44-byte footer. Integers of fixed width are
// little-endian; "uvarint" is Go's unsigned varint; bit streams are read
// least significant bit first (bit i is bit i%8 of byte i/8).
//
// The footer holds the zap part's length, the section's length and the
// length of the directory that ends the section (8 bytes each), the
// CRC-32C of the whole section, the CRC-32C of the doc tables and the
// directory (4 bytes each), the format version (4 bytes) and the magic
// "gsCmpct\x01" (8 bytes). This is version 2; Open refuses other
// versions (version 1 had no document lists), and an index of them must
// be rebuilt. Scorch sees one file per segment, so its
// snapshots, crash safety and copies work unchanged.
//
// The section holds, for each compact field in name order, its postings,
// its term dictionary and its doc table, then the directory: the number of
// documents and of fields (uvarints), then per field its name (uvarint
// length and bytes), a flags byte (1: positions kept), the offset and
// length of each of its three parts in the section, its numbers of terms,
// occurrences and tokens (all uvarints), and the CRC-32C of its term
// dictionary (4 bytes).
//
// Positions live in one position space per field: document d, whose field
// spans s_d positions (its largest token position), owns the positions
// start_d+1 … start_d+s_d, where start_d is the sum of the spans of the
// documents before it. A token at position p of document d is at global
// position start_d+p. A term's occurrences are then one nondecreasing list
// of global positions, which says both the documents and the positions.
//
// The doc table gives each document its start and its length (the number
// of tokens, from which the norm 1/√length is computed as zap computes
// it). It is a uvarint number of documents, the uvarint end of the
// position space, then one 14-byte entry per block of 128 documents: the
// start of the block's first document (8 bytes), the offset of its packed
// values (4), the bit width of the start offsets and that of the lengths
// (1 each; width 255 means every length equals the span and none is
// stored). The packed values follow, a byte-aligned run per block: each
// document's start less the block's, then each length. A field without
// positions has no spans: its start offsets have width 0.
//
// The term dictionary is a vellum FST from term to the offset of its
// postings in the field's postings. A term's postings begin with a header:
// uvarint n<<6|k, where n is the number of codes and k the Rice parameter
// chosen for the term, then a second uvarint. With positions, it is n less
// the number of documents, shifted left by one, its low bit set when a
// document list follows; without positions, it is a lower bound of the
// term's frequencies (the smallest, except after a merge that streamed
// the term). A document list is a uvarint length and that many bytes: the
// term's documents and frequencies encoded as the postings of a term
// without positions. The writer gives one to every term of at least 64
// documents, so that reading its documents, or documents and frequencies,
// does not decode positions.
//
// A term of more than 128 codes then has a skip table: two bytes giving
// the bit widths of a value and of an offset, then, for every 128th code
// after the first, the value (position or document) decoded just before it
// and the code's bit offset from the first code, packed and byte-aligned.
// The codes follow, Rice-coded with parameter k (the quotient in unary as
// zeros ended by a one, then the k low bits). With positions, code i is
// the gap between global positions i-1 and i (the first from 0); a
// document's occurrences are found by mapping positions to documents
// through the doc table. Without positions, code i is the gap between
// documents i-1 and i less one (the first is the document number),
// followed by the Elias gamma code of the frequency less the lower bound
// plus one.
//
// # Checks
//
// Open checks the footer, the bounds of the zap footer and the CRC of the
// directory and doc tables, and a term dictionary's CRC on its first use;
// it does not read the postings, which at a gigabyte of text would make
// opening read most of the file. Their decoding checks every read against
// the postings' bounds and every position against the doc table, so
// damaged postings give errors, not panics; FileSegment.Verify checks the
// CRC of the whole section.
//
// # What it does not do
//
// The compact fields keep positions only: New refuses tokens with
// offsets or array positions, a field given twice in one document, term
// vectors that differ from the configuration, and doc values.
//
// It stores no bitmaps. Where zap hands bleve a term's stored roaring
// bitmap, ActualBitmap decodes the term's documents into a new one (from
// its document list, or from its positions below 64 documents), so
// unscored conjunctions and prefix queries over many terms pay for
// decoding the first time. The decoded bitmaps are then kept per field of
// an open segment, up to 4 MiB each and without eviction: a segment never
// changes, and the deleted documents are taken out of a copy. A positional term of fewer than 64 documents has no document
// list: unscored and frequency-only iterators decode its positions.
// Count with deleted documents advances through the term's documents to
// each deleted one; for terms of at least 256 documents the count is kept
// per field for the last deletion bitmap seen (checked by identity and
// cardinality), which suits scorch, whose deletion bitmaps do not change
// once a snapshot holds them. DocNum1Hit answers only for a term that
// occurs once, and decodes that occurrence to do so.
//
// Merging decodes and recodes every term; nothing is copied as it is.
// After zap's part and after each compact field, a merge advises the
// kernel that it no longer needs the pages it has read from its input
// segments (madvise DONTNEED on Unix): they leave the process's resident
// memory but stay in the page cache, so a merge of a whole index does not
// hold the index resident. A
// term of 65536 codes or more is coded as it is renumbered, with Rice
// parameters estimated from the merged segments, so a merge's memory does
// not grow with its largest term; its section may then differ from the
// one New writes for the same documents (slightly larger, about 0.2%). A
// merge still holds 16 bytes per document of each compact field while it
// writes that field's doc table.
//
// zap v16 stays bleve's default plugin: an index uses this one only when
// created with IndexConfig, and Open and Merge read the compact fields
// from each segment, not from the Config.
package compact
