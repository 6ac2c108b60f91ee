export { clusterTopics, createTopicIndex, DEFAULT_TOPIC_OPTIONS, type TopicCluster, type TopicDoc, type TopicIndex, type TopicOptions } from './cluster';
export { reconcileTopics, type StoredTopic, type TopicPlan, type TopicStatus } from './reconcile';
export { placeWords } from './vectors';
export { areaStem, createAreaMatcher, problemKinds, type AreaName } from './kinds';
