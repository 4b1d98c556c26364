// Command spawner stands for a test program that leaves things behind: it listens on a loopback
// port, starts a child in its own process group and one in a session of its own, reports what it
// made to the file named by its argument, and then waits to be ended.
package main

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	child := exec.Command("sleep", "300")
	escaped := exec.Command("sleep", "300")
	escaped.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	for _, cmd := range []*exec.Cmd{child, escaped} {
		if err := cmd.Start(); err != nil {
			panic(err)
		}
	}
	report, err := json.Marshal(map[string]any{
		"pids": []int{os.Getpid(), child.Process.Pid, escaped.Process.Pid},
		"port": listener.Addr().(*net.TCPAddr).Port,
	})
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(os.Args[1]+".tmp", report, 0o644); err != nil {
		panic(err)
	}
	if err := os.Rename(os.Args[1]+".tmp", os.Args[1]); err != nil {
		panic(err)
	}
	time.Sleep(300 * time.Second)
}
