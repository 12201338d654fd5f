import { Rule } from '../../engine/types';
import { GA01, GA02 } from './backends';
import { GA04, GA05, GA06 } from './mesh';
import { GA03 } from './parents';

/**
 * Rules GA-01..GA-06 on Gateway API HTTPRoutes (gateway.networking.k8s.io): rules that answer 500, Service backends and
 * parents that exist (with their ports), attachment to Gateway listeners, a catch-all for mesh routes, one routing API
 * per host, and hostnames that mesh routes ignore. What the Gateway API CRDs' schema and CEL rules refuse is SCHEMA.
 */
export const GA_RULES: readonly Rule[] = [GA01, GA02, GA03, GA04, GA05, GA06];
