//go:build unix

package compact

import "golang.org/x/sys/unix"

// dontNeed tells the kernel that the pages of a read-only file mapping
// will not be needed soon. It is only advice: an error changes nothing.
func dontNeed(b []byte) { _ = unix.Madvise(b, unix.MADV_DONTNEED) }
