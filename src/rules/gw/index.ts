import { Rule } from '../../engine/types';
import { GW06, GW07 } from './conflicts';
import { GW11 } from './routes';
import { GW01, GW02, GW03, GW04 } from './shape';
import { GW05 } from './tls';
import { GW08, GW09 } from './workloads';

/**
 * Catalogue rules GW-01..GW-11: Gateway shape, TLS, conflicts, workloads and served hosts.
 *
 * GW-10 (the credentialName Secret exists and holds a valid certificate) is not implemented: the engine sees no
 * Secrets or Certificates, so the check would never run.
 */
export const GW_RULES: readonly Rule[] = [GW01, GW02, GW03, GW04, GW05, GW06, GW07, GW08, GW09, GW11];
