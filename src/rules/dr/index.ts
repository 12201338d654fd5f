import { Rule } from '../../engine/types';
import { DR19, DR20, DR21 } from './hosts';
import { DR09, DR10 } from './locality';
import { DR01, DR02, DR06, DR07, DR08, DR12, DR13 } from './shape';
import { DR03, DR04, DR05, DR22 } from './subsets';
import { DR14, DR15, DR16, DR17 } from './tls';

/**
 * Catalogue rules DR-01..DR-22: DestinationRule shape, traffic policies, locality load balancing, subsets, client TLS and hosts.
 *
 * Not implemented: DR-11 (an Info note: adding outlierDetection turns locality failover on; the engine has
 * no Info level and a warning would fire on every circuit breaker) and DR-18 (needs PeerAuthentications and
 * the mesh's auto-mTLS setting, which the engine does not read).
 */
export const DR_RULES: readonly Rule[] = [DR01, DR02, DR03, DR04, DR05, DR06, DR07, DR08, DR09, DR10, DR12, DR13, DR14, DR15, DR16, DR17, DR19, DR20, DR21, DR22];
