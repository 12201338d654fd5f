/** Reading several ordered lists as one, lazily: rules that name the first few of many matches stay linear. */

/** A range of orders to leave out, both ends included. */
export interface OrderRange {
  readonly from: number;
  readonly to: number;
}

/**
 * The items of `lists`, each list ascending by `order`, merged ascending; an order found in several lists is
 * read once, and the orders of `skip` are jumped over (binary search). Lazily: a caller that stops after a few
 * items costs a few steps per list, however long the lists are.
 */
export function* mergeAscending<T>(lists: ReadonlyArray<readonly T[]>, order: (item: T) => number, skip?: OrderRange): Generator<T> {
  const at = lists.map(() => 0);
  for (;;) {
    let least: number | undefined;
    let item: T | undefined;
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i];
      if (skip && at[i] < list.length && order(list[at[i]]) >= skip.from && order(list[at[i]]) <= skip.to) at[i] = firstAbove(list, order, skip.to, at[i]);
      if (at[i] < list.length && (least === undefined || order(list[at[i]]) < least)) {
        least = order(list[at[i]]);
        item = list[at[i]];
      }
    }
    if (least === undefined) return;
    for (let i = 0; i < lists.length; i++) if (at[i] < lists[i].length && order(lists[i][at[i]]) === least) at[i]++;
    yield item!;
  }
}

/** The first position from `from` in `list` (ascending by `order`) whose order is above `bound`. */
function firstAbove<T>(list: readonly T[], order: (item: T) => number, bound: number, from: number): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (order(list[mid]) <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
