module example.com/sysinfo

go 1.21

require example.com/units v1.2.0
