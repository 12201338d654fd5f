/**
 * The limits and defaults of what the CLI reads, apart from the readers themselves: `main` builds its options from
 * them without loading the YAML reader or the rules (generate needs neither when the app's synth checked its output).
 */

/**
 * Bounds on what `lint` reads, so that no input (a huge file, `/dev/zero`, a YAML bomb) costs more than about
 * 1 GB of memory or hangs. Each limit exceeded is an `InputError` (exit 2) naming the file and the option.
 */
export interface InputLimits {
  /** Bytes per file (and for stdin). `--max-file-size` */
  readonly maxFileBytes: number;
  /** Bytes of all files together. `--max-total-size` */
  readonly maxTotalBytes: number;
  /** YAML documents per file. `--max-documents` */
  readonly maxDocuments: number;
  /** Nesting of mappings and sequences, also counting what aliases expand to. `--max-depth` */
  readonly maxDepth: number;
  /** Alias nodes (`*ref`) per document; what they expand to is bounded by `maxTokens` and `maxDepth` too. `--max-aliases` */
  readonly maxAliases: number;
  /**
   * YAML tokens (runs of non-space characters, flow indicators) per document, counted before it is parsed, and the
   * nodes its aliases expand to: what the parser and the rules hold grows with them, not with bytes (32 MiB of `[],`
   * is 11 million tokens). `--max-tokens`
   */
  readonly maxTokens: number;
  /** YAML tokens of all files together (their parsed objects are kept until the rules ran). `--max-total-tokens` */
  readonly maxTotalTokens: number;
}

/** Bytes in a MiB. */
export const MiB = 1024 * 1024;

/** The defaults: generous for real repositories, and together below 1 GB of memory. */
export const DEFAULT_LIMITS: InputLimits = {
  maxFileBytes: 32 * MiB,
  maxTotalBytes: 256 * MiB,
  maxDocuments: 10_000,
  maxDepth: 100,
  maxAliases: 100,
  maxTokens: 1_000_000,
  maxTotalTokens: 4_000_000,
};

/** Reads up to `buffer.length` bytes of stdin into `buffer`; returns how many (0 at the end of input). */
export type ReadChunk = (buffer: Buffer) => number;

/** Findings `lint` lists by default (`--max-findings`). */
export const DEFAULT_MAX_LISTED = 10_000;
