import { Rule } from '../../engine/types';
import { SC05 } from './lockdown';
import { SC06 } from './network-policy';
import { SC03, SC04 } from './selectors';
import { SC01, SC02 } from './shape';

/**
 * Catalogue rules SC-01..SC-06: Sidecar shape (the webhook's grammar), duplicate egress hosts, one Sidecar per
 * workload, scope and outbound-policy warnings, the egress lockdown of REGISTRY_ONLY namespaces, and the
 * NetworkPolicy that makes it a boundary.
 */
export const SC_RULES: readonly Rule[] = [SC01, SC02, SC03, SC04, SC05, SC06];
