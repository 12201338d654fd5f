import { Rule } from '../../engine/types';
import { X01, X02, X03 } from './grammar';
import { X04, X05, X06 } from './hosts';
import { X10, X11 } from './http';
import { X07, X08, X09 } from './labels';
import { X12, X13 } from './meta';

/**
 * Catalogue rules X-01..X-13: values and grammar shared by every kind (durations, ports, hosts, exportTo, labels, regexes, headers, annotations, CRD size caps).
 */
export const X_RULES: readonly Rule[] = [X01, X02, X03, X04, X05, X06, X07, X08, X09, X10, X11, X12, X13];
