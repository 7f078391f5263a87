package main

import (
	"context"
	"math"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
)

func main() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		tuneGC()
	}
	ctx, stop := signalContext()
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// startHeap is how much memory the process may take before its first garbage
// collection.
const startHeap = 32 << 20

// tuneGC sets the collector for a process that lives a few milliseconds to a
// few seconds. Most of what a command allocates is allocated while it starts
// (package initialisation, parsing the documents) and stays live until it
// ends, so collecting then only costs CPU: no collection runs until the
// process holds startHeap (the rotate workflow and `validate` of a 1,000-step
// document never reach it). From the first collection on, the collector runs
// at GOGC=200 without a limit, as it did before: a long run or a batch then
// holds a few MiB more than it would have (the 1,000-step chain: ~6 MiB) and
// spends ~10% less CPU. See BENCHMARKS.md.
func tuneGC() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(startHeap)
	// Not a tiny allocation, which could share its block with live ones: the
	// cleanup runs after the first collection.
	sentinel := new([64]byte)
	runtime.AddCleanup(sentinel, func(struct{}) {
		debug.SetGCPercent(200)
		debug.SetMemoryLimit(math.MaxInt64)
	}, struct{}{})
}

// signalContext is cancelled by the first SIGINT or SIGTERM, so the in-flight
// request stops and what completed is reported; a second signal exits at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-ch
		cancel(&signalError{sig: sig})
		sig = <-ch
		os.Exit(exitCodeForSignal(sig))
	}()
	return ctx, func() { signal.Stop(ch); cancel(nil) }
}

type signalError struct{ sig os.Signal }

func (e *signalError) Error() string { return "interrupted by " + e.sig.String() }

func exitCodeForSignal(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return ExitSIGTERM
	}
	return ExitSIGINT
}
