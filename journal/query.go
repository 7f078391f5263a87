package journal

import (
	"context"
	"fmt"
)

// RunsOf lists the runs of one workflow of the document at location, the most
// recent first, at most limit (0: all).
func (s *Store) RunsOf(ctx context.Context, location, workflowID string, limit int) ([]*Run, error) {
	q := "SELECT " + runColumns + " FROM runs WHERE location = ? AND workflow_id = ? ORDER BY started_at DESC, id DESC"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return s.queryRuns(ctx, q, location, workflowID)
}

func (s *Store) queryRuns(ctx context.Context, q string, args ...any) ([]*Run, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
