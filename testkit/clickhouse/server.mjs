// A test-only ClickHouse HTTP front end over chdb, the ClickHouse engine as an in-process Node
// library (no server of its own). It speaks the part of ClickHouse's HTTP interface that
// clickhouse-jdbc 0.9.x uses, so walflow's ITCases can run against a real ClickHouse engine on
// a machine where no ClickHouse server can be installed. Never use it outside tests.
//
//   node server.mjs --data DIR [--port N] [--exit-with-stdin]
//
// --data      chdb data directory; tables persist there across requests and restarts.
// --port      port on 127.0.0.1 (default $CLICKHOUSE_PORT, else 8123); 0 picks a free one.
//             Once listening, prints one line on stdout: `listening 127.0.0.1:PORT`.
// --exit-with-stdin  exit when stdin closes, so a parent that dies (even by SIGKILL) never
//             leaves this process behind.
// One line per request goes to stderr.
//
// What it does:
// - POST / (and GET /?query=...): the statement is the `query` URL parameter followed by the
//   body (ClickHouse's rule: for INSERT the statement may be in the URL and the data in the
//   body); text bodies only.
// - Database from the `database` parameter or the X-ClickHouse-Database header; output format
//   from `default_format` or the X-ClickHouse-Format header (default TabSeparated), overridden
//   by a trailing `FORMAT x` in the statement, as ClickHouse does.
// - Any other URL parameter is a ClickHouse setting and is applied with SET for that request
//   alone: afterwards every setting (including any SET in the statement itself) is put back to
//   what it was at start-up, so nothing leaks into the next request, as on a real server
//   without sessions. An unknown setting fails with ClickHouse's own UNKNOWN_SETTING error.
// - Requests run one at a time on one chdb session (the engine allows one per data directory).
// - Responses carry X-ClickHouse-Query-Id, -Format, -Timezone, -Server-Display-Name and
//   -Summary (written_rows/written_bytes from the engine's InsertedRows/InsertedBytes
//   counters for INSERT; result_rows/result_bytes; elapsed_ns; read_rows is unknown to chdb
//   and left out). GET /ping answers `Ok.`.
// - Errors: HTTP 500, X-ClickHouse-Exception-Code, body `Code: N. DB::Exception: ...`.
//
// What it does not support (answered with Code: 48 NOT_IMPLEMENTED unless said otherwise):
// - compression: `compress=1`, `decompress=1` and a request Content-Encoding are refused;
//   `enable_http_compression` is ignored and responses are never compressed (clients must use
//   compress=false);
// - binary request bodies (RowBinary, Native, ...): chdb's Node API takes the statement as a
//   string, so a body must be UTF-8 without NUL bytes. clickhouse-jdbc's default INSERT path
//   (INSERT ... VALUES with the values inlined as SQL literals) is text and works;
//   its `beta.row_binary_for_simple_insert` RowBinary path does not;
// - sessions (`session_id`), roles (`role`), query parameters (`param_*`), multipart bodies,
//   `readonly` (it would stop the settings from being put back);
// - authentication: user and password are accepted and not checked;
// - a real server's HTTP status per error code (400, 404, ...): every error is a 500;
// - rejecting a multi-statement body, as a real server does: chdb runs each statement;
// - progress headers, streaming: results are buffered whole.

import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { Session } from 'chdb';

const NOT_IMPLEMENTED = 48;
const BAD_ARGUMENTS = 36;
const SYNTAX_ERROR = 62;
const STD_EXCEPTION = 1001;
const MAX_LOGGED_SQL = 300;

// URL parameters that ClickHouse's HTTP handler reads itself; everything else is a setting.
const IGNORED_PARAMS = new Set([
    'query', 'database', 'default_format', 'query_id', 'user', 'password', 'quota_key',
    'compress', 'decompress', 'enable_http_compression', // compress/decompress checked below
    'wait_end_of_query', 'buffer_size', // responses are always buffered whole
    'stacktrace', 'client_protocol_version',
]);
const REFUSED_PARAMS = new Set([
    'session_id', 'session_timeout', 'session_check', 'close_session', 'role', 'readonly',
]);

class HttpError extends Error {
    constructor(code, message) {
        super(`Code: ${code}. DB::Exception: ${message}`);
        this.clickhouseCode = code;
    }
}

const notImplemented = (what) =>
    new HttpError(NOT_IMPLEMENTED, `${what}: not supported by walflow's test front end over `
        + 'chdb (testkit/clickhouse/server.mjs). (NOT_IMPLEMENTED)');

const literal = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const identifier = (s) => `\`${s.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;

function checkName(kind, name) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new HttpError(BAD_ARGUMENTS, `Invalid ${kind} name '${name}'. (BAD_ARGUMENTS)`);
    }
    return name;
}

const { values: args } = parseArgs({
    options: {
        data: { type: 'string' },
        port: { type: 'string', default: process.env.CLICKHOUSE_PORT ?? '8123' },
        'exit-with-stdin': { type: 'boolean', default: false },
    },
});
if (!args.data) {
    console.error('usage: node server.mjs --data DIR [--port N] [--exit-with-stdin]');
    process.exit(2);
}

const session = new Session(args.data);
const run = async (sql, format = 'TabSeparated') => session.queryAsync(sql, { format });

// The front end's own reads of system tables run with these at 0, so that limits a request set
// cannot break them; all but the read of system.settings, which would show the clause's values
// instead of the session's: restoreSettings resets these before it.
const GUARDED = ['max_result_rows', 'max_result_bytes', 'limit', 'offset', 'max_rows_to_read',
    'max_bytes_to_read', 'max_execution_time'];
const GUARD = ` SETTINGS ${GUARDED.map((name) => `${name} = 0`).join(', ')}`;
const rows = async (sql, guard = GUARD) => run(sql + guard, 'JSONEachRow')
    .then((r) => r.text().split('\n').filter(Boolean).map(JSON.parse));

const serverInfo = (await rows('SELECT version() AS version, timezone() AS timezone'))[0];
const baselineSettings = await changedSettings();
const displayName = hostname();

async function changedSettings() {
    const list = await rows('SELECT name, value FROM system.settings WHERE changed', '');
    return new Map(list.map((s) => [s.name, s.value]));
}

// Puts every setting back to its start-up value: first those the request set through URL
// parameters (and the guarded ones), then any that a SET inside the statement changed (they
// would persist in the session).
async function restoreSettings(applied) {
    const reset = (names) => run('SET ' + names.map((name) => (baselineSettings.has(name)
        ? `${name} = ${literal(baselineSettings.get(name))}` : `${name} = DEFAULT`)).join(', '));
    await reset([...new Set([...applied, ...GUARDED])]);
    const now = await changedSettings();
    const changed = [...new Set([...now.keys(), ...baselineSettings.keys()])]
        .filter((name) => now.get(name) !== baselineSettings.get(name));
    if (changed.length > 0) await reset(changed);
}

// Reads what a request asks for; throws HttpError for what this front end does not support.
function parseRequest(req, url, body) {
    const p = url.searchParams;
    for (const name of p.keys()) {
        if (REFUSED_PARAMS.has(name)) throw notImplemented(`The URL parameter '${name}'`);
        if (name.startsWith('param_')) throw notImplemented(`Query parameters (${name})`);
    }
    for (const name of ['compress', 'decompress']) {
        if (['1', 'true'].includes(p.get(name))) {
            throw notImplemented(`${name}=${p.get(name)} (use compress=false in the JDBC URL)`);
        }
    }
    const encoding = req.headers['content-encoding'];
    if (encoding && encoding !== 'identity') throw notImplemented(`Content-Encoding ${encoding}`);
    if ((req.headers['content-type'] ?? '').startsWith('multipart/')) {
        throw notImplemented('A multipart request body');
    }
    if (body.includes(0)) throw notImplemented('A binary request body (RowBinary, Native)');
    let text;
    try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
        throw notImplemented('A request body that is not UTF-8 text');
    }
    const settings = [...p.entries()].filter(([name]) => !IGNORED_PARAMS.has(name));
    settings.forEach(([name]) => checkName('setting', name));
    const sql = [p.get('query'), text].filter((s) => s).join('\n');
    if (sql.trim() === '') throw new HttpError(SYNTAX_ERROR, 'Empty query. (SYNTAX_ERROR)');
    return {
        sql,
        database: p.get('database') ?? req.headers['x-clickhouse-database'] ?? 'default',
        format: checkName('format',
            p.get('default_format') ?? req.headers['x-clickhouse-format'] ?? 'TabSeparated'),
        queryId: p.get('query_id') ?? req.headers['x-clickhouse-query-id'] ?? randomUUID(),
        settings,
    };
}

const INSERT = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*INSERT\b/i;
const TRAILING_FORMAT = /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i;

async function insertCounters() {
    const list = await rows("SELECT event, value FROM system.events "
        + "WHERE event IN ('InsertedRows', 'InsertedBytes')");
    const get = (event) => Number(list.find((e) => e.event === event)?.value ?? 0);
    return { rows: get('InsertedRows'), bytes: get('InsertedBytes') };
}

// Runs one request on the session; the caller serializes calls.
async function execute(r) {
    const applied = [];
    try {
        await run(`USE ${identifier(r.database)}`);
        for (const [name, value] of r.settings) {
            await run(`SET ${name} = ${literal(value)}`);
            applied.push(name);
        }
        const isInsert = INSERT.test(r.sql);
        const before = isInsert ? await insertCounters() : null;
        const result = await run(r.sql, r.format);
        const after = isInsert ? await insertCounters() : null;
        const format = (!isInsert && TRAILING_FORMAT.exec(r.sql)?.[1]) || r.format;
        const summary = {
            written_rows: String(isInsert ? after.rows - before.rows : 0),
            written_bytes: String(isInsert ? after.bytes - before.bytes : 0),
            result_rows: String(result.rowsRead),
            result_bytes: String(result.bytesRead),
            elapsed_ns: String(Math.round(result.elapsed * 1e9)),
        };
        return { bytes: result.bytes(), format, summary };
    } finally {
        await restoreSettings(applied);
    }
}

let queue = Promise.resolve();
function serialized(task) {
    const result = queue.then(task);
    queue = result.catch(() => {});
    return result;
}

const readBody = (req) => new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
});

function errorCode(e) {
    return e.clickhouseCode ?? Number(/^Code: (\d+)\./.exec(e.message)?.[1] ?? STD_EXCEPTION);
}

async function handle(req, res) {
    const started = Date.now();
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/ping' || (url.pathname === '/' && req.method === 'GET'
        && !url.searchParams.has('query'))) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
        return;
    }
    if (url.pathname !== '/' || !['GET', 'POST'].includes(req.method)) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' })
            .end(`There is no handler for ${req.method} ${url.pathname}\n`);
        return;
    }
    const common = {
        'X-ClickHouse-Server-Display-Name': displayName,
        'X-ClickHouse-Timezone': serverInfo.timezone,
    };
    let r = { sql: '', queryId: randomUUID(), settings: [] };
    try {
        r = parseRequest(req, url, await readBody(req));
        const out = await serialized(() => execute(r));
        res.writeHead(200, {
            ...common,
            'Content-Type': /^(RowBinary|Native|Parquet|Arrow|ORC|Avro)/.test(out.format)
                ? 'application/octet-stream' : 'text/plain; charset=UTF-8',
            'X-ClickHouse-Query-Id': r.queryId,
            'X-ClickHouse-Format': out.format,
            'X-ClickHouse-Summary': JSON.stringify(out.summary),
        }).end(out.bytes);
        log(req, r, 200, started);
    } catch (e) {
        const code = errorCode(e);
        const message = /^Code: \d+\./.test(e.message)
            ? e.message : `Code: ${code}. DB::Exception: ${e.message}`;
        res.writeHead(500, {
            ...common,
            'Content-Type': 'text/plain; charset=UTF-8',
            'X-ClickHouse-Query-Id': r.queryId,
            'X-ClickHouse-Exception-Code': String(code),
        }).end(`${message} (version ${serverInfo.version})\n`);
        log(req, r, 500, started, message);
    }
}

function log(req, r, status, started, error) {
    const settings = r.settings.map(([k, v]) => `${k}=${v}`).join(' ');
    const sql = r.sql.length > MAX_LOGGED_SQL ? `${r.sql.slice(0, MAX_LOGGED_SQL)}...` : r.sql;
    console.error(`${new Date().toISOString()} ${req.method} ${status} ${Date.now() - started}ms`
        + ` [${settings}] ${JSON.stringify(sql)}${error ? ` -> ${error.split('\n')[0]}` : ''}`);
}

const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
        console.error('unexpected failure', e);
        if (!res.headersSent) res.writeHead(500).end(String(e));
    });
});
server.keepAliveTimeout = 30_000;

function shutdown(why) {
    console.error(`stopping (${why})`);
    server.close();
    serialized(() => session.close()).finally(() => process.exit(0));
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (args['exit-with-stdin']) {
    process.stdin.on('end', () => shutdown('stdin closed')).on('error', () => {}).resume();
}

server.listen(Number(args.port), '127.0.0.1', () => {
    const { port } = server.address();
    console.error(`chdb ${serverInfo.version} on ${args.data}`);
    console.log(`listening 127.0.0.1:${port}`);
});
