//go:build !unix

package compact

// dontNeed has no portable equivalent outside Unix; the pages stay.
func dontNeed([]byte) {}
