import * as path from 'path';

/** Default overall time limit: below ArgoCD's default repo-server timeout (60 s) and ARGOCD_EXEC_TIMEOUT (90 s). */
export const DEFAULT_TIMEOUT_SECONDS = 50;

/**
 * A setting `generate` cannot accept: unknown or malformed ArgoCD parameter or environment variable, or a
 * bad command-line value. Exit code 2. Messages name the parameter or variable, never its value: values come
 * from the Application spec or the environment and may hold secrets.
 */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** What the Application asks for, from `ARGOCD_APP_PARAMETERS` and `ARGOCD_ENV_CDK8S_*`. */
export interface PluginSettings {
  /** App entry (a .js or .ts file relative to the application directory). */
  readonly app?: string;
  /** Namespace for namespaced objects that have none. */
  readonly namespace?: string;
  readonly strict?: boolean;
  readonly syncWaves?: boolean;
  /** Extra environment variables for the app process. */
  readonly env: Readonly<Record<string, string>>;
}

type Setting = 'app' | 'namespace' | 'strict' | 'syncWaves';

interface ParameterSpec {
  readonly setting: Setting | 'env';
  readonly collection: 'string' | 'map';
  /** The `ARGOCD_ENV_` name that may set the same thing (Application `spec.source.plugin.env`). */
  readonly envName?: string;
}

/** The parameters declared in argocd/plugin.yaml (`parameters.static`). Keep the two in step. */
export const PARAMETERS: Readonly<Record<string, ParameterSpec>> = {
  'app': { setting: 'app', collection: 'string', envName: 'CDK8S_APP' },
  'namespace': { setting: 'namespace', collection: 'string', envName: 'CDK8S_NAMESPACE' },
  'strict': { setting: 'strict', collection: 'string', envName: 'CDK8S_STRICT' },
  'sync-waves': { setting: 'syncWaves', collection: 'string', envName: 'CDK8S_SYNC_WAVES' },
  'env': { setting: 'env', collection: 'map' },
};

const ENV_PREFIX = 'ARGOCD_ENV_';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Variables the app may not receive through the `env` parameter (`X_*`: every name with that prefix): ours (CDK8S_OUTDIR,
 * and CDK8S_ISTIO_TRAFFIC_* for the TypeScript hook and the analysis handshake), ArgoCD's,
 * the loader's, and those of Node.js that change which code runs or how modules are found (NODE_OPTIONS,
 * NODE_PATH, NODE_PRESERVE_SYMLINKS) or break the process (NODE_CHANNEL_FD, NODE_UNIQUE_ID). Not all of `NODE_*`:
 * `NODE_ENV` is the app's own setting (the usual way to pick a stage), and the rest only tune logging and warnings.
 * argocd/plugin.yaml and docs/argocd.md list the same names (a test keeps them in step).
 */
export const RESERVED_ENV_NAMES: readonly string[] = ['ARGOCD_*', 'PARAM_*', 'KUBE_*', 'NODE_OPTIONS', 'NODE_PATH',
  'NODE_PRESERVE_SYMLINKS', 'NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE', 'NODE_UNIQUE_ID', 'PATH', 'HOME', 'TMPDIR',
  'LD_*', 'CDK8S_OUTDIR', 'CDK8S_ISTIO_TRAFFIC_*'];
const RESERVED_ENV = new RegExp(`^(${RESERVED_ENV_NAMES.map((n) => n.replace('*', '.*')).join('|')})$`);

/** A name as it may appear in a message: quoted, control characters escaped, at most 64 characters. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

/**
 * Reads `ARGOCD_APP_PARAMETERS` (a JSON array of `{name, string|array|map}`) and the `ARGOCD_ENV_*`
 * variables strictly: an unknown name, a value of the wrong shape, a duplicate or a parameter set twice
 * (as parameter and as variable) is a {@link SettingsError}.
 */
export function readPluginSettings(env: NodeJS.ProcessEnv): PluginSettings {
  const raw: Partial<Record<Setting, { value: string; source: string }>> = {};
  let appEnv: Record<string, string> = {};

  for (const p of parseParameters(env.ARGOCD_APP_PARAMETERS)) {
    const spec = PARAMETERS[p.name];
    const source = `parameter ${quoteName(p.name)}`;
    if (spec.setting === 'env') appEnv = checkEnvMap(p.value as Record<string, string>, source);
    else raw[spec.setting] = { value: p.value as string, source };
  }

  const byEnvName = new Map(Object.entries(PARAMETERS).filter(([, s]) => s.envName).map(([name, s]) => [s.envName!, { name, spec: s }]));
  for (const key of Object.keys(env).sort()) {
    if (!key.startsWith(ENV_PREFIX)) continue;
    const suffix = key.slice(ENV_PREFIX.length);
    const known = byEnvName.get(suffix);
    if (!known) {
      throw new SettingsError(`unknown plugin environment variable ${quoteName(key)}: this plugin reads only `
        + `${[...byEnvName.keys()].map((k) => ENV_PREFIX + k).join(', ')}. Pass variables to the app with the "env" parameter (a map).`);
    }
    const setting = known.spec.setting as Setting;
    if (raw[setting]) throw new SettingsError(`${quoteName(key)} and parameter ${quoteName(known.name)} are both set: set only one`);
    raw[setting] = { value: env[key] ?? '', source: `variable ${quoteName(key)}` };
  }

  const str = (s: Setting) => (raw[s]?.value === '' ? undefined : raw[s]);
  const app = str('app');
  const namespace = str('namespace');
  const strict = str('strict');
  const syncWaves = str('syncWaves');
  return {
    ...(app ? { app: checkEntry(app.value, app.source) } : {}),
    ...(namespace ? { namespace: checkNamespace(namespace.value, namespace.source) } : {}),
    ...(strict ? { strict: checkBoolean(strict.value, strict.source) } : {}),
    ...(syncWaves ? { syncWaves: checkBoolean(syncWaves.value, syncWaves.source) } : {}),
    env: appEnv,
  };
}

interface RawParameter {
  readonly name: string;
  readonly value: string | string[] | Record<string, string>;
}

function parseParameters(text: string | undefined): RawParameter[] {
  if (text === undefined || text.trim() === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // The parser's message quotes the input: do not pass it on.
    throw new SettingsError('ARGOCD_APP_PARAMETERS is not valid JSON (expected an array of {name, string|array|map})');
  }
  if (data === null) return [];
  if (!Array.isArray(data)) throw new SettingsError('ARGOCD_APP_PARAMETERS is not a JSON array (expected an array of {name, string|array|map})');
  const seen = new Set<string>();
  return data.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || typeof entry.name !== 'string') {
      throw new SettingsError(`ARGOCD_APP_PARAMETERS[${i}] is not an object with a string "name"`);
    }
    const name: string = entry.name;
    const spec = Object.prototype.hasOwnProperty.call(PARAMETERS, name) ? PARAMETERS[name] : undefined;
    if (!spec) {
      throw new SettingsError(`unknown parameter ${quoteName(name)}: this plugin accepts ${Object.keys(PARAMETERS).map((n) => JSON.stringify(n)).join(', ')}`);
    }
    if (seen.has(name)) throw new SettingsError(`parameter ${quoteName(name)} is given more than once`);
    seen.add(name);
    const extra = Object.keys(entry).filter((k) => !['name', 'string', 'array', 'map'].includes(k));
    if (extra.length > 0) throw new SettingsError(`parameter ${quoteName(name)} has unexpected field(s) ${extra.map(quoteName).join(', ')}`);
    const given = ['string', 'array', 'map'].filter((k) => entry[k] !== undefined && entry[k] !== null);
    if (given.length !== 1 || given[0] !== spec.collection) {
      throw new SettingsError(`parameter ${quoteName(name)} must be given as a ${spec.collection}${spec.collection === 'map' ? ' of strings' : ''}`);
    }
    const value = entry[spec.collection];
    if (spec.collection === 'string' && typeof value !== 'string') throw new SettingsError(`parameter ${quoteName(name)} must be a string`);
    if (spec.collection === 'map') {
      if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
        throw new SettingsError(`parameter ${quoteName(name)} must be a map of strings`);
      }
    }
    return { name, value };
  });
}

function checkEnvMap(map: Record<string, string>, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map)) {
    if (!ENV_NAME.test(key)) throw new SettingsError(`${source}: key ${quoteName(key)} is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)`);
    if (RESERVED_ENV.test(key)) throw new SettingsError(`${source}: key ${quoteName(key)} is reserved (set by the plugin, Node.js or ArgoCD)`);
    if (map[key].includes('\0')) throw new SettingsError(`${source}: the value of key ${quoteName(key)} contains a NUL character`);
    Object.defineProperty(out, key, { value: map[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Checks an app entry as text: a relative path to a .js/.cjs/.mjs/.ts/.cts/.mts file inside the application
 * directory. Symbolic links are resolved when the file is used (generate-run's `prepareEntry`).
 */
export function checkEntry(value: string, source: string): string {
  const normalized = path.posix.normalize(value.replace(/\\/g, '/'));
  if (path.isAbsolute(value) || path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    throw new SettingsError(`${source} must be a path inside the application directory (relative, without "..")`);
  }
  if (!/\.(c|m)?(js|ts)$/.test(normalized) || /\.d\.(c|m)?ts$/.test(normalized)) {
    throw new SettingsError(`${source} must name a .js, .cjs, .mjs, .ts, .cts or .mts file`);
  }
  return normalized;
}

/** Checks a namespace name (DNS-1123 label). */
export function checkNamespace(value: string, source: string): string {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new SettingsError(`${source} is not a valid namespace name (DNS-1123 label: lowercase letters, digits and "-", at most 63 characters)`);
  }
  return value;
}

function checkBoolean(value: string, source: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new SettingsError(`${source} must be "true" or "false"`);
}
