import assert from 'node:assert/strict';
import { test } from 'node:test';
import fastJsonPatch from 'fast-json-patch';
import { applyPatch, deepFreeze, jsonEquals, PatchError, parsePointer } from '../../src/patch.js';

// RFC 6902 appendix A, each example as [document, patch, result or the error expected].
const RFC_EXAMPLES = [
  ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
  ['A.2 add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
  ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  ['A.4 remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
  ['A.5 replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
  ['A.6 move a value', { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }],
  ['A.7 move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
    { foo: ['all', 'cows', 'eat', 'grass'] }],
  ['A.8 test a value: success', { baz: 'qux', foo: ['a', 2, 'c'] },
    [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }],
  ['A.9 test a value: error', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], PatchError],
  ['A.10 add a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
  ['A.11 ignore unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
  ['A.12 add to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], PatchError],
  ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], PatchError],
  ['A.16 add an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
];

for (const [name, document, patch, expected] of RFC_EXAMPLES) {
  test(`RFC 6902 ${name}`, () => {
    const before = structuredClone(document);
    if (expected === PatchError) assert.throws(() => applyPatch(document, patch), PatchError);
    else assert.deepEqual(applyPatch(document, patch), expected);
    assert.deepEqual(document, before, 'the input is never modified');
  });
}

test('copy, replace of the root, and removal of the last array element', () => {
  assert.deepEqual(applyPatch({ a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }]), { a: { b: 1 }, c: { b: 1 } });
  assert.deepEqual(applyPatch({ a: 1 }, [{ op: 'replace', path: '', value: [1] }]), [1]);
  assert.deepEqual(applyPatch([1, 2], [{ op: 'remove', path: '/1' }]), [1]);
});

test('invalid patches and pointers fail with a message naming the operation; nothing is applied', () => {
  const document = deepFreeze({ list: [1, 2], obj: { a: 1 } });
  const cases = [
    [[{ op: 'replace', path: '/list/2', value: 0 }], /index 2 is out of bounds/],
    [[{ op: 'add', path: '/list/01', value: 0 }], /not an array index/],
    [[{ op: 'remove', path: '/missing' }], /does not exist/],
    [[{ op: 'replace', path: 'obj', value: 1 }], /does not start with/],
    [[{ op: 'add', path: '/obj/a/b', value: 1 }], /not an object or array/],
    [[{ op: 'move', from: '/obj', path: '/obj/inner' }], /into itself/],
    [[{ op: 'add', path: '/x' }], /"value" is missing/],
    [[{ op: 'frobnicate', path: '/x' }], /unknown op/],
    [[{ op: 'replace', path: '/obj/a', value: 2 }, { op: 'remove', path: '/nope' }], /operation 1/],
    [{ op: 'add' }, /must be an array/],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => applyPatch(document, patch), (error) => error instanceof PatchError && message.test(error.message), JSON.stringify(patch));
  }
  assert.deepEqual(document, { list: [1, 2], obj: { a: 1 } });
});

test('unchanged parts are shared with the input; the input may be frozen', () => {
  const document = deepFreeze({ left: { deep: [1, 2, 3] }, right: { value: 1 } });
  const result = applyPatch(document, [{ op: 'replace', path: '/right/value', value: 2 }]);
  assert.equal(result.left, document.left);
  assert.notEqual(result.right, document.right);
  assert.equal(document.right.value, 1);
});

test('a key named __proto__ is an ordinary member, not a prototype', () => {
  const result = applyPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]);
  assert.equal(Object.getPrototypeOf(result), Object.prototype);
  assert.deepEqual(Object.keys(result), ['__proto__']);
  assert.equal(({}).polluted, undefined);
});

test('parsePointer unescapes ~1 before ~0 and refuses other escapes', () => {
  assert.deepEqual(parsePointer('/a~1b/m~0n/~01'), ['a/b', 'm~n', '~1']);
  assert.deepEqual(parsePointer(''), []);
  assert.throws(() => parsePointer('/a~2'), PatchError);
});

test('jsonEquals ignores key order and tells numbers from strings', () => {
  assert.ok(jsonEquals({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }));
  assert.ok(!jsonEquals({ a: 1 }, { a: '1' }));
  assert.ok(!jsonEquals([1], { 0: 1 }));
  assert.ok(!jsonEquals({ a: undefined }, { b: undefined }));
});

// Differential test: patches that fast-json-patch's compare() produces between random documents
// take each document to the other with this implementation too.
function random(seed) {
  let x = seed;
  return () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
}

function randomValue(next, depth) {
  const kind = Math.floor(next() * (depth > 2 ? 4 : 6));
  if (kind === 0) return Math.floor(next() * 100);
  if (kind === 1) return ['a', 'b', 'x/y', 'm~n', ''][Math.floor(next() * 5)];
  if (kind === 2) return next() < 0.5;
  if (kind === 3) return null;
  if (kind === 4) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  const object = {};
  for (let i = Math.floor(next() * 4); i > 0; i--) object[['k', 'l', 'a/b', '~', 'z'][Math.floor(next() * 5)]] = randomValue(next, depth + 1);
  return object;
}

test('agrees with fast-json-patch on 2000 random document pairs', () => {
  const next = random(42);
  for (let i = 0; i < 2000; i++) {
    const a = deepFreeze({ root: randomValue(next, 0) });
    const b = { root: randomValue(next, 0) };
    const patch = fastJsonPatch.compare(a, b);
    assert.deepEqual(applyPatch(a, patch), b, JSON.stringify({ a, patch }));
  }
});
