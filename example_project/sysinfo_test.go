package sysinfo

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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

// TestString reads its cases from testdata/string.txt: the go command runs a
// package's tests in its directory, so the path is relative to this file.
func TestString(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "string.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for n, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields, want, found := strings.Cut(line, " | ")
		f := strings.Fields(fields)
		if !found || len(f) != 5 {
			t.Fatalf("testdata/string.txt:%d: want `os arch family page_size source | String()`, got %q", n+1, line)
		}
		size, err := strconv.Atoi(f[3])
		if err != nil {
			t.Fatalf("testdata/string.txt:%d: page_size: %v", n+1, err)
		}
		info := Info{OS: f[0], Arch: f[1], Family: f[2], PageSize: size, Source: f[4]}
		if got := info.String(); got != want {
			t.Errorf("testdata/string.txt:%d: String() = %q, want %q", n+1, got, want)
		}
		cases++
	}
	if cases == 0 {
		t.Error("testdata/string.txt has no cases")
	}
}
