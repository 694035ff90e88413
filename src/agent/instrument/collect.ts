// Finds every function in a parsed module that has a name a user could
// write: declarations, `const f = () => …`, class and object methods,
// `exports.f = …`, `Client.prototype.q = …`, default exports, and in
// TypeScript the functions of namespaces (`namespace A.B { function f }` is A.B.f).
// Abstract members and overload signatures have no body: nothing to time.

/** A loose ESTree node: oxc-parser's AST, walked generically. */
export interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: any;
}

export interface FoundFunction {
  /** The function node (FunctionDeclaration, FunctionExpression or ArrowFunctionExpression). */
  node: Node;
  /** Containers: ['Client'] for Client.query; [] for a plain function. */
  container: string[];
  /** Own name: 'query'; 'default' for an anonymous default export. */
  name: string;
  isStatic: boolean;
  /** Also answers to the name `default`. */
  isDefault: boolean;
  /** The line as written, when the name comes from a loader's original source (original-names.ts). */
  line?: number;
  /** The source file it was written in, when that is another file than the one loaded (a bundle's map). */
  file?: string;
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const WRAPPERS = new Set(['ParenthesizedExpression', 'TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion']);

/** `Object.freeze(x)`, `Object.seal(x)`, `Object.preventExtensions(x)` bind x's functions under the same names. */
const FREEZERS = new Set(['freeze', 'seal', 'preventExtensions']);

function unwrap(node: Node | null | undefined): Node | null | undefined {
  for (;;) {
    if (node && WRAPPERS.has(node.type)) node = node.expression;
    else if (node?.type === 'CallExpression' && node.arguments?.length >= 1 && (isFreezer(node.callee) || isKeepName(node))) node = node.arguments[0];
    else return node;
  }
}

function isFreezer(callee: Node): boolean {
  return (
    callee.type === 'MemberExpression' &&
    !callee.computed &&
    callee.object?.type === 'Identifier' &&
    callee.object.name === 'Object' &&
    FREEZERS.has(callee.property?.name)
  );
}

/** esbuild's keepNames (tsx uses it) wraps a value that would lose its name: `const f = __name(() => …, "f")`. */
function isKeepName(call: Node): boolean {
  const [, name] = call.arguments;
  return call.callee.type === 'Identifier' && call.callee.name === '__name' && call.arguments.length === 2 && name.type === 'Literal' && typeof name.value === 'string';
}

function isFunction(node: Node | null | undefined): boolean {
  return !!node && FUNCTION_TYPES.has(node.type) && !!node.body;
}

function keyName(key: Node, computed: boolean): string | undefined {
  if (computed) return key.type === 'Literal' && typeof key.value === 'string' ? key.value : undefined;
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'PrivateIdentifier') return '#' + key.name;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

/** `a.b.c` as ['a','b','c'], or undefined for anything computed. */
function memberPath(node: Node): string[] | undefined {
  node = unwrap(node)!;
  if (node.type === 'Identifier') return [node.name];
  if (node.type === 'ThisExpression') return ['this'];
  if (node.type === 'MemberExpression') {
    const object = memberPath(node.object);
    const property = keyName(node.property, node.computed);
    return object && property !== undefined ? [...object, property] : undefined;
  }
  return undefined;
}

/** Where an assignment target puts a value, as a name path; CommonJS exports are the module itself. */
function assignedPath(left: Node): string[] | undefined {
  const path = memberPath(left);
  if (!path) return undefined;
  if (path[0] === 'module' && path[1] === 'exports') return path.length === 2 ? ['default'] : path.slice(2);
  if (path[0] === 'exports' && path.length > 1) return path.slice(1);
  if (path[0] === 'this') return undefined;
  return path;
}

/** `A.B` of `namespace A.B {}`; undefined for `declare module 'x'` and `declare global`. */
function namespacePath(id: Node | null | undefined): string[] | undefined {
  if (id?.type === 'Identifier') return [id.name];
  if (id?.type === 'TSQualifiedName') {
    const left = namespacePath(id.left);
    return left && [...left, id.right.name];
  }
  return undefined;
}

/** `classes`, when given, receives each named class with the container its methods are reported under. */
export function collectFunctions(program: Node, classes?: Map<Node, string[]>): FoundFunction[] {
  const found: FoundFunction[] = [];
  const claimed = new Set<Node>();
  // The enclosing TypeScript namespace while walking its body.
  let namespace: string[] = [];

  const add = (node: Node, path: string[], isStatic: boolean, isDefault = false) => {
    if (claimed.has(node) || path.length === 0) return;
    claimed.add(node);
    let container = path.slice(0, -1);
    let instance = false;
    if (container[container.length - 1] === 'prototype') {
      container = container.slice(0, -1);
      instance = true;
    }
    const name = path[path.length - 1];
    found.push({ node, container, name, isStatic: isStatic && !instance, isDefault: isDefault || (path.length === 1 && name === 'default') });
  };

  const classMembers = (cls: Node, container: string[]) => {
    classes?.set(cls, container);
    for (const member of cls.body?.body ?? []) {
      const name = member.key && keyName(member.key, member.computed);
      if (name === undefined) continue;
      if (member.type === 'MethodDefinition' || member.type === 'TSAbstractMethodDefinition') {
        if (isFunction(member.value)) add(member.value!, [...container, name], !!member.static);
      } else if (member.type === 'PropertyDefinition' || member.type === 'AccessorProperty') {
        const value = unwrap(member.value);
        if (isFunction(value)) add(value!, [...container, name], !!member.static);
      }
    }
  };

  const objectMembers = (object: Node, container: string[]) => {
    for (const prop of object.properties ?? []) {
      if (prop.type !== 'Property') continue;
      const name = keyName(prop.key, prop.computed);
      if (name === undefined) continue;
      const value = unwrap(prop.value);
      if (isFunction(value)) add(value!, [...container, name], true);
      else if (value?.type === 'ObjectExpression') objectMembers(value, [...container, name]);
      else if (value?.type === 'ClassExpression') classMembers(value, [...container, name]);
    }
  };

  /** A value bound to a name path: a function, a class or an object literal. */
  const bind = (valueNode: Node | null | undefined, path: string[], isDefault = false) => {
    const value = unwrap(valueNode);
    if (!value) return;
    if (isFunction(value)) add(value!, path, true, isDefault);
    else if (value.type === 'ClassExpression') classMembers(value, value.id && path[0] === 'default' ? [value.id.name] : path);
    else if (value.type === 'ObjectExpression') objectMembers(value, path[0] === 'default' && path.length === 1 ? [] : path);
  };

  const visit = (node: Node): boolean | void => {
    switch (node.type) {
      case 'FunctionDeclaration':
        if (isFunction(node) && node.id) add(node, [...namespace, node.id.name], true);
        break;
      case 'ClassDeclaration':
        if (node.id) classMembers(node, [...namespace, node.id.name]);
        break;
      case 'TSModuleDeclaration': {
        const path = namespacePath(node.id);
        if (!path || !node.body) return false;
        const outer = namespace;
        namespace = [...namespace, ...path];
        walk(node.body, visit);
        namespace = outer;
        return false;
      }
      case 'ExportDefaultDeclaration': {
        const d = unwrap(node.declaration);
        if (d && isFunction(d)) {
          if (d.id) add(d, [d.id.name], true, true);
          else add(d, ['default'], true, true);
        } else if (d && (d.type === 'ClassDeclaration' || d.type === 'ClassExpression')) {
          classMembers(d, [d.id ? d.id.name : 'default']);
        } else bind(d, ['default'], true);
        break;
      }
      case 'VariableDeclarator':
        if (node.id?.type === 'Identifier') bind(node.init, [...namespace, node.id.name]);
        break;
      case 'AssignmentExpression':
        if (node.operator === '=') {
          const path = assignedPath(node.left);
          if (path) bind(node.right, path, path.length === 1 && path[0] === 'default');
        }
        break;
      case 'FunctionExpression':
        // A named function expression nothing else named: `arr.map(function mapper() {})`.
        if (isFunction(node) && node.id) namedExpressions.push(node);
        break;
      case 'ClassExpression':
        if (node.id) classFallback.push(node);
        break;
    }
  };

  const namedExpressions: Node[] = [];
  const classFallback: Node[] = [];
  walk(program, visit);
  for (const cls of classFallback) classMembers(cls, [cls.id.name]);
  for (const fn of namedExpressions) add(fn, [fn.id.name], true);
  return found;
}

/** Depth-first walk over every node, parents before children; `visit` returning false skips a node's children. */
export function walk(node: Node, visit: (node: Node) => boolean | void): void {
  if (visit(node) === false) return;
  for (const key in node) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    const value = node[key];
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const child of value) if (child !== null && typeof child === 'object' && typeof child.type === 'string') walk(child, visit);
    } else if (typeof value.type === 'string') walk(value, visit);
  }
}
