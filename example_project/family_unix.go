//go:build unix && !android

package sysinfo

// Android is a unix too (and satisfies "linux"), but it gets a file of its own.
const family = "unix"
