//go:build !unix && !windows

package sysinfo

// Everything else: js/wasm, wasip1/wasm, plan9.
const family = "other"
