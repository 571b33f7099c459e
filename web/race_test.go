//go:build race

package web

// raceEnabled is true when the tests run under the race detector, which
// makes each request several times slower: long loops run shorter then.
const raceEnabled = true
