export { HealthService, type Check, type Readiness } from './health-service';
export { createHealthModule, type HealthModuleDeps } from './health-module';
