package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// serverSample is what Redis and PostgreSQL report of their own work: the
// commands Redis ran (calls and microseconds by command, for the whole
// server) and the transactions, rows and block reads of the scratch
// database. Between two samples it tells how many round trips an update
// costs each server, which CPU time alone does not.
type serverSample struct {
	redisCalls, redisUsec map[string]int64
	pg                    map[string]int64
}

func sampleServers(ctx context.Context, rdb *redis.Client, admin *pgx.Conn, db string) serverSample {
	s := serverSample{redisCalls: map[string]int64{}, redisUsec: map[string]int64{}, pg: map[string]int64{}}
	if info, err := rdb.Info(ctx, "commandstats").Result(); err == nil {
		for _, line := range strings.Split(info, "\n") {
			// cmdstat_get:calls=2,usec=15,usec_per_call=7.50,...
			name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
			if !ok || !strings.HasPrefix(name, "cmdstat_") {
				continue
			}
			name = strings.TrimPrefix(name, "cmdstat_")
			for _, kv := range strings.Split(rest, ",") {
				k, v, _ := strings.Cut(kv, "=")
				n, _ := strconv.ParseInt(v, 10, 64)
				switch k {
				case "calls":
					s.redisCalls[name] = n
				case "usec":
					s.redisUsec[name] = n
				}
			}
		}
	}
	// The statistics collector publishes at most every 500 ms; a sample
	// taken inside a transaction would be frozen, so none is open here.
	_, _ = admin.Exec(ctx, "SELECT pg_stat_clear_snapshot()")
	var commits, rollbacks, ins, upd, fetched, hit, read, wal int64
	err := admin.QueryRow(ctx, `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated,
			tup_fetched, blks_hit, blks_read, (SELECT wal_records FROM pg_stat_wal)
		FROM pg_stat_database WHERE datname = $1`, db).
		Scan(&commits, &rollbacks, &ins, &upd, &fetched, &hit, &read, &wal)
	if err == nil {
		s.pg = map[string]int64{"commits": commits, "rollbacks": rollbacks, "inserted": ins, "updated": upd,
			"fetched": fetched, "blocks hit": hit, "blocks read": read, "wal records (all dbs)": wal}
	}
	return s
}

// serverReport prints, per update, the Redis commands (and Redis's own
// time in them) and PostgreSQL's counters between two samples.
func serverReport(a, b serverSample, updates int) (redisLine, pgLine string) {
	if updates == 0 {
		return "-", "-"
	}
	per := func(d int64) float64 { return float64(d) / float64(updates) }
	type cmd struct {
		name        string
		calls, usec int64
	}
	var cmds []cmd
	var calls, usec int64
	for name, n := range b.redisCalls {
		c := cmd{name, n - a.redisCalls[name], b.redisUsec[name] - a.redisUsec[name]}
		if c.calls > 0 {
			cmds = append(cmds, c)
			calls += c.calls
			usec += c.usec
		}
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].calls > cmds[j].calls })
	parts := []string{fmt.Sprintf("%.2f calls %.1fµs", per(calls), per(usec))}
	for _, c := range cmds {
		if per(c.calls) >= 0.05 {
			parts = append(parts, fmt.Sprintf("%s %.2f", strings.ToUpper(c.name), per(c.calls)))
		}
	}
	var pgParts []string
	for _, k := range []string{"commits", "rollbacks", "inserted", "updated", "fetched", "blocks hit", "blocks read", "wal records (all dbs)"} {
		if v, ok := b.pg[k]; ok {
			pgParts = append(pgParts, fmt.Sprintf("%s %.2f", k, per(v-a.pg[k])))
		}
	}
	return strings.Join(parts, ", "), strings.Join(pgParts, ", ")
}

// botMetrics reads the Go runtime's counters the bot exports on /metrics:
// heap allocations (count and bytes) and GC cycles so far.
func botMetrics(addr string) map[string]float64 {
	out := map[string]float64{}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		switch {
		case !ok:
		case name == "go_memstats_mallocs_total", name == "go_memstats_alloc_bytes_total",
			name == "go_gc_duration_seconds_count", name == "go_goroutines",
			name == "go_memstats_heap_inuse_bytes", name == "go_memstats_stack_inuse_bytes",
			name == "go_memstats_sys_bytes", name == "go_memstats_next_gc_bytes":
			out[name], _ = strconv.ParseFloat(value, 64)
		}
	}
	return out
}

func botMetricsReport(a, b map[string]float64, updates int) string {
	if updates == 0 || len(a) == 0 || len(b) == 0 {
		return "-"
	}
	per := func(k string) float64 { return (b[k] - a[k]) / float64(updates) }
	const mib = 1 << 20
	return fmt.Sprintf("%.0f allocs %.1f KiB, %.0f GCs in all; at the end %.0f goroutines, heap %.1f MiB in use (GC goal %.1f), stacks %.1f MiB, from the OS %.1f MiB",
		per("go_memstats_mallocs_total"), per("go_memstats_alloc_bytes_total")/1024,
		b["go_gc_duration_seconds_count"]-a["go_gc_duration_seconds_count"], b["go_goroutines"],
		b["go_memstats_heap_inuse_bytes"]/mib, b["go_memstats_next_gc_bytes"]/mib, b["go_memstats_stack_inuse_bytes"]/mib, b["go_memstats_sys_bytes"]/mib)
}

// perfStat counts, with perf, the system calls and context switches of
// the processes of each role while it runs; stop ends it and returns the
// counts by role. Without perf (or permission), it returns nil.
type perfStat struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	pids map[string][]int
}

func startPerfStat(pids map[string][]int) *perfStat {
	var all []string
	for _, ps := range pids {
		for _, p := range ps {
			all = append(all, strconv.Itoa(p))
		}
	}
	// --per-thread gives one line per thread; threads are summed by process.
	cmd := exec.Command("perf", "stat", "-x", ";", "--per-thread", "-e", "raw_syscalls:sys_enter,context-switches",
		"-p", strings.Join(all, ","))
	out := &bytes.Buffer{}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil
	}
	return &perfStat{cmd: cmd, out: out, pids: pids}
}

func (p *perfStat) stop() map[string]map[string]int64 {
	if p == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	_ = p.cmd.Wait()
	role := map[int]string{}
	for r, ps := range p.pids {
		for _, pid := range ps {
			role[pid] = r
		}
	}
	counts := map[string]map[string]int64{}
	for _, line := range strings.Split(p.out.String(), "\n") {
		// comm-tid;count;unit;event;...
		f := strings.Split(line, ";")
		if len(f) < 4 {
			continue
		}
		i := strings.LastIndexByte(f[0], '-')
		tid, err := strconv.Atoi(f[0][i+1:])
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		r := role[tgid(tid)]
		if r == "" {
			continue
		}
		if counts[r] == nil {
			counts[r] = map[string]int64{}
		}
		counts[r][f[3]] += n
	}
	return counts
}

// tgid is the process a thread belongs to.
func tgid(tid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return tid
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return tid
}

func perfReport(counts map[string]map[string]int64, updates int) string {
	if counts == nil || updates == 0 {
		return "- (perf stat unavailable)"
	}
	var parts []string
	for _, r := range []string{"bot", "load", "redis", "postgres"} {
		c := counts[r]
		parts = append(parts, fmt.Sprintf("%s %.1f/%.1f", r,
			float64(c["raw_syscalls:sys_enter"])/float64(updates), float64(c["context-switches"])/float64(updates)))
	}
	return strings.Join(parts, ", ")
}
