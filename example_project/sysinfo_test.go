package sysinfo

import (
	"os"
	"runtime"
	"testing"
)

func TestReadDescribesThisMachine(t *testing.T) {
	info := Read()
	if info.OS != runtime.GOOS || info.Arch != runtime.GOARCH {
		t.Errorf("Read() = %s/%s, want %s/%s", info.OS, info.Arch, runtime.GOOS, runtime.GOARCH)
	}
	if info.PageSize != os.Getpagesize() {
		t.Errorf("PageSize = %d via %s, want %d", info.PageSize, info.Source, os.Getpagesize())
	}
	if info.PageSize&(info.PageSize-1) != 0 {
		t.Errorf("PageSize = %d, not a power of two", info.PageSize)
	}
}

func TestFamilyMatchesGOOS(t *testing.T) {
	want := map[string]string{
		"linux": "unix", "darwin": "unix", "freebsd": "unix", "android": "android",
		"windows": "windows", "js": "other", "wasip1": "other", "plan9": "other",
	}[runtime.GOOS]
	if want != "" && family != want {
		t.Errorf("family on %s = %q, want %q", runtime.GOOS, family, want)
	}
}

func TestString(t *testing.T) {
	info := Info{OS: "linux", Arch: "arm64", Family: "unix", PageSize: 16384, Source: "libc"}
	if got, want := info.String(), "linux/arm64 (unix), 16 KiB pages via libc"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
