package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times (100 on Linux).
const clockTicks = 100

// cpuSample is the CPU time used so far, in clock ticks, by the processes
// of each role, and by the whole machine.
type cpuSample struct {
	roles   map[string]map[int]int64 // role -> pid -> ticks
	machine int64                    // busy ticks of all CPUs, steal included
	steal   int64                    // ticks the hypervisor gave to other guests
}

// sampleCPU reads the CPU time of the bot, this load tool, Redis and
// PostgreSQL from /proc: every redis-server process (other work on the same
// Redis is counted too), and every postgres process but those in others
// (the backends of other databases: other people's tests on a shared
// machine).
func sampleCPU(botPID, fakePID int, others map[int]bool) cpuSample {
	s := cpuSample{roles: map[string]map[int]int64{"bot": {}, "load": {}, "fake": {}, "redis": {}, "postgres": {}}}
	s.roles["bot"][botPID] = procTicks(botPID)
	s.roles["load"][os.Getpid()] = procTicks(os.Getpid())
	if fakePID > 0 {
		s.roles["fake"][fakePID] = procTicks(fakePID)
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + e.Name() + "/comm")
		switch name := strings.TrimSpace(string(comm)); {
		case strings.HasPrefix(name, "redis-server"):
			s.roles["redis"][pid] = procTicks(pid)
		case (name == "postgres" || strings.HasPrefix(name, "postgres:")) && !others[pid]:
			s.roles["postgres"][pid] = procTicks(pid)
		}
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := bytes.Cut(b, []byte("\n"))
		f := strings.Fields(string(line)) // cpu user nice system idle iowait irq softirq steal...
		for i := 1; i < len(f); i++ {
			if i == 4 || i == 5 { // idle, iowait
				continue
			}
			n, _ := strconv.ParseInt(f[i], 10, 64)
			s.machine += n
			if i == 8 {
				s.steal = n
			}
		}
	}
	return s
}

// procTicks is utime+stime of a process (all its threads), or 0.
func procTicks(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces: fields count from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + st
}

// cpuReport prints each role's share of one CPU between two samples, as top
// shows it (100% is one core), with the whole machine's busy share; then the
// CPU time per update of each role, which other work on the machine
// disturbs less.
func cpuReport(a, b cpuSample, seconds float64, updates int) (shares, perUpdate string) {
	pct := func(ticks int64) float64 { return float64(ticks) / clockTicks / seconds * 100 }
	per := func(ticks int64) string {
		if updates == 0 {
			return "-"
		}
		return fmt.Sprintf("%.0fµs", float64(ticks)/clockTicks/float64(updates)*1e6)
	}
	var parts, pers []string
	var known int64
	for _, role := range []string{"bot", "load", "fake", "redis", "postgres"} {
		var d int64
		for pid, t := range b.roles[role] {
			d += t - a.roles[role][pid] // a process started in between counts from 0
		}
		if role == "fake" && len(b.roles[role]) == 0 {
			continue
		}
		known += d
		parts = append(parts, fmt.Sprintf("%s %.0f%%", role, pct(d)))
		pers = append(pers, role+" "+per(d))
	}
	machine := b.machine - a.machine
	// Steal is time this virtual machine wanted a CPU and the host ran
	// another guest: the whole machine runs slower, whatever the bot does.
	steal := b.steal - a.steal
	parts = append(parts, fmt.Sprintf("other %.0f%%", pct(machine-known-steal)), fmt.Sprintf("steal %.0f%%", pct(steal)),
		fmt.Sprintf("machine %.0f%%", pct(machine)))
	return strings.Join(parts, ", "), strings.Join(pers, ", ")
}

// rolePIDs lists the processes of each role, as sampleCPU finds them.
func rolePIDs(botPID int, others map[int]bool) map[string][]int {
	s := sampleCPU(botPID, 0, others)
	out := map[string][]int{}
	for role, pids := range s.roles {
		for pid := range pids {
			out[role] = append(out[role], pid)
		}
	}
	return out
}

// otherBackends lists the PostgreSQL backends serving a database other
// than db, to leave out of the figures.
func otherBackends(ctx context.Context, admin *pgx.Conn, db string) map[int]bool {
	out := map[int]bool{}
	rows, err := admin.Query(ctx, `SELECT pid FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND datname IS DISTINCT FROM $1 AND pid <> pg_backend_pid()`, db)
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) == nil {
			out[pid] = true
		}
	}
	return out
}
