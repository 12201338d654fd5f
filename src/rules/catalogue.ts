import { CC_RULES } from './call-chain';
import { X01, X02, X03 } from './cross-cutting';
import { DR03, DR08, DR09 } from './destination-rule';
import { DR_RULES } from './dr-rules';
import { Rule } from './engine';
import { GW_RULES } from './gateway';
import { VS18, VS19, VS23, VS25 } from './route-policy';
import { SE_RULES } from './service-entry';
import { VS06, VS11, VS12, VS16 } from './virtual-service';
import { VS_STRUCTURE_RULES } from './vs-structure';
import { VS_TRAFFIC_RULES } from './vs-traffic';
import { X_RULES } from './x-rules';

const FAMILY_ORDER = ['X', 'VS', 'DR', 'SE', 'GW', 'CC'];

function order(code: string): number {
  const [family, n] = code.split('-');
  return FAMILY_ORDER.indexOf(family) * 1000 + Number(n);
}

/** Every rule the engine runs, in catalogue order (X, VS, DR, SE, GW, then CC). */
export const RULES: readonly Rule[] = [
  X01, X02, X03, ...X_RULES,
  VS06, VS11, VS12, VS16, VS18, VS19, VS23, VS25, ...VS_STRUCTURE_RULES, ...VS_TRAFFIC_RULES,
  DR03, DR08, DR09, ...DR_RULES,
  ...SE_RULES,
  ...GW_RULES,
  ...CC_RULES,
].sort((a, b) => order(a.code) - order(b.code));
