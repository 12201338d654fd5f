import { DR01, DR02, DR06, DR07, DR12, DR13 } from './dr-grammar';
import { DR19, DR20, DR21 } from './dr-hosts';
import { DR10 } from './dr-locality';
import { DR04, DR05, DR22 } from './dr-subsets';
import { DR14, DR15, DR16, DR17 } from './dr-tls';
import { Rule } from './engine';

export { DR01, DR02, DR06, DR07, DR12, DR13 } from './dr-grammar';
export { DR19, DR20, DR21 } from './dr-hosts';
export { DR10, localityProblems } from './dr-locality';
export { DR04, DR05, DR22 } from './dr-subsets';
export { DR14, DR15, DR16, DR17 } from './dr-tls';

/**
 * Catalogue rules DR-01..DR-22 beyond DR-03, DR-08 and DR-09 (in destination-rule.ts).
 *
 * Not implemented: DR-11 (an Info note: adding outlierDetection turns locality failover on; the engine has
 * no Info level and a warning would fire on every circuit breaker) and DR-18 (needs PeerAuthentications and
 * the mesh's auto-mTLS setting, which the engine does not read).
 */
export const DR_RULES: readonly Rule[] = [
  DR01, DR02, DR04, DR05, DR06, DR07, DR10, DR12, DR13, DR14, DR15, DR16, DR17, DR19, DR20, DR21, DR22,
];
