// Command e2e measures whole processes: it starts the benchmark mock, then runs
// the baseline client, `arazzo run` and (when given) Redocly respect on the
// same workflows, interleaved, several times each. For every process it takes
// the wall time (fork to exit), the CPU time (user + system) and the peak
// resident set size from wait4's rusage, and prints medians with their spread
// and the ratio to the baseline measured in the same round.
//
//	go run ./bench/e2e -bin bench/out/bin -wf bench/out/wf -reps 15
//
// bench/run.sh builds everything and calls it; see BENCHMARKS.md.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	bin, wf, respect string
	reps, batchReps  int
	parallel         int
	batch            []int
	only             string
	stateDir         string
	// validateBench is the output of `go test -bench ValidateFile` on the
	// 1,000-step chain: the in-process figure of the validate target.
	validateBench string
}

func main() {
	var o options
	var batch string
	flag.StringVar(&o.bin, "bin", "bench/out/bin", "directory holding the arazzo, baseline and mock binaries")
	flag.StringVar(&o.wf, "wf", "bench/out/wf", "directory the generator wrote the workflows into")
	flag.StringVar(&o.respect, "respect", "", "path of the redocly CLI (node_modules/.bin/redocly); empty: no peer")
	flag.IntVar(&o.reps, "reps", 15, "runs of each process per scenario")
	flag.IntVar(&o.batchReps, "batch-reps", 3, "runs of each batch scenario")
	flag.IntVar(&o.parallel, "parallel", 32, "--parallel of the batch scenarios")
	flag.StringVar(&batch, "batch", "10000,100000", "batch sizes (lines of runs-N.jsonl), comma-separated; empty: none")
	flag.StringVar(&o.only, "only", "", "run only the scenarios whose name contains this")
	flag.StringVar(&o.validateBench, "validate-bench", "", "output of 'go test ./cmd/arazzo -bench ValidateFile' on chain-1000 (the in-process validate target); empty: not measured")
	flag.Parse()
	for _, f := range strings.Split(batch, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			o.batch = append(o.batch, n)
		}
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
}

// sample is one process run.
type sample struct {
	wall, cpu time.Duration
	rssKiB    int64
	inner     float64 // the run's own duration as it reports it (ms): its requests, without start-up and loading; <0 when unknown
}

// innerDuration finds the duration a process reports for its run alone:
// "durationMs" in arazzo's --output json, in the baseline's output, and the
// summary's "Time: Nms" of respect.
var innerDuration = regexp.MustCompile(`(?m)^(?:  "durationMs": |durationMs: |[\s\x{00A0}]*Time: )([0-9.]+)(ms|s)?`)

// tool is one way of doing a scenario's work.
type tool struct {
	name string
	argv []string
	base bool // the baseline of its scenario
	peer bool
	s    []sample
}

type scenario struct {
	name  string
	steps int // HTTP requests per run (per line for batch)
	runs  int // workflow runs per process (batch lines), 1 otherwise
	reps  int
	tools []*tool
}

func run(o options) error {
	mockURL, stopMock, err := startMock(filepath.Join(o.bin, "mock"))
	if err != nil {
		return err
	}
	defer stopMock()
	state, err := os.MkdirTemp("", "arazzo-bench-state-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)
	o.stateDir = state

	scenarios := buildScenarios(o, mockURL)
	fmt.Printf("# end-to-end benchmark\n\n")
	fmt.Printf("- machine: %s, %d CPUs; %s\n", hostModel(), numCPU(), goVersion(filepath.Join(o.bin, "arazzo")))
	fmt.Printf("- load average before: %s\n", loadavg())
	cpuBefore, cpuOK := cpuTimes()
	fmt.Printf("- %d runs of each process per scenario (batch: %d), interleaved; median [min–max]\n", o.reps, o.batchReps)
	if rssVia != "" {
		fmt.Printf("- wall and CPU: each process started directly; peak RSS: the same process run again through %s (a Go parent would pass its own RSS on, see rssVia); batch processes run through it only\n\n", rssVia)
	} else {
		fmt.Printf("- peak RSS from wait4: without GNU time it is at least this harness's own RSS (vfork), so small figures are overstated\n\n")
	}
	for _, sc := range scenarios {
		if o.only != "" && !strings.Contains(sc.name, o.only) {
			continue
		}
		if err := measure(sc); err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		report(sc)
	}
	perStep(scenarios)
	targets(scenarios, o)
	fmt.Printf("\n- load average after: %s\n", loadavg())
	if after, ok := cpuTimes(); ok && cpuOK {
		if total := after.total - cpuBefore.total; total > 0 {
			// On a virtual machine, the time the host gave the CPUs to others:
			// every wall figure above is slower by about that much.
			fmt.Printf("- CPU time stolen by the host during the run (/proc/stat steal): %.1f%%\n", 100*float64(after.steal-cpuBefore.steal)/float64(total))
		}
	}
	return nil
}

// cpuTime is the machine's CPU time in clock ticks: all of it, and the part
// stolen by the hypervisor.
type cpuTime struct{ total, steal uint64 }

// cpuTimes reads the machine's CPU time from /proc/stat.
func cpuTimes() (cpuTime, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTime{}, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTime{}, false
	}
	var t cpuTime
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return cpuTime{}, false
		}
		if i < 8 { // user nice system idle iowait irq softirq steal; guest time is inside user
			t.total += n
		}
		if i == 7 {
			t.steal = n
		}
	}
	return t, true
}

func buildScenarios(o options, u string) []*scenario {
	arazzo := filepath.Join(o.bin, "arazzo")
	baseline := filepath.Join(o.bin, "baseline")
	wf := func(name string) string { return filepath.Join(o.wf, name) }
	// The same command with the Temporal driver linked in (-tags temporal),
	// when bench/run.sh built it.
	withTemporal := filepath.Join(o.bin, "arazzo-temporal")
	respect := func(doc string, extra ...string) *tool {
		if o.respect == "" {
			return nil
		}
		return &tool{name: "respect 2.77 (simple criteria)", peer: true, argv: append([]string{o.respect, "respect", doc}, extra...)}
	}
	var out []*scenario
	// What linking each dependency costs a process before main: probes that
	// link one dependency and exit, next to `arazzo version`, which does nothing
	// either but links everything.
	probe := func(name, what string) *tool {
		return &tool{name: what, argv: []string{filepath.Join(o.bin, "depcost-"+name)}, base: name == "hello"}
	}
	out = append(out, &scenario{name: "start-up: linking the dependencies", runs: 1, reps: o.reps, tools: compact(
		probe("hello", "Go hello world (links nothing)"),
		probe("yaml", "links go.yaml.in/yaml/v4"),
		probe("sqlite", "links modernc.org/sqlite (the journal)"),
		probe("kinopenapi", "links kin-openapi openapi3 (+ jsonschema/v6)"),
		probe("temporal", "links the temporal package (Temporal SDK, gRPC, protobuf)"),
		probe("transport", "links the transport package (Kafka, NATS, MQTT, AMQP, WebSocket clients)"),
		&tool{name: "arazzo version (the default build)", argv: []string{arazzo, "version"}},
		optional(withTemporal, &tool{name: "arazzo version, built with -tags temporal", argv: []string{withTemporal, "version"}}),
	)})
	rotateArgs := []string{"--server", "mcpServerApi=" + u, "--input", "search=sales", "--auth", "bearerAuth=bench-token"}
	// Journal on (the default) comes first in every scenario; --no-journal
	// shows what the journal costs.
	out = append(out, &scenario{name: "rotate (3 steps)", steps: 3, runs: 1, reps: o.reps, tools: compact(
		&tool{name: "baseline (plain Go client)", base: true, argv: []string{baseline, "-url", u, "-rotate", "sales"}},
		&tool{name: "arazzo run (journal on, the default)", argv: append([]string{arazzo, "run", wf("rotate.arazzo.yaml"), "--state", o.stateDir, "-o", "json"}, rotateArgs...)},
		&tool{name: "arazzo run --no-journal", argv: append([]string{arazzo, "run", wf("rotate.arazzo.yaml"), "--no-journal", "-o", "json"}, rotateArgs...)},
		optional(withTemporal, &tool{name: "arazzo run, built with -tags temporal", argv: append([]string{withTemporal, "run", wf("rotate.arazzo.yaml"), "--state", o.stateDir, "-o", "json"}, rotateArgs...)}),
		&tool{name: "arazzo run workato/… (bundled, JSONPath criterion)", argv: append([]string{arazzo, "run", "workato/rotate-mcp-server-token", "--state", o.stateDir, "-o", "json"}, rotateArgs...)},
		respect(wf("rotate.arazzo.yaml"), "--server", "mcpServerApi="+u, "--input", "search=sales"),
	)})
	for _, n := range []int{10, 100, 1000} {
		chain := func(name, doc string, extra ...string) *tool {
			return &tool{name: name, argv: append([]string{arazzo, "run", wf(doc), "-o", "json", "--server", "items=" + u}, extra...)}
		}
		out = append(out, &scenario{name: fmt.Sprintf("chain-%d", n), steps: n, runs: 1, reps: o.reps, tools: compact(
			&tool{name: "baseline (plain Go client)", base: true, argv: []string{baseline, "-url", u, "-chain", strconv.Itoa(n)}},
			chain("arazzo run (journal on, JSONPath criterion)", fmt.Sprintf("chain-%d.arazzo.yaml", n), "--state", o.stateDir),
			chain("arazzo run (journal on, simple criteria)", fmt.Sprintf("chain-%d-simple.arazzo.yaml", n), "--state", o.stateDir),
			chain("arazzo run --no-journal (JSONPath criterion)", fmt.Sprintf("chain-%d.arazzo.yaml", n), "--no-journal"),
			chain("arazzo run --no-journal (simple criteria)", fmt.Sprintf("chain-%d-simple.arazzo.yaml", n), "--no-journal"),
			respect(wf(fmt.Sprintf("chain-%d-simple.arazzo.yaml", n)), "--server", "items="+u),
		)})
	}
	out = append(out, &scenario{name: "validate the 1,000-step chain", runs: 1, reps: o.reps, tools: compact(
		&tool{name: "arazzo validate chain-1000.arazzo.yaml (whole process)", argv: []string{arazzo, "validate", wf("chain-1000.arazzo.yaml")}},
		optional(withTemporal, &tool{name: "the same, built with -tags temporal", argv: []string{withTemporal, "validate", wf("chain-1000.arazzo.yaml")}}),
	)})
	for _, n := range o.batch {
		lines := wf(fmt.Sprintf("runs-%d.jsonl", n))
		p := strconv.Itoa(o.parallel)
		batch := []string{arazzo, "run", wf("rotate.arazzo.yaml"), "--inputs-file", lines, "--parallel", p,
			"--server", "mcpServerApi=" + u, "--auth", "bearerAuth=bench-token"}
		out = append(out, &scenario{name: fmt.Sprintf("batch of %d rotations, --parallel %d", n, o.parallel), steps: 3, runs: n, reps: o.batchReps, tools: compact(
			&tool{name: "baseline (plain Go client, " + p + " goroutines)", base: true, argv: []string{baseline, "-url", u, "-rotate-file", lines, "-parallel", p}},
			&tool{name: "arazzo run --inputs-file --parallel " + p + " (journal on)", argv: append(slices.Clone(batch), "--state", o.stateDir)},
			&tool{name: "arazzo run --inputs-file --parallel " + p + " --no-journal", argv: append(slices.Clone(batch), "--no-journal")},
		)})
	}
	return out
}

// optional is t when the binary bin exists.
func optional(bin string, t *tool) *tool {
	if _, err := os.Stat(bin); err != nil {
		return nil
	}
	return t
}

func compact(ts ...*tool) []*tool {
	return slices.DeleteFunc(ts, func(t *tool) bool { return t == nil })
}

func startMock(path string) (string, func(), error) {
	cmd := exec.Command(path, "-addr", "127.0.0.1:0", "-watch-stdin")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("starting the mock: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return "", nil, fmt.Errorf("the mock printed no URL: %w", err)
	}
	stop := func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
		}
	}
	return strings.TrimSpace(line), stop, nil
}

// measure runs every tool of the scenario reps times, round-robin, so that a
// change in the machine's load touches all of them alike.
func measure(sc *scenario) error {
	fmt.Fprintf(os.Stderr, "e2e: %s ", sc.name)
	defer fmt.Fprintln(os.Stderr)
	// Short processes run twice a round: directly for wall, CPU and their own
	// figures, through GNU time for their peak RSS. Long ones (a batch) run
	// through GNU time only: its millisecond is lost in their seconds.
	twice := rssVia != "" && sc.runs == 1
	run := func(t *tool) (sample, error) {
		s, err := once(t, rssVia != "" && !twice)
		if err != nil || !twice {
			return s, err
		}
		r, err := once(t, true)
		s.rssKiB = r.rssKiB
		return s, err
	}
	// One unmeasured run each: page cache, the mock's connection pool, respect's compile cache.
	for _, t := range sc.tools {
		if _, err := once(t, false); err != nil {
			return err
		}
	}
	for range sc.reps {
		for _, t := range sc.tools {
			s, err := run(t)
			if err != nil {
				return err
			}
			t.s = append(t.s, s)
		}
		fmt.Fprint(os.Stderr, ".")
	}
	return nil
}

// rssVia is GNU time when it is installed. A Go program starts a child with
// vfork semantics, and Linux then counts the parent's peak RSS into the
// child's ru_maxrss: measured from this harness (whose memory grows with what
// it reads) a 2 MiB child would show the harness's size. GNU time forks from a
// process of about 1 MiB, so the peak it reports is the child's own.
var rssVia = func() string {
	if out, err := exec.Command("/usr/bin/time", "-f", "%M", "true").CombinedOutput(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		return "/usr/bin/time"
	}
	return ""
}()

// once runs a tool once. Through GNU time (viaTime) the peak RSS is the
// process's own but wall and CPU carry time's start-up (~1 ms); directly they
// are exact but the RSS may be overstated (see rssVia).
func once(t *tool, viaTime bool) (sample, error) {
	argv := t.argv
	var rssFile string
	if viaTime {
		f, err := os.CreateTemp("", "e2e-rss-")
		if err != nil {
			return sample{}, err
		}
		rssFile = f.Name()
		f.Close()
		defer os.Remove(rssFile)
		argv = append([]string{rssVia, "-f", "%M", "-o", rssFile}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	stdout := &tailBuffer{max: 64 << 10}
	cmd.Stdout = stdout
	stderr := &tailBuffer{max: 4 << 10}
	cmd.Stderr = stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %v\n%s", strings.Join(t.argv, " "), err, stderr.Bytes())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, errors.New("no rusage on this platform")
	}
	// CPU: the process waited for, with what it waited for (GNU time's own share is ~0.3 ms).
	s := sample{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), rssKiB: ru.Maxrss, inner: -1}
	if rssFile != "" {
		data, err := os.ReadFile(rssFile)
		if err != nil {
			return sample{}, err
		}
		f := strings.Fields(string(data))
		if len(f) == 0 {
			return sample{}, fmt.Errorf("GNU time wrote no RSS for %s", strings.Join(t.argv, " "))
		}
		if s.rssKiB, err = strconv.ParseInt(f[len(f)-1], 10, 64); err != nil {
			return sample{}, fmt.Errorf("GNU time: %v", err)
		}
	}
	if m := innerDuration.FindAllSubmatch(stdout.Bytes(), -1); len(m) > 0 {
		last := m[len(m)-1]
		if v, err := strconv.ParseFloat(string(last[1]), 64); err == nil {
			if string(last[2]) == "s" {
				v *= 1000
			}
			s.inner = v
		}
	}
	return s, nil
}

// tailBuffer keeps the last max bytes written to it: the figures a process
// prints come last, and a batch prints a line per run.
type tailBuffer struct {
	b   []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) Bytes() []byte {
	if len(t.b) > t.max {
		return t.b[len(t.b)-t.max:]
	}
	return t.b
}

type stat struct{ med, lo, hi float64 }

func stats(xs []float64) stat {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return stat{med: med, lo: s[0], hi: s[n-1]}
}

func (t *tool) walls() []float64 { return each(t.s, func(s sample) float64 { return ms(s.wall) }) }
func (t *tool) cpus() []float64  { return each(t.s, func(s sample) float64 { return ms(s.cpu) }) }
func (t *tool) rss() []float64 {
	return each(t.s, func(s sample) float64 { return float64(s.rssKiB) / 1024 })
}
func (t *tool) inner() []float64 { return each(t.s, func(s sample) float64 { return s.inner }) }

func (t *tool) hasInner() bool {
	for _, s := range t.s {
		if s.inner < 0 {
			return false
		}
	}
	return len(t.s) > 0
}

func each(ss []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func baseOf(sc *scenario) *tool {
	for _, t := range sc.tools {
		if t.base {
			return t
		}
	}
	return nil
}

// ratios are per round: each run divided by the baseline run of the same round.
func ratios(t, base *tool, f func(*tool) []float64) stat {
	a, b := f(t), f(base)
	r := make([]float64, len(a))
	for i := range a {
		r[i] = a[i] / b[i]
	}
	return stats(r)
}

func report(sc *scenario) {
	fmt.Printf("## %s\n\n", sc.name)
	base := baseOf(sc)
	if sc.runs > 1 {
		fmt.Printf("| process | wall ms | runs/s | CPU ms | peak RSS MiB | wall ÷ baseline |\n|---|---|---|---|---|---|\n")
	} else {
		fmt.Printf("| process | wall ms | CPU ms | peak RSS MiB | wall ÷ baseline |\n|---|---|---|---|---|\n")
	}
	for _, t := range sc.tools {
		w, c, r := stats(t.walls()), stats(t.cpus()), stats(t.rss())
		ratio := "1"
		if base == nil {
			ratio = "—"
		} else if t != base {
			q := ratios(t, base, (*tool).walls)
			ratio = fmt.Sprintf("%.2f× [%.2f–%.2f]", q.med, q.lo, q.hi)
		}
		if sc.runs > 1 {
			fmt.Printf("| %s | %s | %.0f | %s | %s | %s |\n", t.name, fmtStat(w, 0), float64(sc.runs)/(w.med/1000), fmtStat(c, 0), fmtStat(r, 1), ratio)
		} else {
			fmt.Printf("| %s | %s | %s | %s | %s |\n", t.name, fmtStat(w, 2), fmtStat(c, 1), fmtStat(r, 1), ratio)
		}
	}
	fmt.Println()
}

func fmtStat(s stat, prec int) string {
	return fmt.Sprintf("%.*f [%.*f–%.*f]", prec, s.med, prec, s.lo, prec, s.hi)
}

// perStep derives the cost of one more step from the chain-100 and chain-1000
// runs of the same round: (wall₁₀₀₀ − wall₁₀₀) / 900, which removes start-up.
func perStep(all []*scenario) {
	var c100, c1000 *scenario
	for _, sc := range all {
		switch sc.name {
		case "chain-100":
			c100 = sc
		case "chain-1000":
			c1000 = sc
		}
	}
	if c100 == nil || c1000 == nil || len(c100.tools[0].s) == 0 || len(c1000.tools[0].s) == 0 {
		return
	}
	fmt.Printf("## per step (chain-1000 minus chain-100, ÷ 900, paired by round)\n\n")
	fmt.Printf("| process | µs per step | CPU µs per step | ÷ baseline per step |\n|---|---|---|---|\n")
	slope := func(i int, f func(*tool) []float64) []float64 {
		a, b := f(c1000.tools[i]), f(c100.tools[i])
		out := make([]float64, min(len(a), len(b)))
		for k := range out {
			out[k] = (a[k] - b[k]) / 900 * 1000
		}
		return out
	}
	baseW := slope(0, (*tool).walls)
	for i, t := range c1000.tools {
		w := slope(i, (*tool).walls)
		c := slope(i, (*tool).cpus)
		r := make([]float64, len(w))
		for k := range w {
			r[k] = w[k] / baseW[k]
		}
		ratio := "1"
		if i > 0 {
			rs := stats(r)
			ratio = fmt.Sprintf("%.2f× [%.2f–%.2f]", rs.med, rs.lo, rs.hi)
		}
		fmt.Printf("| %s | %s | %s | %s |\n", t.name, fmtStat(stats(w), 0), fmtStat(stats(c), 0), ratio)
	}
	fmt.Printf("\n## per step, requests only (chain-1000: the run's own duration ÷ 1000, paired by round)\n\n")
	fmt.Printf("Each process times its run from the first request to the last response, as it reports it (arazzo: `durationMs` of `--output json`; the baseline: its loop; respect: its summary's `Time`); start-up, loading and validation are left out.\n\n")
	fmt.Printf("| process | µs per step | ÷ baseline |\n|---|---|---|\n")
	base := c1000.tools[0]
	if !base.hasInner() {
		return
	}
	for i, t := range c1000.tools {
		if !t.hasInner() {
			continue
		}
		per := each(t.s, func(s sample) float64 { return s.inner }) // ms per 1000 steps = µs per step
		ratio := "1"
		if i > 0 {
			ratio = fmtRatio(ratios(t, base, (*tool).inner))
		}
		fmt.Printf("| %s | %s | %s |\n", t.name, fmtStat(stats(per), 0), ratio)
	}
}

func fmtRatio(s stat) string { return fmt.Sprintf("%.2f× [%.2f–%.2f]", s.med, s.lo, s.hi) }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\nprocessor") + 1
}

func hostModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if _, v, ok := strings.Cut(l, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}

func goVersion(bin string) string {
	out, err := exec.Command("go", "version", bin).Output()
	if err != nil {
		return ""
	}
	f := strings.Fields(string(out))
	if len(f) < 2 {
		return ""
	}
	return "arazzo built with " + f[len(f)-1]
}

// targets checks the figures the runtime promises, from the scenarios
// measured (journal on, the default): each is a ratio of processes measured
// in the same rounds.
func targets(all []*scenario, o options) {
	find := func(scenario, tool string) *tool {
		for _, sc := range all {
			if sc.name != scenario && !strings.HasPrefix(sc.name, scenario) {
				continue
			}
			for _, t := range sc.tools {
				if strings.HasPrefix(t.name, tool) && len(t.s) > 0 {
					return t
				}
			}
		}
		return nil
	}
	type row struct {
		what     string
		got      string
		met      bool
		measured bool
	}
	var rows []row
	add := func(what string, ok bool, met bool, format string, args ...any) {
		r := row{what: what, measured: ok}
		if ok {
			r.got, r.met = fmt.Sprintf(format, args...), met
		}
		rows = append(rows, r)
	}
	// Per step: the slope of chain-1000 over chain-100, paired by round.
	slope := func(tool string) []float64 {
		a, b := find("chain-1000", tool), find("chain-100", tool)
		if a == nil || b == nil {
			return nil
		}
		x, y := a.walls(), b.walls()
		out := make([]float64, min(len(x), len(y)))
		for k := range out {
			out[k] = (x[k] - y[k]) / 900
		}
		return out
	}
	base := slope("baseline")
	for _, name := range []string{"arazzo run (journal on, JSONPath criterion)", "arazzo run (journal on, simple criteria)"} {
		js := slope(name)
		ok := base != nil && js != nil
		var st stat
		if ok {
			r := make([]float64, min(len(js), len(base)))
			for k := range r {
				r[k] = js[k] / base[k]
			}
			st = stats(r)
		}
		add("per step, whole process, 1,000-step chain ≤ 1.25× the plain client: "+strings.TrimPrefix(name, "arazzo run "), ok, st.med <= 1.25, "%s", fmtRatio(st))
	}
	peer := func(scenario, tool string, f func(*tool) []float64) (stat, bool) {
		a, p := find(scenario, tool), find(scenario, "respect")
		if a == nil || p == nil {
			return stat{}, false
		}
		return ratios(a, p, f), true
	}
	st, ok := peer("rotate", "arazzo run (journal on", (*tool).walls)
	add("rotate wall ≤ 1/30 of respect's", ok, st.med <= 1.0/30, "1/%.0f [1/%.0f–1/%.0f]", 1/st.med, 1/st.hi, 1/st.lo)
	st, ok = peer("rotate", "arazzo run (journal on", (*tool).rss)
	add("rotate peak RSS ≤ 0.2 of respect's", ok, st.med <= 0.2, "%.2f [%.2f–%.2f]", st.med, st.lo, st.hi)
	st, ok = peer("chain-100", "arazzo run (journal on, simple", (*tool).walls)
	add("100-step chain wall ≤ 1/15 of respect's (simple criteria, as respect runs them)", ok, st.med <= 1.0/15, "1/%.1f [1/%.1f–1/%.1f]", 1/st.med, 1/st.hi, 1/st.lo)
	for _, sc := range all {
		if !strings.HasPrefix(sc.name, "batch of") {
			continue
		}
		t := find(sc.name, "arazzo run --inputs-file --parallel 32 (journal on)")
		if t == nil {
			continue
		}
		w := stats(t.walls())
		add(sc.name+", journal on: ≥ 2,000 runs/s", true, float64(sc.runs)/(w.med/1000) >= 2000, "%.0f runs/s, peak RSS %.1f MiB", float64(sc.runs)/(w.med/1000), stats(t.rss()).med)
	}
	// Validate: absolute figures, not ratios (the target is a time).
	if t := find("validate the 1,000-step chain", "arazzo validate"); t != nil {
		w := stats(t.walls())
		add("validate the 1,000-step chain, whole process < 70 ms", true, w.med < 70, "%s ms", fmtStat(w, 1))
	} else {
		add("validate the 1,000-step chain, whole process < 70 ms", false, false, "")
	}
	if per, err := benchMillis(o.validateBench, "BenchmarkValidateFile"); err == nil && len(per) > 0 {
		st := stats(per)
		add("validate the 1,000-step chain, in process (go test -bench ValidateFile) < 50 ms", true, st.med < 50, "%s ms (%d runs)", fmtStat(st, 1), len(per))
	} else {
		add("validate the 1,000-step chain, in process (go test -bench ValidateFile) < 50 ms", false, false, "")
	}
	fmt.Printf("\n## targets (journal on, the default)\n\n| target | measured | |\n|---|---|---|\n")
	for _, r := range rows {
		switch {
		case !r.measured:
			fmt.Printf("| %s | not measured in this run | missing |\n", r.what)
		case r.met:
			fmt.Printf("| %s | %s | met |\n", r.what, r.got)
		default:
			fmt.Printf("| %s | %s | **not met** |\n", r.what, r.got)
		}
	}
}

// benchMillis reads the ns/op of benchmark name from the output of go test
// -bench (one figure per -count), in milliseconds.
func benchMillis(file, name string) ([]float64, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []float64
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasPrefix(f[0], name) {
			continue
		}
		for i := 2; i+1 < len(f); i++ {
			if f[i+1] == "ns/op" {
				if ns, err := strconv.ParseFloat(f[i], 64); err == nil {
					out = append(out, ns/1e6)
				}
				break
			}
		}
	}
	return out, nil
}
