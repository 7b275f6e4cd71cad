import { describe, expect, it } from 'vitest';
import { removeMember, renderJson, setMember } from '../../../scripts/registration/json-edit.js';

const CONFIG = `{
  "$schema": "./schemas/tappaas.schema.json",
  "lint": {
    "ignore": ["test/fixtures/**"]
  }
}
`;

describe('setMember / removeMember keep every other byte', () => {
  it('adds a section at the end, indented like its siblings', () => {
    expect(
      setMember(CONFIG, ['hosts', 'web1'], { address: '10.0.0.1', role: 'vllm', tags: ['vllm'] }),
    ).toBe(`{
  "$schema": "./schemas/tappaas.schema.json",
  "lint": {
    "ignore": ["test/fixtures/**"]
  },
  "hosts": {
    "web1": {
      "address": "10.0.0.1",
      "role": "vllm",
      "tags": ["vllm"]
    }
  }
}
`);
  });
  it('adds a member to an existing object and replaces an existing one in place', () => {
    const one = setMember(CONFIG, ['hosts', 'a'], { role: 'x' });
    const two = setMember(one, ['hosts', 'b'], { role: 'y' });
    expect(two).toContain('"a": {\n      "role": "x"\n    },\n    "b": {\n      "role": "y"\n    }');
    const replaced = setMember(two, ['hosts', 'a'], { role: 'z' });
    expect(replaced).toBe(two.replace('"role": "x"', '"role": "z"'));
    expect(setMember(replaced, ['hosts', 'a'], { role: 'z' })).toBe(replaced);
  });
  it('fills an empty object and a compact document', () => {
    expect(setMember('{"hosts": {}}', ['hosts', 'h'], 1)).toBe('{"hosts": {\n  "h": 1\n}}');
    expect(setMember('{}\n', ['a'], [])).toBe('{\n  "a": []\n}\n');
    expect(setMember('{"a":1,"b":{"c":2}}', ['b', 'd'], true)).toBe('{"a":1,"b":{"c":2,\n  "d": true}}');
  });
  it('removes first, middle, last and only members', () => {
    const text = '{\n  "hosts": {\n    "a": 1,\n    "b": 2,\n    "c": 3\n  }\n}\n';
    expect(removeMember(text, ['hosts', 'a'])).toBe('{\n  "hosts": {\n    "b": 2,\n    "c": 3\n  }\n}\n');
    expect(removeMember(text, ['hosts', 'b'])).toBe('{\n  "hosts": {\n    "a": 1,\n    "c": 3\n  }\n}\n');
    expect(removeMember(text, ['hosts', 'c'])).toBe('{\n  "hosts": {\n    "a": 1,\n    "b": 2\n  }\n}\n');
    expect(removeMember('{"hosts": {"a": {"x": [1, {"y": "}"}]}}}', ['hosts', 'a'])).toBe('{"hosts": {}}');
    expect(removeMember(text, ['hosts', 'zz'])).toBe(text);
    expect(removeMember(text, ['nope', 'zz'])).toBe(text);
  });
  it('strings with quotes, escapes and braces do not confuse it', () => {
    const text = '{"k\\"}": "v{\\\\", "hosts": {"a": "]"}}';
    expect(JSON.parse(setMember(text, ['hosts', 'b'], 'x'))).toEqual({
      'k"}': 'v{\\',
      hosts: { a: ']', b: 'x' },
    });
    expect(JSON.parse(removeMember(text, ['hosts', 'a']))).toEqual({ 'k"}': 'v{\\', hosts: {} });
  });
  it('refuses invalid JSON and non-objects on the path', () => {
    expect(() => setMember('{"a": ', ['a'], 1)).toThrow();
    expect(() => setMember('{"a": 1}', ['a', 'b'], 1)).toThrow(/\/a is not an object/);
  });
  it('renders objects one member a line and short scalar arrays inline', () => {
    expect(renderJson({ a: [1, 'x'], b: {}, c: [{ d: null }] }, '')).toBe(
      '{\n  "a": [1, "x"],\n  "b": {},\n  "c": [\n    {\n      "d": null\n    }\n  ]\n}',
    );
  });
});
