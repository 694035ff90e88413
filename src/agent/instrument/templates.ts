// The code inserted into instrumented functions, in one place: the rewriter
// uses it, and so does the start-up calibration (which must time exactly
// what instrumented code runs). `__tz$` is the probe, `__tz$b` the module's
// first function id, `__tz$v` a scratch slot for a returned value; the
// helpers are hoisted function declarations so they work even when a module
// cycle calls in before the module's first line ran.
//
// Two shapes:
// - stack: plain (sync) functions keep no local of their own. The probe keeps
//   a stack of their open calls; every way out pops it (a return, the end of
//   the body, the catch), always before calling the probe, so the stack stays
//   straight even when that call overflows. One try/catch and no local keep the frame small,
//   so deep recursion reaches nearly the bare depth.
// - slot: async functions, generators (which suspend), and the rare plain
//   function whose `return` runs through a `finally` (the call must end after
//   that finally, once) hold their call's slot in `$tzK` and end it in a
//   finally of their own, with how they left (`$tzD`: 2 threw) and the last
//   returned value (`$tzV`).
// Every insertion starts and ends with punctuation, so no token of ours can
// fuse with the user's (`await(x)`, `return(x)`, `'use strict'` without `;`).

export const MARKER = 'var __tz$=globalThis[Symbol.for("tanzhen.probe")]';

/** The rest of the module prologue's `var` list, after MARKER. */
export const prologue = (register: string) => `,__tz$v,__tz$b=__tz$?${register}:0;`;

/** Comment closing every instrumented body: which registered function it is, for Function.prototype.toString. */
export const sourceToken = (moduleKey: string, index: number) => `/*tz:${moduleKey}:${index}*/`;
export const TOKEN_START = '/*tz:';

// --- stack shape -----------------------------------------------------------
/** Opens a function body; `id` is an expression such as `__tz$b+3`. */
export const stackStart = (id: string) => `;__tz$&&__tz$.s(${id});try{`;
// The catch pops inline (no call, so it cannot overflow); __tz$x swallows any failure of ours, so the program's error is the one rethrown.
export const stackEnd = (token: string) => `;__tz$d()}catch($tzE){__tz$&&(__tz$.n--,__tz$x());throw $tzE}${token}`;
/** Around a `return` argument. */
export const STACK_RETURN_START = '(__tz$v=(';
export const STACK_RETURN_END = '),__tz$r())';
/** After a bare `return` keyword. */
export const STACK_BARE_RETURN = ' __tz$r()';

// --- slot shape ------------------------------------------------------------
export const slotStart = (id: string) => `;let $tzK=__tz$?__tz$.o(${id}):-1,$tzD=0,$tzV;try{`;
export const slotEnd = (id: string, token: string) => `}catch($tzE){$tzD=2;throw $tzE}finally{$tzK<0||__tz$.e(${id},$tzK,$tzD,$tzV)}${token}`;
/** Around a `return` argument of an async function or a plain function: the finally sees the last value returned. */
export const SLOT_RETURN_START = '($tzV=(';
export const SLOT_RETURN_END = '))';

/** Around an `await`/`yield` expression (outer) and its argument (inner). */
export const SUSPEND_START = '__tz$w($tzK,';
export const SUSPEND_END = ')';
export const ARGUMENT_START = ' __tz$u($tzK,(';
export const ARGUMENT_END = '))';
/** Around a bare `yield`, which has no argument to wrap. */
export const BARE_SUSPEND_START = '(__tz$u($tzK,0),';
export const BARE_SUSPEND_END = ')';
/** At the top of a catch/finally block or a for-await body: the call is running again. */
export const RESUME = '__tz$w($tzK,0);';
/** At the end of a for-await pass: the loop head is about to wait for the next item. */
export const STEP_ASIDE = '__tz$u($tzK,0)';

// The plain-call helpers pop before calling the probe and swallow its failures (a stack overflow in our
// bookkeeping at the recursion limit): the program's own control flow and errors are never ours.
export const HELPERS =
  'function __tz$r(){var v=__tz$v;__tz$v=void 0;if(__tz$){__tz$.n--;try{__tz$.r(v)}catch(e){}}return v}' +
  'function __tz$d(){if(__tz$){__tz$.n--;try{__tz$.d()}catch(e){}}}' +
  'function __tz$x(){try{__tz$.x()}catch(e){}}' +
  'function __tz$u(k,v){if(k>0)__tz$.u(k);return v}' +
  'function __tz$w(k,v){if(k>0)__tz$.w(k);return v}';
