import { Rule } from '../../engine/types';
import { CC01, CC02, CC03, CC04 } from './call-chain';

/** Catalogue rules CC-01..CC-04: retry amplification, retry layers, nested timeouts and cycles along declared call chains. */
export const CC_RULES: readonly Rule[] = [CC01, CC02, CC03, CC04];
