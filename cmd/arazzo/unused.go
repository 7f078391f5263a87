package main

import (
	"fmt"

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
