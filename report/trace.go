package report

import (
	"encoding/json"
	"io"
)

// WriteTrace writes the record as JSON: the trace of the run, whose JSON
// Schema is docs/trace-schema.json.
func WriteTrace(w io.Writer, rec *Record) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rec)
}
