/**
 * Values that do not survive a round trip through YAML. cdk8s writes manifests with a YAML 1.1 schema, which
 * quotes every string YAML 1.1 would read as something else (`yes`, `017`, `0x1F`, `1_000`, `1e3`, …) — but
 * not the strings only Go's number syntax (kubectl's go-yaml v2 reads plain scalars with `strconv.ParseInt(s, 0,
 * 64)`) and YAML 1.2 readers (kustomize's go-yaml v3, the JS `yaml` package) read as integers: `0o17`, `0O17`,
 * `-0o17`, `0o1_7`. It also writes U+2028, U+2029 and U+0085 raw, which go-yaml reads as line breaks.
 */

const GO_OCTAL = /^([-+]?)0[oO]_?([0-7]+(?:_[0-7]+)*)$/;
const LINE_BREAKS = /[\u2028\u2029\u0085]/;

/** Why `text`, written by cdk8s, would not be read back as this string by kubectl or a YAML 1.2 reader; or `undefined`. */
export function yamlReadBackProblem(text: string): string | undefined {
  const octal = GO_OCTAL.exec(text);
  if (octal) {
    const n = Number.parseInt(octal[2].replace(/_/g, ''), 8) * (octal[1] === '-' ? -1 : 1);
    return `is written unquoted by cdk8s, and kubectl (Go number syntax) and YAML 1.2 readers read it back as the integer ${n}`;
  }
  const brk = LINE_BREAKS.exec(text);
  if (brk) return `contains U+${brk[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which cdk8s writes raw and kubectl's YAML reader takes for a line break`;
  return undefined;
}

/** Every map key and string value of a JSON value that {@link yamlReadBackProblem} flags, with its path (`spec.subsets[0].labels.version`). */
export function yamlReadBackProblems(value: unknown, path = ''): Array<{ path: string; value: string; problem: string }> {
  const out: Array<{ path: string; value: string; problem: string }> = [];
  // The keys and indexes down to the current node; a path string is built only for a problem.
  const segments: Array<string | number> = [];
  const pathOf = (): string => {
    let at = path;
    for (const s of segments) {
      at = typeof s === 'number' ? `${at}[${s}]` : /^[A-Za-z_$][\w$-]*$/.test(s) ? (at ? `${at}.${s}` : s) : `${at}[${JSON.stringify(s)}]`;
    }
    return at;
  };
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      const problem = yamlReadBackProblem(v);
      if (problem) out.push({ path: pathOf(), value: v, problem });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        segments.push(i);
        visit(v[i]);
        segments.pop();
      }
    } else if (typeof v === 'object' && v !== null) {
      for (const key of Object.keys(v)) {
        segments.push(key);
        const problem = yamlReadBackProblem(key);
        if (problem) out.push({ path: pathOf(), value: key, problem: `(a map key) ${problem}` });
        visit((v as Record<string, unknown>)[key]);
        segments.pop();
      }
    }
  };
  visit(value);
  return out;
}
