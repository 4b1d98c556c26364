// Command sysinfo prints what package sysinfo finds out about this machine.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"example.com/sysinfo"
)

func main() {
	asJSON := flag.Bool("json", false, "print JSON instead of one line")
	flag.Parse()
	info := sysinfo.Read()
	if !*asJSON {
		fmt.Println(info)
		return
	}
	if err := json.NewEncoder(os.Stdout).Encode(info); err != nil {
		fmt.Fprintln(os.Stderr, "sysinfo:", err)
		os.Exit(1)
	}
}
