// Package sysinfo reports a few facts about the machine a program runs on:
// its operating system family and the size of a memory page, with where that
// number came from.
package sysinfo

import (
	"fmt"
	"runtime"

	"example.com/units"
)

// Info describes the running system.
type Info struct {
	OS       string `json:"os"`        // runtime.GOOS
	Arch     string `json:"arch"`      // runtime.GOARCH
	Family   string `json:"family"`    // "unix", "android", "windows" or "other"
	PageSize int    `json:"page_size"` // bytes in a memory page
	Source   string `json:"source"`    // how PageSize was found: "libc" (cgo) or "go"
}

// Read returns the Info of the running system.
func Read() Info {
	return Info{
		OS:       runtime.GOOS,
		Arch:     runtime.GOARCH,
		Family:   family,
		PageSize: pageSize(),
		Source:   pageSizeSource,
	}
}

// String formats the Info on one line.
func (i Info) String() string {
	return fmt.Sprintf("%s/%s (%s), %s pages via %s",
		i.OS, i.Arch, i.Family, units.IEC(int64(i.PageSize)), i.Source)
}
