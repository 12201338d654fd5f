import { Rule } from './engine';
import { VS14, VS15 } from './vs-structure-hosts';
import { VS07, VS08, VS09 } from './vs-structure-match';
import { VS10, VS13, VS17 } from './vs-structure-route';
import { VS01, VS02, VS03, VS04, VS05 } from './vs-structure-shape';

export { VS01, VS02, VS03, VS04, VS05 } from './vs-structure-shape';
export { VS07, VS08, VS09, isJwtClaimKey } from './vs-structure-match';
export { VS10, VS13, VS17 } from './vs-structure-route';
export { VS14, VS15 } from './vs-structure-hosts';

/** Catalogue rules VS-01..VS-05, VS-07..VS-10, VS-13..VS-15 and VS-17: VirtualService structure and references. */
export const VS_STRUCTURE_RULES: readonly Rule[] = [
  VS01, VS02, VS03, VS04, VS05, VS07, VS08, VS09, VS10, VS13, VS14, VS15, VS17,
];
