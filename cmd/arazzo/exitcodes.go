package main

// Exit codes of the arazzo command. The README lists the same table.
const (
	// ExitOK: the workflow passed; the document is valid.
	ExitOK = 0
	// ExitFailed: the workflow failed (criteria not met and no action recovered);
	// for validate, the document has errors.
	ExitFailed = 1
	// ExitUsage: a usage error — flags, an unknown workflow, inputs that do not match the schema.
	ExitUsage = 2
	// ExitInvalid: the document could not be loaded or is invalid.
	ExitInvalid = 3
	// ExitIncomplete: the run could not complete — transport error, timeout, cancelled.
	ExitIncomplete = 4
	// ExitSIGINT and ExitSIGTERM: the run was stopped by a signal (128 + signal number).
	ExitSIGINT  = 130
	ExitSIGTERM = 143
)
