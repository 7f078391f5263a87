// Package parsecount counts the runtime expressions parsed by this process,
// so that tests can check that loading, checking and compiling a document
// parse each expression exactly once. It imports nothing.
package parsecount

import "sync/atomic"

var parses atomic.Int64

// Add records one parsed runtime expression.
func Add() { parses.Add(1) }

// Load returns how many runtime expressions have been parsed so far.
func Load() int64 { return parses.Load() }
