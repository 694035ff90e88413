// What the rewriter needs to know about the syntax around a function: which
// shape it gets, which functions must stay as written, where ASI ended a
// statement. Pure questions about the AST and the source; no edits here.
import { walk, type Node } from './collect.js';

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const FUNCTION_BOUNDARIES = new Set([...FUNCTION_TYPES, 'ClassDeclaration', 'ClassExpression']);

/** The nodes of this function's own body: not of functions or classes nested in it, nor inside a `with`. */
export function ownNodes(body: Node, visit: (node: Node) => void): void {
  walk(body, (node) => {
    if (FUNCTION_BOUNDARIES.has(node.type)) return false;
    visit(node);
    if (node.type === 'WithStatement') return false;
  });
}

/**
 * A plain function needs the slot shape when a `return` runs through a
 * `finally` (the call ends after it, once, whatever it does) or when it holds
 * a `with` (nothing of ours goes inside one: our names would be looked up on
 * the user's object, so its returns are left alone and the finally ends the call).
 */
export function needsSlot(body: Node): boolean {
  let found = false;
  const visit = (node: Node, guarded: boolean): void => {
    walk(node, (child) => {
      if (found) return false;
      if (child !== node && FUNCTION_BOUNDARIES.has(child.type)) return false;
      if (child.type === 'WithStatement') return void (found = true);
      if (child.type === 'ReturnStatement' && guarded) return void (found = true);
      if (child !== node && child.type === 'TryStatement' && child.finalizer && !guarded) {
        visit(child.block, true);
        if (child.handler) visit(child.handler, true);
        visit(child.finalizer, false);
        return false;
      }
    });
  };
  visit(body, false);
  return found;
}

/**
 * Whether the code after `offset` goes on, after a line break, with a token that would continue an
 * expression (`(`, `[`, a template, `+`, `-`, `/`, `.`): where the original had ASI end a statement.
 */
export function nextLineContinues(source: string, offset: number): boolean {
  let newline = false;
  for (let i = offset; i < source.length; i++) {
    const c = source[i];
    if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') newline = true;
    else if (c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\ufeff' || c === '\u00a0') continue;
    else if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      if (end < 0) return false;
      i = end - 1;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) return false;
      if (/[\n\r\u2028\u2029]/.test(source.slice(i, end))) newline = true;
      i = end + 1;
    } else return newline && '([`+-/.'.includes(c);
  }
  return false;
}

/** The functions that are constructors of classes with an `extends`. */
export function derivedConstructors(program: Node): Set<Node> {
  const found = new Set<Node>();
  walk(program, (node) => {
    if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.superClass) {
      for (const member of node.body.body as Node[]) if (member.type === 'MethodDefinition' && member.kind === 'constructor') found.add(member.value);
    }
  });
  return found;
}

/**
 * A body whose top level declares a parameter's name again (`let a` over a
 * parameter `a` is a SyntaxError V8 must still raise; a sloppy-mode
 * `function a(){}` rebinds the parameter): moved into our try block, either
 * would change meaning, so such a function is left as written.
 */
export function redeclaresParameter(fn: Node): boolean {
  const body = fn.body as Node;
  if (body.type !== 'BlockStatement' || (fn.params as Node[]).length === 0) return false;
  const params = new Set<string>();
  for (const param of fn.params as Node[]) bindingNames(param, params);
  for (const statement of body.body as Node[]) {
    const names = new Set<string>();
    if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') for (const d of statement.declarations) bindingNames(d.id, names);
    else if ((statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') && statement.id) names.add(statement.id.name);
    for (const name of names) if (params.has(name)) return true;
  }
  return false;
}

export function bindingNames(pattern: Node | null | undefined, into: Set<string>): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern.name);
      break;
    case 'AssignmentPattern':
      bindingNames(pattern.left, into);
      break;
    case 'RestElement':
      bindingNames(pattern.argument, into);
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) bindingNames(element, into);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties) bindingNames(property.type === 'RestElement' ? property : property.value, into);
      break;
    case 'TSParameterProperty':
      bindingNames(pattern.parameter, into);
      break;
  }
}

/** Functions inside a `with` body: every name in them may resolve on the user's object first, so they stay untouched. */
export function underWith(program: Node): Set<Node> {
  const inside = new Set<Node>();
  walk(program, (node) => {
    if (node.type !== 'WithStatement') return;
    walk(node.body, (child) => {
      if (FUNCTION_TYPES.has(child.type)) inside.add(child);
    });
    return false;
  });
  return inside;
}

/** Names bound in the module's own scope: imports, top-level declarations, and `var`s and sloppy block functions anywhere outside functions. */
export function moduleScopeNames(program: Node): Set<string> {
  const names = new Set<string>();
  walk(program, (node) => {
    if (node.type === 'ImportDeclaration') for (const specifier of node.specifiers ?? []) names.add(specifier.local.name);
    else if (node.type === 'VariableDeclaration' && (node.kind === 'var' || (program.body as Node[]).includes(node))) for (const d of node.declarations) bindingNames(d.id, names);
    else if ((node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration') && node.id) names.add(node.id.name);
    if (FUNCTION_BOUNDARIES.has(node.type)) return false;
  });
  return names;
}
