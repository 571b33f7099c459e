// Package reliability holds the cross-cutting reliability and security
// checks of govsearch: they build the real binary, run it against real
// index directories and attack it the way a crash, a full disk, a second
// process or a hostile client would. The package has no code of its own;
// everything lives in its tests. See docs/reliability.md for the figures.
package reliability
