// OTLP trace export (--otlp), against a loopback receiver that decodes what
// arrives with the official OpenTelemetry protobuf definitions: the
// protobufjs root generated from opentelemetry-proto that
// @opentelemetry/otlp-transformer shipped up to 0.216 (a dev dependency under
// the alias otlp-transformer-protobufjs; later versions, ours included,
// encode by hand), so nothing of our encoder's own takes part in decoding.
// The protobuf body is decoded by it, the JSON body mapped and checked
// field by field against it.
// Plus collectors that hang, refuse, or answer 503 first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fixture, tanzhen, tempDir } from './helpers.mjs';

const require = createRequire(import.meta.url);
const proto = require('otlp-transformer-protobufjs/build/src/generated/root.js').opentelemetry.proto;
const ExportTraceServiceRequest = proto.collector.trace.v1.ExportTraceServiceRequest;
const ExportTraceServiceResponse = proto.collector.trace.v1.ExportTraceServiceResponse;

const APP = fixture('otlp');
const TARGETS = ['./app.js:outer', './app.js:middle', './app.js:leaf'].flatMap((t) => ['-t', t]);

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
const toHex = (b64) => Buffer.from(b64, 'base64').toString('hex');

/** JSON OTLP carries ids as hex; protobuf's JSON mapping (fromObject) wants base64. */
function idsToBase64(value) {
  if (Array.isArray(value)) return value.map(idsToBase64);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ID_FIELDS.has(k) && typeof v === 'string' ? Buffer.from(v, 'hex').toString('base64') : idsToBase64(v)]));
  }
  return value;
}

/** fromObject ignores unknown keys: every key of the JSON must be a field of the decoded message (known fields live on the generated prototypes). */
function onlyKnownFields(json, message, at) {
  if (Array.isArray(json)) return json.forEach((item, i) => onlyKnownFields(item, message[i], `${at}[${i}]`));
  if (!json || typeof json !== 'object' || !message || typeof message !== 'object' || ArrayBuffer.isView(message)) return;
  for (const [key, value] of Object.entries(json)) {
    assert.ok(key in message, `${at}.${key} is not a field of the OTLP message`);
    onlyKnownFields(value, message[key], `${at}.${key}`);
  }
}

/** A request body → plain object, through the official message type. */
function decode(contentType, body) {
  let message;
  if (contentType === 'application/x-protobuf') {
    message = ExportTraceServiceRequest.decode(body);
  } else if (contentType === 'application/json') {
    const json = idsToBase64(JSON.parse(body.toString('utf8')));
    message = ExportTraceServiceRequest.fromObject(json); // protobuf's JSON mapping; throws on wrong types
    onlyKnownFields(json, message, 'request');
  } else {
    throw new Error(`unexpected content-type ${contentType}`);
  }
  return ExportTraceServiceRequest.toObject(message, { longs: String, enums: Number, bytes: String, defaults: false });
}

/**
 * A loopback OTLP/HTTP receiver. mode: 'ok'; 'hang' (reads the request,
 * never answers); 'unavailable-once' (503 with Retry-After: 0 to the first
 * request, then ok).
 */
function receiver(mode = 'ok') {
  const requests = [];
  const errors = [];
  const sockets = new Set();
  let seen = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen++;
      if (mode === 'hang') return;
      if (mode === 'unavailable-once' && seen === 1) {
        res.writeHead(503, { 'Retry-After': '0' }).end();
        return;
      }
      try {
        requests.push({ path: req.url, headers: req.headers, body: decode(req.headers['content-type'], Buffer.concat(chunks)) });
        const type = req.headers['content-type'];
        const reply = type === 'application/json' ? Buffer.from('{}') : Buffer.from(ExportTraceServiceResponse.encode({}).finish());
        res.writeHead(200, { 'Content-Type': type }).end(reply);
      } catch (error) {
        errors.push(error);
        res.writeHead(400).end();
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        errors,
        get seen() {
          return seen;
        },
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(r));
        },
      });
    });
  });
}

/** Every span received, with its resource's attributes, ids in hex. */
function spansOf(requests) {
  const out = [];
  for (const { body } of requests) {
    for (const rs of body.resourceSpans ?? []) {
      const resource = attributes(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          out.push({
            ...s,
            traceId: toHex(s.traceId),
            spanId: toHex(s.spanId),
            parentSpanId: s.parentSpanId ? toHex(s.parentSpanId) : undefined,
            attributes: attributes(s.attributes),
            scope: ss.scope,
            resource,
          });
        }
      }
    }
  }
  return out;
}

function attributes(list = []) {
  const out = {};
  for (const { key, value } of list) out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue ?? value.doubleValue);
  return out;
}

function checkNestedRun(result, spans, serviceName) {
  assert.equal(result.code, 3, result.stderr); // the program's own exit code
  assert.match(result.stdout, /^pid \d+\nsum 13\nsum 2\n$/);
  const pid = Number(/^pid (\d+)/.exec(result.stdout)[1]);

  // Exactly one span per call: 2 outer, 7 middle, 7 leaf, no duplicates.
  const count = (name) => spans.filter((s) => s.name === name).length;
  assert.deepEqual({ outer: count('outer'), middle: count('middle'), leaf: count('leaf'), all: spans.length }, { outer: 2, middle: 7, leaf: 7, all: 16 });
  assert.equal(new Set(spans.map((s) => s.spanId)).size, 16, 'span ids are unique');

  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const expectedParent = { outer: undefined, middle: 'outer', leaf: 'middle' };
  for (const s of spans) {
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(s.traceId, '0'.repeat(32));
    if (expectedParent[s.name] === undefined) {
      assert.equal(s.parentSpanId, undefined, `${s.name} is a root`);
    } else {
      const parent = byId.get(s.parentSpanId);
      assert.ok(parent, `${s.name}'s parent was received`);
      assert.equal(parent.name, expectedParent[s.name]);
      assert.equal(parent.traceId, s.traceId, 'a child is in its parent’s trace');
      assert.ok(BigInt(s.startTimeUnixNano) >= BigInt(parent.startTimeUnixNano) && BigInt(s.endTimeUnixNano) <= BigInt(parent.endTimeUnixNano) + 1000n, 'a child lies within its parent');
    }
    assert.equal(s.kind, 1); // SPAN_KIND_INTERNAL
    assert.equal(s.attributes['code.function.name'], s.name);
    assert.equal(s.attributes['code.file.path'], `${APP}/app.js`);
    assert.equal(s.attributes['code.line.number'], { leaf: 2, middle: 7, outer: 15 }[s.name]);
    assert.equal(s.resource['service.name'], serviceName);
    assert.equal(s.resource['process.pid'], pid);
    assert.equal(s.resource['process.runtime.name'], 'nodejs');
    assert.equal(s.resource['process.runtime.version'], process.versions.node);
    assert.equal(s.scope.name, 'tanzhen');
  }
  // One trace per root call, each holding its whole tree (outer(5): 1 + 5 + 5; outer(2): 1 + 2 + 2).
  const perTrace = new Map();
  for (const s of spans) perTrace.set(s.traceId, (perTrace.get(s.traceId) ?? 0) + 1);
  const sizes = [...perTrace.values()].sort((a, b) => a - b);
  assert.deepEqual(sizes, [5, 11]);

  // leaf(3) threw: error status and an exception event; nothing else failed.
  const failed = spans.filter((s) => s.status?.code === 2);
  assert.equal(failed.length, 1);
  assert.equal(failed[0].name, 'leaf');
  assert.deepEqual(failed[0].events.map((e) => e.name), ['exception']);
  assert.ok(spans.filter((s) => s !== failed[0]).every((s) => !s.status?.code && !(s.events ?? []).length));
}

for (const protocol of ['http/protobuf', 'http/json']) {
  test(`${protocol}: one span per call, correctly parented, with service.name and the program's exit code`, async () => {
    const collector = await receiver();
    try {
      const result = await tanzhen(['run', '--otlp', collector.url, ...TARGETS, '--', 'node', 'app.js'], {
        cwd: APP,
        env: { OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_SERVICE_NAME: `svc-${protocol}`, OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=t1,authorization=Bearer%20abc' },
      });
      assert.deepEqual(collector.errors, []);
      assert.ok(collector.requests.length >= 1);
      for (const r of collector.requests) {
        assert.equal(r.path, '/v1/traces');
        assert.equal(r.headers['x-tenant'], 't1');
        assert.equal(r.headers.authorization, 'Bearer abc');
      }
      checkNestedRun(result, spansOf(collector.requests), `svc-${protocol}`);
      assert.match(result.stderr, /OTLP: 16 spans sent to http:\/\/127\.0\.0\.1:\d+\/v1\/traces/);
    } finally {
      await collector.close();
    }
  });
}

test('the URL and service name from the standard variables; resource attributes from OTEL_RESOURCE_ATTRIBUTES', async () => {
  const collector = await receiver();
  try {
    const result = await tanzhen(['run', '--otlp', ...TARGETS, '--', 'node', 'app.js'], {
      cwd: APP,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,deployment.environment.name=test' },
    });
    const spans = spansOf(collector.requests);
    checkNestedRun(result, spans, 'from-attrs');
    assert.equal(spans[0].resource['deployment.environment.name'], 'test');
  } finally {
    await collector.close();
  }
});

test('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is', async () => {
  const collector = await receiver();
  try {
    await tanzhen(['run', '--otlp', ...TARGETS, '--', 'node', 'app.js'], { cwd: APP, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/custom/path` } });
    assert.ok(collector.requests.length >= 1);
    assert.ok(collector.requests.every((r) => r.path === '/custom/path'));
    assert.equal(spansOf(collector.requests).length, 16);
  } finally {
    await collector.close();
  }
});

test('a 503 is retried: every span arrives once', async () => {
  const collector = await receiver('unavailable-once');
  try {
    const result = await tanzhen(['run', '--otlp', collector.url, ...TARGETS, '--', 'node', 'app.js'], { cwd: APP });
    assert.ok(collector.seen >= 2);
    checkNestedRun(result, spansOf(collector.requests), 'unknown_service:node');
  } finally {
    await collector.close();
  }
});

/** Runs app.js against `url`; returns the result and how long the launcher took after the program's last output. */
async function runAgainst(url, extra = []) {
  let lastOutput = 0;
  const started = Date.now();
  const result = await tanzhen(['run', '--otlp', url, ...extra, ...TARGETS, '--', 'node', 'app.js'], {
    cwd: APP,
    onSpawn: (child) => child.stdout.on('data', () => (lastOutput = Date.now())),
  });
  return { result, afterProgram: Date.now() - lastOutput, total: Date.now() - started };
}

test('a collector that hangs: output and exit code intact, the run ends within the deadline', async () => {
  const collector = await receiver('hang');
  try {
    const out = tempDir();
    const { result, afterProgram } = await runAgainst(collector.url, ['--otlp-timeout', '1000', '--out', out]);
    assert.equal(result.code, 3);
    assert.match(result.stdout, /^pid \d+\nsum 13\nsum 2\n$/);
    assert.ok(collector.seen >= 1, 'the request reached the collector');
    assert.match(result.stderr, /OTLP: 16 of 16 spans not delivered to http:\/\/127\.0\.0\.1:\d+\/v1\/traces within the 1000 ms deadline/);
    // The deadline (1 s) plus the summary and the --out files; far below the exporter's 10 s request timeout.
    assert.ok(afterProgram < 1000 + 2500, `launcher ended ${afterProgram} ms after the program`);
    assert.ok(existsSync(path.join(out, 'summary.json')));
  } finally {
    await collector.close();
  }
});

test('the default deadline is 2 s', async () => {
  const collector = await receiver('hang');
  try {
    const { result, afterProgram } = await runAgainst(collector.url);
    assert.equal(result.code, 3);
    assert.ok(afterProgram >= 1900 && afterProgram < 2000 + 2500, `launcher ended ${afterProgram} ms after the program`);
  } finally {
    await collector.close();
  }
});

test('a collector that refuses connections: output and exit code intact, a warning, no hang', async () => {
  const collector = await receiver();
  const url = collector.url;
  await collector.close(); // nothing listens there now
  const { result, afterProgram } = await runAgainst(url, ['--otlp-timeout', '800']);
  assert.equal(result.code, 3);
  assert.match(result.stdout, /^pid \d+\nsum 13\nsum 2\n$/);
  assert.match(result.stderr, /OTLP: 16 of 16 spans not delivered/);
  assert.ok(afterProgram < 800 + 2500, `launcher ended ${afterProgram} ms after the program`);
});

test('join the program’s own trace: a root call inside its active span becomes that span’s child', async () => {
  const collector = await receiver();
  try {
    const result = await tanzhen(['run', '--otlp', collector.url, '-t', './joined.js:work', '-t', './joined.js:inner', '--', 'node', 'joined.js'], { cwd: APP });
    assert.equal(result.code, 0, result.stderr);
    const [, programTrace, programSpan] = /^program span ([0-9a-f]{32}) ([0-9a-f]{16})$/m.exec(result.stdout);
    const spans = spansOf(collector.requests);
    const works = spans.filter((s) => s.name === 'work');
    assert.equal(works.length, 2);
    assert.equal(spans.length, 4);
    const joined = works.find((s) => s.traceId === programTrace);
    assert.ok(joined, `a work span in the program's trace ${programTrace}: ${JSON.stringify(works.map((s) => s.traceId))}`);
    assert.equal(joined.parentSpanId, programSpan);
    const alone = works.find((s) => s !== joined);
    assert.notEqual(alone.traceId, programTrace);
    assert.equal(alone.parentSpanId, undefined);
    for (const inner of spans.filter((s) => s.name === 'inner')) {
      const parent = spans.find((s) => s.spanId === inner.parentSpanId);
      assert.equal(parent?.name, 'work');
      assert.equal(inner.traceId, parent.traceId);
    }
  } finally {
    await collector.close();
  }
});

test('a trace the program’s sampler dropped is not exported into', async () => {
  const collector = await receiver();
  try {
    const result = await tanzhen(['run', '--otlp', collector.url, '-t', './joined.js:work', '-t', './joined.js:inner', '--', 'node', 'joined.js'], { cwd: APP, env: { SAMPLER: 'off' } });
    assert.equal(result.code, 0, result.stderr);
    const [, programTrace] = /^program span ([0-9a-f]{32}) /m.exec(result.stdout);
    const spans = spansOf(collector.requests);
    assert.deepEqual(spans.map((s) => s.name).sort(), ['inner', 'work'], 'only the call outside the program’s span');
    assert.ok(spans.every((s) => s.traceId !== programTrace));
    assert.match(result.stderr, /OTLP: 2 spans sent/);
  } finally {
    await collector.close();
  }
});

test('bad --otlp values stop the launcher before the program', async () => {
  const result = await tanzhen(['run', '--otlp=ftp://x', '--', 'node', '-e', 'console.log("ran")'], { cwd: APP });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /--otlp takes an http\(s\) URL/);
});

test('trace resolution (unit): end order, async children outliving their parent, parents that never end, the program’s parent', async () => {
  const { TraceResolver } = await import('../dist/exporters/otlp/traces.js');
  const { IdSpace } = await import('../dist/exporters/otlp/ids.js');
  const ids = new IdSpace('salt', 42, 0);
  const source = { programParents: new Map([[20, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: true }]]) };
  const resolver = new TraceResolver(source, ids, { maxWaitMs: 1000, maxPending: 100 });
  const rec = (id, parentId) => ({ id, parentId, fn: 0, startEpochMs: 0, durationMs: 1, error: false });
  const out = [];
  // Tree 1: 1 ← 2 ← 3 (sync: 3 ends first); 4 is an async child of 1 that ends after it.
  resolver.add([rec(3, 2), rec(2, 1)], 0, out);
  assert.equal(out.length, 0, 'children wait for their root');
  assert.equal(resolver.pendingCount, 2);
  resolver.add([rec(1, 0), rec(4, 1)], 10, out);
  assert.deepEqual(out.map((s) => s.record.id), [1, 2, 3, 4]);
  assert.equal(new Set(out.map((s) => s.traceId)).size, 1);
  assert.equal(out[0].traceId, ids.traceId(1));
  assert.equal(out[0].parentSpanId, undefined);
  assert.equal(out.find((s) => s.record.id === 3).parentSpanId, ids.spanId(2));
  // Tree 2: 10 never ends; its child 11 stops waiting after maxWaitMs and takes the trace 10 would have.
  out.length = 0;
  resolver.add([rec(11, 10)], 100, out);
  resolver.add([], 500, out);
  assert.equal(out.length, 0);
  resolver.add([], 1200, out);
  assert.deepEqual(out.map((s) => [s.record.id, s.traceId, s.parentSpanId]), [[11, ids.traceId(10), ids.spanId(10)]]);
  // Root 20 started inside the program's span: its trace, its parent.
  out.length = 0;
  resolver.add([rec(21, 20), rec(20, 0)], 1300, out);
  assert.deepEqual(out.map((s) => [s.record.id, s.traceId, s.parentSpanId]), [[20, 'a'.repeat(32), 'b'.repeat(16)], [21, 'a'.repeat(32), ids.spanId(20)]]);
  // The end of the run: nothing waits any more.
  out.length = 0;
  resolver.add([rec(31, 30)], 1400, out);
  resolver.flush(out);
  assert.equal(out.length, 1);
  assert.equal(resolver.pendingCount, 0);
  // Ids: 16 and 32 hex digits, distinct per call and per root.
  assert.match(ids.spanId(2 ** 40 + 3), /^[0-9a-f]{16}$/);
  assert.notEqual(ids.spanId(1), ids.spanId(2));
  assert.notEqual(ids.traceId(1), ids.traceId(2));
  assert.notEqual(new IdSpace('salt', 43, 0).spanId(1), ids.spanId(1));
});

test('--otlp takes its URL only when one follows; the exporter options parse', async () => {
  const { parseArgs } = await import('../dist/launcher/args.js');
  const run = (...argv) => parseArgs(['run', ...argv]).args;
  assert.equal(run('--otlp', 'node', 'app.js').otlp, true);
  assert.deepEqual(run('--otlp', 'node', 'app.js').command, ['node', 'app.js']);
  assert.equal(run('--otlp', '--', 'node').otlp, true);
  assert.equal(run('--otlp', 'http://c:4318', 'node').otlp, 'http://c:4318');
  assert.equal(run('--otlp=https://c/otlp', 'node').otlp, 'https://c/otlp');
  assert.equal(run('--otlp-timeout', '500', 'node').otlpTimeout, 500);
  assert.deepEqual([run('--metrics-port', '9464', '--metrics-host', '::1', 'node').metricsPort, run('--metrics-host=::1', 'node').metricsHost], [9464, '::1']);
  assert.throws(() => run('--metrics-port', '70000', 'node'), /port number/);
  assert.throws(() => run('--otlp-timeout', '-1', 'node'), /whole number/);
  const { tracesUrl } = await import('../dist/exporters/otlp/config.js');
  assert.equal(tracesUrl('http://c:4318'), 'http://c:4318/v1/traces');
  assert.equal(tracesUrl('http://c:4318/base/'), 'http://c:4318/base/v1/traces');
  assert.equal(tracesUrl('http://c:4318/v1/traces'), 'http://c:4318/v1/traces');
});
