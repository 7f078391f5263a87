package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"
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
// document (or a server variable value its enum does not allow), an
// unqualified --auth that several sources could take, and a --source
// (NAME=PATH|URL) whose NAME no source description of the document declares,
// whose document's own url would be read instead: a usage error listing
// each, with a suggestion.
func checkSettings(plan *runtime.Plan, opts []runtime.RunOption, sources []string) error {
	bad := unknownSources(sources, sourceNames(plan.Document()))
	err := plan.CheckSettings(opts...)
	var se *runtime.SettingsError
	if err != nil && !errors.As(err, &se) {
		return err
	}
	return settingsLines(append(bad, flagLines(se)...))
}

// unknownSources words each --source whose NAME is not one of declared.
func unknownSources(flags, declared []string) []string {
	var bad []string
	for _, s := range flags {
		name, _, _ := strings.Cut(s, "=")
		if !slices.Contains(declared, name) {
			bad = append(bad, fmt.Sprintf("--source %s: no source description is named %q%s (sources: %s)", name, name, runtime.Suggest(name, declared), strings.Join(declared, ", ")))
		}
	}
	return bad
}

// sourceNames are the names of the source descriptions of doc.
func sourceNames(doc *arazzo.Document) []string {
	var out []string
	for _, sd := range doc.SourceDescriptions {
		if sd != nil {
			out = append(out, sd.Name)
		}
	}
	return out
}

// settingsUsage turns a *runtime.SettingsError into a usage error in the
// words of the command line; other errors pass through.
func settingsUsage(err error) error {
	var se *runtime.SettingsError
	if !errors.As(err, &se) {
		return err
	}
	return settingsLines(flagLines(se))
}

// flagLines words each setting of se as the flag that gave it.
func flagLines(se *runtime.SettingsError) []string {
	if se == nil {
		return nil
	}
	lines := make([]string, len(se.Settings))
	for i, s := range se.Settings {
		lines[i] = unusedFlag[s.Kind] + " " + s.Key + ": " + s.Reason
	}
	return lines
}

// settingsLines is the usage error that lists the settings refused; nil if none.
func settingsLines(lines []string) error {
	switch len(lines) {
	case 0:
		return nil
	case 1:
		return usageErr("%s", lines[0])
	}
	return usageErr("%s", "these options do not fit the document:\n  - "+strings.Join(lines, "\n  - "))
}
