export { ExportService } from './export-service';
export type { ExportResult, JobRecord, JobStatus } from './export-types';
export { createExportsModule } from './exports-module';
