import ClutchCore
import GRDB

/// The database schema as named migrations. A released migration is never edited: change the
/// schema by appending a new one.
enum Schema {
    /// The identifiers, in order, of every migration (read from the migrator, so the list cannot
    /// miss one).
    static var migrationNames: [String] { migrator.migrations }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core") { db in
            try db.execute(sql: """
                CREATE TABLE environment (
                    key TEXT PRIMARY KEY NOT NULL,
                    created_at DATETIME NOT NULL,
                    version INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE flag (
                    key TEXT PRIMARY KEY NOT NULL,
                    definition TEXT NOT NULL,
                    revision INTEGER NOT NULL,
                    archived BOOLEAN NOT NULL DEFAULT 0,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL,
                    updated_by TEXT NOT NULL
                );
                CREATE TABLE cohort (
                    environment TEXT NOT NULL REFERENCES environment(key),
                    key TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    revision INTEGER NOT NULL,
                    updated_at DATETIME NOT NULL,
                    updated_by TEXT NOT NULL,
                    PRIMARY KEY (environment, key)
                );
                CREATE TABLE credential (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('admin', 'sdk')),
                    name TEXT NOT NULL,
                    environment TEXT REFERENCES environment(key),
                    hash TEXT NOT NULL UNIQUE,
                    created_at DATETIME NOT NULL,
                    revoked_at DATETIME
                );
                CREATE TABLE revision (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    entity TEXT NOT NULL CHECK (entity IN ('flag', 'cohort')),
                    key TEXT NOT NULL,
                    environment TEXT NOT NULL DEFAULT '',
                    number INTEGER NOT NULL,
                    content TEXT,
                    actor TEXT NOT NULL,
                    message TEXT,
                    action TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    changed_environments TEXT NOT NULL DEFAULT '[]',
                    definition_changed BOOLEAN NOT NULL DEFAULT 0,
                    created_at DATETIME NOT NULL,
                    UNIQUE (entity, environment, key, number)
                );
                CREATE TRIGGER revision_no_update BEFORE UPDATE ON revision
                BEGIN SELECT RAISE(ABORT, 'revisions are immutable'); END;
                CREATE TRIGGER revision_no_delete BEFORE DELETE ON revision
                BEGIN SELECT RAISE(ABORT, 'revisions are immutable'); END;
                CREATE TABLE audit_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at DATETIME NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    key TEXT NOT NULL,
                    environment TEXT,
                    revision INTEGER,
                    message TEXT
                );
                CREATE INDEX audit_event_at ON audit_event(at);
                CREATE INDEX audit_event_key ON audit_event(entity, key);
                """)
        }
        migrator.registerMigration("v2-usage") { db in
            try db.execute(sql: """
                CREATE TABLE usage (
                    flag TEXT NOT NULL,
                    environment TEXT NOT NULL REFERENCES environment(key),
                    variant TEXT NOT NULL,
                    count INTEGER NOT NULL DEFAULT 0,
                    last_evaluated DATETIME NOT NULL,
                    PRIMARY KEY (flag, environment, variant)
                );
                """)
        }
        // Before usage reports were checked, a report could store a count as REAL (an overflowing
        // sum) and rows for variants a flag does not have. Repair both: saturate REAL counts, and
        // drop rows whose variant the flag (still existing) does not define.
        migrator.registerMigration("v3-usage-repair") { db in
            try db.execute(sql: """
                UPDATE usage SET count = CASE
                    WHEN typeof(count) = 'real' AND count >= 9.2e18 THEN 9223372036854775807
                    WHEN typeof(count) = 'real' AND count > 0 THEN CAST(count AS INTEGER)
                    ELSE 0 END
                WHERE typeof(count) != 'integer' OR count < 0;
                DELETE FROM usage WHERE EXISTS (SELECT 1 FROM flag WHERE flag.key = usage.flag)
                    AND NOT EXISTS (
                        SELECT 1 FROM flag, json_each(flag.definition, '$.variants') AS v
                        WHERE flag.key = usage.flag AND json_extract(v.value, '$.key') = usage.variant);
                """)
        }
        // Members move out of the cohort's JSON definition into rows of their own, so that a
        // membership change writes the members it names instead of the whole cohort.
        // `WITHOUT ROWID`: the primary key is the row, one B-tree for both lookup and storage.
        // `member_count` is kept with each change: counting a million rows per change would cost
        // more than the change.
        migrator.registerMigration("v4-cohort-members") { db in
            try db.execute(sql: """
                CREATE TABLE cohort_member (
                    environment TEXT NOT NULL,
                    cohort TEXT NOT NULL,
                    member TEXT NOT NULL,
                    PRIMARY KEY (environment, cohort, member),
                    FOREIGN KEY (environment, cohort) REFERENCES cohort(environment, key)
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO cohort_member (environment, cohort, member)
                    SELECT cohort.environment, cohort.key, m.value
                    FROM cohort, json_each(cohort.definition, '$.members') AS m
                    WHERE m.type = 'text';
                UPDATE cohort SET definition = json_remove(definition, '$.members');
                ALTER TABLE cohort ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
                UPDATE cohort SET member_count = (
                    SELECT COUNT(*) FROM cohort_member
                    WHERE cohort_member.environment = cohort.environment AND cohort_member.cohort = cohort.key);
                """)
        }
        // Rules get stable ids, so that an instruction written against an older view of a flag
        // still names the right rule. Edited in place with SQLite's JSON functions; revisions
        // (immutable) keep what they recorded.
        migrator.registerMigration("v5-rule-ids") { db in
            let missing = try Row.fetchAll(db, sql: """
                SELECT flag.key AS flag, environment.key AS environment, rule.key AS position
                FROM flag, json_each(flag.definition, '$.environments') AS environment,
                     json_each(environment.value, '$.rules') AS rule
                WHERE json_type(rule.value, '$.id') IS NULL
                ORDER BY flag.key, environment.key, rule.key
                """)
            for row in missing {
                let flag: String = row["flag"], environment: String = row["environment"], position: Int = row["position"]
                let quoted = environment.replacingOccurrences(of: "\"", with: "")
                try db.execute(
                    sql: "UPDATE flag SET definition = json_set(definition, ?, ?) WHERE key = ?",
                    arguments: ["$.environments.\"\(quoted)\".rules[\(position)].id", RuleID.random(), flag])
            }
        }
        // Web console sign-ins. Only SHA-256 hashes of the session id and of its CSRF token are
        // kept, so a copy of the database cannot be used to take over a session.
        migrator.registerMigration("v6-console-sessions") { db in
            try db.execute(sql: """
                CREATE TABLE console_session (
                    hash TEXT PRIMARY KEY NOT NULL,
                    principal TEXT NOT NULL,
                    role TEXT NOT NULL,
                    csrf_hash TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    last_seen DATETIME NOT NULL
                );
                CREATE INDEX console_session_last_seen ON console_session(last_seen);
                """)
        }
        // Guarded releases (FlagStore+Releases.swift): one row per release with its policy and
        // progress as JSON, the usage reported since the runner last looked (added by usage reports
        // in their own transaction: `early_*` while the step settles, before `settled_at` in Unix
        // seconds, `pending_*` after), and one row per transition. Usage also keeps the
        // errors applications attribute to each variant.
        migrator.registerMigration("v7-releases") { db in
            try db.execute(sql: """
                ALTER TABLE usage ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE release (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    flag TEXT NOT NULL,
                    environment TEXT NOT NULL REFERENCES environment(key),
                    variant TEXT NOT NULL,
                    state TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    progress TEXT NOT NULL,
                    expected_state TEXT NOT NULL,
                    reason TEXT,
                    message TEXT,
                    started_by TEXT NOT NULL,
                    started_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL,
                    settled_at DOUBLE NOT NULL DEFAULT 0,
                    pending_new_evaluations INTEGER NOT NULL DEFAULT 0,
                    pending_new_errors INTEGER NOT NULL DEFAULT 0,
                    pending_other_evaluations INTEGER NOT NULL DEFAULT 0,
                    pending_other_errors INTEGER NOT NULL DEFAULT 0,
                    early_new_evaluations INTEGER NOT NULL DEFAULT 0,
                    early_new_errors INTEGER NOT NULL DEFAULT 0,
                    early_other_evaluations INTEGER NOT NULL DEFAULT 0,
                    early_other_errors INTEGER NOT NULL DEFAULT 0
                );
                CREATE UNIQUE INDEX release_active ON release(flag, environment) WHERE state IN ('running', 'paused');
                CREATE INDEX release_by_flag ON release(flag, environment, id);
                CREATE TABLE release_transition (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    release_id INTEGER NOT NULL REFERENCES release(id),
                    kind TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    message TEXT,
                    revision INTEGER,
                    at DATETIME NOT NULL
                );
                CREATE INDEX release_transition_release ON release_transition(release_id, id);
                """)
        }
        // Scheduled changes, webhooks and their outbox. A schedule holds the instructions of one
        // change, applied by the server's scheduler at `due_at`. `webhook_event` is the outbox: a
        // row is written in the same transaction as the change it reports, with one
        // `webhook_delivery` per subscribed webhook, so a crash between commit and sending loses
        // nothing. The webhook's secret is kept as given: it must sign every delivery, so it
        // cannot be a hash; the API never returns it (only `secret_hint`).
        migrator.registerMigration("v8-schedules-webhooks") { db in
            try db.execute(sql: """
                CREATE TABLE schedule (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('flag', 'cohort')),
                    key TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    instructions TEXT NOT NULL,
                    message TEXT,
                    due_at DATETIME NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'failed', 'cancelled')),
                    created_at DATETIME NOT NULL,
                    created_by TEXT NOT NULL,
                    finished_at DATETIME,
                    finished_by TEXT,
                    revision INTEGER,
                    error TEXT,
                    note TEXT
                );
                CREATE INDEX schedule_pending ON schedule(status, due_at);
                CREATE TABLE webhook (
                    id TEXT PRIMARY KEY NOT NULL,
                    url TEXT NOT NULL,
                    events TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    secret_hint TEXT NOT NULL,
                    description TEXT,
                    created_at DATETIME NOT NULL,
                    created_by TEXT NOT NULL
                );
                CREATE TABLE webhook_event (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE webhook_delivery (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    webhook TEXT NOT NULL REFERENCES webhook(id) ON DELETE CASCADE,
                    event TEXT NOT NULL REFERENCES webhook_event(id),
                    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME NOT NULL,
                    created_at DATETIME NOT NULL,
                    finished_at DATETIME
                );
                CREATE INDEX webhook_delivery_due ON webhook_delivery(status, next_attempt_at);
                CREATE INDEX webhook_delivery_webhook ON webhook_delivery(webhook, id);
                CREATE TABLE webhook_attempt (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    delivery INTEGER NOT NULL REFERENCES webhook_delivery(id) ON DELETE CASCADE,
                    at DATETIME NOT NULL,
                    status_code INTEGER,
                    error TEXT,
                    duration_ms INTEGER NOT NULL
                );
                CREATE INDEX webhook_attempt_delivery ON webhook_attempt(delivery);
                """)
        }
        // A lease on each delivery (WebhookStoring.claimDelivery): the dispatcher that claims
        // one sends it; another takes it only once `claimed_until` has passed (its claimer died).
        migrator.registerMigration("v9-delivery-leases") { db in
            try db.execute(sql: """
                ALTER TABLE webhook_delivery ADD COLUMN claimed_by TEXT;
                ALTER TABLE webhook_delivery ADD COLUMN claimed_until DATETIME;
                """)
        }
        // Evaluations per flag, environment and hour (`hour_start`: the hour's start in seconds since
        // 1970), beside the running totals of `usage`: the console's "last day" figures. Rows
        // older than `UsageHours.retention` are deleted as usage is written.
        migrator.registerMigration("v10-usage-hourly") { db in
            try db.execute(sql: """
                CREATE TABLE usage_hourly (
                    flag TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    hour_start INTEGER NOT NULL,
                    count INTEGER NOT NULL DEFAULT 0,
                    rollout INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (flag, environment, hour_start)
                ) WITHOUT ROWID;
                CREATE INDEX usage_hourly_hour ON usage_hourly(hour_start);
                """)
        }
        // What a release replaced (`replaced`: a ReleaseBaseline as JSON, the default and on/off
        // the flag had before it) and the percentage an abort left (`aborted_to`): an abort goes
        // back to the state before the release. Both NULL for releases started before this
        // migration, whose abort goes to 0 % as it always did.
        migrator.registerMigration("v11-release-baseline") { db in
            try db.execute(sql: """
                ALTER TABLE release ADD COLUMN replaced TEXT;
                ALTER TABLE release ADD COLUMN aborted_to DOUBLE;
                """)
        }
        // Webhook secrets sealed at rest (WebhookSecretKey): `secret` holds the sealed secret
        // (AES-GCM, base64) and `secret_key` the id of the key that sealed it; NULL marks a secret
        // still in plain text, which the store seals when it opens with its key.
        migrator.registerMigration("v12-sealed-webhook-secrets") { db in
            try db.execute(sql: "ALTER TABLE webhook ADD COLUMN secret_key TEXT")
        }
        // Which flags require which (`flag` requires `requires` in some environment), written with
        // every flag write: a change finds the flags that require the one it changes by this index
        // instead of reading every flag's definition (at 10,000 flags that scan was most of a change).
        migrator.registerMigration("v13-flag-requires") { db in
            try db.execute(sql: """
                CREATE TABLE flag_requires (
                    requires TEXT NOT NULL,
                    flag TEXT NOT NULL REFERENCES flag(key) ON DELETE CASCADE,
                    PRIMARY KEY (requires, flag)
                ) WITHOUT ROWID;
                CREATE INDEX flag_requires_flag ON flag_requires(flag);
                INSERT OR IGNORE INTO flag_requires (requires, flag)
                    SELECT json_extract(prerequisite.value, '$.flag'), flag.key
                    FROM flag, json_each(flag.definition, '$.environments') AS environment,
                         json_each(environment.value, '$.prerequisites') AS prerequisite
                    WHERE flag.definition LIKE '%"prerequisites":%'
                      AND json_extract(prerequisite.value, '$.flag') IS NOT NULL;
                """)
        }
        // The release guard's reporters (`ReporterGuard`): the usage each reporter (an SDK
        // instance, `<key id>/<instance>`, or a key) sent a running release since the runner
        // last took it, `early_*` and `pending_*` as on the release row, and `excess_errors`,
        // errors-only claims beyond what the server served the key (dropped, kept to alert). Rows
        // are zeroed when taken, not deleted: they also count the reporters a release tracks.
        // `sdk_key_served`: the SDK keys that have fetched the flags, opened a stream or been
        // served an OFREP evaluation (a key that served nothing cannot have evaluated a flag).
        migrator.registerMigration("v14-release-reporters") { db in
            try db.execute(sql: """
                CREATE TABLE release_reporter (
                    release_id INTEGER NOT NULL REFERENCES release(id),
                    reporter TEXT NOT NULL,
                    pending_new_evaluations INTEGER NOT NULL DEFAULT 0,
                    pending_new_errors INTEGER NOT NULL DEFAULT 0,
                    pending_other_evaluations INTEGER NOT NULL DEFAULT 0,
                    pending_other_errors INTEGER NOT NULL DEFAULT 0,
                    early_new_evaluations INTEGER NOT NULL DEFAULT 0,
                    early_new_errors INTEGER NOT NULL DEFAULT 0,
                    early_other_evaluations INTEGER NOT NULL DEFAULT 0,
                    early_other_errors INTEGER NOT NULL DEFAULT 0,
                    excess_errors INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (release_id, reporter)
                ) WITHOUT ROWID;
                CREATE TABLE sdk_key_served (
                    key_id TEXT PRIMARY KEY NOT NULL,
                    first_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // People, their invites and tokens (issue 25). `person.email_key` is the email in lower
        // case, unique among people not removed (a removed person's row stays, so that what
        // they did keeps naming them, and their email may be added again). `generation` grows
        // when their rights drop or they are removed: sessions opened before then end. Tokens
        // replace admin credentials: each becomes a service token with role owner, under the
        // same id and hash, so that the bootstrap token keeps working. `schedule.author` names
        // the credential a scheduled change acts for (``ChangeAuthor``), checked when it applies.
        // A console session is bound to what opened it: the person (`person_id`, also for a
        // personal token's session) and the token (`token_hash`, its SHA-256 as `token.hash`),
        // and ends with them; sessions of earlier builds were bound to nothing and end here.
        migrator.registerMigration("v15-people") { db in
            try db.execute(sql: """
                CREATE TABLE person (
                    id TEXT PRIMARY KEY NOT NULL,
                    email TEXT NOT NULL,
                    email_key TEXT NOT NULL,
                    name TEXT,
                    role TEXT NOT NULL CHECK (role IN ('viewer', 'responder', 'editor', 'owner')),
                    environments TEXT NOT NULL DEFAULT '',
                    password_hash TEXT,
                    generation INTEGER NOT NULL DEFAULT 1,
                    created_at DATETIME NOT NULL,
                    removed_at DATETIME
                );
                CREATE UNIQUE INDEX person_email ON person(email_key) WHERE removed_at IS NULL;
                CREATE TABLE invite (
                    hash TEXT PRIMARY KEY NOT NULL,
                    person_id TEXT NOT NULL REFERENCES person(id),
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL,
                    used_at DATETIME
                );
                CREATE TABLE token (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('personal', 'service')),
                    name TEXT NOT NULL,
                    person_id TEXT REFERENCES person(id),
                    role TEXT CHECK (role IS NULL OR role IN ('viewer', 'responder', 'editor', 'owner')),
                    environments TEXT NOT NULL DEFAULT '',
                    hash TEXT NOT NULL UNIQUE,
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME,
                    revoked_at DATETIME
                );
                CREATE INDEX token_person ON token(person_id);
                INSERT INTO token (id, kind, name, person_id, role, environments, hash, created_at, expires_at, revoked_at)
                    SELECT id, 'service', name, NULL, 'owner', '', hash, created_at, NULL, revoked_at
                    FROM credential WHERE kind = 'admin';
                DELETE FROM credential WHERE kind = 'admin';
                ALTER TABLE schedule ADD COLUMN author TEXT;
                ALTER TABLE console_session ADD COLUMN person_id TEXT;
                ALTER TABLE console_session ADD COLUMN token_hash TEXT;
                CREATE INDEX console_session_person ON console_session(person_id);
                CREATE INDEX console_session_token ON console_session(token_hash);
                DELETE FROM console_session;
                """)
        }
        // Two kinds of SDK key (issue 28): `server` keys are secret and read the whole environment
        // (snapshot and stream); `client` keys are public, for apps on devices, and read only their
        // own context's answers. Every key made before is a server key.
        migrator.registerMigration("v16-key-kinds") { db in
            try db.execute(sql: """
                ALTER TABLE credential ADD COLUMN key_kind TEXT NOT NULL DEFAULT 'server' CHECK (key_kind IN ('server', 'client'));
                """)
        }
        // The flag lifecycle (issue 29). `flag_state_change`: when each flag's state in each
        // environment last changed, written with every flag write — how long a flag has served
        // one variant to everyone is read from it (the stage itself is computed, never stored);
        // filled from the revisions written so far. `stale_notice`: the flags the daily
        // `flag.stale` event has named while they stay stale, so each is named once when it
        // becomes stale. The kind and owner live in the flag's definition.
        migrator.registerMigration("v17-lifecycle") { db in
            try db.execute(sql: """
                CREATE TABLE flag_state_change (
                    flag TEXT NOT NULL REFERENCES flag(key) ON DELETE CASCADE,
                    environment TEXT NOT NULL,
                    changed_at DATETIME NOT NULL,
                    PRIMARY KEY (flag, environment)
                ) WITHOUT ROWID;
                INSERT OR REPLACE INTO flag_state_change (flag, environment, changed_at)
                    SELECT revision.key, changed.value, MAX(revision.created_at)
                    FROM revision, json_each(revision.changed_environments) AS changed
                    WHERE revision.entity = 'flag' AND revision.environment = ''
                      AND revision.key IN (SELECT key FROM flag)
                    GROUP BY revision.key, changed.value;
                CREATE TABLE stale_notice (
                    flag TEXT PRIMARY KEY NOT NULL,
                    noticed_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // Code references (`clutch refs scan --upload`): the latest scan of each repository and
        // branch (`code_scan`), the references it found (`code_ref`, replaced with each scan of the
        // branch), and the branches whose scans referenced a flag and whose latest one does not
        // (`code_ref_removal`, until a scan references it again). Flag keys are not foreign keys:
        // a deleted flag's references stay what the code says.
        migrator.registerMigration("v18-code-refs") { db in
            try db.execute(sql: """
                CREATE TABLE code_scan (
                    repo TEXT NOT NULL,
                    branch TEXT NOT NULL,
                    commit_sha TEXT NOT NULL,
                    scanned_at DATETIME NOT NULL,
                    reference_count INTEGER NOT NULL,
                    PRIMARY KEY (repo, branch)
                ) WITHOUT ROWID;
                CREATE TABLE code_ref (
                    repo TEXT NOT NULL,
                    branch TEXT NOT NULL,
                    flag TEXT NOT NULL,
                    path TEXT NOT NULL,
                    line INTEGER NOT NULL,
                    context TEXT NOT NULL,
                    alias TEXT,
                    PRIMARY KEY (repo, branch, flag, path, line),
                    FOREIGN KEY (repo, branch) REFERENCES code_scan(repo, branch) ON DELETE CASCADE
                ) WITHOUT ROWID;
                CREATE INDEX code_ref_flag ON code_ref(flag);
                CREATE TABLE code_ref_removal (
                    flag TEXT NOT NULL,
                    repo TEXT NOT NULL,
                    branch TEXT NOT NULL,
                    commit_sha TEXT NOT NULL,
                    removed_at DATETIME NOT NULL,
                    PRIMARY KEY (flag, repo, branch)
                ) WITHOUT ROWID;
                """)
        }
        // A release acts with its author's rights (issue 25): `author` is the credential it acts
        // for (``ChangeAuthor``; the one who started it, then whoever resumed it) and
        // `author_name` how revisions name them (`clutch-guard for alice@example.com`); the
        // runner checks the author with the policy before each step. Releases started before
        // have none: the server acts for them, as it did.
        migrator.registerMigration("v19-release-author") { db in
            try db.execute(sql: """
                ALTER TABLE release ADD COLUMN author TEXT;
                ALTER TABLE release ADD COLUMN author_name TEXT;
                """)
        }
        // Protected environments and change requests (issue 26): an environment's protection
        // (`required_approvals` 0: unprotected), each request pinned to the flag's revision and
        // the diff its reviewers approve, and every review (an edit withdraws them).
        migrator.registerMigration("v20-change-requests") { db in
            try db.execute(sql: """
                ALTER TABLE environment ADD COLUMN required_approvals INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE environment ADD COLUMN allow_self_approval BOOLEAN NOT NULL DEFAULT 0;
                CREATE TABLE change_request (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    flag TEXT NOT NULL,
                    environment TEXT NOT NULL REFERENCES environment(key),
                    instructions TEXT NOT NULL,
                    message TEXT,
                    due_at DATETIME,
                    status TEXT NOT NULL,
                    reason TEXT,
                    base_revision INTEGER NOT NULL,
                    diff TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    created_by TEXT NOT NULL,
                    author TEXT,
                    author_identity TEXT NOT NULL,
                    updated_at DATETIME NOT NULL,
                    applied_revision INTEGER
                );
                CREATE INDEX change_request_flag ON change_request(flag, status);
                CREATE TABLE change_request_review (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    request_id INTEGER NOT NULL REFERENCES change_request(id) ON DELETE CASCADE,
                    reviewer TEXT NOT NULL,
                    reviewer_identity TEXT NOT NULL,
                    verdict TEXT NOT NULL,
                    comment TEXT,
                    at DATETIME NOT NULL,
                    withdrawn BOOLEAN NOT NULL DEFAULT 0
                );
                CREATE INDEX change_request_review_request ON change_request_review(request_id);
                """)
        }
        // Blocks (issue 26): anyone's stop on a flag in an environment (`flag` set) or on a whole
        // environment (`flag` NULL), until `ends_at` (NULL: until lifted). `blocker` is who may
        // lift it besides an owner (`person:<id>`, `token:<id>`).
        migrator.registerMigration("v21-blocks") { db in
            try db.execute(sql: """
                CREATE TABLE block (
                    id TEXT PRIMARY KEY,
                    environment TEXT NOT NULL REFERENCES environment(key),
                    flag TEXT,
                    reason TEXT NOT NULL,
                    ends_at DATETIME,
                    created_by TEXT NOT NULL,
                    blocker TEXT NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE INDEX block_environment ON block(environment, flag);
                """)
        }
        // The attribute names (and kinds of value) each environment's evaluation contexts have
        // carried (issue 27): written in batches from what the servers saw, never per request;
        // read to suggest names and to warn on a change naming one never seen. Names only, never values.
        migrator.registerMigration("v22-seen-attributes") { db in
            try db.execute(sql: """
                CREATE TABLE seen_attribute (
                    environment TEXT NOT NULL REFERENCES environment(key),
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('string', 'number', 'bool', 'list', 'object')),
                    first_seen DATETIME NOT NULL,
                    last_seen DATETIME NOT NULL,
                    PRIMARY KEY (environment, name, kind)
                ) WITHOUT ROWID;
                """)
        }
        // Evaluations per flag, environment, variant and hour (issue 27), beside `usage_hourly`
        // (which has no variant): the usage chart per variant over the last day and week. Written
        // in the same transaction as `usage_hourly`; rows older than `UsageHours.variantRetention`
        // (8 days) are deleted as usage is written.
        migrator.registerMigration("v23-usage-variants") { db in
            try db.execute(sql: """
                CREATE TABLE usage_variant_hourly (
                    flag TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    hour_start INTEGER NOT NULL,
                    variant TEXT NOT NULL,
                    count INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (flag, environment, hour_start, variant)
                ) WITHOUT ROWID;
                CREATE INDEX usage_variant_hourly_hour ON usage_variant_hourly(hour_start);
                """)
        }
        // Cohort change requests (issue 26): a request names a cohort (`cohort`, `flag` empty)
        // and the member instructions it applies (`member_instructions`, `instructions` `[]`),
        // pinned like a flag's to the cohort's revision and the members it adds and removes.
        migrator.registerMigration("v25-cohort-requests") { db in
            try db.execute(sql: """
                ALTER TABLE change_request ADD COLUMN cohort TEXT;
                ALTER TABLE change_request ADD COLUMN member_instructions TEXT;
                """)
        }
        return migrator
    }
}
