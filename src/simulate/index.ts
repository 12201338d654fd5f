/**
 * The route simulator (issue 16): which route, destinations, timeout and retries a request gets, offline. The public
 * API (re-exported by src/index.ts) is {@link RouteSimulator} and the types of ./types and ./source; the CLI builds a simulator
 * from read files with `RouteSimulator._fromInputs`.
 */
export { RouteSimulator, RouteSimulatorOptions } from './simulator';
export {
  AppliedTrafficPolicy, RetrySource, RouteMiss, RouteRef, SimulatedDestination, SimulatedMirror, SimulatedRetry, SimulationOutcome, SimulationRequest,
  SimulationResult, SimulationRisk,
} from './types';
export { GatewaySourceOptions, MeshSourceOptions, TrafficSource } from './source';
export { WorldOptions } from './world';
