package analyzer

import "fmt"

// mustRegister ends the program when registering a bleve analyzer,
// tokenizer or token filter failed. bleve looks them up by name in one
// registry per process and index mappings store the names; a name taken
// twice would let an index be analysed by the wrong code. bleve's own
// registrations panic in the same case.
func mustRegister(kind, name string, err error) {
	if err != nil {
		panic(fmt.Sprintf("analyzer: registering the %s %q: %v", kind, name, err))
	}
}
