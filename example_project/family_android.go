package sysinfo

// The _android suffix alone limits this file to GOOS=android.
const family = "android"
