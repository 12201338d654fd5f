import { Rule } from './engine';
import { GW06, GW07 } from './gw-app';
import { GW11 } from './gw-routes';
import { GW01, GW02, GW03, GW04 } from './gw-shape';
import { GW05 } from './gw-tls';
import { GW08, GW09 } from './gw-workloads';

export { GW01, GW02, GW03, GW04, GW05, GW06, GW07, GW08, GW09, GW11 };

/**
 * Catalogue rules GW-01..GW-11. GW-10 (the credentialName Secret exists and holds a valid certificate) is not
 * implemented: the engine sees no Secrets or Certificates, so the check would never run.
 */
export const GW_RULES: readonly Rule[] = [GW01, GW02, GW03, GW04, GW05, GW06, GW07, GW08, GW09, GW11];
