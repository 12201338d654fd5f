import { IstioObject } from './types';
/** How rules name and place objects in messages. */

/** Human label of an object for messages: `VirtualService "reviews"`. */
export function label(o: IstioObject): string {
  return `${o.kind} "${o.name}"`;
}

/** `DestinationRule "reviews" (namespace shop)` for messages that name another object. */
export function describe(o: IstioObject): string {
  return `${o.kind} "${o.name}"${o.namespace ? ` (namespace ${o.namespace})` : ''}`;
}

/** The namespace an object lands in (`default` when unset, as Istio's short-name resolution assumes). */
export function namespaceOf(o: { readonly namespace?: string }): string {
  return o.namespace ?? 'default';
}

/** `namespace/name` of an object (`default` when the namespace is unset). */
export function nsName(o: { readonly namespace?: string; readonly name: string }): string {
  return `${namespaceOf(o)}/${o.name}`;
}
