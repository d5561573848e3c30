import { removeEmbeddedSnapshot } from './helpers/embedded-snapshot';

export default function globalTeardown(): void {
  removeEmbeddedSnapshot();
}
