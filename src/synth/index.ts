/** The synthetic transaction generator: what the loader and the benchmark use. */
export type { GenerateOptions } from './context.js';
export { activityWarnings, expectedRows } from './activity.js';
export { describeAccount, describeAccounts, generateTransactions, type AccountDescription, type AccountProfile } from './generator.js';
export { continueHistories, epochDayOf, type Continuation, type ContinuedAccount } from './continue.js';
export { MCC_CATEGORIES } from './mcc.js';
export { historyWindow, isoDay, type HistoryWindow } from './calendar.js';
export { DEFAULT_PROFILE_PATH, FRAUD_PATTERNS, loadProfile, profileFromValue, type FraudPattern, type Profile } from './profile.js';
export { sampleAccounts } from './sample.js';
export type { AccountSeed, Channel, SyntheticTransaction } from './types.js';
