// The code inserted into instrumented functions, in one place: the rewriter
// uses it, and so does the start-up calibration (which must time exactly
// what instrumented code runs). `__tz$` is the probe, `__tz$b` the module's
// first function id; the helpers are hoisted function declarations so they
// work even when a module cycle calls in before the module's first line ran.

export const MARKER = 'var __tz$=globalThis[Symbol.for("tanzhen.probe")]';

/** Opens a function body; `id` is an expression such as `__tz$b+3`. */
export const bodyStart = (id: string) => `let $tzK=__tz$&&__tz$.s(${id}),$tzD=0;try{`;
export const bodyEnd = (id: string) => `}catch($tzE){$tzD=1;__tz$x(${id},$tzK);throw $tzE}finally{if($tzK&&!$tzD)__tz$.d($tzK)}`;

/** Around a `return` argument. */
export const RETURN_START = '($tzD=1,__tz$r($tzK,(';
export const RETURN_END = ')))';

/** Around an `await`/`yield` expression (outer) and its argument (inner). */
export const SUSPEND_START = '__tz$w($tzK,';
export const SUSPEND_END = ')';
export const ARGUMENT_START = '__tz$u($tzK,(';
export const ARGUMENT_END = '))';
/** Around a bare `yield`, which has no argument to wrap. */
export const BARE_SUSPEND_START = '(__tz$u($tzK,0),';
export const BARE_SUSPEND_END = ')';
/** At the top of a catch/finally block or a for-await body: the call is running again. */
export const RESUME = '__tz$w($tzK,0);';

export const HELPERS =
  'function __tz$r(k,v){return k?__tz$.r(k,v):v}' +
  'function __tz$x(i,k){if(__tz$)__tz$.x(i,k)}' +
  'function __tz$u(k,v){if(k)__tz$.u(k);return v}' +
  'function __tz$w(k,v){if(k)__tz$.w(k);return v}';
