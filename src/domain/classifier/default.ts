import model from './model-data.json';
import type { LinearModelData } from './linear';
import { createLinearClassifier, type LinearClassifier } from './linear-classifier';

let shared: LinearClassifier | null = null;

/** The committed model (npm run train:classifier), ready at start-up without training; decoded once per process. */
export function createDefaultClassifier(): LinearClassifier {
  return (shared ??= createLinearClassifier(model as unknown as LinearModelData));
}
