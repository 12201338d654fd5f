/**
 * Public API of cdk8s-istio-traffic: the constructs, the value classes they take, the synth-time rule engine
 * and the cdk8s validation plugin. Every name is listed explicitly; internals are not exported. The rule-writing
 * API (rules, findings, the object view, `analyze`) is the sub-entry `cdk8s-istio-traffic/engine`.
 */
export { IstioValidationError, Severity, Violation } from './core/errors';
export { CallerProps, CallTarget, RouteProps } from './constructs/common';
export { HostSource, SubsetSource } from './constructs/refs';
export { CanaryService, CanaryServiceProps } from './constructs/canary-service';
export { ResilientBackend, ResilientBackendProps } from './constructs/resilient-backend';
export { ExternalDependency, ExternalDependencyProps, ExternalPort, PortProtocol, Resolution } from './constructs/external-dependency';
export { IdempotentRetryOptions, NonIdempotentRetryOptions, RetryOn, RetryPolicy } from './policies/retry';
export { HttpMatch, HttpMethod, ValueMatch } from './policies/match';
export { FaultAbort, FaultDelay, FaultInjection } from './policies/fault';
export { LoadBalancer, LoadBalancerAlgorithm, LocalityFailover, RegionFailover } from './policies/load-balancer';
export { SimpleTlsOptions, SYSTEM_CA_BUNDLE, TlsOrigination } from './policies/tls';
export { ConnectionPool, HttpConnectionPool, OutlierDetection, TcpConnectionPool, TrafficPolicyProps } from './policies/traffic-policy';
export { CallChainOptions } from './engine/call-graph';
export { IntentFacts } from './engine/intent';
export { Inventory, RuleReport, SuppressedViolation } from './engine/types';
export { Rules } from './synth/rules';
export { IstioTrafficValidation, IstioTrafficValidationProps, PluginValidationContext } from './plugin';
