/**
 * Public API of cdk8s-istio-traffic: the constructs, the value classes they take, the synth-time rule engine, the
 * route simulator and the cdk8s validation plugin. Every name is listed explicitly; internals are not exported.
 * The rule-writing API (rules, findings, the object view, `analyze`) is the sub-entry `cdk8s-istio-traffic/engine`.
 */
export { IstioValidationError, Severity, Violation } from './core/errors';
export { CallerProps, CallTarget, RouteProps } from './constructs/common';
export { Subset } from './constructs/refs';
export { Destination, DestinationOptions, HostDestinationOptions } from './constructs/destination';
export { HostTraffic, HostTrafficProps } from './constructs/host-traffic';
export { Routing, RoutingApi, RoutingApiProps } from './constructs/gateway-api';
export { HttpMirror, HttpRouteProps, L4MatchProps, SubsetProps, TcpRouteProps, TlsRouteProps } from './constructs/route-props';
export { CanaryService, CanaryServiceProps } from './constructs/canary-service';
export { CanaryStage, MetricGate, ReleaseController } from './policies/stages';
export { ArgoRollout, ArgoRolloutProps, IgnoreDifference } from './constructs/argo-rollout';
export { FlaggerCanary, FlaggerCanaryProps } from './constructs/flagger-canary';
export { ResilientBackend, ResilientBackendProps } from './constructs/resilient-backend';
export { GatewayServer, IngressGateway, IngressGatewayProps, ServerTls } from './constructs/ingress-gateway';
export { EgressLockdown, EgressLockdownProps } from './constructs/egress-lockdown';
export { EgressGateway, ExternalDependency, ExternalDependencyProps, ExternalEndpoint, ExternalPort, Location, PortProtocol, Resolution } from './constructs/external-dependency';
export { IdempotentRetryOptions, IstioDefaultRetryOptions, NonIdempotentRetryOptions, RetryOn, RetryPolicy } from './policies/retry';
export { HttpMatch, HttpMethod, StringMatch, ValueMatch } from './policies/match';
export { FaultAbort, FaultDelay, FaultInjection, HttpFault } from './policies/fault';
export { CorsPolicy, HeaderChanges, HeaderOperations, HttpDirectResponse, HttpRedirect, HttpRewrite, RegexRewrite } from './policies/route';
export { LoadBalancer, LoadBalancerAlgorithm, LocalityDistribution, LocalityFailover, RegionFailover, WarmupOptions } from './policies/load-balancer';
export { InsecureTlsOptions, MutualTlsOptions, SimpleTlsOptions, SYSTEM_CA_BUNDLE, TlsOrigination } from './policies/tls';
export {
  ConnectionPool, H2UpgradePolicy, HttpConnectionPool, OutlierDetection, PortTrafficPolicy, TcpConnectionPool, TrafficPolicyBaseProps, TrafficPolicyProps,
} from './policies/traffic-policy';
export { CallChainOptions } from './engine/call-graph';
export { IntentFacts } from './engine/intent';
export { Inventory, OmittedFindings, RuleReport, SuppressedViolation } from './engine/types';
export { IWarningSink, Rules, WarningCollector, WarningSink } from './synth/rules';
export {
  AppliedTrafficPolicy, GatewaySourceOptions, MeshSourceOptions, RetrySource, RouteMiss, RouteRef, RouteSimulator, RouteSimulatorOptions, SimulatedDestination,
  SimulatedMirror, SimulatedRetry, SimulationOutcome, SimulationRequest, SimulationResult, SimulationRisk, TrafficSource,
} from './simulate';
export {
  IPluginLogger, IPluginValidationContext, IPluginValidationReport, IstioTrafficValidation, IstioTrafficValidationProps, PluginViolatingResource,
  PluginViolation,
} from './plugin';
/** The generated L1 classes of networking.istio.io (the constructs' escape hatches: `virtualService`, `destinationRule`, …). */
export * as istio from '../imports/istio-networking.istio.io';
