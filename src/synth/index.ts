/** The synthetic transaction generator: what the loader and the benchmark use. */
export type { GenerateOptions } from './context.js';
export { generateTransactions } from './generator.js';
export { MCC_CATEGORIES } from './mcc.js';
export { DEFAULT_PROFILE_PATH, FRAUD_PATTERNS, loadProfile, type FraudPattern, type Profile } from './profile.js';
export type { AccountSeed, Channel, SyntheticTransaction } from './types.js';
