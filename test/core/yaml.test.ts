import { parse } from 'yaml';
import { Yaml } from 'cdk8s';
import { yamlReadBackProblem, yamlReadBackProblems } from '../../src/core/yaml';

describe('yamlReadBackProblem', () => {
  test.each([['0o17', 15], ['0O17', 15], ['-0o17', -15], ['+0o17', 15], ['0o1_7', 15], ['0o_17', 15]])('%s reads back as the integer %i', (text, n) => {
    expect(yamlReadBackProblem(text)).toContain(`integer ${n}`);
  });

  test('cdk8s really writes these unquoted, and a YAML 1.2 reader really reads a number', () => {
    const written = Yaml.stringify({ version: '0o17' });
    expect(written.trim()).toBe('version: 0o17');
    expect(parse(written)).toEqual({ version: 15 });
  });

  test('strings cdk8s already quotes, and ordinary strings, are fine', () => {
    for (const text of ['017', '0x1F', '1_000', 'yes', 'on', '1e3', '~', 'null', '0o', '0o8', 'v0o17', 'version-0o17', '']) {
      expect(yamlReadBackProblem(text)).toBeUndefined();
      expect(parse(Yaml.stringify({ v: text }))).toEqual({ v: text });
    }
  });

  test('U+2028, U+2029 and U+0085 are flagged', () => {
    expect(yamlReadBackProblem('a\u2028b')).toContain('U+2028');
    expect(yamlReadBackProblem('a\u2029b')).toContain('U+2029');
    expect(yamlReadBackProblem('a\u0085b')).toContain('U+0085');
  });

  test('every key and string value of an object, with its path', () => {
    expect(yamlReadBackProblems({ spec: { subsets: [{ labels: { version: '0o17', app: 'a' } }], '0o7': 'x' } }).map((p) => p.path)).toEqual([
      'spec.subsets[0].labels.version', 'spec["0o7"]',
    ]);
  });
});
