// RFC 6902 JSON Patch, applied without changing its input: containers on the paths it touches are
// copied, everything else is shared with the input. RFC 6901 JSON Pointers. A patch that fails
// anywhere throws a PatchError and has no effect (the input is never modified).

/** Why a JSON Patch could not be applied. */
export class PatchError extends Error {
  constructor(message, index, operation) {
    super(index === undefined ? message : `operation ${index} (${JSON.stringify(operation)}): ${message}`);
    this.name = 'PatchError';
    this.index = index;
    this.operation = operation;
  }
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Structural equality of two JSON values (object key order does not matter). */
export function jsonEquals(a, b) {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const key of keys) if (!Object.hasOwn(b, key) || !jsonEquals(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/** Parses an RFC 6901 JSON Pointer into its reference tokens. */
export function parsePointer(pointer) {
  if (typeof pointer !== 'string') throw new PatchError(`a JSON Pointer must be a string, not ${JSON.stringify(pointer)}`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`JSON Pointer ${JSON.stringify(pointer)} does not start with "/"`);
  return pointer.slice(1).split('/').map((token) => {
    if (/~(?![01])/.test(token)) throw new PatchError(`JSON Pointer ${JSON.stringify(pointer)} has an invalid escape`);
    return token.replace(/~1/g, '/').replace(/~0/g, '~');
  });
}

function arrayIndex(array, token, pointer, { append = false, inclusive = false } = {}) {
  if (append && token === '-') return array.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`${JSON.stringify(pointer)}: ${JSON.stringify(token)} is not an array index`);
  const index = Number(token);
  if (index > array.length || (!inclusive && index === array.length)) {
    throw new PatchError(`${JSON.stringify(pointer)}: index ${index} is out of bounds (length ${array.length})`);
  }
  return index;
}

function get(document, tokens, pointer) {
  let node = document;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[arrayIndex(node, token, pointer)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new PatchError(`${JSON.stringify(pointer)} does not exist`);
  }
  return node;
}

function setOwn(object, key, value) {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Copies the containers along tokens[0..n-1] and lets change(parent, lastToken) edit the copy of the last one. */
function edit(document, tokens, pointer, change) {
  if (tokens.length === 0) return change(null, null);
  const step = (node, depth) => {
    const token = tokens[depth];
    const last = depth === tokens.length - 1;
    if (Array.isArray(node)) {
      const copy = node.slice();
      if (last) { change(copy, token); return copy; }
      const index = arrayIndex(node, token, pointer);
      copy[index] = step(node[index], depth + 1);
      return copy;
    }
    if (isObject(node)) {
      const copy = {};
      for (const key of Object.keys(node)) setOwn(copy, key, node[key]);
      if (last) { change(copy, token); return copy; }
      if (!Object.hasOwn(node, token)) throw new PatchError(`${JSON.stringify(pointer)}: the parent does not exist`);
      setOwn(copy, token, step(node[token], depth + 1));
      return copy;
    }
    throw new PatchError(`${JSON.stringify(pointer)}: the parent is not an object or array`);
  };
  return step(document, 0);
}

function add(document, pointer, value) {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  return edit(document, tokens, pointer, (parent, token) => {
    if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, pointer, { append: true, inclusive: true }), 0, value);
    else setOwn(parent, token, value);
  });
}

function remove(document, pointer) {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document');
  return edit(document, tokens, pointer, (parent, token) => {
    if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, pointer), 1);
    else if (Object.hasOwn(parent, token)) delete parent[token];
    else throw new PatchError(`${JSON.stringify(pointer)} does not exist`);
  });
}

function replace(document, pointer, value) {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  return edit(document, tokens, pointer, (parent, token) => {
    if (Array.isArray(parent)) parent[arrayIndex(parent, token, pointer)] = value;
    else if (Object.hasOwn(parent, token)) setOwn(parent, token, value);
    else throw new PatchError(`${JSON.stringify(pointer)} does not exist`);
  });
}

function operand(operation, name) {
  if (!Object.hasOwn(operation, name)) throw new PatchError(`"${name}" is missing`);
  return operation[name];
}

function applyOperation(document, operation) {
  if (!isObject(operation)) throw new PatchError('an operation must be an object');
  const path = operand(operation, 'path');
  switch (operation.op) {
    case 'add': return add(document, path, operand(operation, 'value'));
    case 'remove': return remove(document, path);
    case 'replace': return replace(document, path, operand(operation, 'value'));
    case 'move': {
      const from = operand(operation, 'from');
      if (from === path) { get(document, parsePointer(from), from); return document; }
      if (path.startsWith(`${from}/`)) throw new PatchError(`cannot move ${JSON.stringify(from)} into itself`);
      const value = get(document, parsePointer(from), from);
      return add(remove(document, from), path, value);
    }
    case 'copy': {
      const from = operand(operation, 'from');
      return add(document, path, get(document, parsePointer(from), from));
    }
    case 'test': {
      const expected = operand(operation, 'value');
      if (!jsonEquals(get(document, parsePointer(path), path), expected)) throw new PatchError(`test failed: ${JSON.stringify(path)} is not ${JSON.stringify(expected)}`);
      return document;
    }
    default: throw new PatchError(`unknown op ${JSON.stringify(operation.op)}`);
  }
}

/**
 * Applies an RFC 6902 patch to a JSON document and returns the result; the document is not
 * modified (unchanged parts are shared with the result). Throws a PatchError, with nothing applied,
 * if any operation fails.
 */
export function applyPatch(document, patch) {
  if (!Array.isArray(patch)) throw new PatchError('a JSON Patch must be an array of operations');
  let result = document;
  patch.forEach((operation, index) => {
    try {
      result = applyOperation(result, operation);
    } catch (error) {
      if (error instanceof PatchError && error.index === undefined) throw new PatchError(error.message, index, operation);
      throw error;
    }
  });
  return result;
}

/** Freezes a JSON value deeply; stops at values already frozen (shared, unchanged parts). */
export function deepFreeze(value) {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze(value[key]);
  return value;
}
