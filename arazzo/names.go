package arazzo

import "strings"

// SpellingMatch finds the one candidate that name spells differently: equal
// once case and the separators _ - . are ignored (pet_id, petId and Pet-ID are
// one name). It reports false when none or several candidates match, since
// then the name has no single sensible reading.
func SpellingMatch(name string, candidates []string) (string, bool) {
	key := foldName(name)
	match, n := "", 0
	for _, c := range candidates {
		if foldName(c) == key {
			match, n = c, n+1
		}
	}
	return match, n == 1
}

func foldName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.':
			return -1
		}
		return r
	}, strings.ToLower(s))
}
