/**
 * A function's declared parameters, read from its source with acorn, and the binding of a
 * call's keyword arguments (`with:`) to them by name.
 *
 * JavaScript has no keyword arguments, so `with: {name, greeting}` means what it means in Python
 * and Java - each value goes to the parameter of that name - only if the worker knows the names.
 * They come from `Function.prototype.toString` parsed by a real parser (acorn): a regex cannot
 * tell a default value's commas and brackets from the list's own. A function whose source is not
 * JavaScript (native, bound) has no readable names, and keyword arguments to it are refused rather
 * than guessed.
 *
 * @module
 */

import { parseExpressionAt } from 'acorn';

/**
 * Sources longer than this are not parsed (a bundled or generated function): keyword arguments
 * to such a function are refused with the reason, positional ones work as always.
 */
export const MAX_SOURCE_CHARS = 1 << 20;

/**
 * @typedef {object} Param
 * @property {string | null} name the identifier, or null for a destructuring pattern
 * @property {boolean} hasDefault written with `= value`
 * @property {boolean} rest `...name`
 * @property {string} text the parameter as written, for messages and the catalog's signature
 */

/**
 * The declared parameters of `fn`, or a string saying why they cannot be read.
 *
 * @param {Function} fn
 * @returns {Param[] | string}
 */
export function paramsOf(fn) {
  let src;
  try {
    src = Function.prototype.toString.call(fn);
  } catch {
    return 'its source cannot be read';
  }
  if (src.length > MAX_SOURCE_CHARS) return `its source is longer than ${MAX_SOURCE_CHARS} characters`;
  if (/^class\b/.test(src)) return 'it is a class';
  const node = parseFunction(src);
  if (node === null) return 'its source is not JavaScript (a native or bound function)';
  return node.params.map((p) => describe(p, src));
}

/** The function node of a function's source text: a function, an arrow or a method. */
function parseFunction(src) {
  // A function expression or an arrow parses as is; a method (`name(a) {}`, `async *gen() {}`,
  // `get x() {}`) only as a property of an object literal.
  for (const [prefix, suffix] of [
    ['(', ')'],
    ['({', '})'],
  ]) {
    try {
      const expr = parseExpressionAt(prefix + src + suffix, 0, { ecmaVersion: 'latest' });
      const fnNode = expr.type === 'ObjectExpression' ? expr.properties[0]?.value : expr;
      if (fnNode && /^(Function|ArrowFunction)Expression$/.test(fnNode.type)) {
        return shift(fnNode, prefix.length);
      }
    } catch {
      // try the next form
    }
  }
  return null;
}

/** Node positions relative to the unwrapped source. */
function shift(fnNode, by) {
  return {
    params: fnNode.params.map((p) => ({ node: p, start: p.start - by, end: p.end - by })),
  };
}

function describe({ node, start, end }, src) {
  const text = src.slice(start, end).replace(/\s+/g, ' ');
  if (node.type === 'Identifier') return { name: node.name, hasDefault: false, rest: false, text };
  if (node.type === 'AssignmentPattern') {
    const name = node.left.type === 'Identifier' ? node.left.name : null;
    return { name, hasDefault: true, rest: false, text };
  }
  if (node.type === 'RestElement') {
    const name = node.argument.type === 'Identifier' ? node.argument.name : null;
    return { name, hasDefault: false, rest: true, text };
  }
  return { name: null, hasDefault: false, rest: false, text }; // an object or array pattern
}

/**
 * `(a, b = 1)`, the parameter list as written (each parameter's whitespace folded), for the
 * catalog; empty when the parameters cannot be read.
 *
 * @param {Param[] | string} params
 * @returns {string}
 */
export function signatureText(params) {
  if (typeof params === 'string') return '';
  const text = `(${params.map((p) => p.text).join(', ')})`;
  return text.length > 200 ? `${text.slice(0, 197)}...)` : text;
}

/**
 * The names keyword arguments may have (the catalog's `keywords`, which `braid check` holds
 * `with:` keys against), or null when any name goes (a lone destructured parameter receives the
 * whole object) or the parameters cannot be read.
 *
 * @param {Param[] | string} params
 * @returns {string[] | null}
 */
export function keywordNames(params) {
  if (typeof params === 'string') return null;
  if (params.length === 1 && params[0].name === null && !params[0].rest) return null;
  return params.filter((p) => !p.rest && p.name !== null).map((p) => p.name);
}

/** A call whose arguments do not fit the function's parameters; the message says how to call it. */
export class BindError extends Error {}
BindError.prototype.name = 'TypeError';

/**
 * The argument list for a call of a function with `params` given positional `args` and keyword
 * `kwargs` (a non-empty plain object): the rule Python and Java follow, so that `with:` means the
 * same in every language.
 *
 * - Each keyword goes to the parameter of that name; a name no parameter has, or a parameter
 *   given both by position and by name, is an error.
 * - A parameter left out before one that is given must have a default (`= value`): it is passed
 *   as `undefined`, so the default applies. Parameters after the last one given are left out.
 * - A function whose only parameter is a destructuring pattern (`({name, greeting}) => ...`),
 *   called with keywords only, gets the keyword object as that argument (as a Java method whose
 *   one parameter is a record).
 *
 * @param {string} ref for messages
 * @param {Param[] | string} params from `paramsOf`; a string: why they cannot be read
 * @param {unknown[]} args
 * @param {Record<string, unknown>} kwargs
 * @returns {unknown[]} args, extended
 * @throws {BindError}
 */
export function bindKeywords(ref, params, args, kwargs) {
  const names = Object.keys(kwargs);
  if (typeof params === 'string') {
    throw new BindError(
      `cannot pass keyword arguments (${names.join(', ')}) to '${ref}': ${params}, so its ` +
        'parameter names are unknown; call it with positional arguments (args:) instead',
    );
  }
  if (args.length === 0 && params.length === 1 && params[0].name === null && !params[0].rest) {
    args.push(kwargs);
    return args;
  }
  const declared = params.filter((p) => !p.rest && p.name !== null).map((p) => p.name);
  let last = args.length - 1;
  for (const name of names) {
    const at = params.findIndex((p) => !p.rest && p.name === name);
    if (at < 0) {
      const has = declared.length === 0 ? 'no named parameters' : `parameters ${declared.join(', ')}`;
      throw new BindError(
        `'${ref}' has no parameter '${name}' (it has ${has}); ` +
          (params.some((p) => p.name === null && !p.rest)
            ? 'a destructured parameter receives an object: pass it in args: [{...}]'
            : 'name its parameters in with:, or pass values in order in args:'),
      );
    }
    if (at < args.length) {
      throw new BindError(`'${ref}' got parameter '${name}' twice: in args: (position ${at + 1}) and in with:`);
    }
    last = Math.max(last, at);
  }
  const out = args.slice();
  for (let i = args.length; i <= last; i++) {
    const p = params[i];
    if (Object.hasOwn(kwargs, p.name ?? '')) out.push(kwargs[p.name]);
    else if (p.hasDefault) out.push(undefined);
    else {
      throw new BindError(
        `'${ref}' is missing parameter ${p.name === null ? i + 1 : `'${p.name}'`}: ` +
          'it has no default and a later parameter is given; pass it in with: or args:',
      );
    }
  }
  return out;
}
