package sysinfo

// The _windows suffix alone limits this file to GOOS=windows.
const family = "windows"
