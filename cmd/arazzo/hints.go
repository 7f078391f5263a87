package main

import (
	"errors"

	"github.com/arazzo-run/arazzo/runtime"
)

// flagHint says which option of the command changes what err reports, for
// the library's typed errors (the library's messages name no option: an
// embedder has none); "" when none applies.
func flagHint(err error) string {
	var le *runtime.LimitError
	if errors.As(err, &le) {
		switch le.Kind {
		case runtime.LimitSteps:
			return " (raise it with --max-steps)"
		case runtime.LimitBody:
			return " (raise it with --max-body)"
		}
	}
	return ""
}
