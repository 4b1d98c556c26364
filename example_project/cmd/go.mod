module example.com/sysinfo/cmd

go 1.21

require example.com/sysinfo v0.1.0
