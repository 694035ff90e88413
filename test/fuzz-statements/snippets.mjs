// Hand-written program pieces for what a statement tree does not reach:
// directive prologues, `await(`/`yield(` with no space and other minified
// shapes, `with`, promises a plain function returns, classes and accessors,
// `arguments` and recursion. `$` in a piece becomes a unique suffix; `calls`
// are the steps the harness runs; `sloppy` pieces need a sloppy CommonJS file,
// `esm` ones a module, `needs` names syntax not every supported Node has, and
// `documented` marks a difference docs/transparency.md states (left out unless
// TZ_FUZZ_DOCUMENTED=1), `keepBraces` a piece the minifier must not touch
// (a for-await body without braces is documented as different).

/** Syntax this Node may lack: pieces that need it are left out. */
export const SUPPORTED = { using: syntaxOk('{ using x = null }') };

function syntaxOk(code) {
  try {
    new Function(code);
    return true;
  } catch {
    return false;
  }
}

export const MODULE_DIRECTIVES = [
  '',
  `'use strict'\n`,
  `'use strict';\n`,
  `'use strict' // strict mode\n`,
  `'use strict' /* c */\n`,
  `"use client"\n`,
  `"use client"\n'use strict'\n`,
  `'use strict'\n\n// a comment\n`,
  `'use strict';// c\n`,
  `#!/usr/bin/env node\n'use strict'\n`,
  `#!/usr/bin/env node\n`,
  `'use strict'\n;[1].forEach(() => {})\n`,
  `'use\\x20strict'\n`,
  `"use strict";"use client";`,
];

export const DIRECTIVES = [
  { code: `function d$(a) {\n  'use strict'\n  return [typeof this, a]\n}`, calls: [`d$(1)`] },
  { code: `const e$ = (a) => {\n  "use strict" // arrow\n  return a\n}`, calls: [`e$(2)`] },
  { code: `function g$() { 'use strict'\n  ;[1, 2].forEach((x) => __fz.log('each', x))\n}`, calls: [`g$()`] },
  { code: `function h$() {\n  'use strict'\n  (function () { __fz.log('iife') })\n}`, calls: [`h$()`] },
  { code: `function k$() { 'a'; 'b'\n  return typeof this }`, calls: [`k$()`] },
  { code: `function m$() {\n  'use strict'\n  // comment\n  /* block */\n  return typeof this\n}`, calls: [`m$()`] },
  { code: `class C$ { m() { 'use strict'\n  return 1 } static s() { "use strict"; return 2 } get g() { 'use strict'\n return 3 } }`, calls: [`new C$().m()`, `C$.s()`, `new C$().g`] },
  { code: `function sloppy$() { return typeof this }`, calls: [`sloppy$()`] },
  { code: `function later$() { 1; 'use strict'; return typeof this }`, calls: [`later$()`] },
  { code: `function only$() { 'use strict' }`, calls: [`only$()`] },
  { code: `function onlySemi$() { "use strict"; }`, calls: [`onlySemi$()`] },
  { code: `const arrow$ = () => 'use strict'`, calls: [`arrow$()`] },
  { code: `function tpl$() {\n  'use strict'\n  ;\`t\`.length\n  return 't'\n}`, calls: [`tpl$()`] },
  { code: `function plus$() {\n  'use strict'\n  + 1\n  return typeof this\n}`, calls: [`plus$()`] },
  { code: `function esc$() { 'use\\x20strict'\n return typeof this }`, calls: [`esc$()`] },
  { code: `async function as$() {\n  'use strict'\n  return await(1)\n}`, calls: [`as$()`] },
  { code: `function* gs$() {\n  "use strict"\n  yield 1\n}`, calls: [`[...gs$()]`] },
];

export const AWAITS = [
  { code: `async function a1$(x){return await(x)}`, calls: [`a1$(1)`, `a1$(Promise.reject(new Error('r')))`] },
  { code: `const a2$=async x=>await(x)`, calls: [`a2$(2)`] },
  { code: `async function a3$(x){const v=await(x);return v}`, calls: [`a3$(3)`] },
  { code: `async function a4$(x){return(await x)+1}`, calls: [`a4$(4)`] },
  { code: `const a5$=async(x)=>{await(x);return await x}`, calls: [`a5$(5)`] },
  { code: `async function a6$(){return await[1,2]}`, calls: [`a6$()`] },
  { code: `async function a7$(){return await'str'}`, calls: [`a7$()`] },
  { code: `async function a8$(){return await\`t\`}`, calls: [`a8$()`] },
  { code: `async function a9$(){return await{a:1}}`, calls: [`a9$()`] },
  { code: `async function a10$(){return[await!0,await-1,await+1]}`, calls: [`a10$()`] },
  { code: `async function a11$(){return await/re/.source}`, calls: [`a11$()`] },
  { code: `async function a12$(){return await(await(Promise.resolve(Promise.resolve(12))))}`, calls: [`a12$()`] },
  { code: `async function a13$(){for await(const x of[1,Promise.resolve(2)]){__fz.log(x)}}`, calls: [`a13$()`] },
  { code: `async function a14$(){try{return await(Promise.reject(new Error('e')))}catch(e){return'caught'}finally{__fz.log('fin')}}`, calls: [`a14$()`] },
  { code: `async function a15$(x){return x?await(1):await(2)}`, calls: [`a15$(0)`] },
  { code: `const a16$={async m(){return await(this.v)},v:5}`, calls: [`a16$.m()`] },
  { code: `class K$ { async m(){ return await(1) } static async *s(){ yield(1) } }`, calls: [`new K$().m()`, `K$.s().next()`] },
  { code: `function*y1$(){yield(1);yield[2];yield'3';yield{a:4};yield\`5\`;yield!0;yield-1;yield/6/.source;yield*[7]}`, calls: [`[...y1$()]`] },
  { code: `async function*y2$(){yield(1);yield await(2);yield*[3]}`, calls: [`(async()=>{const o=[];for await(const x of y2$())o.push(x);return o})()`] },
  { code: `function* y3$() {\n  const x = yield\n  __fz.log('got', x)\n  yield\n  (x)\n}`, calls: [`(() => { const it = y3$(); return [it.next(), it.next('s'), it.next(), it.next()] })()`] },
  { code: `function* y4$() {\n  __fz.log('start')\n  yield\n  [1, 2].forEach((x) => __fz.log(x))\n}`, calls: [`[...y4$()]`] },
  { code: `function*y5$(){const a=yield,b=yield;return[a,b]}`, calls: [`(() => { const it = y5$(); return [it.next(), it.next(1), it.next(2)] })()`] },
  { code: `async function a17$(){const f=async()=>await(1);return f()+await(f())}`, calls: [`a17$()`] },
  { code: `function aw$(){var await=(v)=>v*2;return await(3)}`, calls: [`aw$()`], sloppy: true },
  { code: `function yi$(){var yield=(v)=>v+1;return yield(1)}`, calls: [`yi$()`], sloppy: true },
  { code: `const tla$=await(Promise.resolve('top'));__fz.log(tla$)`, calls: [], esm: true },
  { code: `const pending$ = { [Symbol.asyncIterator]() { let i = 0; return { next() { return i++ === 0 ? Promise.resolve({ value: 1, done: false }) : new Promise(() => {}) } } } }\nasync function serve$() { for await (const x of pending$) { __fz.log('got', x) } }`, calls: [`(serve$(), 'serving')`], keepBraces: true },
  { code: `async function* never$() { return new Promise(() => {}) }`, calls: [`(never$().next(), 'waiting')`] },
  { code: `async function a18$() {\n  const v = 1\n  await\n  (v)\n  return v\n}`, calls: [`a18$()`] },
];

const PROXY = `(function () {
  const target = { a: 1, b: 2 }
  return new Proxy(target, {
    has(t, k) { if (typeof k === 'string') __fz.log('has', k); return k in t },
    get(t, k) { if (typeof k === 'string') __fz.log('get', k); return t[k] },
  })
})()`;

export const WITHS = [
  { code: `function w1$(o) { with (o) { return a + b } }`, calls: [`w1$(${PROXY})`], sloppy: true },
  { code: `function w2$(o) { with (o) { const x = a; return function inner() { return x + b } } }`, calls: [`w2$(${PROXY})()`], sloppy: true },
  { code: `async function w3$(o) { with (o) { await null; return a } }`, calls: [`w3$(${PROXY})`], sloppy: true },
  { code: `function w4$(o) { with (o) { try { return a } finally { __fz.log('fin', b) } } }`, calls: [`w4$(${PROXY})`], sloppy: true },
  { code: `function* w5$(o) { with (o) { yield a; yield b } }`, calls: [`[...w5$(${PROXY})]`], sloppy: true },
  { code: `const w6$ = (o) => { with (o) return a }`, calls: [`w6$(${PROXY})`], sloppy: true },
  { code: `function w7$(o) { with (o) { function decl() { return a } return decl() } }`, calls: [`w7$(${PROXY})`], sloppy: true },
  { code: `function w8$(o) { with (o) { return [typeof a, typeof missing] } }`, calls: [`w8$(${PROXY})`], sloppy: true },
  { code: `function w9$(o) { with (o) { const f = () => b; return f() } }`, calls: [`w9$(${PROXY})`], sloppy: true },
  { code: `function w10$(o) { with (o) { if (a) throw new Error('in with') } }`, calls: [`w10$(${PROXY})`], sloppy: true },
  { code: `function w11$() { with ({ x: 1 }) { return x } }`, calls: [`w11$()`], sloppy: true },
];

export const PROMISES = [
  { code: `class MyP$ extends Promise { tag() { return 'mine' } }\nfunction sub$() { return new MyP$((r) => r(4)) }`, calls: [`(() => { const p = sub$(); return [p instanceof MyP$, typeof p.tag, p.constructor.name] })()`] },
  { code: `function handled$() { const p = Promise.reject(new Error('handled')); p.catch((e) => __fz.log('caught', e.message)); return p }`, calls: [`(handled$(), 'dropped')`] },
  { code: `const saved$ = Promise.resolve(2)\nfunction same$() { return saved$ }`, calls: [`same$() === saved$`] },
  { code: `function then$() { return { then(r) { __fz.log('then called'); r(5) } } }`, calls: [`then$()`] },
  { code: `function order$() { const p = Promise.resolve('x'); p.then(() => __fz.log('b')); return p }`, calls: [`(() => { __fz.log('a'); order$().then(() => __fz.log('c')); Promise.resolve().then(() => __fz.log('d')); __fz.log('sync end') })()`] },
  { code: `function ticks$() { return Promise.resolve(1) }`, calls: [`(() => { const o = []; ticks$().then(() => o.push('p')); Promise.resolve().then(() => o.push('q')).then(() => o.push('r')).then(() => o.push('s')); return new Promise((r) => setImmediate(() => r(o))) })()`] },
  { code: `async function asyncTicks$() { return Promise.resolve(1) }`, calls: [`(() => { const o = []; asyncTicks$().then(() => o.push('p')); let c = Promise.resolve(); for (let i = 0; i < 6; i++) c = c.then(() => o.push(i)); return new Promise((r) => setImmediate(() => r(o))) })()`] },
  { code: `async function awaitTicks$() { return await Promise.resolve(1) }`, calls: [`(() => { const o = []; awaitTicks$().then(() => o.push('p')); let c = Promise.resolve(); for (let i = 0; i < 6; i++) c = c.then(() => o.push(i)); return new Promise((r) => setImmediate(() => r(o))) })()`] },
  { code: `function* genTicks$() { yield Promise.resolve(1) }`, calls: [`(() => { const o = []; genTicks$().next().value.then(() => o.push('p')); let c = Promise.resolve(); for (let i = 0; i < 4; i++) c = c.then(() => o.push(i)); return new Promise((r) => setImmediate(() => r(o))) })()`] },
  { code: `function dropped$() { return Promise.reject(new Error('nobody handles')) }`, calls: [`(dropped$(), 'dropped')`], documented: 'a rejection nobody handles of a plain function\'s promise goes unreported' },
  { code: `class MyQ$ extends Promise {}\nfunction subReject$() { return new MyQ$((_, j) => j(new Error('sub-reject'))) }`, calls: [`(subReject$().catch((e) => __fz.log('sub caught', e.message)), 'ok')`] },
  { code: `async function fin$() { try { return await Promise.reject(new Error('x')) } finally { __fz.log('fin') } }`, calls: [`fin$()`] },
  { code: `async function asyncSub$() { class S extends Promise {} return new S((r) => r(7)) }`, calls: [`asyncSub$()`] },
  { code: `const arrowP$ = () => Promise.resolve(10)`, calls: [`arrowP$().constructor === Promise`] },
  { code: `Promise.resolve().then(() => __fz.log('promise'))\nprocess.nextTick(() => __fz.log('tick'))`, calls: [] },
  { code: `function imp$() { return import('node:path') }`, calls: [`imp$().then((m) => typeof m.join)`] },
  { code: `function meta$() { return typeof import.meta.url }`, calls: [`meta$()`], esm: true },
  { code: `function spy$(v) { const p = Promise.resolve(v); Object.defineProperty(p, 'constructor', { get() { __fz.log('constructor read', v); return Promise } }); return p }\nfunction plainSpy$() { return spy$(1) }\nasync function asyncSpy$() { return spy$(2) }`, calls: [`(plainSpy$(), 'dropped')`, `asyncSpy$()`], documented: 'timing a returned promise reads its constructor' },
  { code: `function late$() { const p = Promise.reject(new Error('late')); setImmediate(() => p.catch(() => __fz.log('late catch'))); return p }`, calls: [`(late$(), 'later')`], documented: 'a rejection nobody handles of a plain function\'s promise goes unreported' },
  { code: `function frozen$() { return Object.freeze(Promise.resolve('f')) }`, calls: [`Object.isFrozen(frozen$())`] },
  { code: `function own$() { const p = Promise.resolve(1); p.marker = 'm'; return p }`, calls: [`own$().marker`] },
];

export const CLASSES = [
  {
    code: `class A$ {
  static #count = 0
  #secret = 's'
  field = () => this.#secret
  static { A$.#count = 10; __fz.log('static block') }
  #priv(x) { return x * 2 }
  get secret() { return this.#secret }
  set secret(v) { this.#secret = v }
  static get count() { return A$.#count }
  static bump() { return ++A$.#count }
  callPriv(x) { return this.#priv(x) }
  async am() { return await this.field() }
  *gen() { yield this.#secret }
  static async *sgen() { yield 1 }
}
class B$ extends A$ {
  constructor() { super(); this.b = 1 }
  get secret() { return 'B:' + super.secret }
  callPriv(x) { return super.callPriv(x) + 1 }
  arrowSuper = () => super.callPriv(1)
}`,
    calls: [
      `new A$().secret`, `(() => { const a = new A$(); a.secret = 'n'; return a.secret })()`, `new A$().callPriv(2)`, `new A$().field()`, `new A$().am()`,
      `[...new A$().gen()]`, `A$.count`, `A$.bump()`, `A$.sgen().next()`, `new B$().secret`, `new B$().callPriv(3)`, `new B$().arrowSuper()`,
      `Object.getOwnPropertyDescriptor(A$.prototype, 'secret').get.name`, `A$.prototype.callPriv.call({}, 1)`,
    ],
  },
  {
    code: `class Brand$ { #x = 1; get #g() { return this.#x } static has(o) { return #x in o } read() { return this.#g } static #sp() { return 'sp' } static callSp() { return Brand$.#sp() } }`,
    calls: [`[Brand$.has(new Brand$()), Brand$.has({}), new Brand$().read(), Brand$.callSp()]`],
  },
  {
    code: `const proto$ = { hi() { return 'proto' } }\nconst child$ = { __proto__: proto$, hi() { return 'child>' + super.hi() }, nt() { return (() => typeof new.target)() } }`,
    calls: [`child$.hi()`, `child$.nt()`, `child$.maybe?.()`, `child$.hi?.()`],
  },
  {
    code: `function Ctor$() { const arrow = () => new.target; return arrow() === Ctor$ }`,
    calls: [`new Ctor$()`, `Ctor$()`],
  },
  {
    code: `const obj$ = { _v: 1, get v() { return this._v }, set v(x) { this._v = x * 2 }, get throws() { throw new Error('getter') } }
Object.defineProperty(obj$, 'dp', { get() { return 'dp' }, enumerable: false })`,
    calls: [`obj$.v`, `(obj$.v = 4, obj$.v)`, `obj$.throws`, `obj$.dp`, `Object.keys(obj$)`],
  },
  {
    code: `const Expr$ = class Named { static s = this.name; m() { return Named.name } }`,
    calls: [`Expr$.s`, `new Expr$().m()`, `Expr$.name`],
  },
  {
    code: `class Ctor$ { constructor(x) { if (x) return { replaced: x }; this.y = 1 } }
class Derived$ extends Ctor$ { constructor(x) { super(x); return } }`,
    calls: [`new Ctor$(1)`, `new Ctor$(0)`, `new Derived$(0)`, `Ctor$(1)`, `new (class extends Ctor$ { constructor() { return } })()`, `new Derived$(0)`],
  },
  {
    code: `class NoSuper$ extends Object { constructor() { return } }\nfunction after$() { return 'after' }`,
    calls: [`new NoSuper$()`, `after$()`, `after$()`],
  },
  {
    code: `class Acc$ { static accessor = 1; get ['comp' + 'uted']() { return 'c' } static set s(v) { Acc$.v = v } }`,
    calls: [`new Acc$().computed`, `(Acc$.s = 3, Acc$.v)`],
  },
];

export const MISC = [
  { code: `function args$(a, b) { return [arguments.length, ...arguments] }`, calls: [`args$(1)`, `args$(1, 2, 3)`] },
  { code: `function mapped$(a) { arguments[0] = 'changed'; return a }`, calls: [`mapped$('orig')`] },
  { code: `function callee$() { return typeof arguments.callee }`, calls: [`callee$()`] },
  { code: `const outer$ = function () { return (() => arguments.length)() }`, calls: [`outer$(1, 2)`] },
  { code: `function fact$(n) { return n <= 1 ? 1 : n * fact$(n - 1) }`, calls: [`fact$(10)`] },
  { code: `function even$(n) { return n === 0 ? true : odd$(n - 1) }\nfunction odd$(n) { return n === 0 ? false : even$(n - 1) }`, calls: [`even$(101)`] },
  { code: `async function countdown$(n) { return n === 0 ? [] : [n, ...(await countdown$(n - 1))] }`, calls: [`countdown$(5)`] },
  { code: `function deep$(n) { return n === 0 ? 0 : 1 + deep$(n - 1) }`, calls: [`deep$(3000)`] },
  { code: `function len$(a, b = 1, ...c) {}`, calls: [`[len$.length, len$.name]`] },
  { code: `function thrower$() { throw new TypeError('t') }`, calls: [`(() => { try { thrower$() } catch (e) { return [e instanceof TypeError, e.message, typeof e.stack] } })()`] },
  { code: `function evalIt$(a) { return eval('a + 1') }`, calls: [`evalIt$(1)`] },
  { code: `function evalVar$() { eval('var ev = 2'); return typeof ev }`, calls: [`evalVar$()`], sloppy: true },
  { code: `async function awaitedCall$() { return (await null)() }\nasync function awaitedIter$() { for (const x of await 5) {} }\nasync function awaitedNew$() { return new (await 5)() }\nasync function awaitedDestructure$() { const { a } = await null; return a }`, calls: [`awaitedCall$()`, `awaitedIter$()`, `awaitedNew$()`, `awaitedDestructure$()`], documented: 'error messages quoting a misused await result' },
  { code: `function rebind$(g) { function g() {} return [typeof arguments[0], typeof g] }`, calls: [`rebind$(1)`], sloppy: true },
  { code: `function redeclare$(a) { let a = 1; return a }`, calls: [`redeclare$(2)`] },
  { code: `function notFn$() { const x = 1; return x() }`, calls: [`notFn$()`] },
  { code: `function undef$(o) { return o.missing.deeper }`, calls: [`undef$({})`] },
  { code: `const emoji$ = '😀é\u2028'
function uni$(ñ) { return [ñ, emoji$, \`\${'ü'}\`] }
const \u0061rrow$ = (x) => 'ä' + x`, calls: [`uni$('ö')`, `arrow$('ß')`, `[uni$.name, arrow$.name]`] },
  { code: `const keys$ = { 'a-b'() { return 1 }, 2() { return 2 }, [Symbol.iterator]: function* () { yield 3 }, get [\`t\${1}\`]() { return 4 }, async *[Symbol.asyncIterator]() { yield 5 }, get() { return 6 }, async() { return 7 }, static() { return 8 } }`, calls: [`[keys$['a-b'](), keys$[2](), [...keys$], keys$.t1, keys$.get(), keys$.async(), keys$.static()]`] },
  { code: `class Keys$ { static async *[Symbol.asyncIterator]() { yield 1 } static 'quoted key'() { return 'q' } #p() { return 'p' } static ['x' + 1]() { return this.name } get [Symbol.toStringTag]() { return 'K' } }`, calls: [`Keys$['quoted key']()`, `Keys$.x1()`, `String(new Keys$())`] },
  { code: `export default function () { return 'default' }\nexport const named$ = () => 'named'\nimport * as self$ from './prog.mjs'`, calls: [`[self$.default(), self$.default.name, self$.named$()]`], esm: true },
  { code: `L$: function labelled$() { return 'l' }\nif (true) function annexB$() { return 'b' }`, calls: [`labelled$()`, `annexB$()`], sloppy: true },
  { code: `function params$(a, b = () => typeof hoisted) { function hoisted() {} return [b(), typeof hoisted] }`, calls: [`params$()`] },
  { code: `function shadow$(a) { { function a() {} } return typeof a }`, calls: [`shadow$(1)`], sloppy: true },
  { code: `function block$() { return typeof later; function later() {} }`, calls: [`block$()`] },
  { code: `const frames$ = (e) => e.stack.split('\\n').filter((l) => l.includes('prog.')).map((l) => l.replace(/\\(?[^(]*[\\\\/]/, '(').trim())\nfunction where$() { return frames$(new Error('here')) }`, calls: [`where$()`], documented: 'columns in stacks without source maps' },
  { code: `async function asyncWhere$() { await null; return new Error('x').stack.split('\\n').filter((l) => l.includes('prog.')).map((l) => l.replace(/\\(?[^(]*[\\\\/]/, '(').trim()) }`, calls: [`asyncWhere$()`], documented: 'columns in stacks without source maps' },
  { code: `function use$() { using r = { [Symbol.dispose]() { __fz.log('disposed') } }; __fz.log('body'); return 'u' }`, calls: [`use$()`], needs: 'using' },
  { code: `async function ause$() { await using r = { async [Symbol.asyncDispose]() { __fz.log('async disposed') } }; return await 'a' }`, calls: [`ause$()`], needs: 'using' },
  { code: `async function useWaits$() { await using r = { [Symbol.asyncDispose]() { return new Promise(() => {}) } }; __fz.log('body') }`, calls: [`(useWaits$(), 'disposing')`], needs: 'using', documented: 'an await using disposal that waits keeps its call current' },
  { code: `function useThrow$() { using r = { [Symbol.dispose]() { throw new Error('dispose') } }; throw new Error('body') }`, calls: [`(() => { try { useThrow$() } catch (e) { return [e.name, e.error?.message, e.suppressed?.message] } })()`], needs: 'using' },
  { code: `function fnNames$() { return [(function () {}).name, (() => {}).name, ({ m() {} }).m.name] }`, calls: [`fnNames$()`] },
];
