/**
 * How kubectl reads a plain (unquoted, untagged) YAML scalar. kubectl, the API server's YAML decoder and Istio use
 * go-yaml v2 (through sigs.k8s.io/yaml), whose resolver differs from YAML 1.2 (the JS `yaml` package, kustomize's
 * go-yaml v3): YAML 1.1 booleans (`y`, `yes`, `on`, `off`, …), and numbers in Go's syntax after removing every
 * `_` (`017` and `0o17` are octal 15, `0x1F`, `0b101`, `1_000`, `08` is the float 8). Timestamps stay strings
 * (go-yaml v2 decodes them into `interface{}` as strings for compatibility). Mapping keys that resolve to another
 * type become strings in the JSON the API server sees (`yes:` is the key `"true"`).
 */

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const MAYBE_NOT_STRING = /[-+.0-9~nNyYtTfFoO]/;
const SMALL_DECIMAL = /^[1-9][0-9]*$|^0$/;
const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const INFINITIES: Record<string, number> = {
  '.inf': Infinity, '.Inf': Infinity, '.INF': Infinity, '+.inf': Infinity, '+.Inf': Infinity, '+.INF': Infinity,
  '-.inf': -Infinity, '-.Inf': -Infinity, '-.INF': -Infinity, '.nan': NaN, '.NaN': NaN, '.NAN': NaN,
};
/** go-yaml v2's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** The value kubectl reads for the plain scalar `source`: null, a boolean, a number, or the string itself. */
export function goYamlV2Plain(source: string): null | boolean | number | string {
  // Most scalars are words: only these first characters can start a non-string reading, and no word of more than
  // five characters that starts with a letter is anything but a string (the longest null/boolean word is "false").
  if (source !== '' && !MAYBE_NOT_STRING.test(source[0])) return source;
  const code = source.charCodeAt(0);
  if (source.length > 5 && ((code >= 65 && code <= 90) || (code >= 97 && code <= 122))) return source;
  // Small decimal integers (ports, weights, attempts) need no further grammar.
  if (source.length < 16 && SMALL_DECIMAL.test(source)) return Number(source);
  if (NULLS.has(source)) return null;
  if (TRUE.has(source)) return true;
  if (FALSE.has(source)) return false;
  if (source in INFINITIES) return INFINITIES[source];
  const first = source[0];
  if (first === '.') {
    // strconv.ParseFloat on the text as written (underscores only with a base prefix, which "." excludes).
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(source) ? Number(source) : source;
  }
  if (!/[-+0-9]/.test(first)) return source;
  if (/^\d{4}-\d{1,2}-\d{1,2}/.test(source)) return source; // a timestamp: kept as the string
  const plain = source.replace(/_/g, '');
  const int = parseGoInt(plain);
  if (int !== undefined) return Number(int);
  if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
  return source;
}

/**
 * `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`: an optional sign, then `0x`/`0o`/`0b` or a leading
 * `0` (octal) or decimal digits; `undefined` when Go would refuse it or it is out of the 64-bit range.
 */
function parseGoInt(text: string): bigint | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const digits = m[2];
  let magnitude: bigint;
  if (/^0[oO]/.test(digits)) magnitude = BigInt(`0o${digits.slice(2)}`);
  else if (/^0[xXbB]/.test(digits)) magnitude = BigInt(digits.toLowerCase());
  else if (digits.length > 1 && digits.startsWith('0')) magnitude = BigInt(`0o${digits.slice(1)}`);
  else magnitude = BigInt(digits);
  const value = m[1] === '-' ? -magnitude : magnitude;
  if (value > UINT64_MAX || value < -INT64_MAX - 1n) return undefined;
  if (m[1] === '-' && value > 0n) return undefined;
  if (value > INT64_MAX && m[1] !== '') return undefined; // ParseUint takes no sign
  return value;
}

/** The key the API server sees for a plain mapping key (sigs.k8s.io/yaml stringifies non-string keys). */
export function goYamlV2Key(source: string): string {
  const value = goYamlV2Plain(source);
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  return String(value);
}

/** How a value is named in messages: `the boolean true`, `the integer 15`, `the string "yes"`, `null`. */
export function describeYamlValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  return `the string ${JSON.stringify(String(value))}`;
}

const CORE_INT = /^[-+]?[0-9]+$/;
const CORE_OCT = /^0o[0-7]+$/;
const CORE_HEX = /^0x[0-9a-fA-F]+$/;
const CORE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const CORE_INF = /^[-+]?\.(inf|Inf|INF)$/;
const CORE_NAN = /^\.(nan|NaN|NAN)$/;

/**
 * The value a YAML 1.2 reader (core schema: the JS `yaml` package, kustomize's go-yaml v3) reads for the plain
 * scalar `source`.
 */
export function yaml12Plain(source: string): null | boolean | number | string {
  if (source === '' || source === '~' || source === 'null' || source === 'Null' || source === 'NULL') return null;
  if (source === 'true' || source === 'True' || source === 'TRUE') return true;
  if (source === 'false' || source === 'False' || source === 'FALSE') return false;
  if (CORE_INT.test(source)) return Number.parseInt(source, 10);
  if (CORE_OCT.test(source)) return Number.parseInt(source.slice(2), 8);
  if (CORE_HEX.test(source)) return Number.parseInt(source.slice(2), 16);
  if (CORE_FLOAT.test(source)) return Number(source);
  if (CORE_INF.test(source)) return source.startsWith('-') ? -Infinity : Infinity;
  if (CORE_NAN.test(source)) return NaN;
  return source;
}

/** Whether two scalar readings are the same value (NaN equals NaN). */
export function sameYamlValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}
