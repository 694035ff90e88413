// Property-based transparency: fast-check writes modules full of functions,
// arrows, async functions, generators, async generators, classes with
// inheritance and `super`, accessors, private members, object-literal
// methods and functions carrying extra own properties and symbols. Each
// module is instrumented through the real path (the rewriter, with a `*`
// target, run with the real probe installed) and exercised exactly like the
// untouched module: results, thrown values (the same object), `this`,
// `new.target`, `arguments`, name, length, prototype, own property keys and
// descriptors, [[Prototype]] chains and instanceof must all be identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { rewrite } from '../dist/agent/instrument/rewrite.js';
import { parseTarget } from '../dist/common/target.js';
import { plainProbe, PROBE_KEY } from '../dist/agent/runtime/probe.js';
import * as recorder from '../dist/agent/runtime/recorder.js';
import { tempDir } from './helpers.mjs';

const require = createRequire(import.meta.url);
const root = tempDir('tz-transparency-');
if (!globalThis[PROBE_KEY]) Object.defineProperty(globalThis, PROBE_KEY, { value: plainProbe, configurable: true });

// ---------------------------------------------------------------------------
// Module generation

const PARAMS = ['a, b', 'a, b = 2', 'a, b, ...rest', 'a = 1, { b } = { b: 3 }', 'a, [b] = [4]', '...[a, b]'];
const SIMPLE = 'a, b';

/** Statements a body may contain, each guarded by a trigger value of `a`. */
const COMMON = [
  `if (a === 'throw') throw b;`,
  `if (a === 'this') return this;`,
  `try { if (a === 'finally') return 'try'; } finally { if (b === 'override') return 'finally'; }`,
  `for (let i = 0; i < 3; i++) { if (i === a) return 'loop' + i; }`,
  `const inner = () => [typeof this, a]; if (a === 'inner') return inner();`,
  `if (a === 'decl') return hoisted(b); function hoisted(x) { return ['hoisted', x]; }`,
  `if (a === 'eval') return eval('[typeof a, typeof b]');`,
  `if (a === 'promise') return Promise.resolve(b);`,
  `if (a === 'reject') return Promise.reject(b);`,
  `if (a === 'thenable') return { then(resolve) { resolve(b); } };`,
  `label: { if (a === 'label') break label; else if (a === 'label2') return 'l2'; }`,
  `switch (a) { case 'switch': return 'sw'; default: }`,
  `if (a === 'closure') { let n = 0; const bump = () => ++n; bump(); return bump; }`,
  `if (a === 'comma') return (b, a);`,
  `if (a === 'typeof-throw') return b.missing.property;`,
];
const NOT_ARROW = [
  `if (a === 'new.target') return new.target === undefined ? 'no new.target' : new.target.name;`,
  `if (a === 'args') return [arguments.length, ...arguments];`,
  `if (a === 'mapped') { b = 'changed'; return arguments[1]; }`,
];
const ASYNC = [
  `if (a === 'await') return [await b, await Promise.resolve(1)];`,
  `if (a === 'await-throw') { try { await Promise.reject(b); } catch (e) { return ['caught', e === b]; } }`,
  `if (a === 'for-await') { const out = []; for await (const x of [b, Promise.resolve(2)]) out.push(x); return out; }`,
  `if (a === 'await-finally') { try { return await b; } finally { await null; } }`,
  `if (a === 'all') return Promise.all([1, 2].map(async (x) => [await x, b]));`,
  `if (a === 'await-reject') await Promise.reject(b);`,
];
const GENERATOR = [
  `if (a === 'yield') { const got = yield b; yield [got]; return 'done'; }`,
  `if (a === 'delegate') return yield* [b, 2];`,
  `if (a === 'gen-finally') { try { yield 'first'; } finally { yield 'cleanup'; } }`,
  `if (a === 'gen-throw') { try { yield 1; } catch (e) { yield ['caught', e === b]; } }`,
];
const ASYNC_GENERATOR = [...GENERATOR, `if (a === 'await') { yield await b; return await Promise.resolve('r'); }`];

/** Every trigger a body may react to, plus plain values. */
const TRIGGERS = [
  'throw', 'this', 'finally', 0, 1, 2, 'inner', 'decl', 'eval', 'promise', 'reject', 'thenable', 'label', 'label2', 'switch',
  'closure', 'comma', 'typeof-throw', 'new.target', 'args', 'mapped', 'await', 'await-throw', 'for-await', 'await-finally',
  'all', 'await-reject', 'yield', 'delegate', 'gen-finally', 'gen-throw', 'other',
];

const KINDS = ['function', 'expression', 'arrow', 'arrowExpr', 'async', 'asyncArrow', 'generator', 'asyncGenerator'];

function statementsFor(kind) {
  const arrow = kind.startsWith('arrow') || kind === 'asyncArrow';
  const list = [...COMMON, ...(arrow ? [] : NOT_ARROW)];
  if (kind === 'async' || kind === 'asyncArrow' || kind === 'asyncMethod') list.push(...ASYNC);
  if (kind === 'generator' || kind === 'generatorMethod') list.push(...GENERATOR);
  if (kind === 'asyncGenerator' || kind === 'asyncGeneratorMethod') list.push(...ASYNC_GENERATOR);
  return list;
}

const body = (kind) =>
  fc.record({
    statements: fc.subarray(statementsFor(kind), { maxLength: 7 }),
    tail: fc.constantFrom('return [a, b];', 'return [a, b, typeof this];', '', 'return;', 'return undefined;'),
    strict: fc.boolean(),
  });

/** A standalone function of some kind, its params and body. */
const functionSpec = fc.constantFrom(...KINDS).chain((kind) =>
  fc.record({
    kind: fc.constant(kind),
    params: fc.constantFrom(...PARAMS),
    body: body(kind),
    extras: fc.boolean(),
  }),
);

const METHOD_KINDS = ['method', 'asyncMethod', 'generatorMethod', 'asyncGeneratorMethod'];
const methodSpec = fc.constantFrom(...METHOD_KINDS).chain((kind) =>
  fc.record({ kind: fc.constant(kind), params: fc.constantFrom(...PARAMS), body: body(kind), isStatic: fc.boolean() }),
);

const classSpec = fc.record({
  base: fc.constantFrom('none', 'sibling', 'Array', 'Error', 'Map', 'EventTarget'),
  ctor: fc.constantFrom('none', 'plain', 'returns-object', 'throws-before-super'),
  methods: fc.array(methodSpec, { maxLength: 4 }),
  accessors: fc.boolean(),
  privates: fc.boolean(),
  fields: fc.boolean(),
  staticBlock: fc.boolean(),
  superCalls: fc.boolean(),
});

const objectSpec = fc.record({ methods: fc.array(methodSpec, { minLength: 1, maxLength: 4 }), accessors: fc.boolean(), superCall: fc.boolean() });

const moduleSpec = fc.record({
  format: fc.constantFrom('commonjs', 'module'),
  strict: fc.boolean(),
  functions: fc.array(functionSpec, { maxLength: 4 }),
  classes: fc.array(classSpec, { maxLength: 2 }),
  objects: fc.array(objectSpec, { maxLength: 1 }),
});

function renderBody({ statements, tail, strict }, params) {
  const directive = strict && params === SIMPLE ? `'use strict'; ` : '';
  return `{ ${directive}${statements.join(' ')} ${tail} }`;
}

function renderFunction(name, spec) {
  const b = renderBody(spec.body, spec.params);
  const p = spec.params;
  switch (spec.kind) {
    case 'function':
      return `function ${name}(${p}) ${b}`;
    case 'expression':
      return `const ${name} = function (${p}) ${b};`;
    case 'arrow':
      return `const ${name} = (${p}) => ${b};`;
    case 'arrowExpr':
      return `const ${name} = (${p}) => (a === 'throw' ? (() => { throw b; })() : [a, b, typeof this]);`;
    case 'async':
      return `async function ${name}(${p}) ${b}`;
    case 'asyncArrow':
      return `const ${name} = async (${p}) => ${b};`;
    case 'generator':
      return `function* ${name}(${p}) ${b}`;
    case 'asyncGenerator':
      return `async function* ${name}(${p}) ${b}`;
  }
  throw new Error(spec.kind);
}

function renderMethod(name, spec, superName) {
  const prefix = { method: '', asyncMethod: 'async ', generatorMethod: '*', asyncGeneratorMethod: 'async *' }[spec.kind];
  // `super.m` reaches the base class's method of the same name when there is one.
  const b = renderBody(spec.body, spec.params);
  const viaSuper = superName ? `{ if (a === 'super') return ['super', typeof super.${name} === 'function' ? super.${name}(0, b) : typeof super.${name}]; ${b.slice(1)}` : b;
  return `${spec.isStatic ? 'static ' : ''}${prefix}${name}(${spec.params}) ${viaSuper}`;
}

function renderClass(name, spec, index, classNames) {
  const sibling = classNames[index - 1];
  const base = spec.base === 'sibling' ? sibling : spec.base === 'none' ? undefined : spec.base;
  const members = [];
  const shape = { kind: 'class', methods: [], statics: [], accessors: [], privates: spec.privates, fields: spec.fields, base: base ?? null };
  if (spec.ctor !== 'none') {
    const head = spec.ctor === 'throws-before-super' ? `if (a === 'ctor-throw') throw b; ` : '';
    const sup = base ? `super(${base === 'Error' ? 'String(a)' : base === 'Array' || base === 'Map' || base === 'EventTarget' ? '' : 'a, b'}); ` : '';
    const ret = spec.ctor === 'returns-object' ? `if (a === 'ctor-object') return { replaced: b }; ` : '';
    members.push(`constructor(a, b) { ${head}${sup}${ret}this.nt = new.target === undefined ? null : new.target.name; this.args = arguments.length; this.b = b; }`);
  }
  spec.methods.forEach((m, i) => {
    const mName = `m${i}`;
    members.push(renderMethod(mName, m, base && spec.superCalls && !m.isStatic ? base : undefined));
    (m.isStatic ? shape.statics : shape.methods).push({ name: mName, kind: m.kind });
  });
  if (spec.accessors) {
    members.push(`get value() { return ['get', this.stored ?? 'none']; }`, `set value(v) { this.stored = v; }`, `static get kind() { return 'kind:' + this.name; }`);
    shape.accessors.push('value');
  }
  if (spec.privates) {
    members.push(`#secret = 'hidden';`, `#reveal(a, b) { return [this.#secret, a, b]; }`, `callPrivate(a, b) { return this.#reveal(a, b); }`, `static #count = 0;`, `static bump() { return ++${name}.#count; }`);
  }
  if (spec.fields) members.push(`field = (a, b) => [this instanceof ${name}, a, b];`, `static create(a, b) { return new this(a, b); }`);
  if (spec.staticBlock) members.push(`static { this.initialised = (this.initialised ?? 0) + 1; }`);
  return { code: `class ${name}${base ? ` extends ${base}` : ''} { ${members.join(' ')} }`, shape };
}

function renderObject(name, spec) {
  const members = [];
  const shape = { kind: 'object', methods: [], accessors: [] };
  spec.methods.forEach((m, i) => {
    members.push(renderMethod(`o${i}`, { ...m, isStatic: false }));
    shape.methods.push({ name: `o${i}`, kind: m.kind });
  });
  if (spec.accessors) {
    members.push(`get value() { return ['get', this === ${name}]; }`, `set value(v) { this.stored = v; }`);
    shape.accessors.push('value');
  }
  if (spec.superCall) {
    members.push(`sup() { return [super.toString === Object.prototype.toString, super.hasOwnProperty('sup')]; }`);
    shape.methods.push({ name: 'sup', kind: 'method' });
  }
  members.push(`arrow: (a, b) => [a, b, typeof this],`.slice(0, -1));
  shape.methods.push({ name: 'arrow', kind: 'method' });
  return { code: `const ${name} = { ${members.join(', ')} };`, shape };
}

/** The module's source, and what the exerciser needs to know about each export. */
function renderModule(spec) {
  const lines = [];
  const shape = {};
  if (spec.strict && spec.format === 'commonjs') lines.push(`'use strict';`);
  spec.functions.forEach((f, i) => {
    const name = `f${i}`;
    lines.push(renderFunction(name, f));
    if (f.extras) {
      lines.push(`${name}.extra = { n: ${i} }; ${name}[Symbol.for('tz.extra')] = 'symbol ${i}'; Object.defineProperty(${name}, 'hidden', { value: ${i}, enumerable: false });`);
    }
    shape[name] = { kind: f.kind };
  });
  const classNames = spec.classes.map((_, i) => `C${i}`);
  spec.classes.forEach((c, i) => {
    const { code, shape: s } = renderClass(classNames[i], { ...c, base: c.base === 'sibling' && i === 0 ? 'none' : c.base }, i, classNames);
    lines.push(code);
    shape[classNames[i]] = s;
  });
  spec.objects.forEach((o, i) => {
    const { code, shape: s } = renderObject(`obj${i}`, o);
    lines.push(code);
    shape[`obj${i}`] = s;
  });
  const names = Object.keys(shape);
  lines.push(`const __shape = ${JSON.stringify(shape)};`);
  lines.push(spec.format === 'module' ? `export { ${[...names, '__shape'].join(', ')} };` : `module.exports = { ${[...names, '__shape'].join(', ')} };`);
  return { source: lines.join('\n') + '\n', names };
}

// ---------------------------------------------------------------------------
// Loading the original and the instrumented module

let serial = 0;
async function load(spec) {
  const { source, names } = renderModule(spec);
  const dir = path.join(root, String(serial++));
  mkdirSync(path.join(dir, 'plain'), { recursive: true });
  mkdirSync(path.join(dir, 'probed'));
  const ext = spec.format === 'module' ? '.mjs' : '.cjs';
  const plainFile = path.join(dir, 'plain', `mod${ext}`);
  const probedFile = path.join(dir, 'probed', `mod${ext}`);
  writeFileSync(plainFile, source);
  const target = parseTarget(`./mod${ext}:*`, path.dirname(probedFile));
  const result = rewrite(source, probedFile, spec.format, [target]);
  assert.ok(result, `the rewriter refused:\n${source}`);
  writeFileSync(probedFile, result.code);
  const importIt = (file) => (spec.format === 'module' ? import(pathToFileURL(file).href) : Promise.resolve(require(file)));
  let plain;
  try {
    plain = await importIt(plainFile);
  } catch (error) {
    // A generated combination the language itself rejects: the probed one must reject it the same way.
    await assert.rejects(importIt(probedFile), { name: error.name });
    return undefined;
  }
  const probed = await importIt(probedFile);
  return { plain, probed, source, code: result.code, names, matched: result.matched };
}

// ---------------------------------------------------------------------------
// Observing: everything a caller can see, as comparable data

const INTRINSICS = new Map([
  [Function.prototype, 'Function.prototype'],
  [Object.getPrototypeOf(async function () {}), 'AsyncFunction.prototype'],
  [Object.getPrototypeOf(function* () {}), 'GeneratorFunction.prototype'],
  [Object.getPrototypeOf(async function* () {}), 'AsyncGeneratorFunction.prototype'],
  [Object.getPrototypeOf(function* () {}).prototype, 'Generator.prototype'],
  [Object.getPrototypeOf(async function* () {}).prototype, 'AsyncGenerator.prototype'],
  [Object.prototype, 'Object.prototype'],
  [Array.prototype, 'Array.prototype'],
  [Error.prototype, 'Error.prototype'],
  [Map.prototype, 'Map.prototype'],
  [EventTarget.prototype, 'EventTarget.prototype'],
  [Promise.prototype, 'Promise.prototype'],
  [Array, 'Array'],
  [Error, 'Error'],
  [Map, 'Map'],
  [EventTarget, 'EventTarget'],
  [globalThis, 'globalThis'],
]);

class Observer {
  constructor(mod) {
    this.log = [];
    this.tokens = new Map(INTRINSICS);
    this.tokens.set(mod, '<module>');
    for (const name of Object.keys(mod)) {
      const value = mod[name];
      if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
        this.tokens.set(value, `<${name}>`);
        if (typeof value === 'function' && value.prototype) this.tokens.set(value.prototype, `<${name}.prototype>`);
      }
    }
  }

  token(value, label) {
    if (!this.tokens.has(value)) this.tokens.set(value, label);
    return value;
  }

  describe(value, depth = 0) {
    if (value === null) return null;
    switch (typeof value) {
      case 'undefined':
        return '<undefined>';
      case 'number':
        return Object.is(value, -0) ? '-0' : Number.isNaN(value) ? 'NaN' : value;
      case 'bigint':
        return `${value}n`;
      case 'string':
      case 'boolean':
        return value;
      case 'symbol':
        return `Symbol(${value.description})`;
    }
    if (this.tokens.has(value)) return this.tokens.get(value);
    if (depth > 3) return '<deep>';
    if (value instanceof Error) return { error: value.constructor.name, message: value.message, own: this.ownKeys(value, depth) };
    if (typeof value === 'function') return { fn: value.name, length: value.length, proto: this.describe(Object.getPrototypeOf(value), depth + 1) };
    if (value instanceof Promise) {
      // Observed, not awaited (a generator's returned promise, say): a rejection is the program's, handled here alike.
      value.then(undefined, () => {});
      return '<promise>';
    }
    return { proto: this.describe(Object.getPrototypeOf(value), depth + 1), own: this.ownKeys(value, depth) };
  }

  ownKeys(object, depth) {
    return Reflect.ownKeys(object)
      .filter((k) => k !== 'stack')
      .map((key) => {
        const d = Reflect.getOwnPropertyDescriptor(object, key);
        const k = typeof key === 'symbol' ? `Symbol(${key.description})` : key;
        const flags = `${d.enumerable ? 'e' : '-'}${d.configurable ? 'c' : '-'}${'value' in d ? (d.writable ? 'w' : '-') : 'a'}`;
        return [k, flags, 'value' in d ? this.describe(d.value, depth + 1) : [typeof d.get, typeof d.set]];
      });
  }

  /** What a function or class looks like from outside, before anyone calls it. */
  staticView(name, fn) {
    this.log.push(['static', name, typeof fn, fn.name, fn.length, this.describe(Object.getPrototypeOf(fn)), this.ownKeys(fn, 0)]);
    if (Object.hasOwn(fn, 'prototype') && fn.prototype) this.log.push(['prototype', name, this.describe(Object.getPrototypeOf(fn.prototype)), this.ownKeys(fn.prototype, 0)]);
  }

  async outcome(what, run) {
    let value;
    try {
      value = run();
    } catch (error) {
      this.log.push([what, 'threw', this.describe(error)]);
      return;
    }
    if (value instanceof Promise) {
      try {
        this.log.push([what, 'resolved', this.describe(await value)]);
      } catch (error) {
        this.log.push([what, 'rejected', this.describe(error)]);
      }
      return;
    }
    this.log.push([what, 'returned', this.describe(value)]);
    if (value && typeof value === 'object' && typeof value.next === 'function' && typeof value.return === 'function') await this.drive(what, value);
  }

  /** Steps a generator (sync or async) with next, then a second copy with return/throw. */
  async drive(what, iterator) {
    for (let i = 0; i < 5; i++) {
      let step;
      try {
        step = await iterator.next(i === 1 ? 'sent' : undefined);
      } catch (error) {
        this.log.push([what, 'next threw', this.describe(error)]);
        return;
      }
      this.log.push([what, 'next', this.describe(step)]);
      if (step.done) return;
    }
    try {
      this.log.push([what, 'return', this.describe(await iterator.return('early'))]);
    } catch (error) {
      this.log.push([what, 'return threw', this.describe(error)]);
    }
  }
}

/** The values `b` takes. `thrown` is an object whose identity must survive a throw or rejection. */
const thrown = { iAm: 'thrown' };
const receiver = { iAm: 'receiver' };

/** Rejections nobody handled, counted per exercise: the probe must not add (or remove) any. */
let unhandled = 0;
process.on('unhandledRejection', () => unhandled++);
const settle = () => new Promise((resolve) => setTimeout(resolve, 1));

async function exercise(mod, bValue) {
  const o = new Observer(mod);
  const unhandledBefore = unhandled;
  try {
    await exerciseAll(o, mod, bValue);
  } finally {
    await settle();
    o.log.push(['unhandled rejections', unhandled - unhandledBefore]);
  }
  return o.log;
}

async function exerciseAll(o, mod, bValue) {
  o.token(thrown, '<thrown>');
  o.token(receiver, '<receiver>');
  const b = bValue === 'thrown-object' ? thrown : bValue;
  const shape = mod.__shape;
  o.log.push(['keys', Object.keys(mod).sort()]);
  for (const name of Object.keys(shape)) {
    const value = mod[name];
    const { kind } = shape[name];
    if (kind === 'class') await exerciseClass(o, name, value, shape[name], b);
    else if (kind === 'object') await exerciseObject(o, name, value, shape[name], b);
    else {
      o.staticView(name, value);
      for (const a of TRIGGERS) {
        await o.outcome(`${name}(${a})`, () => value.call(receiver, a, b));
        await o.outcome(`${name}.apply(${a})`, () => value.apply(undefined, [a, b, 'extra']));
      }
      if (Object.hasOwn(value, 'prototype') && !kind.startsWith('generator') && !kind.startsWith('async')) {
        for (const a of ['new.target', 'this', 'throw', 'args', 'other']) {
          await o.outcome(`new ${name}(${a})`, () => {
            const made = new value(a, b);
            return [made instanceof value, made];
          });
        }
      } else {
        await o.outcome(`new ${name}`, () => new value(1, b));
      }
      o.staticView(name, value);
    }
  }
}

async function exerciseClass(o, name, C, shape, b) {
  o.staticView(name, C);
  await o.outcome(`${name}()`, () => C(1, b));
  for (const a of ['ctor-throw', 'ctor-object', 'plain', 'throw']) {
    await o.outcome(`new ${name}(${a})`, () => {
      const made = new C(a, b);
      return [made instanceof C, Array.isArray(made), made instanceof Error, made];
    });
  }
  // A subclass made by the caller: new.target is the subclass, instanceof holds both ways.
  class Sub extends C {
    extra() {
      return 'sub';
    }
  }
  o.token(Sub, '<Sub>');
  o.token(Sub.prototype, '<Sub.prototype>');
  await o.outcome(`new Sub of ${name}`, () => {
    const made = new Sub('plain', b);
    return [made instanceof C, made instanceof Sub, made.extra(), made];
  });
  let instance;
  try {
    instance = new C('plain', b);
  } catch {
    return;
  }
  o.token(instance, '<instance>');
  for (const { name: m } of shape.methods) {
    for (const a of [...TRIGGERS, 'super']) await o.outcome(`${name}#${m}(${a})`, () => instance[m](a, b));
    o.staticView(`${name}#${m}`, C.prototype[m]);
  }
  for (const { name: m } of shape.statics) {
    for (const a of TRIGGERS) await o.outcome(`${name}.${m}(${a})`, () => C[m](a, b));
    o.staticView(`${name}.${m}`, C[m]);
  }
  for (const acc of shape.accessors) {
    await o.outcome(`${name}#${acc} get`, () => instance[acc]);
    await o.outcome(`${name}#${acc} set`, () => ((instance[acc] = b), instance[acc]));
    await o.outcome(`${name}.kind`, () => C.kind);
    const d = Object.getOwnPropertyDescriptor(C.prototype, acc);
    o.log.push([`${name}#${acc} descriptor`, d.get.name, d.get.length, d.set.name, d.set.length]);
  }
  if (shape.privates) {
    await o.outcome(`${name}#callPrivate`, () => instance.callPrivate('p', b));
    await o.outcome(`${name}.bump`, () => [C.bump(), C.bump()]);
    await o.outcome(`${name}#callPrivate on a stranger`, () => C.prototype.callPrivate.call({}, 1, 2));
  }
  if (shape.fields) {
    await o.outcome(`${name}#field`, () => instance.field('f', b));
    await o.outcome(`${name}.create`, () => {
      const made = C.create('plain', b);
      return [made instanceof C, made];
    });
    await o.outcome(`Sub.create`, () => Sub.create('plain', b) instanceof Sub);
  }
  o.log.push(['instance', o.describe(instance)]);
}

async function exerciseObject(o, name, obj, shape, b) {
  o.log.push(['object', o.describe(obj)]);
  for (const { name: m } of shape.methods) {
    for (const a of TRIGGERS) await o.outcome(`${name}.${m}(${a})`, () => obj[m](a, b));
    o.staticView(`${name}.${m}`, obj[m]);
  }
  for (const acc of shape.accessors) {
    await o.outcome(`${name}.${acc}`, () => obj[acc]);
    await o.outcome(`${name}.${acc} =`, () => ((obj[acc] = b), obj.stored));
  }
}

// ---------------------------------------------------------------------------

function totalCalls() {
  let total = 0;
  for (const c of recorder.counts) total += c;
  return total;
}

const bValues = fc.oneof(fc.constantFrom('thrown-object', null, undefined, 'override', -0, NaN), fc.integer({ min: -2, max: 3 }), fc.string({ maxLength: 3 }));

test('instrumented modules behave exactly like the originals (fast-check)', async () => {
  let modules = 0;
  let probedFunctions = 0;
  await fc.assert(
    fc.asyncProperty(moduleSpec, bValues, async (spec, b) => {
      const loaded = await load(spec);
      if (!loaded) return;
      modules++;
      const before = totalCalls();
      const plain = await exercise(loaded.plain, b);
      const probed = await exercise(loaded.probed, b);
      try {
        assert.deepEqual(probed, plain);
      } catch (error) {
        error.message = `${error.message}\n--- source ---\n${loaded.source}\n--- instrumented ---\n${loaded.code}`;
        throw error;
      }
      // (A call that fails while binding its parameters never enters the body, so is not timed.)
      // (Nor does constructing a class without a constructor of its own: no function of it was called.)
      const someBodyRan = plain.some((entry) => (entry[1] === 'returned' || entry[1] === 'resolved') && !String(entry[0]).startsWith('new '));
      if (loaded.names.length > 0 && loaded.matched.length > 0 && someBodyRan) {
        assert.ok(totalCalls() > before, `the probe saw no call:\n${loaded.code}`);
        probedFunctions += loaded.names.length;
      }
    }),
    { numRuns: Number(process.env.TZ_TRANSPARENCY_RUNS ?? 80), interruptAfterTimeLimit: 60_000, includeErrorInReport: true, ...(process.env.TZ_SEED ? { seed: Number(process.env.TZ_SEED) } : {}) },
  );
  assert.ok(modules > 20, `only ${modules} modules could be loaded`);
  assert.ok(probedFunctions > 20);
});

test('hand-picked tricky functions behave the same', async () => {
  // Cases the generator does not reach: default-parameter closures, sloppy-mode
  // hoisting, an instrumented function calling itself, a class accessor pair.
  const source = `
    function paramScope(a, g = () => a) { var a = 'body'; return [a, g()]; }
    function annexB() { { function blockFn() { return 'block'; } } return typeof blockFn; }
    function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
    function usesArguments(a) { arguments[0] = 'changed'; return a; }
    async function selfAwait(n) { return n > 0 ? [n, ...(await selfAwait(n - 1))] : []; }
    function* infinite() { let i = 0; while (true) { const r = yield i++; if (r === 'stop') return 'stopped'; } }
    const o = { get ['computed' + 1]() { return 1; }, __proto__: { inherited() { return 'base'; } }, child() { return super.inherited(); } };
    class Counter { static #n = 0; static next() { return ++Counter.#n; } get n() { return Counter.#n; } }
    function returnsFunction() { return function named() { return this; }; }
    module.exports = { paramScope, annexB, fib, usesArguments, selfAwait, infinite, o, Counter, returnsFunction };
  `;
  const dir = path.join(root, 'tricky');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'plain.cjs'), source);
  const result = rewrite(source, path.join(dir, 'probed.cjs'), 'commonjs', [parseTarget('./probed.cjs:*', dir)]);
  writeFileSync(path.join(dir, 'probed.cjs'), result.code);
  const run = async (m) => {
    const it = m.infinite();
    return [
      m.paramScope(1),
      m.annexB(),
      m.fib(15),
      m.usesArguments('orig'),
      await m.selfAwait(3),
      [it.next(), it.next(), it.next('stop'), it.next()],
      [m.o.child(), m.o.computed1],
      [m.Counter.next(), m.Counter.next(), new m.Counter().n],
      [m.returnsFunction()() === undefined, m.returnsFunction().call(5)],
      [m.fib.name, m.fib.length, m.paramScope.length, Object.keys(m.o)],
    ];
  };
  const before = totalCalls();
  assert.deepEqual(await run(require(path.join(dir, 'probed.cjs'))), await run(require(path.join(dir, 'plain.cjs'))));
  assert.ok(totalCalls() - before > 1000, 'fib alone makes ~2000 calls');
});
