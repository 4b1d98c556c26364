//go:build cgo && unix

package sysinfo

/*
#include <unistd.h>
*/
import "C"

const pageSizeSource = "libc"

// pageSize asks the C library, as C programs linked into the same process do.
func pageSize() int {
	return int(C.sysconf(C._SC_PAGESIZE))
}
