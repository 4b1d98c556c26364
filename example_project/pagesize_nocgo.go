//go:build !cgo || !unix

package sysinfo

import "os"

const pageSizeSource = "go"

// pageSize is the pure-Go fallback, used when cgo is off or not a unix.
func pageSize() int {
	return os.Getpagesize()
}
