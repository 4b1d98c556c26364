package sysinfo_test

import (
	"fmt"

	"example.com/sysinfo"
)

func ExampleInfo_String() {
	info := sysinfo.Info{OS: "windows", Arch: "amd64", Family: "windows", PageSize: 4096, Source: "go"}
	fmt.Println(info)
	// Output: windows/amd64 (windows), 4 KiB pages via go
}
