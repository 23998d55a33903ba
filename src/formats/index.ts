/**
 * Input kinds and conversions shared by the command and the page (browser-safe): what a file is
 * by its content (sniff.ts), mbox messages in memory (mbox.ts), any input as a message object and
 * any message object as an output format (load.ts), the X.400 outputs (x400.ts).
 */
export * from './sniff.js';
export * from './mbox.js';
export * from './load.js';
export * from './x400.js';
