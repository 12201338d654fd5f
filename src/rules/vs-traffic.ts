import { Rule } from './engine';
import { VS27, VS28, VS29 } from './vs-traffic-actions';
import { VS20, VS22, VS24, VS26 } from './vs-traffic-fault-mirror';
import { VS30, VS31, VS32 } from './vs-traffic-gateways';
import { VS21, VS33, VS34, VS35 } from './vs-traffic-hosts';
import { VS36, VS37, VS38 } from './vs-traffic-optin';

export { VS20, VS21, VS22, VS24, VS26, VS27, VS28, VS29, VS30, VS31, VS32, VS33, VS34, VS35, VS36, VS37, VS38 };
export { ARGO_ROLLOUTS_MANAGED_ROUTES_ANNOTATION, ARGO_ROLLOUTS_ROUTES_ANNOTATION, FLAGGER_CANARY_ANNOTATION } from './vs-traffic-optin';

/**
 * Catalogue rules VS-20..VS-38 (VS-23 and VS-25 live in route-policy.ts): fault and mirror grammar, HTTP
 * actions, TLS/TCP routes, gateway bindings, host ownership across VirtualServices, and the opt-in ambient,
 * Argo Rollouts and Flagger rules.
 */
export const VS_TRAFFIC_RULES: readonly Rule[] = [
  VS20, VS21, VS22, VS24, VS26, VS27, VS28, VS29, VS30, VS31, VS32, VS33, VS34, VS35, VS36, VS37, VS38,
];
