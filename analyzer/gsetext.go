package analyzer

import (
	_ "unsafe" // go:linkname

	_ "github.com/go-ego/gse" // defines the variable linked below
)

// gseSimplified is gse's embedded simplified Chinese dictionary
// (data/dict/zh/s_1.txt: one "word frequency part-of-speech" line per word),
// the unexported github.com/go-ego/gse.zhS. Reading the text directly lets
// buildDict skip gse's own dictionary, whose pointer-rich trie and
// per-word sub-segmentation cost seconds to build and a large heap to keep.
// It is empty when gse is built with its "ne" (no embed) tag.
//
//go:linkname gseSimplified github.com/go-ego/gse.zhS
var gseSimplified string
