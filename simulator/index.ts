export { startSimulator, type Faults, type Simulator, type SimulatorOptions } from './server.ts';
export { generatedAnswer, sampleAnswers, toLegacyNames, defaultGeneratedFeedOptions, type GeneratedFeedOptions, type NamingVariant } from './feed.ts';
export { bulkDocuments, defaultBulkFeedOptions, BULK_START_YEAR, type BulkFeedOptions } from './bulk.ts';
export { mulberry32, rngFor } from './prng.ts';
