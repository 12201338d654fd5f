import { X01, X02, X03 } from './cross-cutting';
import { DR03, DR08, DR09 } from './destination-rule';
import { Rule } from './engine';
import { VS18, VS19, VS23, VS25 } from './route-policy';
import { VS06, VS11, VS12, VS16 } from './virtual-service';

/** Every rule the engine runs, in catalogue order. */
export const RULES: readonly Rule[] = [
  X01, X02, X03,
  VS06, VS11, VS12, VS16, VS18, VS19, VS23, VS25,
  DR03, DR08, DR09,
];
