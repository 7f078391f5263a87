// Package show writes values the way every text output of arazzo shows them.
package show

import (
	"encoding/json"
	"fmt"
)

// Value shows a value as written: a string as it is, anything else as JSON
// (or, when it cannot be encoded, as fmt prints it).
func Value(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
