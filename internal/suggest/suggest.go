// Package suggest finds the name a user probably meant: the one "did you
// mean" of the project, so that every command and check suggests the same
// name for the same typo. It imports nothing of ours.
package suggest

import "strings"

// Closest returns the candidate nearest to name, or "" when none is near
// enough to be a likely typo. Names compare without regard to case; the
// distance is Levenshtein's (one insertion, deletion or substitution per
// step), and it may be at most a third of the name's length, capped at 3 (so
// "limt" finds "limit", and a one-letter name finds nothing). When no
// candidate is that near, a candidate that name is the start of (at least
// three letters: "rot" for "rotate") is suggested. A candidate equal to name
// is never suggested; among equally near candidates the first wins.
func Closest(name string, candidates []string) string {
	lname := strings.ToLower(name)
	limit := min(3, (len(name)+1)/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := Distance(lname, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" || len(name) < 3 {
		return best
	}
	for _, c := range candidates {
		if c != name && strings.HasPrefix(strings.ToLower(c), lname) {
			return c
		}
	}
	return ""
}

// Distance is the edit distance between a and b, counted in bytes: the
// insertions, deletions, substitutions and swaps of two neighbours (optimal
// string alignment) that turn a into b. Names longer than 64 bytes are never
// near anything.
func Distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	var buf [3][65]int
	prev2, prev, cur := buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
