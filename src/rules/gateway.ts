import { Rule } from './engine';

/** Catalogue rules GW-01..GW-11. */
export const GW_RULES: readonly Rule[] = [];
