// Fuzzing the two parsers that read user input before anything runs: the
// target spec (`<module>:<name>`) and the config file. Every input yields a
// result or a clean error (TargetError / UsageError, one line) — never another
// exception, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseTarget, splitTraceList, TargetError } from '../dist/common/target.js';
import { loadConfig, parseJson } from '../dist/launcher/config.js';
import { UsageError } from '../dist/launcher/errors.js';
import { parseArgs } from '../dist/launcher/args.js';
import { tempDir } from './helpers.mjs';

const cwd = tempDir('tz-fuzz-');
// A hang guard, not a performance claim: generous, since CI machines are shared and GC pauses happen.
const SLOW_MS = 2000;

/** Runs fn; it must return, or throw one of `allowed`, quickly and with a one-line message. */
function clean(fn, allowed, input) {
  const started = performance.now();
  let result;
  try {
    result = fn();
  } catch (error) {
    if (!allowed.some((E) => error instanceof E)) throw new Error(`unexpected ${error?.constructor?.name}: ${error?.message} for ${JSON.stringify(input)}`);
    assert.equal(typeof error.message, 'string');
    assert.ok(error.message.length > 0);
    result = error;
  }
  const ms = performance.now() - started;
  assert.ok(ms < SLOW_MS, `${ms.toFixed(0)} ms for ${JSON.stringify(input).slice(0, 200)}`);
  return result;
}

// Pieces a spec is made of, so the fuzzer reaches deep into the grammar
// instead of failing at the first character.
const piece = fc.oneof(
  fc.constantFrom(':', '.', '*', '/', './', '../', '@', 'node:', 'fs', 'prototype', '**', '#', '$', '_', '\\', ';', '\n', ' ', '\u200c', '{', '[', '?', '..', 'a', 'Z', '9', '-', '~', 'é', '𝒳', '\0'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const specLike = fc.array(piece, { maxLength: 16 }).map((parts) => parts.join(''));
const anyString = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), specLike);

test('parseTarget: every input is a target or a TargetError', () => {
  fc.assert(
    fc.property(anyString, (raw) => {
      const result = clean(() => parseTarget(raw, cwd), [TargetError], raw);
      if (result instanceof TargetError) {
        assert.match(result.message, /^invalid target "/);
        return;
      }
      // A parsed target is well formed.
      assert.equal(typeof result.spec, 'string');
      assert.ok(Array.isArray(result.name) && result.name.length > 0);
      assert.ok(['file', 'glob', 'builtin', 'package'].includes(result.module.kind), result.module.kind);
      if (result.module.kind === 'file') assert.ok(path.isAbsolute(result.module.path));
      assert.ok(result.name.every((part, i) => part !== '' && (part !== '*' || i === result.name.length - 1)));
    }),
    { numRuns: 3000 },
  );
});

test('parseTarget: well-formed specs always parse, and split at the last ":"', () => {
  const ident = fc.stringMatching(/^[A-Za-z_$][\w$]{0,8}$/);
  const modulePart = fc.oneof(
    fc.array(fc.stringMatching(/^[\w.-]{1,8}$/).filter((s) => s !== '.' && s !== '..'), { minLength: 1, maxLength: 3 }).map((p) => `./${p.join('/')}`),
    fc.constantFrom('fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'http', 'express', '@scope/pkg', 'pkg/lib/sub'),
  );
  const name = fc.oneof(fc.array(ident, { minLength: 1, maxLength: 4 }).map((p) => p.join('.')), fc.constant('*'), ident.map((c) => `${c}.*`));
  fc.assert(
    fc.property(modulePart, name, (m, n) => {
      const t = parseTarget(`${m}:${n}`, cwd);
      assert.deepEqual(t.name, n.split('.'));
    }),
    { numRuns: 500 },
  );
});

test('TANZHEN_TRACE lists split into trimmed, non-empty entries', () => {
  fc.assert(
    fc.property(anyString, (value) => {
      const parts = clean(() => splitTraceList(value), [], value);
      for (const p of parts) {
        assert.ok(p !== '' && p === p.trim() && !p.includes(';') && !p.includes('\n'));
      }
    }),
    { numRuns: 1000 },
  );
});

test('parseJson: valid JSON parses; anything else is a UsageError naming label:line:column', () => {
  const jsonish = fc.oneof(
    fc.json(),
    fc.json().map((j) => j.slice(0, Math.floor(j.length / 2))),
    fc.json().chain((j) => fc.nat(j.length).map((i) => j.slice(0, i) + ',' + j.slice(i))),
    fc.array(fc.constantFrom('{', '}', '[', ']', '"', ':', ',', ' ', '\n', 'true', 'null', '1', '-', 'e', '\\', '/*', '//', '\u2028'), { maxLength: 40 }).map((a) => a.join('')),
    anyString,
  );
  fc.assert(
    fc.property(jsonish, (text) => {
      const result = clean(() => parseJson(text, 'cfg.json'), [UsageError], text);
      if (result instanceof UsageError) {
        assert.match(result.message, /^cfg\.json:\d+:\d+: invalid JSON: [^\n]+$/);
        const [, line, column] = /^cfg\.json:(\d+):(\d+)/.exec(result.message).map(Number);
        assert.ok(line >= 1 && line <= text.split('\n').length, `line ${line}`);
        assert.ok(column >= 1, `column ${column}`);
      } else {
        assert.deepEqual(result, JSON.parse(text));
      }
    }),
    { numRuns: 2000 },
  );
});

test('loadConfig: any tanzhen.config.json or package.json is a config or a UsageError', async () => {
  const value = fc.oneof(
    fc.jsonValue(),
    fc.record(
      {
        trace: fc.oneof(fc.array(fc.oneof(specLike, fc.jsonValue()), { maxLength: 4 }), specLike, fc.jsonValue()),
        out: fc.oneof(fc.string(), fc.jsonValue()),
        calls: fc.oneof(fc.boolean(), fc.jsonValue()),
        quiet: fc.oneof(fc.boolean(), fc.jsonValue()),
        other: fc.jsonValue(),
      },
      { requiredKeys: [] },
    ),
  );
  const text = fc.oneof(value.map((v) => JSON.stringify(v)), anyString);
  let i = 0;
  await fc.assert(
    fc.asyncProperty(text, fc.constantFrom('tanzhen.config.json', 'package.json', '-c'), async (content, where) => {
      const dir = path.join(cwd, `c${i++}`);
      mkdirSync(dir);
      let explicit;
      if (where === 'package.json') {
        let parsed;
        try {
          parsed = JSON.parse(content);
        } catch {}
        writeFileSync(path.join(dir, 'package.json'), parsed === undefined ? content : JSON.stringify({ name: 'x', tanzhen: parsed }));
      } else if (where === '-c') {
        writeFileSync(path.join(dir, 'my.json'), content);
        explicit = 'my.json';
      } else writeFileSync(path.join(dir, where), content);
      const started = performance.now();
      let result;
      try {
        result = await loadConfig(dir, explicit);
      } catch (error) {
        if (!(error instanceof UsageError)) throw new Error(`unexpected ${error?.constructor?.name}: ${error?.message} for ${content}`);
        assert.doesNotMatch(error.message, /\n/);
        return;
      } finally {
        assert.ok(performance.now() - started < SLOW_MS);
      }
      assert.ok(Array.isArray(result.trace) && result.trace.every((t) => typeof t === 'string'));
      for (const key of ['calls', 'quiet']) assert.ok(result[key] === undefined || typeof result[key] === 'boolean');
      assert.ok(result.out === undefined || typeof result.out === 'string');
    }),
    { numRuns: 400 },
  );
});

test('parseArgs: any argv is a parsed command or a UsageError', () => {
  const word = fc.oneof(fc.constantFrom('run', 'report', '-t', '--trace', '--trace=', '-c', '--config=x', '-o', '--out', '--calls', '-q', '--', '-h', '--help', '--version', '--json', '-', '--bogus', 'node', 'x.js'), fc.string({ maxLength: 8 }));
  fc.assert(
    fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
      clean(() => parseArgs(argv), [UsageError], argv);
    }),
    { numRuns: 2000 },
  );
});
