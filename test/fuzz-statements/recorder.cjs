// What a generated program can observe, as comparable data. A program sees
// it as `globalThis.__fz`: `log(...)` records an event, `q(label, thunk)`
// queues a step the harness runs after the program loaded, outcome and all
// (returned, threw, resolved, rejected). The same recorder runs in the test
// process and in child processes (preloaded by child.cjs), so one describes
// both; CommonJS, so that a `--require` preload can load it.

const INTRINSICS = [
  [globalThis, '<global>'],
  [Object.prototype, 'Object.prototype'],
  [Function.prototype, 'Function.prototype'],
  [Array.prototype, 'Array.prototype'],
  [Promise.prototype, 'Promise.prototype'],
  [Promise, 'Promise'],
];

// Taken when the harness loads, before any instrumented module: libraries capture it the same way (lodash,
// es-abstract, is-callable), so what it says about a function must not change under the probe either.
const nativeToString = Function.prototype.toString;

class Recorder {
  /** `print`: also write each event as a JSON line on stdout as it happens (child processes). */
  constructor({ print = false, afterStep } = {}) {
    this.afterStep = afterStep;
    this.events = [];
    this.queue = [];
    this.print = print;
    this.tokens = new Map(INTRINSICS);
    this.log = this.log.bind(this);
    this.q = this.q.bind(this);
    this.textOf = this.textOf.bind(this);
  }

  /** Names an object, so it is described by that name wherever it shows up. */
  name(value, label) {
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) this.tokens.set(value, `<${label}>`);
    return value;
  }

  log(...values) {
    this.push(values.map((v) => this.describe(v)));
  }

  push(event) {
    this.events.push(event);
    if (this.print) process.stdout.write(JSON.stringify(event) + '\n');
  }

  /** A function's text through the Function.prototype.toString captured at start-up. */
  textOf(fn) {
    return Reflect.apply(nativeToString, fn, []);
  }

  q(label, thunk) {
    this.queue.push([label, thunk]);
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
    if (depth > 2) return '<deep>';
    if (value instanceof Error) return { error: value.constructor.name, message: value.message };
    if (typeof value === 'function') return { fn: value.name, length: value.length };
    // Never attach a handler to a promise here: whether a rejection is handled is for the program to decide.
    if (value instanceof Promise) return { promise: value.constructor.name };
    const proto = Object.getPrototypeOf(value);
    const kind = proto === null ? 'null' : proto.constructor?.name ?? '?';
    const own = Object.keys(value).map((k) => [k, this.describe(value[k], depth + 1)]);
    return Array.isArray(value) ? own.map(([, v]) => v) : { [kind]: own };
  }

  /** Runs the queued steps one by one, letting microtasks and rejection tracking settle after each. */
  async run() {
    for (const [label, thunk] of this.queue) {
      let value;
      try {
        value = thunk();
      } catch (error) {
        this.push([label, 'threw', this.describe(error)]);
        await settle();
        this.afterStep?.(this);
        continue;
      }
      if (value instanceof Promise) {
        try {
          this.push([label, 'resolved', this.describe(await value)]);
        } catch (error) {
          this.push([label, 'rejected', this.describe(error)]);
        }
      } else this.push([label, 'returned', this.describe(value)]);
      await settle();
      this.afterStep?.(this);
    }
  }
}

/** After the microtask queue drained and Node reported unhandled rejections. */
function settle() {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

module.exports = { Recorder, settle };
