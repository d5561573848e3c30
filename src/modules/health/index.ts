export { HealthService, type Check, type Readiness } from './health-service';
export { createHealthModule } from './health-module';
