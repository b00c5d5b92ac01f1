import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../error.js';
import { jsonPath, parsePath } from './index.js';

const store = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553', price: 8.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  'odd key': 1,
};

describe('jsonPath', () => {
  it.each([
    ['$', store],
    ['$.store.bicycle.color', 'red'],
    ["$['store']['bicycle']['color']", 'red'],
    ['$["odd key"]', 1],
    ['$.store.book[0].author', 'Nigel Rees'],
    ['$.store.book[-1].title', 'Moby Dick'],
    ['$.store.book[*].author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville']],
    ['$.store.book.*.price', [8.95, 12.99, 8.99]],
    ['$.store.book[0,2].price', [8.95, 8.99]],
    ["$.store.bicycle['color','price']", ['red', 19.95]],
    ['$.store.book[0:2].price', [8.95, 12.99]],
    ['$.store.book[1:].price', [12.99, 8.99]],
    ['$.store.book[:-1].price', [8.95, 12.99]],
    ['$.store.book[::2].price', [8.95, 8.99]],
    ['$.store.book[::-1].price', [8.99, 12.99, 8.95]],
    ['$.store.book[?(@.price < 10)].title', ['Sayings', 'Moby Dick']],
    ["$.store.book[?(@.category == 'fiction' && @.price > 10)].author", ['Evelyn Waugh']],
    ['$.store.book[?(@.isbn)].title', ['Moby Dick']],
    ['$.store.book[?(!@.isbn)].title', []], // a missing key makes the filter fail, as in Go
    ["$.store.book[?(@['category'] == 'reference')].price", [8.95]],
    ["$.store.book[?(@.author =~ '^H')].title", ['Moby Dick']],
    ["$.store.book[?(@.category in ['reference'])].title", ['Sayings']],
    ['$.store.book[?(@.price > $.store.bicycle.price - 10)].title', ['Sword']],
    ['$.store.book[?(@.price < 10)][0].title', 'Sayings'],
    ['$.store.book[(@.length-1)].title', 'Moby Dick'],
    ['$.store.book.length', 3],
    ['$..author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville']],
    ['$..price', [19.95, 8.95, 12.99, 8.99]],
    ['$.store.*.color', ['red']],
  ])('%s', (path, expected) => {
    expect(jsonPath(store, path)).toEqual(expected);
  });

  it('maps the remaining path over each element without flattening', () => {
    expect(jsonPath([{ bar: [42] }], '$[*].bar[*]')).toEqual([[42]]);
    expect(jsonPath([[1], [2, 3]], '$.*[1]')).toEqual([3]);
    expect(jsonPath(['a', 'b', 'c'], '$[1:10]')).toEqual(['b', 'c']);
    expect(jsonPath([1, 2], '$[7:10]')).toEqual([]);
  });

  it('Argo examples', () => {
    expect(jsonPath([{ name: 'should-print', value: 'true' }], '$[0].value')).toBe('true');
    const cfg = { employees: [{ name: 'Baris', age: 43 }, { name: 'Mo', age: 42 }, { name: 'Jai', age: 44 }] };
    expect(jsonPath(cfg, '$.employees[?(@.name=="Baris")].age')).toEqual([43]);
    expect(jsonPath(cfg, '$.employees[?(@.age>42 && @.age<44)].age')).toEqual([43]);
  });

  it('errors on missing keys, bad indexes and malformed selectors', () => {
    expect(() => jsonPath(store, '$.nope')).toThrow("key: invalid token key 'nope' not found");
    expect(() => jsonPath([1], '$[3]')).toThrow('out of range');
    expect(() => jsonPath({ a: 1 }, '$[0]')).toThrow('expected [array slice] got [map]');
    expect(() => jsonPath(store, 'store')).toThrow(ExpressionError);
    expect(() => parsePath('$.a[0')).toThrow("missing ']'");
    expect(() => parsePath('$[?()]')).toThrow('is empty');
  });
});
