package journal

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations build the journal schema; migration i (0-based) brings a database
// from user_version i to i+1. They are append-only: a released migration is
// never edited, a change is a new one.
var migrations = []string{
	// 1: runs, and the records of each run in the order they happened.
	`CREATE TABLE runs (
		id          TEXT PRIMARY KEY,
		workflow_id TEXT NOT NULL,
		location    TEXT NOT NULL,
		digest      TEXT NOT NULL,
		inputs      TEXT NOT NULL,
		secret_inputs TEXT NOT NULL DEFAULT '[]',
		settings    TEXT NOT NULL DEFAULT '{}',
		status      TEXT NOT NULL,
		started_at  INTEGER NOT NULL,
		finished_at INTEGER NOT NULL DEFAULT 0,
		pid         INTEGER NOT NULL DEFAULT 0,
		host        TEXT NOT NULL DEFAULT '',
		outputs     TEXT NOT NULL DEFAULT '{}',
		error       TEXT NOT NULL DEFAULT ''
	);
	CREATE TABLE records (
		run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		seq         INTEGER NOT NULL,
		kind        TEXT NOT NULL,
		workflow_id TEXT NOT NULL DEFAULT '',
		step_id     TEXT NOT NULL DEFAULT '',
		attempt     INTEGER NOT NULL DEFAULT 0,
		depth       INTEGER NOT NULL DEFAULT 0,
		at          INTEGER NOT NULL,
		data        TEXT NOT NULL,
		body        BLOB,
		PRIMARY KEY (run_id, seq)
	) WITHOUT ROWID;`,
	// 2: resumed runs: a run continued by another names it, and the records it
	// replayed from it are marked; runs are listed by start time.
	`ALTER TABLE runs ADD COLUMN resumed_from TEXT NOT NULL DEFAULT '';
	ALTER TABLE records ADD COLUMN replayed INTEGER NOT NULL DEFAULT 0;
	CREATE INDEX runs_started ON runs(started_at);
	CREATE INDEX runs_resumed_from ON runs(resumed_from);`,
	// 3: when a run's outputs were handed over (printed, written to a file).
	`ALTER TABLE runs ADD COLUMN delivered_at INTEGER NOT NULL DEFAULT 0;`,
	// 4: records in a table with row ids: a record holding a response body is
	// too large for the leaves of a table without them, and each insert cost
	// about twice as much.
	`CREATE TABLE records_v4 (
		run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
		seq         INTEGER NOT NULL,
		kind        TEXT NOT NULL,
		workflow_id TEXT NOT NULL DEFAULT '',
		step_id     TEXT NOT NULL DEFAULT '',
		attempt     INTEGER NOT NULL DEFAULT 0,
		depth       INTEGER NOT NULL DEFAULT 0,
		at          INTEGER NOT NULL,
		data        TEXT NOT NULL,
		body        BLOB,
		replayed    INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (run_id, seq)
	);
	INSERT INTO records_v4 (run_id, seq, kind, workflow_id, step_id, attempt, depth, at, data, body, replayed)
		SELECT run_id, seq, kind, workflow_id, step_id, attempt, depth, at, data, body, replayed FROM records;
	DROP TABLE records;
	ALTER TABLE records_v4 RENAME TO records;`,
	// 5: batches (arazzo run --inputs-file): one row each, and its lines are
	// runs that name it.
	`CREATE TABLE batches (
		id          TEXT PRIMARY KEY,
		workflow_id TEXT NOT NULL,
		location    TEXT NOT NULL,
		digest      TEXT NOT NULL,
		inputs      TEXT NOT NULL,
		secret_inputs TEXT NOT NULL DEFAULT '[]',
		settings    TEXT NOT NULL DEFAULT '{}',
		inputs_file TEXT NOT NULL DEFAULT '',
		status      TEXT NOT NULL,
		started_at  INTEGER NOT NULL,
		finished_at INTEGER NOT NULL DEFAULT 0,
		pid         INTEGER NOT NULL DEFAULT 0,
		host        TEXT NOT NULL DEFAULT '',
		lines       INTEGER NOT NULL DEFAULT 0,
		resumed_from TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX batches_started ON batches(started_at);
	ALTER TABLE runs ADD COLUMN batch_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE runs ADD COLUMN line INTEGER NOT NULL DEFAULT 0;
	CREATE INDEX runs_batch ON runs(batch_id, line);`,
	// 6: a response row may hold the record of its request (sent, sent_at):
	// a request safe to send again is written once, with its answer, in one
	// row where there were two (see Session.write).
	`ALTER TABLE records ADD COLUMN sent TEXT;
	ALTER TABLE records ADD COLUMN sent_at INTEGER NOT NULL DEFAULT 0;`,
	// 7: a row may hold several consecutive records of a run (kind chunk, see
	// kindChunk); steps counts the step records among them.
	`ALTER TABLE records ADD COLUMN steps INTEGER NOT NULL DEFAULT 0;`,
	// 8: a finished run's step count, so that listing runs reads none of
	// their records; NULL for a run not finished (or finished by an earlier
	// version), whose records are counted.
	`ALTER TABLE runs ADD COLUMN steps INTEGER;`,
}

// SchemaVersion is the schema version this package writes.
var SchemaVersion = len(migrations)

// VersionError reports a journal written by a newer arazzo.
type VersionError struct {
	Path          string
	Version, Know int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("%s has journal schema version %d; this arazzo knows versions up to %d: upgrade arazzo, or choose another journal directory",
		e.Path, e.Version, e.Know)
}

// migrate brings the database to the latest schema, one transaction per
// migration, so an interrupted migration leaves the previous version intact.
// Each transaction takes the write lock before it reads the version, so two
// processes opening a new journal at once migrate it once. A journal at the
// version already is only read: opening it does not wait for another
// process's writes.
func migrate(ctx context.Context, db *sql.DB, path string, upTo int) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("reading the schema version of %s: %w", path, err)
	}
	if v == upTo {
		return nil
	}
	for {
		done, err := migrateOne(ctx, db, path, upTo)
		if err != nil || done {
			return err
		}
	}
}

func migrateOne(ctx context.Context, db *sql.DB, path string, upTo int) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see the DSN)
	if err != nil {
		return false, fmt.Errorf("migrating %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, fmt.Errorf("reading the schema version of %s: %w", path, err)
	}
	if v > len(migrations) {
		return false, &VersionError{Path: path, Version: v, Know: len(migrations)}
	}
	if v >= upTo {
		return true, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migrating %s to schema version %d: %w", path, v+1, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrating %s to schema version %d: %w", path, v+1, err)
	}
	return false, nil
}
