/** Where the warnings of a synth go (`Rules.warningSink`): the interface and the ready-made sinks. */
import { formatViolation, Violation } from '../core/errors';

/**
 * Receives the warnings of a synth (see `Rules.warningSink`). Implement it to route warnings elsewhere (a
 * logger, a CI annotation); use `strict` on `Rules` to make warnings fail synth instead.
 */
export interface IWarningSink {
  /** Called once per synth that found warnings, with all of them. */
  report(warnings: Violation[]): void;
}

/** The ready-made warning sinks. */
export class WarningSink {
  /** Writes each warning as one line to stderr: `warning [path] CODE: message. fix (see <rules.md URL>#code)`. */
  public static stderr(): IWarningSink {
    return { report: (warnings) => { for (const w of warnings) process.stderr.write(`warning ${formatViolation(w)}\n`); } };
  }

  /** Drops warnings (they stay readable in `Rules.lastReport`). */
  public static discard(): IWarningSink {
    return { report: () => undefined };
  }

  private constructor() {}
}

/** A warning sink that keeps every warning it receives, in order (for tests and tools). */
export class WarningCollector implements IWarningSink {
  /** The warnings received so far. */
  public readonly warnings: Violation[] = [];

  /** Appends `warnings` to {@link WarningCollector.warnings}. */
  public report(warnings: Violation[]): void {
    this.warnings.push(...warnings);
  }
}
