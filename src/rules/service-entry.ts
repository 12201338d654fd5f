import { Rule } from './engine';
import { SE07 } from './se-app';
import { SE05, SE09 } from './se-endpoints';
import { SE01, SE02, SE03, SE04, SE06, SE08 } from './se-shape';

export { SE01, SE02, SE03, SE04, SE05, SE06, SE07, SE08, SE09 };

/** Catalogue rules SE-01..SE-09. */
export const SE_RULES: readonly Rule[] = [SE01, SE02, SE03, SE04, SE05, SE06, SE07, SE08, SE09];
