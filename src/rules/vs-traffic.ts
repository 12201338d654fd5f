import { Rule } from './engine';

/** Catalogue rules VS-20..VS-38 (not yet implemented ones). */
export const VS_TRAFFIC_RULES: readonly Rule[] = [];
