package main

import (
	"errors"
	"fmt"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/runtime"
)

// flagHint says which option of the command changes what err reports, for
// the library's typed errors (the library's messages name no option: an
// embedder has none); "" when none applies.
func flagHint(err error) string {
	var (
		le *runtime.LimitError
		ce *runtime.CredentialsError
		se *runtime.ServerError
		ue *runtime.UsageError
		we *journal.WriteError
		de *journal.DivergedError
		nk *journal.NotKeptError
	)
	switch {
	case errors.As(err, &le):
		switch le.Kind {
		case runtime.LimitSteps:
			return " (raise it with --max-steps)"
		case runtime.LimitBody:
			return " (raise it with --max-body)"
		}
	case errors.As(err, &ce) && len(ce.Schemes) > 0:
		return fmt.Sprintf(" (pass --auth %s=VALUE)", ce.Schemes[0])
	case errors.As(err, &se):
		return fmt.Sprintf(" (pass --server %s=URL)", se.Source)
	case errors.As(err, &ue) && len(ue.Workflows) > 0:
		return " (pass --workflow ID)"
	case errors.Is(err, journal.ErrCredentialInput):
		return " (credentials are given with --auth; --no-journal runs without a journal)"
	case errors.As(err, &we):
		return " (--no-journal runs without a journal)"
	case errors.As(err, &de):
		return " (pass the --server flags of the first run)"
	case errors.As(err, &nk):
		return fmt.Sprintf(" (see it with 'arazzo runs show %s --reveal')", nk.RunID)
	}
	return ""
}

// ruleHint is flagHint for a diagnostic: the option that lifts its rule, the
// same for validate and for the commands that refuse the document.
func ruleHint(d arazzo.Diagnostic) string {
	if d.Rule == runtime.RuleSourceOutside {
		return " (--allow-outside lifts this)"
	}
	return ""
}
