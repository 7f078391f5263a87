//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "os"

// fileIsTerminal is false where the terminal cannot be asked: plain output is
// always correct, only less lively.
func fileIsTerminal(f *os.File) bool { return false }

func terminalWidth(f *os.File) int { return 0 }
