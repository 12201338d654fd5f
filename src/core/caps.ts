/** The size caps of the Istio CRDs (`maxItems`, `maxProperties`, `maxLength`), as one check. */
import { invariant } from './check';

/** a list, map or string of `size` units is within the CRD's cap `max` for `kind`. */
export const crdCapProblem = invariant('X-13', (size: number, max: number, unit: string, kind: string): string | undefined =>
  (size > max ? `has ${size} ${unit} (the ${kind} CRD allows at most ${max})` : undefined));

/** ServiceEntry caps the constructs enforce before doing per-entry work (so absurd input is refused at once). */
export const SERVICE_ENTRY_MAX_HOSTS = 256;
export const SERVICE_ENTRY_MAX_PORTS = 256;
