//go:build unix

package journal

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with that id exists.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
