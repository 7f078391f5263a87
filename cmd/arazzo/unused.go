package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/arazzo-run/arazzo/runtime"
)

// unusedFlag is the flag that gives each kind of runtime.Unused setting.
var unusedFlag = map[string]string{"credential": "--auth", "server": "--server", "server variable": "--server-var"}

// warnUnused prints a warning for each --auth, --server or --server-var the run
// never used: a typo in a scheme or source name is the usual cause. It is not
// an error: a credential can be unused because the run took another path.
func (a *app) warnUnused(res *runtime.Result) {
	for _, u := range res.Unused {
		fmt.Fprintf(a.stderr, "arazzo: warning: %s %s was not used: %s\n", unusedFlag[u.Kind], u.Key, u.Reason)
	}
}

// checkSettings refuses, before anything is sent, a --server, --server-var or
// --auth that names no source, server variable or security scheme of the
// document, or an unqualified --auth that several sources could take: a
// usage error listing each, with a suggestion.
func checkSettings(plan *runtime.Plan, opts []runtime.RunOption) error {
	return settingsUsage(plan.CheckSettings(opts...))
}

// settingsUsage turns a *runtime.SettingsError into a usage error in the
// words of the command line; other errors pass through.
func settingsUsage(err error) error {
	var se *runtime.SettingsError
	if !errors.As(err, &se) {
		return err
	}
	lines := make([]string, len(se.Settings))
	for i, s := range se.Settings {
		lines[i] = unusedFlag[s.Kind] + " " + s.Key + ": " + s.Reason
	}
	if len(lines) == 1 {
		return usageErr("%s", lines[0])
	}
	return usageErr("%s", "these options do not fit the document:\n  - "+strings.Join(lines, "\n  - "))
}
