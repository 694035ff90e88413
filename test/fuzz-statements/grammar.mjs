// Function bodies as statement trees: return / throw / break / continue
// through nested try/catch/finally, labels, loops and switches, await and
// yield in every spelling, written in three styles — semicolons, no
// semicolons (standard style, with its ASI hazards) and minified. fast-check
// builds the tree; the renderer resolves each jump to a target that exists.
import fc from 'fast-check';

const n = fc.integer({ min: 0, max: 9 });
const expr = fc.record({ kind: fc.constantFrom('val', 'val', 'call', 'resolved', 'rejected', 'thenable', 'nested'), n });
const cond = fc.constantFrom('a', '!a', '(n++ & 1)', 'n < 2');

const tree = fc.letrec((tie) => ({
  block: fc.array(tie('stmt'), { maxLength: 3 }),
  stmt: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('log'), n }),
    fc.record({ t: fc.constant('ret'), e: expr, form: fc.nat(7) }),
    fc.record({ t: fc.constant('throw'), e: expr, form: fc.nat(2) }),
    fc.record({ t: fc.constant('jump'), kind: fc.constantFrom('break', 'continue'), pick: fc.nat(4) }),
    fc.record({ t: fc.constant('susp'), e: expr, form: fc.nat(9) }),
    fc.record({ t: fc.constant('hazard'), form: fc.nat(6) }),
    fc.record({ t: fc.constant('if'), c: cond, then: tie('block'), else: fc.option(tie('block')) }),
    fc.record({ t: fc.constant('try'), block: tie('block'), handler: fc.option(tie('block')), finalizer: fc.option(tie('block')), param: fc.boolean() }),
    fc.record({ t: fc.constant('loop'), kind: fc.constantFrom('for', 'forof', 'while', 'do', 'forin'), label: fc.boolean(), body: tie('block') }),
    fc.record({ t: fc.constant('lblock'), body: tie('block') }),
    fc.record({ t: fc.constant('switch'), c: cond, cases: fc.array(tie('block'), { minLength: 1, maxLength: 2 }) }),
  ),
}));

export const KINDS = ['function', 'arrow', 'async', 'asyncArrow', 'generator', 'asyncGenerator', 'method', 'asyncMethod'];

/** Directive prologues for a body, per style: with and without semicolons, followed by comments. */
const DIRECTIVES = {
  semi: ['', `'use strict';`, `"use strict"; // strict`, `'use client';'use strict';`, `'use strict'; /* c */`],
  nosemi: ['', `'use strict'`, `"use strict" // strict`, `'use strict' /* c */`, `'use client'\n'use strict'`, `'use strict'\n// comment`, `"use client"`],
  min: ['', `"use strict";`, `"use client";"use strict";`],
};

export const functionSpec = fc.record({
  kind: fc.constantFrom(...KINDS),
  body: tree.block,
  directive: fc.nat(6),
  drive: fc.constantFrom('all', 'return', 'throw', 'break', 'leave'),
  // The body's last words, right against its closing brace: `…return}` / `…if (a) return}`, as minifiers leave them.
  tail: fc.constantFrom('', '', 'return', 'if (a) return'),
});

export const STYLES = ['semi', 'nosemi', 'min'];

/** Renders one function named `name` in `style`; returns its source and the calls that exercise it. */
export function renderFunction(name, spec, style) {
  const r = new Renderer(spec.kind, style);
  const list = DIRECTIVES[style];
  const directive = list[spec.directive % list.length];
  const stmts = [...(directive ? [directive] : []), r.decl('let n = 0'), ...spec.body.map((s) => r.stmt(s))];
  const last = spec.tail ? `${r.nl || ';'}${spec.tail}` : '';
  const body = `{${r.nl}${stmts.join(r.nl)}${last}${last ? '' : r.nl}}`;
  const k = spec.kind;
  const head = {
    function: `function ${name}(a)`,
    async: `async function ${name}(a)`,
    generator: `function* ${name}(a)`,
    asyncGenerator: `async function* ${name}(a)`,
    arrow: `const ${name} = (a) =>`,
    asyncArrow: `const ${name} = async (a) =>`,
    method: `const ${name} = { m(a)`,
    asyncMethod: `const ${name} = { async m(a)`,
  }[k];
  const close = k.endsWith('ethod') ? `}.m` : '';
  const source = `${head}${r.sp}${body}${close}${style === 'nosemi' ? '' : ';'}`;
  const calls = [];
  for (const a of ['true', 'false']) {
    const call = `${name}(${a})`;
    if (k === 'generator' || k === 'asyncGenerator') calls.push(driver(call, k === 'asyncGenerator', spec.drive));
    else calls.push(`__fz.q(${JSON.stringify(call)}, () => ${call})`);
  }
  return { source, calls };
}

/** Steps a generator to its end, or returns / throws into it early, or breaks out of for-of / for-await. */
function driver(call, isAsync, mode) {
  const label = JSON.stringify(`${call} ${mode}`);
  if (mode === 'leave') {
    // Takes two values and walks away: the generator stays suspended, as it would in most programs.
    return `__fz.q(${label}, async () => { const it = ${call}; __fz.log('first', await it.next()); __fz.log('second', await it.next()); return 'left' })`;
  }
  if (mode === 'break') {
    const loop = isAsync ? 'for await' : 'for';
    return `__fz.q(${label}, ${isAsync ? 'async ' : ''}() => { let c = 0; ${loop} (const x of ${call}) { __fz.log('got', x); if (++c === 2) break } return c })`;
  }
  return `__fz.q(${label}, async () => { const it = ${call}; for (let i = 0; i < 6; i++) { if (i === 2 && ${JSON.stringify(mode)} !== 'all') { __fz.log('early', await (${JSON.stringify(mode)} === 'return' ? it.return('early') : it.throw('thrown in'))) } const step = await it.next('sent' + i); __fz.log('step', step); if (step.done) break } })`;
}

class Renderer {
  constructor(kind, style) {
    this.async = kind.startsWith('async');
    this.generator = kind === 'generator' || kind === 'asyncGenerator';
    this.style = style;
    this.sp = style === 'min' ? '' : ' ';
    this.nl = style === 'min' ? '' : '\n';
    this.end = style === 'nosemi' ? '' : ';';
    this.targets = [];
    this.counter = 0;
  }

  decl(text) {
    return this.style === 'min' ? text.replace(/ = /g, '=') + ';' : text + this.end;
  }

  block(stmts) {
    const inner = stmts.map((s) => this.stmt(s)).join(this.nl);
    return `{${this.nl}${inner}${this.nl}}`;
  }

  expr({ kind, n: v }) {
    switch (kind) {
      case 'val':
        return `'v${v}'`;
      case 'call':
        return `(__fz.log('eval', ${v}),${this.sp}'c${v}')`;
      case 'resolved':
        return `Promise.resolve('p${v}')`;
      case 'rejected':
        return `Promise.reject(new Error('r${v}'))`;
      case 'thenable':
        return `{${this.sp}then(f)${this.sp}{${this.sp}__fz.log('then', ${v});${this.sp}f('t${v}')${this.sp}}${this.sp}}`;
      case 'nested':
        return this.async ? `[await(Promise.resolve(${v})),${this.sp}${v}]` : `[${v}]`;
    }
  }

  stmt(s) {
    const { sp, end } = this;
    switch (s.t) {
      case 'log':
        return `__fz.log('s${s.n}')${end}`;
      case 'ret': {
        // A bare return, two ways in four: `{return}` (return right before a closing brace, as minifiers write it) and `return;`.
        if (s.form >= 6) return s.form === 6 ? `{return}` : `return${this.style === 'nosemi' ? '\n' : ';'}`;
        const e = this.expr(s.e);
        // (`return` glued to its argument only where the argument starts with punctuation.)
        if (this.generator) return `return${/^\w/.test(e) ? ' ' : sp}${e}${end}`;
        const forms = this.async
          ? [`return ${e}`, `return await ${e}`, `return await(${e})`, `return(await ${e})`, `return${sp}(${e})`, `return await\n${e}`]
          : [`return ${e}`, `return(${e})`, `return${sp}${e}`];
        return forms[s.form % forms.length] + end;
      }
      case 'throw': {
        const forms = [`throw new Error('x${s.e.n}')`, `throw(${this.expr(s.e)})`, `throw${sp}'x${s.e.n}'`];
        return forms[s.form % forms.length] + end;
      }
      case 'jump':
        return this.jump(s);
      case 'susp':
        return this.suspend(s);
      case 'hazard':
        return this.hazard(s.form);
      case 'if':
        return `if${sp}(${s.c})${sp}${this.block(s.then)}${s.else ? `${sp}else${sp}${this.block(s.else)}` : ''}`;
      case 'try': {
        const handler = s.handler || !s.finalizer ? `${sp}catch${s.param ? `${sp}(e)${sp}{__fz.log('caught', e)${end}` : `${sp}{`}${this.nl}${(s.handler ?? []).map((x) => this.stmt(x)).join(this.nl)}}` : '';
        const finalizer = s.finalizer ? `${sp}finally${sp}${this.block(s.finalizer)}` : '';
        return `try${sp}${this.block(s.block)}${handler}${finalizer}`;
      }
      case 'loop':
        return this.loop(s);
      case 'lblock': {
        const label = `B${this.counter++}`;
        this.targets.push({ label, loop: false, breakable: false });
        const text = `${label}:${sp}${this.block(s.body)}`;
        this.targets.pop();
        return text;
      }
      case 'switch': {
        this.targets.push({ label: null, loop: false, breakable: true });
        const cases = s.cases.map((c, i) => `${i === s.cases.length - 1 ? 'default' : `case ${i === 0 ? 'true' : 1}`}:${sp}${c.map((x) => this.stmt(x)).join(this.nl)}`);
        this.targets.pop();
        return `switch${sp}(${s.c})${sp}{${this.nl}${cases.join(this.nl)}${this.nl}}`;
      }
    }
    throw new Error(s.t);
  }

  jump({ kind, pick }) {
    // Unlabelled: the innermost loop (or switch, for break). Labelled: any enclosing label that allows it.
    const options = [];
    const innermost = [...this.targets].reverse().find((t) => t.loop || (kind === 'break' && t.breakable));
    if (innermost) options.push(kind);
    for (const t of this.targets) if (t.label && (kind === 'break' || t.loop)) options.push(`${kind} ${t.label}`);
    if (options.length === 0) return `__fz.log('no ${kind}')${this.end}`;
    return options[pick % options.length] + this.end;
  }

  loop(s) {
    const { sp } = this;
    const i = `i${this.counter++}`;
    const label = s.label ? `L${this.counter++}` : null;
    this.targets.push({ label, loop: true, breakable: true });
    const body = this.block(s.body);
    this.targets.pop();
    const head = {
      for: `for${sp}(let ${i}${sp}=${sp}0;${sp}${i}${sp}<${sp}2;${sp}${i}++)`,
      forof: `for${sp}(const ${i} of [1,${sp}2])`,
      forin: `for${sp}(const ${i} in {x:${sp}1,${sp}y:${sp}2})`,
      while: `let ${i}${sp}=${sp}0${this.end}${this.nl}${label ? `${label}:${sp}` : ''}while${sp}(${i}++${sp}<${sp}2)`,
      do: `let ${i}${sp}=${sp}0${this.end}${this.nl}${label ? `${label}:${sp}` : ''}do`,
    }[s.kind];
    const prefix = label && s.kind !== 'while' && s.kind !== 'do' ? `${label}:${sp}` : '';
    const log = `{__fz.log('loop', ${i})${this.end}${this.nl}${body.slice(1)}`;
    return `${prefix}${head}${sp}${log}${s.kind === 'do' ? `${sp}while${sp}(${i}++${sp}<${sp}1)${this.end}` : ''}`;
  }

  suspend({ e, form }) {
    const { sp, end } = this;
    const x = this.expr(e);
    const v = `w${this.counter++}`;
    if (this.async && (!this.generator || form % 2 === 0)) {
      const forms = [`await ${x}`, `await(${x})`, `__fz.log('awaited', await ${x})`, `const ${v}${sp}=${sp}await(${x})${end}${this.nl}__fz.log(${v})`, `await\n(${x})`, `void await${sp}(${x})`, `__fz.log([await(1),${sp}await(${x})])`];
      return forms[form % forms.length] + end;
    }
    if (this.generator) {
      const forms = [`yield ${x}`, `yield(${x})`, `__fz.log('sent', yield ${x})`, `yield`, `yield* [${x}]`, `yield\n(${x})`, `yield${sp}[${x}]`, `const ${v}${sp}=${sp}yield${end}${this.nl}__fz.log(${v})`, `yield*[1]`];
      return forms[form % forms.length] + end;
    }
    return `__fz.log(${x})${end}`;
  }

  hazard(form) {
    const { end, sp, nl } = this;
    const k = this.counter++;
    // In no-semicolon style these lines start with ( [ ` + - / and rely on a leading `;` or on continuing the line above.
    const lead = this.style === 'nosemi' ? ';' : '';
    const forms = [
      `${lead}(function${sp}()${sp}{${sp}__fz.log('iife')${sp}})()${end}`,
      `${lead}[1,${sp}2].forEach((x)${sp}=>${sp}__fz.log('each', x))${end}`,
      `${lead}\`t${k}\`.split('')${end}`,
      `let h${k}${sp}=${sp}'a'${nl}${sp}+${sp}'b'${nl}${sp}-${sp}0${end}${nl}__fz.log(h${k})${end}`,
      `let q${k}${sp}=${sp}8${nl}/2/1${end}${nl}__fz.log(q${k})${end}`,
      `let p${k}${sp}=${sp}1${end}${nl}p${k}${nl || ';'}++p${k}${end}${nl}__fz.log(p${k})${end}`,
      `${lead}/re/.test('re')${end}`,
    ];
    return forms[form % forms.length];
  }
}
