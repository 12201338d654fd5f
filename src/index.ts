// Public API of cdk8s-istio-traffic. Nothing from ./private is exported.
export * from './errors';
export { RouteProps } from './constructs/common';
export * from './references';
export * from './constructs/canary-service';
export * from './constructs/resilient-backend';
export * from './constructs/external-dependency';
export * from './policies/retry';
export * from './policies/match';
export * from './policies/fault';
export * from './policies/load-balancer';
export * from './policies/tls';
export { ConnectionPool, HttpConnectionPool, OutlierDetection, TcpConnectionPool, TrafficPolicyProps } from './policies/traffic-policy';
export { Rules } from './rules/rules';
export { RULES } from './rules/catalogue';
export { Rule, RuleDoc, RuleReport, IstioObject, IstioKind, Finding, runRules } from './rules/engine';
export { IntentFacts, NON_IDEMPOTENT_ROUTES_ANNOTATION } from './rules/intent';
export { toIstioObject } from './rules/manifest';
export { validateManifest, SchemaIssue } from './schema/crd-validator';
