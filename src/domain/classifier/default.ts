import model from './model-data.json';
import { createModelClassifier, type ClassifierModel } from './model-classifier';
import type { Classifier } from './types';

/** The committed model (npm run train:classifier), ready at start-up without training. */
export function createDefaultClassifier(): Classifier {
  return createModelClassifier(model as unknown as ClassifierModel);
}
