import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema as numbered migrations, recorded in `clutch_schema`. A released
/// migration is never edited: change the schema by appending one.
///
/// Migrations follow expand/contract, so that replicas of the previous release keep running
/// beside a migrated database during a rolling upgrade: a migration only adds (tables, nullable
/// or defaulted columns, indexes); what the previous release still reads is dropped only in a
/// later release, once no replica of that release can be running. Each migration records the
/// oldest server schema version that still works against it (`compatible_from`): a server
/// refuses to start against a database whose schema is newer than it knows unless the database
/// says the server's version is still compatible.
enum PostgresSchema {
    struct Migration: Sendable {
        var version: Int
        var name: String
        /// The oldest schema version whose servers still work once this migration has run.
        var compatibleFrom: Int
        var statements: [String]
    }

    /// The advisory lock migrations run under: replicas starting together migrate once, one
    /// after the other, and the later ones find nothing to do.
    static let migrationLock: Int64 = 0x436C_7574_6368_4D31  // "ClutchM1"

    static let migrations: [Migration] = [
        Migration(version: 1, name: "v1-core", compatibleFrom: 1, statements: [
            """
            CREATE TABLE environment (
                key TEXT PRIMARY KEY,
                created_at TIMESTAMPTZ NOT NULL,
                version BIGINT NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE flag (
                key TEXT PRIMARY KEY,
                definition TEXT NOT NULL,
                revision BIGINT NOT NULL,
                archived BOOLEAN NOT NULL DEFAULT FALSE,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                updated_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE cohort (
                environment TEXT NOT NULL REFERENCES environment(key),
                key TEXT NOT NULL,
                definition TEXT NOT NULL,
                revision BIGINT NOT NULL,
                member_count BIGINT NOT NULL DEFAULT 0,
                updated_at TIMESTAMPTZ NOT NULL,
                updated_by TEXT NOT NULL,
                PRIMARY KEY (environment, key)
            )
            """,
            """
            CREATE TABLE cohort_member (
                environment TEXT NOT NULL,
                cohort TEXT NOT NULL,
                member TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (environment, cohort, member),
                FOREIGN KEY (environment, cohort) REFERENCES cohort(environment, key)
            )
            """,
            """
            CREATE TABLE credential (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('admin', 'sdk')),
                name TEXT NOT NULL,
                environment TEXT REFERENCES environment(key),
                hash TEXT NOT NULL UNIQUE,
                created_at TIMESTAMPTZ NOT NULL,
                revoked_at TIMESTAMPTZ
            )
            """,
            """
            CREATE TABLE revision (
                id BIGSERIAL PRIMARY KEY,
                entity TEXT NOT NULL CHECK (entity IN ('flag', 'cohort')),
                key TEXT NOT NULL,
                environment TEXT NOT NULL DEFAULT '',
                number BIGINT NOT NULL,
                content TEXT,
                actor TEXT NOT NULL,
                message TEXT,
                action TEXT NOT NULL,
                summary TEXT NOT NULL,
                changed_environments TEXT NOT NULL DEFAULT '[]',
                definition_changed BOOLEAN NOT NULL DEFAULT FALSE,
                created_at TIMESTAMPTZ NOT NULL,
                UNIQUE (entity, environment, key, number)
            )
            """,
            // Revisions are history: the database itself refuses to edit or delete one.
            """
            CREATE FUNCTION clutch_revision_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'revisions are immutable'; END $$
            """,
            """
            CREATE TRIGGER revision_immutable BEFORE UPDATE OR DELETE ON revision
            FOR EACH ROW EXECUTE FUNCTION clutch_revision_immutable()
            """,
            """
            CREATE TABLE audit_event (
                id BIGSERIAL PRIMARY KEY,
                at TIMESTAMPTZ NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                entity TEXT NOT NULL,
                key TEXT NOT NULL,
                environment TEXT,
                revision BIGINT,
                message TEXT
            )
            """,
            "CREATE INDEX audit_event_at ON audit_event(at)",
            "CREATE INDEX audit_event_key ON audit_event(entity, key)",
            """
            CREATE TABLE usage (
                flag TEXT NOT NULL,
                environment TEXT NOT NULL REFERENCES environment(key),
                variant TEXT NOT NULL,
                count BIGINT NOT NULL DEFAULT 0,
                last_evaluated TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (flag, environment, variant)
            )
            """,
            """
            CREATE TABLE console_session (
                hash TEXT PRIMARY KEY,
                principal TEXT NOT NULL,
                role TEXT NOT NULL,
                csrf_hash TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                last_seen TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX console_session_last_seen ON console_session(last_seen)",
        ]),
        // Guarded releases, scheduled changes, webhooks and their outbox (SQLite's v7-releases and
        // v8-schedules-webhooks, plus the delivery lease of v9-delivery-leases). Only adds: a
        // replica of schema 1 keeps working beside it (it neither reads nor writes these tables;
        // changes made through it during the upgrade are not reported to webhooks).
        //
        // Several replicas share these rows, so each kind of work is taken by one of them: a
        // schedule by the conditional `UPDATE … WHERE status = 'pending'` that applies it, a
        // release step under the write lock with the release row locked (`FOR UPDATE`), a
        // delivery by a lease (`claimed_by`, `claimed_until`) taken with `FOR UPDATE SKIP LOCKED`.
        Migration(version: 2, name: "v2-automation", compatibleFrom: 1, statements: [
            "ALTER TABLE usage ADD COLUMN errors BIGINT NOT NULL DEFAULT 0",
            """
            CREATE TABLE release (
                id BIGSERIAL PRIMARY KEY,
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
                started_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                settled_at DOUBLE PRECISION NOT NULL DEFAULT 0,
                pending_new_evaluations BIGINT NOT NULL DEFAULT 0,
                pending_new_errors BIGINT NOT NULL DEFAULT 0,
                pending_other_evaluations BIGINT NOT NULL DEFAULT 0,
                pending_other_errors BIGINT NOT NULL DEFAULT 0,
                early_new_evaluations BIGINT NOT NULL DEFAULT 0,
                early_new_errors BIGINT NOT NULL DEFAULT 0,
                early_other_evaluations BIGINT NOT NULL DEFAULT 0,
                early_other_errors BIGINT NOT NULL DEFAULT 0
            )
            """,
            "CREATE UNIQUE INDEX release_active ON release(flag, environment) WHERE state IN ('running', 'paused')",
            "CREATE INDEX release_by_flag ON release(flag, environment, id)",
            """
            CREATE TABLE release_transition (
                id BIGSERIAL PRIMARY KEY,
                release_id BIGINT NOT NULL REFERENCES release(id),
                kind TEXT NOT NULL,
                actor TEXT NOT NULL,
                message TEXT,
                revision BIGINT,
                at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX release_transition_release ON release_transition(release_id, id)",
            """
            CREATE TABLE schedule (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('flag', 'cohort')),
                key TEXT NOT NULL,
                environment TEXT NOT NULL,
                instructions TEXT NOT NULL,
                message TEXT,
                due_at TIMESTAMPTZ NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'failed', 'cancelled')),
                created_at TIMESTAMPTZ NOT NULL,
                created_by TEXT NOT NULL,
                finished_at TIMESTAMPTZ,
                finished_by TEXT,
                revision BIGINT,
                error TEXT,
                note TEXT
            )
            """,
            "CREATE INDEX schedule_pending ON schedule(status, due_at)",
            """
            CREATE TABLE webhook (
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                events TEXT NOT NULL,
                secret TEXT NOT NULL,
                secret_hint TEXT NOT NULL,
                description TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE webhook_event (
                id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE webhook_delivery (
                id BIGSERIAL PRIMARY KEY,
                webhook TEXT NOT NULL REFERENCES webhook(id) ON DELETE CASCADE,
                event TEXT NOT NULL REFERENCES webhook_event(id),
                status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TIMESTAMPTZ NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                finished_at TIMESTAMPTZ,
                claimed_by TEXT,
                claimed_until TIMESTAMPTZ
            )
            """,
            "CREATE INDEX webhook_delivery_due ON webhook_delivery(status, next_attempt_at)",
            "CREATE INDEX webhook_delivery_webhook ON webhook_delivery(webhook, id)",
            """
            CREATE TABLE webhook_attempt (
                id BIGSERIAL PRIMARY KEY,
                delivery BIGINT NOT NULL REFERENCES webhook_delivery(id) ON DELETE CASCADE,
                at TIMESTAMPTZ NOT NULL,
                status_code INTEGER,
                error TEXT,
                duration_ms BIGINT NOT NULL
            )
            """,
            "CREATE INDEX webhook_attempt_delivery ON webhook_attempt(delivery)",
        ]),
        // Evaluations per flag, environment and hour (`hour_start`: the hour's start in seconds
        // since 1970), beside the running totals of `usage`: the console's "last day" figures.
        // Rows older than `UsageHours.retention` are deleted as usage is written. Only adds a
        // table: servers of earlier schemas keep working.
        Migration(version: 3, name: "v3-usage-hourly", compatibleFrom: 1, statements: [
            """
            CREATE TABLE usage_hourly (
                flag TEXT NOT NULL,
                environment TEXT NOT NULL,
                hour_start BIGINT NOT NULL,
                count BIGINT NOT NULL DEFAULT 0,
                rollout BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (flag, environment, hour_start)
            )
            """,
            "CREATE INDEX usage_hourly_hour ON usage_hourly(hour_start)",
        ]),
        // What a release replaced and the percentage an abort left (SQLite's v11-release-baseline).
        // Only adds nullable columns: servers of earlier schemas keep working (they neither write
        // nor read them, and their abort goes to 0 % as it did).
        Migration(version: 4, name: "v4-release-baseline", compatibleFrom: 1, statements: [
            "ALTER TABLE release ADD COLUMN replaced TEXT",
            "ALTER TABLE release ADD COLUMN aborted_to DOUBLE PRECISION",
        ]),
        // Webhook secrets sealed at rest (SQLite's v12-sealed-webhook-secrets): `secret` holds the
        // sealed secret and `secret_key` the id of the key that sealed it (NULL: plain text, sealed
        // by the first server of this schema to open the database). A server of an earlier schema
        // would sign with the sealed text, so it may not start beside it; one still running during
        // the upgrade sends deliveries whose signature the receiver refuses, and those are retried
        // until a replica of this schema sends them.
        Migration(version: 5, name: "v5-sealed-webhook-secrets", compatibleFrom: 5, statements: [
            "ALTER TABLE webhook ADD COLUMN secret_key TEXT",
        ]),
        // Which flags require which (SQLite's v13-flag-requires), written with every flag write: a
        // change finds the flags that require the one it changes by this index instead of reading
        // every definition. A server of an earlier schema would not keep it, so it may not run beside.
        Migration(version: 6, name: "v6-flag-requires", compatibleFrom: 6, statements: [
            """
            CREATE TABLE flag_requires (
                requires TEXT NOT NULL,
                flag TEXT NOT NULL REFERENCES flag(key) ON DELETE CASCADE,
                PRIMARY KEY (requires, flag)
            )
            """,
            "CREATE INDEX flag_requires_flag ON flag_requires(flag)",
            """
            INSERT INTO flag_requires (requires, flag)
            SELECT DISTINCT prerequisite ->> 'flag', flag.key
            FROM flag, jsonb_each(flag.definition::jsonb -> 'environments') AS environment(key, state),
                 jsonb_array_elements(COALESCE(environment.state -> 'prerequisites', '[]'::jsonb)) AS prerequisite
            WHERE flag.definition LIKE '%"prerequisites":%' AND prerequisite ->> 'flag' IS NOT NULL
            """,
        ]),
        // The release guard's reporters (see the SQLite migration `v14-release-reporters`): the
        // usage each reporter sent a running release since the runner last took it (rows are
        // zeroed, not deleted, so they also count the reporters a release tracks), and the SDK
        // keys that have served something. Only adds tables: servers of schema 6 keep writing the release
        // row's `pending_*` columns, which the runner still takes (as `(unnamed)`); earlier ones
        // may not run beside v6 anyway.
        Migration(version: 7, name: "v7-release-reporters", compatibleFrom: 6, statements: [
            """
            CREATE TABLE release_reporter (
                release_id BIGINT NOT NULL REFERENCES release(id),
                reporter TEXT NOT NULL,
                pending_new_evaluations BIGINT NOT NULL DEFAULT 0,
                pending_new_errors BIGINT NOT NULL DEFAULT 0,
                pending_other_evaluations BIGINT NOT NULL DEFAULT 0,
                pending_other_errors BIGINT NOT NULL DEFAULT 0,
                early_new_evaluations BIGINT NOT NULL DEFAULT 0,
                early_new_errors BIGINT NOT NULL DEFAULT 0,
                early_other_evaluations BIGINT NOT NULL DEFAULT 0,
                early_other_errors BIGINT NOT NULL DEFAULT 0,
                excess_errors BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (release_id, reporter)
            )
            """,
            """
            CREATE TABLE sdk_key_served (
                key_id TEXT PRIMARY KEY,
                first_at TIMESTAMPTZ NOT NULL
            )
            """,
        ]),
        // People, their invites and tokens (see the SQLite migration `v15-people`). Admin
        // credentials move to `token` as service tokens with role owner: a server of an earlier
        // schema would no longer find them, and would let any token do anything, so none may
        // run beside this one.
        // Console sessions are bound to the person and token that opened them (as on SQLite).
        Migration(version: 8, name: "v8-people", compatibleFrom: 8, statements: [
            """
            CREATE TABLE person (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL,
                name TEXT,
                role TEXT NOT NULL CHECK (role IN ('viewer', 'responder', 'editor', 'owner')),
                environments TEXT NOT NULL DEFAULT '',
                password_hash TEXT,
                generation BIGINT NOT NULL DEFAULT 1,
                created_at TIMESTAMPTZ NOT NULL,
                removed_at TIMESTAMPTZ
            )
            """,
            "CREATE UNIQUE INDEX person_email ON person(email_key) WHERE removed_at IS NULL",
            """
            CREATE TABLE invite (
                hash TEXT PRIMARY KEY,
                person_id TEXT NOT NULL REFERENCES person(id),
                created_at TIMESTAMPTZ NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL,
                used_at TIMESTAMPTZ
            )
            """,
            """
            CREATE TABLE token (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('personal', 'service')),
                name TEXT NOT NULL,
                person_id TEXT REFERENCES person(id),
                role TEXT CHECK (role IS NULL OR role IN ('viewer', 'responder', 'editor', 'owner')),
                environments TEXT NOT NULL DEFAULT '',
                hash TEXT NOT NULL UNIQUE,
                created_at TIMESTAMPTZ NOT NULL,
                expires_at TIMESTAMPTZ,
                revoked_at TIMESTAMPTZ
            )
            """,
            "CREATE INDEX token_person ON token(person_id)",
            """
            INSERT INTO token (id, kind, name, person_id, role, environments, hash, created_at, expires_at, revoked_at)
            SELECT id, 'service', name, NULL, 'owner', '', hash, created_at, NULL, revoked_at
            FROM credential WHERE kind = 'admin'
            """,
            "DELETE FROM credential WHERE kind = 'admin'",
            "ALTER TABLE schedule ADD COLUMN author TEXT",
            "ALTER TABLE console_session ADD COLUMN person_id TEXT",
            "ALTER TABLE console_session ADD COLUMN token_hash TEXT",
            "CREATE INDEX console_session_person ON console_session(person_id)",
            "CREATE INDEX console_session_token ON console_session(token_hash)",
            "DELETE FROM console_session",
        ]),
        // Two kinds of SDK key (SQLite's v16-key-kinds): every key made before is a `server` key.
        // A server of an earlier schema would let a public `client` key download the whole
        // environment, so it may not run beside it.
        Migration(version: 9, name: "v9-key-kinds", compatibleFrom: 9, statements: [
            "ALTER TABLE credential ADD COLUMN key_kind TEXT NOT NULL DEFAULT 'server' CHECK (key_kind IN ('server', 'client'))",
        ]),
        // The flag lifecycle (see the SQLite migration `v17-lifecycle`): when each flag's state in
        // each environment last changed, and the flags the daily `flag.stale` event has named. A
        // server of an earlier schema would neither keep `flag_state_change` nor the kind and
        // owner in the definitions it writes, so it may not run beside.
        Migration(version: 10, name: "v10-lifecycle", compatibleFrom: 10, statements: [
            """
            CREATE TABLE flag_state_change (
                flag TEXT NOT NULL REFERENCES flag(key) ON DELETE CASCADE,
                environment TEXT NOT NULL,
                changed_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (flag, environment)
            )
            """,
            """
            INSERT INTO flag_state_change (flag, environment, changed_at)
            SELECT revision.key, changed.value, MAX(revision.created_at)
            FROM revision, jsonb_array_elements_text(revision.changed_environments::jsonb) AS changed(value)
            WHERE revision.entity = 'flag' AND revision.environment = ''
              AND revision.key IN (SELECT key FROM flag)
            GROUP BY revision.key, changed.value
            """,
            """
            CREATE TABLE stale_notice (
                flag TEXT PRIMARY KEY,
                noticed_at TIMESTAMPTZ NOT NULL
            )
            """,
        ]),
        // Code references (see the SQLite migration `v18-code-refs`): the latest scan of each
        // repository and branch, its references, and the branches that referenced a flag no more.
        // Only adds tables no older server reads: servers of earlier schemas keep working beside it.
        Migration(version: 11, name: "v11-code-refs", compatibleFrom: 6, statements: [
            """
            CREATE TABLE code_scan (
                repo TEXT NOT NULL,
                branch TEXT NOT NULL,
                commit_sha TEXT NOT NULL,
                scanned_at TIMESTAMPTZ NOT NULL,
                reference_count BIGINT NOT NULL,
                PRIMARY KEY (repo, branch)
            )
            """,
            """
            CREATE TABLE code_ref (
                repo TEXT NOT NULL,
                branch TEXT NOT NULL,
                flag TEXT NOT NULL,
                path TEXT NOT NULL,
                line BIGINT NOT NULL,
                context TEXT NOT NULL,
                alias TEXT,
                PRIMARY KEY (repo, branch, flag, path, line),
                FOREIGN KEY (repo, branch) REFERENCES code_scan(repo, branch) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX code_ref_flag ON code_ref(flag)",
            """
            CREATE TABLE code_ref_removal (
                flag TEXT NOT NULL,
                repo TEXT NOT NULL,
                branch TEXT NOT NULL,
                commit_sha TEXT NOT NULL,
                removed_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (flag, repo, branch)
            )
            """,
        ]),
        // The credential a release acts for and its name (see the SQLite migration
        // `v19-release-author`). A server of an earlier schema would widen a release without
        // asking whether its author still may, so it may not run beside it.
        Migration(version: 12, name: "v12-release-author", compatibleFrom: 12, statements: [
            "ALTER TABLE release ADD COLUMN author TEXT",
            "ALTER TABLE release ADD COLUMN author_name TEXT",
        ]),
        // Protected environments and change requests (see the SQLite migration
        // `v20-change-requests`). Adds defaulted columns and tables no older server reads.
        Migration(version: 13, name: "v13-change-requests", compatibleFrom: 6, statements: [
            "ALTER TABLE environment ADD COLUMN required_approvals BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE environment ADD COLUMN allow_self_approval BOOLEAN NOT NULL DEFAULT FALSE",
            """
            CREATE TABLE change_request (
                id BIGSERIAL PRIMARY KEY,
                flag TEXT NOT NULL,
                environment TEXT NOT NULL REFERENCES environment(key),
                instructions TEXT NOT NULL,
                message TEXT,
                due_at TIMESTAMPTZ,
                status TEXT NOT NULL,
                reason TEXT,
                base_revision BIGINT NOT NULL,
                diff TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                created_by TEXT NOT NULL,
                author TEXT,
                author_identity TEXT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                applied_revision BIGINT
            )
            """,
            "CREATE INDEX change_request_flag ON change_request(flag, status)",
            """
            CREATE TABLE change_request_review (
                id BIGSERIAL PRIMARY KEY,
                request_id BIGINT NOT NULL REFERENCES change_request(id) ON DELETE CASCADE,
                reviewer TEXT NOT NULL,
                reviewer_identity TEXT NOT NULL,
                verdict TEXT NOT NULL,
                comment TEXT,
                at TIMESTAMPTZ NOT NULL,
                withdrawn BOOLEAN NOT NULL DEFAULT FALSE
            )
            """,
            "CREATE INDEX change_request_review_request ON change_request_review(request_id)",
        ]),
        // Blocks (see the SQLite migration `v21-blocks`). Only adds a table no older server
        // reads: servers of earlier schemas keep working beside it (without honouring blocks).
        Migration(version: 14, name: "v14-blocks", compatibleFrom: 6, statements: [
            """
            CREATE TABLE block (
                id TEXT PRIMARY KEY,
                environment TEXT NOT NULL REFERENCES environment(key),
                flag TEXT,
                reason TEXT NOT NULL,
                ends_at TIMESTAMPTZ,
                created_by TEXT NOT NULL,
                blocker TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX block_environment ON block(environment, flag)",
        ]),
        // The attribute names each environment's contexts have carried (issue 27), as on SQLite.
        // Only adds a table no older server reads: servers of earlier schemas keep working beside it.
        Migration(version: 15, name: "v15-seen-attributes", compatibleFrom: 6, statements: [
            """
            CREATE TABLE seen_attribute (
                environment TEXT NOT NULL REFERENCES environment(key),
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('string', 'number', 'bool', 'list', 'object')),
                first_seen TIMESTAMPTZ NOT NULL,
                last_seen TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (environment, name, kind)
            )
            """,
        ]),
        // Evaluations per flag, environment, variant and hour (SQLite's v23-usage-variants): the
        // usage chart per variant over the last day and week. Only adds a table: servers of
        // earlier schemas keep working (they write `usage_hourly` alone).
        Migration(version: 16, name: "v16-usage-variants", compatibleFrom: 6, statements: [
            """
            CREATE TABLE usage_variant_hourly (
                flag TEXT NOT NULL,
                environment TEXT NOT NULL,
                hour_start BIGINT NOT NULL,
                variant TEXT NOT NULL,
                count BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (flag, environment, hour_start, variant)
            )
            """,
            "CREATE INDEX usage_variant_hourly_hour ON usage_variant_hourly(hour_start)",
        ]),
        // Cohort change requests (see the SQLite migration `v25-cohort-requests`). Adds nullable
        // columns: an older server reads a cohort request as one of the flag '', whose apply it
        // refuses (no such flag) without changing anything.
        Migration(version: 18, name: "v18-cohort-requests", compatibleFrom: 6, statements: [
            "ALTER TABLE change_request ADD COLUMN cohort TEXT",
            "ALTER TABLE change_request ADD COLUMN member_instructions TEXT",
        ]),
    ]

    /// The oldest schema whose servers still work on a database migrated through `version`: the
    /// latest of every migration's ``Migration/compatibleFrom`` up to it, since only the newest
    /// row is read. A migration that only adds something an older server may ignore cannot lower
    /// what an earlier migration required.
    static func compatibleFrom(through version: Int) -> Int {
        migrations.filter { $0.version <= version }.map(\.compatibleFrom).max() ?? 0
    }

    /// The newest schema version this build knows.
    static var latest: Int { migrations.last?.version ?? 0 }

    /// What ``migrate(_:dryRun:logger:)`` found and did.
    struct Outcome: Sendable, Hashable {
        /// The schema version before.
        var from: Int
        /// The names of the migrations run (or, in a dry run, that would run), in order.
        var pending: [String]
        /// The schema version after (the same as `from` in a dry run).
        var to: Int
    }

    /// Brings the database to ``latest`` under the migration lock, each migration in its own
    /// transaction together with its row in `clutch_schema`. Refuses (``PostgresStoreError``) a
    /// database whose schema is newer than this build knows and not marked compatible with it.
    static func migrate(_ connection: PostgresConnection, dryRun: Bool, logger: Logger) async throws -> Outcome {
        try await connection.query("SELECT pg_advisory_lock(\(migrationLock))", logger: logger)
        do {
            let outcome = try await migrateLocked(connection, dryRun: dryRun, logger: logger)
            try await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
            return outcome
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
            throw error
        }
    }

    private static func migrateLocked(_ connection: PostgresConnection, dryRun: Bool, logger: Logger) async throws -> Outcome {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS clutch_schema (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                compatible_from INTEGER NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var current = 0
        var compatibleFrom = 0
        for try await row in try await connection.query(
            "SELECT version::BIGINT, compatible_from::BIGINT FROM clutch_schema ORDER BY version DESC LIMIT 1", logger: logger
        ) {
            let columns = row.makeRandomAccess()
            current = try columns[0].decode(Int.self)
            compatibleFrom = try columns[1].decode(Int.self)
        }
        if current > latest {
            guard compatibleFrom <= latest else {
                throw PostgresStoreError(
                    "the database's schema is version \(current), newer than this clutch knows (\(latest)) and not compatible with it "
                        + "(it needs a server of schema \(compatibleFrom) or later): upgrade clutch to the release that migrated it")
            }
            logger.notice("database schema is newer than this server's; it is marked compatible", metadata: [
                "database": "\(current)", "server": "\(latest)",
            ])
            return Outcome(from: current, pending: [], to: current)
        }
        let pending = migrations.filter { $0.version > current }
        if dryRun || pending.isEmpty {
            return Outcome(from: current, pending: pending.map(\.name), to: current)
        }
        for migration in pending {
            try await PostgresTransaction.run(connection, logger: logger) { connection in
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO clutch_schema (version, name, compatible_from)
                    VALUES (\(migration.version), \(migration.name), \(Self.compatibleFrom(through: migration.version)))
                    """, logger: logger)
            }
            logger.info("postgres migration applied", metadata: ["migration": "\(migration.name)"])
        }
        return Outcome(from: current, pending: pending.map(\.name), to: latest)
    }
}

/// A problem with the PostgreSQL database itself (its schema, its address): not the caller's fault.
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
