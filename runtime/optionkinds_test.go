package runtime

import (
	"reflect"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
)

// Plan settings and run settings are different types: a run setting given to
// Load (or a plan setting given to Run) does not compile, instead of being
// accepted and quietly ignored.
func TestPlanAndRunOptionsAreDistinct(t *testing.T) {
	planT := reflect.TypeFor[PlanOption]()
	runT := reflect.TypeFor[RunOption]()
	if planT.AssignableTo(runT) || runT.AssignableTo(planT) {
		t.Fatalf("%v and %v are assignable to each other", planT, runT)
	}
	takes := func(name string, fn any, want reflect.Type) {
		t.Helper()
		ft := reflect.TypeOf(fn)
		if !ft.IsVariadic() || ft.In(ft.NumIn()-1).Elem() != want {
			t.Errorf("%s takes %v, want ...%v", name, ft.In(ft.NumIn()-1), want)
		}
	}
	takes("Load", Load, planT)
	takes("Inspect", Inspect, planT)
	takes("Compile", Compile, planT)
	takes("Plan.Run", (*Plan).Run, runT)
	takes("Plan.Execute", (*Plan).Execute, runT)
	takes("Plan.DryRun", (*Plan).DryRun, runT)
	takes("Plan.CheckSettings", (*Plan).CheckSettings, runT)
	takes("NewSender", NewSender, runT)

	for name, o := range map[string]any{
		"WithReadFunc": WithReadFunc(nil), "WithLimits": WithLimits(arazzo.DefaultLimits()),
		"WithSourceLocation": WithSourceLocation("s", "l"),
	} {
		if reflect.TypeOf(o) != planT {
			t.Errorf("%s is a %T, want a PlanOption", name, o)
		}
	}
	for name, o := range map[string]any{
		"WithServer": WithServer("s", "u"), "WithServerVariable": WithServerVariable("s", "n", "v"),
		"WithServerBase": WithServerBase("b"), "WithServerOrigin": WithServerOrigin("o"),
		"WithCredentials": WithCredentials(nil), "WithSecrets": WithSecrets(nil), "WithHTTPClient": WithHTTPClient(nil),
		"WithTimeout": WithTimeout(time.Second), "WithRunTimeout": WithRunTimeout(time.Second),
		"WithMaxSteps": WithMaxSteps(1), "WithMaxDepth": WithMaxDepth(1), "WithMaxRetryWait": WithMaxRetryWait(time.Second),
		"WithMaxBodySize": WithMaxBodySize(1), "WithObserver": WithObserver(nil), "WithEffects": WithEffects(nil),
		"WithClock": WithClock(nil), "WithMessageBroker": WithMessageBroker(nil), "WithMessageMock": WithMessageMock(),
	} {
		if reflect.TypeOf(o) != runT {
			t.Errorf("%s is a %T, want a RunOption", name, o)
		}
	}
}
