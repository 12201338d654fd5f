import { Rule } from '../../engine/types';
import { VS27, VS28, VS29 } from './actions';
import { VS14, VS15 } from './destinations';
import { VS20, VS22, VS24, VS26 } from './fault-mirror';
import { VS30, VS31, VS32 } from './gateways';
import { VS07, VS08, VS09 } from './match';
import { VS36, VS37, VS38 } from './opt-in';
import { VS06, VS11, VS12, VS16 } from './order-and-weights';
import { VS21, VS33, VS34, VS35 } from './ownership';
import { VS10, VS13, VS17 } from './route';
import { VS39 } from './rollouts';
import { VS18, VS19, VS23, VS25 } from './route-policy';
import { VS01, VS02, VS03, VS04, VS05 } from './shape';

/**
 * Catalogue rules VS-01..VS-39: VirtualService structure, matches, destinations, retries and timeouts, faults and mirrors, HTTP actions, gateway bindings, host ownership, the opt-in ambient, Argo Rollouts and Flagger rules, and the references of Argo Rollouts in the input (VS-39).
 */
export const VS_RULES: readonly Rule[] = [VS01, VS02, VS03, VS04, VS05, VS06, VS07, VS08, VS09, VS10, VS11, VS12, VS13, VS14, VS15, VS16, VS17, VS18, VS19, VS20, VS21, VS22, VS23, VS24, VS25, VS26, VS27, VS28, VS29, VS30, VS31, VS32, VS33, VS34, VS35, VS36, VS37, VS38, VS39];
