import { Rule } from '../../engine/types';
import { SE10 } from './egress-gateway';
import { SE05, SE09 } from './endpoints';
import { SE07 } from './protocols';
import { SE01, SE02, SE03, SE04, SE06, SE08 } from './shape';

/**
 * Catalogue rules SE-01..SE-10: ServiceEntry shape, resolutions, endpoints, protocol conflicts and what an egress gateway sees.
 */
export const SE_RULES: readonly Rule[] = [SE01, SE02, SE03, SE04, SE05, SE06, SE07, SE08, SE09, SE10];
